"""The measured impact of engagement: before and after, against a matched comparison group, as a
difference-in-differences estimate with a 95% confidence interval (issue 10, "Impact of engagement").

Three layers, kept apart so the arithmetic can be tested on its own:

1. **Engagement sources** (:func:`register_engagement_source`): each kind of engagement (an FEO casework episode,
   a place on a programme, and, once merged, a hub referral) is one function returning, set-based, rows of
   ``(learner_id, engaged_on, kind, detail)`` for the learners of the schools asked about. Adding a source is one
   call; the page, the export and the API pick it up (a filter choice and a row of the results).
2. **The calculator** (pure functions, no database): windows of school weeks before and after each engaged
   learner's first engagement, the outcome over each window, exact matching to comparison learners within strata
   (school, year group, eFSM, prior attendance band) over the *same calendar weeks*, and the estimate
   (:func:`difference_in_differences`).
3. **Loading** (:func:`impact_report`): a fixed number of queries whatever the number of learners: the schools in
   scope, one per engagement source, the learners' facts, their weekly attendance arrays (one query), and the
   incidents or results when that outcome is asked for. Only aggregates leave this module: no learner's name or
   id is in a report.

Weeks are numbered continuously across academic years (:func:`week_number`, Mondays from :data:`EPOCH`), so a window
can cross the summer holiday: a learner's stored years are laid end to end (:func:`weekly_series`), the overlapping
last week of one year and first week of the next adding up (their sessions fall on different days).
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Cast, Greatest, TruncDate
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cymuned.accounts.roles import Role

from .marks import WEEKS_PER_YEAR, academic_year_bounds, academic_year_of, year_origin

# --- Settings of the method ----------------------------------------------------------------------------------------

#: School weeks in each window before and after the engagement, by default, and the range a user may choose.
DEFAULT_WEEKS = 12
MIN_WINDOW_WEEKS, MAX_WINDOW_WEEKS = 4, 26
#: Fewest school weeks with marks a window must hold for the learner to be measured (the rest are counted).
MIN_WEEKS = 4
#: Groups smaller than this give no estimate (statistical disclosure control, and too few for any confidence).
SMALL_GROUP = 5
#: Prior attendance bands (lower bounds, %): under 80, 80 to 90, 90 to 95, 95 and over.
BAND_EDGES = (80.0, 90.0, 95.0)
#: Days each side of the engagement in which assessment results count as "the year before" and "the year after".
ATTAINMENT_DAYS = 365
#: Monday 3 January 2000: week 0 of the continuous week numbering.
EPOCH = datetime.date(2000, 1, 3)


class Outcome(models.TextChoices):
    ATTENDANCE = "attendance", _("Attendance")
    BEHAVIOUR = "behaviour", _("Behaviour")
    ATTAINMENT = "attainment", _("Attainment")


#: What each outcome's figures are, for headings and the API.
OUTCOME_UNITS = {
    Outcome.ATTENDANCE: _("attendance (% of possible sessions)"),
    Outcome.BEHAVIOUR: _("behaviour incidents per school week"),
    Outcome.ATTAINMENT: _("mean assessment points"),
}

CAVEATS = (
    _("This is not a randomised trial. Families chose, or were chosen, to take part, and the comparison learners may "
      "differ from them in ways the figures cannot show."),
    _("Learners are matched only on what Cymuned holds: the same school, year group, eligibility for free school meals "
      "and band of attendance before the engagement. Other differences (home circumstances, health, support from "
      "elsewhere) are not accounted for."),
    _("Small groups give uncertain estimates: read the confidence interval, not only the estimate. When the interval "
      "includes zero, the data cannot tell a change from no change."),
    _("Learners are often referred at a low point. Figures that are unusually low tend to rise again on their own "
      "(regression to the mean), so part of any improvement may have happened anyway; matching on the band of prior "
      "attendance reduces but does not remove this."),
)
SUPPRESSION_RULE = _("Estimates are shown only when both the engaged and the comparison groups have at least 5 learners.")


# --- 1. Engagement sources -----------------------------------------------------------------------------------------

#: ``query(*, local_authority_ids, school_ids, filters)`` -> rows ``(learner_id, engaged_on, kind, detail)``.
EngagementQuery = Callable[..., Iterable[tuple[int, datetime.date, str, str]]]


@dataclass(frozen=True)
class EngagementSource:
    key: str
    label: str | Promise
    query: EngagementQuery


_SOURCES: dict[str, EngagementSource] = {}
#: The keys of the built-in sources.
FEO_EPISODE = "feo_episode"
PROGRAMME = "programme"


def register_engagement_source(key: str, label: str | Promise, query: EngagementQuery) -> EngagementSource:
    """Make a kind of engagement count. ``query`` is called with keyword arguments only:

    - ``local_authority_ids``: the local authorities whose every school is asked about (may be empty);
    - ``school_ids``: the schools asked about; rows are for learners whose current school is one of them
      *or* of those local authorities;
    - ``filters``: ``{"since": date | None, "until": date | None}``, the engagement dates wanted (inclusive).

    and returns rows ``(learner_id, engaged_on, kind, detail)``, set-based (a queryset's ``values_list`` is ideal:
    it is run as one query), ``kind`` being ``key`` and ``detail`` a string the source chooses (a programme's id).
    A household-level engagement gives one row for each learner of the household. Registering a key again
    replaces the source (for tests and reloads).
    """
    source = EngagementSource(key=key, label=label, query=query)
    _SOURCES[key] = source
    return source


def engagement_sources() -> list[EngagementSource]:
    return list(_SOURCES.values())


def _learner_scope(prefix: str, local_authority_ids: Iterable[int], school_ids: Iterable[int]) -> Q:
    q = Q(**{f"{prefix}school_id__in": sorted(school_ids)})
    la_ids = sorted(local_authority_ids)
    if la_ids:
        q |= Q(**{f"{prefix}school__local_authority_id__in": la_ids})
    return q


def _dates(field_name: str, filters: Mapping[str, Any]) -> Q:
    q = Q()
    if filters.get("since"):
        q &= Q(**{f"{field_name}__gte": filters["since"]})
    if filters.get("until"):
        q &= Q(**{f"{field_name}__lte": filters["until"]})
    return q


def feo_episode_engagements(*, local_authority_ids: Iterable[int], school_ids: Iterable[int],
                            filters: Mapping[str, Any]) -> models.QuerySet:
    """Every learner of the household, from the day the FEO opened the episode; ``detail`` is empty."""
    from cymuned.families.models import Learner

    return (
        Learner.objects.filter(_learner_scope("", local_authority_ids, school_ids), household__episodes__isnull=False)
        .annotate(engaged_on=F("household__episodes__opened_on"))
        .filter(_dates("engaged_on", filters))
        .values_list("pk", "engaged_on", Value(FEO_EPISODE, output_field=models.CharField()), Value("", output_field=models.CharField()))
        .order_by()
    )


def programme_engagements(*, local_authority_ids: Iterable[int], school_ids: Iterable[int],
                          filters: Mapping[str, Any]) -> models.QuerySet:
    """Places taken up (enrolled or completed) on a programme: the learner's own, or, for a place held by a household,
    each learner of the household. The engagement starts when the programme does, or on enrolling if later;
    ``detail`` is the programme's id."""
    from cymuned.families.models import Learner
    from cymuned.programmes.models import Enrolment, EnrolmentStatus

    taken = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)
    own = (
        Enrolment.objects.filter(_learner_scope("learner__", local_authority_ids, school_ids), status__in=taken)
        .annotate(engaged_on=Greatest(F("programme__starts_on"), TruncDate("created_on")))
        .filter(_dates("engaged_on", filters))
        .values_list("learner_id", "engaged_on", Value(PROGRAMME, output_field=models.CharField()),
                     Cast("programme_id", output_field=models.CharField()))
        .order_by()
    )
    by_household = (
        Learner.objects.filter(
            _learner_scope("", local_authority_ids, school_ids),
            household__enrolments__learner__isnull=True,
            household__enrolments__status__in=taken,
        )
        .annotate(engaged_on=Greatest(F("household__enrolments__programme__starts_on"), TruncDate("household__enrolments__created_on")))
        .filter(_dates("engaged_on", filters))
        .values_list("pk", "engaged_on", Value(PROGRAMME, output_field=models.CharField()),
                     Cast("household__enrolments__programme_id", output_field=models.CharField()))
        .order_by()
    )
    return own.union(by_household, all=True)


