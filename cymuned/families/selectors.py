from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cymuned.access.policy import Action, visible_to

from .models import Learner


def learners_for(*, user: Any, q: str = "", school_id: int | None = None, year_group: int | None = None) -> QuerySet[Learner]:
    learners = visible_to(user, Learner.objects.with_related(), Action.LIST).active()
    if q:
        learners = learners.filter(Q(given_name__icontains=q) | Q(family_name__icontains=q) | Q(upn=q.upper()))
    if school_id:
        learners = learners.filter(school_id=school_id)
    if year_group is not None:
        learners = learners.filter(year_group=year_group)
    return learners.order_by("family_name", "given_name", "pk")
