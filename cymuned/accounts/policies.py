"""Who may see and manage people and their memberships."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.organisations.models import OrganisationKind

from .models import Membership, User
from .roles import Role


def _la_lead_memberships(principal: Principal) -> Q:
    las = sorted(principal.la_ids([Role.LA_LEAD]))
    if not las:
        return NOTHING
    return Q(organisation_id__in=las) | Q(organisation__local_authority_id__in=las)


@register(Membership)
class MembershipPolicy(ModelPolicy):
    """Everyone sees their own roles; the LA lead manages the LA's; a head manages their school's staff."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if not principal.is_authenticated:
            return NOTHING
        heads = sorted(principal.school_ids([Role.HEADTEACHER]))
        managed = _la_lead_memberships(principal)
        if heads:
            managed |= Q(organisation_id__in=heads) & ~Q(role=Role.HEADTEACHER)
        if action in (Action.LIST, Action.VIEW):
            return managed | Q(user_id=principal.user_id) | (Q(organisation_id__in=heads) if heads else NOTHING)
        if action in (Action.CHANGE, Action.DELETE):
            return managed
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        if parent is None:
            return principal.has_role(Role.LA_LEAD, Role.HEADTEACHER)
        las = principal.la_ids([Role.LA_LEAD])
        la_of_parent = getattr(parent, "local_authority_id", None) or parent.pk
        if la_of_parent in las:
            return True
        return getattr(parent, "kind", None) == OrganisationKind.SCHOOL and parent.pk in principal.school_ids([Role.HEADTEACHER])


@register(User)
class UserPolicy(ModelPolicy):
    """A user sees themself; the LA lead sees everyone holding a role in the LA; a head their staff."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if not principal.is_authenticated:
            return NOTHING
        own = Q(pk=principal.user_id)
        if action not in (Action.LIST, Action.VIEW):
            return own if action == Action.CHANGE else NOTHING
        reachable = Membership.objects.filter(_la_lead_memberships(principal))
        heads = sorted(principal.school_ids([Role.HEADTEACHER]))
        if heads:
            reachable = Membership.objects.filter(_la_lead_memberships(principal) | Q(organisation_id__in=heads))
        return own | Q(pk__in=reachable.values("user_id"))
