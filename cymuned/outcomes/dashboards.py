"""Reads for the outcome dashboards: attendance, behaviour and attainment for eFSM and non-eFSM learners, and the gap.

Every figure is a SUM over :class:`~cymuned.outcomes.models.OutcomeAggregate` rows (never the marks), read through
the access layer, in a constant number of queries whatever the number of learners:

1. the area's sums per year, period and eFSM (the summary, terms, weeks and years),
2. the sums per school (or, for Wales, per local authority) for the breakdown table,
3. the names of those schools or authorities.

**Small numbers**: outside a school's own view (cluster, LA and Wales views, governors' view of their school) and in
every export, a figure computed from fewer than ``settings.CYMUNED_SUPPRESSION_THRESHOLD`` learners (default 5) is
suppressed, and so is a gap when either side is. Each measure names its *basis*, the learners it is computed from.

Who sees which area: the schools the dashboard roles reach (``policies.DASHBOARD_ROLES``); a cluster where the user
reaches all of it (cluster roles) or, for LA-wide roles, every cluster of their LA; their LA; and for LA-wide roles a
figure for Wales (every LA's schools summed, always suppressed, never broken down below LA).
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cymuned.access.policy import Action, policy_for, visible_to
from cymuned.access.principal import principal_for
from cymuned.accounts.roles import LA_WIDE_ROLES
from cymuned.core.models import localised
from cymuned.families.models import Gender, YearGroup
from cymuned.organisations.models import Cluster, LocalAuthority, Organisation, OrganisationKind, School

from .aggregates import FIGURES
from .marks import Term, year_origin
from .models import Dimension, OutcomeAggregate, PeriodKind
from .policies import DASHBOARD_ROLES, DRILL_DOWN_ROLES

DEFAULT_SUPPRESSION_THRESHOLD = 5
#: Years shown in the "over the years" table and chart, the chosen one last.
YEARS_SHOWN = 5


def suppression_threshold() -> int:
    return int(getattr(settings, "CYMUNED_SUPPRESSION_THRESHOLD", DEFAULT_SUPPRESSION_THRESHOLD))


# --- Measures ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    key: str
    label: Promise
    unit: Promise  # of the figure (gap in the same unit)
    numerator: tuple[str, ...]
    denominator: str
    scale: int
    basis: str  # the learners the figure is computed from
    drill: str = ""  # the learners behind it, for the drill-down ("" for none)


PERCENT = gettext_lazy("%")
PER_100 = gettext_lazy("per 100 learners")
POINTS = gettext_lazy("points")

MEASURES: dict[str, tuple[Measure, ...]] = {
    "attendance": (
        Measure("attendance", gettext_lazy("Attendance"), PERCENT, ("attended",), "possible", 100, "attendance_learners"),
        Measure("authorised", gettext_lazy("Authorised absence"), PERCENT, ("authorised",), "possible", 100, "attendance_learners"),
        Measure("unauthorised", gettext_lazy("Unauthorised absence"), PERCENT, ("unauthorised",), "possible", 100,
                "attendance_learners"),
        Measure("persistent", gettext_lazy("Persistent absence (missing 10% or more)"), PERCENT, ("persistent_absentees",),
                "attendance_learners", 100, "attendance_learners", drill="persistent"),
    ),
    "behaviour": (
        Measure("incidents", gettext_lazy("Behaviour incidents"), PER_100, ("incidents",), "learners", 100, "learners",
                drill="incidents"),
        Measure("exclusions", gettext_lazy("Exclusions"), PER_100, ("exclusions",), "learners", 100, "learners",
                drill="exclusions"),
        Measure("days_lost", gettext_lazy("School days lost to exclusion"), PER_100, ("exclusion_days",), "learners", 100,
                "learners", drill="exclusions"),
    ),
    "attainment": (
        Measure("mean_points", gettext_lazy("Mean points per result"), POINTS, ("points_sum",), "results", 1,
                "learners_with_results", drill="results"),
        Measure("capped_nine", gettext_lazy("Mean capped nine (best nine points per learner)"), POINTS, ("capped_points_sum",),
                "learners_with_results", 1, "learners_with_results", drill="results"),
    ),
}
PAGES = {
    "attendance": gettext_lazy("Attendance"),
    "behaviour": gettext_lazy("Behaviour and exclusions"),
    "attainment": gettext_lazy("Attainment"),
}


def measure_for(page: str, key: str | None) -> Measure:
    measures = MEASURES[page]
    return next((m for m in measures if m.key == key), measures[0])


# --- Cells: a figure, or why there is none ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: Decimal | None
    suppressed: bool = False

    @property
    def shown(self) -> bool:
        return self.value is not None and not self.suppressed

    def text(self) -> str:
        if self.suppressed:
            return suppressed_text()
        return "–" if self.value is None else f"{self.value:,}"

    def __str__(self) -> str:
        return self.text()

    def __html__(self) -> str:
        """How a template shows the cell (``{{ cell }}``): the figure, or the suppression marker as a grey tag. A method
        rather than an included template, because a page has a few hundred cells."""
        if self.suppressed:
            return format_html('<span class="govuk-tag govuk-tag--grey">{}</span>', suppressed_text())
        return conditional_escape(self.text())

    def chart_value(self) -> float | None:
        """Suppressed figures are left out of charts."""
        return float(self.value) if self.shown else None  # type: ignore[arg-type]


def suppressed_text() -> str:
    return _("fewer than %(threshold)s") % {"threshold": suppression_threshold()}


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in FIGURES}


def _figure(sums: dict[str, Any] | None, measure: Measure, *, suppress: bool) -> Cell:
    if not sums:
        return Cell(None)
    basis = sums.get(measure.basis) or 0
    denominator = sums.get(measure.denominator) or 0
    if basis == 0 or denominator == 0:
        return Cell(None)
    if suppress and basis < suppression_threshold():
        return Cell(None, suppressed=True)
    numerator = sum(Decimal(sums.get(name) or 0) for name in measure.numerator)
    value = (numerator * measure.scale / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Cell(value)


def _count(value: int | None, *, suppress: bool) -> Cell:
    if not value:
        return Cell(Decimal(0) if value == 0 else None)
    if suppress and value < suppression_threshold():
        return Cell(None, suppressed=True)
    return Cell(Decimal(value))


def gap(efsm: Cell, other: Cell) -> Cell:
    """eFSM minus non-eFSM learners, in the measure's unit; suppressed when either side is."""
    if efsm.suppressed or other.suppressed:
        return Cell(None, suppressed=True)
    if efsm.value is None or other.value is None:
        return Cell(None)
    return Cell(efsm.value - other.value)


