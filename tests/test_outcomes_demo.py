"""Demo attendance: every learner of the demo borough, week by week to date, realistic and deterministic."""

from __future__ import annotations

import datetime
import random
import statistics

import pytest

from cymuned.core.demo.borough import DEMO_LA_CODE, load_demo_borough
from cymuned.families.models import Learner
from cymuned.organisations.models import LocalAuthority
from cymuned.outcomes.demo import load_demo_attendance, school_weeks, weeks_to_date
from cymuned.outcomes.models import AttendanceSummary

pytestmark = pytest.mark.django_db


def test_school_years_have_about_190_days():
    for start_year in range(2024, 2031):
        weeks = list(school_weeks(start_year))
        assert 185 <= sum(days for *_, days in weeks) <= 196
        assert weeks[0][0] >= datetime.date(start_year, 9, 1) and weeks[-1][1] < datetime.date(start_year + 1, 7, 25)


def test_figures_to_date_are_this_years_or_last_years_whole():
    assert weeks_to_date(datetime.date(2026, 9, 2))[-1][1].year == 2026  # none yet this year: the whole of 2025–26
    autumn = weeks_to_date(datetime.date(2026, 11, 23))
    assert autumn[0][0] == datetime.date(2026, 9, 3) and autumn[-1][1] < datetime.date(2026, 11, 23)


def test_demo_borough_has_weekly_figures_for_every_learner():
    load_demo_borough(seed=5, learners_per_school=20)
    today = datetime.date.today()
    weeks = weeks_to_date(today)
    assert AttendanceSummary.objects.count() == Learner.objects.count() * len(weeks)
    latest = list(AttendanceSummary.objects.latest_per_learner().select_related("learner"))
    assert len(latest) == Learner.objects.count()
    assert {s.period_end for s in latest} == {weeks[-1][1]}
    assert all(s.source == "demo" and s.possible_sessions == 2 * sum(d for *_, d in weeks) for s in latest)
    rates = [float(s.percentage) for s in latest]
    efsm = [float(s.percentage) for s in latest if s.learner.efsm]
    others = [float(s.percentage) for s in latest if not s.learner.efsm]
    assert 92 <= statistics.median(others) <= 98
    assert statistics.mean(efsm) < statistics.mean(others)
    assert sum(r <= 90 for r in rates) >= 0.08 * len(rates)
    assert any(r < 80 for r in rates)
    assert sum(r <= 90 for r in rates) <= 0.45 * len(rates)


def test_demo_attendance_is_deterministic():
    load_demo_borough(seed=5, learners_per_school=2)
    la = LocalAuthority.objects.get(code=DEMO_LA_CODE)
    today = datetime.date(2026, 11, 23)

    def figures() -> list[tuple]:
        return list(
            AttendanceSummary.objects.order_by("learner__upn", "period_end").values_list(
                "learner__upn", "period_end", "attended_sessions", "authorised_absences", "unauthorised_absences"
            )
        )

    AttendanceSummary.objects.all().delete()
    load_demo_attendance(local_authority=la, rng=random.Random(9), today=today)
    first = figures()
    AttendanceSummary.objects.all().delete()
    load_demo_attendance(local_authority=la, rng=random.Random(9), today=today)
    assert figures() == first and len(first) > 0


def test_demo_marks_match_the_summaries_and_fill_the_dashboards():
    from cymuned.outcomes.models import AttendanceYear, OutcomeAggregate

    load_demo_borough(seed=5, learners_per_school=2)
    years = AttendanceYear.objects.all()
    assert years.exists()
    for year in years[:10]:
        latest = AttendanceSummary.objects.filter(learner_id=year.learner_id).order_by("-period_end").first()
        assert (sum(year.weekly_possible), sum(year.weekly_attended), sum(year.weekly_unauthorised)) == (
            latest.possible_sessions, latest.attended_sessions, latest.unauthorised_absences)
    assert OutcomeAggregate.objects.filter(period_kind="Y", dimension="all").exists()
