"""Calendars of a space and of a school, by week and by month: plain accessible tables, names only for those who
manage the lettings, bad addresses answered with this week or month, and a constant number of queries."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cymuned.premises.availability import local_slot
from cymuned.premises.models import Block, SeriesStatus, Space
from cymuned.premises.views_calendar import period_from

from .test_premises_ical import add_series, next_clock_change, other_hirer

pytestmark = pytest.mark.django_db


def space_url(world, query=""):
    return f"/en-gb/premises/manage/spaces/{world.space.pk}/calendar/{query}"


def school_url(world, query="", lang="en-gb"):
    return f"/{lang}/premises/manage/schools/{world.school_a.pk}/calendar/{query}"


def booking_week(world) -> str:
    return f"?week={timezone.localtime(world.booking.starts_at):%Y-%m-%d}"


def booking_month(world) -> str:
    return f"?month={timezone.localtime(world.booking.starts_at):%Y-%m}"


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# Which days a page shows ---------------------------------------------------------------------------------------------

TODAY = datetime.date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("params", "kind", "first", "last"),
    [
        ({}, "week", datetime.date(2026, 11, 23), datetime.date(2026, 11, 29)),
        ({"week": "2026-10-29"}, "week", datetime.date(2026, 10, 26), datetime.date(2026, 11, 1)),
        ({"week": "2027-03-28"}, "week", datetime.date(2027, 3, 22), datetime.date(2027, 3, 28)),
        ({"month": "2026-02"}, "month", datetime.date(2026, 1, 26), datetime.date(2026, 3, 1)),
        ({"month": "2027-03"}, "month", datetime.date(2027, 3, 1), datetime.date(2027, 4, 4)),
        ({"month": "2026-12", "week": "2026-01-01"}, "month", datetime.date(2026, 11, 30), datetime.date(2027, 1, 3)),
    ],
)
def test_periods(params, kind, first, last):
    period = period_from(params, today=TODAY)
    assert (period.kind, period.first, period.last, period.problem) == (kind, first, last, "")
    assert period.first.weekday() == 0 and period.last.weekday() == 6


@pytest.mark.parametrize(
    ("params", "kind"),
    [
        ({"week": "2026-02-30"}, "week"),
        ({"week": "banana"}, "week"),
        ({"week": ""}, "week"),
        ({"week": "0001-01-01"}, "week"),
        ({"week": "9999-12-31"}, "week"),
        ({"week": "2026-1-5"}, "week"),
        ({"week": "2026-11-23T00:00"}, "week"),
        ({"week": "２０２６-１１-２３"}, "week"),
        ({"month": "2026-13"}, "month"),
        ({"month": "2026-00"}, "month"),
        ({"month": "0000-01"}, "month"),
        ({"month": "99999-01"}, "month"),
        ({"month": "<script>"}, "month"),
    ],
)
def test_bad_values_give_this_week_or_month_with_a_message(params, kind):
    period = period_from(params, today=TODAY)
    assert period.kind == kind and period.problem
    assert period.start == (datetime.date(2026, 11, 23) if kind == "week" else datetime.date(2026, 11, 1))


def test_previous_and_next_cross_years():
    period = period_from({"month": "2026-12"}, today=TODAY)
    assert (period.previous["query"], period.next["query"]) == ("?month=2026-11", "?month=2027-01")
    week = period_from({"week": "2026-12-30"}, today=TODAY)
    assert (week.previous["query"], week.next["query"]) == ("?week=2026-12-21", "?week=2027-01-04")
    assert period_from({"week": "2000-01-03"}, today=TODAY).previous is None


# Pages -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["csm", "headteacher", "la_officer", "la_lead"])
def test_managers_see_activity_hirer_and_a_link_to_the_request(world, client_for, name):
    html = page(client_for(name), space_url(world, booking_week(world)))
    assert "Choir practice" in html and "Merthyr Choir" in html
    assert f"/en-gb/premises/requests/{world.series.pk}/" in html
    assert "18:00" in html and "20:00" in html
    assert "Waiting for approval" in html
    assert html.count('<th scope="row"') == 7
    assert '<caption class="govuk-table__caption' in html


@pytest.mark.parametrize("name", ["school_staff", "feo", "governor", "hub_coordinator", "partner_worker", "head_other_cluster"])
def test_other_staff_of_the_la_see_only_that_the_space_is_taken(world, client_for, name):
    for url in (space_url(world, booking_week(world)), school_url(world, booking_week(world)), space_url(world, booking_month(world))):
        html = page(client_for(name), url)
        assert "Booked" in html and "18:00" in html
        assert "Choir practice" not in html and "Merthyr Choir" not in html and "B-TEST0001" not in html
        assert f"/premises/requests/{world.series.pk}/" not in html


def test_staff_of_another_la_see_a_public_space_busy_times_but_not_the_school_calendar(world, client_for):
    client = client_for("lead_other_la")
    html = page(client, space_url(world, booking_week(world)))
    assert "Booked" in html and "Merthyr Choir" not in html
    assert client.get(school_url(world)).status_code == 404
    world.space.is_public = False
    world.space.save()
    assert client.get(space_url(world)).status_code == 404


def test_the_public_and_the_anonymous_are_refused(world, client_for):
    assert client_for("public").get(space_url(world)).status_code == 403
    assert client_for("public").get(school_url(world)).status_code == 403
    response = client_for(None).get(school_url(world))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_a_school_week_has_a_column_per_space_and_shows_closures(world, client_for):
    room = Space.objects.create(school=world.school_a, kind="classroom", name_en="Room 2", name_cy="Ystafell 2", capacity=20)
    day = timezone.localtime(world.booking.starts_at).date()
    add_series(world, space=room, hirer=other_hirer(world), activity="Boxing", days=[day], starts=19, ends=21)
    closure = local_slot(day + datetime.timedelta(days=1), datetime.time(0), datetime.time(23, 59))
    Block.objects.create(school=world.school_a, kind="closure", reason="Polling station", starts_at=closure.starts_at, ends_at=closure.ends_at)
    html = page(client_for("csm"), school_url(world, booking_week(world)))
    headers = re.findall(r'<th scope="col" class="govuk-table__header">([^<]*)</th>', html)
    assert headers == ["Day", "Main hall", "Room 2"]
    assert "Boxing" in html and "Pentrebach Boxing Club" in html and "Choir practice" in html
    assert html.count("Polling station") == 2  # a whole-school closure shows in every space's column
    row = re.search(r"<tr class=\"govuk-table__row\">\s*<th scope=\"row\"[^>]*>" + day.strftime("%A") + r".*?</tr>", html, re.S).group(0)
    assert row.index("Choir practice") < row.index("Boxing")  # main hall column first


def test_a_month_is_a_table_of_weeks_with_each_day_named(world, client_for):
    html = page(client_for("csm"), school_url(world, booking_month(world)))
    start = timezone.localtime(world.booking.starts_at)
    assert f"{start:%B %Y}" in html
    assert re.findall(r'<th scope="col" class="govuk-table__header">([^<]*)</th>', html) == [
        "Week", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert f'<span class="govuk-visually-hidden">{start:%A} {start.day} {start:%B %Y}</span>' in html
    assert "Choir practice" in html and "Main hall" in html
    assert "?week=" in html and "Previous month" in html and "Next month" in html


def test_a_booking_after_the_october_change_is_at_18_00_on_its_day(world, client_for):
    change = next_clock_change(10)
    after = change + datetime.timedelta(days=2)
    add_series(world, activity="After the change", days=[change - datetime.timedelta(days=5), after], status=SeriesStatus.APPROVED)
    html = page(client_for("csm"), space_url(world, f"?week={after:%Y-%m-%d}"))
    row = re.search(r"<th scope=\"row\"[^>]*>" + f"{after:%A} {after.day} {after:%B}" + r".*?</tr>", html, re.S).group(0)
    assert "After the change" in row and ">18:00</time>" in row and ">20:00</time>" in row
    month = page(client_for("csm"), space_url(world, f"?month={after:%Y-%m}"))
    cell = re.search(f"{after:%A} {after.day} {after:%B %Y}" + r"</span>.*?</td>", month, re.S).group(0)
    assert "After the change" in cell and ">18:00</time>" in cell


@pytest.mark.parametrize("query", ["?week=2026-02-30", "?week=nonsense", "?month=2026-13", "?month=", "?week=99999-01-01",
                                   "?month=%00", "?week=2026-11-23&week=x"])
def test_bad_addresses_show_this_week_or_month_with_a_message(world, client_for, query):
    html = page(client_for("csm"), space_url(world, query))
    assert "Showing this" in html
    today = timezone.localdate()
    if "month" in query:
        assert f"{today:%B %Y}" in html
    else:
        monday = today - datetime.timedelta(days=today.weekday())
        assert f"Week beginning {monday:%A} {monday.day} {monday:%B %Y}" in html


def test_welsh_pages_render(world, client_for):
    html = page(client_for("csm"), school_url(world, booking_month(world), lang="cy"))
    assert "Ysgol Alffa" in html and 'lang="cy"' in html


def test_the_index_lists_the_schools_of_the_users_la(world, client_for):
    Space.objects.create(school=world.school_other_la, kind="hall", name_en="Delta hall", name_cy="Neuadd Delta", capacity=50)
    html = page(client_for("la_officer"), "/en-gb/premises/manage/calendars/")
    assert f"/en-gb/premises/manage/schools/{world.school_a.pk}/calendar/" in html
    assert f"/en-gb/premises/manage/spaces/{world.space.pk}/calendar/" in html
    assert "Delta hall" not in html
    assert "/en-gb/premises/manage/feeds/" in html
    assert "/en-gb/premises/manage/feeds/" not in page(client_for("school_staff"), "/en-gb/premises/manage/calendars/")


# Queries ---------------------------------------------------------------------------------------------------------


def grow(world, n: int, offset: int) -> None:
    """More spaces, bookings and closures at school A in the booking's week and month."""
    day = timezone.localtime(world.booking.starts_at).date()
    monday = day - datetime.timedelta(days=day.weekday())
    for i in range(n):
        room = Space.objects.create(school=world.school_a, kind="classroom", name_en=f"Room {offset + i}", name_cy=f"Ystafell {offset + i}",
                                    capacity=20)
        add_series(world, space=room, hirer=other_hirer(world, f"Club {offset + i}"), activity=f"Club {offset + i}",
                   days=[monday + datetime.timedelta(days=d) for d in range(5)])
        k = offset + i  # a different day and hour for each, so hall bookings never overlap
        add_series(world, activity=f"Hall {k}", days=[monday + datetime.timedelta(days=k % 7)], starts=9 + k % 8, ends=10 + k % 8)
        block = local_slot(monday + datetime.timedelta(days=k % 7), datetime.time(7), datetime.time(8))
        Block.objects.create(school=world.school_a, space=room, kind="school_use", starts_at=block.starts_at, ends_at=block.ends_at)


@pytest.mark.parametrize("name", ["csm", "school_staff", "la_lead"])
@pytest.mark.parametrize("which", ["space-week", "space-month", "school-week", "school-month", "index"])
def test_calendars_run_a_constant_number_of_queries(world, client_for, name, which):
    client = client_for(name)
    url = {
        "space-week": space_url(world, booking_week(world)),
        "space-month": space_url(world, booking_month(world)),
        "school-week": school_url(world, booking_week(world)),
        "school-month": school_url(world, booking_month(world)),
        "index": "/en-gb/premises/manage/calendars/",
    }[which]

    def count() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    grow(world, 2, 0)
    count()
    few = count()
    grow(world, 6, 10)
    assert count() == few
