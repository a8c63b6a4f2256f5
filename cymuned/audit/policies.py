"""The audit log is read by LA leads only, for actions by people working in their LA."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.models import Membership
from cymuned.accounts.roles import Role

from .models import ExportRecord, RowChange


def _people_of_las(principal: Principal) -> Q | None:
    las = sorted(principal.la_ids([Role.LA_LEAD]))
    if not las:
        return None
    return Q(organisation_id__in=las) | Q(organisation__local_authority_id__in=las)


@register(LogEntry)
class LogEntryPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        people = _people_of_las(principal)
        if people is None or action not in (Action.LIST, Action.VIEW):
            return NOTHING
        return Q(actor_id__in=Membership.objects.filter(people).values("user_id"))


@register(ExportRecord)
class ExportRecordPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        people = _people_of_las(principal)
        if people is None or action not in (Action.LIST, Action.VIEW):
            return NOTHING
        return Q(user_id__in=Membership.objects.filter(people).values("user_id"))


@register(RowChange)
class RowChangePolicy(ModelPolicy):
    """Changes by people working in the LA, and changes no user made (commands, imports run on the server):
    each council runs its own Cymuned, so those are the council's own."""

    def scope(self, principal: Principal, action: Action) -> Q:
        people = _people_of_las(principal)
        if people is None or action not in (Action.LIST, Action.VIEW):
            return NOTHING
        return Q(actor_id__isnull=True) | Q(actor_id__in=Membership.objects.filter(people).values("user_id"))
