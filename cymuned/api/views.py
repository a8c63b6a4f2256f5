"""REST API v1. Every viewset derives from the access layer's scoped bases."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cymuned.access.policy import Action, can
from cymuned.access.principal import principal_for
from cymuned.access.views import HasRole, SignedIn
from cymuned.access.viewsets import ScopedReadOnlyViewSet
from cymuned.accounts import services as account_services
from cymuned.accounts.models import Membership
from cymuned.accounts.roles import LEARNER_ROLES, Role
from cymuned.audit.services import record_read
from cymuned.evaluation import services as evaluation_services
from cymuned.evaluation.models import Action as PlanAction
from cymuned.evaluation.models import Evaluation, Framework, Rating
from cymuned.families import services as family_services
from cymuned.families.models import Carer, Consent, Contact, Episode, Household, Learner
from cymuned.organisations import services as organisation_services
from cymuned.organisations.models import Cluster, LocalAuthority, Organisation, Partner, School
from cymuned.outcomes.models import AttendanceSummary

from . import serializers

STAFF = HasRole(*Role.values)


class OrganisationViewSet(ScopedReadOnlyViewSet):
    """All organisations (local authorities, schools, partners) the user may see."""

    access = STAFF
    queryset = Organisation.objects.all().order_by("pk")
    serializer_class = serializers.OrganisationSerializer
    filterset_fields = ["kind", "local_authority"]


class ClusterViewSet(ScopedReadOnlyViewSet):
    access = STAFF
    queryset = Cluster.objects.all().order_by("pk")
    serializer_class = serializers.ClusterSerializer
    filterset_fields = ["local_authority"]


class SchoolViewSet(mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Schools. The LA lead and a school's headteacher may update a school."""

    access = STAFF
    queryset = School.objects.with_related().order_by("pk")
    serializer_class = serializers.SchoolSerializer
    filterset_fields = ["cluster", "phase", "language_medium", "local_authority"]
    http_method_names = ["get", "patch", "put", "head", "options"]

    def perform_update(self, serializer: serializers.SchoolSerializer) -> None:
        serializer.instance = organisation_services.school_update(
            by=self.request.user, school=serializer.instance, data=serializer.validated_data
        )


class PartnerViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Partner organisations. The LA lead and hub coordinators add them; a partner updates its own."""

    access = STAFF
    queryset = Partner.objects.all().order_by("pk")
    serializer_class = serializers.PartnerSerializer
    filterset_fields = ["partner_type", "local_authority"]
    http_method_names = ["get", "post", "patch", "put", "head", "options"]

    def perform_create(self, serializer: serializers.PartnerSerializer) -> None:
        las = principal_for(self.request.user).la_ids([Role.LA_LEAD, Role.HUB_COORDINATOR])
        local_authority = LocalAuthority.objects.filter(pk__in=las).order_by("pk").first()
        if local_authority is None:
            self.permission_denied(self.request)
        serializer.instance = organisation_services.partner_create(
            by=self.request.user, local_authority=local_authority, data=serializer.validated_data
        )

    def perform_update(self, serializer: serializers.PartnerSerializer) -> None:
        serializer.instance = organisation_services.partner_update(
            by=self.request.user, partner=serializer.instance, data=serializer.validated_data
        )


class MembershipViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedReadOnlyViewSet):
    """Roles held by people. Creating one invites the person; deleting one ends it (kept for the record)."""

    access = SignedIn()
    queryset = Membership.objects.with_related().order_by("pk")
    serializer_class = serializers.MembershipSerializer
    filterset_fields = ["organisation", "role", "is_active", "user"]

    def get_serializer_class(self) -> Any:
        return serializers.MembershipGrantSerializer if self.action == "create" else serializers.MembershipSerializer

    @extend_schema(request=serializers.MembershipGrantSerializer, responses={201: serializers.MembershipSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = serializers.MembershipGrantSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        organisation = serializer.validated_data["organisation"]
        if not can(request.user, Action.VIEW, organisation):
            return Response({"organisation": ["Invalid pk - object does not exist."]}, status=status.HTTP_400_BAD_REQUEST)
        membership = account_services.membership_grant(by=request.user, **serializer.validated_data)
        return Response(serializers.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Membership) -> None:
        account_services.membership_end(by=self.request.user, membership=instance)


class FrameworkViewSet(ScopedReadOnlyViewSet):
    """Self-evaluation framework versions, with their stages, cells and descriptors."""

    access = STAFF
    queryset = Framework.objects.prefetch_related("stages", "cells__element", "cells__enabler", "cells__descriptors").order_by("pk")
    serializer_class = serializers.FrameworkSerializer
    filterset_fields = ["local_authority", "is_current"]


class EvaluationViewSet(ScopedReadOnlyViewSet):
    """Self-evaluations: a school sees its own, the LA submitted ones, everyone else published ones."""

    access = STAFF
    queryset = Evaluation.objects.with_related().order_by("pk")
    serializer_class = serializers.EvaluationSerializer
    filterset_fields = ["school", "academic_year", "status"]


class RatingViewSet(ScopedReadOnlyViewSet):
    """Ratings of the evaluations the user may see."""

    access = STAFF
    queryset = Rating.objects.select_related("cell__element", "cell__enabler", "stage", "moderated_stage").order_by("pk")
    serializer_class = serializers.RatingSerializer
    filterset_fields = ["evaluation"]


class PlanActionViewSet(mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Action plans. PATCH ``rag`` or ``completed_on`` records progress, as on the page."""

    access = STAFF
    queryset = PlanAction.objects.with_related().order_by("pk")
    serializer_class = serializers.PlanActionSerializer
    filterset_fields = ["evaluation", "owner", "rag"]
    http_method_names = ["get", "patch", "head", "options"]

    def perform_update(self, serializer: serializers.PlanActionSerializer) -> None:
        import datetime

        action = serializer.instance
        data = serializer.validated_data
        completed_on = data.get("completed_on", action.completed_on)
        evaluation_services.action_record_progress(
            by=self.request.user, action=action, on=completed_on or datetime.date.today(),
            note=str(_("Updated through the API")), rag=data.get("rag", action.rag), completed=completed_on is not None,
        )
        action.refresh_from_db()