register_engagement_source(FEO_EPISODE, _("Family engagement officer casework"), feo_episode_engagements)
register_engagement_source(PROGRAMME, _("Programme or course"), programme_engagements)


# --- 2. The calculator (pure) --------------------------------------------------------------------------------------


def week_number(day: datetime.date) -> int:
    """The continuous number of the week (Monday to Sunday) a day falls in."""
    return (day - EPOCH).days // 7


def monday_of(week: int) -> datetime.date:
    return EPOCH + datetime.timedelta(weeks=week)


#: A learner's weekly attendance: week number -> (possible sessions, sessions attended).
Series = dict[int, tuple[int, int]]


def weekly_series(rows: Iterable[tuple[int, int, Sequence[int], Sequence[int]]]) -> dict[int, Series]:
    """Each learner's stored years ``(learner_id, academic_year, weekly_possible, weekly_attended)`` laid end to end.

    Weeks with no possible session are left out, so a series holds only the learner's school weeks."""
    series: dict[int, Series] = defaultdict(dict)
    for learner_id, year, possible, attended in rows:
        first = week_number(year_origin(year))
        own = series[learner_id]
        for offset in range(min(len(possible), WEEKS_PER_YEAR)):
            if possible[offset] > 0:
                week = first + offset
                p, a = own.get(week, (0, 0))
                own[week] = (p + possible[offset], a + attended[offset])
    return dict(series)


