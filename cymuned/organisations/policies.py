"""Who may see and change organisations. Read by the access layer only."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import Role

from .models import Cluster, LocalAuthority, Organisation, Partner, School


def _in_member_las(principal: Principal, la_field: str) -> Q:
    las = principal.member_la_ids()
    return Q(**{f"{la_field}__in": sorted(las)}) if las else NOTHING


@register(Organisation)
class OrganisationPolicy(ModelPolicy):
    """Any member of an LA sees the organisations of that LA; the LA lead changes them."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            las = sorted(principal.member_la_ids())
            return Q(pk__in=las) | Q(local_authority_id__in=las) if las else NOTHING
        if action == Action.CHANGE:
            las = sorted(principal.la_ids([Role.LA_LEAD]))
            return Q(pk__in=las) | Q(local_authority_id__in=las) if las else NOTHING
        return NOTHING


@register(LocalAuthority)
class LocalAuthorityPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            las = principal.member_la_ids()
        elif action == Action.CHANGE:
            las = principal.la_ids([Role.LA_LEAD])
        else:
            return NOTHING
        return Q(pk__in=sorted(las)) if las else NOTHING


@register(Cluster)
class ClusterPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return _in_member_las(principal, "local_authority_id")
        if action in (Action.CHANGE, Action.DELETE):
            las = principal.la_ids([Role.LA_LEAD])
            return Q(local_authority_id__in=sorted(las)) if las else NOTHING
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return principal.has_role(Role.LA_LEAD) and (parent is None or parent.pk in principal.la_ids([Role.LA_LEAD]))


@register(School)
class SchoolPolicy(ModelPolicy):
    """Schools are known to everyone working in the LA; the LA lead and the head change them."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return _in_member_las(principal, "local_authority_id")
        if action == Action.CHANGE:
            q = principal.schools_q([Role.LA_LEAD], school_field="")
            heads = principal.school_ids([Role.HEADTEACHER])
            return q | Q(pk__in=sorted(heads)) if heads else q
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return principal.has_role(Role.LA_LEAD) and (parent is None or parent.pk in principal.la_ids([Role.LA_LEAD]))


@register(Partner)
class PartnerPolicy(ModelPolicy):
    """The LA lead and hub coordinators keep the partner register; a partner keeps its own entry."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return _in_member_las(principal, "local_authority_id")
        if action == Action.CHANGE:
            las = sorted(principal.la_ids([Role.LA_LEAD, Role.HUB_COORDINATOR]))
            own = sorted(principal.organisation_ids([Role.PARTNER_WORKER]))
            q = NOTHING
            if las:
                q |= Q(local_authority_id__in=las)
            if own:
                q |= Q(pk__in=own)
            return q
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        allowed = principal.la_ids([Role.LA_LEAD, Role.HUB_COORDINATOR])
        return bool(allowed) and (parent is None or parent.pk in allowed)
