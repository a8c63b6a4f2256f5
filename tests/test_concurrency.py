"""Work done at the same moment ends as if it had been done one after the other."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from cymuned.outcomes.models import AttendanceSummary
from cymuned.outcomes.services import AttendanceFigures, attendance_summaries_upsert
from cymuned.premises import services as premises
from cymuned.premises.models import BookingSeries, Invoice, SeriesStatus

from .factories import LearnerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*jobs: Callable[[], object]) -> list[object]:
    """Run the jobs in threads released together; each answer is its result or the exception it raised."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int, job: Callable[[], object]) -> None:
        from django.db import connection

        barrier.wait()
        try:
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - the test looks at what each raised
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_managers_approving_one_request_at_once_approve_it_once(world):
    series = world.series
    results = at_once(lambda: premises.booking_approve(by=world.user("headteacher"), series=series),
                      lambda: premises.booking_approve(by=world.user("csm"), series=series))
    approved = [r for r in results if isinstance(r, BookingSeries)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert refused[0].messages == ["This request has already been decided."]
    series.refresh_from_db()
    assert series.status == SeriesStatus.APPROVED
    assert Invoice.objects.filter(series=series).count() <= 1  # one invoice at most, as if approved once


def test_two_requests_and_an_approval_at_once_never_double_book(world):
    """The slot already held by the request being approved cannot be taken by two other hirers either."""
    from cymuned.premises.models import Booking, Hirer

    other = Hirer.objects.create(user=world.user("governor"),
                                 local_authority=world.la, kind="community_group", organisation_name="Other group",
                                 insurance_provider="Zurich",
                                 insurance_expires_on=world.hirer.insurance_expires_on,
                                 safeguarding_declared_on=world.hirer.safeguarding_declared_on)
    local = world.booking.starts_at.astimezone(datetime.UTC)
    from django.utils import timezone

    day = timezone.localtime(world.booking.starts_at).date()

    def ask(user):
        return lambda: premises.booking_request(by=user, space=world.space, activity="Clash", expected_people=10, first_day=day,
                                                starts=datetime.time(18, 30), ends=datetime.time(19, 30), terms_accepted=True)

    results = at_once(lambda: premises.booking_approve(by=world.user("headteacher"), series=world.series),
                      ask(world.user("public")), ask(other.user))
    assert isinstance(results[0], BookingSeries), results
    assert all(isinstance(r, ValidationError) for r in results[1:]), results
    assert Booking.objects.filter(space=world.space, starts_at__lt=local + datetime.timedelta(hours=2),
                                  ends_at__gt=local).count() == 1


def test_two_imports_of_one_schools_figures_at_once_equal_one_after_the_other(world):
    learners = [LearnerFactory(school=world.school_a) for _ in range(30)]
    end = datetime.date.today() - datetime.timedelta(days=1)

    def rows(attended: int) -> list[AttendanceFigures]:
        return [AttendanceFigures(learner_id=learner.pk, period_start=end - datetime.timedelta(days=60), period_end=end,
                                  possible_sessions=200, attended_sessions=attended, authorised_absences=200 - attended,
                                  unauthorised_absences=0) for learner in learners]

    results = at_once(lambda: attendance_summaries_upsert(figures=rows(180), source="import", school=world.school_a),
                      lambda: attendance_summaries_upsert(figures=rows(190), source="import", school=world.school_a))
    assert results == [30, 30], results
    summaries = AttendanceSummary.objects.filter(learner__in=learners)
    assert summaries.count() == 30
    # One file or the other won for every learner, the same file for all of them: never a mixture of the two.
    assert set(summaries.values_list("attended_sessions", flat=True)) in ({180}, {190})


def test_two_attendance_files_for_one_school_at_once_equal_one_after_the_other(world):
    from cymuned.outcomes.models import AttendanceImport, AttendanceYear
    from cymuned.outcomes.services import attendance_marks_import

    from .test_attendance_import import csv_of, week_rows

    learners = [LearnerFactory(school=world.school_a) for _ in range(5)]
    present = csv_of([row for lr in learners for row in week_rows(lr.upn, ["/", "\\"] * 5)])
    absent = csv_of([row for lr in learners for row in week_rows(lr.upn, ["O", "O"] * 5)])
    results = at_once(lambda: attendance_marks_import(source=present, school=world.school_a),
                      lambda: attendance_marks_import(source=absent, school=world.school_a))
    assert all(getattr(r, "ok", False) for r in results), results
    assert AttendanceImport.objects.count() == 2
    years = AttendanceYear.objects.filter(learner__in=learners)
    assert years.count() == 5  # one row a learner, not one per file
    # The later file replaced the earlier one whole: every learner has the same file's marks.
    assert len({"".join(sorted(set(y.codes) - {"-"})) for y in years}) == 1


def test_an_import_is_a_security_event(world, caplog):
    import logging

    from cymuned.outcomes.services import attendance_marks_import

    from .test_attendance_import import csv_of, week_rows

    logger = logging.getLogger("cymuned.security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="cymuned.security")
    try:
        attendance_marks_import(source=csv_of(week_rows(world.learner_a.upn, ["/"] * 10)), school=world.school_a,
                                by=world.user("headteacher"))
        attendance_marks_import(source=csv_of([("X", "nonsense", "AM", "/")]), school=world.school_a,
                                by=world.user("headteacher"))
    finally:
        logger.removeHandler(caplog.handler)
    events = [r.security for r in caplog.records if hasattr(r, "security")]
    done = next(e for e in events if e["event"] == "import")
    assert done["kind"] == "attendance_marks" and done["learners"] == 1 and done["user_id"] == world.user("headteacher").pk
    refused = next(e for e in events if e["event"] == "import_refused")
    assert refused["error_count"] >= 1
    assert world.learner_a.upn not in str(events)
