from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from .models import Allocation, Award, Claim, FundingStream, Spend


class FundingStreamSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundingStream
        fields = ["id", "local_authority", "kind", "name_en", "name_cy", "funder", "description"]
        read_only_fields = fields


class AwardSerializer(serializers.ModelSerializer):
    allocated = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Award
        fields = ["id", "stream", "local_authority", "reference", "amount", "starts_on", "ends_on", "conditions", "allocated", "spent"]
        read_only_fields = ["id", "local_authority", "allocated", "spent"]


class AllocationSerializer(serializers.ModelSerializer):
    spent = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, default=Decimal("0"))

    class Meta:
        model = Allocation
        fields = ["id", "award", "school", "cluster", "amount", "purpose", "spent"]
        read_only_fields = ["id", "spent"]


class SpendSerializer(serializers.ModelSerializer):
    class Meta:
        model = Spend
        fields = ["id", "allocation", "spent_on", "amount", "description", "category"]
        read_only_fields = ["id"]


class ClaimSerializer(serializers.ModelSerializer):
    class Meta:
        model = Claim
        fields = ["id", "award", "kind", "due_on", "period_start", "period_end", "amount", "status", "submitted_on"]
        read_only_fields = ["id", "status", "submitted_on"]
