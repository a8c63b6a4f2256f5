"""The Open Referral UK 3.0 read API (``/api/oruk/``): public, read-only, throttled like every public endpoint.

Endpoints, field names, filters and the pagination envelope are the standard's (see ``schemas/README.md``);
the answers validate against the pinned schemas (tests/test_oruk.py). Text is in Welsh when the request asks
for it (``Accept-Language: cy``), English otherwise. Each list runs a fixed number of queries.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cymuned.access.policy import Action, get_object_for_user, visible_to
from cymuned.access.views import Public

from . import geo, oruk, selectors
from .models import Service, Taxonomy, TaxonomyTerm

PUBLIC = Public("The Open Referral UK feed of the services directory is open data, as the standard requires.")
TAG = "Open Referral UK"
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50

PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number of paginated result (from 1)."),
    OpenApiParameter("per_page", OpenApiTypes.INT, description=f"Number of results in a page (1 to {MAX_PER_PAGE}, default {DEFAULT_PER_PAGE})."),
]
SERVICE_PARAMETERS = [
    OpenApiParameter("text", OpenApiTypes.STR, description="Full text search of names, descriptions and organisations (alias: search)."),
    OpenApiParameter("search", OpenApiTypes.STR, description="Full text search (the HSDA 3.0 name of text)."),
    OpenApiParameter("taxonomy_term_id", OpenApiTypes.STR, description="Services with this taxonomy term (its id or code)."),
    OpenApiParameter("taxonomy_id", OpenApiTypes.UUID, description="Services with any term of this taxonomy."),
    OpenApiParameter("modified_after", OpenApiTypes.DATETIME, description="Services modified on or after this date-time (ISO 8601)."),
    OpenApiParameter("minimum_age", OpenApiTypes.INT, description="Services open to people of this age or older."),
    OpenApiParameter("maximum_age", OpenApiTypes.INT, description="Services open to people of this age or younger."),
    OpenApiParameter("language", OpenApiTypes.STR, description="ISO 639 code of a language the service is offered in, e.g. cy."),
    OpenApiParameter("postcode", OpenApiTypes.STR, description="Sort by distance from this postcode's district in Wales."),
    OpenApiParameter("proximity", OpenApiTypes.INT, description="With postcode: only services within this many metres."),
    *PAGE_PARAMETERS,
]


def _int(request: Request, name: str, default: int | None, *, low: int, high: int) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [_("Enter a whole number.")]}) from None
    if not low <= value <= high:
        raise ValidationError({name: [_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}]})
    return value


def _paging(request: Request) -> tuple[int, int]:
    page = _int(request, "page", 1, low=1, high=1_000_000)
    per_page = _int(request, "per_page", DEFAULT_PER_PAGE, low=1, high=MAX_PER_PAGE)
    return page or 1, per_page or DEFAULT_PER_PAGE


def _page(queryset: Any, request: Request, render: Any) -> dict[str, Any]:
    page, per_page = _paging(request)
    total = queryset.count()
    start = (page - 1) * per_page
    rows = list(queryset[start:start + per_page]) if start < total else []
    return oruk.page_envelope(contents=render(rows), total_items=total, page_number=page, per_page=per_page)


def _modified_after(raw: str | None) -> datetime.datetime | None:
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+"))
    if value is None:
        day = parse_date(raw)
        value = datetime.datetime.combine(day, datetime.time()) if day else None
    if value is None:
        raise ValidationError({"modified_after": [_("Enter a date-time in ISO 8601 form, for example 2026-01-31T09:00:00Z.")]})
    return make_aware(value) if is_naive(value) else value


class OrukView(APIView):
    access = PUBLIC

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"  # ORUK: open to browser applications on any site
        return response


class RootView(OrukView):
    @extend_schema(tags=[TAG], operation_id="getAPIMetaInformation", summary="Information about this API and its relationship with HSDS (ORUK 3.0).",
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response({
            "version": oruk.ORUK_VERSION,
            "profile": oruk.ORUK_PROFILE,
            "openapi_url": request.build_absolute_uri(reverse("api:schema")),
        })


class ServiceListView(OrukView):
    @extend_schema(tags=[TAG], operation_id="getPaginatedListOfServices", summary="Paginated list of services (ORUK 3.0), with their organisation and taxonomy terms.",
                   parameters=SERVICE_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        params = request.query_params
        filters = {
            "q": (params.get("text") or params.get("search") or "").strip()[:100],
            "term": (params.get("taxonomy_term_id") or "").strip(),
            "taxonomy": (params.get("taxonomy_id") or "").strip(),
            "language": (params.get("language") or "").strip().lower()[:3],
            "minimum_age": _int(request, "minimum_age", None, low=0, high=150),
            "maximum_age": _int(request, "maximum_age", None, low=0, high=150),
            "modified_after": _modified_after(params.get("modified_after")),
        }
        if filters["taxonomy"]:
            try:
                uuid.UUID(filters["taxonomy"])
            except ValueError:
                raise ValidationError({"taxonomy_id": [_("Enter the id of a taxonomy (a UUID).")]}) from None
        origin, within_km = None, None
        if params.get("postcode"):
            origin = geo.point_for_postcode(params["postcode"])
            if origin is None:
                raise ValidationError({"postcode": [_("Enter a postcode in Wales, for example CF47 8AN.")]})
            proximity = _int(request, "proximity", None, low=1, high=500_000)
            within_km = proximity / 1000 if proximity else None
        queryset = selectors.filter_services(visible_to(request.user, Service.objects.public(), Action.VIEW), **filters)
        if origin is not None:
            queryset = selectors.with_distance(queryset, origin, within_km=within_km)
        else:
            queryset = queryset.order_by("name_en", "pk")
        queryset = selectors.with_listing(queryset)

        def render(rows: list[Service]) -> list[dict[str, Any]]:
            ids = oruk.organisation_ids({s.organisation_id for s in rows})
            return [oruk.service_list_item(s, ids) for s in rows]

        return Response(_page(queryset, request, render))


class ServiceDetailView(OrukView):
    queryset = Service.objects.all()

    @extend_schema(tags=[TAG], operation_id="getFullyNestedServiceById", summary="A fully nested service with all its related data (ORUK 3.0).", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: uuid.UUID) -> Response:
        service = get_object_for_user(request.user, selectors.with_detail(Service.objects.public()), Action.VIEW, pk=pk)
        ids = oruk.organisation_ids({service.organisation_id} | {sal.location.organisation_id for sal in service.service_at_locations.all()
                                                                  if sal.location.organisation_id})
        return Response(oruk.service_full(service, ids))


class TaxonomyListView(OrukView):
    @extend_schema(tags=[TAG], operation_id="getPaginatedListOfTaxonomies", summary="Paginated list of taxonomies (ORUK 3.0).", parameters=PAGE_PARAMETERS, responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        queryset = visible_to(request.user, Taxonomy.objects.order_by("name_en", "pk"), Action.LIST)
        return Response(_page(queryset, request, lambda rows: [oruk.taxonomy(t) for t in rows]))


class TaxonomyDetailView(OrukView):
    queryset = Taxonomy.objects.all()

    @extend_schema(tags=[TAG], operation_id="getTaxonomyById", summary="One taxonomy (ORUK 3.0).", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: uuid.UUID) -> Response:
        return Response(oruk.taxonomy(get_object_for_user(request.user, Taxonomy, Action.VIEW, pk=pk)))


class TaxonomyTermListView(OrukView):
    @extend_schema(tags=[TAG], operation_id="getPaginatedListOfTaxonomyTerms", summary="Paginated list of taxonomy terms (ORUK 3.0).",
                   parameters=[OpenApiParameter("taxonomy_id", OpenApiTypes.UUID, description="Terms of this taxonomy."), *PAGE_PARAMETERS],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        queryset = visible_to(request.user, TaxonomyTerm.objects.with_related().order_by("taxonomy__name_en", "name_en", "pk"), Action.LIST)
        taxonomy_id = request.query_params.get("taxonomy_id")
        if taxonomy_id:
            try:
                queryset = queryset.filter(taxonomy_id=uuid.UUID(taxonomy_id))
            except ValueError:
                raise ValidationError({"taxonomy_id": [_("Enter the id of a taxonomy (a UUID).")]}) from None
        return Response(_page(queryset, request, lambda rows: [oruk.taxonomy_term(t) for t in rows]))


class TaxonomyTermDetailView(OrukView):
    queryset = TaxonomyTerm.objects.all()

    @extend_schema(tags=[TAG], operation_id="getTaxonomyTermById", summary="One taxonomy term (ORUK 3.0).", responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: uuid.UUID) -> Response:
        term = get_object_for_user(request.user, TaxonomyTerm.objects.with_related(), Action.VIEW, pk=pk)
        return Response(oruk.taxonomy_term(term))
