"""Refreshing the pre-aggregated outcome figures (:class:`~cymuned.outcomes.models.OutcomeAggregate`).

``refresh_outcome_aggregates(school_ids=..., academic_years=...)`` recounts, for those schools and years, every
row the dashboards read, from the stored marks (:class:`AttendanceYear`: its weekly arrays), behaviour incidents,
exclusions and assessment results, in one transaction. Importers call it inside their own transaction, so the
dashboards never show figures of half an import.

How a learner counts (the same on both paths):

* **periods**: each week of the stored year (``marks.year_origin``), each term (``marks.week_terms``: the term of
  each stored week) and the year; events (incidents, exclusions, results) fall in the week of their date;
* a learner counts in a period's ``learners`` if they had a possible session or any record in it, at that school;
* **persistent absence** is counted per learner from the year-to-date figures at the end of the period: possible
  sessions from the start of the year, and those missed (authorised + unauthorised); persistent when
  ``10 × missed ≥ possible`` (exactly 10% counts), in whole numbers so there is no rounding;
* **capped points**: the sum of the learner's best nine points among the results of the period;
* **groups** are the learner's as held now (eFSM, ALN, looked after, EAL, gender; a blank gender counts as "X"),
  except the year group, which is counted back from the current one (a learner in Year 9 now was in Year 8 last
  year).

On PostgreSQL it is set-based SQL: the weekly arrays unnested ``WITH ORDINALITY`` with a running sum for the year to
date, the events per week, one ``GROUP BY ... GROUPING SETS`` writing every breakdown in a single pass. Elsewhere
(SQLite, for ``make run``) a Python path computes the same figures (:func:`learner_facts` and :func:`aggregate_rows`,
also the reference the SQL is tested against).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from cymuned.families.models import Learner
from cymuned.organisations.models import School

from .marks import WEEKS_PER_YEAR, academic_year_of, week_terms, year_origin
from .models import AssessmentResult, AttendanceYear, BehaviourIncident, Dimension, Exclusion, OutcomeAggregate, PeriodKind

#: The capped score adds up each learner's best this many points.
CAPPED_RESULTS = 9
#: The figures of a row of OutcomeAggregate, in the order the SQL writes them.
FIGURES = ("learners", "attendance_learners", "possible", "attended", "authorised", "unauthorised", "persistent_absentees",
           "incidents", "exclusions", "exclusion_days", "results", "learners_with_results", "points_sum", "capped_points_sum")
DIMENSIONS = (Dimension.YEAR_GROUP, Dimension.ALN, Dimension.LOOKED_AFTER, Dimension.EAL, Dimension.GENDER)


def refresh_outcome_aggregates(*, school_ids: Iterable[int] | None, academic_years: Iterable[int] | None) -> int:
    """Recount the aggregates of these schools in these academic years (``None``: all). Returns the rows written."""
    schools = None if school_ids is None else sorted(set(school_ids))
    years = None if academic_years is None else sorted(set(academic_years))
    if schools == [] or years == []:
        return 0
    if years is None:
        years = _all_years(schools)
        if not years:
            with transaction.atomic():
                _delete(schools, None)
            return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            return _refresh_postgresql(schools, years)
        _delete(schools, years)
        facts = learner_facts(school_ids=schools, academic_years=years)
        rows = aggregate_rows(facts, learner_groups(learner_ids={f["learner_id"] for f in facts}))
        la_of = dict(School.objects.filter(pk__in={r["school_id"] for r in rows}).values_list("pk", "local_authority_id"))
        OutcomeAggregate.objects.bulk_create(
            [OutcomeAggregate(local_authority_id=la_of[r["school_id"]], **r) for r in rows], batch_size=1000)
        return len(rows)


def _all_years(schools: list[int] | None) -> list[int]:
    years: set[int] = set()
    for model in (AttendanceYear, BehaviourIncident, Exclusion, AssessmentResult, OutcomeAggregate):
        rows = model.objects.all()
        if schools is not None:
            rows = rows.filter(school_id__in=schools)
        years |= set(rows.values_list("academic_year", flat=True).distinct().order_by())
    return sorted(years)


def _delete(schools: list[int] | None, years: list[int] | None) -> None:
    rows = OutcomeAggregate.objects.all()
    if schools is not None:
        rows = rows.filter(school_id__in=schools)
    if years is not None:
        rows = rows.filter(academic_year__in=years)
    rows.delete()


def current_academic_year() -> int:
    return academic_year_of(timezone.localdate())


def year_group_in(current: int, academic_year: int, *, now: int | None = None) -> int:
    """The year group a learner in ``current`` now was in during ``academic_year``."""
    return current - ((now if now is not None else current_academic_year()) - academic_year)


# --- The reference (and SQLite) path ---------------------------------------------------------------------------------


def _week_of(year: int, day: datetime.date) -> int:
    return min(max((day - year_origin(year)).days // 7, 0), WEEKS_PER_YEAR - 1)


def learner_facts(*, school_ids: list[int] | None, academic_years: list[int]) -> list[dict[str, Any]]:
    """One dict per learner, school, year and period with anything in it: the figures each learner brings."""
    terms = {year: week_terms(year) for year in academic_years}
    weeks: dict[tuple[int, int, int], dict[int, dict[str, Any]]] = defaultdict(dict)  # (learner, school, year) -> week -> figures
    cumulative: dict[tuple[int, int, int], list[tuple[int, int]]] = {}

    def scoped(model: Any) -> Any:
        rows = model.objects.filter(academic_year__in=academic_years)
        return rows if school_ids is None else rows.filter(school_id__in=school_ids)

    def week_row(key: tuple[int, int, int], week: int) -> dict[str, Any]:
        return weeks[key].setdefault(week, {"possible": 0, "attended": 0, "authorised": 0, "unauthorised": 0, "incidents": 0,
                                            "exclusions": 0, "exclusion_days": Decimal(0), "points": []})

    columns = ("learner_id", "school_id", "academic_year", "weekly_possible", "weekly_attended", "weekly_authorised",
               "weekly_unauthorised")
    for learner_id, school_id, year, possible, attended, authorised, unauthorised in scoped(AttendanceYear).values_list(*columns):
        key = (learner_id, school_id, year)
        running, missed, ytd = 0, 0, []
        for week in range(WEEKS_PER_YEAR):
            running += possible[week]
            missed += authorised[week] + unauthorised[week]
            ytd.append((running, missed))
            if possible[week]:
                row = week_row(key, week)
                row.update(possible=possible[week], attended=attended[week], authorised=authorised[week],
                           unauthorised=unauthorised[week])
        cumulative[key] = ytd
    for learner_id, school_id, year, day in scoped(BehaviourIncident).values_list("learner_id", "school_id", "academic_year",
                                                                                 "occurred_on"):
        week_row((learner_id, school_id, year), _week_of(year, day))["incidents"] += 1
    for learner_id, school_id, year, day, days in scoped(Exclusion).values_list("learner_id", "school_id", "academic_year",
                                                                               "start_date", "days"):
        row = week_row((learner_id, school_id, year), _week_of(year, day))
        row["exclusions"] += 1
        row["exclusion_days"] += days
    for learner_id, school_id, year, day, points in scoped(AssessmentResult).filter(points__isnull=False).values_list(
            "learner_id", "school_id", "academic_year", "assessed_on", "points"):
        week_row((learner_id, school_id, year), _week_of(year, day))["points"].append(points)

    facts = []
    for (learner_id, school_id, year), by_week in weeks.items():
        ytd = cumulative.get((learner_id, school_id, year), [(0, 0)] * WEEKS_PER_YEAR)
        periods: dict[tuple[str, int], list[int]] = defaultdict(list)
        for week in by_week:
            periods[(PeriodKind.WEEK, week)].append(week)
            periods[(PeriodKind.TERM, terms[year][week])].append(week)
            periods[(PeriodKind.YEAR, 0)].append(week)
        for (kind, period), in_period in periods.items():
            rows = [by_week[w] for w in in_period]
            if kind == PeriodKind.WEEK:
                end = period
            elif kind == PeriodKind.TERM:
                end = max(w for w in range(WEEKS_PER_YEAR) if terms[year][w] == period)
            else:
                end = WEEKS_PER_YEAR - 1
            points = sorted((p for r in rows for p in r["points"]), reverse=True)
            fact = {"learner_id": learner_id, "school_id": school_id, "academic_year": year, "period_kind": str(kind),
                    "period": period, "ytd_possible": ytd[end][0], "ytd_missed": ytd[end][1],
                    "results": len(points), "points_sum": sum(points, Decimal(0)),
                    "capped_points_sum": sum(points[:CAPPED_RESULTS], Decimal(0))}
            for name in ("possible", "attended", "authorised", "unauthorised", "incidents", "exclusions"):
                fact[name] = sum(r[name] for r in rows)
            fact["exclusion_days"] = sum((r["exclusion_days"] for r in rows), Decimal(0))
            facts.append(fact)
    return facts


def learner_groups(*, learner_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = sorted(learner_ids)
    groups = {}
    for start in range(0, len(ids), 900):
        for pk, year_group, efsm, aln, lac, eal, gender in Learner.objects.filter(pk__in=ids[start:start + 900]).values_list(
                "pk", "year_group", "efsm", "additional_learning_needs", "looked_after", "english_additional_language", "gender"):
            groups[pk] = {"year_group": year_group, "efsm": efsm, "aln": aln, "looked_after": lac, "eal": eal,
                          "gender": gender or "X"}
    return groups


def group_values(groups: dict[str, Any], academic_year: int, *, now: int | None = None) -> list[tuple[str, str]]:
    """The (dimension, value) rows a learner counts in: every learner, and one value of each dimension."""
    return [
        (Dimension.ALL, ""),
        (Dimension.YEAR_GROUP, str(year_group_in(groups["year_group"], academic_year, now=now))),
        (Dimension.ALN, str(int(groups["aln"]))),
        (Dimension.LOOKED_AFTER, str(int(groups["looked_after"]))),
        (Dimension.EAL, str(int(groups["eal"]))),
        (Dimension.GENDER, groups["gender"]),
    ]


def aggregate_rows(facts: list[dict[str, Any]], groups: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """Sum learner facts into rows of OutcomeAggregate (without ``local_authority_id``)."""
    now = current_academic_year()
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for fact in facts:
        learner = groups[fact["learner_id"]]
        for dimension, value in group_values(learner, fact["academic_year"], now=now):
            key = (fact["school_id"], fact["academic_year"], fact["period_kind"], fact["period"], learner["efsm"],
                   str(dimension), value)
            row = rows.get(key)
            if row is None:
                row = rows[key] = dict(zip(("school_id", "academic_year", "period_kind", "period", "efsm", "dimension", "value"),
                                           key, strict=True))
                row.update(dict.fromkeys(FIGURES, 0))
                for name in ("exclusion_days", "points_sum", "capped_points_sum"):
                    row[name] = Decimal(0)
            row["learners"] += 1
            row["attendance_learners"] += fact["ytd_possible"] > 0
            row["persistent_absentees"] += fact["ytd_possible"] > 0 and 10 * fact["ytd_missed"] >= fact["ytd_possible"]
            row["learners_with_results"] += fact["results"] > 0
            for name in ("possible", "attended", "authorised", "unauthorised", "incidents", "exclusions", "exclusion_days",
                         "results", "points_sum", "capped_points_sum"):
                row[name] += fact[name]
    return list(rows.values())


# --- PostgreSQL ------------------------------------------------------------------------------------------------------

_CALENDAR = "CREATE TEMP TABLE agg_calendar (academic_year smallint, week int, term smallint, origin date) ON COMMIT DROP"

#: Each learner's weeks at a school in a year: the weekly figures unnested with their running year-to-date sums (every
#: week of the stored year, so a week with only an incident still has its year to date), then the events of each week.
_WEEKS = """
CREATE TEMP TABLE agg_weeks ON COMMIT DROP AS
SELECT y.learner_id, y.school_id, y.academic_year, (w.n - 1)::int AS week, w.p, w.a, w.au, w.un,
       sum(w.p) OVER run AS ytd_p, sum(w.au + w.un) OVER run AS ytd_missed
