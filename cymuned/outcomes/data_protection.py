"""Outcomes' part in subject access and retention (registered with the families domain's registries).

Subject access: a family's learners' attendance (the year-to-date summaries, and each year of marks as figures per
term rather than 540 codes), behaviour incidents, exclusions and assessment results, each read through the access
layer as the exporting user, with what they may not see counted as withheld.

Retention (``settings.CYMUNED_RETENTION``, years; the defaults are in :data:`OUTCOME_PERIODS`). Cymuned holds
copies of what the schools' own systems hold, for the figures; the schools keep the originals under their own
schedules. So the copies go sooner:

* attendance marks and summaries: ``outcome_attendance_years`` (3) after the end of their academic year, as
  registers' entries are kept for three years (the IRMS schools toolkit);
* behaviour incidents: ``outcome_behaviour_years`` (3) after the end of their academic year;
* exclusions: ``outcome_exclusion_years`` (6) after the end of their academic year, long enough for reviews,
  appeals and the LA's statutory returns to look back on;
* assessment results: ``outcome_results_years`` (6) after the end of their academic year, for trends over a
  secondary school career;
* and all of these, whatever their year, ``outcome_after_leaving_years`` (2) after the learner left (the learner
  record was archived).

These rows *are* the learner's data (who, what, when), so there is nothing to blank that would leave something
useful: "anonymise" deletes them too. The dashboards' pre-aggregated tables keep their counts.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cymuned.access.policy import visible_to
from cymuned.families.models import Household
from cymuned.families.retention import DEFAULT_PERIODS, RetentionKind, RetentionRun, register_kind
from cymuned.families.subject_access import Entry, Section, record_of, register_section

from .marks import FIGURE_COLUMNS, Term
from .models import AssessmentResult, AttendanceSummary, AttendanceYear, BehaviourIncident, Exclusion, ImportRun

#: Years, by key of settings.CYMUNED_RETENTION; used where the setting does not say.
OUTCOME_PERIODS = {
    "outcome_attendance_years": 3,
    "outcome_behaviour_years": 3,
    "outcome_exclusion_years": 6,
    "outcome_results_years": 6,
    "outcome_after_leaving_years": 2,
}


def _learner_entry(record: Any) -> Entry:
    return Entry("learner", gettext_lazy("Learner"), record.learner_id, record.learner.full_name)


def _section(model: Any, *, household: Household, user: Any, title: Any, names: list[str], order: list[str],
             as_table: bool = True) -> Section | None:
    everyone = model.objects.filter(learner__household=household)
    total = everyone.count()
    if not total:
        return None
    shown = list(visible_to(user, model.objects.select_related("learner", "school")).filter(learner__household=household)
                 .order_by(*order))
    records = [[_learner_entry(r), *record_of(r, names)] for r in shown]
    return Section(title=title, records=records, withheld=total - len(shown), read=shown, as_table=as_table)


@register_section("attendance", order=70)
def attendance_section(*, household: Household, user: Any) -> Section | None:
    return _section(AttendanceSummary, household=household, user=user, title=gettext_lazy("Attendance to date"),
                    names=["school", "period_start", "period_end", "possible_sessions", "attended_sessions",
                           "authorised_absences", "unauthorised_absences", "percentage", "source"],
                    order=["learner_id", "period_end", "pk"])


@register_section("attendance-marks", order=71)
def attendance_marks_section(*, household: Household, user: Any) -> Section | None:
    """Each year of marks as its figures per term (the codes themselves are 540 characters a year)."""
    everyone = AttendanceYear.objects.filter(learner__household=household)
    total = everyone.count()
    if not total:
        return None
    shown = list(visible_to(user, AttendanceYear.objects.select_related("learner", "school")).filter(learner__household=household)
                 .order_by("learner_id", "academic_year"))
    labels = {name: AttendanceYear._meta.get_field(f"term_{short}").verbose_name for name, short in FIGURE_COLUMNS.items()}
    records = []
    for year in shown:
        for term in Term:
            figures = year.term_figures(term.value)
            if not any(figures.values()):
                continue
            records.append([
                _learner_entry(year), *record_of(year, ["school", "academic_year"]),
                Entry("term", gettext_lazy("Term"), term.value, term.label),
                *(Entry(name, labels[name], value, str(value)) for name, value in figures.items()),
            ])
    return Section(title=gettext_lazy("Attendance marks, by term"), records=records, withheld=total - len(shown), read=shown,
                   as_table=True)


@register_section("behaviour", order=72)
def behaviour_section(*, household: Household, user: Any) -> Section | None:
    return _section(BehaviourIncident, household=household, user=user, title=gettext_lazy("Behaviour incidents"),
                    names=["school", "occurred_on", "incident_type", "severity", "reference"], order=["occurred_on", "pk"])


@register_section("exclusions", order=73)
def exclusions_section(*, household: Household, user: Any) -> Section | None:
    return _section(Exclusion, household=household, user=user, title=gettext_lazy("Exclusions"),
                    names=["school", "start_date", "kind", "days", "reason", "reference"], order=["start_date", "pk"],
                    as_table=False)


@register_section("results", order=74)
def results_section(*, household: Household, user: Any) -> Section | None:
    return _section(AssessmentResult, household=household, user=user, title=gettext_lazy("Assessment results"),
                    names=["school", "academic_year", "subject", "assessment", "grade", "points", "assessed_on"],
                    order=["academic_year", "subject", "pk"])


# --- Retention -------------------------------------------------------------------------------------------------------


def last_year_ended_before(day: datetime.date) -> int:
    """The latest academic year (named by the year it starts) that ended (31 August) before ``day``."""
    return day.year - 1 if day > datetime.date(day.year, 8, 31) else day.year - 2


class OutcomeRetention(RetentionKind):
    """Rows of one kind past ``setting`` years after their academic year, or past the leaving period."""

    year_field = "academic_year"
    blank: dict[str, Any] = {}
    leaving_setting = "outcome_after_leaving_years"

    def due(self, run: RetentionRun) -> QuerySet[Any]:
        last_year = last_year_ended_before(run.cutoff(self.setting))
        left_before = run.cutoff_moment(self.leaving_setting)
        return self.model._default_manager.filter(
            Q(**{f"{self.year_field}__lte": last_year}) | Q(learner__archived_on__lt=left_before)
        ).order_by("pk")

    def holding_personal_data(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset  # every row is the learner's; see the module's docstring

    def describe(self, obj: Any) -> str:
        return _("%(kind)s %(pk)s of learner %(learner)s") % {"kind": self.model._meta.verbose_name, "pk": obj.pk,
                                                               "learner": obj.learner_id}

    def anonymise(self, pks: list[int], run: RetentionRun) -> None:
        self.delete(pks, run)


class AttendanceYearRetention(OutcomeRetention):
    key = "attendance-marks"
    label = gettext_lazy("Attendance marks of past years")
    model = AttendanceYear
    setting = "outcome_attendance_years"


class AttendanceSummaryRetention(OutcomeRetention):
    key = "attendance-summaries"
    label = gettext_lazy("Attendance figures of past years")
    model = AttendanceSummary
    setting = "outcome_attendance_years"

    def due(self, run: RetentionRun) -> QuerySet[Any]:
        last_year = last_year_ended_before(run.cutoff(self.setting))
        return AttendanceSummary.objects.filter(
            Q(period_end__lte=datetime.date(last_year + 1, 8, 31))
            | Q(learner__archived_on__lt=run.cutoff_moment(self.leaving_setting))
        ).order_by("pk")


class BehaviourRetention(OutcomeRetention):
    key = "behaviour-incidents"
    label = gettext_lazy("Behaviour incidents of past years")
    model = BehaviourIncident
    setting = "outcome_behaviour_years"


class ExclusionRetention(OutcomeRetention):
    key = "exclusions"
    label = gettext_lazy("Exclusions of past years")
    model = Exclusion
    setting = "outcome_exclusion_years"


class ResultRetention(OutcomeRetention):
    key = "assessment-results"
    label = gettext_lazy("Assessment results of past years")
    model = AssessmentResult
    setting = "outcome_results_years"


class ImportFileRetention(RetentionKind):
    """Uploaded files of imports (the audit copy of what was imported, full of learners' data) and the problems
    quoted from them, once the import is ``import_file_years`` old. The run itself (who, when, counts, the file's
    SHA-256) is kept, so the audit trail still says what was imported."""

    key = "import-files"
    label = gettext_lazy("Uploaded import files")
    model = ImportRun
    setting = "import_file_years"
    blank: dict[str, Any] = {"errors": []}

    def due(self, run: RetentionRun) -> QuerySet[Any]:
        return ImportRun.objects.filter(created_on__lt=run.cutoff_moment(self.setting)).order_by("pk")

    def holding_personal_data(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(~Q(file="") | ~Q(errors=[]))

    def describe(self, obj: Any) -> str:
        return _("Import %(pk)s of %(date)s") % {"pk": obj.pk, "date": obj.created_on.date().isoformat()}

    def anonymise(self, pks: list[int], run: RetentionRun) -> None:
        for stored in ImportRun.objects.filter(pk__in=pks).exclude(file="").values_list("file", flat=True):
            ImportRun._meta.get_field("file").storage.delete(stored)
        ImportRun.objects.filter(pk__in=pks).update(file="", errors=[])
        super().anonymise(pks, run)

    def delete(self, pks: list[int], run: RetentionRun) -> None:
        self.anonymise(pks, run)  # the run's counts hold no one's data: keep them, as the import records are kept


OUTCOME_PERIODS["import_file_years"] = 1

for _key, _years in OUTCOME_PERIODS.items():
    DEFAULT_PERIODS.setdefault(_key, _years)
for _kind in (AttendanceYearRetention(), AttendanceSummaryRetention(), BehaviourRetention(), ExclusionRetention(), ResultRetention(),
              ImportFileRetention()):
    register_kind(_kind)
