"""Families, consent and FEO casework."""

from __future__ import annotations

import datetime
import json

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from cymuned.access.policy import Action, can, visible_to
from cymuned.families import selectors, services
from cymuned.families.models import Carer, Consent, Contact, Episode, Household

from .factories import LearnerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def contact_data(**overrides):
    return {"happened_on": TODAY, "kind": "home_visit", "duration_minutes": 45, "present": "Mum", "notes": "Talked about mornings",
            "next_steps": "Breakfast club", "next_step_due": TODAY + datetime.timedelta(days=7), **overrides}


@pytest.mark.parametrize(
    ("name", "sees"),
    [("feo", True), ("headteacher", True), ("school_staff", True), ("csm", True), ("governor", False), ("la_lead", False),
     ("partner_worker", False), ("head_other_cluster", False), ("staff_other_la", False)],
)
def test_who_sees_a_family(world, name, sees):
    assert can(world.user(name), Action.VIEW, world.household) is sees
    assert visible_to(world.user(name), Episode).filter(pk=world.episode.pk).exists() is sees
    assert visible_to(world.user(name), Contact).filter(pk=world.contact.pk).exists() is sees


def test_siblings_across_the_cluster_share_a_household(world):
    sibling = LearnerFactory(school=world.school_b, household=world.household, given_name="Osian")
    assert visible_to(world.user("feo"), type(sibling)).filter(pk=sibling.pk).exists()  # the FEO serves the whole cluster
    assert not visible_to(world.user("headteacher"), type(sibling)).filter(pk=sibling.pk).exists()  # the head of A does not see B's
    assert can(world.user("head_other_cluster"), Action.VIEW, world.household) is False


def test_household_for_a_learner(world):
    learner = LearnerFactory(school=world.school_a)
    household = services.household_create_for_learner(by=world.user("feo"), learner=learner, data={"reference": "The Evans family"})
    learner.refresh_from_db()
    assert learner.household == household
    with pytest.raises(ValidationError):
        services.household_create_for_learner(by=world.user("feo"), learner=learner, data={"reference": "Again"})
    with pytest.raises(PermissionDenied):
        services.household_create_for_learner(by=world.user("governor"), learner=LearnerFactory(school=world.school_a), data={"reference": "x"})


def test_consent_rules(world):
    feo = world.user("feo")
    no_pr = Carer.objects.create(household=world.household, given_name="Gran", family_name="Jones", relationship="grandparent",
                                 parental_responsibility=False)
    with pytest.raises(ValidationError, match="parental responsibility"):
        services.consent_record(by=feo, household=world.household, purpose="share_health", given_by=no_pr, method="verbal", given_on=TODAY)
    with pytest.raises(ValidationError, match="already in force"):
        services.consent_record(by=feo, household=world.household, purpose="feo_contact", given_by=world.carer, method="verbal", given_on=TODAY)
    with pytest.raises(ValidationError, match="future"):
        services.consent_record(by=feo, household=world.household, purpose="photographs", given_by=world.carer, method="verbal",
                                given_on=TODAY + datetime.timedelta(days=1))
    consent = services.consent_record(by=feo, household=world.household, purpose="photographs", given_by=world.carer, method="online",
                                      given_on=TODAY)
    assert services.consent_in_force(household=world.household, purpose="photographs")
    services.consent_withdraw(by=feo, consent=consent, withdrawn_on=TODAY, reason="Changed her mind")
    assert not services.consent_in_force(household=world.household, purpose="photographs")
    assert Consent.objects.filter(pk=consent.pk).exists()  # kept, with its withdrawal


def test_episode_needs_consent_and_an_feo_of_the_school(world):
    other = Household.objects.create(reference="The Evans family")
    LearnerFactory(school=world.school_a, household=other)
    with pytest.raises(ValidationError, match="not consented"):
        services.episode_open(by=world.user("feo"), household=other, school=world.school_a, officer=world.user("feo"),
                              reasons=["attendance"], goals="x", opened_on=TODAY)
    assert not Episode.objects.filter(household=other).exists()
    carer = Carer.objects.create(household=other, given_name="Dai", family_name="Evans", relationship="father")
    Consent.objects.create(household=other, purpose="feo_contact", given_by=carer, method="verbal", given_on=TODAY)
    with pytest.raises(ValidationError, match="Family Engagement Officer for this school"):
        services.episode_open(by=world.user("headteacher"), household=other, school=world.school_a, officer=world.user("school_staff"),
                              reasons=["food"], goals="x", opened_on=TODAY)
    with pytest.raises(ValidationError, match="reason"):
        services.episode_open(by=world.user("feo"), household=other, school=world.school_a, officer=world.user("feo"), reasons=["chaos"],
                              goals="x", opened_on=TODAY)
    episode = services.episode_open(by=world.user("headteacher"), household=other, school=world.school_a, officer=world.user("feo"),
                                    reasons=["food", "money"], goals="Food and budgeting", opened_on=TODAY)
    assert episode.reason_labels() == ["Food", "Money"]
    with pytest.raises(ValidationError, match="already has an open episode"):
        services.episode_open(by=world.user("feo"), household=other, school=world.school_a, officer=world.user("feo"), reasons=["food"],
                              goals="x", opened_on=TODAY)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"happened_on": TODAY + datetime.timedelta(days=1)}, "cannot be in the future"),
        ({"happened_on": TODAY - datetime.timedelta(days=400)}, "before the episode was opened"),
        ({"next_step_due": TODAY - datetime.timedelta(days=1)}, "before the contact"),
    ],
)
def test_bad_contacts_are_refused(world, overrides, message):
    before = Contact.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.contact_log(by=world.user("feo"), episode=world.episode, data=contact_data(**overrides))
    assert Contact.objects.count() == before


