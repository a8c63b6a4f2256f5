"""REST endpoints for referrals, so a partner's own system can poll its referrals and post updates.

Scoped exactly as the pages (the access layer's filter backend): a partner sees only referrals allocated to its
organisation, and of each only the fields the basis of sharing allows (cymuned/hub/minimisation.py). Updates go
through the same services as the pages: a bad body answers 400 with field errors, an update the referral's state does
not allow (or any update to a closed referral) answers 409.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from cymuned.access.fields import hidden_fields_of
from cymuned.access.views import HasRole
from cymuned.access.viewsets import ScopedReadOnlyViewSet
from cymuned.accounts.roles import Role
from cymuned.audit.services import record_read, record_reads

from . import selectors, services
from .minimisation import full_view
from .models import Outcome, Referral, ReferralEvent, ReferralNeed, Status

#: Service errors that mean "not now, not in this state" rather than "bad request".
CONFLICT_CODES = {"referral_closed", "illegal_transition"}


class ReferralSerializer(serializers.Serializer):
    """A referral as the caller may see it: fields outside the caller's allowed set are left out of the object."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    urgency = serializers.CharField()
    needs = serializers.ListField(child=serializers.CharField())
    partner = serializers.IntegerField(allow_null=True)
    service = serializers.UUIDField(allow_null=True, help_text="The services directory's id of the service (as in the Open Referral UK API).")
    school = serializers.CharField()
    submitted_on = serializers.DateTimeField()
    accepted_on = serializers.DateTimeField(allow_null=True)
    first_contact_on = serializers.DateTimeField(allow_null=True)
    outcome_on = serializers.DateTimeField(allow_null=True)
    closed_on = serializers.DateTimeField(allow_null=True)
    modified_on = serializers.DateTimeField()
    triage_due = serializers.DateTimeField()
    first_contact_due = serializers.DateTimeField()
    outcome_due = serializers.DateTimeField()
    sla_breached = serializers.BooleanField()
    details = serializers.CharField(required=False)
    family_knows = serializers.CharField(required=False)
    family_wants = serializers.CharField(required=False)
    learner_name = serializers.CharField(required=False)
    learner_date_of_birth = serializers.DateField(required=False, allow_null=True)
    year_group = serializers.CharField(required=False)
    carer_name = serializers.CharField(required=False)
    carer_telephone = serializers.CharField(required=False)
    carer_email = serializers.CharField(required=False)
    contact_method = serializers.CharField(required=False)
    preferred_language = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    postcode = serializers.CharField(required=False)
    lawful_basis = serializers.CharField(required=False)
    override_justification = serializers.CharField(required=False)
    outcome = serializers.CharField(required=False)
    outcome_notes = serializers.CharField(required=False)

    def to_representation(self, referral: Referral) -> dict[str, Any]:
        request = self.context["request"]
        hidden = hidden_fields_of(request.user, referral)
        view = full_view(referral)
        data: dict[str, Any] = {
            "id": referral.pk, "reference": referral.reference, "status": referral.status, "urgency": referral.urgency,
            "needs": [n.need for n in referral.need_rows.all()], "partner": referral.partner_id, "service": str(referral.service_id) if referral.service_id else None, "school": referral.school.name,
            "submitted_on": referral.submitted_on, "accepted_on": referral.accepted_on, "first_contact_on": referral.first_contact_on,
            "outcome_on": referral.outcome_on, "closed_on": referral.closed_on, "modified_on": referral.modified_on,
            "triage_due": referral.triage_due, "first_contact_due": referral.first_contact_due, "outcome_due": referral.outcome_due,
            "sla_breached": bool(getattr(referral, "sla_breached", False)),
        }
        for key in ("details", "family_knows", "family_wants", "learner_name", "learner_date_of_birth", "year_group", "carer_name",
                    "carer_telephone", "carer_email", "contact_method", "preferred_language", "address", "postcode",
                    "override_justification", "outcome_notes"):
            if key not in hidden:
                data[key] = view[key]
        for key in ("lawful_basis", "outcome"):
            if key not in hidden:
                data[key] = getattr(referral, key)
        for key in ("submitted_on", "accepted_on", "first_contact_on", "outcome_on", "closed_on", "modified_on", "triage_due",
                    "first_contact_due", "outcome_due"):
            data[key] = serializers.DateTimeField().to_representation(data[key]) if data[key] else None
        if data.get("learner_date_of_birth"):
            data["learner_date_of_birth"] = data["learner_date_of_birth"].isoformat()
        return data


class ReferralEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.full_name", default=None, read_only=True)
    organisation = serializers.CharField(source="organisation.name", default=None, read_only=True)

    class Meta:
        model = ReferralEvent
        fields = ["id", "kind", "status", "happened_on", "actor", "organisation", "text"]
        read_only_fields = fields


