"""Who sees and does what in self-evaluation.

- A school's own people see its evaluations at every stage; its head and community school
  manager rate and plan while it is a draft.
- The LA (lead and officers, or an officer narrowed to a cluster) sees submitted work and
  moderates it; the LA lead and officers publish.
- Every other signed-in member of the LA (other schools, partners) sees published evaluations only.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import Role

from .models import Action as PlanAction
from .models import ActionUpdate, Cell, Evaluation, EvaluationStatus, Evidence, Framework, Rating, StakeholderSurvey

#: Roles at a school that rate, plan and gather evidence.
EVALUATORS = (Role.HEADTEACHER, Role.CSM)
#: Every role of a school's own people.
SCHOOL_PEOPLE = (Role.HEADTEACHER, Role.CSM, Role.SCHOOL_STAFF, Role.FEO, Role.GOVERNOR)
MODERATORS = (Role.LA_LEAD, Role.LA_OFFICER)
SUBMITTED_OR_LATER = (EvaluationStatus.SUBMITTED, EvaluationStatus.MODERATED, EvaluationStatus.PUBLISHED)


def evaluation_scope(principal: Principal, action: Action, prefix: str = "") -> Q:
    """The evaluation rows reachable for ``action``; ``prefix`` points from a related model to its evaluation."""
    school = f"{prefix}school"
    status = f"{prefix}status"
    if action in (Action.LIST, Action.VIEW):
        own = _schools(principal, SCHOOL_PEOPLE, school)
        moderation = _schools(principal, MODERATORS, school) & Q(**{f"{status}__in": SUBMITTED_OR_LATER})
        published = Q(**{status: EvaluationStatus.PUBLISHED}) & _member_of_la(principal, school)
        return own | moderation | published
    if action == Action.CHANGE:
        return _schools(principal, EVALUATORS, school) & Q(**{status: EvaluationStatus.DRAFT})
    if action == Action.MODERATE:
        return _schools(principal, MODERATORS, school) & Q(
            **{f"{status}__in": (EvaluationStatus.SUBMITTED, EvaluationStatus.MODERATED)}
        )
    if action == Action.PUBLISH:
        las = sorted(principal.la_ids(MODERATORS))
        if not las:
            return NOTHING
        return Q(**{f"{school}__local_authority_id__in": las, status: EvaluationStatus.MODERATED})
    return NOTHING


def _schools(principal: Principal, roles: tuple[str, ...], school_field: str) -> Q:
    return principal.schools_q(roles, school_field=school_field)


def _member_of_la(principal: Principal, school_field: str) -> Q:
    las = sorted(principal.member_la_ids())
    return Q(**{f"{school_field}__local_authority_id__in": las}) if las else NOTHING


@register(Framework)
class FrameworkPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            las = sorted(principal.member_la_ids())
        elif action == Action.CHANGE:
            las = sorted(principal.la_ids([Role.LA_LEAD]))
        else:
            return NOTHING
        return Q(local_authority_id__in=las) if las else NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        las = principal.la_ids([Role.LA_LEAD])
        return bool(las) and (parent is None or parent.pk in las)


@register(Cell)
class CellPolicy(ModelPolicy):
    """A cell goes with its framework version."""

    def scope(self, principal: Principal, action: Action) -> Q:
        frameworks = Framework.objects.filter(FrameworkPolicy().scope(principal, action))
        return Q(framework__in=frameworks.values("pk"))


@register(Evaluation)
class EvaluationPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        return evaluation_scope(principal, action)

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        schools = principal.school_ids(EVALUATORS)
        return bool(schools) and (parent is None or parent.pk in schools)


@register(Evidence)
class EvidencePolicy(ModelPolicy):
    """Evidence is for the school and its moderators: not for other schools or partners, even once published."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            own = principal.schools_q(SCHOOL_PEOPLE, school_field="evaluation__school")
            moderation = principal.schools_q(MODERATORS, school_field="evaluation__school") & Q(
                evaluation__status__in=SUBMITTED_OR_LATER
            )
            return own | moderation
        if action in (Action.CHANGE, Action.DELETE):
            return evaluation_scope(principal, Action.CHANGE, prefix="evaluation__")
        return NOTHING


@register(StakeholderSurvey)
class StakeholderSurveyPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return evaluation_scope(principal, Action.VIEW, prefix="evaluation__")
        if action == Action.CHANGE:
            return principal.schools_q(EVALUATORS, school_field="evaluation__school")
        return NOTHING


@register(PlanAction)
class PlanActionPolicy(ModelPolicy):
    """Actions are seen with their evaluation; the school's evaluators and the action's owner update them."""

    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return evaluation_scope(principal, Action.VIEW, prefix="evaluation__") | (
                Q(owner_id=principal.user_id) if principal.is_authenticated else NOTHING
            )
        if action == Action.CHANGE:
            return principal.schools_q(EVALUATORS, school_field="evaluation__school") | (
                Q(owner_id=principal.user_id) if principal.is_authenticated else NOTHING
            )
        return NOTHING


@register(ActionUpdate)
class ActionUpdatePolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            visible_actions = PlanAction.objects.filter(PlanActionPolicy().scope(principal, Action.VIEW))
            return Q(action__in=visible_actions.values("pk"))
        return NOTHING



@register(Rating)
class RatingPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return evaluation_scope(principal, Action.VIEW, prefix="evaluation__")
        return NOTHING