@dataclass(frozen=True)
class Windows:
    """The calendar weeks compared, inclusive: ``before`` ends the week before the engagement's, ``after`` starts the
    week after it (the week of the engagement itself is in neither)."""

    before: tuple[int, int]
    after: tuple[int, int]

    def dates(self, which: str) -> tuple[datetime.date, datetime.date]:
        first, last = getattr(self, which)
        return monday_of(first), monday_of(last) + datetime.timedelta(days=6)

    @property
    def span(self) -> tuple[datetime.date, datetime.date]:
        return monday_of(self.before[0]), monday_of(self.after[1]) + datetime.timedelta(days=6)


def windows_for(series: Series, engaged_on: datetime.date, *, weeks: int = DEFAULT_WEEKS, min_weeks: int = MIN_WEEKS) -> Windows | None:
    """The engaged learner's own last ``weeks`` school weeks before the engagement week and first ``weeks`` after it,
    as calendar ranges, or ``None`` when either side holds fewer than ``min_weeks`` school weeks (marks not yet
    imported, or the learner joined or left)."""
    engaged_week = week_number(engaged_on)
    before = sorted(w for w in series if w < engaged_week)[-weeks:]
    after = sorted(w for w in series if w > engaged_week)[:weeks]
    if len(before) < min(min_weeks, weeks) or len(after) < min(min_weeks, weeks):
        return None
    return Windows(before=(before[0], engaged_week - 1), after=(engaged_week + 1, after[-1]))


def _sums(series: Series, weeks: tuple[int, int]) -> tuple[int, int, int]:
    """Possible sessions, sessions attended and school weeks of a learner in a range of weeks."""
    possible = attended = count = 0
    for week in range(weeks[0], weeks[1] + 1):
        figures = series.get(week)
        if figures is not None:
            possible += figures[0]
            attended += figures[1]
            count += 1
    return possible, attended, count


def attendance_over(series: Series, weeks: tuple[int, int]) -> float | None:
    """Sessions attended as a percentage of those possible over the weeks, or ``None`` without a possible session."""
    possible, attended, _count = _sums(series, weeks)
    return 100.0 * attended / possible if possible else None


