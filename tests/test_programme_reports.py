"""The family engagement report: figures from set-based queries, scoped, with charts, tables and logged exports."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from cymuned.audit.models import ExportRecord
from cymuned.families.models import Contact, Episode
from cymuned.programmes import reports
from cymuned.programmes.models import Enrolment, Session

pytestmark = pytest.mark.django_db


def _filters(**kwargs):
    today = timezone.localdate()
    return reports.ReportFilters(start=today - datetime.timedelta(days=365), end=today, **kwargs)


def test_contacts_by_month_counts_each_kind(world):
    today = timezone.localdate()
    Contact.objects.create(episode=world.episode, happened_on=today, kind="phone")
    Contact.objects.create(episode=world.episode, happened_on=today, kind="phone")
    rows = reports.contacts_by_month(user=world.user("feo"), filters=_filters())
    this_month = next(r for r in rows if r["month"] == today.replace(day=1))
    assert this_month["total"] >= 2
    assert sum(r["total"] for r in rows) == Contact.objects.count()
    # Every month of the period appears, even with no contacts.
    assert len(rows) in (12, 13)


def test_figures_are_scoped_to_the_users_schools(world):
    outsider = reports.contacts_by_month(user=world.user("head_other_cluster"), filters=_filters())
    assert sum(r["total"] for r in outsider) == 0
    assert reports.reach_by_school(user=world.user("head_other_cluster"), filters=_filters()) == []


def test_filter_by_school_and_cluster(world):
    assert sum(r["total"] for r in reports.contacts_by_month(user=world.user("feo"), filters=_filters(school=world.school_b))) == 0
    assert sum(r["total"] for r in reports.contacts_by_month(user=world.user("feo"), filters=_filters(cluster=world.cluster_x))) == 1


def test_episode_outcomes_and_months(world):
    Episode.objects.filter(pk=world.episode.pk).update(closed_on=timezone.localdate(), outcome="goals_met")
    outcomes = {str(r["outcome"]): r["count"] for r in reports.episode_outcomes(user=world.user("headteacher"), filters=_filters())}
    assert sum(outcomes.values()) == 1
    rows = reports.episodes_by_month(user=world.user("headteacher"), filters=_filters())
    assert sum(r["opened"] for r in rows) == 1 and sum(r["closed"] for r in rows) == 1


def test_reach_splits_efsm(world):
    type(world.learner_a).objects.filter(pk=world.learner_a.pk).update(efsm=True)
    Enrolment.objects.create(programme=world.programme, participant_name="Adult", school=world.school_a, places=2)
    rows = reports.reach_by_school(user=world.user("headteacher"), filters=_filters())
    assert rows == [{"school": "Abercanaid School", "cluster": "Cyfarthfa", "people": 3, "efsm": 1, "not_efsm": 0, "unknown": 1}] or (
        rows[0]["people"] == 3 and rows[0]["efsm"] == 1 and rows[0]["unknown"] == 1
    )


def test_attendance_and_food_volumes(world):
    Session.objects.filter(pk=world.food_session.pk).update(meals_served=30, people_fed=28, parcels_given=None)
    attendance = reports.session_attendance(user=world.user("headteacher"), filters=_filters())
    assert attendance[0]["present"] == 1 and attendance[0]["rate"] == 100
    food = reports.food_by_month(user=world.user("headteacher"), filters=_filters())
    assert sum(r["meals"] for r in food) == 30 and sum(r["people"] for r in food) == 28


def test_report_page_shows_charts_and_tables(world, client_for):
    response = client_for("headteacher").get(reverse("programmes:report"))
    assert response.status_code == 200
    assert response.text.count("<canvas data-chart") >= 3
    assert "Food provision by month" in response.text
    chart = response.context["figures"]["food_chart"]
    assert json.loads(chart)["datasets"][0]["label"] == "Meals served"


def test_report_filter_errors_are_specific(world, client_for):
    from django.utils import translation

    with translation.override("en-gb"):
        url = reverse("programmes:report")
    response = client_for("headteacher").get(url, {"start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 200
    assert "The start of the period must be before its end." in response.text
    response = client_for("headteacher").get(url, {"school": world.school_other_la.pk})
    assert "Choose a school from the list" in response.text


def test_report_query_count_does_not_grow_with_rows(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("headteacher")
    url = reverse("programmes:report")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    today = timezone.localdate()
    Contact.objects.bulk_create([Contact(episode=world.episode, happened_on=today - datetime.timedelta(days=n * 9), kind="phone") for n in range(30)])
    Enrolment.objects.bulk_create([Enrolment(programme=world.programme, participant_name=f"P{n}", school=world.school_b) for n in range(20)])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_csv_export_is_formula_safe_and_logged(world, client_for):
    Enrolment.objects.create(programme=world.programme, participant_name="=HYPERLINK(\"http://evil\")", school=world.school_a)
    response = client_for("headteacher").get(reverse("programmes:report-export", args=["enrolment-records", "csv"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    record = ExportRecord.objects.get(kind="programmes-report:enrolment-records")
    assert record.row_count == 2 and record.user == world.user("headteacher")


def test_xlsx_export_of_every_table(world, client_for):
    from openpyxl import load_workbook

    response = client_for("la_lead").get(reverse("programmes:report-export", args=["all", "xlsx"]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 6
    assert ExportRecord.objects.filter(kind="programmes-report:all").exists()


def test_unknown_dataset_or_format_is_404(world, client_for):
    client = client_for("headteacher")
    assert client.get(reverse("programmes:report-export", args=["secrets", "csv"])).status_code == 404
    assert client.get(reverse("programmes:report-export", args=["reach", "pdf"])).status_code == 404


@pytest.mark.parametrize("name", ["governor", "partner_worker", "public"])
def test_report_is_for_staff_who_work_with_families(world, client_for, name):
    assert client_for(name).get(reverse("programmes:report")).status_code in (403, 404)
