"""The impact of engagement: the difference-in-differences arithmetic (by hand and by property), exact matching
within strata over the same calendar weeks, suppression of small groups, scoping of the page, the export and the
API, and a constant number of queries whatever the number of learners."""

from __future__ import annotations

import datetime
import io
import math
from fractions import Fraction

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from cymuned.audit.models import ExportRecord
from cymuned.families.models import Episode, Household
from cymuned.outcomes import impact
from cymuned.outcomes.impact import (
    ControlValue,
    ImpactFilters,
    LearnerFacts,
    MatchedSet,
    OutcomeData,
    Windows,
    band_of,
    difference_in_differences,
    impact_report,
    match,
    t_quantile_975,
    week_number,
    weekly_series,
    windows_for,
)
from cymuned.outcomes.marks import academic_year_of
from cymuned.outcomes.models import AssessmentResult, BehaviourIncident
from cymuned.outcomes.services import attendance_marks_import
from cymuned.programmes.models import Enrolment, Programme

from .factories import LearnerFactory

# --- The arithmetic, by hand ------------------------------------------------------------------------------------------

HAND = [
    MatchedSet(80, 90, (ControlValue(1, 80, 85), ControlValue(2, 80, 80))),
    MatchedSet(70, 74, (ControlValue(3, 70, 72),)),
    MatchedSet(60, 66, (ControlValue(1, 60, 61),)),  # learner 1 again, over another engaged learner's weeks
]


def test_a_small_example_worked_by_hand():
    """Engaged changes 10, 4, 6 (mean 20/3). Pair weights 1/6, 1/6, 1/3, 1/3: learner 1 weighs 1/2 with change
    (5/6 + 1/3) / (1/2) = 7/3, learner 2 weighs 1/6 with change 0, learner 3 weighs 1/3 with change 2, so the
    comparison change is 7/6 + 0 + 2/3 = 11/6 and the estimate 20/3 - 11/6 = 29/6.

    s_E² = ((10/3)² + (8/3)² + (2/3)²) / 2 = 28/3, a = 28/9. Σ W² = 1/4 + 1/36 + 1/9 = 7/18;
    s_C² = (1/2·(1/2)² + 1/6·(11/6)² + 1/3·(1/6)²) / (1 - 7/18) = (25/36) / (11/18) = 25/22, b = 25/22 · 7/18 = 175/396.
    SE = √(28/9 + 175/396) = √(1407/396). Welch: (a+b)² / (a²/2 + b²/(18/7 - 1)) ≈ 2.54 → t on 2 d.f. = 4.3027.
    """
    result = difference_in_differences(HAND)
    a, b = Fraction(28, 9), Fraction(175, 396)
    assert (result.n_engaged, result.n_comparison) == (3, 3)
    assert result.estimate == pytest.approx(29 / 6, abs=1e-9)
    assert result.engaged_change == pytest.approx(20 / 3, abs=1e-9)
    assert result.comparison_change == pytest.approx(11 / 6, abs=1e-9)
    assert result.engaged_before == pytest.approx(70) and result.engaged_after == pytest.approx(230 / 3)
    # Comparison before: 1/6·80 + 1/6·80 + 1/3·70 + 1/3·60 = 70; after 1/6·85 + 1/6·80 + 1/3·72 + 1/3·61 = 71.8333...
    assert result.comparison_before == pytest.approx(70) and result.comparison_after == pytest.approx(70 + 11 / 6)
    assert result.standard_error == pytest.approx(math.sqrt(1407 / 396), abs=1e-9)
    df = float((a + b) ** 2 / (a * a / 2 + b * b / (Fraction(18, 7) - 1)))
    assert result.degrees_of_freedom == pytest.approx(df, abs=0.01) and 2 < df < 3
    half = 4.3027 * math.sqrt(1407 / 396)
    assert (result.ci_low, result.ci_high) == (pytest.approx(29 / 6 - half, abs=1e-6), pytest.approx(29 / 6 + half, abs=1e-6))


