from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cymuned.accounts.models import Membership
from cymuned.accounts.roles import GovernorCategory, Role
from cymuned.organisations.models import Cluster, Organisation, Partner, School


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
