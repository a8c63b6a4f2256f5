"""REST endpoints for memoranda of understanding, scoped as the register page: LA staff see their authority's;
staff of a party see those they are party to. POST (the LA's lead and officers) adds one, with the service's checks."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from cymuned.access.views import HasRole
from cymuned.access.viewsets import ScopedReadOnlyViewSet

from . import services
from .models import MemorandumOfUnderstanding
from .policies import PARTY_ROLES
from .serializers import MemorandumSerializer


class MemorandumViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    access = HasRole(*PARTY_ROLES)
    queryset = MemorandumOfUnderstanding.objects.with_related().order_by("pk")
    serializer_class = MemorandumSerializer
    filterset_fields = ["status", "local_authority"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        mou = services.memorandum_create(by=request.user, parties=list(data.pop("parties")), clusters=list(data.pop("clusters", [])), **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=mou.pk)).data, status=201)
