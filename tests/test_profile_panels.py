"""The panels other domains add to a community profile: services nearby (directory) and people's own words (consultations)."""

from __future__ import annotations

import secrets

import pytest
from django.urls import reverse

from cymuned.governance.models import CommunityProfile
from cymuned.governance.panels import build_panels
from cymuned.strategy.models import Answer, Response

from .conftest import add_directory
from .partnerships import add_partnerships
from .strategy_world import build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(world):
    add_directory(world)  # tenancy support at Redhouse, CF47 8AE
    world.school_a.postcode = "CF47 8DL"
    world.school_a.save()
    return add_partnerships(world)[CommunityProfile]


def _panel(panels, key):
    return next((p for p in panels if p.key == key), None)


def test_services_near_the_school_are_listed_nearest_first(world, profile):
    panel = _panel(build_panels(profile=profile, user=world.user("headteacher")), "services_nearby")
    services = panel.data["services"]
    assert world.service.pk in [s.pk for s in services]
    distances = [s.distance_km for s in services]
    assert distances == sorted(distances) and all(d < 8 for d in distances)


def test_a_school_without_a_known_postcode_says_so(world, profile):
    world.school_a.postcode = ""
    world.school_a.save()
    profile.school.refresh_from_db()
    panel = _panel(build_panels(profile=profile, user=world.user("headteacher")), "services_nearby")
    assert panel.data == {"services": [], "located": False, "km": 8.0}


def test_a_service_far_away_is_not_nearby(world, profile):
    world.school_a.postcode = "LL57 2DG"  # Bangor
    world.school_a.save()
    profile.school.refresh_from_db()
    assert _panel(build_panels(profile=profile, user=world.user("headteacher")), "services_nearby").data["services"] == []


def test_the_communitys_words_are_shown_to_those_who_may_read_responses(world, profile, client_for):
    sp = build_plan(world)
    response = Response.objects.create(questionnaire=sp.questionnaire, nonce=secrets.token_hex(8))
    Answer.objects.create(response=response, question=sp.questions["text"], text="Everyone knows each other at the school gate")
    lead_panel = _panel(build_panels(profile=profile, user=world.user("la_lead")), "community_words")
    assert [a.text for a in lead_panel.data["answers"]] == ["Everyone knows each other at the school gate"]
    # The access layer keeps responses to the authority's managers: a governor's profile has no such panel.
    assert _panel(build_panels(profile=profile, user=world.user("governor")), "community_words") is None
    page = client_for("la_lead").get(reverse("governance:profile-detail", args=[profile.pk]))
    assert page.status_code == 200
    assert b"Everyone knows each other at the school gate" in page.content and b"Tenancy support" in page.content