FROM outcomes_attendanceyear y
CROSS JOIN LATERAL unnest(y.weekly_possible, y.weekly_attended, y.weekly_authorised, y.weekly_unauthorised)
     WITH ORDINALITY AS w(p, a, au, un, n)
WHERE y.academic_year = ANY(%(years)s) AND (%(all_schools)s OR y.school_id = ANY(%(schools)s))
WINDOW run AS (PARTITION BY y.id ORDER BY w.n)
"""

_EVENT_WEEK = "LEAST(GREATEST(({day} - c.origin) / 7, 0), 53)"
_EVENTS = f"""
CREATE TEMP TABLE agg_events ON COMMIT DROP AS
SELECT e.learner_id, e.school_id, e.academic_year, {_EVENT_WEEK.format(day="e.occurred_on")} AS week,
       1 AS incidents, 0 AS exclusions, 0::numeric AS days, NULL::numeric AS points
FROM outcomes_behaviourincident e JOIN agg_calendar c ON c.academic_year = e.academic_year AND c.week = 0
WHERE e.academic_year = ANY(%(years)s) AND (%(all_schools)s OR e.school_id = ANY(%(schools)s))
UNION ALL
SELECT e.learner_id, e.school_id, e.academic_year, {_EVENT_WEEK.format(day="e.start_date")}, 0, 1, e.days, NULL
FROM outcomes_exclusion e JOIN agg_calendar c ON c.academic_year = e.academic_year AND c.week = 0
WHERE e.academic_year = ANY(%(years)s) AND (%(all_schools)s OR e.school_id = ANY(%(schools)s))
UNION ALL
SELECT e.learner_id, e.school_id, e.academic_year, {_EVENT_WEEK.format(day="e.assessed_on")}, 0, 0, 0, e.points
FROM outcomes_assessmentresult e JOIN agg_calendar c ON c.academic_year = e.academic_year AND c.week = 0
WHERE e.points IS NOT NULL AND e.academic_year = ANY(%(years)s) AND (%(all_schools)s OR e.school_id = ANY(%(schools)s))
"""  # noqa: S608 - only constant SQL is formatted in

#: The events with their term, and each result's rank among the learner's results of its week, term and year.
_RANKED = """
CREATE TEMP TABLE agg_ranked ON COMMIT DROP AS
SELECT e.*, c.term,
       row_number() OVER (PARTITION BY e.learner_id, e.school_id, e.academic_year, e.week ORDER BY e.points DESC NULLS LAST) AS rank_w,
       row_number() OVER (PARTITION BY e.learner_id, e.school_id, e.academic_year, c.term ORDER BY e.points DESC NULLS LAST) AS rank_t,
       row_number() OVER (PARTITION BY e.learner_id, e.school_id, e.academic_year ORDER BY e.points DESC NULLS LAST) AS rank_y
