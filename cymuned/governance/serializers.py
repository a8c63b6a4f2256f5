from __future__ import annotations

from rest_framework import serializers

from .models import MemorandumOfUnderstanding, Signatory


class SignatorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Signatory
        fields = ["id", "organisation", "name", "position", "signed_on"]
        read_only_fields = fields


class MemorandumSerializer(serializers.ModelSerializer):
    signatories = SignatorySerializer(many=True, read_only=True)

    class Meta:
        model = MemorandumOfUnderstanding
        fields = ["id", "local_authority", "title", "parties", "clusters", "purpose", "commitments", "data_sharing", "starts_on",
                  "review_on", "ends_on", "status", "signatories"]
        read_only_fields = ["id", "local_authority", "signatories"]
