from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from cymuned.access.policy import Action, visible_to
from cymuned.core.models import localised_order

from .models import Cluster, Partner, School


def schools_for(
    *, user: Any, q: str = "", cluster: Cluster | None = None, phase: str = "", language_medium: str = ""
) -> QuerySet[School]:
    schools = visible_to(user, School.objects.with_related(), Action.LIST).filter(is_active=True)
    if q:
        schools = schools.filter(Q(name_en__icontains=q) | Q(name_cy__icontains=q) | Q(school_number__startswith=q))
    if cluster is not None:
        schools = schools.filter(cluster=cluster)
    if phase:
        schools = schools.filter(phase=phase)
    if language_medium:
        schools = schools.filter(language_medium=language_medium)
    return schools.order_by(localised_order("name"), "pk")


def clusters_for(*, user: Any) -> QuerySet[Cluster]:
    return (
        visible_to(user, Cluster.objects.select_related("local_authority"), Action.LIST)
        .annotate(school_count=Count("schools", filter=Q(schools__is_active=True)))
        .order_by(localised_order("name"), "pk")
    )


def partners_for(*, user: Any, q: str = "", partner_type: str = "") -> QuerySet[Partner]:
    partners = visible_to(user, Partner.objects.select_related("local_authority"), Action.LIST).filter(is_active=True)
    if q:
        partners = partners.filter(Q(name_en__icontains=q) | Q(name_cy__icontains=q))
    if partner_type:
        partners = partners.filter(partner_type=partner_type)
    return partners.order_by(localised_order("name"), "pk")