FROM agg_events e JOIN agg_calendar c ON c.academic_year = e.academic_year AND c.week = e.week
"""

_EVENT_SUMS = """
sum(incidents) AS incidents, sum(exclusions) AS exclusions, sum(days) AS days, count(points) AS results,
coalesce(sum(points), 0) AS points, coalesce(sum(points) FILTER (WHERE points IS NOT NULL AND {rank} <= %(capped)s), 0) AS capped
"""

#: One row per learner, school, year and period with anything in it (the SQL twin of ``learner_facts``).
_FACTS = f"""
CREATE TEMP TABLE agg_facts ON COMMIT DROP AS
WITH lw AS (
  SELECT w.*, c.term FROM agg_weeks w JOIN agg_calendar c ON c.academic_year = w.academic_year AND c.week = w.week
),
ev_w AS (SELECT learner_id, school_id, academic_year, week AS period, {_EVENT_SUMS.format(rank="rank_w")}
         FROM agg_ranked GROUP BY 1, 2, 3, 4),
ev_t AS (SELECT learner_id, school_id, academic_year, term AS period, {_EVENT_SUMS.format(rank="rank_t")}
         FROM agg_ranked GROUP BY 1, 2, 3, 4),
ev_y AS (SELECT learner_id, school_id, academic_year, 0 AS period, {_EVENT_SUMS.format(rank="rank_y")}
         FROM agg_ranked GROUP BY 1, 2, 3),
