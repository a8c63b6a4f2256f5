"""The REST API: scoping identical to the pages, writes through services, and a valid OpenAPI schema."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core import mail
from drf_spectacular.validation import validate_schema

from cymuned.accounts.models import Membership, User
from cymuned.organisations.models import Partner

pytestmark = pytest.mark.django_db


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_schema_is_served_and_valid(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    for path in [
        "/api/v1/schools/",
        "/api/v1/schools/{id}/",
        "/api/v1/partners/",
        "/api/v1/memberships/",
        "/api/v1/clusters/",
        "/api/v1/organisations/",
    ]:
        assert path in schema["paths"], path


def test_api_docs_page_lists_the_endpoints(client):
    body = client.get("/cy/api-docs/").content.decode()
    assert "/api/v1/schools/" in body and "/api/v1/memberships/{id}/" in body


def test_lists_are_scoped_like_the_pages(world, client_for):
    assert ids(client_for("la_lead").get("/api/v1/schools/")) == {world.school_a.pk, world.school_b.pk, world.school_c.pk}
    assert ids(client_for("lead_other_la").get("/api/v1/schools/")) == {world.school_other_la.pk}
    assert client_for(None).get("/api/v1/schools/").status_code in (401, 403)
    assert client_for("public").get("/api/v1/schools/").status_code == 403
    head_sees = ids(client_for("headteacher").get("/api/v1/memberships/"))
    assert world.memberships["school_staff"].pk in head_sees
    assert world.memberships["la_lead"].pk not in head_sees


def test_filters(world, client_for):
    response = client_for("la_lead").get(f"/api/v1/schools/?cluster={world.cluster_y.pk}")
    assert ids(response) == {world.school_c.pk}


def test_head_updates_own_school_but_not_another(world, client_for):
    head = client_for("headteacher")
    ok = head.patch(
        f"/api/v1/schools/{world.school_a.pk}/", data=json.dumps({"efsm_percentage": "31.5"}), content_type="application/json"
    )
    assert ok.status_code == 200, ok.content
    world.school_a.refresh_from_db()
    assert str(world.school_a.efsm_percentage) == "31.5"
    visible_not_changeable = head.patch(
        f"/api/v1/schools/{world.school_b.pk}/", data=json.dumps({"efsm_percentage": "1"}), content_type="application/json"
    )
    assert visible_not_changeable.status_code == 403
    other_la = head.patch(
        f"/api/v1/schools/{world.school_other_la.pk}/", data=json.dumps({"efsm_percentage": "1"}), content_type="application/json"
    )
    assert other_la.status_code == 404


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"efsm_percentage": "150"}, "efsm_percentage"),
        ({"efsm_percentage": "lots"}, "efsm_percentage"),
        ({"phase": "university"}, "phase"),
        ({"cluster": 999999}, "cluster"),
        ({"email": "not-an-email"}, "email"),
        ({"name_en": ""}, "name_en"),
    ],
)
def test_bad_school_updates_answer_400_with_the_field(world, client_for, payload, field):
    before = world.school_a.efsm_percentage
    response = client_for("la_lead").patch(
        f"/api/v1/schools/{world.school_a.pk}/", data=json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    world.school_a.refresh_from_db()
    assert world.school_a.efsm_percentage == before


def test_cluster_from_another_la_is_refused(world, client_for):
    other_cluster = world.school_other_la.cluster
    response = client_for("la_lead").patch(
        f"/api/v1/schools/{world.school_a.pk}/", data=json.dumps({"cluster": other_cluster.pk}), content_type="application/json"
    )
    assert response.status_code == 400


def test_malformed_json_is_400(world, client_for):
    response = client_for("la_lead").patch(
        f"/api/v1/schools/{world.school_a.pk}/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400


def test_partner_create_and_own_update(world, client_for):
    hub = client_for("hub_coordinator")
    response = hub.post(
        "/api/v1/partners/", data={"name_en": "Food Bank", "name_cy": "Banc Bwyd", "partner_type": "third_sector"}
    )
    assert response.status_code == 201, response.content
    partner = Partner.objects.get(pk=response.json()["id"])
    assert partner.local_authority_id == world.la.pk
    assert (
        client_for("partner_worker").post("/api/v1/partners/", data={"name_en": "X", "partner_type": "other"}).status_code == 403
    )
    own = client_for("partner_worker").patch(
        f"/api/v1/partners/{world.partner_p.pk}/", data=json.dumps({"telephone": "01685 111111"}), content_type="application/json"
    )
    assert own.status_code == 200
    other = client_for("partner_worker").patch(
        f"/api/v1/partners/{world.partner_q.pk}/", data=json.dumps({"telephone": "0"}), content_type="application/json"
    )
    assert other.status_code == 403


def test_membership_grant_invites_a_new_person(world, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("headteacher").post(
            "/api/v1/memberships/",
            data={
                "email": "New.Teacher@Example.org",
                "full_name": "New Teacher",
                "organisation": world.school_a.pk,
                "role": "school_staff",
            },
        )
    assert response.status_code == 201, response.content
    user = User.objects.get(email="new.teacher@example.org")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1 and "/password/reset/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("who", "payload_changes", "status"),
    [
        ("headteacher", {"role": "headteacher"}, 400),  # a head cannot make another head
        ("headteacher", {"organisation": "school_b"}, 403),  # not their school
        ("headteacher", {"role": "la_lead"}, 400),
        ("partner_worker", {}, 403),
        ("la_lead", {"role": "partner_worker"}, 400),  # a partner role is not held at a school
        ("la_lead", {"role": "governor"}, 400),  # governors need a category
        ("lead_other_la", {}, 400),  # school A is not visible to them: no such organisation
    ],
)
def test_membership_grant_refusals(world, client_for, who, payload_changes, status):
    payload = {"email": "someone@example.org", "full_name": "Someone", "organisation": world.school_a.pk, "role": "school_staff"}
    if payload_changes.get("organisation") == "school_b":
        payload_changes = {**payload_changes, "organisation": world.school_b.pk}
    payload.update(payload_changes)
    before = Membership.objects.count()
    response = client_for(who).post("/api/v1/memberships/", data=payload)
    assert response.status_code == status, response.content
    assert Membership.objects.count() == before
    assert not User.objects.filter(email="someone@example.org").exists()


def test_duplicate_membership_is_refused(world, client_for):
    response = client_for("la_lead").post(
        "/api/v1/memberships/",
        data={"email": "school_staff@example.org", "full_name": "x", "organisation": world.school_a.pk, "role": "school_staff"},
    )
    assert response.status_code == 400
    assert "already holds this role" in json.dumps(response.json())


def test_ending_a_membership_keeps_it(world, client_for):
    membership = world.memberships["school_staff"]
    assert client_for("school_staff").delete(f"/api/v1/memberships/{membership.pk}/").status_code == 403
    assert client_for("headteacher").delete(f"/api/v1/memberships/{membership.pk}/").status_code == 204
    membership.refresh_from_db()
    assert membership.is_active is False


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/schools/abc/",
        "/api/v1/schools/99999999999999999999/",
        "/api/v1/schools/?page=abc",
        "/api/v1/schools/?cluster=abc",
        "/api/v1/memberships/?role=wizard",
        "/api/v1/schools/-1/",
    ],
)
def test_malformed_urls_answer_4xx(world, client_for, path):
    status = client_for("la_lead").get(path).status_code
    assert 400 <= status < 500
