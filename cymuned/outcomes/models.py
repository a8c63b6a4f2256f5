"""Outcomes: the figures schools already hold about their learners, pre-aggregated so pages never scan raw marks.

Attendance comes first. An :class:`AttendanceSummary` holds one learner's sums of sessions from the start of a
period (the academic year, as the importers of issue 10 will write it) to an "as at" date. Importers compute the
sums from the session marks and write them in bulk (``services.attendance_summaries_upsert``); the FEO worklist,
the learner page, the API and the dashboards read these rows, never the marks.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Abs, Length
from django.db.models.lookups import Exact, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import TimeStampedModel
from cymuned.families.models import Learner
from cymuned.organisations.models import School

from .fields import CountsField
from .marks import (
    FIGURE_COLUMNS,
    SESSIONS_PER_WEEK,
    SESSIONS_PER_YEAR,
    WEEKLY_FIGURES,
    WEEKS_PER_YEAR,
    attendance_codes,
    week_figures,
    week_terms,
    year_origin,
)

HUNDRED = Decimal("100")
#: How far a stored percentage may be from its own sessions (rounding to two places moves it by at most 0.005).
PERCENTAGE_TOLERANCE = Decimal("0.01")


class AttendanceSource(models.TextChoices):
    IMPORT = "import", _("Imported from the school's records")
    MANUAL = "manual", _("Entered by staff")
    DEMO = "demo", _("Demonstration data")


class AttendanceBand(models.TextChoices):
    """How worrying a learner's attendance is. Learners above both thresholds have no band."""

    SEVERE = "severe", _("Severe absence")
    PERSISTENT = "persistent", _("Persistent absence")


@dataclass(frozen=True)
class Thresholds:
    """Attendance percentages at or below which absence is persistent, and severe."""

    persistent: Decimal
    severe: Decimal


#: Defaults: persistent absence is missing 10% or more of sessions (as the dashboards of issue 10 count it), severe 20% or more.
DEFAULT_BANDS = {"persistent": "90", "severe": "80"}


def attendance_thresholds() -> Thresholds:
    """The thresholds from ``settings.CYMUNED_ATTENDANCE_BANDS`` (checked at start-up by ``outcomes.checks``)."""
    bands = {**DEFAULT_BANDS, **getattr(settings, "CYMUNED_ATTENDANCE_BANDS", {})}
    return Thresholds(persistent=Decimal(str(bands["persistent"])), severe=Decimal(str(bands["severe"])))


def band_for(percentage: Decimal | None, thresholds: Thresholds | None = None) -> AttendanceBand | None:
    if percentage is None:
        return None
    thresholds = thresholds or attendance_thresholds()
    if percentage <= thresholds.severe:
        return AttendanceBand.SEVERE
    if percentage <= thresholds.persistent:
        return AttendanceBand.PERSISTENT
    return None


