"""Utilisation report: hours available (opening windows by term and holiday, less blocks) against approved bookings,
community use and people reached, per space, school, cluster and month; charts with tables; a logged XLSX export."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cymuned.premises import reports
from cymuned.premises.availability import local_slot
from cymuned.premises.models import Block, Booking, BookingSeries, OpeningWindow, Space, TermDate

from .conftest import next_weekday

pytestmark = pytest.mark.django_db


def url(name):
    with translation.override("en-gb"):
        return reverse(f"premises:{name}")


def _week(world):
    monday = next_weekday(0)
    return monday, monday + datetime.timedelta(days=6)


def _approve(world, people_attended=None):
    BookingSeries.objects.filter(pk=world.series.pk).update(status="approved")
    Booking.objects.filter(pk=world.booking.pk).update(status="approved", people_attended=people_attended)


def _block(world, day, start, end, space=True):
    slot = local_slot(day, datetime.time(start), datetime.time(end))
    return Block.objects.create(school=world.school_a, space=world.space if space else None, kind="school_use", starts_at=slot.starts_at,
                                ends_at=slot.ends_at)


def test_available_hours_follow_windows_and_subtract_merged_blocks(world):
    monday, sunday = _week(world)
    _approve(world)
    wednesday = monday + datetime.timedelta(days=2)
    _block(world, wednesday, 17, 19)
    _block(world, wednesday, 18, 20, space=False)  # the whole school, overlapping the first: 3 hours blocked in all
    _block(world, monday + datetime.timedelta(days=6), 10, 12)  # Sunday: the hall is not open then, nothing to take away
    data = reports.utilisation(user=world.user("csm"), filters=reports.ReportFilters(start=monday, end=sunday))
    [row] = data["spaces"]
    # term time: Monday-Friday 17:00-22:00 and Saturday 09:00-17:00 = 33 hours, less 3 blocked
    assert (row["available"], row["booked"], row["bookings"], row["people"]) == (30.0, 2.0, 1, 30)
    assert row["utilisation"] == 6.7
    assert row["community"] == 2.0 and row["cfs"] == 0.0
    assert data["total"]["available"] == 30.0 and data["schools"][0]["label"] == "Alpha School"
    assert data["clusters"][0]["label"] == "Cyfarthfa"
    assert sum(m["booked"] for m in data["months"]) == 2.0


def test_holidays_use_the_holiday_windows_and_attendance_replaces_expected_people(world):
    monday, sunday = _week(world)
    TermDate.objects.all().delete()  # every day is a holiday now
    OpeningWindow.objects.filter(space=world.space, season="holiday", weekday__lt=5).update(closes_at=datetime.time(19))
    _approve(world, people_attended=22)
    data = reports.utilisation(user=world.user("csm"), filters=reports.ReportFilters(start=monday, end=sunday))
    [row] = data["spaces"]
    assert row["available"] == 5 * 2 + 8 and row["people"] == 22


def test_requested_and_cancelled_bookings_are_not_counted(world):
    monday, sunday = _week(world)
    data = reports.utilisation(user=world.user("csm"), filters=reports.ReportFilters(start=monday, end=sunday))
    assert data["spaces"][0]["booked"] == 0 and data["spaces"][0]["utilisation"] == 0


def test_report_is_scoped_to_the_schools_managed(world, client_for):
    Space.objects.create(school=world.school_c, kind="hall", name_en="Gamma hall", name_cy="Neuadd Gama", capacity=50)
    page = client_for("head_other_cluster").get(url("utilisation")).content.decode()
    assert "Gamma hall" in page and "Main hall" not in page
    lead = client_for("la_lead").get(url("utilisation")).content.decode()
    assert "Gamma hall" in lead and "Main hall" in lead and "data-chart" in lead
    for name in ("governor", "school_staff", "public", "partner_worker"):
        assert client_for(name).get(url("utilisation")).status_code == 403


def test_filters_by_school_and_cluster(world, client_for):
    Space.objects.create(school=world.school_c, kind="hall", name_en="Gamma hall", name_cy="Neuadd Gama", capacity=50)
    client = client_for("la_lead")
    page = client.get(url("utilisation"), {"cluster": world.cluster_y.pk}).content.decode()
    assert "Gamma hall" in page and "Main hall" not in page
    page = client.get(url("utilisation"), {"school": world.school_a.pk}).content.decode()
    assert "Gamma hall" not in page and "Main hall" in page
    bad = client.get(url("utilisation"), {"start": "2030-01-01", "end": "2029-01-01"})
    assert bad.status_code == 200 and "must be before its end" in bad.content.decode()


def test_report_runs_a_constant_number_of_queries(world, client_for):
    client = client_for("la_lead")
    monday, sunday = _week(world)
    query = {"start": (monday - datetime.timedelta(days=60)).isoformat(), "end": sunday.isoformat()}
    client.get(url("utilisation"), query)
    with CaptureQueriesContext(connection) as few:
        client.get(url("utilisation"), query)
    _approve(world)
    for n in range(6):
        school = (world.school_b, world.school_c)[n % 2]
        space = Space.objects.create(school=school, kind="classroom", name_en=f"Room {n}", name_cy=f"Ystafell {n}", capacity=30)
        OpeningWindow.objects.bulk_create([OpeningWindow(space=space, weekday=d, season=s, opens_at=datetime.time(18), closes_at=datetime.time(21))
                                           for d in range(5) for s in ("term", "holiday")])
        series = BookingSeries.objects.create(reference=f"B-Q{n:07d}", space=space, hirer=world.hirer, activity="Club", expected_people=10,
                                              tier="cfs" if n % 3 == 0 else "community", status="approved",
                                              terms_accepted_on=datetime.datetime.now(datetime.UTC))
        for week in range(4):
            slot = local_slot(monday - datetime.timedelta(weeks=week), datetime.time(18), datetime.time(20))
            Booking.objects.create(series=series, space=space, starts_at=slot.starts_at, ends_at=slot.ends_at, status="approved")
        Block.objects.create(school=school, space=space, kind="closure", starts_at=local_slot(monday, datetime.time(0), datetime.time(1)).starts_at,
                             ends_at=local_slot(monday, datetime.time(0), datetime.time(1)).ends_at)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url("utilisation"), query).content.decode()
    assert "Room 5" in page
    assert len(many.captured_queries) == len(few.captured_queries)


def test_cfs_hours_are_split_from_community_hours(world):
    monday, sunday = _week(world)
    _approve(world)
    BookingSeries.objects.filter(pk=world.series.pk).update(tier="cfs")
    [row] = reports.utilisation(user=world.user("csm"), filters=reports.ReportFilters(start=monday, end=sunday))["spaces"]
    assert (row["cfs"], row["community"]) == (2.0, 0.0)


def test_xlsx_export_is_logged(world, client_for):
    from openpyxl import load_workbook

    from cymuned.audit.models import ExportRecord

    _approve(world)
    monday, sunday = _week(world)
    response = client_for("csm").get(url("utilisation-export"), {"start": monday.isoformat(), "end": sunday.isoformat()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Spaces", "Schools", "Clusters", "Months"]
    spaces = list(book["Spaces"].values)
    assert spaces[1][2] == "Main hall" and spaces[1][4] == 2.0
    record = ExportRecord.objects.get(kind="premises-utilisation")
    assert record.user == world.user("csm") and record.row_count >= 4 and record.filters["format"] == "xlsx"
    bad = client_for("csm").get(url("utilisation-export"), {"start": "nonsense"})
    assert bad.status_code == 302 and ExportRecord.objects.filter(kind="premises-utilisation").count() == 1


def test_report_in_welsh(world, client_for):
    with translation.override("cy"):
        path = reverse("premises:utilisation")
    response = client_for("csm").get(path)
    assert response.status_code == 200 and "Prif neuadd" in response.content.decode()
