"""Hiring pages: public browsing, registration, booking requests, the managers' queue and cancellation."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from cymuned.accounts.models import User
from cymuned.premises.models import BookingSeries, Hirer

from .conftest import next_weekday

pytestmark = pytest.mark.django_db


def _url(name, *args, lang="en-gb"):
    with translation.override(lang):
        return reverse(name, args=args)


def test_public_list_shows_public_spaces_with_free_times(world):
    response = Client().get(_url("premises:public-list"), {"week": next_weekday(0).isoformat()})
    assert response.status_code == 200
    assert "Main hall" in response.text
    assert "free times" in response.text


def test_public_list_query_count_is_constant(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cymuned.premises.models import Space

    client = Client()
    client.get(_url("premises:public-list"))
    with CaptureQueriesContext(connection) as few:
        client.get(_url("premises:public-list"))
    for n in range(8):
        Space.objects.create(school=world.school_b, kind="classroom", name_en=f"Room {n}", name_cy=f"Ystafell {n}", capacity=30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url("premises:public-list"))
    assert "Room 7" in response.text
    assert len(many) == len(few)


def test_space_page_in_welsh_lists_free_times_but_not_hirers(world):
    response = Client().get(_url("premises:public-space", world.space.pk, lang="cy"), {"week": next_weekday(0).isoformat()})
    assert response.status_code == 200
    assert "Prif neuadd" in response.text
    assert "Merthyr Choir" not in response.text and "Choir practice" not in response.text


def test_private_space_is_404_to_the_public(world):
    world.space.is_public = False
    world.space.save()
    assert Client().get(_url("premises:public-space", world.space.pk)).status_code == 404


def test_register_opens_an_account_and_signs_in(world):
    client = Client()
    response = client.post(_url("premises:register", lang="cy"), {
        "full_name": "Gwen Parry", "email": "gwen@example.org", "password": "tri gair hir iawn", "kind": "club",
        "organisation_name": "Clwb Rygbi", "local_authority": world.la.pk,
    })
    assert response.status_code == 302, response.text
    hirer = Hirer.objects.get(user__email="gwen@example.org")
    assert hirer.user.preferred_language == "cy"
    assert client.get(_url("premises:account")).status_code == 200


def test_register_errors_are_specific(world):
    response = Client().post(_url("premises:register"), {"full_name": "X", "email": "parent@example.org", "password": "short",
                                                          "kind": "club", "local_authority": world.la.pk})
    assert response.status_code == 200
    assert "Enter the name of the group or organisation" in response.text
    assert "This password is too short" in response.text
    assert not User.objects.filter(full_name="X").exists()


def test_account_refuses_an_expired_insurance_date_and_a_fake_certificate(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("public")
    response = client.post(_url("premises:account"), {"insurance_expires_on": "2020-01-01",
                                                      "insurance_certificate": SimpleUploadedFile("c.pdf", b"MZ\x90\x00 not a pdf")})
    assert "This insurance has expired" in response.text
    assert "must be a PDF, JPG or PNG" in response.text


def test_hirer_requests_a_weekly_booking_through_the_form(world, client_for):
    client = client_for("public")
    first = next_weekday(2)
    response = client.post(_url("premises:book", world.space.pk), {
        "activity": "Yoga for parents", "expected_people": "15", "first_day": first.isoformat(), "starts": "18:00", "ends": "19:30",
        "weekly_until": (first + datetime.timedelta(weeks=3)).isoformat(), "skip": (first + datetime.timedelta(weeks=1)).strftime("%d/%m/%Y"),
        "terms_accepted": "on",
    })
    assert response.status_code == 302, response.text
    series = BookingSeries.objects.get(activity="Yoga for parents")
    assert series.bookings.count() == 3


def test_booking_form_names_each_conflicting_date(world, client_for):
    client = client_for("public")
    day = timezone.localtime(world.booking.starts_at).date()
    response = client.post(_url("premises:book", world.space.pk), {
        "activity": "Band", "expected_people": "10", "first_day": day.isoformat(), "starts": "19:00", "ends": "21:00", "terms_accepted": "on",
    })
    assert response.status_code == 200
    assert "already booked" in response.text
    assert day.strftime("%B") in response.text


def test_staff_without_hirer_account_are_sent_to_register(world, client_for):
    response = client_for("feo").get(_url("premises:book", world.space.pk))
    assert response.status_code == 302 and "/premises/register/" in response["Location"]


def test_manager_queue_and_decision(world, client_for):
    client = client_for("csm")
    page = client.get(_url("premises:requests"))
    assert "Choir practice" in page.text
    bad = client.post(_url("premises:request-decide", world.series.pk), {"decision": "decline", "reason": ""})
    assert bad.status_code == 422 and "Give the reason" in bad.text
    response = client.post(_url("premises:request-decide", world.series.pk), {"decision": "approve"})
    assert response.status_code == 302
    world.series.refresh_from_db()
    assert world.series.status == "approved"


@pytest.mark.parametrize("name", ["head_other_cluster", "feo", "governor", "partner_worker", "lead_other_la"])
def test_others_cannot_see_or_decide_the_request(world, client_for, name):
    client = client_for(name)
    assert client.get(_url("premises:request", world.series.pk)).status_code in (403, 404)
    assert client.post(_url("premises:request-decide", world.series.pk), {"decision": "approve"}).status_code in (403, 404)
    assert client.get(_url("premises:my-booking", world.series.pk)).status_code in (403, 404)
    world.series.refresh_from_db()
    assert world.series.status == "requested"


def test_hirer_cancels_the_whole_request(world, client_for):
    client = client_for("public")
    response = client.post(_url("premises:my-booking-cancel", world.series.pk), {"reason": "Choir on tour"})
    assert response.status_code == 302
    world.series.refresh_from_db()
    assert world.series.status == "cancelled"


def test_another_hirer_cannot_cancel(world, client_for):
    other = User.objects.create_user(email="other@example.org", password="x" * 14, full_name="Other")
    Hirer.objects.create(user=other, local_authority=world.la, kind="individual")
    client = Client()
    client.force_login(other)
    assert client.post(_url("premises:my-booking-cancel", world.series.pk)).status_code == 404
