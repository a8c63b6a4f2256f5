"""The premises API: public spaces and free times for anyone (read-only), bookings, requests and hirers scoped by the access layer."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cymuned.premises.models import Booking, BookingSeries, OpeningWindow, Space

from .conftest import next_weekday

pytestmark = pytest.mark.django_db


def test_anyone_lists_public_spaces_only(world, client_for):
    Space.objects.create(school=world.school_a, kind="kitchen", name_en="Staff kitchen", name_cy="Cegin staff", capacity=5, is_public=False)
    names = [s["name_en"] for s in client_for(None).get("/api/v1/spaces/").json()["results"]]
    assert names == ["Main hall"]
    staff = [s["name_en"] for s in client_for("school_staff").get("/api/v1/spaces/").json()["results"]]
    assert sorted(staff) == ["Main hall", "Staff kitchen"]


def test_a_private_space_is_404_to_the_public(world, client_for):
    private = Space.objects.create(school=world.school_a, kind="kitchen", name_en="Staff kitchen", name_cy="Cegin staff", capacity=5,
                                   is_public=False)
    assert client_for(None).get(f"/api/v1/spaces/{private.pk}/").status_code == 404
    assert client_for(None).get(f"/api/v1/space-availability/?space={private.pk}").status_code == 404
    assert client_for(None).get(f"/api/v1/spaces/{world.space.pk}/").json()["school_name_cy"] == "Ysgol Alffa"


def test_spaces_are_read_only(world, client_for):
    assert client_for("la_lead").post("/api/v1/spaces/", {"name_en": "X"}).status_code == 405


def test_availability_of_one_space_leaves_out_booked_times(world, client_for):
    week = next_weekday(1)
    body = client_for(None).get(f"/api/v1/space-availability/?space={world.space.pk}&week={week.isoformat()}").json()
    monday = week - datetime.timedelta(days=week.weekday())
    assert body["week_start"] == monday.isoformat()
    [result] = body["results"]
    tuesday = [(timezone.localtime(datetime.datetime.fromisoformat(f["starts_at"])).time(),
                timezone.localtime(datetime.datetime.fromisoformat(f["ends_at"])).time())
               for f in result["free"] if datetime.datetime.fromisoformat(f["starts_at"]).date() == week]
    assert tuesday == [(datetime.time(17), datetime.time(18)), (datetime.time(20), datetime.time(22))]
    assert len(result["free"]) == 7  # five evenings (Tuesday in two pieces) and Saturday


def test_availability_across_an_la_in_constant_queries(world, client_for):
    client = client_for(None)
    path = f"/api/v1/space-availability/?local_authority={world.la.pk}&week={next_weekday(0).isoformat()}"
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(path).json()["results"]) == 1
    for n, school in enumerate([world.school_b, world.school_c] * 3):
        space = Space.objects.create(school=school, kind="classroom", name_en=f"Room {n}", name_cy=f"Ystafell {n}", capacity=30)
        OpeningWindow.objects.create(space=space, weekday=2, season="term", opens_at=datetime.time(18), closes_at=datetime.time(21))
    Space.objects.create(school=world.school_other_la, kind="hall", name_en="Elsewhere", name_cy="Rhywle arall", capacity=30)
    with CaptureQueriesContext(connection) as many:
        results = client.get(path).json()["results"]
    assert len(results) == 7 and "Elsewhere" not in [r["name_en"] for r in results]
    assert len(many.captured_queries) == len(few.captured_queries)


def test_availability_needs_a_space_or_an_la(world, client_for):
    response = client_for(None).get("/api/v1/space-availability/")
    assert response.status_code == 400
    assert client_for(None).get("/api/v1/space-availability/?space=99999999").status_code == 404
    assert client_for(None).get("/api/v1/space-availability/?space=1&week=nonsense").status_code == 400


def test_availability_is_read_only(world, client_for):
    assert client_for(None).post("/api/v1/space-availability/", {}).status_code in (401, 403, 405)


@pytest.mark.parametrize(("name", "sees"), [("public", True), ("csm", True), ("la_officer", True), ("head_other_cluster", False),
                                            ("lead_other_la", False), ("school_staff", False), ("governor", False)])
def test_bookings_and_requests_are_scoped(world, client_for, name, sees):
    client = client_for(name)
    bookings = client.get("/api/v1/bookings/").json()["results"]
    requests = client.get("/api/v1/booking-requests/").json()["results"]
    assert ([b["id"] for b in bookings] == [world.booking.pk]) is sees
    assert ([r["reference"] for r in requests] == ["B-TEST0001"]) is sees
    expected = 200 if sees else 404
    assert client.get(f"/api/v1/bookings/{world.booking.pk}/").status_code == expected
    assert client.get(f"/api/v1/booking-requests/{world.series.pk}/").status_code == expected


def test_anonymous_cannot_read_bookings(world, client_for):
    assert client_for(None).get("/api/v1/bookings/").status_code in (401, 403)
    assert client_for(None).get("/api/v1/hirers/").status_code in (401, 403)


def test_a_hirer_requests_a_booking_through_the_api(world, client_for):
    client = client_for("public")
    day = next_weekday(3, 2)
    response = client.post("/api/v1/booking-requests/", {"space": world.space.pk, "activity": "Choir concert", "expected_people": 40,
                                                          "first_day": day.isoformat(), "starts": "18:00", "ends": "20:00",
                                                          "terms_accepted": True}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "requested" and len(body["bookings"]) == 1
    again = client.post("/api/v1/booking-requests/", {"space": world.space.pk, "activity": "Clash", "expected_people": 10,
                                                       "first_day": day.isoformat(), "starts": "19:00", "ends": "21:00",
                                                       "terms_accepted": True}, content_type="application/json")
    assert again.status_code == 400 and "already booked" in str(again.json())
    assert BookingSeries.objects.filter(activity="Clash").count() == 0


def test_a_request_for_a_private_space_is_404_and_staff_cannot_book_as_hirers(world, client_for):
    private = Space.objects.create(school=world.school_other_la, kind="hall", name_en="Private", name_cy="Preifat", capacity=10,
                                   is_public=False)
    data = {"space": private.pk, "activity": "X", "expected_people": 5, "first_day": next_weekday(3, 2).isoformat(), "starts": "18:00",
            "ends": "19:00", "terms_accepted": True}
    assert client_for("public").post("/api/v1/booking-requests/", data, content_type="application/json").status_code == 404
    staff = client_for("csm").post("/api/v1/booking-requests/", {**data, "space": world.space.pk}, content_type="application/json")
    assert staff.status_code == 403
    assert not Booking.objects.filter(series__activity="X").exists()


def test_hirers_see_their_own_account(world, client_for):
    assert [h["organisation_name"] for h in client_for("public").get("/api/v1/hirers/").json()["results"]] == ["Merthyr Choir"]
    assert client_for("head_other_cluster").get("/api/v1/hirers/").json()["results"] == []
    assert client_for("head_other_cluster").get(f"/api/v1/hirers/{world.hirer.pk}/").status_code == 404
    assert client_for("csm").get(f"/api/v1/hirers/{world.hirer.pk}/").status_code == 200  # a request to their school


def test_invoices_api_is_scoped(world, client_for):
    from cymuned.premises import services as booking_services

    booking_services.booking_approve(by=world.user("csm"), series=world.series)
    own = client_for("public").get("/api/v1/invoices/")
    assert own.status_code == 200 and own.json()["count"] == 1
    assert client_for("head_other_cluster").get("/api/v1/invoices/").json()["count"] == 0
    assert client_for("csm").get("/api/v1/invoices/").json()["count"] == 1
