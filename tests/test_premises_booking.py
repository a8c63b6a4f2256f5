"""Booking school spaces: recurrence in local time, conflicts named by date, no double booking, approvals."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from cymuned.premises import services
from cymuned.premises.availability import expand, local_slot
from cymuned.premises.models import Block, Booking, BookingSeries, SeriesStatus

from .conftest import next_weekday

pytestmark = pytest.mark.django_db

EVENING = (datetime.time(18), datetime.time(20))


def _request(world, first_day, **kwargs):
    defaults = {"activity": "Yoga", "expected_people": 20, "first_day": first_day, "starts": EVENING[0], "ends": EVENING[1],
                "terms_accepted": True}
    return services.booking_request(by=world.user("public"), space=world.space, **{**defaults, **kwargs})


@given(first=st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2030, 12, 31)),
       weeks=st.integers(min_value=0, max_value=30), hour=st.integers(min_value=0, max_value=22))
@settings(max_examples=200, deadline=None)
def test_weekly_expansion_keeps_the_local_time_across_clock_changes(first, weeks, hour):
    slots = expand(first_day=first, starts=datetime.time(hour), ends=datetime.time(hour + 1),
                   weekly_until=first + datetime.timedelta(weeks=weeks))
    assert len(slots) == weeks + 1
    for n, slot in enumerate(slots):
        local = timezone.localtime(slot.starts_at)
        assert (local.date(), local.hour, local.minute) == (first + datetime.timedelta(weeks=n), hour, 0)
        assert slot.ends_at > slot.starts_at


def test_a_series_over_the_october_clock_change_is_an_hour_apart_in_utc():
    # 25 October 2026 the clocks go back: 18:00 is 17:00 UTC before and 18:00 UTC after.
    slots = expand(first_day=datetime.date(2026, 10, 20), starts=EVENING[0], ends=EVENING[1], weekly_until=datetime.date(2026, 10, 27))
    assert [s.starts_at.astimezone(datetime.UTC).hour for s in slots] == [17, 18]


def test_skipped_dates_are_left_out():
    slots = expand(first_day=datetime.date(2026, 1, 6), starts=EVENING[0], ends=EVENING[1], weekly_until=datetime.date(2026, 1, 27),
                   skip=[datetime.date(2026, 1, 13)])
    assert [s.local_day.day for s in slots] == [6, 20, 27]


def test_a_free_weekly_series_is_requested_and_holds_its_slots(world):
    series = _request(world, next_weekday(2), weekly_until=next_weekday(2, 4))
    assert series.status == SeriesStatus.REQUESTED
    assert series.bookings.count() == 4
    assert series.tier == "community"


def test_overlap_with_another_booking_is_named_by_date_and_nothing_is_written(world):
    before = BookingSeries.objects.count()
    with pytest.raises(ValidationError) as error:
        _request(world, next_weekday(1), weekly_until=next_weekday(1, 3), starts=datetime.time(19), ends=datetime.time(21))
    messages = error.value.messages
    assert len(messages) == 1 and "already booked" in messages[0]
    assert BookingSeries.objects.count() == before


def test_outside_opening_hours_and_past_dates_and_closures(world):
    with pytest.raises(ValidationError) as error:
        _request(world, next_weekday(2), starts=datetime.time(8), ends=datetime.time(9))
    assert "not open to hire" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        _request(world, datetime.date.today() - datetime.timedelta(days=7))
    assert "already passed" in error.value.messages[0]
    closed = local_slot(next_weekday(3, 2), datetime.time(0), datetime.time(23, 59))
    Block.objects.create(school=world.school_a, kind="closure", starts_at=closed.starts_at, ends_at=closed.ends_at, reason="Polling station")
    with pytest.raises(ValidationError) as error:
        _request(world, next_weekday(3), weekly_until=next_weekday(3, 3))
    assert len(error.value.messages) == 1 and "Polling station" in error.value.messages[0]


def test_expired_insurance_and_missing_safeguarding_are_refused(world):
    world.hirer.insurance_expires_on = next_weekday(2, 2)
    world.hirer.safeguarding_declared_on = None
    world.hirer.save()
    with pytest.raises(ValidationError) as error:
        _request(world, next_weekday(2), weekly_until=next_weekday(2, 4))
    assert error.value.error_list[0].code == "insurance_expires"
    with pytest.raises(ValidationError) as error:
        _request(world, next_weekday(2), involves_children=True)
    assert "safeguarding" in str(error.value)


def test_staff_without_a_hirer_account_cannot_request(world):
    with pytest.raises(PermissionDenied):
        services.booking_request(by=world.user("feo"), space=world.space, activity="X", expected_people=1, first_day=next_weekday(2),
                                 starts=EVENING[0], ends=EVENING[1], terms_accepted=True)


def test_approve_decline_and_alternative(world):
    series = services.booking_approve(by=world.user("csm"), series=world.series)
    assert series.status == "approved" and set(series.bookings.values_list("status", flat=True)) == {"approved"}
    with pytest.raises(ValidationError):
        services.booking_decline(by=world.user("csm"), series=series, reason="Too late")
    other = _request(world, next_weekday(2))
    with pytest.raises(ValidationError):
        services.booking_decline(by=world.user("headteacher"), series=other, reason="  ")
    services.booking_decline(by=world.user("headteacher"), series=other, reason="Hall floor being resurfaced")
    # The declined slot is free again.
    again = _request(world, next_weekday(2))
    services.booking_offer_alternative(by=world.user("headteacher"), series=again, alternative="Thursday at 19:00")
    assert BookingSeries.objects.get(pk=again.pk).status == "alternative"


def test_other_schools_cannot_decide(world):
    with pytest.raises(PermissionDenied):
        services.booking_approve(by=world.user("head_other_cluster"), series=world.series)
    with pytest.raises(PermissionDenied):
        services.booking_approve(by=world.user("public"), series=world.series)


def test_hirer_cancels_one_date_of_a_series(world):
    series = _request(world, next_weekday(2), weekly_until=next_weekday(2, 3))
    one = series.bookings.order_by("starts_at")[1]
    cancelled = services.booking_cancel(by=world.user("public"), series=series, only=one)
    assert [b.pk for b in cancelled] == [one.pk]
    series.refresh_from_db()
    assert series.status == "requested"
    assert series.bookings.filter(status="cancelled").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the exclusion constraint is PostgreSQL's")
def test_the_database_refuses_overlapping_holding_bookings(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(series=world.series, space=world.space, starts_at=world.booking.starts_at + datetime.timedelta(minutes=30),
                               ends_at=world.booking.ends_at + datetime.timedelta(minutes=30))


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_requests_for_one_slot_cannot_both_win(world):
    day = next_weekday(4)
    results: list[str] = []

    def attempt():
        from django.db import connection as thread_connection

        try:
            _request(world, day)
            results.append("ok")
        except ValidationError as error:
            results.append(error.messages[0])
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    start = local_slot(day, *EVENING).starts_at
    assert Booking.objects.filter(space=world.space, starts_at=start).count() == 1


def test_insurance_reminders_go_once_to_hirers_with_bookings_after_expiry(world):
    from cymuned.core.models import Notification

    world.hirer.insurance_expires_on = timezone.localdate() + datetime.timedelta(days=3)
    world.hirer.save()
    assert services.insurance_reminders_send() == 1
    assert Notification.objects.filter(user=world.user("public"), message__contains="insurance").count() == 1
    assert services.insurance_reminders_send() == 0