def band_of(percentage: float | None) -> int | None:
    """0 for under 80%, 1 for 80 to under 90%, 2 for 90 to under 95%, 3 for 95% and over (see :data:`BAND_EDGES`)."""
    if percentage is None:
        return None
    return sum(percentage >= edge for edge in BAND_EDGES)


@dataclass(frozen=True)
class LearnerFacts:
    school_id: int
    year_group: int
    efsm: bool


@dataclass
class OutcomeData:
    """What the outcomes are computed from, per learner."""

    series: dict[int, Series] = field(default_factory=dict)
    incidents: dict[int, list[datetime.date]] = field(default_factory=dict)
    results: dict[int, list[tuple[datetime.date, float]]] = field(default_factory=dict)


def measure(outcome: str, learner_id: int, windows: Windows, engaged_on: datetime.date,
            data: OutcomeData) -> tuple[float, float] | None:
    """The outcome of one learner before and after, over the given windows, or ``None`` if it cannot be measured.

    Attendance: % of possible sessions attended. Behaviour: incidents per school week (weeks with a possible session
    for this learner). Attainment: mean points of the results dated in the :data:`ATTAINMENT_DAYS` days before the
    engagement and in those from it (the same dates for the comparison learners)."""
    series = data.series.get(learner_id, {})
    if outcome == Outcome.ATTENDANCE:
        before, after = attendance_over(series, windows.before), attendance_over(series, windows.after)
        return None if before is None or after is None else (before, after)
    if outcome == Outcome.BEHAVIOUR:
        values = []
        for which in ("before", "after"):
            _p, _a, school_weeks = _sums(series, getattr(windows, which))
            if not school_weeks:
                return None
            first, last = windows.dates(which)
            values.append(sum(first <= day <= last for day in data.incidents.get(learner_id, ())) / school_weeks)
        return values[0], values[1]
    if outcome == Outcome.ATTAINMENT:
        start, end = engaged_on - datetime.timedelta(days=ATTAINMENT_DAYS), engaged_on + datetime.timedelta(days=ATTAINMENT_DAYS)
        results = data.results.get(learner_id, ())
        before_points = [points for day, points in results if start <= day < engaged_on]
        after_points = [points for day, points in results if engaged_on <= day < end]
        if not before_points or not after_points:
            return None
        return math.fsum(before_points) / len(before_points), math.fsum(after_points) / len(after_points)
    raise ValueError(outcome)


@dataclass(frozen=True)
class ControlValue:
    learner_id: int
    before: float
    after: float


@dataclass(frozen=True)
class MatchedSet:
    """One engaged learner's figures and those of its comparison learners, over the same calendar windows."""

    before: float
    after: float
    controls: tuple[ControlValue, ...]


@dataclass(frozen=True)
class Matching:
    sets: list[MatchedSet]
    #: Engaged learners measured, but with no comparison learner in their stratum: excluded from the estimate.
    unmatched: int
    #: Engaged learners whose outcome could not be measured before and after (no marks or results): excluded.
    unmeasured: int


def match(*, engaged: Mapping[int, datetime.date], facts: Mapping[int, LearnerFacts], data: OutcomeData,
          engagement_dates: Mapping[int, Iterable[datetime.date]], outcome: str = Outcome.ATTENDANCE,
          weeks: int = DEFAULT_WEEKS, min_weeks: int = MIN_WEEKS,
          cache: dict[tuple[int, datetime.date], MatchedSet | str] | None = None) -> Matching:
    """Exact matching within strata, each comparison learner measured over the engaged learner's own windows.

    ``engaged`` maps each engaged learner to its (first) engagement date; ``facts`` holds every learner who may be
    compared; ``engagement_dates`` every engagement of any kind of every learner, so that no learner engaged during
    an engaged learner's windows is used as its comparison. A comparison learner has the engaged learner's school,
    year group and eFSM status, and the same band of attendance over the *same* calendar weeks before the
    engagement (:func:`band_of`); it may serve several engaged learners (matching with replacement).

    ``cache`` keeps each engaged learner's result by (learner, date) between calls on the same data (the rows of
    one report share most engaged learners).
    """
    pool: dict[tuple[int, int, bool], list[int]] = defaultdict(list)
    for learner_id in sorted(facts):
        f = facts[learner_id]
        pool[(f.school_id, f.year_group, f.efsm)].append(learner_id)
    sets: list[MatchedSet] = []
    unmatched = unmeasured = 0
    cache = {} if cache is None else cache
    for learner_id in sorted(engaged):
        key = (learner_id, engaged[learner_id])
        if key not in cache:
            cache[key] = _match_one(learner_id, engaged[learner_id], facts=facts, pool=pool, data=data,
                                    engagement_dates=engagement_dates, outcome=outcome, weeks=weeks, min_weeks=min_weeks)
        result = cache[key]
        if isinstance(result, MatchedSet):
            sets.append(result)
        elif result == "unmatched":
            unmatched += 1
        else:
            unmeasured += 1
    return Matching(sets=sets, unmatched=unmatched, unmeasured=unmeasured)


