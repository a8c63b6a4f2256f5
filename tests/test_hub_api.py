"""The referrals API: scoped as the pages, polled by a partner's system, updates with clear 400 and 409 answers."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cymuned.hub import services
from cymuned.hub.models import Referral, Status

from .hub_helpers import refer

pytestmark = pytest.mark.django_db
API = "/api/v1/referrals/"


def test_a_partner_polls_only_its_own_referrals(world, client_for):
    mine = refer(world)
    other = services.referral_partner_decline(by=world.users["partner_worker"], referral=refer(world), reason="No")
    services.referral_allocate(by=world.users["hub_coordinator"], referral=other, partner=world.partner_q)
    response = client_for("partner_worker").get(API)
    assert response.status_code == 200
    assert [r["reference"] for r in response.json()["results"]] == [mine.reference]
    assert [r["reference"] for r in client_for("partner_other").get(API).json()["results"]] == [other.reference]
    assert client_for("partner_other").get(f"{API}{mine.pk}/").status_code == 404
    assert client_for("governor").get(API).status_code == 403
    assert client_for(None).get(API).status_code in (401, 403)
    hub = client_for("hub_coordinator").get(API).json()
    assert {r["reference"] for r in hub["results"]} == {mine.reference, other.reference}


def test_filters_by_status_and_modified_since(world, client_for):
    old = refer(world)
    Referral.objects.filter(pk=old.pk).update(modified_on=timezone.now() - datetime.timedelta(days=2))
    new = refer(world)
    client = client_for("partner_worker")
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert [r["id"] for r in client.get(API, {"modified_since": since}).json()["results"]] == [new.pk]
    assert len(client.get(API, {"status": "allocated"}).json()["results"]) == 2
    assert client.get(API, {"status": "closed"}).json()["results"] == []
    bad = client.get(API, {"modified_since": "yesterday"})
    assert bad.status_code == 400 and "modified_since" in bad.json()
    assert client.get(API, {"modified_since": "2026-11-23T09:00:00"}).status_code == 400  # no time zone
    assert client.get(API, {"status": "lost"}).status_code == 400


def test_the_partner_sees_only_the_fields_consent_allows(world, client_for):
    world.household.address = "1 Heol y Nant"
    world.household.save()
    referral = refer(world)
    as_partner = client_for("partner_worker").get(f"{API}{referral.pk}/").json()
    assert as_partner["family_wants"] == "Advice and a payment plan" and as_partner["needs"] == ["housing", "money"]
    assert "address" not in as_partner and "override_justification" not in as_partner and "learner_date_of_birth" not in as_partner
    as_hub = client_for("hub_coordinator").get(f"{API}{referral.pk}/").json()
    assert as_hub["address"] == "1 Heol y Nant"


def test_a_partner_system_accepts_contacts_and_closes(world, client_for, django_capture_on_commit_callbacks):
    referral = refer(world)
    client = client_for("partner_worker")
    url = f"{API}{referral.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url + "accept/", {"note": "Ours"}, content_type="application/json").json()["status"] == "accepted"
        contacted = timezone.now().isoformat()
        body = client.post(url + "first-contact/", {"contacted_on": contacted}, content_type="application/json").json()
        assert body.get("status") == "in_contact" and body["first_contact_on"], body
        assert client.post(url + "notes/", {"text": "Visited"}, content_type="application/json").status_code == 200
        outcome = client.post(url + "outcome/", {"outcome": "supported"}, content_type="application/json").json()
        assert outcome["status"] == "outcome_recorded", outcome
        assert client.post(url + "close/", {}, content_type="application/json").json()["status"] == "closed"
    events = client.get(url + "events/").json()
    assert [e["kind"] for e in events] == ["submitted", "partner_accepted", "first_contact", "note", "outcome", "closed"]
    closed = client.post(url + "notes/", {"text": "late"}, content_type="application/json")
    assert closed.status_code == 409 and closed.json()["code"] == "referral_closed"


def test_bad_bodies_get_400_and_illegal_transitions_409(world, client_for):
    referral = refer(world)
    client = client_for("partner_worker")
    url = f"{API}{referral.pk}/"
    bad = client.post(url + "outcome/", {"outcome": "brilliant"}, content_type="application/json")
    assert bad.status_code == 400 and "outcome" in bad.json()
    assert client.post(url + "decline/", {}, content_type="application/json").status_code == 400
    assert client.post(url + "first-contact/", {"contacted_on": "soon"}, content_type="application/json").status_code == 400
    illegal = client.post(url + "first-contact/", {}, content_type="application/json")
    assert illegal.status_code == 409 and illegal.json()["code"] == "illegal_transition"
    assert client_for("partner_other").post(url + "accept/", {}, content_type="application/json").status_code == 404
    assert client_for("partner_other").get(url + "accept/").status_code == 404
    assert client.get(url + "accept/").status_code == 405
    referral.refresh_from_db()
    assert referral.status == Status.ALLOCATED


def test_hub_only_events_are_not_sent_to_the_partner(world, client_for):
    referral = refer(world)
    services.referral_add_note(by=world.users["hub_coordinator"], referral=referral, text="Internal", visible_to_partner=False)
    texts = [e["text"] for e in client_for("partner_worker").get(f"{API}{referral.pk}/events/").json()]
    assert "Internal" not in texts
    assert "Internal" in [e["text"] for e in client_for("hub_coordinator").get(f"{API}{referral.pk}/events/").json()]


def test_the_list_runs_a_constant_number_of_queries(world, client_for, django_assert_max_num_queries):
    client = client_for("partner_worker")
    refer(world)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(API)
    for _n in range(5):
        refer(world)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(API).json()["results"]) == 6


def test_reads_through_the_api_are_audited(world, client_for):
    from auditlog.models import LogEntry

    referral = refer(world)
    client_for("partner_worker").get(API)
    client_for("partner_worker").get(f"{API}{referral.pk}/")
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(referral.pk), actor=world.users["partner_worker"]).count() == 2


def test_the_openapi_schema_documents_the_referrals_api(world, client_for):
    schema = client_for("partner_worker").get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    text = schema.content.decode()
    assert schema.status_code == 200
    for path in ("/api/v1/referrals/", "/api/v1/referrals/{id}/first-contact/", "/api/v1/referrals/{id}/close/", "modified_since"):
        assert path in text