def attendance_percentage(*, attended: int, possible: int) -> Decimal:
    """Sessions attended as a percentage of those possible, to two places, halves rounded up."""
    return (Decimal(attended) * HUNDRED / Decimal(possible)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class AttendanceSummaryQuerySet(models.QuerySet["AttendanceSummary"]):
    def latest_per_learner(self) -> AttendanceSummaryQuerySet:
        """Each learner's most recent figures only: rows with no later row for the same learner.

        An anti-join (NOT EXISTS) probing the unique (learner, period_end) index once per row: it composes with
        any further filter, ordering or pagination, on PostgreSQL and SQLite alike, where DISTINCT ON would not.
        """
        later = AttendanceSummary.objects.filter(learner_id=OuterRef("learner_id"), period_end__gt=OuterRef("period_end"))
        return self.filter(~Exists(later))

    def at_or_below(self, percentage: Decimal) -> AttendanceSummaryQuerySet:
        return self.filter(percentage__lte=percentage)

    def of_active_learners(self) -> AttendanceSummaryQuerySet:
        return self.filter(learner__archived_on__isnull=True)

    def with_related(self) -> AttendanceSummaryQuerySet:
        return self.select_related("learner", "learner__school")


def _percentage_matches_sessions() -> LessThanOrEqual:
    """|percentage × possible − 100 × attended| ≤ tolerance × possible: the stored figure is the sessions' own, no division."""
    difference = F("percentage") * F("possible_sessions") - F("attended_sessions") * 100
    return LessThanOrEqual(Abs(difference), F("possible_sessions") * PERCENTAGE_TOLERANCE)


class AttendanceSummary(TimeStampedModel):
    """One learner's attendance from ``period_start`` to ``period_end`` (the "as at" date). A personal record.

    Invariants the database enforces: at least one possible session; attended + authorised + unauthorised
    absences = possible sessions; the percentage is the sessions' own (within rounding); one row per learner
    per "as at" date, so re-importing the same figures changes nothing and a corrected file replaces them.
    ``school`` is the learner's school when the figures were recorded, copied so per-school aggregates need no
    join; who may *see* the row follows the learner's current school (see ``policies``).
    """

    is_personal_record = True

    learner = models.ForeignKey(Learner, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="attendance_summaries")
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="attendance_summaries")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("as at"))
    possible_sessions = models.PositiveIntegerField(_("possible sessions"))
    attended_sessions = models.PositiveIntegerField(
        _("sessions attended"), help_text=_("Present, or at an approved educational activity away from school.")
    )
    authorised_absences = models.PositiveIntegerField(_("authorised absences"))
    unauthorised_absences = models.PositiveIntegerField(_("unauthorised absences"))
    percentage = models.DecimalField(_("attendance (%)"), max_digits=5, decimal_places=2, editable=False)
    source = models.CharField(_("source"), max_length=20, choices=AttendanceSource.choices)

    objects = AttendanceSummaryQuerySet.as_manager()

    class Meta:
        ordering = ["learner", "-period_end"]
        verbose_name = _("attendance summary")
        verbose_name_plural = _("attendance summaries")
        constraints = [
            # Also the index behind "latest per learner": (learner_id, period_end) scanned backwards.
            models.UniqueConstraint(fields=["learner", "period_end"], name="attendance_one_per_learner_per_date"),
            models.CheckConstraint(condition=Q(possible_sessions__gt=0), name="attendance_some_possible_sessions"),
            models.CheckConstraint(
                condition=Q(attended_sessions__lte=F("possible_sessions")), name="attendance_attended_within_possible"
            ),
            models.CheckConstraint(
                condition=Q(possible_sessions=F("attended_sessions") + F("authorised_absences") + F("unauthorised_absences")),
                name="attendance_sessions_add_up",
            ),
            models.CheckConstraint(condition=Q(period_start__lte=F("period_end")), name="attendance_period_in_order"),
            models.CheckConstraint(condition=Q(percentage__gte=0, percentage__lte=100), name="attendance_percentage_range"),
            models.CheckConstraint(condition=_percentage_matches_sessions(), name="attendance_percentage_matches_sessions"),
        ]
        indexes = [
            # Per-school figures as at a date (dashboards, issue 10) without touching learners.
            models.Index(fields=["school", "period_end"], name="attendance_school_date"),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id}: {self.percentage}% ({self.period_end:%Y-%m-%d})"

    @property
    def band(self) -> AttendanceBand | None:
        return band_for(self.percentage)

    @property
    def absences(self) -> int:
        return self.authorised_absences + self.unauthorised_absences


@dataclass(frozen=True)
class AttendanceFigures:
    """One learner's sums as an importer hands them to ``services.attendance_summaries_upsert``."""

    learner_id: int
    period_start: datetime.date
    period_end: datetime.date
    possible_sessions: int
    attended_sessions: int
    authorised_absences: int
    unauthorised_absences: int


