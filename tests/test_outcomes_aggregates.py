"""The pre-aggregated outcome figures: the SQL refresh gives the figures counted directly from the marks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cymuned.outcomes import aggregates
from cymuned.outcomes.marks import EMPTY_YEAR, SESSIONS_PER_WEEK, session_position, week_terms, year_origin
from cymuned.outcomes.models import (
    AssessmentResult,
    AttendanceYear,
    BehaviourIncident,
    Dimension,
    Exclusion,
    OutcomeAggregate,
    PeriodKind,
)

from .factories import LearnerFactory, SchoolFactory

YEAR = 2024
pytestmark = pytest.mark.django_db

#: Weeks 1-12 of the stored year are in the autumn term; 2 school weeks are enough to cross the boundary of a term.
CODES = st.sampled_from(list("//\\\\LBCIGNOU#-"))


def _codes(week_codes: dict[int, str]) -> str:
    codes = list(EMPTY_YEAR)
    for week, ten in week_codes.items():
        codes[week * SESSIONS_PER_WEEK:(week + 1) * SESSIONS_PER_WEEK] = ten
    return "".join(codes)


def _stored() -> list[dict]:
    rows = OutcomeAggregate.objects.values("school_id", "academic_year", "period_kind", "period", "efsm", "dimension", "value",
                                           *aggregates.FIGURES)
    return sorted((dict(r) for r in rows), key=lambda r: tuple(str(v) for v in r.values()))


def _reference(school_ids: list[int]) -> list[dict]:
    facts = aggregates.learner_facts(school_ids=school_ids, academic_years=[YEAR])
    rows = aggregates.aggregate_rows(facts, aggregates.learner_groups(learner_ids={f["learner_id"] for f in facts}))
    return sorted(rows, key=lambda r: tuple(str(v) for v in r.values()))


learner_strategy = st.fixed_dictionaries({
    "efsm": st.booleans(),
    "aln": st.booleans(),
    "gender": st.sampled_from(["F", "M", "X", ""]),
    "year_group": st.integers(3, 6),
    "weeks": st.dictionaries(st.sampled_from([1, 2, 12, 13, 20, 35]), st.text(CODES, min_size=10, max_size=10), max_size=4),
    "incidents": st.lists(st.sampled_from([1, 12, 13, 40]), max_size=2),
    "points": st.lists(st.decimals(0, 58, places=1), max_size=11),
})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL path is PostgreSQL's")
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cohort=st.lists(learner_strategy, min_size=1, max_size=6))
def test_sql_refresh_equals_the_python_reference(db, cohort):
    with transaction.atomic():
        school = SchoolFactory()
        origin = year_origin(YEAR)
        for spec in cohort:
            learner = LearnerFactory(school=school, efsm=spec["efsm"], additional_learning_needs=spec["aln"],
                                     gender=spec["gender"], year_group=spec["year_group"])
            if spec["weeks"]:
                AttendanceYear.from_codes(learner_id=learner.pk, school_id=school.pk, academic_year=YEAR,
                                          codes=_codes(spec["weeks"])).save()
            for week in spec["incidents"]:
                BehaviourIncident.objects.create(learner=learner, school=school, academic_year=YEAR, incident_type="Disruption",
                                                 severity=1, occurred_on=origin + datetime.timedelta(weeks=week, days=2))
            for n, points in enumerate(spec["points"]):
                AssessmentResult.objects.create(learner=learner, school=school, academic_year=YEAR, subject=f"S{n}",
                                                assessment="GCSE", points=points,
                                                assessed_on=origin + datetime.timedelta(weeks=40 + n % 3))
        aggregates.refresh_outcome_aggregates(school_ids=[school.pk], academic_years=[YEAR])
        stored = _stored()
        expected = _reference([school.pk])
        assert stored or not any(s["weeks"] or s["incidents"] or s["points"] for s in cohort)
        assert [{**r, "efsm": bool(r["efsm"])} for r in stored] == [
            {k: (Decimal(v) if isinstance(v, Decimal) else v) for k, v in r.items()} for r in expected]
        transaction.set_rollback(True)


def _one_learner_year(school, learner, *, possible: int, missed: int) -> None:
    """``possible`` sessions in the first weeks of the year, the last ``missed`` of them unauthorised absences."""
    codes = list(EMPTY_YEAR)
    day = datetime.date(YEAR, 9, 2)
    for n in range(possible):
        position = session_position(YEAR, day + datetime.timedelta(days=(n // 2) // 5 * 7 + (n // 2) % 5), afternoon=n % 2 == 1)
        codes[position] = "N" if n >= possible - missed else "/"
    AttendanceYear.from_codes(learner_id=learner.pk, school_id=school.pk, academic_year=YEAR, codes="".join(codes)).save()


def test_persistent_absence_starts_at_exactly_ten_percent():
    school = SchoolFactory()
    at_ten = LearnerFactory(school=school)
    just_under = LearnerFactory(school=school)
    _one_learner_year(school, at_ten, possible=40, missed=4)  # exactly 10%
    _one_learner_year(school, just_under, possible=41, missed=4)  # 9.76%
    aggregates.refresh_outcome_aggregates(school_ids=[school.pk], academic_years=[YEAR])
    year = OutcomeAggregate.objects.get(school=school, period_kind=PeriodKind.YEAR, dimension=Dimension.ALL)
    assert (year.learners, year.attendance_learners, year.persistent_absentees) == (2, 2, 1)
    assert (year.possible, year.unauthorised) == (81, 8)


def test_breakdowns_terms_weeks_and_capped_points():
    school = SchoolFactory()
    a = LearnerFactory(school=school, efsm=True, year_group=9, gender="F", looked_after=True)
    b = LearnerFactory(school=school, efsm=False, year_group=8, gender="M")
    _one_learner_year(school, a, possible=20, missed=2)
    _one_learner_year(school, b, possible=20, missed=0)
    origin = year_origin(YEAR)
    for n in range(11):  # eleven results: the capped score adds the best nine (10 + 9 + ... + 2 = 54)
        AssessmentResult.objects.create(learner=a, school=school, academic_year=YEAR, subject=f"S{n}", assessment="GCSE",
                                        points=Decimal(n), assessed_on=origin + datetime.timedelta(weeks=40))
    Exclusion.objects.create(learner=a, school=school, academic_year=YEAR, kind="fixed_term", days=Decimal("2.5"),
                             start_date=origin + datetime.timedelta(weeks=20))
    aggregates.refresh_outcome_aggregates(school_ids=[school.pk], academic_years=[YEAR])
    rows = {(r.period_kind, r.period, r.efsm, r.dimension, r.value): r for r in OutcomeAggregate.objects.filter(school=school)}
    year_efsm = rows[("Y", 0, True, "all", "")]
    assert (year_efsm.learners, year_efsm.persistent_absentees, year_efsm.results, year_efsm.points_sum,
            year_efsm.capped_points_sum) == (1, 1, 11, Decimal(55), Decimal(54))
    assert rows[("Y", 0, True, "looked_after", "1")].learners == 1
    assert rows[("Y", 0, False, "looked_after", "0")].learners == 1
    now = aggregates.current_academic_year()
    assert rows[("Y", 0, True, "year_group", str(9 - (now - YEAR)))].learners == 1
    assert rows[("Y", 0, True, "gender", "F")].exclusion_days == Decimal("2.5")
    spring = week_terms(YEAR)[20]
    assert rows[("T", spring, True, "all", "")].exclusions == 1
    assert rows[("W", 20, True, "all", "")].exclusions == 1
    assert rows[("T", 1, False, "all", "")].possible == 20
    assert sum(r.possible for k, r in rows.items() if k[0] == "W" and k[3] == "all") == 40


def test_refresh_replaces_earlier_figures_and_only_for_the_schools_asked():
    school, other = SchoolFactory(), SchoolFactory()
    learner = LearnerFactory(school=school)
    _one_learner_year(school, learner, possible=10, missed=5)
    aggregates.refresh_outcome_aggregates(school_ids=[school.pk, other.pk], academic_years=[YEAR])
    assert OutcomeAggregate.objects.filter(school=school).exists()
    AttendanceYear.objects.filter(learner=learner).delete()
    aggregates.refresh_outcome_aggregates(school_ids=[other.pk], academic_years=[YEAR])
    assert OutcomeAggregate.objects.filter(school=school).exists()
    aggregates.refresh_outcome_aggregates(school_ids=[school.pk], academic_years=[YEAR])
    assert not OutcomeAggregate.objects.filter(school=school).exists()


def test_the_import_refreshes_the_aggregates(tmp_path):
    from cymuned.outcomes.services import attendance_marks_import

    school = SchoolFactory()
    learner = LearnerFactory(school=school, upn="A123456789012")
    path = tmp_path / "marks.csv"
    path.write_text("UPN,Date,Session,Mark\nA123456789012,02/09/2024,AM,/\nA123456789012,02/09/2024,PM,N\n")
    result = attendance_marks_import(source=path, school=school, academic_year=YEAR)
    assert result.ok, result.errors
    row = OutcomeAggregate.objects.get(school=school, period_kind="Y", dimension="all")
    assert (row.possible, row.attended, row.unauthorised, row.persistent_absentees) == (2, 1, 1, 1)
    assert learner.pk
