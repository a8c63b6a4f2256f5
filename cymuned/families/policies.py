"""Who may see learners and families: staff working in the learner's school, never partners by default.

Households are reached through their learners' schools; episodes and contacts through the school
they were opened at. Partner access (through consent and referral) comes with the hub.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import LEARNER_ROLES, Role

from .models import Carer, Consent, Contact, Episode, Household, Learner

#: Who runs casework at a school: the FEO, and the head and community school manager who oversee it.
CASEWORK_ROLES = (Role.FEO, Role.HEADTEACHER, Role.CSM)
#: Who answers a family's subject access request: the school's head and community school manager (FEOs ask them).
SUBJECT_ACCESS_ROLES = (Role.HEADTEACHER, Role.CSM)


@register(Learner)
class LearnerPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return principal.schools_q(LEARNER_ROLES, school_field="school")
        if action == Action.CHANGE:
            return principal.schools_q([Role.HEADTEACHER, Role.SCHOOL_STAFF, Role.FEO], school_field="school")
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        allowed = principal.school_ids([Role.HEADTEACHER, Role.SCHOOL_STAFF])
        return bool(allowed) and (parent is None or parent.pk in allowed)


def household_scope(principal: Principal, roles: tuple[str, ...] | frozenset[str], prefix: str = "") -> Q:
    learners = Learner.objects.filter(principal.schools_q(roles, school_field="school"))
    episodes = Episode.objects.filter(principal.schools_q(roles, school_field="school"))
    return Q(**{f"{prefix}pk__in": learners.values("household_id")}) | Q(**{f"{prefix}pk__in": episodes.values("household_id")})


@register(Household)
class HouseholdPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if not principal.has_role(*LEARNER_ROLES):
            return NOTHING
        if action in (Action.LIST, Action.VIEW):
            return household_scope(principal, LEARNER_ROLES)
        if action == Action.CHANGE:
            return household_scope(principal, CASEWORK_ROLES)
        if action == Action.EXPORT:
            # A subset of CHANGE: only those who may change the household may take all of it out.
            return household_scope(principal, SUBJECT_ACCESS_ROLES)
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return principal.has_role(*CASEWORK_ROLES)


def _via_household(principal: Principal, action: Action) -> Q:
    if not principal.has_role(*LEARNER_ROLES):
        return NOTHING
    roles = LEARNER_ROLES if action in (Action.LIST, Action.VIEW) else CASEWORK_ROLES
    if action not in (Action.LIST, Action.VIEW, Action.CHANGE):
        return NOTHING
    learners = Learner.objects.filter(principal.schools_q(roles, school_field="school"))
    episodes = Episode.objects.filter(principal.schools_q(roles, school_field="school"))
    return Q(household_id__in=learners.values("household_id")) | Q(household_id__in=episodes.values("household_id"))


@register(Carer)
class CarerPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return _via_household(principal, action)


@register(Consent)
class ConsentPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return _via_household(principal, action)


@register(Episode)
class EpisodePolicy(ModelPolicy):
    """Staff of the school see its episodes; the officer and the school's head and manager change them."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return principal.schools_q(LEARNER_ROLES, school_field="school")
        if action == Action.CHANGE:
            managers = principal.schools_q([Role.HEADTEACHER, Role.CSM], school_field="school")
            own = Q(officer_id=principal.user_id) & principal.schools_q([Role.FEO], school_field="school")
            return managers | own
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        allowed = principal.school_ids(CASEWORK_ROLES)
        return bool(allowed) and (parent is None or parent.pk in allowed)


@register(Contact)
class ContactPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW, Action.CHANGE):
            episodes = Episode.objects.filter(EpisodePolicy().scope(principal, action))
            return Q(episode_id__in=episodes.values("pk"))
        return NOTHING