at_w AS (SELECT learner_id, school_id, academic_year, week AS period, p, a, au, un, ytd_p, ytd_missed FROM lw),
at_t AS (SELECT learner_id, school_id, academic_year, term AS period, sum(p) AS p, sum(a) AS a, sum(au) AS au, sum(un) AS un,
                max(ytd_p) AS ytd_p, max(ytd_missed) AS ytd_missed FROM lw GROUP BY 1, 2, 3, 4),
at_y AS (SELECT learner_id, school_id, academic_year, 0 AS period, sum(p) AS p, sum(a) AS a, sum(au) AS au, sum(un) AS un,
                max(ytd_p) AS ytd_p, max(ytd_missed) AS ytd_missed FROM lw GROUP BY 1, 2, 3),
{{joined}}
SELECT * FROM facts WHERE p > 0 OR incidents > 0 OR exclusions > 0 OR results > 0
"""  # noqa: S608

_JOIN = """
{kind}_facts AS (
  SELECT coalesce(at.learner_id, ev.learner_id) AS learner_id, coalesce(at.school_id, ev.school_id) AS school_id,
         coalesce(at.academic_year, ev.academic_year) AS academic_year, '{kind_code}'::text AS period_kind,
         coalesce(at.period, ev.period) AS period,
         coalesce(at.p, 0) AS p, coalesce(at.a, 0) AS a, coalesce(at.au, 0) AS au, coalesce(at.un, 0) AS un,
         coalesce(at.ytd_p, 0) AS ytd_p, coalesce(at.ytd_missed, 0) AS ytd_missed,
         coalesce(ev.incidents, 0) AS incidents, coalesce(ev.exclusions, 0) AS exclusions, coalesce(ev.days, 0) AS days,
         coalesce(ev.results, 0) AS results, coalesce(ev.points, 0) AS points, coalesce(ev.capped, 0) AS capped
  FROM at_{kind} at FULL JOIN ev_{kind} ev USING (learner_id, school_id, academic_year, period)
)"""

#: For events at a school where the learner has no marks that year, the year to date is that of the learner's
#: marks at that school: none, so 0 (as in ``learner_facts``). Weeks of events are joined to the running sums.
_UNION = "facts AS (SELECT * FROM w_facts UNION ALL SELECT * FROM t_facts UNION ALL SELECT * FROM y_facts)"
_JOINS = [_JOIN.format(kind=k, kind_code=code) for k, code in (("w", "W"), ("t", "T"), ("y", "Y"))]
_FACTS_SQL = _FACTS.replace("{joined}", ",\n".join([*_JOINS, _UNION]))

_GROUP_VALUE = """CASE WHEN GROUPING(yg) = 0 THEN 'year_group' WHEN GROUPING(aln) = 0 THEN 'aln'
  WHEN GROUPING(lac) = 0 THEN 'looked_after' WHEN GROUPING(eal) = 0 THEN 'eal' WHEN GROUPING(gender) = 0 THEN 'gender'
  ELSE 'all' END,
  CASE WHEN GROUPING(yg) = 0 THEN yg::text WHEN GROUPING(aln) = 0 THEN aln::int::text
  WHEN GROUPING(lac) = 0 THEN lac::int::text WHEN GROUPING(eal) = 0 THEN eal::int::text
  WHEN GROUPING(gender) = 0 THEN gender ELSE '' END"""

_INSERT = f"""
INSERT INTO outcomes_outcomeaggregate (school_id, local_authority_id, academic_year, period_kind, period, efsm, dimension,
  value, {", ".join(FIGURES)})
