from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cymuned.access.fields import hidden_fields
from cymuned.accounts.models import Membership
from cymuned.accounts.roles import GovernorCategory, Role
from cymuned.evaluation.models import Action as PlanAction
from cymuned.evaluation.models import Evaluation, Framework, Rating
from cymuned.families.models import Carer, Consent, Contact, Episode, Household, Learner
from cymuned.organisations.models import Cluster, Organisation, Partner, School
from cymuned.outcomes.models import AttendanceSummary


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "kind",
            "name_en",
            "name_cy",
            "local_authority",
            "address",
            "postcode",
            "email",
            "telephone",
            "website",
            "is_active",
        ]
        read_only_fields = fields


class ClusterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cluster
        fields = ["id", "name_en", "name_cy", "local_authority"]
        read_only_fields = fields


class SchoolSerializer(serializers.ModelSerializer):
    class Meta:
        model = School
        fields = [
            "id",
            "school_number",
            "name_en",
            "name_cy",
            "local_authority",
            "cluster",
            "phase",
            "language_medium",
            "efsm_percentage",
            "number_on_roll",
            "address",
            "postcode",
            "email",
            "telephone",
            "website",
            "is_active",
        ]
        read_only_fields = ["id", "school_number", "local_authority", "is_active"]

    def validate_cluster(self, cluster: Cluster | None) -> Cluster | None:
        if cluster is not None and self.instance is not None and cluster.local_authority_id != self.instance.local_authority_id:
            raise serializers.ValidationError(_("Choose a cluster of this school's local authority."), code="cluster_other_la")
        return cluster


class PartnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = [
            "id",
            "name_en",
            "name_cy",
            "partner_type",
            "description_en",
            "description_cy",
            "local_authority",
            "address",
            "postcode",
            "email",
            "telephone",
            "website",
            "is_active",
        ]
        read_only_fields = ["id", "local_authority", "is_active"]


class MembershipSerializer(serializers.ModelSerializer):
    user_email = serializers.EmailField(source="user.email", read_only=True)
    user_full_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "user_email",
            "user_full_name",
            "organisation",
            "role",
            "cluster",
            "governor_category",
            "job_title",
            "is_active",
        ]
        read_only_fields = fields


class MembershipGrantSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField(max_length=150)
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    role = serializers.ChoiceField(choices=Role.choices)
    cluster = serializers.PrimaryKeyRelatedField(queryset=Cluster.objects.all(), required=False, allow_null=True)
    governor_category = serializers.ChoiceField(choices=GovernorCategory.choices, required=False, allow_blank=True, default="")
    job_title = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")

    def to_representation(self, instance: Any) -> Any:
        return MembershipSerializer(instance, context=self.context).data


class FrameworkSerializer(serializers.ModelSerializer):
    cells = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()

    class Meta:
        model = Framework
        fields = ["id", "local_authority", "version", "title_en", "title_cy", "is_current", "stages", "cells"]
        read_only_fields = fields

    def get_stages(self, framework: Any) -> list[dict[str, Any]]:
        return [{"id": s.pk, "level": s.level, "name_en": s.name_en, "name_cy": s.name_cy} for s in framework.stages.all()]

    def get_cells(self, framework: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": c.pk, "code": c.code, "element_en": c.element.name_en, "element_cy": c.element.name_cy,
                "enabler_en": c.enabler.name_en, "enabler_cy": c.enabler.name_cy,
                "descriptors": [{"stage": d.stage_id, "text_en": d.text_en, "text_cy": d.text_cy} for d in c.descriptors.all()],
            }
            for c in framework.cells.all()
        ]


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "school", "academic_year", "framework", "status", "summary", "submitted_on", "moderated_on", "published_on"]
        read_only_fields = fields


class RatingSerializer(serializers.ModelSerializer):
    cell_code = serializers.CharField(source="cell.code", read_only=True)
    stage_level = serializers.IntegerField(source="stage.level", read_only=True)
    moderated_stage_level = serializers.IntegerField(source="moderated_stage.level", read_only=True, allow_null=True)

    class Meta:
        model = Rating
        fields = ["id", "evaluation", "cell", "cell_code", "stage", "stage_level", "rationale", "moderated_stage",
                  "moderated_stage_level", "moderation_comment"]
        read_only_fields = fields


class PlanActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanAction
        fields = ["id", "evaluation", "cell", "title", "owner", "due_on", "success_measure", "rag", "completed_on"]
        read_only_fields = ["id", "evaluation", "cell", "title", "owner", "due_on", "success_measure"]


class _WithoutHiddenFields:
    """Leaves out the fields the requesting user may not see (cymuned/access/fields.py)."""

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)  # type: ignore[misc]
        request = self.context.get("request")  # type: ignore[attr-defined]
        for name in hidden_fields(getattr(request, "user", None), self.Meta.model):  # type: ignore[attr-defined]
            data.pop(name, None)
        return data


class LearnerSerializer(_WithoutHiddenFields, serializers.ModelSerializer):
    class Meta:
        model = Learner
        fields = ["id", "school", "upn", "given_name", "family_name", "date_of_birth", "year_group", "efsm", "additional_learning_needs",
                  "aln_detail", "looked_after", "young_carer", "english_additional_language", "welsh_additional_language", "household"]
        read_only_fields = fields


class CarerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Carer
        fields = ["id", "household", "given_name", "family_name", "relationship", "parental_responsibility", "preferred_language",
                  "contact_method", "telephone", "email", "is_main_contact"]
        read_only_fields = fields


class HouseholdSerializer(_WithoutHiddenFields, serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "reference", "address", "postcode", "home_language", "safe_contact_notes"]
        read_only_fields = fields


class ConsentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Consent
        fields = ["id", "household", "purpose", "given_by", "method", "given_on", "evidence", "withdrawn_on", "withdrawal_reason"]
        read_only_fields = fields


class EpisodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Episode
        fields = ["id", "household", "school", "officer", "reasons", "goals", "opened_on", "closed_on", "outcome", "outcome_notes"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "episode", "happened_on", "kind", "duration_minutes", "present", "notes", "next_steps", "next_step_due"]
        read_only_fields = ["id"]


class AttendanceSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = AttendanceSummary
        fields = [
            "id",
            "learner",
            "school",
            "period_start",
            "period_end",
            "possible_sessions",
            "attended_sessions",
            "authorised_absences",
            "unauthorised_absences",
            "percentage",
            "source",
        ]
        read_only_fields = fields
