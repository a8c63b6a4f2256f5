"""Who sees and changes the strategic plan, its consultations and the reports to Council.

- The LA's lead and officers manage their LA's plan, questionnaires and reports.
- Everyone who works in the LA (schools, partners, the hub) sees the plan at every stage and the consultations' figures.
- An action is updated by its owner and by the head, community school manager or partner worker of the organisation that owns it.
- The public see approved (published) plan versions, and public questionnaires while they are open.
- Responses (names, when a questionnaire is named) are seen by the owning LA's lead and officers only.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import Role

from .models import (
    PUBLISHED_STATUSES,
    ActionUpdate,
    Answer,
    CouncilReport,
    Objective,
    PlanAction,
    PlanMeasure,
    PlanVersion,
    Priority,
    Question,
    Questionnaire,
    Response,
    StrategicPlan,
)

#: Roles that manage the LA's plan, consultations and reports.
MANAGERS = (Role.LA_LEAD, Role.LA_OFFICER)
#: Roles at an organisation that update the actions it owns.
ACTION_UPDATERS = (Role.HEADTEACHER, Role.CSM, Role.PARTNER_WORKER, Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR)


def managed_las(principal: Principal) -> list[int]:
    return sorted(principal.la_ids(MANAGERS))


def _in(field: str, ids: object) -> Q:
    ids = sorted(ids)  # type: ignore[call-overload]
    return Q(**{f"{field}__in": ids}) if ids else NOTHING


def version_scope(principal: Principal, action: Action, prefix: str = "") -> Q:
    """Plan versions (``prefix`` points from a related model to its version)."""
    la = f"{prefix}plan__local_authority_id"
    if action in (Action.LIST, Action.VIEW):
        return Q(**{f"{prefix}status__in": PUBLISHED_STATUSES}) | _in(la, principal.member_la_ids())
    if action in (Action.CHANGE, Action.DELETE):
        return _in(la, managed_las(principal))
    return NOTHING


@register(StrategicPlan)
class StrategicPlanPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            published = Q(pk__in=PlanVersion.objects.filter(status__in=PUBLISHED_STATUSES).values("plan_id"))
            return published | _in("local_authority_id", principal.member_la_ids())
        if action == Action.CHANGE:
            return _in("local_authority_id", managed_las(principal))
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return bool(managed_las(principal))


@register(PlanVersion)
class PlanVersionPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return version_scope(principal, action)


@register(Priority)
class PriorityPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return version_scope(principal, action, "version__")


@register(Objective)
class ObjectivePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return version_scope(principal, action, "priority__version__")


@register(PlanMeasure)
class PlanMeasurePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return version_scope(principal, action, "objective__priority__version__")


def action_scope(principal: Principal, action: Action, prefix: str = "") -> Q:
    version = f"{prefix}objective__priority__version__"
    if action in (Action.LIST, Action.VIEW):
        return version_scope(principal, action, version)
    if action == Action.CHANGE:
        # Progress updates: the LA's managers, the action's owner, and the owning organisation's people.
        if not principal.is_authenticated:
            return NOTHING
        mine = Q(**{f"{prefix}owner_id": principal.user_id}) | _in(f"{prefix}organisation_id", principal.organisation_ids(ACTION_UPDATERS))
        return version_scope(principal, Action.CHANGE, version) | (mine & _in(f"{version}plan__local_authority_id", principal.member_la_ids()))
    if action == Action.DELETE:
        return version_scope(principal, Action.CHANGE, version)
    return NOTHING


@register(PlanAction)
class PlanActionPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return action_scope(principal, action)


@register(ActionUpdate)
class ActionUpdatePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return action_scope(principal, action, "action__")
        return NOTHING


def questionnaire_scope(principal: Principal, action: Action, prefix: str = "") -> Q:
    la = f"{prefix}local_authority_id"
    if action == Action.VIEW:
        today = timezone.localdate()
        open_public = Q(**{f"{prefix}is_public": True, f"{prefix}opens_on__lte": today, f"{prefix}closes_on__gte": today})
        return open_public | _in(la, principal.member_la_ids())
    if action == Action.LIST:
        # Lists and results: the people who work in the LA (the public reach open questionnaires by their link).
        return _in(la, principal.member_la_ids())
    if action in (Action.CHANGE, Action.EXPORT):
        return _in(la, managed_las(principal))
    return NOTHING


@register(Questionnaire)
class QuestionnairePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return questionnaire_scope(principal, action)

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return bool(managed_las(principal))


@register(Question)
class QuestionPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return questionnaire_scope(principal, action, "questionnaire__")


@register(Response)
class ResponsePolicy(ModelPolicy):
    """Responses (with names, when named) only for the owning LA's managers."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return _in("questionnaire__local_authority_id", managed_las(principal))
        return NOTHING


@register(Answer)
class AnswerPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return _in("response__questionnaire__local_authority_id", managed_las(principal))
        return NOTHING


@register(CouncilReport)
class CouncilReportPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return _in("local_authority_id", managed_las(principal))
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        return bool(managed_las(principal))