SELECT f.school_id, o.local_authority_id, f.academic_year, f.period_kind, f.period, f.efsm, {_GROUP_VALUE},
  count(*), count(*) FILTER (WHERE f.ytd_p > 0), sum(f.p), sum(f.a), sum(f.au), sum(f.un),
  count(*) FILTER (WHERE f.ytd_p > 0 AND 10 * f.ytd_missed >= f.ytd_p),
  sum(f.incidents), sum(f.exclusions), sum(f.days), sum(f.results), count(*) FILTER (WHERE f.results > 0),
  sum(f.points), sum(f.capped)
FROM (SELECT f.*, l.efsm, l.year_group - (%(now)s - f.academic_year) AS yg, l.additional_learning_needs AS aln,
             l.looked_after AS lac, l.english_additional_language AS eal,
             CASE WHEN l.gender = '' THEN 'X' ELSE l.gender END AS gender
      FROM agg_facts f JOIN families_learner l ON l.id = f.learner_id) f
JOIN organisations_organisation o ON o.id = f.school_id
GROUP BY f.school_id, o.local_authority_id, f.academic_year, f.period_kind, f.period, f.efsm,
  GROUPING SETS ((), (yg), (aln), (lac), (eal), (gender))
"""  # noqa: S608


def _refresh_postgresql(schools: list[int] | None, years: list[int]) -> int:
    params = {"years": years, "schools": schools or [], "all_schools": schools is None, "capped": CAPPED_RESULTS,
              "now": current_academic_year()}
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS agg_calendar, agg_weeks, agg_events, agg_ranked, agg_facts")
        cursor.execute(_CALENDAR)
        calendar = [(year, week, term, year_origin(year)) for year in years for week, term in enumerate(week_terms(year))]
        with cursor.copy("COPY agg_calendar FROM STDIN") as copy:
            for row in calendar:
                copy.write_row(row)
        cursor.execute(_WEEKS, params)
        cursor.execute(_EVENTS, params)
        cursor.execute(_RANKED)
        cursor.execute(_FACTS_SQL, params)
        if schools is None:
            cursor.execute("DELETE FROM outcomes_outcomeaggregate WHERE academic_year = ANY(%s)", [years])
        else:
            cursor.execute("DELETE FROM outcomes_outcomeaggregate WHERE school_id = ANY(%s) AND academic_year = ANY(%s)",
                           [schools, years])
        cursor.execute(_INSERT, params)
        written = cursor.rowcount
        cursor.execute("DROP TABLE agg_calendar, agg_weeks, agg_events, agg_ranked, agg_facts")
    return written