def _match_one(learner_id: int, engaged_on: datetime.date, *, facts: Mapping[int, LearnerFacts],
               pool: Mapping[tuple[int, int, bool], list[int]], data: OutcomeData,
               engagement_dates: Mapping[int, Iterable[datetime.date]], outcome: str, weeks: int,
               min_weeks: int) -> MatchedSet | str:
    """One engaged learner's matched set, or "unmeasured" / "unmatched"."""
    f = facts.get(learner_id)
    windows = windows_for(data.series.get(learner_id, {}), engaged_on, weeks=weeks, min_weeks=min_weeks)
    values = measure(outcome, learner_id, windows, engaged_on, data) if windows and f else None
    if values is None or windows is None or f is None:
        return "unmeasured"
    band = band_of(attendance_over(data.series[learner_id], windows.before))
    first, last = windows.span
    controls = []
    for other in pool.get((f.school_id, f.year_group, f.efsm), ()):
        if other == learner_id or any(first <= day <= last for day in engagement_dates.get(other, ())):
            continue
        if band_of(attendance_over(data.series.get(other, {}), windows.before)) != band:
            continue
        measured = measure(outcome, other, windows, engaged_on, data)
        if measured is not None:
            controls.append(ControlValue(other, *measured))
    if not controls:
        return "unmatched"
    return MatchedSet(before=values[0], after=values[1], controls=tuple(controls))


@dataclass(frozen=True)
class Estimate:
    n_engaged: int
    n_comparison: int
    engaged_before: float | None = None
    engaged_after: float | None = None
    comparison_before: float | None = None
    comparison_after: float | None = None
    estimate: float | None = None
    standard_error: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    degrees_of_freedom: float | None = None
    unmatched: int = 0
    unmeasured: int = 0

    @property
    def engaged_change(self) -> float | None:
        return None if self.engaged_before is None or self.engaged_after is None else _round(self.engaged_after - self.engaged_before)

    @property
    def comparison_change(self) -> float | None:
        if self.comparison_before is None or self.comparison_after is None:
            return None
        return _round(self.comparison_after - self.comparison_before)

    @property
    def suppressed(self) -> bool:
        return self.n_engaged < SMALL_GROUP or self.n_comparison < SMALL_GROUP


def _round(value: float) -> float:
    """Nine decimal places: far below any figure shown, and rids the sums of floating-point dust (so that equal
    changes give exactly 0)."""
    return round(value, 9) + 0.0


def t_quantile_975(df: float) -> float:
    """The 97.5th percentile of Student's t with ``df`` degrees of freedom (two-sided 95%).

    Below 5 degrees of freedom, the exact value at the whole number below (a little wider: conservative); from 5,
    the Cornish-Fisher expansion in the normal quantile (Abramowitz and Stegun 26.7.5), within 0.0003 of the exact
    value (2.5703 for 2.5706 at 5 degrees of freedom, closer beyond).
    """
    if df < 5:
        return {1: 12.7062, 2: 4.3027, 3: 3.1824, 4: 2.7764}[max(1, int(df))]
    z = 1.959963984540054
    return (z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
            + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * df**4))


