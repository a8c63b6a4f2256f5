"""The access layer's decisions, written out as explicit expectations (not derived from the layer)."""

from __future__ import annotations

import pytest
from django.http import Http404

from cymuned.access.policy import Action, PolicyMissing, can, can_create, get_object_for_user, policy_for, visible_to
from cymuned.access.principal import principal_for
from cymuned.accounts.models import Membership
from cymuned.families.models import Learner
from cymuned.organisations.models import Cluster, Partner, School

pytestmark = pytest.mark.django_db

EVERY_USER = [
    "la_lead",
    "la_officer",
    "hub_coordinator",
    "headteacher",
    "school_staff",
    "feo",
    "csm",
    "governor",
    "partner_worker",
    "head_other_cluster",
    "partner_other",
    "lead_other_la",
    "staff_other_la",
    "public",
]

# Who may open learner A's record (school A, cluster X).
LEARNER_A_VIEWERS = {"headteacher", "school_staff", "feo", "csm"}
# Who may change school A's details.
SCHOOL_A_CHANGERS = {"la_lead", "headteacher"}
# Who may change partner P's entry.
PARTNER_P_CHANGERS = {"la_lead", "hub_coordinator", "partner_worker"}
# Who sees school A at all: everyone working in the same LA.
SCHOOL_A_VIEWERS = {
    "la_lead",
    "la_officer",
    "hub_coordinator",
    "headteacher",
    "school_staff",
    "feo",
    "csm",
    "governor",
    "partner_worker",
    "head_other_cluster",
    "partner_other",
}


@pytest.mark.parametrize("name", EVERY_USER)
def test_learner_record_is_seen_only_by_staff_of_its_school(world, name):
    assert can(world.user(name), Action.VIEW, world.learner_a) is (name in LEARNER_A_VIEWERS)


@pytest.mark.parametrize("name", EVERY_USER)
def test_school_is_changed_only_by_la_lead_and_its_head(world, name):
    assert can(world.user(name), Action.CHANGE, world.school_a) is (name in SCHOOL_A_CHANGERS)


@pytest.mark.parametrize("name", EVERY_USER)
def test_partner_entry_is_changed_by_la_hub_and_the_partner_itself(world, name):
    assert can(world.user(name), Action.CHANGE, world.partner_p) is (name in PARTNER_P_CHANGERS)


@pytest.mark.parametrize("name", EVERY_USER)
def test_schools_are_known_within_the_local_authority_only(world, name):
    assert can(world.user(name), Action.VIEW, world.school_a) is (name in SCHOOL_A_VIEWERS)


def test_feo_narrowed_to_a_cluster_reaches_that_clusters_learners_only(world):
    feo = world.user("feo")
    assert set(visible_to(feo, Learner)) == {world.learner_a}
    assert principal_for(feo).school_ids() == {world.school_a.pk, world.school_b.pk}


def test_la_lead_sees_no_individual_learners(world):
    assert not visible_to(world.user("la_lead"), Learner).exists()


def test_membership_visibility(world):
    head = world.user("headteacher")
    seen = set(visible_to(head, Membership))
    assert world.memberships["school_staff"] in seen
    assert world.memberships["governor"] in seen
    assert world.memberships["la_lead"] not in seen
    assert world.memberships["head_other_cluster"] not in seen
    # A head manages their staff but not their own headship.
    assert can(head, Action.CHANGE, world.memberships["school_staff"])
    assert not can(head, Action.CHANGE, world.memberships["headteacher"])
    # Everyone sees their own roles.
    assert set(visible_to(world.user("governor"), Membership)) == {world.memberships["governor"]}


def test_other_la_lead_cannot_reach_this_la(world):
    lead2 = world.user("lead_other_la")
    assert not visible_to(lead2, School).filter(local_authority=world.la).exists()
    assert not visible_to(lead2, Cluster).filter(local_authority=world.la).exists()
    assert not visible_to(lead2, Membership).filter(organisation=world.school_a).exists()
    assert not can_create(lead2, Membership, parent=world.school_a)


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    for model in (School, Cluster, Partner, Membership, Learner):
        assert not visible_to(anonymous, model).exists()


def test_get_object_for_user_is_404_for_missing_and_forbidden_alike(world):
    with pytest.raises(Http404):
        get_object_for_user(world.user("partner_worker"), Learner, pk=world.learner_a.pk)
    with pytest.raises(Http404):
        get_object_for_user(world.user("headteacher"), Learner, pk=999_999_999)
    with pytest.raises(Http404):
        get_object_for_user(world.user("headteacher"), Learner, pk="not-a-number")
    assert get_object_for_user(world.user("headteacher"), Learner, pk=world.learner_a.pk) == world.learner_a


def test_model_without_policy_is_refused(world):
    from django.contrib.sessions.models import Session

    with pytest.raises(PolicyMissing):
        policy_for(Session)
    with pytest.raises(PolicyMissing):
        visible_to(world.user("la_lead"), Session)


def test_ended_membership_gives_nothing(world):
    membership = world.memberships["headteacher"]
    membership.is_active = False
    membership.save()
    head = type(world.user("headteacher")).objects.get(pk=world.user("headteacher").pk)
    assert not can(head, Action.VIEW, world.learner_a)


def test_creation_rights(world):
    assert can_create(world.user("la_lead"), Partner, parent=world.la)
    assert can_create(world.user("hub_coordinator"), Partner)
    assert not can_create(world.user("headteacher"), Partner)
    assert can_create(world.user("headteacher"), Membership, parent=world.school_a)
    assert not can_create(world.user("headteacher"), Membership, parent=world.school_b)
    assert not can_create(world.user("partner_worker"), Membership, parent=world.partner_p)
