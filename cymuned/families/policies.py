"""Who may see learners: staff working in the learner's school, never partners by default."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from cymuned.access.policy import NOTHING, Action, ModelPolicy, register
from cymuned.access.principal import Principal
from cymuned.accounts.roles import LEARNER_ROLES, Role

from .models import Learner


@register(Learner)
class LearnerPolicy(ModelPolicy):
    def scope(self, principal: Principal, action: Action) -> Q:
        if action in (Action.LIST, Action.VIEW):
            return principal.schools_q(LEARNER_ROLES, school_field="school")
        if action == Action.CHANGE:
            return principal.schools_q([Role.HEADTEACHER, Role.SCHOOL_STAFF], school_field="school")
        return NOTHING

    def can_create(self, principal: Principal, *, parent: models.Model | None = None) -> bool:
        allowed = principal.school_ids([Role.HEADTEACHER, Role.SCHOOL_STAFF])
        return bool(allowed) and (parent is None or parent.pk in allowed)
