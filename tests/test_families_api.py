"""Learners and carers through the API: the same scope as the pages, and reads audited."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry

pytestmark = pytest.mark.django_db


def test_learners_of_the_users_schools_only(world, client_for):
    response = client_for("school_staff").get("/api/v1/learners/")
    assert response.status_code == 200
    upns = {row["upn"] for row in response.json()["results"]}
    assert world.learner_a.upn in upns and world.learner_c.upn not in upns


@pytest.mark.parametrize("name", ["head_other_cluster", "partner_worker", "governor", "lead_other_la", "la_lead"])
def test_others_get_404_for_a_learner_and_their_carers(world, client_for, name):
    client = client_for(name)
    assert client.get(f"/api/v1/learners/{world.learner_a.pk}/").status_code in (403, 404)
    assert client.get(f"/api/v1/carers/{world.carer.pk}/").status_code in (403, 404)


def test_opening_a_learner_is_audited(world, client_for):
    client_for("feo").get(f"/api/v1/learners/{world.learner_a.pk}/")
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(world.learner_a.pk), content_type__model="learner").last()
    assert entry is not None and entry.actor == world.user("feo")


def test_filter_by_upn(world, client_for):
    response = client_for("headteacher").get("/api/v1/learners/", {"upn": world.learner_a.upn})
    assert [row["id"] for row in response.json()["results"]] == [world.learner_a.pk]