def difference_in_differences(sets: Sequence[MatchedSet], *, unmatched: int = 0, unmeasured: int = 0) -> Estimate:
    """Mean change of the engaged learners minus the weighted mean change of their comparison learners, with a 95%
    confidence interval.

    **Weights.** Each engaged learner *e* (of *n*) carries weight 1/n and shares it equally among its own comparison
    learners C_e: a pair (e, c) weighs w = 1/(n |C_e|). A comparison learner matched to several engaged learners is
    one learner: its weight is W_c = the sum of its pairs' weights and its change Δ̄_c the weighted mean of its
    pairs' changes. The W_c add up to 1, so the comparison mean Σ W_c Δ̄_c equals the mean over engaged learners of
    the mean change of their own matches: the usual estimate of the effect on those engaged (exact matching with
    replacement, every match kept).

    **Standard error.** The estimate D = Ē − C̄ is a difference of two weighted means of changes of two separate
    groups of learners (no engaged learner is a comparison learner in its own windows). Treating the learners'
    changes as independent, with variance σ_E² in the engaged group and σ_C² in the comparison group, and the
    weights as fixed by the matching: Var(Ē) = σ_E²/n and Var(Σ W_c Δ̄_c) = σ_C² Σ W_c², so

        SE(D) = sqrt( s_E²/n + s_C² Σ W_c² ),

    with s_E² the usual sample variance and s_C² = Σ W_c (Δ̄_c − C̄)² / (1 − Σ W_c²), the unbiased weighted variance
    for weights that add up to 1. (1/Σ W_c² is the comparison group's effective size: with equal weights it is its
    number of learners and the formula is Welch's two-sample standard error.) It leaves out the uncertainty of the
    matching itself and any dependence between a learner's overlapping windows, so it is if anything too narrow;
    the caveats say so in plain words.

    **Interval.** D ± t × SE, with t the 97.5th percentile of Student's t on the Welch–Satterthwaite degrees of
    freedom, (a + b)² / (a²/(n−1) + b²/(m−1)) with a = s_E²/n, b = s_C² Σ W_c², m = 1/Σ W_c²: wider for small
    groups than the normal 1.96. With fewer than two learners in either group there is no interval.
    """
    n = len(sets)
    weights: dict[int, float] = defaultdict(float)
    weighted_before: dict[int, float] = defaultdict(float)
    weighted_after: dict[int, float] = defaultdict(float)
    for matched in sets:
        share = 1.0 / (n * len(matched.controls))
        for control in matched.controls:
            weights[control.learner_id] += share
            weighted_before[control.learner_id] += share * control.before
            weighted_after[control.learner_id] += share * control.after
    m = len(weights)
    if n == 0 or m == 0:
        return Estimate(n_engaged=n, n_comparison=m, unmatched=unmatched, unmeasured=unmeasured)
    engaged_before = math.fsum(s.before for s in sets) / n
    engaged_after = math.fsum(s.after for s in sets) / n
    comparison_before = math.fsum(weighted_before.values())
    comparison_after = math.fsum(weighted_after.values())
    engaged_changes = [s.after - s.before for s in sets]
    engaged_change = math.fsum(engaged_changes) / n
    comparison_change = comparison_after - comparison_before
    estimate = _round(engaged_change - comparison_change)
    result = {
        "n_engaged": n, "n_comparison": m, "unmatched": unmatched, "unmeasured": unmeasured, "estimate": estimate,
        "engaged_before": _round(engaged_before), "engaged_after": _round(engaged_after),
        "comparison_before": _round(comparison_before), "comparison_after": _round(comparison_after),
    }
    sum_w2 = math.fsum(w * w for w in weights.values())
    if n < 2 or m < 2 or sum_w2 >= 1:
        return Estimate(**result)  # type: ignore[arg-type]
    s_e2 = math.fsum((c - engaged_change) ** 2 for c in engaged_changes) / (n - 1)
    control_changes = {c: (weighted_after[c] - weighted_before[c]) / w for c, w in weights.items()}
    s_c2 = math.fsum(weights[c] * (d - comparison_change) ** 2 for c, d in control_changes.items()) / (1 - sum_w2)
    a, b = s_e2 / n, s_c2 * sum_w2
    se = math.sqrt(a + b)
    effective = 1 / sum_w2
    denominator = a * a / (n - 1) + (b * b / (effective - 1) if effective > 1 else 0.0)
    df = (a + b) ** 2 / denominator if denominator > 0 else float(n + m - 2)
    half = t_quantile_975(df) * se
    return Estimate(**result, standard_error=_round(se), ci_low=_round(estimate - half), ci_high=_round(estimate + half),  # type: ignore[arg-type]
                    degrees_of_freedom=round(df, 2))


