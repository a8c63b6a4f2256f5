"""REST endpoints for grants, scoped by the access layer exactly as the pages. POST goes through the services, so a
refusal (an overlapping award, allocations beyond the award, spend beyond the allocation or outside the period)
answers 400 with the field and the reason; a parent record the user may not change answers 404."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cymuned.access.policy import Action, can
from cymuned.access.views import HasRole
from cymuned.access.viewsets import ScopedReadOnlyViewSet

from . import selectors, serializers, services
from .models import Allocation, Award, Claim, FundingStream, Spend
from .policies import LA_READERS, SCHOOL_READERS

LA = HasRole(*LA_READERS)
FUNDING = HasRole(*LA_READERS, *SCHOOL_READERS)


def _changeable(user: Any, obj: Any) -> None:
    if not can(user, Action.CHANGE, obj):
        raise NotFound


class FundingStreamViewSet(ScopedReadOnlyViewSet):
    """Funding streams of the user's local authority (LA staff)."""

    access = LA
    queryset = FundingStream.objects.order_by("pk")
    serializer_class = serializers.FundingStreamSerializer
    filterset_fields = ["kind", "local_authority"]


class AwardViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Awards with their allocated and spent totals. POST records one; an overlapping period of the same stream is a 400."""

    access = LA
    queryset = selectors.awards_with_totals(Award.objects.order_by("pk"))
    serializer_class = serializers.AwardSerializer
    filterset_fields = ["stream", "local_authority"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        stream = data.pop("stream")
        _changeable(request.user, stream)
        award = services.award_create(by=request.user, stream=stream, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=award.pk)).data, status=201)


class AllocationViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Allocations (LA staff: all of the LA; schools: their own and their cluster's). POST allocates part of an award."""

    access = FUNDING
    queryset = selectors.allocations_with_spend(Allocation.objects.order_by("pk"))
    serializer_class = serializers.AllocationSerializer
    filterset_fields = ["award", "school", "cluster"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        award = data.pop("award")
        _changeable(request.user, award)
        allocation = services.allocation_create(by=request.user, award=award, **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=allocation.pk)).data, status=201)


class SpendViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Spend records. POST records spend; more than is left of the allocation, or a date outside the award, is a 400."""

    access = FUNDING
    queryset = Spend.objects.order_by("pk")
    serializer_class = serializers.SpendSerializer
    filterset_fields = ["allocation", "category"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        allocation = data.pop("allocation")
        _changeable(request.user, allocation)
        spend = services.spend_record(by=request.user, allocation=allocation, **data)
        return Response(self.get_serializer(spend).data, status=201)


class ClaimViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Claims and returns with their deadlines (LA staff). POST adds one to an award."""

    access = LA
    queryset = Claim.objects.order_by("pk")
    serializer_class = serializers.ClaimSerializer
    filterset_fields = ["award", "status", "kind"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        award = data.pop("award")
        _changeable(request.user, award)
        claim = services.claim_create(by=request.user, award=award, **data)
        return Response(self.get_serializer(claim).data, status=201)
