"""Who may see and manage school premises, hirers and bookings.

Public spaces are public. A school's headteacher and community school manager manage its spaces, availability,
prices and bookings; the LA's lead and officers manage every school of the LA. Hirers see and cancel their
own requests and invoices; nobody else's.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import Role

from .models import (
    Block,
    Booking,
    BookingSeries,
    CalendarFeed,
    CapitalProject,
    CaretakerCover,
    CostSettings,
    Hirer,
    Invoice,
    OpeningWindow,
    RateCard,
    Space,
    TermDate,
)

#: Who manages a school's lettings.
MANAGER_ROLES = (Role.HEADTEACHER, Role.CSM)
#: LA roles that manage lettings across the LA.
LA_MANAGER_ROLES = (Role.LA_LEAD, Role.LA_OFFICER)


def managed_schools_q(principal: Principal, field: str) -> Q:
    """Rows whose ``field`` (a school) the principal manages lettings for."""
    return principal.schools_q([*MANAGER_ROLES, *LA_MANAGER_ROLES], school_field=field)


def staff_schools_q(principal: Principal, field: str) -> Q:
    """Rows whose school is in a local authority the principal works in (staff see their LA's premises)."""
    if not principal.is_staff_member:
        return NOTHING
    return Q(**{f"{field}__local_authority_id__in": principal.member_la_ids()})


@register(Space)
class SpacePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return Q(is_public=True, is_active=True) | staff_schools_q(principal, "school")
        if action == Action.CHANGE:
            return managed_schools_q(principal, "school")
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        if parent is None:
            return principal.has_role(*MANAGER_ROLES, *LA_MANAGER_ROLES)
        from cymuned.organisations.models import School

        return School.objects.filter(managed_schools_q(principal, ""), pk=parent.pk).exists()


class _BySpace(ModelPolicy):
    field = "space__school"

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return staff_schools_q(principal, self.field)
        if action == Action.CHANGE:
            return managed_schools_q(principal, self.field)
        return NOTHING


@register(OpeningWindow)
class OpeningWindowPolicy(_BySpace):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):  # opening hours of public spaces are shown to the public
            return Q(space__is_public=True) | staff_schools_q(principal, self.field)
        return super().scope(principal, action)


@register(RateCard)
class RateCardPolicy(OpeningWindowPolicy):
    pass


class _BySchool(_BySpace):
    field = "school"


for _model in (Block, CaretakerCover, CostSettings, CapitalProject):
    register(_model)(type(f"{_model.__name__}Policy", (_BySchool,), {}))


@register(TermDate)
class TermDatePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return Q()  # term dates are public
        if action == Action.CHANGE:
            return Q(local_authority_id__in=principal.la_ids([Role.LA_LEAD, Role.LA_OFFICER]))
        return NOTHING


@register(Hirer)
class HirerPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        own = Q(user_id=principal.user_id) if principal.is_authenticated else NOTHING
        if action in (Action.LIST, Action.VIEW):
            managed = BookingSeries.objects.filter(managed_schools_q(principal, "space__school")).values("hirer_id")
            return own | Q(pk__in=managed) | Q(local_authority_id__in=principal.la_ids(LA_MANAGER_ROLES))
        if action == Action.CHANGE:
            return own
        return NOTHING


def series_scope(principal: Principal, action: Action, prefix: str = "") -> Q:
    own = Q(**{f"{prefix}hirer__user_id": principal.user_id}) if principal.is_authenticated else NOTHING
    managed = managed_schools_q(principal, f"{prefix}space__school")
    if action in (Action.LIST, Action.VIEW):
        return own | managed
    if action == Action.CHANGE:  # approve, decline, offer another time, record attendance
        return managed
    return NOTHING


@register(BookingSeries)
class BookingSeriesPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return series_scope(principal, action)


@register(Booking)
class BookingPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return series_scope(principal, action, "series__")


@register(Invoice)
class InvoicePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return series_scope(principal, action, "series__")
        if action == Action.CHANGE:  # record a payment, issue a credit note
            return managed_schools_q(principal, "series__space__school")
        return NOTHING


@register(CalendarFeed)
class CalendarFeedPolicy(ModelPolicy):
    """A feed is managed by whoever may see everything in it."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action not in (Action.LIST, Action.VIEW, Action.CHANGE):
            return NOTHING
        own = Q(hirer__user_id=principal.user_id) if principal.is_authenticated else NOTHING
        return own | managed_schools_q(principal, "school") | managed_schools_q(principal, "space__school")
