"""REST endpoints of the strategic plan and consultations, scoped exactly as the pages.

Published (approved) plan versions and open public questionnaires are public; the rest is for the people who work
in the local authority. Schools and partners record progress on their own actions through ``plan-actions/{id}/updates/``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from cymuned.access.policy import Action, can, visible_to
from cymuned.access.views import Public
from cymuned.access.viewsets import ScopedReadOnlyViewSet

from . import services
from .models import ActionUpdate, PlanAction, PlanVersion, Question, Questionnaire, Rag, StrategicPlan

PUBLIC_PLANS = Public("Approved plans are public documents, as on the public plan page.")
PUBLIC_CONSULTATIONS = Public("Open public consultations are listed for anyone, as on the public page.")


class StrategicPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = StrategicPlan
        fields = ["id", "local_authority", "title_en", "title_cy", "summary_en", "summary_cy"]


class PlanVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanVersion
        fields = ["id", "plan", "number", "status", "is_current", "approved_on", "minute_reference", "consultation_summary_en",
                  "consultation_summary_cy"]


class StrategyActionUpdateSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.full_name", read_only=True, default="")

    class Meta:
        model = ActionUpdate
        fields = ["id", "action", "on", "rag", "note", "by", "recorded_on"]
        read_only_fields = ["id", "action", "by", "recorded_on"]


class StrategyActionUpdateWriteSerializer(serializers.Serializer):
    on = serializers.DateField()
    rag = serializers.ChoiceField(choices=Rag.choices)
    note = serializers.CharField(max_length=5000)
    completed = serializers.BooleanField(required=False, default=False)


class StrategyActionSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="objective.priority.version_id", read_only=True)
    priority = serializers.CharField(source="objective.priority.title_en", read_only=True)
    owner = serializers.SerializerMethodField()

    class Meta:
        model = PlanAction
        fields = ["id", "version", "priority", "objective", "title_en", "title_cy", "organisation", "owner", "starts_on", "due_on",
                  "milestones_en", "milestones_cy", "rag", "completed_on", "cells"]

    def get_owner(self, obj: PlanAction) -> str:
        """The owner's name for the people of the LA only; the public see the organisation responsible."""
        from cymuned.access.principal import principal_for

        request = self.context.get("request")
        user = getattr(request, "user", None)
        if obj.owner is None or user is None or not principal_for(user).member_la_ids():
            return ""
        return obj.owner.full_name


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "position", "kind", "text_en", "text_cy", "options", "required"]


class QuestionnaireSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)
    answer_url = serializers.SerializerMethodField()

    class Meta:
        model = Questionnaire
        fields = ["id", "local_authority", "plan_version", "title_en", "title_cy", "intro_en", "intro_cy", "audiences", "is_public",
                  "is_anonymous", "opens_on", "closes_on", "questions", "answer_url"]

    def get_answer_url(self, obj: Questionnaire) -> str:
        from django.urls import reverse

        if not obj.is_public:
            return ""
        request = self.context.get("request")
        url = reverse("strategy:answer", args=[obj.token])
        return request.build_absolute_uri(url) if request else url


class StrategicPlanViewSet(ScopedReadOnlyViewSet):
    """Plans: those with an approved version for anyone; every plan of their LA for its people."""

    access = PUBLIC_PLANS
    queryset = StrategicPlan.objects.order_by("pk")
    serializer_class = StrategicPlanSerializer
    filterset_fields = ["local_authority"]


class PlanVersionViewSet(ScopedReadOnlyViewSet):
    access = PUBLIC_PLANS
    queryset = PlanVersion.objects.order_by("pk")
    serializer_class = PlanVersionSerializer
    filterset_fields = ["plan", "status", "is_current"]


class PlanActionViewSet(ScopedReadOnlyViewSet):
    """Actions of the LA's strategic plan (not the schools' self-evaluation ``actions``). POST to ``{id}/updates/`` records
    a dated RAG update, for the LA and for the organisation responsible."""

    access = PUBLIC_PLANS
    queryset = PlanAction.objects.select_related("objective__priority", "owner").prefetch_related("cells").order_by("pk")
    serializer_class = StrategyActionSerializer
    filterset_fields = ["objective", "organisation", "rag"]

    @extend_schema(request=StrategyActionUpdateWriteSerializer, responses={200: StrategyActionUpdateSerializer(many=True), 201: StrategyActionUpdateSerializer})
    @action(detail=True, methods=["get", "post"])
    def updates(self, request: Request, pk: Any = None, **kwargs: Any) -> ApiResponse:
        # Visible but not the user's to update answers 404, as on the pages (not DRF's 403 from the object permission).
        plan_action = self.filter_queryset(self.get_queryset()).filter(pk=pk).first()
        if plan_action is None:
            raise NotFound
        if request.method == "GET":
            updates = visible_to(request.user, ActionUpdate.objects.filter(action=plan_action).select_related("by")).order_by("-on", "-pk")
            return ApiResponse(StrategyActionUpdateSerializer(updates, many=True).data)
        if not can(request.user, Action.CHANGE, plan_action):
            raise NotFound
        data = StrategyActionUpdateWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            update = services.action_record_update(by=request.user, action=plan_action, **data.validated_data)
        except DjangoValidationError as error:
            raise ApiValidationError(error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}) from None
        return ApiResponse(StrategyActionUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class QuestionnaireViewSet(ScopedReadOnlyViewSet):
    """Open public consultations for anyone (with their link to answer); every questionnaire of their LA for its people."""

    access = PUBLIC_CONSULTATIONS
    queryset = Questionnaire.objects.prefetch_related("questions").order_by("pk")
    serializer_class = QuestionnaireSerializer
    filterset_fields = ["local_authority", "plan_version", "is_public"]

