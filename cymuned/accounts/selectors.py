from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from cymuned.access.policy import Action, visible_to

from .models import Membership


def memberships_for(*, user: Any, q: str = "", role: str = "") -> QuerySet[Membership]:
    """Memberships the user may see, searched by name or email and filtered by role."""
    memberships = visible_to(user, Membership.objects.with_related(), Action.LIST)
    if q:
        memberships = memberships.filter(Q(user__full_name__icontains=q) | Q(user__email__icontains=q))
    if role:
        memberships = memberships.filter(role=role)
    return memberships.order_by("organisation__name_en", "user__full_name", "role")
