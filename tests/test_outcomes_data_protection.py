"""Outcome data in subject access (read through the access layer, withheld counted) and under retention (old rows
go, recent ones stay, leavers' rows go after the leaving period)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from cymuned.families.retention import ANONYMISE, DELETE, DRY_RUN, RETENTION_KINDS, retention_apply
from cymuned.families.subject_access import as_json, as_pdf, subject_access_for
from cymuned.outcomes.data_protection import OUTCOME_PERIODS, last_year_ended_before
from cymuned.outcomes.marks import EMPTY_YEAR, WEEKS_PER_YEAR, academic_year_of
from cymuned.outcomes.models import AssessmentResult, AttendanceSummary, AttendanceYear, BehaviourIncident, Exclusion

from .factories import LearnerFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
THIS_YEAR = academic_year_of(TODAY)
OUTCOME_MODELS = (AttendanceYear, AttendanceSummary, BehaviourIncident, Exclusion, AssessmentResult)


def give_outcomes(learner, year: int, *, tag: str = "") -> None:
    """One row of every kind of outcome data for the learner in the academic year."""
    school = learner.school
    day = datetime.date(year, 11, 12)
    weekly = [0] * WEEKS_PER_YEAR
    AttendanceYear.objects.create(
        learner=learner, school=school, academic_year=year, codes="/" * 10 + EMPTY_YEAR[10:], weekly_possible=weekly,
        weekly_attended=weekly, weekly_authorised=weekly, weekly_unauthorised=weekly, term_possible=[10, 0, 0],
        term_attended=[9, 0, 0], term_authorised=[1, 0, 0], term_unauthorised=[0, 0, 0], term_late=[2, 0, 0],
        term_approved=[0, 0, 0])
    AttendanceSummary.objects.create(learner=learner, school=school, period_start=datetime.date(year, 9, 1), period_end=day,
                                     possible_sessions=10, attended_sessions=9, authorised_absences=1, unauthorised_absences=0,
                                     percentage=Decimal("90.00"), source="import")
    BehaviourIncident.objects.create(learner=learner, school=school, occurred_on=day, academic_year=year,
                                     incident_type=f"Defiance{tag}", severity=2)
    Exclusion.objects.create(learner=learner, school=school, start_date=day, academic_year=year, kind="fixed_term",
                             days=Decimal("1.5"), reason="Persistent disruption")
    AssessmentResult.objects.create(learner=learner, school=school, subject="Mathematics", assessment="GCSE", grade="7",
                                    points=Decimal("7"), assessed_on=day, academic_year=year)


def test_subject_access_holds_the_outcomes_and_counts_what_is_withheld(world):
    give_outcomes(world.learner_a, THIS_YEAR - 1)
    sibling = LearnerFactory(school=world.school_c, household=world.household, given_name="Siôn")  # another cluster
    give_outcomes(sibling, THIS_YEAR - 1)
    report = subject_access_for(user=world.user("headteacher"), household=world.household)
    sections = {s.key: s for s in report.sections}
    for key in ("attendance", "attendance-marks", "behaviour", "exclusions", "results"):
        assert sections[key].withheld == 1, key
        assert {r.learner_id for r in sections[key].read} == {world.learner_a.pk}, key
    marks = sections["attendance-marks"].records
    assert len(marks) == 1  # one term with figures
    assert {e.key: e.value for e in marks[0]}["attended_sessions"] == 9
    data = json.loads(as_json(report))
    behaviour = next(s for s in data["sections"] if s["key"] == "behaviour")
    assert behaviour["records"][0]["incident_type"] == "Defiance" and behaviour["title"]["en"] == "Behaviour incidents"
    assert as_pdf(report).startswith(b"%PDF")
    # Someone who works with neither learner sees none of it, and every row is counted as withheld.
    outsider = subject_access_for(user=world.user("staff_other_la"), household=world.household)
    assert {s.key: s.withheld for s in outsider.sections if s.key == "results"} == {"results": 2}


def test_no_outcome_sections_for_a_family_without_outcomes(world):
    keys = [s.key for s in subject_access_for(user=world.user("headteacher"), household=world.household).sections]
    assert not {"attendance", "attendance-marks", "behaviour", "exclusions", "results"} & set(keys)


@pytest.mark.parametrize(("day", "year"), [
    (datetime.date(2026, 9, 1), 2025), (datetime.date(2026, 8, 31), 2024), (datetime.date(2027, 1, 5), 2025),
])
def test_last_year_ended_before(day, year):
    assert last_year_ended_before(day) == year


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in OUTCOME_MODELS}


def test_retention_deletes_old_rows_and_keeps_recent_ones(world):
    old = THIS_YEAR - 1 - OUTCOME_PERIODS["outcome_exclusion_years"]  # past every period
    middle = THIS_YEAR - 1 - OUTCOME_PERIODS["outcome_attendance_years"]  # past attendance and behaviour only
    give_outcomes(world.learner_a, old, tag=" old")
    give_outcomes(world.learner_a, middle, tag=" middle")
    give_outcomes(world.learner_a, THIS_YEAR - 1, tag=" recent")
    assert counts() == dict.fromkeys(counts(), 3)
    reports = {r.kind.key: r for r in retention_apply(mode=DRY_RUN)}
    assert (reports["behaviour-incidents"].due, reports["exclusions"].due, reports["attendance-marks"].due) == (2, 1, 2)
    assert counts() == dict.fromkeys(counts(), 3)  # a dry run changes nothing
    retention_apply(mode=DELETE)
    assert counts() == {"AttendanceYear": 1, "AttendanceSummary": 1, "BehaviourIncident": 1, "Exclusion": 2, "AssessmentResult": 2}
    assert list(BehaviourIncident.objects.values_list("incident_type", flat=True)) == ["Defiance recent"]
    assert set(Exclusion.objects.values_list("academic_year", flat=True)) == {middle, THIS_YEAR - 1}


def test_a_leavers_outcomes_go_after_the_leaving_period_even_if_recent(world):
    left_long_ago = LearnerFactory(school=world.school_a, archived_on=timezone.now() - datetime.timedelta(days=3 * 366))
    left_lately = LearnerFactory(school=world.school_a, archived_on=timezone.now() - datetime.timedelta(days=100))
    give_outcomes(left_long_ago, THIS_YEAR - 1)
    give_outcomes(left_lately, THIS_YEAR - 1)
    retention_apply(mode=ANONYMISE)  # nothing to blank in these rows: anonymising deletes them too
    for model in OUTCOME_MODELS:
        assert list(model.objects.values_list("learner_id", flat=True)) == [left_lately.pk], model


def test_periods_come_from_settings(world, settings):
    give_outcomes(world.learner_a, THIS_YEAR - 2)
    settings.CYMUNED_RETENTION = {**settings.CYMUNED_RETENTION, "outcome_results_years": 0}
    reports = {r.kind.key: r for r in retention_apply(mode=DRY_RUN)}
    assert reports["assessment-results"].due == 1 and reports["exclusions"].due == 0
    assert {"attendance-marks", "attendance-summaries", "behaviour-incidents", "exclusions", "assessment-results"} <= set(RETENTION_KINDS)


@pytest.mark.parametrize("mode", [ANONYMISE, DELETE])
def test_uploaded_import_files_go_after_their_period_and_the_record_stays(world, mode):
    import datetime as dt

    from cymuned.outcomes.models import ImportRun

    from .conftest import add_import_run

    old = add_import_run(world, name="old.csv", errors=[{"row": 2, "column": "UPN", "value": "A123", "message": "x"}])
    recent = add_import_run(world, name="recent.csv")
    ImportRun.objects.filter(pk=old.pk).update(created_on=timezone.now() - dt.timedelta(days=400))
    storage, old_name = old.file.storage, old.file.name
    assert storage.exists(old_name)
    report = next(r for r in retention_apply(mode=mode) if r.kind.key == "import-files")
    assert report.changed == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.file.name, old.errors, old.sha256) == ("", [], "0" * 64)  # the run and its hash stay
    assert not storage.exists(old_name) and storage.exists(recent.file.name)