class NoteBody(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class ReasonBody(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class FirstContactBody(NoteBody):
    contacted_on = serializers.DateTimeField(required=False, help_text="When the family was first contacted (default: now).")


class OutcomeBody(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class CloseBody(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False, help_text="Needed unless the outcome is already recorded.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class TextBody(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()


UPDATE_RESPONSES = {200: ReferralSerializer, 400: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT, 409: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(
        summary="Referrals the caller may see",
        description="A partner's system polls this for the referrals allocated to its organisation; `modified_since` returns "
                    "only those changed since a moment (ISO 8601), `status` filters by status. Every read is audited.",
        parameters=[
            OpenApiParameter("status", str, enum=Status.values, description="Only referrals in this status."),
            OpenApiParameter("modified_since", OpenApiTypes.DATETIME, description="Only referrals changed after this moment."),
        ],
    ),
    retrieve=extend_schema(summary="One referral (the fields the basis of sharing allows)"),
)
class ReferralViewSet(ScopedReadOnlyViewSet):
    access = HasRole(Role.SCHOOL_STAFF, Role.HEADTEACHER, Role.FEO, Role.CSM, Role.HUB_COORDINATOR, Role.LA_LEAD, Role.PARTNER_WORKER)
    queryset = Referral.objects.all()
    serializer_class = ReferralSerializer

    def get_queryset(self) -> Any:
        from django.db.models import Prefetch

        referrals = (Referral.objects.with_related().with_sla()
                     .prefetch_related(Prefetch("need_rows", queryset=ReferralNeed.objects.order_by("need")), "household__carers")
                     .order_by("modified_on", "pk"))
        if self.action != "list":
            return referrals
        params = self.request.query_params
        wanted = params.get("status")
        if wanted:
            if wanted not in Status.values:
                raise ApiValidationError({"status": [_("Unknown status %(status)s. Use one of: %(choices)s.")
                                                     % {"status": wanted[:30], "choices": ", ".join(Status.values)}]})
            referrals = referrals.filter(status=wanted)
        since = params.get("modified_since")
        if since:
            moment = parse_datetime(since.replace(" ", "+")) if len(since) < 40 else None
            if moment is None or moment.tzinfo is None:
                raise ApiValidationError({"modified_since": [_("Give a date and time with its time zone, for example "
                                                               "2026-11-23T09:00:00Z.")]})
            referrals = referrals.filter(modified_on__gt=moment)
        return referrals

    def http_method_not_allowed(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A wrong method on a referral the caller may not see answers 404, like every other request about it."""
        if "pk" in kwargs:
            self.get_object()
        return super().http_method_not_allowed(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        record_reads(instances=list(page))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        record_read(instance=referral)
        return Response(self.get_serializer(referral).data)

    @extend_schema(summary="The referral's timeline (a partner sees the events shared with partners)",
                   responses=ReferralEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        referral = self.get_object()
        record_read(instance=referral)
        events = selectors.events_for(user=request.user, referral=referral)
        return Response(ReferralEventSerializer(events, many=True).data)

    def _update(self, request: Request, body_class: type[serializers.Serializer], run: Any) -> Response:
        referral = self.get_object()
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            run(referral, body.validated_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict") and error.code in CONFLICT_CODES:
                return Response({"detail": error.messages[0], "code": error.code}, status=status.HTTP_409_CONFLICT)
            raise
        fresh = self.get_queryset().get(pk=referral.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(summary="Accept the referral (the partner it is allocated to, or the hub at triage)", request=NoteBody,
                   responses=UPDATE_RESPONSES)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        def run(referral: Referral, data: dict[str, Any]) -> Any:
            if services.is_partner(request.user, referral):
                return services.referral_partner_accept(by=request.user, referral=referral, note=data["note"])
            return services.referral_accept(by=request.user, referral=referral, note=data["note"])
        return self._update(request, NoteBody, run)

    @extend_schema(summary="Decline the referral, with a reason (a partner's decline returns it to the hub)", request=ReasonBody,
                   responses=UPDATE_RESPONSES)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        def run(referral: Referral, data: dict[str, Any]) -> Any:
            if services.is_partner(request.user, referral):
                return services.referral_partner_decline(by=request.user, referral=referral, reason=data["reason"])
            return services.referral_decline(by=request.user, referral=referral, reason=data["reason"])
        return self._update(request, ReasonBody, run)

    @extend_schema(summary="Record the first contact with the family", request=FirstContactBody, responses=UPDATE_RESPONSES)
    @action(detail=True, methods=["post"], url_path="first-contact")
    def first_contact(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        return self._update(request, FirstContactBody, lambda r, d: services.referral_first_contact(
            by=request.user, referral=r, contacted_on=d.get("contacted_on"), note=d["note"]))

    @extend_schema(summary="Record the outcome", request=OutcomeBody, responses=UPDATE_RESPONSES)
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        return self._update(request, OutcomeBody, lambda r, d: services.referral_record_outcome(
            by=request.user, referral=r, outcome=d["outcome"], notes=d["notes"]))

    @extend_schema(summary="Close the referral (with its outcome, unless already recorded)", request=CloseBody, responses=UPDATE_RESPONSES)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        return self._update(request, CloseBody, lambda r, d: services.referral_close(
            by=request.user, referral=r, outcome=d.get("outcome", ""), notes=d["notes"]))

    @extend_schema(summary="Add a note or action to the timeline", request=TextBody, responses=UPDATE_RESPONSES)
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str | None = None, **kwargs: Any) -> Response:
        return self._update(request, TextBody, lambda r, d: services.referral_add_note(by=request.user, referral=r, text=d["text"]))
