"""Who may see and maintain the services directory.

Services with a public status (active, temporarily closed) are public: anyone may read them, on the
public directory and through the Open Referral UK API. Staff of a local authority see every entry of
their LA, whatever its status. An entry is maintained (changed, its locations, schedules, languages
and terms edited) by the LA's leads, officers and hub coordinators for every service of their LA, by
partner workers for their own organisation's services, and by the headteacher and community school
manager for their school's services. Taxonomies are read by everyone and changed only by import or by
platform administrators.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import EVERYTHING, NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import Role

from .models import (
    PUBLIC_STATUSES,
    Accessibility,
    Contact,
    CostOption,
    Language,
    Location,
    OrganisationIdentifier,
    Phone,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceAttribute,
    Taxonomy,
    TaxonomyTerm,
)

#: LA roles that maintain every entry of their LA (and import feeds).
LA_MAINTAINER_ROLES = (Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR)
#: Roles that maintain their own organisation's entries.
OWN_MAINTAINER_ROLES = (Role.PARTNER_WORKER, Role.HEADTEACHER, Role.CSM)
MAINTAINER_ROLES = LA_MAINTAINER_ROLES + OWN_MAINTAINER_ROLES


def maintain_scope(principal: Principal, prefix: str = "") -> Q:
    """The services (or, with a prefix, rows hanging off a service or location) a principal maintains."""
    if not principal.is_staff_member:
        return NOTHING
    la_ids = principal.la_ids(LA_MAINTAINER_ROLES)
    own = principal.organisation_ids(OWN_MAINTAINER_ROLES)
    q = NOTHING
    if la_ids:
        q |= Q(**{f"{prefix}local_authority_id__in": sorted(la_ids)})
    if own:
        q |= Q(**{f"{prefix}organisation_id__in": sorted(own)})
    return q


def read_scope(principal: Principal, prefix: str = "") -> Q:
    public = Q(**{f"{prefix}status__in": list(PUBLIC_STATUSES)})
    if not principal.is_staff_member:
        return public
    return public | Q(**{f"{prefix}local_authority_id__in": sorted(principal.member_la_ids())}) | maintain_scope(principal, prefix)


@register(Service)
class ServicePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return read_scope(principal)
        if action in (Action.CHANGE, Action.DELETE):
            return maintain_scope(principal)
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return principal.has_role(*MAINTAINER_ROLES)


class _ThroughService(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return read_scope(principal, "service__")
        if action in (Action.CHANGE, Action.DELETE):
            return maintain_scope(principal, "service__")
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return principal.has_role(*MAINTAINER_ROLES)


for _model in (ServiceAttribute, ServiceAtLocation, Contact, Phone, Schedule, Language, CostOption, ServiceArea):
    register(_model)(type(f"{_model.__name__}Policy", (_ThroughService,), {}))


@register(Location)
class LocationPolicy(ModelPolicy):
    """Addresses of places where services run are public; they are maintained like services."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return EVERYTHING
        if action in (Action.CHANGE, Action.DELETE):
            return maintain_scope(principal)
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return principal.has_role(*MAINTAINER_ROLES)


@register(Accessibility)
class AccessibilityPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return EVERYTHING
        if action in (Action.CHANGE, Action.DELETE):
            return maintain_scope(principal, "location__")
        return NOTHING


class _PublicReadOnly(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return EVERYTHING if action in (Action.LIST, Action.VIEW) else NOTHING


for _model in (Taxonomy, TaxonomyTerm, OrganisationIdentifier):
    register(_model)(type(f"{_model.__name__}Policy", (_PublicReadOnly,), {}))
