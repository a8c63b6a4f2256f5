"""REST endpoints for programmes: published programmes and their sessions are public; people only through the access layer."""

from __future__ import annotations

from typing import Any

from rest_framework import mixins
from rest_framework.exceptions import NotFound

from cymuned.access.policy import Action, can
from cymuned.access.views import HasRole, Public
from cymuned.access.viewsets import ScopedReadOnlyViewSet
from cymuned.accounts.roles import Role

from . import selectors, serializers, services
from .models import Achievement, Attendance, ConfidenceResponse, Enrolment, Programme, Session

PUBLIC = Public("Published programmes and their sessions are public, as on the public pages.")
STAFF = HasRole(*Role.values)


class ProgrammeViewSet(ScopedReadOnlyViewSet):
    """Programmes: the published ones for anyone, and every programme of their local authority for its staff."""

    access = PUBLIC
    queryset = selectors.with_place_counts(Programme.objects.with_related()).order_by("pk")
    serializer_class = serializers.ProgrammeSerializer
    filterset_fields = ["kind", "topic", "delivery_language", "lead_organisation", "venue_school", "local_authority"]


class SessionViewSet(ScopedReadOnlyViewSet):
    access = PUBLIC
    queryset = Session.objects.order_by("pk")
    serializer_class = serializers.SessionSerializer
    filterset_fields = ["programme", "cancelled"]


class EnrolmentViewSet(ScopedReadOnlyViewSet):
    """The people on programmes the user runs, and the programmes of learners of the user's schools."""

    access = STAFF
    queryset = Enrolment.objects.order_by("pk")
    serializer_class = serializers.EnrolmentSerializer
    filterset_fields = ["programme", "status", "learner", "school"]


class AttendanceViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Register marks; POST marks one person at one session, with the same checks as the register page."""

    access = STAFF
    queryset = Attendance.objects.order_by("pk")
    serializer_class = serializers.AttendanceSerializer
    filterset_fields = ["session", "enrolment"]

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        session, enrolment = data["session"], data["enrolment"]
        if not (can(self.request.user, Action.VIEW, session) and can(self.request.user, Action.VIEW, enrolment)):
            raise NotFound
        serializer.instance = services.register_mark(by=self.request.user, session=session, enrolment=enrolment, mark=data["mark"])


class AchievementViewSet(ScopedReadOnlyViewSet):
    access = STAFF
    queryset = Achievement.objects.order_by("pk")
    serializer_class = serializers.AchievementSerializer
    filterset_fields = ["enrolment"]


class ConfidenceResponseViewSet(ScopedReadOnlyViewSet):
    access = STAFF
    queryset = ConfidenceResponse.objects.order_by("pk")
    serializer_class = serializers.ConfidenceResponseSerializer
    filterset_fields = ["enrolment", "stage"]
