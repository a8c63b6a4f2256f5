"""Who may see and run programmes, and see the people on them.

Published programmes are public: anyone, signed in or not, may view them (the public pages and the
API use the same rule). Staff of the local authority see all its programmes. A programme is run
(changed, its registers marked, its enrolments seen) by the LA's officers, by the staff of its lead
organisation and by the head and community school manager of the school that hosts it. The staff
of a learner's school also see that learner's enrolments.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import LEARNER_ROLES, Role

from .models import Achievement, Attendance, ConfidenceResponse, Enrolment, Programme, Session

#: Roles that may run a programme their organisation leads.
RUNNER_ROLES = (Role.HEADTEACHER, Role.CSM, Role.FEO, Role.SCHOOL_STAFF, Role.PARTNER_WORKER)
#: Roles that may set up a programme.
CREATOR_ROLES = (Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR, Role.HEADTEACHER, Role.CSM, Role.FEO, Role.PARTNER_WORKER)


def run_scope(principal: Principal, prefix: str = "") -> Q:
    """The programmes a principal runs."""
    if not principal.is_staff_member:
        return NOTHING
    la = principal.la_ids([Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR])
    schools = principal.school_ids(RUNNER_ROLES)
    partners = principal.organisation_ids([Role.PARTNER_WORKER])
    hosts = principal.school_ids([Role.HEADTEACHER, Role.CSM])
    return (
        Q(**{f"{prefix}local_authority_id__in": la})
        | Q(**{f"{prefix}lead_organisation_id__in": schools | partners})
        | Q(**{f"{prefix}venue_school_id__in": hosts})
    )


@register(Programme)
class ProgrammePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            published = Q(is_published=True)
            return published | Q(local_authority_id__in=principal.member_la_ids()) if principal.is_staff_member else published
        if action == Action.CHANGE:
            return run_scope(principal)
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return principal.has_role(*CREATOR_ROLES)


@register(Session)
class SessionPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return Q(programme__in=Programme.objects.filter(ProgrammePolicy().scope(principal, action)).values("pk"))
        if action == Action.CHANGE:
            return run_scope(principal, "programme__")
        return NOTHING


def enrolment_scope(principal: Principal, action: Action, prefix: str = "") -> Q:
    if not principal.is_staff_member:
        return NOTHING
    if action in (Action.LIST, Action.VIEW):
        return run_scope(principal, f"{prefix}programme__") | principal.schools_q(LEARNER_ROLES, school_field=f"{prefix}learner__school")
    if action == Action.CHANGE:
        return run_scope(principal, f"{prefix}programme__")
    return NOTHING


@register(Enrolment)
class EnrolmentPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return enrolment_scope(principal, action)


class _ThroughEnrolment(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return enrolment_scope(principal, action, "enrolment__")


for _model in (Attendance, Achievement, ConfidenceResponse):
    register(_model)(type(f"{_model.__name__}Policy", (_ThroughEnrolment,), {}))