class AttendanceYear(models.Model):
    """One learner's attendance marks for one academic year, and their weekly and termly figures. A personal record.

    ``codes`` holds one character per weekday session, ``marks.SESSIONS_PER_YEAR`` of them: Monday AM, Monday PM,
    ..., Friday PM of each week from ``marks.year_origin`` (the Monday on or before 1 September), each an attendance
    code or ``marks.NO_SESSION``; a week is a slice of ten (:meth:`week_codes`). Any figure can be computed from
    the codes; the figures alongside are counted from them when the row is written (by the importer, vectorised),
    so weekly and termly aggregates never re-read codes: ``weekly_<figure>`` has one count per week of the year for
    the figures of ``marks.WEEKLY_FIGURES``, ``term_<figure>`` one per term (autumn, spring, summer) for every
    figure of ``marks.FIGURES`` (``marks.FIGURE_COLUMNS`` names them). On PostgreSQL they are ``smallint[]``.

    One row per learner per year, written in bulk with COPY by ``services.attendance_marks_import``, never row by
    row. ``school`` is the learner's school when the marks were last imported. The foreign keys have no indexes of
    their own (the unique (learner, year) and the (school, year) indexes serve them) and no constraints in the
    database: the importer checks and KEY SHARE-locks the learners and schools set-based instead
    (``services._check_and_lock``), and Django's CASCADE, which Django and not the database carries out, deletes
    a learner's years with the learner.
    """

    is_personal_record = True

    learner = models.ForeignKey(
        Learner, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="attendance_years", db_index=False,
        db_constraint=False,
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="attendance_years", db_index=False,
        db_constraint=False,
    )
    academic_year = models.PositiveSmallIntegerField(_("academic year"), help_text=_("The year it starts in September."))
    codes = models.TextField(_("session codes"))
    weekly_possible = CountsField(_("possible sessions by week"))
    weekly_attended = CountsField(_("sessions attended by week"))
    weekly_authorised = CountsField(_("authorised absences by week"))
    weekly_unauthorised = CountsField(_("unauthorised absences by week"))
    term_possible = CountsField(_("possible sessions by term"))
    term_attended = CountsField(_("sessions attended by term"))
    term_authorised = CountsField(_("authorised absences by term"))
    term_unauthorised = CountsField(_("unauthorised absences by term"))
    term_late = CountsField(_("late sessions by term"))
    term_approved = CountsField(_("approved educational activities by term"))

    class Meta:
        ordering = ["learner", "academic_year"]
        verbose_name = _("year of attendance marks")
        verbose_name_plural = _("years of attendance marks")
        constraints = [
            models.UniqueConstraint(fields=["learner", "academic_year"], name="attendance_year_one_per_learner"),
            models.CheckConstraint(condition=Exact(Length("codes"), SESSIONS_PER_YEAR), name="attendance_year_all_sessions"),
        ]
        indexes = [models.Index(fields=["school", "academic_year"], name="attendance_year_school")]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.academic_year}"

    def week_index(self, monday: datetime.date) -> int:
        return (monday - year_origin(self.academic_year)).days // 7

    def week_codes(self, monday: datetime.date) -> str:
        """The ten codes of the week beginning ``monday``."""
        start = self.week_index(monday) * SESSIONS_PER_WEEK
        return self.codes[start : start + SESSIONS_PER_WEEK]

    @classmethod
    def from_codes(cls, *, learner_id: int, school_id: int, academic_year: int, codes: str) -> AttendanceYear:
        """A year of marks with its weekly and termly figures counted from ``codes`` one week at a time (tests, demo
        data; the importer counts vectorised, to the same figures)."""
        table = attendance_codes()
        terms = week_terms(academic_year)
        weeks = [week_figures(codes[w * SESSIONS_PER_WEEK:(w + 1) * SESSIONS_PER_WEEK], table) for w in range(WEEKS_PER_YEAR)]
        by_term = [week_figures("".join(codes[w * SESSIONS_PER_WEEK:(w + 1) * SESSIONS_PER_WEEK]
                                        for w in range(WEEKS_PER_YEAR) if terms[w] == term), table) for term in (1, 2, 3)]
        row = cls(learner_id=learner_id, school_id=school_id, academic_year=academic_year, codes=codes)
        for name in WEEKLY_FIGURES:
            setattr(row, f"weekly_{FIGURE_COLUMNS[name]}", [getattr(week, name) for week in weeks])
        for name, short in FIGURE_COLUMNS.items():
            setattr(row, f"term_{short}", [getattr(term, name) for term in by_term])
        return row

    def term_figures(self, term: int) -> dict[str, int]:
        """Every figure of ``marks.FIGURES`` for a term (1 autumn, 2 spring, 3 summer)."""
        return {name: getattr(self, f"term_{short}")[term - 1] for name, short in FIGURE_COLUMNS.items()}


