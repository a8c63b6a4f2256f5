"""REST endpoints for premises: public spaces and their free times for anyone (read-only); bookings, requests and
hirers through the access layer (a hirer sees their own; managers those of the schools they manage)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cymuned.access.policy import Action, can, visible_to
from cymuned.access.views import Public, SignedIn
from cymuned.access.viewsets import ScopedReadOnlyViewSet

from . import serializers, services
from .availability import free_slots_by_space
from .models import Booking, BookingSeries, Hirer, Invoice, Space

PUBLIC = Public("Spaces open to hire and their free times are public, as on the public pages (read-only).")

#: The most spaces one availability answer covers (an LA has a few hundred public spaces).
MAX_SPACES = 2000


class SpaceViewSet(ScopedReadOnlyViewSet):
    """Spaces: those open to public hire for anyone, and every space of their local authority for its staff."""

    access = PUBLIC
    queryset = Space.objects.with_related().order_by("pk")
    serializer_class = serializers.SpaceSerializer
    filterset_fields = ["school", "kind", "is_public"]


class AvailabilityViewSet(viewsets.ViewSet):
    """Free times of a public space, or of every public space of a local authority, for one week (read-only, public).

    ``?space=<id>`` or ``?local_authority=<id>``, and ``week=YYYY-MM-DD`` (any day of the week; this week if left out).
    A constant number of queries whatever the number of spaces.
    """

    access = PUBLIC

    @extend_schema(parameters=[serializers.AvailabilityQuerySerializer], responses=serializers.SpaceAvailabilitySerializer(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = serializers.AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        day = params.get("week") or timezone.localdate()
        week_start = day - datetime.timedelta(days=day.weekday())
        spaces = visible_to(None, Space.objects.public().with_related()).order_by("school__name_en", "name_en", "pk")
        if params.get("space"):
            spaces = spaces.filter(pk=params["space"])
        if params.get("local_authority"):
            spaces = spaces.filter(school__local_authority_id=params["local_authority"])
        chosen = list(spaces[:MAX_SPACES])
        if params.get("space") and not chosen:
            raise NotFound
        free = free_slots_by_space(spaces=chosen, week_start=week_start)
        results = [{"space": s.pk, "name_en": s.name_en, "name_cy": s.name_cy, "school": s.school_id,
                    "free": [{"starts_at": a, "ends_at": b} for a, b in free.get(s.pk, [])]} for s in chosen]
        return Response({"week_start": week_start.isoformat(),
                         "results": serializers.SpaceAvailabilitySerializer(results, many=True).data})


class BookingViewSet(ScopedReadOnlyViewSet):
    """Single dates of bookings: a hirer's own, and those of the schools the user manages."""

    access = SignedIn()
    queryset = Booking.objects.order_by("starts_at", "pk")
    serializer_class = serializers.BookingSerializer
    filterset_fields = ["space", "series", "status"]


class BookingRequestViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Booking requests with their dates. POST asks for a space as the signed-in hirer, with the checks of the booking page."""

    access = SignedIn()
    queryset = BookingSeries.objects.prefetch_related("bookings").order_by("pk")
    filterset_fields = ["space", "hirer", "status"]

    def get_serializer_class(self) -> Any:
        return serializers.BookingRequestSerializer if self.action == "create" else serializers.BookingSeriesSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = serializers.BookingRequestSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        space = data.pop("space")
        if not can(request.user, Action.VIEW, space):
            raise NotFound
        series = services.booking_request(by=request.user, space=space, **data)
        return Response(serializers.BookingSeriesSerializer(series).data, status=201)


class HirerViewSet(ScopedReadOnlyViewSet):
    """Hirers: the user's own account, and the hirers of requests to the schools the user manages."""

    access = SignedIn()
    queryset = Hirer.objects.order_by("pk")
    serializer_class = serializers.HirerSerializer
    filterset_fields = ["kind", "local_authority"]


class InvoiceViewSet(ScopedReadOnlyViewSet):
    """Invoices and credit notes: a hirer's own, and those of the schools a manager manages (read-only)."""

    access = SignedIn()
    queryset = Invoice.objects.order_by("pk")
    serializer_class = serializers.InvoiceSerializer
    filterset_fields = ["status", "kind", "series"]