def test_t_quantiles_are_close_to_the_tables():
    exact = {1: 12.7062, 3: 3.1824, 5: 2.5706, 10: 2.2281, 30: 2.0423, 1000: 1.9623}
    for df, value in exact.items():
        assert t_quantile_975(df) == pytest.approx(value, abs=5e-4)
    assert t_quantile_975(4.9) == pytest.approx(2.7764)  # below 5: the whole number below, a little wider


def test_no_learners_or_one_learner_give_no_interval():
    assert difference_in_differences([]).estimate is None
    single = difference_in_differences([MatchedSet(80, 90, (ControlValue(1, 80, 85), ControlValue(2, 80, 82)))])
    assert single.estimate == pytest.approx(6.5) and single.ci_low is None and single.suppressed


# --- The arithmetic, by property -----------------------------------------------------------------------------------

values = st.integers(min_value=0, max_value=100).map(float)


@st.composite
def matched_sets(draw, min_size=2):
    n = draw(st.integers(min_value=min_size, max_value=12))
    pool = draw(st.integers(min_value=2, max_value=15))
    sets = []
    for _ in range(n):
        ids = draw(st.lists(st.integers(min_value=1, max_value=pool), min_size=1, max_size=4, unique=True))
        controls = tuple(ControlValue(i, draw(values), draw(values)) for i in ids)
        sets.append(MatchedSet(draw(values), draw(values), controls))
    return sets


@settings(max_examples=60, deadline=None)
@given(matched_sets())
def test_identical_changes_give_zero_with_an_interval_around_it(sets):
    same = [MatchedSet(s.before, s.after, tuple(ControlValue(c.learner_id, c.before, c.before + s.after - s.before) for c in s.controls))
            for s in sets]
    result = difference_in_differences(same)
    assert result.estimate == 0
    if result.ci_low is not None:
        assert result.ci_low <= 0 <= result.ci_high


@settings(max_examples=60, deadline=None)
@given(matched_sets(), st.integers(min_value=-30, max_value=30))
def test_adding_a_constant_to_the_engaged_after_values_shifts_the_estimate_by_it(sets, k):
    shifted = [MatchedSet(s.before, s.after + k, s.controls) for s in sets]
    before, after = difference_in_differences(sets), difference_in_differences(shifted)
    assert after.estimate == pytest.approx(before.estimate + k, abs=1e-6)
    assert after.standard_error == pytest.approx(before.standard_error, abs=1e-6)  # a shift changes no variance


@settings(max_examples=60, deadline=None)
@given(matched_sets())
def test_the_interval_narrows_as_the_groups_grow(sets):
    """Twice the learners with the same figures (the comparison learners new ones too): same estimate, narrower interval."""
    offset = 1000
    doubled = sets + [MatchedSet(s.before, s.after, tuple(ControlValue(c.learner_id + offset, c.before, c.after) for c in s.controls))
                      for s in sets]
    small, large = difference_in_differences(sets), difference_in_differences(doubled)
    assert large.estimate == pytest.approx(small.estimate, abs=1e-6)
    assert (large.n_engaged, large.n_comparison) == (2 * small.n_engaged, 2 * small.n_comparison)
    if small.ci_low is None:
        return
    small_width, large_width = small.ci_high - small.ci_low, large.ci_high - large.ci_low
    if small.standard_error > 1e-6:
        assert large_width < small_width
    else:
        assert large_width <= small_width + 1e-6


def test_suppression_below_five_in_either_group():
    four = [MatchedSet(80, 90, (ControlValue(i, 80, 85),)) for i in range(4)]
    five = [MatchedSet(80, 90 + i, (ControlValue(i, 80, 85 - i),)) for i in range(5)]
    assert difference_in_differences(four).suppressed
    assert not difference_in_differences(five).suppressed
    few_controls = [MatchedSet(80, 90 + i, (ControlValue(i % 4, 80, 85),)) for i in range(8)]
    assert difference_in_differences(few_controls).suppressed


# --- Windows and matching (pure) -----------------------------------------------------------------------------------

ENGAGED_ON = datetime.date(2024, 3, 6)  # a Wednesday
W0 = week_number(ENGAGED_ON)