class AttendanceImport(TimeStampedModel):
    """A file of attendance marks that was imported: who, what, which period, how much changed.

    Holds no learner's data (counts only), so it is kept when the marks are deleted by retention.
    ``school`` is empty for an LA-wide file.
    """

    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    school = models.ForeignKey(
        School, verbose_name=_("school"), null=True, blank=True, on_delete=models.PROTECT, related_name="attendance_imports"
    )
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    marks = models.PositiveIntegerField(_("marks"))
    learners = models.PositiveIntegerField(_("learners"))
    schools = models.PositiveIntegerField(_("schools"))
    years_written = models.PositiveIntegerField(_("learners' years of marks added or changed"))
    years_deleted = models.PositiveIntegerField(_("learners' years of marks removed"))

    class Meta:
        ordering = ["-created_on"]
        verbose_name = _("attendance import")
        verbose_name_plural = _("attendance imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d})"


# --- Behaviour and attainment (issue 10). Imported from the schools' MIS exports; personal records. -------------


class IncidentSeverity(models.IntegerChoices):
    LOW = 1, _("Low")
    MODERATE = 2, _("Moderate")
    HIGH = 3, _("High")
    SERIOUS = 4, _("Serious")


class ExclusionKind(models.TextChoices):
    FIXED_TERM = "fixed_term", _("Fixed-term exclusion")
    PERMANENT = "permanent", _("Permanent exclusion")


class BehaviourIncident(TimeStampedModel):
    """One behaviour incident of one learner, as the school recorded it. ``reference`` is the MIS's own id, if any."""

    is_personal_record = True

    learner = models.ForeignKey(Learner, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="behaviour_incidents")
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="behaviour_incidents")
    occurred_on = models.DateField(_("date"))
    academic_year = models.PositiveSmallIntegerField(_("academic year"), help_text=_("The year it starts in September."))
    incident_type = models.CharField(_("type of incident"), max_length=100)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=IncidentSeverity.choices)
    reference = models.CharField(_("reference in the school's system"), max_length=60, blank=True)

    class Meta:
        ordering = ["-occurred_on", "pk"]
        verbose_name = _("behaviour incident")
        verbose_name_plural = _("behaviour incidents")
        indexes = [
            models.Index(fields=["school", "academic_year"], name="behaviour_school_year"),
            models.Index(fields=["learner", "occurred_on"], name="behaviour_learner_date"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_type} {self.occurred_on:%Y-%m-%d}"


class Exclusion(TimeStampedModel):
    """An exclusion of one learner: fixed-term (with the school days lost) or permanent."""

    is_personal_record = True

    learner = models.ForeignKey(Learner, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="exclusions")
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="exclusions")
    start_date = models.DateField(_("first day"))
    academic_year = models.PositiveSmallIntegerField(_("academic year"), help_text=_("The year it starts in September."))
    kind = models.CharField(_("kind of exclusion"), max_length=20, choices=ExclusionKind.choices)
    days = models.DecimalField(_("school days lost"), max_digits=5, decimal_places=1)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference = models.CharField(_("reference in the school's system"), max_length=60, blank=True)

    class Meta:
        ordering = ["-start_date", "pk"]
        verbose_name = _("exclusion")
        verbose_name_plural = _("exclusions")
        indexes = [
            models.Index(fields=["school", "academic_year"], name="exclusion_school_year"),
            models.Index(fields=["learner", "start_date"], name="exclusion_learner_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=0) & Q(days__lte=200), name="exclusion_days_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date:%Y-%m-%d}"


class AssessmentResult(TimeStampedModel):
    """One result of one learner: a subject, the assessment or qualification, a grade and/or points, and a date.

    ``points`` is what attainment figures add up (for secondary schools, a capped-nine style score is the sum of a
    learner's best nine points in a year); ``grade`` is kept as the school wrote it.
    """

    is_personal_record = True

    learner = models.ForeignKey(Learner, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="assessment_results")
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="assessment_results")
    subject = models.CharField(_("subject"), max_length=100)
    assessment = models.CharField(_("assessment or qualification"), max_length=120)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)
    assessed_on = models.DateField(_("date"))
    academic_year = models.PositiveSmallIntegerField(_("academic year"), help_text=_("The year it starts in September."))

    class Meta:
        ordering = ["-assessed_on", "subject", "pk"]
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        indexes = [
            models.Index(fields=["school", "academic_year"], name="assessment_school_year"),
            models.Index(fields=["learner", "academic_year"], name="assessment_learner_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__isnull=False) | ~Q(grade=""), name="assessment_result_has_grade_or_points"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.assessment} {self.grade or self.points}"


class RecordsKind(models.TextChoices):
    LEARNERS = "learners", _("Learners on roll")
    BEHAVIOUR = "behaviour", _("Behaviour incidents")
    EXCLUSIONS = "exclusions", _("Exclusions")
    RESULTS = "results", _("Assessment results")


class RecordsImport(TimeStampedModel):
    """A file of learners, incidents, exclusions or results that was imported: who, what, which period, how much changed.

    Like :class:`AttendanceImport` it holds counts only, no learner's data, so it outlives the rows under retention.
    ``school`` is empty for an LA-wide file; the period (the file's first and last dates) is empty for learners.
    Importing the same file again leaves ``added``, ``changed`` and ``removed`` at 0. ``leavers`` counts learners on
    the roll of the file's schools that a learners file left out: they are reported, never deleted.
    """

    kind = models.CharField(_("kind of records"), max_length=20, choices=RecordsKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    school = models.ForeignKey(
        School, verbose_name=_("school"), null=True, blank=True, on_delete=models.PROTECT, related_name="records_imports"
    )
    period_start = models.DateField(_("first day"), null=True, blank=True)
    period_end = models.DateField(_("last day"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"))
    schools = models.PositiveIntegerField(_("schools"))
    added = models.PositiveIntegerField(_("added"))
    changed = models.PositiveIntegerField(_("changed"))
    removed = models.PositiveIntegerField(_("removed"))
    leavers = models.PositiveIntegerField(_("learners on roll not in the file"), default=0)

    class Meta:
        ordering = ["-created_on"]
        verbose_name = _("records import")
        verbose_name_plural = _("records imports")
        indexes = [models.Index(fields=["school", "kind", "-created_on"], name="records_import_school_kind")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.file_name}"
# --- Pre-aggregated figures (issue 10's dashboards) ---------------------------------------------------------------


class PeriodKind(models.TextChoices):
    YEAR = "Y", _("Academic year to date")
    TERM = "T", _("Term")
    WEEK = "W", _("Week")


class Dimension(models.TextChoices):
    """Which breakdown a row of :class:`OutcomeAggregate` belongs to: every learner, or one group of one dimension."""

    ALL = "all", _("All learners")
    YEAR_GROUP = "year_group", _("Year group")
    ALN = "aln", _("Additional learning needs")
    LOOKED_AFTER = "looked_after", _("Looked after")
    EAL = "eal", _("English as an additional language")
    GENDER = "gender", _("Gender")


class OutcomeAggregate(models.Model):
    """Sums of one school's outcome figures for one period of an academic year, for eFSM or non-eFSM learners of
    one group. Not a personal record: counts only; written by ``aggregates.refresh_outcome_aggregates`` alone.

    The grain is *marginal*: for each (school, year, period, eFSM) there is a row for every learner
    (``dimension = all``) and one per value of each dimension (``year_group = 9``, ``aln = 1``, ``gender = F``, ...),
    not one per combination of them. So every dashboard figure, and the eFSM gap under any one filter, is a SUM over
    at most two rows per school (about 3,000 rows nationally), whatever the number of learners; a combination of
    filters would need ~50 times the rows and is not offered. ``period`` is 0 for the year, 1–3 for a term, the
    week's index (0–53, from ``marks.year_origin``) for a week.

    Figures: ``learners`` with any session or record in the period; sessions (``possible`` ...) in the period;
    ``attendance_learners`` with a possible session from the start of the year to the period's end, of whom
    ``persistent_absentees`` missed 10% or more of them (year to date, so a term's figure is as at its end);
    incidents, exclusions and days lost in the period; results with points, the learners with such results, their
    points and each learner's best nine points of the period (``capped_points_sum``).
    """

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="+", db_index=False)
    local_authority_id = models.IntegerField(_("local authority"))  # the school's, copied: LA and national sums need no join
    academic_year = models.PositiveSmallIntegerField(_("academic year"))
    period_kind = models.CharField(_("kind of period"), max_length=1, choices=PeriodKind.choices)
    period = models.PositiveSmallIntegerField(_("period"))
    efsm = models.BooleanField(_("eligible for free school meals"))
    dimension = models.CharField(_("breakdown"), max_length=12, choices=Dimension.choices)
    value = models.CharField(_("group"), max_length=3, blank=True)
    learners = models.PositiveIntegerField(_("learners"), default=0)
    attendance_learners = models.PositiveIntegerField(_("learners with possible sessions to date"), default=0)
    possible = models.PositiveIntegerField(_("possible sessions"), default=0)
    attended = models.PositiveIntegerField(_("sessions attended"), default=0)
    authorised = models.PositiveIntegerField(_("authorised absences"), default=0)
    unauthorised = models.PositiveIntegerField(_("unauthorised absences"), default=0)
    persistent_absentees = models.PositiveIntegerField(_("persistent absentees"), default=0)
    incidents = models.PositiveIntegerField(_("behaviour incidents"), default=0)
    exclusions = models.PositiveIntegerField(_("exclusions"), default=0)
    exclusion_days = models.DecimalField(_("school days lost to exclusion"), max_digits=9, decimal_places=1, default=0)
    results = models.PositiveIntegerField(_("results with points"), default=0)
    learners_with_results = models.PositiveIntegerField(_("learners with results"), default=0)
    points_sum = models.DecimalField(_("points"), max_digits=12, decimal_places=2, default=0)
    capped_points_sum = models.DecimalField(_("best nine points"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("outcome aggregate")
        verbose_name_plural = _("outcome aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "period_kind", "period", "efsm", "dimension", "value"],
                name="outcome_aggregate_one_per_group",
            ),
        ]
        indexes = [
            # LA and national figures: one year, one group, a few kinds of period.
            models.Index(fields=["academic_year", "dimension", "value", "period_kind", "local_authority_id"],
                         name="outcome_aggregate_area"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.academic_year} {self.period_kind}{self.period} {self.dimension}={self.value}"
# --- Imports of school MIS exports through the web (issue 10) ---------------------------------------------------------


class ImportStatus(models.TextChoices):
    DRAFT = "draft", _("Being set up")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    SUCCEEDED = "succeeded", _("Imported")
    FAILED = "failed", _("Stopped by an error")
    REFUSED = "refused", _("Not imported: problems in the file")


def import_upload_to(instance: ImportRun, filename: str) -> str:
    """``imports/<year>/<month>/<random>.<ext>``: the stored name says nothing about the school or the learners."""
    import secrets
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    today = datetime.date.today()
    return f"imports/{today:%Y}/{today:%m}/{secrets.token_hex(16)}{suffix}"


class ImportRunQuerySet(models.QuerySet["ImportRun"]):
    def with_related(self) -> ImportRunQuerySet:
        return self.select_related("school", "created_by")

    def finished(self) -> ImportRunQuerySet:
        return self.filter(status__in=ImportRun.FINISHED)


class ImportRun(TimeStampedModel):
    """One file uploaded to import, from the upload through the column mapping and preview to its outcome.

    The uploaded file is kept as it came (``file``, with its SHA-256): the audit copy of what was imported. ``errors``
    holds the first :data:`MAX_STORED_ERRORS` problems (row, column, value, message, code) in the language the import
    ran in (``language``, the language of the person who started it); ``error_count`` counts them all. ``summary`` is
    what a successful import did (the fields of its record). ``school`` is empty for an LA-wide file
    (``local_authority`` then says whose). Not row-audited like the learners' records: the progress of a running
    import is written every half second; the upload and its outcome are security events and the file is kept.
    """

    MAX_STORED_ERRORS = 1000
    FINISHED = (ImportStatus.SUCCEEDED, ImportStatus.FAILED, ImportStatus.REFUSED)

    kind = models.CharField(_("kind of import"), max_length=40)
    school = models.ForeignKey(School, verbose_name=_("school"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="import_runs")
    local_authority = models.ForeignKey("organisations.LocalAuthority", verbose_name=_("local authority"),
                                        on_delete=models.PROTECT, related_name="import_runs")
    file = models.FileField(_("file"), upload_to=import_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_type = models.CharField(_("type of file"), max_length=10, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    mis = models.CharField(_("management information system"), max_length=60, blank=True)
    columns = models.JSONField(_("columns of the file"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.DRAFT)
    progress = models.FloatField(_("progress"), default=0.0)
    stage = models.CharField(_("stage"), max_length=40, blank=True)
    error_count = models.PositiveIntegerField(_("problems"), default=0)
    errors = models.JSONField(_("first problems"), default=list, blank=True)
    language = models.CharField(_("language of the messages"), max_length=10, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    started_on = models.DateTimeField(_("started"), null=True, blank=True)
    finished_on = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_on", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["school", "-created_on"], name="importrun_school_created")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__gte=0) & Q(progress__lte=1), name="importrun_progress_0_to_1"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        return int(round(self.progress * 100))


class MappingTemplate(TimeStampedModel):
    """A school's saved column mapping for one kind of file from one MIS, offered the next time it imports one."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="mapping_templates")
    mis = models.CharField(_("management information system"), max_length=60)
    kind = models.CharField(_("kind of import"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("column mapping"), default=dict)

    class Meta:
        ordering = ["school", "kind", "mis", "name"]
        verbose_name = _("column mapping template")
        verbose_name_plural = _("column mapping templates")
        constraints = [
            models.UniqueConstraint(fields=["school", "mis", "kind", "name"], name="mappingtemplate_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.mis})"
