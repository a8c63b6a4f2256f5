"""iCalendar feeds: every feed parses with a standard parser, times stay local across the clock changes,
what a feed shows depends on its scope, and a revoked or unknown token is 404."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from cymuned.premises import ical
from cymuned.premises.availability import local_slot
from cymuned.premises.models import Booking, BookingSeries, CalendarFeed, Hirer, SeriesStatus, Space

from .factories import UserFactory

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


def add_series(world, *, days, space=None, hirer=None, activity="Yoga", status=SeriesStatus.APPROVED, starts=18, ends=20, reference=None):
    """A request with one occurrence per day, straight into the database (the booking service is tested elsewhere)."""
    space = space or world.space
    hirer = hirer or world.hirer
    series = BookingSeries.objects.create(reference=reference or BookingSeries.new_reference(), space=space, hirer=hirer, activity=activity,
                                          expected_people=10, tier="community", status=status, terms_accepted_on=timezone.now())
    for day in days:
        slot = local_slot(day, datetime.time(starts), datetime.time(ends))
        Booking.objects.create(series=series, space=space, starts_at=slot.starts_at, ends_at=slot.ends_at, status=status)
    return series


def other_hirer(world, name="Pentrebach Boxing Club"):
    return Hirer.objects.create(user=UserFactory(full_name="Someone Else"), local_authority=world.la, kind="club", organisation_name=name)


def feed_of(scope, **target):
    return CalendarFeed.objects.create(scope=scope, **target)


def fetch(feed, lang="en-gb", client=None, **headers):
    response = (client or Client()).get(f"/{lang}/premises/feeds/{feed.token}.ics", **headers)
    return response


def parse(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert calendar.name == "VCALENDAR"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == ical.PRODID
    assert str(calendar["X-WR-CALNAME"])
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/London"]
    for event in calendar.walk("VEVENT"):
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "SEQUENCE", "STATUS"):
            assert prop in event, prop
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert event["DTEND"].params["TZID"] == "Europe/London"
    return calendar


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


def next_clock_change(month: int) -> datetime.date:
    """The next last Sunday of March (3) or October (10) at least three weeks away."""
    today = timezone.localdate()
    for year in (today.year, today.year + 1, today.year + 2):
        last = datetime.date(year, month, 31)
        sunday = last - datetime.timedelta(days=(last.weekday() - 6) % 7)
        if sunday > today + datetime.timedelta(days=21):
            return sunday
    raise AssertionError("unreachable")


# What every feed contains ------------------------------------------------------------------------------------------


def test_a_space_feed_is_valid_icalendar_and_shows_only_that_the_space_is_taken(world):
    feed = feed_of("space", space=world.space)
    response = fetch(feed)
    calendar = parse(response)
    (event,) = events(calendar)
    assert str(event["UID"]) == f"booking-{world.booking.pk}@cymuned"
    assert str(event["SUMMARY"]) == "Booked"
    assert str(event["STATUS"]) == "TENTATIVE"  # the world's request is still waiting
    assert event["SEQUENCE"] == 0
    assert "Main hall" in str(event["LOCATION"]) and "Alpha School" in str(event["LOCATION"])
    assert "DESCRIPTION" not in event and "URL" not in event
    body = response.content.decode()
    for private in ("Merthyr Choir", "Choir practice", "A Parent", "parent@example.org", "B-TEST0001"):
        assert private not in body
    assert "Main hall, Alpha School" in str(calendar["X-WR-CALNAME"])
    assert event.decoded("DTSTART") == timezone.localtime(world.booking.starts_at, LONDON)
    assert response["X-Robots-Tag"].startswith("noindex")


def test_a_school_feed_shows_activities_and_hirers_and_approval(world):
    world.series.status = SeriesStatus.APPROVED
    world.series.save()
    world.series.bookings.update(status=SeriesStatus.APPROVED)
    hall2 = Space.objects.create(school=world.school_a, kind="classroom", name_en="Room 2", name_cy="Ystafell 2", capacity=20)
    add_series(world, space=hall2, hirer=other_hirer(world), activity="Boxing", days=[world.booking.starts_at.date()])
    add_series(world, space=Space.objects.create(school=world.school_b, kind="hall", name_en="B hall", name_cy="Neuadd B", capacity=50),
               activity="Elsewhere", days=[world.booking.starts_at.date()])
    calendar = parse(fetch(feed_of("school", school=world.school_a)))
    found = {str(e["SUMMARY"]): e for e in events(calendar)}
    assert set(found) == {"Choir practice", "Boxing"}
    choir = found["Choir practice"]
    assert str(choir["STATUS"]) == "CONFIRMED" and choir["SEQUENCE"] == 1
    assert "Merthyr Choir" in str(choir["DESCRIPTION"]) and "B-TEST0001" in str(choir["DESCRIPTION"])
    assert str(choir["URL"]).endswith(f"/en-gb/premises/requests/{world.series.pk}/")
    assert "Pentrebach Boxing Club" in str(found["Boxing"]["DESCRIPTION"])
    assert "Room 2" in str(found["Boxing"]["LOCATION"])


def test_a_hirer_feed_shows_only_their_own_bookings_wherever_they_are(world):
    day = world.booking.starts_at.date()
    add_series(world, hirer=other_hirer(world), activity="Not theirs", days=[day + datetime.timedelta(days=1)])
    elsewhere = Space.objects.create(school=world.school_c, kind="hall", name_en="Gamma hall", name_cy="Neuadd Gama", capacity=50)
    add_series(world, space=elsewhere, activity="Concert", days=[day])
    calendar = parse(fetch(feed_of("hirer", hirer=world.hirer)))
    summaries = sorted(str(e["SUMMARY"]) for e in events(calendar))
    assert summaries == ["Choir practice", "Concert"]
    assert "Merthyr Choir" in str(calendar["X-WR-CALNAME"])
    choir = next(e for e in events(calendar) if str(e["SUMMARY"]) == "Choir practice")
    assert str(choir["URL"]).endswith(f"/en-gb/premises/my-bookings/{world.series.pk}/")
    assert "Merthyr Choir" not in str(choir["DESCRIPTION"])  # their own name is no news to them


def test_cancelled_dates_declined_and_answered_requests_are_left_out(world):
    day = world.booking.starts_at.date()
    series = add_series(world, activity="Weekly", days=[day + datetime.timedelta(days=7 * n + 1) for n in range(4)])
    Booking.objects.filter(pk=series.bookings.order_by("starts_at")[1].pk).update(status=SeriesStatus.CANCELLED)
    for status in (SeriesStatus.DECLINED, SeriesStatus.ALTERNATIVE, SeriesStatus.CANCELLED):
        add_series(world, activity=f"Gone {status}", status=status, days=[day + datetime.timedelta(days=2)])
    calendar = parse(fetch(feed_of("space", space=world.space)))
    starts = [e.decoded("DTSTART").date() for e in events(calendar)]
    assert len(starts) == 1 + 3
    assert day + datetime.timedelta(days=8) not in starts
    assert all(str(e["STATUS"]) in ("CONFIRMED", "TENTATIVE") for e in events(calendar))


def test_old_bookings_drop_out_of_the_feed(world):
    add_series(world, activity="Long ago", days=[timezone.localdate() - datetime.timedelta(days=200)])
    add_series(world, activity="Last month", days=[timezone.localdate() - datetime.timedelta(days=30)])
    calendar = parse(fetch(feed_of("hirer", hirer=world.hirer)))
    assert sorted(str(e["SUMMARY"]) for e in events(calendar)) == ["Choir practice", "Last month"]


def test_an_empty_feed_still_parses_with_its_timezone(world):
    world.series.bookings.all().delete()
    assert events(parse(fetch(feed_of("space", space=world.space)))) == []


# Daylight saving -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("month", [10, 3])
def test_a_weekly_series_over_a_clock_change_stays_at_18_00_local(world, month):
    change = next_clock_change(month)
    tuesdays = [change - datetime.timedelta(days=12), change - datetime.timedelta(days=5), change + datetime.timedelta(days=2),
                change + datetime.timedelta(days=9)]
    series = add_series(world, activity="Over the change", days=tuesdays)
    response = fetch(feed_of("hirer", hirer=world.hirer))
    calendar = parse(response)
    mine = sorted((e for e in events(calendar) if str(e["SUMMARY"]) == "Over the change"), key=lambda e: e.decoded("DTSTART"))
    assert [e.decoded("DTSTART").date() for e in mine] == tuesdays
    for event in mine:
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert (start.hour, start.minute, end.hour) == (18, 0, 20)
        assert start.tzinfo is not None
    utc_hours = [e.decoded("DTSTART").astimezone(datetime.UTC).hour for e in mine]
    assert utc_hours == ([17, 17, 18, 18] if month == 10 else [18, 18, 17, 17])
    body = response.content.decode().replace("\r\n ", "")
    for day in tuesdays:
        assert f"DTSTART;TZID=Europe/London:{day:%Y%m%d}T180000" in body
    # The VTIMEZONE in the feed itself (not only the reader's tz database) puts the change on the right day.
    (vtimezone,) = calendar.walk("VTIMEZONE")
    zone = vtimezone.to_tz()
    offsets = [datetime.datetime.combine(day, datetime.time(18)).replace(tzinfo=zone).utcoffset() for day in tuesdays]
    assert offsets == [datetime.datetime.combine(d, datetime.time(18), tzinfo=LONDON).utcoffset() for d in tuesdays]
    assert offsets[1] != offsets[2]
    assert series.bookings.count() == 4


# Tokens ------------------------------------------------------------------------------------------------------------


def test_revoked_and_unknown_tokens_are_404(world):
    feed = feed_of("space", space=world.space)
    assert fetch(feed).status_code == 200
    ical.calendar_feed_revoke(by=world.users["csm"], feed=feed)
    assert fetch(feed).status_code == 404
    client = Client()
    for token in ("not-a-real-token", "x" * 32, feed.token[:-1]):
        assert client.get(f"/en-gb/premises/feeds/{token}.ics").status_code == 404
    assert client.get("/en-gb/premises/feeds/.ics").status_code == 404


def test_tokens_are_long_and_unique(world):
    tokens = {feed_of("space", space=world.space).token for _ in range(20)}
    assert len(tokens) == 20
    assert all(len(t) >= 32 for t in tokens)


def test_the_same_data_gives_the_same_bytes_and_conditional_get_works(world):
    feed = feed_of("school", school=world.school_a)
    first, second = fetch(feed), fetch(feed)
    assert first.content == second.content
    assert fetch(feed, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_welsh_feed_names_the_school_in_welsh(world):
    calendar = parse(fetch(feed_of("school", school=world.school_a), lang="cy"))
    assert "Ysgol Alffa" in str(calendar["X-WR-CALNAME"])


def test_a_feed_runs_a_constant_number_of_queries(world):
    feed = feed_of("school", school=world.school_a)
    fetch(feed)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert fetch(feed).status_code == 200
        return len(context.captured_queries)

    few = count()
    day = world.booking.starts_at.date()
    for n in range(6):  # two more dates for each of six more hirers, each in weeks of its own
        add_series(world, hirer=other_hirer(world, f"Club {n}"), activity=f"Club {n}",
                   days=[day + datetime.timedelta(days=7 * week + 1) for week in (2 * n, 2 * n + 1)])
    assert count() == few


# Pages that manage feeds -----------------------------------------------------------------------------------------


def test_a_hirer_creates_copies_and_stops_their_own_feed(world, client_for):
    client = client_for("public")
    assert client.get("/en-gb/premises/my-feeds/").status_code == 200
    response = client.post("/en-gb/premises/my-feeds/", {"action": "create"})
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(hirer=world.hirer)
    assert feed.scope == "hirer" and feed.created_by == world.users["public"]
    page = client.get("/en-gb/premises/my-feeds/").content.decode()
    assert f"/en-gb/premises/feeds/{feed.token}.ics" in page and "webcal://" in page
    assert fetch(feed).status_code == 200
    client.post("/en-gb/premises/my-feeds/", {"action": "revoke", "feed": feed.pk})
    feed.refresh_from_db()
    assert feed.revoked_on is not None
    assert fetch(feed).status_code == 404
    assert feed.token not in client.get("/en-gb/premises/my-feeds/").content.decode()


def test_staff_without_a_hirer_account_are_sent_to_register(world, client_for):
    response = client_for("school_staff").get("/en-gb/premises/my-feeds/")
    assert response.status_code == 302 and "/premises/register/" in response["Location"]


def test_nobody_else_can_stop_a_hirers_feed(world, client_for):
    feed = feed_of("hirer", hirer=world.hirer)
    assert client_for("csm").post("/en-gb/premises/manage/feeds/", {"action": "revoke", "feed": feed.pk}).status_code == 404
    other = other_hirer(world)
    other_client = Client()
    other_client.force_login(other.user)
    assert other_client.post("/en-gb/premises/my-feeds/", {"action": "revoke", "feed": feed.pk}).status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_on is None


@pytest.mark.parametrize("name", ["csm", "headteacher", "la_officer", "la_lead"])
def test_managers_create_space_and_school_feeds(world, client_for, name):
    client = client_for(name)
    page = client.get("/en-gb/premises/manage/feeds/")
    assert page.status_code == 200
    assert client.post("/en-gb/premises/manage/feeds/", {"action": "space", "space": world.space.pk}).status_code == 302
    assert client.post("/en-gb/premises/manage/feeds/", {"action": "school", "school": world.school_a.pk}).status_code == 302
    feeds = CalendarFeed.objects.order_by("pk")
    assert [(f.scope, f.space_id, f.school_id) for f in feeds] == [("space", world.space.pk, None), ("school", None, world.school_a.pk)]
    page = client.get("/en-gb/premises/manage/feeds/").content.decode()
    assert all(f.token in page for f in feeds)
    client.post("/en-gb/premises/manage/feeds/", {"action": "revoke", "feed": feeds[0].pk})
    assert fetch(feeds[0]).status_code == 404 and fetch(feeds[1]).status_code == 200


@pytest.mark.parametrize("name", ["head_other_cluster", "lead_other_la"])
def test_other_schools_managers_cannot_create_or_stop_school_a_feeds(world, client_for, name):
    client = client_for(name)
    response = client.post("/en-gb/premises/manage/feeds/", {"action": "space", "space": world.space.pk})
    assert response.status_code == 422
    assert client.post("/en-gb/premises/manage/feeds/", {"action": "school", "school": world.school_a.pk}).status_code == 422
    assert not CalendarFeed.objects.exists()
    feed = feed_of("school", school=world.school_a)
    assert client.post("/en-gb/premises/manage/feeds/", {"action": "revoke", "feed": feed.pk}).status_code == 404
    assert feed.token not in client.get("/en-gb/premises/manage/feeds/").content.decode()
    feed.refresh_from_db()
    assert feed.revoked_on is None


@pytest.mark.parametrize(("name", "status"), [("public", 403), ("school_staff", 403), ("feo", 403), ("governor", 403)])
def test_only_lettings_managers_reach_the_feeds_page(world, client_for, name, status):
    assert client_for(name).get("/en-gb/premises/manage/feeds/").status_code == status


def test_the_service_refuses_feeds_of_what_you_do_not_manage(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        ical.calendar_feed_create(by=world.users["head_other_cluster"], scope="space", space=world.space)
    with pytest.raises(PermissionDenied):
        ical.calendar_feed_create(by=world.users["csm"], scope="hirer", hirer=world.hirer)
    with pytest.raises(PermissionDenied):
        ical.calendar_feed_revoke(by=world.users["public"], feed=feed_of("school", school=world.school_a))
