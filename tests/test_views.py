"""Request tests for the pages: forms, services behind them, errors in the user's language."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

from cymuned.accounts.models import Membership
from cymuned.organisations.models import Partner

pytestmark = pytest.mark.django_db


def test_home_is_public_in_both_languages(client):
    assert "Cymuned" in client.get("/en-gb/").content.decode()
    welsh = client.get("/cy/").content.decode()
    assert 'lang="cy"' in welsh


def test_health_is_outside_the_language_prefix(client):
    assert client.get("/health/").json() == {"status": "ok"}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("la_lead", ["Manage people and roles", "Review the audit log"]),
        ("headteacher", ["Your school&#x27;s staff", "Learners"]),
        ("feo", ["Learners"]),
        ("partner_worker", ["Your organisation&#x27;s entry"]),
        ("governor", ["Schools"]),
        ("public", ["Your account"]),
    ],
)
def test_each_role_has_a_dashboard_of_its_own(world, client_for, role, expected):
    body = client_for(role).get("/en-gb/dashboard/").content.decode()
    for text in expected:
        assert text in body


def test_school_list_filters(world, client_for):
    body = client_for("la_lead").get(f"/en-gb/organisations/schools/?cluster={world.cluster_y.pk}").content.decode()
    assert "Gamma School" in body and "Alpha School" not in body
    assert "Delta School" not in client_for("la_lead").get("/en-gb/organisations/schools/").content.decode()


def test_school_list_shows_welsh_names_in_welsh(world, client_for):
    body = client_for("la_lead").get("/cy/organisations/schools/").content.decode()
    assert "Ysgol Alffa" in body


def test_school_update_by_head(world, client_for):
    url = f"/en-gb/organisations/schools/{world.school_a.pk}/edit/"
    data = {
        "name_en": "Alpha School",
        "name_cy": "Ysgol Alffa",
        "phase": "primary",
        "language_medium": "bilingual",
        "cluster": world.cluster_x.pk,
        "efsm_percentage": "22.5",
        "number_on_roll": "210",
        "address": "",
        "postcode": "",
        "email": "",
        "telephone": "",
        "website": "",
    }
    response = client_for("headteacher").post(url, data)
    assert response.status_code == 302
    world.school_a.refresh_from_db()
    assert world.school_a.language_medium == "bilingual"
    assert LogEntry.objects.get_for_object(world.school_a).filter(action=LogEntry.Action.UPDATE).exists()


def test_school_update_errors_in_welsh(world, client_for):
    url = f"/cy/organisations/schools/{world.school_a.pk}/edit/"
    response = client_for("headteacher").post(url, {"name_en": "", "efsm_percentage": "abc"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert "Mae problem wedi codi" in body
    world.school_a.refresh_from_db()
    assert world.school_a.name_en == "Alpha School"


def test_partner_create_and_update(world, client_for):
    hub = client_for("hub_coordinator")
    response = hub.post(
        "/en-gb/organisations/partners/add/", {"name_en": "Food Bank", "name_cy": "Banc Bwyd", "partner_type": "third_sector"}
    )
    assert response.status_code == 302
    partner = Partner.objects.get(name_en="Food Bank")
    assert partner.local_authority_id == world.la.pk
    own = client_for("partner_worker").post(
        f"/en-gb/organisations/partners/{world.partner_p.pk}/edit/", {"name_en": "Valleys Homes Ltd", "partner_type": "housing"}
    )
    assert own.status_code == 302
    world.partner_p.refresh_from_db()
    assert world.partner_p.name_en == "Valleys Homes Ltd"


def test_membership_grant_through_the_page(world, client_for):
    response = client_for("la_lead").post(
        "/en-gb/accounts/people/add/",
        {
            "email": "fresh@example.org",
            "full_name": "Fresh Person",
            "organisation": world.la.pk,
            "role": "feo",
            "cluster": world.cluster_y.pk,
        },
    )
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="fresh@example.org")
    assert membership.cluster == world.cluster_y


def test_membership_grant_errors_are_specific(world, client_for):
    response = client_for("la_lead").post(
        "/en-gb/accounts/people/add/",
        {
            "email": "x@example.org",
            "full_name": "X",
            "organisation": world.school_a.pk,
            "role": "feo",
            "cluster": world.cluster_y.pk,
        },
    )
    assert response.status_code == 200
    assert "Only a role held at the local authority can be narrowed to a cluster." in response.content.decode()
    assert not Membership.objects.filter(user__email="x@example.org").exists()


def test_head_cannot_pick_another_schools_organisation(world, client_for):
    response = client_for("headteacher").post(
        "/en-gb/accounts/people/add/",
        {"email": "y@example.org", "full_name": "Y", "organisation": world.school_c.pk, "role": "school_staff"},
    )
    assert response.status_code == 200
    assert "Choose an organisation from the list" in response.content.decode()


def test_membership_update_and_end(world, client_for):
    membership = world.memberships["governor"]
    head = client_for("headteacher")
    response = head.post(f"/en-gb/accounts/people/{membership.pk}/", {"job_title": "Chair", "governor_category": "parent"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.governor_category == "parent" and membership.job_title == "Chair"
    assert head.post(f"/en-gb/accounts/people/{membership.pk}/end/").status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active


def test_lead_cannot_end_own_lead_role(world, client_for):
    membership = world.memberships["la_lead"]
    response = client_for("la_lead").post(f"/en-gb/accounts/people/{membership.pk}/end/", follow=True)
    assert "You cannot end your own role" in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_active


def test_learner_detail_read_is_audited(world, client_for):
    client = client_for("feo")
    assert client.get(f"/en-gb/families/learners/{world.learner_a.pk}/").status_code == 200
    reads = LogEntry.objects.get_for_object(world.learner_a).filter(action=LogEntry.Action.ACCESS)
    assert reads.count() == 1
    assert reads.get().actor == world.user("feo")


def test_learner_list_search(world, client_for):
    body = client_for("headteacher").get("/en-gb/families/learners/?q=alys").content.decode()
    assert "Alys" in body and "Carys" not in body


def test_school_filter_answers_htmx_with_the_results_only(world, client_for):
    client = client_for("la_lead")
    partial = client.get(f"/en-gb/organisations/schools/?cluster={world.cluster_y.pk}", HTTP_HX_REQUEST="true").content.decode()
    assert "Gamma School" in partial and "Alpha School" not in partial
    assert "<html" not in partial and 'class="govuk-table"' in partial
    full = client.get(f"/en-gb/organisations/schools/?cluster={world.cluster_y.pk}").content.decode()
    assert "<html" in full and 'hx-target="#school-results"' in full


def test_api_answers_json_only(world, client_for):
    response = client_for("la_lead").get("/api/v1/schools/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("application/json")


def test_navigation_is_hidden_until_the_second_factor(world):
    from django.test import Client

    client = Client()
    client.force_login(world.user("headteacher"))  # password only, no code yet
    body = client.get("/en-gb/accounts/two-factor/").content.decode()
    assert 'id="navigation"' not in body and "Sign out" in body
