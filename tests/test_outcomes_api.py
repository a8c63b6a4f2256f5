"""The attendance API: scoped like the pages, reads of one record audited, described in the OpenAPI schema."""

from __future__ import annotations

import datetime

import pytest
import yaml
from auditlog.models import LogEntry

from .conftest import add_attendance_summary

pytestmark = pytest.mark.django_db
URL = "/api/v1/attendance-summaries/"


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("name", "sees"),
    [("feo", {"a"}), ("headteacher", {"a"}), ("school_staff", {"a"}), ("csm", {"a"}), ("head_other_cluster", {"c"})],
)
def test_lists_are_scoped_like_the_pages(world, client_for, attendance_summaries, name, sees):
    assert ids(client_for(name).get(URL)) == {attendance_summaries[key].pk for key in sees}


@pytest.mark.parametrize(
    ("name", "status"),
    [
        (None, {401, 403}),
        ("public", {403}),
        ("governor", {403}),
        ("la_lead", {403}),
        ("partner_worker", {403}),
        ("lead_other_la", {403}),
    ],
)
def test_others_are_refused(world, client_for, attendance_summaries, name, status):
    assert client_for(name).get(URL).status_code in status


def test_detail_of_another_schools_learner_is_404_and_a_read_is_audited(world, client_for, attendance_summaries):
    summary = attendance_summaries["a"]
    assert client_for("head_other_cluster").get(f"{URL}{summary.pk}/").status_code == 404
    response = client_for("feo").get(f"{URL}{summary.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["learner"] == world.learner_a.pk and body["percentage"] == "84.21" and body["possible_sessions"] == 190
    read = LogEntry.objects.get_for_object(summary).get(action=LogEntry.Action.ACCESS)
    assert read.actor == world.user("feo")


def test_latest_and_field_filters(world, client_for, attendance_summaries):
    older = add_attendance_summary(world, period_end=datetime.date.today() - datetime.timedelta(days=7))
    client = client_for("feo")
    assert ids(client.get(URL)) == {older.pk, attendance_summaries["a"].pk}
    assert ids(client.get(URL + "?latest=true")) == {attendance_summaries["a"].pk}
    assert ids(client.get(URL + f"?period_end={older.period_end:%Y-%m-%d}")) == {older.pk}
    assert ids(client.get(URL + f"?learner={world.learner_a.pk}&source=demo")) == {older.pk, attendance_summaries["a"].pk}


def test_the_api_is_read_only(world, client_for, attendance_summaries):
    client = client_for("headteacher")
    assert client.post(URL, {}, content_type="application/json").status_code == 405
    assert client.delete(f"{URL}{attendance_summaries['a'].pk}/").status_code == 405


def test_schema_describes_the_endpoint(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    assert "/api/v1/attendance-summaries/" in schema["paths"]
    assert "/api/v1/attendance-summaries/{id}/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/attendance-summaries/"]["get"]["parameters"]}
    assert {"latest", "learner", "school", "period_end", "page"} <= parameters