# --- 3. Loading, set-based -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactFilters:
    school_ids: frozenset[int] | None = None
    academic_year: int | None = None
    kind: str = ""
    programme_id: int | None = None
    outcome: str = Outcome.ATTENDANCE
    weeks: int = DEFAULT_WEEKS


@dataclass(frozen=True)
class ImpactRow:
    key: str
    label: str | Promise
    estimate: Estimate

    @property
    def suppressed(self) -> bool:
        return self.estimate.suppressed


@dataclass(frozen=True)
class ImpactReport:
    outcome: str
    weeks: int
    rows: list[ImpactRow]
    school_count: int

    @property
    def overall(self) -> ImpactRow:
        return self.rows[0]

    @property
    def unit(self) -> str | Promise:
        return OUTCOME_UNITS[Outcome(self.outcome)]

    @property
    def has_engagement(self) -> bool:
        est = self.overall.estimate
        return bool(est.n_engaged or est.unmatched or est.unmeasured)


def impact_report(*, school_ids: Iterable[int], filters: ImpactFilters) -> ImpactReport:
    """The impact of engagement for the learners of ``school_ids`` (already scoped to what the user may see), overall
    and for each kind of engagement, in a fixed number of queries: one per engagement source, one for the learners'
    facts, one for their weekly attendance, and one for incidents or results when asked.

    The engaged learners are those with an engagement of the chosen kind (and programme) dated in the chosen
    academic year (any year if none), each counted once from its first such engagement; the comparison learners
    come from the same schools.
    """
    from cymuned.families.models import Learner

    from .models import AssessmentResult, AttendanceYear, BehaviourIncident

    school_ids = sorted(set(school_ids))
    keys = [s.key for s in engagement_sources() if not filters.kind or s.key == filters.kind]
    if filters.programme_id is not None:
        keys = [k for k in keys if k == PROGRAMME]
    rows_wanted = [("", _("All engagement"))] + [(s.key, s.label) for s in engagement_sources() if s.key in keys]
    if not school_ids:
        return ImpactReport(outcome=filters.outcome, weeks=filters.weeks, school_count=0,
                            rows=[ImpactRow(k, label, Estimate(0, 0)) for k, label in rows_wanted])
    if filters.academic_year is not None:
        start, end = academic_year_bounds(filters.academic_year)
        # Engagements of any kind around the windows, to keep the comparison groups clean.
        margin = datetime.timedelta(weeks=2 * MAX_WINDOW_WEEKS + 16)
        since, until = start - margin, end + margin
    else:
        start = end = since = until = None
    engaged_first: dict[str, dict[int, datetime.date]] = {key: {} for key in keys}
    busy: dict[int, list[datetime.date]] = defaultdict(list)
    for source in engagement_sources():
        for learner_id, engaged_on, _kind, detail in source.query(local_authority_ids=(), school_ids=school_ids,
                                                                  filters={"since": since, "until": until}):
            busy[learner_id].append(engaged_on)
            if source.key not in engaged_first or (start and not start <= engaged_on <= end):
                continue
            if filters.programme_id is not None and detail != str(filters.programme_id):
                continue
            first = engaged_first[source.key]
            if learner_id not in first or engaged_on < first[learner_id]:
                first[learner_id] = engaged_on
    engaged_any: dict[int, datetime.date] = {}
    for first in engaged_first.values():
        for learner_id, day in first.items():
            if learner_id not in engaged_any or day < engaged_any[learner_id]:
                engaged_any[learner_id] = day
    if not engaged_any:
        return ImpactReport(outcome=filters.outcome, weeks=filters.weeks, school_count=len(school_ids),
                            rows=[ImpactRow(k, label, Estimate(0, 0)) for k, label in rows_wanted])
    learners = Learner.objects.filter(school_id__in=school_ids).order_by()
    facts = {pk: LearnerFacts(school, year_group, efsm)
             for pk, school, year_group, efsm in learners.values_list("pk", "school_id", "year_group", "efsm")}
    strata = {(f.school_id, f.year_group) for pk, f in facts.items() if pk in engaged_any}
    facts = {pk: f for pk, f in facts.items() if (f.school_id, f.year_group) in strata}
    years = sorted({y for day in engaged_any.values() for y in range(academic_year_of(day) - 1, academic_year_of(day) + 2)})
    marks = AttendanceYear.objects.filter(
        learner__school_id__in=school_ids, learner__year_group__in=sorted({y for _s, y in strata}), academic_year__in=years
    ).order_by().values_list("learner_id", "academic_year", "weekly_possible", "weekly_attended")
    data = OutcomeData(series=weekly_series(row for row in marks if row[0] in facts))
    low = min(engaged_any.values()) - datetime.timedelta(days=max(ATTAINMENT_DAYS, 7 * (MAX_WINDOW_WEEKS + 30)))
    high = max(engaged_any.values()) + datetime.timedelta(days=max(ATTAINMENT_DAYS, 7 * (MAX_WINDOW_WEEKS + 30)))
    if filters.outcome == Outcome.BEHAVIOUR:
        incidents = BehaviourIncident.objects.filter(learner__school_id__in=school_ids, occurred_on__range=(low, high))
        for learner_id, day in incidents.values_list("learner_id", "occurred_on"):
            data.incidents.setdefault(learner_id, []).append(day)
    elif filters.outcome == Outcome.ATTAINMENT:
        results = AssessmentResult.objects.filter(learner__school_id__in=school_ids, points__isnull=False,
                                                  assessed_on__range=(low, high))
        for learner_id, day, points in results.values_list("learner_id", "assessed_on", "points"):
            data.results.setdefault(learner_id, []).append((day, float(Decimal(points))))
    rows = []
    cache: dict[tuple[int, datetime.date], MatchedSet | str] = {}
    for key, label in rows_wanted:
        engaged = engaged_any if not key else engaged_first[key]
        matching = match(engaged=engaged, facts=facts, data=data, engagement_dates=busy, outcome=filters.outcome,
                         weeks=filters.weeks, cache=cache)
        rows.append(ImpactRow(key, label, difference_in_differences(matching.sets, unmatched=matching.unmatched,
                                                                     unmeasured=matching.unmeasured)))
    return ImpactReport(outcome=filters.outcome, weeks=filters.weeks, rows=rows, school_count=len(school_ids))


# --- Who may see it --------------------------------------------------------------------------------------------------

#: Who sees the impact of engagement: LA-wide roles for their LA (or their cluster, when narrowed to one), and the
#: headteachers, FEOs and community school managers for their schools. Aggregates only, never a learner. Partners
#: and the public are refused. Governors are refused too: they sign in without a second factor, and an estimate
#: about one programme at one small school can point at families a governor knows; they see their school's
#: figures through the headteacher's reports.
IMPACT_ROLES: tuple[str, ...] = (Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR, Role.HEADTEACHER, Role.FEO, Role.CSM)


def impact_schools_for(user: Any) -> models.QuerySet:
    """The schools whose learners' figures the user may see in aggregate (one query when evaluated)."""
    from cymuned.access.principal import principal_for
    from cymuned.organisations.models import School

    principal = principal_for(user)
    return School.objects.filter(principal.schools_q(IMPACT_ROLES, school_field=""), is_active=True)
