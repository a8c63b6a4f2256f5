"""Who may see and manage grants, allocations, spend, claims and funded posts.

The LA's lead and officers manage everything of their authority (streams, awards, allocations, spend, claims,
posts); the hub coordinator sees it. A school's headteacher, staff and community school manager see the
allocations made to their school or its cluster and the spend against them; the **headteacher records spend**
against their own school's allocations (the school holds the budget line), but not against a cluster's, which the
LA records. Holders see their own funded post. Governors, partners and the public see no funding records.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import Role

from .models import Allocation, Award, Claim, FundedPost, FundingStream, Spend

#: LA roles that manage funding.
MANAGERS = (Role.LA_LEAD, Role.LA_OFFICER)
#: LA roles that see all the funding of their authority.
LA_READERS = (Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR)
#: School roles that see their school's allocations.
SCHOOL_READERS = (Role.HEADTEACHER, Role.SCHOOL_STAFF, Role.CSM)
#: School roles that record spend against their school's allocations.
SCHOOL_SPENDERS = (Role.HEADTEACHER,)


def _la(principal: Principal, roles: tuple[str, ...], field: str) -> Q:
    ids = principal.la_ids(roles)
    return Q(**{f"{field}__in": sorted(ids)}) if ids else NOTHING


def allocation_q(principal: Principal, action: Action, prefix: str = "") -> Q:
    la_field = f"{prefix}award__local_authority_id"
    if action in (Action.LIST, Action.VIEW):
        schools = principal.school_ids(SCHOOL_READERS)
        clusters = principal.cluster_ids(SCHOOL_READERS)
        q = _la(principal, LA_READERS, la_field)
        if schools:
            q |= Q(**{f"{prefix}school_id__in": sorted(schools)})
        if clusters:
            q |= Q(**{f"{prefix}cluster_id__in": sorted(clusters)})
        return q
    if action == Action.CHANGE:  # recording spend against it
        q = _la(principal, MANAGERS, la_field)
        schools = principal.school_ids(SCHOOL_SPENDERS)
        return q | Q(**{f"{prefix}school_id__in": sorted(schools)}) if schools else q
    return NOTHING


@register(FundingStream)
class FundingStreamPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return _la(principal, LA_READERS, "local_authority_id")
        if action == Action.CHANGE:
            return _la(principal, MANAGERS, "local_authority_id")
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return bool(principal.la_ids(MANAGERS)) and (parent is None or parent.pk in principal.la_ids(MANAGERS))


@register(Award)
class AwardPolicy(FundingStreamPolicy):
    pass


@register(Allocation)
class AllocationPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return allocation_q(principal, action)


@register(Spend)
class SpendPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return allocation_q(principal, action, "allocation__")
        if action in (Action.CHANGE, Action.DELETE):
            return _la(principal, MANAGERS, "allocation__award__local_authority_id")
        return NOTHING


@register(Claim)
class ClaimPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return _la(principal, LA_READERS, "award__local_authority_id")
        if action == Action.CHANGE:
            return _la(principal, MANAGERS, "award__local_authority_id")
        return NOTHING


@register(FundedPost)
class FundedPostPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            q = _la(principal, LA_READERS, "local_authority_id")
            return q | Q(holder__user_id=principal.user_id) if principal.is_staff_member else q
        if action == Action.CHANGE:
            return _la(principal, MANAGERS, "local_authority_id")
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return bool(principal.la_ids(MANAGERS))
