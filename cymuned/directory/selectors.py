"""Reads of the services directory. Every list runs a fixed number of queries whatever the row count:
filters are ``Exists`` subqueries, distance is computed in SQL, and related rows come by prefetch."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from cymuned.access.policy import Action, visible_to
from cymuned.core.models import localised_order

from .geo import Point, haversine_expression
from .models import Language, Location, Schedule, Service, ServiceAtLocation, ServiceAttribute, TaxonomyTerm

#: Age groups of the public search: key -> (label, youngest, oldest).
AGE_GROUPS: dict[str, tuple[Any, int, int]] = {
    "under-5": (_("Under 5"), 0, 4),
    "5-11": (_("5 to 11"), 5, 11),
    "11-16": (_("11 to 16"), 11, 16),
    "16-25": (_("16 to 25"), 16, 25),
    "adults": (_("Adults"), 18, 64),
    "65-plus": (_("65 and over"), 65, 120),
}

#: Languages the public search offers: key -> label. "cy" also finds services with the Welsh active offer.
LANGUAGE_FILTERS: dict[str, Any] = {
    "cy": _("Welsh"),
    "active-offer": _("Welsh without having to ask (active offer)"),
    "en": _("English"),
    "bfi": _("British Sign Language"),
    "pl": _("Polish"),
    "ar": _("Arabic"),
    "uk": _("Ukrainian"),
}


def with_listing(queryset: QuerySet[Service]) -> QuerySet[Service]:
    """What a list of services shows: organisation, terms, languages, locations (a fixed number of prefetches)."""
    return queryset.select_related("organisation__partner", "local_authority").prefetch_related(
        Prefetch("taxonomy_terms", queryset=TaxonomyTerm.objects.select_related("taxonomy").order_by("name_en")),
        Prefetch("languages", queryset=Language.objects.order_by("code")),
        Prefetch("service_at_locations", queryset=ServiceAtLocation.objects.select_related("location").order_by("location__name_en")),
    )


def with_detail(queryset: QuerySet[Service]) -> QuerySet[Service]:
    """Everything a service's page or its ORUK record shows."""
    return with_listing(queryset).prefetch_related(
        Prefetch("schedules", queryset=Schedule.objects.order_by("opens_at", "pk")),
        "contacts__phones",
        "phones",
        "cost_options",
        "service_areas",
        Prefetch("attributes", queryset=ServiceAttribute.objects.select_related("taxonomy_term__taxonomy")),
        "service_at_locations__location__accessibilities",
    )


def filter_services(
    queryset: QuerySet[Service],
    *,
    term: str = "",
    taxonomy: str = "",
    q: str = "",
    language: str = "",
    age_group: str = "",
    minimum_age: int | None = None,
    maximum_age: int | None = None,
    modified_after: datetime.datetime | None = None,
) -> QuerySet[Service]:
    """Narrow services by need (term code or id), taxonomy id, keyword, language, age and change date."""
    if term:
        match = Q(taxonomy_term__code=term)
        if _looks_like_uuid(term):
            match |= Q(taxonomy_term_id=term)
        queryset = queryset.filter(Exists(ServiceAttribute.objects.filter(match, service=OuterRef("pk"))))
    if taxonomy:
        if not _looks_like_uuid(taxonomy):
            return queryset.none()
        queryset = queryset.filter(Exists(ServiceAttribute.objects.filter(service=OuterRef("pk"), taxonomy_term__taxonomy_id=taxonomy)))
    if q:
        for word in q.split()[:8]:
            queryset = queryset.filter(
                Q(name_en__icontains=word) | Q(name_cy__icontains=word) | Q(description_en__icontains=word)
                | Q(description_cy__icontains=word) | Q(organisation__name_en__icontains=word) | Q(organisation__name_cy__icontains=word)
            )
    if language == "active-offer":
        queryset = queryset.filter(welsh_active_offer=True)
    elif language:
        speaks = Exists(Language.objects.filter(service=OuterRef("pk"), code=language))
        queryset = queryset.filter(speaks | Q(welsh_active_offer=True)) if language == "cy" else queryset.filter(speaks)
    if age_group in AGE_GROUPS:
        _label, minimum_age, maximum_age = AGE_GROUPS[age_group]
    if maximum_age is not None:
        queryset = queryset.filter(Q(minimum_age__isnull=True) | Q(minimum_age__lte=maximum_age))
    if minimum_age is not None:
        queryset = queryset.filter(Q(maximum_age__isnull=True) | Q(maximum_age__gte=minimum_age))
    if modified_after is not None:
        queryset = queryset.filter(last_modified__gte=modified_after)
    return queryset


def with_distance(queryset: QuerySet[Service], origin: Point, *, within_km: float | None = None) -> QuerySet[Service]:
    """Annotate ``distance_km`` (to the service's nearest located place) and sort nearest first; services with
    no located place come last, or are left out when ``within_km`` is given."""
    nearest = (
        Location.objects.filter(service_at_locations__service=OuterRef("pk"), latitude__isnull=False, longitude__isnull=False)
        .annotate(km=haversine_expression(origin))
        .order_by("km")
        .values("km")[:1]
    )
    queryset = queryset.annotate(distance_km=Subquery(nearest))
    if within_km is not None:
        queryset = queryset.filter(distance_km__lte=within_km)
    return queryset.order_by(F("distance_km").asc(nulls_last=True), "name_en", "pk")


def public_services(user: Any = None) -> QuerySet[Service]:
    """Services anyone may read: the public statuses (the policy decides)."""
    return visible_to(None, Service.objects.public(), Action.VIEW)


def public_search(*, origin: Point | None = None, within_km: float | None = None, **filters: Any) -> QuerySet[Service]:
    queryset = filter_services(public_services(), **filters)
    if origin is not None:
        return with_listing(with_distance(queryset, origin, within_km=within_km))
    return with_listing(queryset.order_by(localised_order("name"), "pk"))


def services_to_maintain(user: Any, *, q: str = "", status: str = "") -> QuerySet[Service]:
    queryset = visible_to(user, Service.objects.all(), Action.CHANGE)
    if status:
        queryset = queryset.filter(status=status)
    return with_listing(filter_services(queryset, q=q).order_by("name_en", "pk"))


def stale_services(user: Any, *, months: int = 12, today: datetime.date | None = None) -> QuerySet[Service]:
    """The report of entries due a check, for the services the user maintains, the longest unchanged first."""
    return (
        visible_to(user, Service.objects.all(), Action.CHANGE)
        .stale(months=months, today=today)
        .select_related("organisation")
        .order_by(F("review_date").asc(nulls_last=True), "last_modified", "pk")
    )


def public_terms() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.with_related().order_by(localised_order("name"))


def _looks_like_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
