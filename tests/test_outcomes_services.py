"""Attendance figures: the database's invariants, who sees them, and the services that write them one by one or in bulk."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cymuned.access.policy import Action, can, visible_to
from cymuned.outcomes import services
from cymuned.outcomes.models import AttendanceFigures, AttendanceSummary, attendance_percentage, band_for

from .conftest import add_attendance_summary
from .factories import LearnerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
START = TODAY - datetime.timedelta(days=60)


def figures(learner, *, attended=170, authorised=20, unauthorised=10, possible=None, period_end=TODAY, period_start=START):
    possible = attended + authorised + unauthorised if possible is None else possible
    return AttendanceFigures(
        learner_id=learner.pk,
        period_start=period_start,
        period_end=period_end,
        possible_sessions=possible,
        attended_sessions=attended,
        authorised_absences=authorised,
        unauthorised_absences=unauthorised,
    )


def test_percentage_and_bands():
    assert attendance_percentage(attended=150, possible=190) == Decimal("78.95")
    assert attendance_percentage(attended=1, possible=8) == Decimal("12.50")
    assert attendance_percentage(attended=2, possible=3) == Decimal("66.67")
    assert band_for(Decimal("90.00")) == "persistent"
    assert band_for(Decimal("90.01")) is None
    assert band_for(Decimal("80.00")) == "severe"
    assert band_for(None) is None


@pytest.mark.parametrize(
    "changes",
    [
        {"possible_sessions": 0, "attended_sessions": 0, "authorised_absences": 0, "unauthorised_absences": 0, "percentage": 0},
        {"attended_sessions": 191},
        {"authorised_absences": 5},  # no longer adds up to the possible sessions
        {"percentage": Decimal("95.00")},  # not the sessions' own percentage
        {"period_start": TODAY + datetime.timedelta(days=1)},
    ],
)
def test_the_database_refuses_figures_that_do_not_hold_together(world, changes):
    summary = add_attendance_summary(world)
    for field, value in changes.items():
        setattr(summary, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        summary.save()


def test_one_row_per_learner_per_date(world):
    summary = add_attendance_summary(world)
    summary.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        summary.save()


@pytest.mark.parametrize(
    ("name", "sees"),
    [
        ("feo", True),
        ("headteacher", True),
        ("school_staff", True),
        ("csm", True),
        ("governor", False),
        ("la_lead", False),
        ("hub_coordinator", False),
        ("partner_worker", False),
        ("head_other_cluster", False),
        ("staff_other_la", False),
        ("public", False),
    ],
)
def test_who_sees_a_learners_attendance(world, attendance_summaries, name, sees):
    assert can(world.user(name), Action.VIEW, attendance_summaries["a"]) is sees


def test_visibility_follows_the_learners_current_school(world, attendance_summaries):
    summary = attendance_summaries["a"]
    world.learner_a.school = world.school_c
    world.learner_a.save()
    assert can(world.user("head_other_cluster"), Action.VIEW, summary)
    assert not can(world.user("headteacher"), Action.VIEW, summary)
    assert summary.school_id == world.school_a.pk  # recorded there, and kept for the school's own figures


def test_latest_per_learner(world):
    old = add_attendance_summary(world, period_end=TODAY - datetime.timedelta(days=14))
    new = add_attendance_summary(world)
    other = add_attendance_summary(world, world.learner_c, period_end=TODAY - datetime.timedelta(days=30))
    assert set(AttendanceSummary.objects.latest_per_learner()) == {new, other}
    assert old not in visible_to(world.user("feo"), AttendanceSummary).latest_per_learner()


def test_staff_record_and_replace_figures_with_an_audit_trail(world):
    head = world.user("headteacher")
    summary = services.attendance_record(by=head, learner=world.learner_a, figures=figures(world.learner_a))
    assert summary.percentage == Decimal("85.00") and summary.school == world.school_a and summary.source == "manual"
    replaced = services.attendance_record(
        by=world.user("school_staff"),
        learner=world.learner_a,
        figures=figures(world.learner_a, attended=180, authorised=15, unauthorised=5),
    )
    assert replaced.pk == summary.pk and AttendanceSummary.objects.count() == 1
    assert replaced.created_by == head and replaced.modified_by == world.user("school_staff")
    replaced.refresh_from_db()
    assert replaced.percentage == Decimal("90.00")
    actions = list(LogEntry.objects.get_for_object(replaced).order_by("pk").values_list("action", flat=True))
    assert actions == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]


@pytest.mark.parametrize("name", ["feo", "csm", "governor", "la_lead", "head_other_cluster", "partner_worker"])
def test_only_the_schools_own_staff_record_figures(world, name):
    with pytest.raises(PermissionDenied):
        services.attendance_record(by=world.user(name), learner=world.learner_a, figures=figures(world.learner_a))
    assert not AttendanceSummary.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"possible": 0, "attended": 0, "authorised": 0, "unauthorised": 0}, "possible_sessions", "no_sessions"),
        ({"possible": 150}, "possible_sessions", "sessions_do_not_add_up"),
        ({"attended": -1}, "attended_sessions", "not_a_count"),
        ({"period_end": TODAY + datetime.timedelta(days=1)}, "period_end", "future_date"),
        ({"period_start": TODAY + datetime.timedelta(days=1)}, "period_start", "period_order"),
    ],
)
def test_bad_figures_are_refused_with_a_reason(world, changes, field, code):
    with pytest.raises(ValidationError) as error:
        services.attendance_record(
            by=world.user("headteacher"), learner=world.learner_a, figures=figures(world.learner_a, **changes)
        )
    assert error.value.error_dict[field][0].code == code
    assert not AttendanceSummary.objects.exists()


def test_figures_for_another_learner_are_refused(world):
    with pytest.raises(ValidationError):
        services.attendance_record(by=world.user("headteacher"), learner=world.learner_a, figures=figures(world.learner_c))


def test_bulk_upsert_inserts_then_changes_nothing_then_replaces(world):
    learners = [LearnerFactory(school=world.school_a) for _ in range(5)]
    rows = [figures(learner, period_end=TODAY - datetime.timedelta(days=7 * week)) for learner in learners for week in range(3)]
    assert services.attendance_summaries_upsert(figures=rows, source="import", school=world.school_a) == 15
    before = list(AttendanceSummary.objects.order_by("pk").values_list("pk", "percentage", "created_on"))
    assert services.attendance_summaries_upsert(figures=rows, source="import", school=world.school_a) == 15
    assert list(AttendanceSummary.objects.order_by("pk").values_list("pk", "percentage", "created_on")) == before
    corrected = [replace(rows[0], attended_sessions=190, authorised_absences=10, unauthorised_absences=0)]
    services.attendance_summaries_upsert(figures=corrected, source="import")
    summary = AttendanceSummary.objects.get(learner_id=rows[0].learner_id, period_end=rows[0].period_end)
    assert summary.percentage == Decimal("95.00") and summary.pk == before[0][0]
    assert AttendanceSummary.objects.count() == 15


def test_bulk_upsert_is_all_or_nothing(world):
    good = figures(world.learner_a)
    rows = [
        good,
        figures(world.learner_a, period_end=TODAY - datetime.timedelta(days=7), possible=999),
        replace(good, learner_id=987654321),
        figures(world.learner_c),  # at school C, not school A
        good,  # the same learner and date twice
    ]
    with pytest.raises(ValidationError) as error:
        services.attendance_summaries_upsert(figures=rows, source="import", school=world.school_a)
    codes = [e.code for e in error.value.error_list]
    assert codes == ["sessions_do_not_add_up", "unknown_learner", "other_school", "duplicate_row"]
    assert "Row 2:" in error.value.messages[0]
    assert not AttendanceSummary.objects.exists()
    with pytest.raises(ValidationError):
        services.attendance_summaries_upsert(figures=[good], source="guesswork")


def test_bulk_upsert_reports_the_first_problems_and_counts_the_rest(world):
    rows = [
        figures(world.learner_a, possible=1, period_end=TODAY - datetime.timedelta(days=n))
        for n in range(services.MAX_ROW_ERRORS + 7)
    ]
    with pytest.raises(ValidationError) as error:
        services.attendance_summaries_upsert(figures=rows, source="import")
    assert len(error.value.error_list) == services.MAX_ROW_ERRORS + 1
    assert error.value.error_list[-1].code == "more_problems"
    assert "7 more problems" in error.value.messages[-1]


def test_bulk_upsert_in_several_batches(world, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 4)
    learners = [LearnerFactory(school=world.school_b) for _ in range(9)]
    assert services.attendance_summaries_upsert(figures=[figures(learner) for learner in learners], source="import") == 9
    assert set(AttendanceSummary.objects.values_list("school_id", flat=True)) == {world.school_b.pk}