def _both(rows: dict[bool, dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for sums in rows.values():
        for name in FIGURES:
            total[name] = (total.get(name) or 0) + (sums.get(name) or 0)
    return total


@dataclass
class Line:
    """One measure for all, eFSM and non-eFSM learners, and the gap."""

    label: Any
    all: Cell
    efsm: Cell
    other: Cell
    gap: Cell
    measure: Measure | None = None

    @classmethod
    def of(cls, label: Any, rows: dict[bool, dict[str, Any]], measure: Measure, *, suppress: bool) -> Line:
        efsm = _figure(rows.get(True), measure, suppress=suppress)
        other = _figure(rows.get(False), measure, suppress=suppress)
        return cls(label, _figure(_both(rows), measure, suppress=suppress), efsm, other, gap(efsm, other), measure)

    @classmethod
    def learners(cls, label: Any, rows: dict[bool, dict[str, Any]], basis: str, *, suppress: bool) -> Line:
        efsm = _count((rows.get(True) or {}).get(basis), suppress=suppress)
        other = _count((rows.get(False) or {}).get(basis), suppress=suppress)
        return cls(label, _count(_both(rows).get(basis), suppress=suppress), efsm, other, Cell(None))


# --- Areas -------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    kind: str  # "school", "cluster", "la" or "wales"
    pk: int | None
    name: str
    #: Small numbers are suppressed (every view but a school's own, for those who work with its learners).
    suppressed: bool
    local_authority_id: int | None = None

    @property
    def key(self) -> str:
        return "wales" if self.kind == "wales" else f"{self.kind}-{self.pk}"


def areas_for(*, user: Any) -> list[Area]:
    """The areas the user may look at, in the order offered: LAs, Wales, clusters, schools (two queries at most: the
    authorities and schools together from the organisations table, then clusters, only for those who see any)."""
    principal = principal_for(user)
    la_ids = sorted(principal.la_ids(LA_WIDE_ROLES))
    school_ids = sorted(principal.school_ids(DASHBOARD_ROLES))
    learner_school_ids = principal.school_ids(DRILL_DOWN_ROLES)
    # Clusters: those an LA role is narrowed to (school-held roles see their school, not its cluster).
    cluster_ids = sorted({g.cluster_id for g in principal.grants
                          if g.role in DASHBOARD_ROLES and g.organisation_kind == OrganisationKind.LOCAL_AUTHORITY and g.cluster_id})
    if not (la_ids or school_ids or cluster_ids):
        return []
    names = ("pk", "kind", "name_en", "name_cy", "local_authority_id")
    organisations = list(Organisation.objects.filter(
        Q(kind=OrganisationKind.LOCAL_AUTHORITY, pk__in=la_ids)
        | Q(Q(local_authority_id__in=la_ids) | Q(pk__in=school_ids), kind=OrganisationKind.SCHOOL, is_active=True),
    ).only(*names).order_by("name_en", "pk"))
    areas = [Area("la", o.pk, localised(o, "name"), True, o.pk) for o in organisations if o.kind == OrganisationKind.LOCAL_AUTHORITY]
    if la_ids:
        areas.append(Area("wales", None, _("Wales (all local authorities)"), True))
    if la_ids or cluster_ids:
        clusters = Cluster.objects.filter(Q(local_authority_id__in=la_ids) | Q(pk__in=cluster_ids)).only(*names[2:])
        areas += [Area("cluster", c.pk, c.name, True, c.local_authority_id) for c in clusters]
    areas += [Area("school", o.pk, localised(o, "name"), o.pk not in learner_school_ids, o.local_authority_id)
              for o in organisations if o.kind == OrganisationKind.SCHOOL]
    return areas


def _area_q(area: Area) -> Q:
    if area.kind == "school":
        return Q(school_id=area.pk)
    if area.kind == "cluster":
        return Q(school__cluster_id=area.pk)
    if area.kind == "la":
        return Q(local_authority_id=area.pk)
    return Q()


def _rows(user: Any, area: Area) -> Any:
    """The aggregate rows of an area, through the access layer. Wales is every LA's schools summed: offered only to
    LA-wide roles (``areas_for``), always suppressed and never broken down below an LA; the policy's ``national_scope``
    says who may read it."""
    if area.kind == "wales":
        return OutcomeAggregate.objects.filter(policy_for(OutcomeAggregate).national_scope(principal_for(user)))
    return visible_to(user, OutcomeAggregate, Action.LIST).filter(_area_q(area))


# --- Groups (the one filter) -----------------------------------------------------------------------------------------


def group_choices() -> list[tuple[str, Any]]:
    """The "which learners" filter: every learner, or one group of one dimension (the aggregates' grain)."""
    choices: list[tuple[str, Any]] = [("all", _("All learners"))]
    choices += [(f"year_group-{value}", label) for value, label in YearGroup.choices]
    choices += [
        ("aln-1", _("With additional learning needs")), ("aln-0", _("Without additional learning needs")),
        ("looked_after-1", _("Looked after")), ("looked_after-0", _("Not looked after")),
        ("eal-1", _("English as an additional language")), ("eal-0", _("English not an additional language")),
    ]
    choices += [(f"gender-{value}", label) for value, label in Gender.choices]
    return choices


def parse_group(key: str | None) -> tuple[str, str]:
    if not key or key == "all":
        return str(Dimension.ALL), ""
    dimension, _sep, value = key.partition("-")  # Nursery is year_group--1
    return dimension, value


# --- The dashboard -----------------------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    page: str
    area: Area
    year: int
    group: str
    measure: Measure
    suppressed: bool
    summary: list[Line] = field(default_factory=list)
    learners: Line | None = None
    terms: list[Line] = field(default_factory=list)
    years: list[Line] = field(default_factory=list)
    weeks: list[Line] = field(default_factory=list)
    breakdown: list[Line] = field(default_factory=list)
    breakdown_label: Any = ""

    def chart(self, lines: list[Line], *, kind: str = "bar", horizontal: bool = False) -> str:
        """Chart.js data for the eFSM and non-eFSM figures of these lines; suppressed figures are left out."""
        return json.dumps({
            "type": kind, "horizontal": horizontal, "stacked": False, "axis": f"{self.measure.label} ({self.measure.unit})",
            "labels": [str(line.label) for line in lines],
            "datasets": [
                {"label": _("eFSM learners"), "data": [line.efsm.chart_value() for line in lines],
                 "backgroundColor": "#1d70b8", "borderColor": "#1d70b8"},
                {"label": _("Other learners"), "data": [line.other.chart_value() for line in lines],
                 "backgroundColor": "#f47738", "borderColor": "#f47738"},
            ],
        })

    @property
    def terms_chart(self) -> str:
        return self.chart(self.terms)

    @property
    def years_chart(self) -> str:
        return self.chart(self.years)

    @property
    def weeks_chart(self) -> str:
        return self.chart(self.weeks, kind="line")

    @property
    def breakdown_chart(self) -> str:
        return self.chart(self.breakdown, horizontal=True)


@dataclass(frozen=True)
class _Named:
    name_en: str
    name_cy: str


def year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def dashboard(*, user: Any, page: str, area: Area, year: int, group: str = "all", measure: str | None = None,
              suppress: bool | None = None) -> Dashboard:
    """Every figure of one dashboard page, in three queries. ``suppress`` forces suppression (exports)."""
    chosen = measure_for(page, measure)
    dimension, value = parse_group(group)
    hide = area.suppressed if suppress is None else (suppress or area.suppressed)
    result = Dashboard(page=page, area=area, year=year, group=group, measure=chosen, suppressed=hide)
    rows = _rows(user, area).filter(dimension=dimension, value=value)
    kinds = Q(period_kind__in=[PeriodKind.YEAR, PeriodKind.TERM], academic_year__in=range(year - YEARS_SHOWN + 1, year + 1))
    if area.kind != "wales":  # weeks for a school, cluster or LA; Wales is compared by year and term
        kinds |= Q(period_kind=PeriodKind.WEEK, academic_year=year)
    series: dict[tuple[int, str, int], dict[bool, dict[str, Any]]] = defaultdict(dict)
    for row in rows.filter(kinds).values("academic_year", "period_kind", "period", "efsm").annotate(**_sums()).order_by():
        series[(row["academic_year"], row["period_kind"], row["period"])][row["efsm"]] = row

    this_year = series.get((year, PeriodKind.YEAR, 0), {})
    result.summary = [Line.of(m.label, this_year, m, suppress=hide) for m in MEASURES[page]]
    result.learners = Line.learners(_("Learners"), this_year, chosen.basis, suppress=hide)
    result.terms = [Line.of(label, series.get((year, PeriodKind.TERM, int(term)), {}), chosen, suppress=hide)
                    for term, label in Term.choices]
    result.terms.append(Line.of(_("Year to date"), this_year, chosen, suppress=hide))
    result.years = [Line.of(year_label(y), series.get((y, PeriodKind.YEAR, 0), {}), chosen, suppress=hide)
                    for y in range(year - YEARS_SHOWN + 1, year + 1) if (y, PeriodKind.YEAR, 0) in series or y == year]
    origin = year_origin(year)
    weeks = sorted(period for (y, kind, period) in series if y == year and kind == PeriodKind.WEEK)
    result.weeks = [Line.of((origin + datetime.timedelta(weeks=w)).strftime("%d/%m"), series[(year, PeriodKind.WEEK, w)], chosen,
                            suppress=hide) for w in weeks]
    result.weeks = [line for line in result.weeks if line.all.value is not None or line.all.suppressed]

    if area.kind != "school":
        # Schools' names come with their sums (the join the scope already makes); Wales names its authorities after.
        by = ("local_authority_id",) if area.kind == "wales" else ("school_id", "school__name_en", "school__name_cy")
        parts: dict[int, dict[bool, dict[str, Any]]] = defaultdict(dict)
        names: dict[int, str] = {}
        for row in rows.filter(period_kind=PeriodKind.YEAR, academic_year=year).values(*by, "efsm").annotate(**_sums()).order_by():
            parts[row[by[0]]][row["efsm"]] = row
            if area.kind != "wales":
                names[row["school_id"]] = localised(_Named(row["school__name_en"], row["school__name_cy"]), "name")
        if area.kind == "wales":
            names = {o.pk: o.name for o in LocalAuthority.objects.filter(pk__in=list(parts)).only("pk", "name_en", "name_cy")}
        result.breakdown = sorted((Line.of(names.get(pk, "?"), sums, chosen, suppress=True) for pk, sums in parts.items()),
                                  key=lambda line: str(line.label))
        result.breakdown_label = _("Local authority") if area.kind == "wales" else _("School")
    return result


def default_year() -> int:
    from .aggregates import current_academic_year

    return current_academic_year()


# --- Drill-down: the learners behind a school's figure ----------------------------------------------------------------


def drill_down_schools(*, user: Any) -> frozenset[int]:
    """Schools whose learners the user may list behind a figure: the learner roles at the school (never LA-wide roles
    or governors, who see figures only)."""
    return principal_for(user).school_ids(DRILL_DOWN_ROLES)


def _group_q(group: str, year: int) -> Q:
    from .aggregates import current_academic_year

    dimension, value = parse_group(group)
    if dimension == Dimension.YEAR_GROUP:
        return Q(year_group=int(value) + (current_academic_year() - year))
    fields = {Dimension.ALN: "additional_learning_needs", Dimension.LOOKED_AFTER: "looked_after",
              Dimension.EAL: "english_additional_language"}
    if dimension in fields:
        return Q(**{fields[dimension]: value == "1"})
    if dimension == Dimension.GENDER:
        return Q(gender__in=[value, ""]) if value == "X" else Q(gender=value)
    return Q()


def drill_down(*, user: Any, school: School, year: int, group: str, efsm: bool | None, measure: str) -> list[dict[str, Any]]:
    """The learners behind a school's figure for a year (to date): persistent absentees, learners with incidents,
    exclusions or results. Only learners the user may see (``visible_to``); four queries. The caller audits the read."""
    from cymuned.families.models import Learner

    from .models import AssessmentResult, AttendanceYear, BehaviourIncident, Exclusion

    if school.pk not in drill_down_schools(user=user):
        return []
    learners = visible_to(user, Learner, Action.LIST).filter(_group_q(group, year))
    if efsm is not None:
        learners = learners.filter(efsm=efsm)
    figures: dict[int, dict[str, Any]] = {}
    if measure == "persistent":
        rows = AttendanceYear.objects.filter(school=school, academic_year=year, learner__in=learners).values_list(
            "learner_id", "weekly_possible", "weekly_authorised", "weekly_unauthorised")
        for learner_id, possible, authorised, unauthorised in rows:  # one school's learners, at most a few thousand
            total, missed = sum(possible), sum(authorised) + sum(unauthorised)
            if total and 10 * missed >= total:
                figures[learner_id] = {"possible": total, "missed": missed,
                                       "percentage": (Decimal(missed) * 100 / total).quantize(Decimal("0.1"))}
    elif measure == "incidents":
        rows = BehaviourIncident.objects.filter(school=school, academic_year=year, learner__in=learners).values("learner_id")
        figures = {r["learner_id"]: {"count": r["n"]} for r in rows.annotate(n=Count("pk")).order_by()}
    elif measure == "exclusions":
        rows = Exclusion.objects.filter(school=school, academic_year=year, learner__in=learners).values("learner_id")
        figures = {r["learner_id"]: {"count": r["n"], "days": r["days"]}
                   for r in rows.annotate(n=Count("pk"), days=Sum("days")).order_by()}
    elif measure == "results":
        rows = AssessmentResult.objects.filter(school=school, academic_year=year, learner__in=learners,
                                               points__isnull=False).values("learner_id")
        figures = {r["learner_id"]: {"count": r["n"], "points": r["points"]}
                   for r in rows.annotate(n=Count("pk"), points=Sum("points")).order_by()}
    found = Learner.objects.filter(pk__in=list(figures)).order_by("family_name", "given_name", "pk")
    return [{"learner": learner, **figures[learner.pk]} for learner in found]