def series_of(weekly: dict[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
    return {W0 + offset: value for offset, value in weekly.items()}


def test_weekly_series_lays_years_end_to_end():
    possible = [0] * 54
    attended = [0] * 54
    possible[52], attended[52] = 4, 3  # Monday 28 to Thursday 31 August 2023: week 52 of the 2022 year
    nxt_possible = [0] * 54
    nxt_attended = [0] * 54
    nxt_possible[0], nxt_attended[0] = 6, 6  # the first days of September, the same calendar week
    series = weekly_series([(1, 2022, possible, attended), (1, 2023, nxt_possible, nxt_attended)])
    week = week_number(datetime.date(2023, 8, 28))
    assert series == {1: {week: (10, 9)}}


def test_windows_are_the_engaged_learners_own_school_weeks_around_the_engagement_week():
    # School weeks at -6..-1 and +1..+7, a holiday at -3 and none in the engagement week itself.
    weekly = dict.fromkeys((-6, -5, -4, -2, -1, 0, 1, 2, 3, 5, 6, 7), (10, 10))
    windows = windows_for(series_of(weekly), ENGAGED_ON, weeks=4, min_weeks=4)
    assert windows == Windows(before=(W0 - 5, W0 - 1), after=(W0 + 1, W0 + 5))
    assert windows_for(series_of(dict.fromkeys((-2, -1, 1, 2, 3, 4), (10, 10))), ENGAGED_ON, weeks=4, min_weeks=4) is None


def test_bands():
    assert [band_of(p) for p in (0, 79.99, 80, 89.9, 90, 94.99, 95, 100, None)] == [0, 0, 1, 1, 2, 2, 3, 3, None]


def test_matching_respects_school_year_efsm_band_the_same_weeks_and_engagements_in_the_window():
    """Engaged learner 1 at 85% before; only learners 2 and 3 match. Learner 3's figures outside the engaged
    learner's calendar weeks (a bad week long before) do not count: it is measured over the same weeks."""
    before = dict.fromkeys((-4, -3), (10, 8)) | dict.fromkeys((-2, -1), (10, 9))   # 34/40 = 85%
    after = dict.fromkeys((1, 2, 3, 4), (10, 10))                                  # 100%
    weekly = {
        1: before | after,
        2: before | dict.fromkeys((1, 2, 3, 4), (10, 9)),                          # 85% -> 90%
        3: before | after | {-20: (10, 0)},                                      # 85% -> 100%, a week far outside
        4: before | after,                                                       # another school
        5: before | after,                                                       # another year group
        6: before | after,                                                       # eFSM
        7: dict.fromkeys((-4, -3, -2, -1), (10, 10)) | after,                     # 100% before: another band
        8: before | after,                                                       # engaged during the windows
        9: before | after,                                                       # engaged long before: still a match
    }
    data = OutcomeData(series={k: series_of(v) for k, v in weekly.items()})
    facts = {k: LearnerFacts(school_id=1, year_group=5, efsm=False) for k in weekly}
    facts[4] = LearnerFacts(school_id=2, year_group=5, efsm=False)
    facts[5] = LearnerFacts(school_id=1, year_group=6, efsm=False)
    facts[6] = LearnerFacts(school_id=1, year_group=5, efsm=True)
    busy = {8: [ENGAGED_ON + datetime.timedelta(weeks=2)], 9: [ENGAGED_ON - datetime.timedelta(weeks=40)]}
    result = match(engaged={1: ENGAGED_ON}, facts=facts, data=data, engagement_dates=busy, weeks=4, min_weeks=4)
    assert (result.unmatched, result.unmeasured) == (0, 0)
    [matched] = result.sets
    assert (matched.before, matched.after) == (85.0, 100.0)
    assert sorted((c.learner_id, c.before, c.after) for c in matched.controls) == [(2, 85.0, 90.0), (3, 85.0, 100.0), (9, 85.0, 100.0)]


def test_learners_without_a_match_or_without_figures_are_counted_and_left_out():
    weekly = dict.fromkeys((-4, -3, -2, -1, 1, 2, 3, 4), (10, 9))
    data = OutcomeData(series={1: series_of(weekly), 2: series_of(weekly), 3: series_of(weekly)})
    facts = {1: LearnerFacts(1, 5, False), 2: LearnerFacts(1, 5, False), 3: LearnerFacts(1, 7, False), 4: LearnerFacts(1, 5, False)}
    # 1 matches 2; 3 has no one in its year group; 4 has no marks at all.
    result = match(engaged={1: ENGAGED_ON, 3: ENGAGED_ON, 4: ENGAGED_ON}, facts=facts, data=data, engagement_dates={}, weeks=4)
    assert (len(result.sets), result.unmatched, result.unmeasured) == (1, 1, 1)
    estimate = difference_in_differences(result.sets, unmatched=result.unmatched, unmeasured=result.unmeasured)
    assert (estimate.n_engaged, estimate.n_comparison, estimate.unmatched, estimate.unmeasured) == (1, 1, 1, 1)


def test_behaviour_and_attainment_are_measured_over_the_same_dates():
    weekly = dict.fromkeys((-4, -3, -2, -1, 1, 2, 3, 4), (10, 10))
    data = OutcomeData(
        series={1: series_of(weekly), 2: series_of(weekly)},
        incidents={1: [ENGAGED_ON - datetime.timedelta(days=7)] * 4, 2: [ENGAGED_ON + datetime.timedelta(days=9)] * 2},
        results={1: [(ENGAGED_ON - datetime.timedelta(days=100), 4.0), (ENGAGED_ON - datetime.timedelta(days=10), 6.0),
                     (ENGAGED_ON + datetime.timedelta(days=120), 7.0)],
                 2: [(ENGAGED_ON - datetime.timedelta(days=400), 1.0), (ENGAGED_ON + datetime.timedelta(days=10), 5.0)]},
    )
    facts = {1: LearnerFacts(1, 5, False), 2: LearnerFacts(1, 5, False)}
    behaviour = match(engaged={1: ENGAGED_ON}, facts=facts, data=data, engagement_dates={}, outcome="behaviour", weeks=4)
    assert behaviour.sets == [MatchedSet(1.0, 0.0, (ControlValue(2, 0.0, 0.5),))]
    attainment = match(engaged={1: ENGAGED_ON}, facts=facts, data=data, engagement_dates={}, outcome="attainment", weeks=4)
    # Learner 2 has no result in the year before (400 days is too early): no comparison learner.
    assert (attainment.sets, attainment.unmatched) == ([], 1)
    data.results[2].append((ENGAGED_ON - datetime.timedelta(days=30), 3.0))
    attainment = match(engaged={1: ENGAGED_ON}, facts=facts, data=data, engagement_dates={}, outcome="attainment", weeks=4)
    assert attainment.sets == [MatchedSet(5.0, 7.0, (ControlValue(2, 3.0, 5.0),))]


def test_a_source_is_one_call_and_counts_everywhere(monkeypatch):
    monkeypatch.setattr(impact, "_SOURCES", dict(impact._SOURCES))
    impact.register_engagement_source("youth_service", "Youth service", lambda **kwargs: [])
    assert [s.key for s in impact.engagement_sources()] == ["feo_episode", "programme", "hub_referral", "youth_service"]


# --- With the database: marks imported through the importer ---------------------------------------------------------

YEAR = academic_year_of(timezone.localdate()) - 1
#: The Wednesday of the first full week of March of last academic year.
DB_ENGAGED_ON = datetime.date(YEAR + 1, 3, 1) + datetime.timedelta(days=(7 - datetime.date(YEAR + 1, 3, 1).weekday()) % 7 + 2)
DB_MONDAY = DB_ENGAGED_ON - datetime.timedelta(days=2)

def marks_csv(learners: list[tuple[str, int, int]]) -> bytes:
    """Each learner ``(upn, absences before, absences after)``: full marks in weeks -5 and 0 (the engagement's), and
    that many unauthorised absences ("O") among the 40 sessions of weeks -4..-1, and of weeks +1..+4."""
    lines = ["UPN,Date,Session,Code"]
    for upn, before, after in learners:
        for offset in range(-5, 5):
            monday = DB_MONDAY + datetime.timedelta(weeks=offset)
            for session in range(10):
                if -4 <= offset <= -1:
                    absent = (offset + 4) * 10 + session < before
                elif offset >= 1:
                    absent = (offset - 1) * 10 + session < after
                else:
                    absent = False
                day = monday + datetime.timedelta(days=session // 2)
                lines.append(f"{upn},{day:%d/%m/%Y},{'AM' if session % 2 == 0 else 'PM'},{'O' if absent else '/'}")
    return ("\r\n".join(lines) + "\r\n").encode()


def episode_for(world, learner, opened_on):
    household = Household.objects.create(reference=f"Household {learner.pk}")
    learner.household = household
    learner.save(update_fields=["household"])
    return Episode.objects.create(household=household, school=learner.school, officer=world.user("feo"), reasons=["attendance"],
                                  goals="Attendance", opened_on=opened_on)


ENGAGED_ABSENCES = [(6, 2), (5, 1), (7, 3), (6, 2), (5, 0), (6, 2)]
CONTROL_ABSENCES = [(6, 5), (5, 5), (7, 6), (6, 6), (5, 4), (6, 5)]


@pytest.fixture
def impact_data(world):
    """School A, year 7: six learners engaged through FEO episodes and six not, all at 82.5 to 87.5% before, and one
    learner on a programme that starts during the windows (never a comparison learner). School B, year 8: the small
    hand-worked case, one engaged learner and four others of which two match."""
    ht = world.user("headteacher")
    rows_a = []
    engaged = []
    for i, (before, after) in enumerate(ENGAGED_ABSENCES):
        learner = LearnerFactory(school=world.school_a, year_group=7, upn=f"E{i:011d}0")
        episode_for(world, learner, DB_ENGAGED_ON)
        engaged.append(learner)
        rows_a.append((learner.upn, before, after))
    for i, (before, after) in enumerate(CONTROL_ABSENCES):
        learner = LearnerFactory(school=world.school_a, year_group=7, upn=f"C{i:011d}0")
        rows_a.append((learner.upn, before, after))
    busy = LearnerFactory(school=world.school_a, year_group=7, upn="B000000000000")
    rows_a.append((busy.upn, 6, 0))  # would pull the comparison's change up if it were used
    programme = Programme.objects.create(
        local_authority=world.la, lead_organisation=world.school_a, kind="family_learning", title_en="Reading club",
        title_cy="Clwb darllen", description_en="Reading.", description_cy="Darllen.", venue_en="Library",
        starts_on=DB_ENGAGED_ON + datetime.timedelta(weeks=1),
    )
    enrolment = Enrolment.objects.create(programme=programme, learner=busy, school=world.school_a)
    Enrolment.objects.filter(pk=enrolment.pk).update(created_on=timezone.make_aware(datetime.datetime(YEAR, 12, 1)))
    assert attendance_marks_import(source=marks_csv(rows_a), school=world.school_a, by=ht).ok
    # School B, year 8, the hand-worked case: engaged 34/40 -> 38/40 (85% -> 95%), comparison 34/40 -> 36/40 and
    # 35/40 -> 35/40 (changes 5 and 0, mean 2.5), and two who do not match: 100% before (another band) and eFSM.
    hand = LearnerFactory(school=world.school_b, year_group=8, upn="H000000000000")
    episode_for(world, hand, DB_ENGAGED_ON)
    rows_b = [(hand.upn, 6, 2)]
    for upn, efsm, before, after in [("H000000000010", False, 6, 4), ("H000000000020", False, 5, 5),
                                     ("H000000000030", False, 0, 0), ("H000000000040", True, 6, 6)]:
        LearnerFactory(school=world.school_b, year_group=8, upn=upn, efsm=efsm)
        rows_b.append((upn, before, after))
    assert attendance_marks_import(source=marks_csv(rows_b), school=world.school_b, by=ht).ok
    return {"engaged": engaged, "programme": programme, "busy": busy, "hand": hand}


def filters(**kwargs):
    return ImpactFilters(**{"academic_year": YEAR, "weeks": 4, **kwargs})


@pytest.mark.django_db
def test_the_hand_worked_case_end_to_end(world, impact_data):
    report = impact_report(school_ids=[world.school_b.pk], filters=filters())
    overall = report.overall.estimate
    assert (overall.n_engaged, overall.n_comparison, overall.unmatched, overall.unmeasured) == (1, 2, 0, 0)
    assert (overall.engaged_before, overall.engaged_after) == (85.0, 95.0)
    assert (overall.comparison_before, overall.comparison_after) == (86.25, 88.75)
    assert overall.estimate == 7.5
    assert report.overall.suppressed  # one engaged learner


@pytest.mark.django_db
def test_school_a_estimate_and_the_learner_engaged_during_the_windows_is_no_comparison(world, impact_data):
    """Engaged absences fall by 4,4,4,4,5,4 of 40 (+10, +10, +10, +10, +12.5, +10 points); the comparison learners
    by 1,0,1,0,1,1 (mean +1.6667). Estimate 2.5 × (25 - 4) / 6 = 8.75."""
    report = impact_report(school_ids=[world.school_a.pk], filters=filters(kind="feo_episode"))
    overall = report.overall.estimate
    assert (overall.n_engaged, overall.n_comparison) == (6, 6)
    assert overall.estimate == pytest.approx(8.75)
    assert overall.engaged_change == pytest.approx(2.5 * 25 / 6)
    assert overall.comparison_change == pytest.approx(2.5 * 4 / 6)
    assert overall.ci_low < 8.75 < overall.ci_high and not report.overall.suppressed
    assert [row.key for row in report.rows] == ["", "feo_episode"]
    # All kinds: the learner on the programme is engaged too, from a week later, when only three school weeks
    # of marks follow: counted as without figures, and left out.
    everything = impact_report(school_ids=[world.school_a.pk], filters=filters())
    assert [(row.key, row.estimate.n_engaged, row.estimate.unmeasured) for row in everything.rows] == [
        ("", 6, 1), ("feo_episode", 6, 0), ("programme", 0, 1), ("hub_referral", 0, 0)]
    assert everything.overall.estimate.estimate == pytest.approx(8.75)
    assert everything.rows[2].suppressed
    # Another academic year: nobody engaged.
    assert not impact_report(school_ids=[world.school_a.pk], filters=filters(academic_year=YEAR - 1)).has_engagement


@pytest.mark.django_db
def test_programme_filter_and_other_outcomes(world, impact_data):
    report = impact_report(school_ids=[world.school_a.pk], filters=filters(programme_id=impact_data["programme"].pk))
    assert [row.key for row in report.rows] == ["", "programme"] and report.overall.estimate.unmeasured == 1
    for learner in impact_data["engaged"][:5]:
        BehaviourIncident.objects.create(learner=learner, school=learner.school, occurred_on=DB_MONDAY - datetime.timedelta(weeks=2),
                                         academic_year=YEAR, incident_type="Disruption", severity=1)
    behaviour = impact_report(school_ids=[world.school_a.pk], filters=filters(kind="feo_episode", outcome="behaviour"))
    overall = behaviour.overall.estimate
    # Five of six engaged learners had one incident in 4 school weeks before (0.25 a week) and none after.
    assert overall.engaged_before == pytest.approx(5 * 0.25 / 6) and overall.engaged_after == 0
    assert overall.estimate == pytest.approx(-5 * 0.25 / 6)
    for learner in impact_data["engaged"]:
        AssessmentResult.objects.create(learner=learner, school=learner.school, subject="Maths", assessment="Test", points=4,
                                        assessed_on=DB_ENGAGED_ON - datetime.timedelta(days=60), academic_year=YEAR)
    attainment = impact_report(school_ids=[world.school_a.pk], filters=filters(kind="feo_episode", outcome="attainment"))
    assert attainment.overall.estimate.n_engaged == 0 and attainment.overall.estimate.unmeasured == 6  # nothing after


# --- The page, the export and the API -------------------------------------------------------------------------------


def page_url(**params):
    from urllib.parse import urlencode

    return "/en-gb/outcomes/impact/?" + urlencode({"academic_year": YEAR, "weeks": 4, **params})


@pytest.mark.django_db
def test_the_page_shows_the_estimate_without_names(world, impact_data, client_for):
    response = client_for("headteacher").get(page_url(kind="feo_episode"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "<strong>8.8</strong>" in content and "data-impact-chart" in content  # 8.75 to one place
    for learner in impact_data["engaged"]:
        assert learner.given_name not in content and learner.upn not in content
    assert "regression to the mean" in content
    assert response.context["report"].overall.estimate.n_engaged == 6


@pytest.mark.django_db
def test_small_groups_are_suppressed_on_the_page(world, impact_data, client_for):
    response = client_for("headteacher").get(page_url(school=world.school_b.pk))
    # The headteacher of school A does not reach school B: not a valid choice, no figures.
    assert response.status_code == 200 and response.context["report"].school_count == 0
    response = client_for("feo").get(page_url(school=world.school_b.pk))  # the FEO works across cluster X
    content = response.content.decode()
    assert response.context["report"].school_count == 1
    assert "No estimate" in content and "7.5" not in content and "data-impact-chart" not in content


@pytest.mark.django_db
def test_who_sees_the_page_and_the_api(world, client_for):
    """LA roles, headteachers, FEOs and CSMs; not partners, governors, school staff or members of the public."""
    for name in ["la_lead", "la_officer", "hub_coordinator", "headteacher", "feo", "csm"]:
        client = client_for(name)
        assert client.get("/en-gb/outcomes/impact/").status_code == 200, name
        assert client.get("/api/v1/impact/").status_code == 200, name
    for name in ["partner_worker", "governor", "school_staff", "public"]:
        client = client_for(name)
        assert client.get("/en-gb/outcomes/impact/").status_code == 403, name
        assert client.get("/en-gb/outcomes/impact/export.xlsx").status_code == 403, name
        assert client.get("/api/v1/impact/").status_code == 403, name


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/en-gb/outcomes/impact/")
    assert response.status_code == 302 and "sign-in" in response["Location"]
    assert client.get("/api/v1/impact/").status_code in (401, 403)


@pytest.mark.django_db
def test_another_cluster_sees_nothing_of_school_a(world, impact_data, client_for):
    client = client_for("head_other_cluster")
    response = client.get(page_url(school=world.school_a.pk))
    assert response.status_code == 200 and response.context["report"].school_count == 0
    everything = client.get(page_url())
    assert everything.context["report"].school_count == 1  # their own school C only
    assert not everything.context["report"].has_engagement
    assert client.get("/api/v1/impact/", {"school": world.school_a.pk}).status_code == 400
    other_la = client_for("lead_other_la").get("/api/v1/impact/", {"academic_year": YEAR, "weeks": 4}).json()
    assert other_la["rows"][0]["engaged_learners"] == 0


@pytest.mark.django_db
def test_the_page_costs_the_same_queries_whatever_the_number_of_learners(world, impact_data, client_for):
    client = client_for("feo")
    client.get(page_url())  # warm the session and the caches
    with CaptureQueriesContext(connection) as small:
        assert client.get(page_url(school=world.school_b.pk)).status_code == 200
    with CaptureQueriesContext(connection) as large:
        assert client.get(page_url(school=world.school_a.pk)).status_code == 200
    with CaptureQueriesContext(connection) as both:
        assert client.get(page_url()).status_code == 200
    # One school (5 learners) or another (14): the same queries; all schools: one fewer (no chosen school to check).
    assert len(small) == len(large) == len(both) + 1


@pytest.mark.django_db
def test_the_export_is_the_table_and_is_logged(world, impact_data, client_for):
    response = client_for("la_lead").get(page_url(kind="feo_episode", school=world.school_a.pk).replace("/outcomes/impact/", "/outcomes/impact/export.xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = [row for row in book["Impact"].iter_rows(values_only=True) if any(row)]
    at = next(i for i, row in enumerate(rows) if row[0] == "Kind of engagement")
    overall = dict(zip(rows[at], rows[at + 1], strict=False))
    assert overall["Engaged learners"] == 6 and overall["Difference in differences"] == pytest.approx(8.75)
    record = ExportRecord.objects.get(kind="outcomes-impact-xlsx")
    assert record.user == world.user("la_lead") and record.filters["kind"] == "feo_episode"
    assert "Caveats" in book.sheetnames


@pytest.mark.django_db
def test_the_api_gives_the_same_figures_scoped_the_same_way(world, impact_data, client_for):
    params = {"academic_year": YEAR, "weeks": 4, "kind": "feo_episode", "school": world.school_a.pk}
    data = client_for("la_lead").get("/api/v1/impact/", params).json()
    overall = data["rows"][0]
    assert (overall["engaged_learners"], overall["comparison_learners"], overall["suppressed"]) == (6, 6, False)
    assert overall["difference_in_differences"] == pytest.approx(8.75)
    assert overall["ci_low"] < 8.75 < overall["ci_high"] and data["caveats"]
    # The whole LA: school B's engaged learner (and its two matches) join.
    whole = client_for("la_lead").get("/api/v1/impact/", {**params, "school": ""}).json()["rows"][0]
    assert (whole["engaged_learners"], whole["comparison_learners"]) == (7, 8)
    small = client_for("feo").get("/api/v1/impact/", {"academic_year": YEAR, "weeks": 4, "school": world.school_b.pk}).json()
    assert small["rows"][0]["engaged_learners"] == 1 and small["rows"][0]["difference_in_differences"] is None
    assert client_for("la_lead").get("/api/v1/impact/", {"weeks": 99}).status_code == 400
    assert client_for("la_lead").get("/api/v1/impact/", {"outcome": "happiness"}).status_code == 400


@pytest.mark.django_db
def test_the_api_is_in_the_openapi_schema(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    operation = schema["paths"]["/api/v1/impact/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"school", "cluster", "kind", "programme", "academic_year", "outcome", "weeks"}


@pytest.mark.django_db
def test_engaged_learners_without_marks_get_a_helpful_empty_state(world, client_for):
    """The world's learner A has an open FEO episode and a place on a programme, but no marks: nothing to compare."""
    response = client_for("headteacher").get("/en-gb/outcomes/impact/")
    content = response.content.decode()
    overall = response.context["report"].overall.estimate
    assert (overall.n_engaged, overall.unmeasured) == (0, 1)
    assert "1 learner was engaged, but none can be compared yet." in content and "Import the schools" in content
    welsh = client_for("headteacher").get("/cy/outcomes/impact/")
    assert welsh.status_code == 200
    assert client_for("head_other_cluster").get("/en-gb/outcomes/impact/").context["report"].has_engagement is False


@pytest.mark.django_db
def test_sources_give_a_row_for_every_learner_of_the_household(world):
    """An FEO episode and a place held by the household count for each of its learners; another school's are not asked."""
    sibling = LearnerFactory(school=world.school_b, household=world.household)
    outsider = LearnerFactory(school=world.school_c, household=world.household)
    household_place = Enrolment.objects.create(programme=world.food_programme, household=world.household, participant_name="Sian Jones")
    waiting = Enrolment.objects.create(programme=world.programme, learner=sibling, status="waiting")
    schools = [world.school_a.pk, world.school_b.pk]
    episodes = list(impact.feo_episode_engagements(local_authority_ids=(), school_ids=schools, filters={}))
    assert sorted((row[0], row[1], row[2]) for row in episodes) == sorted(
        [(world.learner_a.pk, world.episode.opened_on, "feo_episode"), (sibling.pk, world.episode.opened_on, "feo_episode")])
    places = sorted(impact.programme_engagements(local_authority_ids=(), school_ids=schools, filters={}))
    today = timezone.localdate()
    assert places == sorted([
        (world.learner_a.pk, max(world.programme.starts_on, today), "programme", str(world.programme.pk)),
        (world.learner_a.pk, max(world.food_programme.starts_on, today), "programme", str(world.food_programme.pk)),
        (sibling.pk, max(world.food_programme.starts_on, today), "programme", str(world.food_programme.pk)),
    ])
    assert outsider.pk not in {row[0] for row in places} and waiting.pk and household_place.pk
    # The whole LA by its id reaches the outsider's school too; a date window narrows the rows.
    by_la = impact.feo_episode_engagements(local_authority_ids=[world.la.pk], school_ids=[], filters={})
    assert outsider.pk in {row[0] for row in by_la}
    later = {"since": world.episode.opened_on + datetime.timedelta(days=1), "until": None}
    assert not list(impact.feo_episode_engagements(local_authority_ids=(), school_ids=schools, filters=later))