class LearnerViewSet(ScopedReadOnlyViewSet):
    """Learners of the user's schools. Opening one is written in the audit log."""

    access = HasRole(*LEARNER_ROLES)
    queryset = Learner.objects.active().order_by("pk")
    serializer_class = serializers.LearnerSerializer
    filterset_fields = ["school", "year_group", "efsm", "household", "upn"]

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        record_read(instance=self.get_object())
        return response


class CarerViewSet(ScopedReadOnlyViewSet):
    """Parents and carers of the families the user's schools work with."""

    access = HasRole(*LEARNER_ROLES)
    queryset = Carer.objects.order_by("pk")
    serializer_class = serializers.CarerSerializer
    filterset_fields = ["household"]


class HouseholdViewSet(ScopedReadOnlyViewSet):
    """Families the user's schools work with. Every read is written in the audit log."""

    access = HasRole(*LEARNER_ROLES)
    queryset = Household.objects.active().order_by("pk")
    serializer_class = serializers.HouseholdSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        record_read(instance=self.get_object())
        return response


class ConsentViewSet(ScopedReadOnlyViewSet):
    access = HasRole(*LEARNER_ROLES)
    queryset = Consent.objects.order_by("pk")
    serializer_class = serializers.ConsentSerializer
    filterset_fields = ["household", "purpose"]


class EpisodeViewSet(ScopedReadOnlyViewSet):
    access = HasRole(*LEARNER_ROLES)
    queryset = Episode.objects.order_by("pk")
    serializer_class = serializers.EpisodeSerializer
    filterset_fields = ["household", "school", "officer"]


class ContactViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Contacts of the episodes the user may see; POST logs one, with the same checks as the page."""

    access = HasRole(*LEARNER_ROLES)
    queryset = Contact.objects.order_by("pk")
    serializer_class = serializers.ContactSerializer
    filterset_fields = ["episode"]

    def perform_create(self, serializer: serializers.ContactSerializer) -> None:
        data = dict(serializer.validated_data)
        episode = data.pop("episode")
        if not can(self.request.user, Action.VIEW, episode):
            raise NotFound
        serializer.instance = family_services.contact_log(by=self.request.user, episode=episode, data=data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "latest", bool, description="Only each learner's most recent figures (true), or every date held (default)."
            )
        ]
    )
)
class AttendanceSummaryViewSet(ScopedReadOnlyViewSet):
    """Learners' attendance, summed from the start of the period to the "as at" date (``period_end``).

    Seen by the staff who work with the learner at their current school. Every read of one is written in the audit log.
    """

    access = HasRole(*LEARNER_ROLES)
    queryset = AttendanceSummary.objects.order_by("pk")
    serializer_class = serializers.AttendanceSummarySerializer
    filterset_fields = ["learner", "school", "period_end", "source"]

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("latest", "").lower() in ("1", "true"):
            queryset = queryset.latest_per_learner()
        return queryset

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        record_read(instance=self.get_object())
        return response