def test_withdrawn_consent_stops_contacts(world):
    services.consent_withdraw(by=world.user("feo"), consent=world.consent, withdrawn_on=TODAY, reason="")
    with pytest.raises(ValidationError, match="withdrawn consent"):
        services.contact_log(by=world.user("feo"), episode=world.episode, data=contact_data())


def test_contact_close_and_reassign(world):
    feo = world.user("feo")
    services.contact_log(by=feo, episode=world.episode, data=contact_data())
    with pytest.raises(PermissionDenied):
        services.contact_log(by=world.user("school_staff"), episode=world.episode, data=contact_data())
    with pytest.raises(ValidationError):
        services.episode_reassign(by=world.user("headteacher"), episode=world.episode, officer=world.user("csm"))
    services.episode_close(by=feo, episode=world.episode, closed_on=TODAY, outcome="goals_met", notes="Attending well")
    with pytest.raises(ValidationError, match="closed"):
        services.contact_log(by=feo, episode=world.episode, data=contact_data())


def test_caseload_flags_due_and_stale(world):
    episodes = list(selectors.caseload_for(user=world.user("feo"), officer=world.user("feo")))
    assert [e.pk for e in episodes] == [world.episode.pk]
    assert episodes[0].is_due and episodes[0].is_stale  # next step was due two days ago; last contact 40 days ago
    services.contact_log(by=world.user("feo"), episode=world.episode, data=contact_data())
    fresh = selectors.caseload_for(user=world.user("feo"), officer=world.user("feo")).get()
    assert not fresh.is_due and not fresh.is_stale
    team = selectors.team_for(user=world.user("headteacher"))
    assert team == [{"officer_id": world.user("feo").pk, "officer__full_name": "Feo", "open_count": 1, "due_count": 0, "stale_count": 0}]


def test_household_read_is_audited_and_shows_safe_contact_notes(world, client_for):
    body = client_for("feo").get(f"/en-gb/families/households/{world.household.pk}/").content.decode()
    assert "Do not call after 6pm" in body
    reads = LogEntry.objects.get_for_object(world.household).filter(action=LogEntry.Action.ACCESS)
    assert reads.get().actor == world.user("feo")


def test_phone_contact_form_with_htmx(world, client_for):
    client = client_for("feo")
    url = f"/cy/families/episodes/{world.episode.pk}/"
    bad = client.post(url, {"happened_on": (TODAY + datetime.timedelta(days=3)).isoformat(), "kind": "phone", "duration_minutes": "10"},
                      HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and "<html" not in bad.content.decode() and "govuk-error-summary" in bad.content.decode()
    ok = client.post(url, {"happened_on": TODAY.isoformat(), "kind": "phone", "duration_minutes": "10", "notes": "Ffoniodd Mam"},
                     HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "Ffoniodd Mam" in ok.content.decode()
    assert client_for("school_staff").post(url, {"happened_on": TODAY.isoformat(), "kind": "phone", "duration_minutes": "5"}).status_code == 404


def test_pages_for_casework(world, client_for):
    feo = client_for("feo")
    assert "The Jones family" in feo.get("/en-gb/families/households/?q=jones").content.decode()
    caseload = feo.get("/en-gb/families/caseload/").content.decode()
    assert "The Jones family" in caseload and "Not contacted lately" in caseload
    head = client_for("headteacher").get(f"/en-gb/families/caseload/?officer={world.user('feo').pk}").content.decode()
    assert "The Jones family" in head and "The team" in head
    assert client_for("headteacher").get("/en-gb/families/caseload/?officer=99999999").status_code == 404
    response = feo.post(f"/en-gb/families/households/{world.household.pk}/consents/add/",
                        {"purpose": "share_housing", "given_by": world.carer.pk, "method": "written", "given_on": TODAY.isoformat()})
    assert response.status_code == 302
    response = feo.post(f"/en-gb/families/consents/{world.consent.pk}/withdraw/", {"withdrawn_on": "2001-01-01"})
    assert response.status_code == 200 and "between the day consent was given and today" in response.content.decode()


def test_api(world, client_for):
    feo = client_for("feo")
    assert [h["id"] for h in feo.get("/api/v1/households/").json()["results"]] == [world.household.pk]
    assert client_for("partner_worker").get(f"/api/v1/households/{world.household.pk}/").status_code == 403
    assert client_for("head_other_cluster").get(f"/api/v1/households/{world.household.pk}/").status_code == 404
    feo.get(f"/api/v1/households/{world.household.pk}/")
    assert LogEntry.objects.get_for_object(world.household).filter(action=LogEntry.Action.ACCESS).exists()
    created = feo.post("/api/v1/contacts/", data=json.dumps({**{k: str(v) for k, v in contact_data().items()}, "episode": world.episode.pk}),
                       content_type="application/json")
    assert created.status_code == 201, created.content
    future = feo.post("/api/v1/contacts/", data=json.dumps({**{k: str(v) for k, v in contact_data().items()}, "episode": world.episode.pk,
                                                            "happened_on": "2099-01-01"}), content_type="application/json")
    assert future.status_code == 400 and "happened_on" in future.json()
    hidden = client_for("head_other_cluster").post(
        "/api/v1/contacts/", data=json.dumps({**{k: str(v) for k, v in contact_data().items()}, "episode": world.episode.pk}),
        content_type="application/json")
    assert hidden.status_code == 404
