from __future__ import annotations

from typing import Any

from rest_framework import serializers

from .models import Booking, BookingSeries, Hirer, Invoice, Space


class SpaceSerializer(serializers.ModelSerializer):
    school_name_en = serializers.CharField(source="school.name_en", read_only=True)
    school_name_cy = serializers.CharField(source="school.name_cy", read_only=True)
    local_authority = serializers.IntegerField(source="school.local_authority_id", read_only=True)
    photo = serializers.SerializerMethodField()

    class Meta:
        model = Space
        fields = ["id", "school", "school_name_en", "school_name_cy", "local_authority", "kind", "name_en", "name_cy", "description_en",
                  "description_cy", "capacity", "facilities_en", "facilities_cy", "accessibility_en", "accessibility_cy", "photo",
                  "photo_alt_en", "photo_alt_cy", "is_public", "is_active"]
        read_only_fields = fields

    def get_photo(self, space: Space) -> str | None:
        return space.photo.url if space.photo else None


class FreeSlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class SpaceAvailabilitySerializer(serializers.Serializer):
    space = serializers.IntegerField()
    name_en = serializers.CharField()
    name_cy = serializers.CharField()
    school = serializers.IntegerField()
    free = FreeSlotSerializer(many=True)


class AvailabilityQuerySerializer(serializers.Serializer):
    space = serializers.IntegerField(required=False, min_value=1)
    local_authority = serializers.IntegerField(required=False, min_value=1)
    week = serializers.DateField(required=False, help_text="Any day of the week wanted (YYYY-MM-DD); the week starts on its Monday.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("space") and not attrs.get("local_authority"):
            raise serializers.ValidationError("Give space or local_authority.")
        return attrs


class BookingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Booking
        fields = ["id", "series", "space", "starts_at", "ends_at", "status", "people_attended"]
        read_only_fields = fields


class BookingSeriesSerializer(serializers.ModelSerializer):
    bookings = BookingSerializer(many=True, read_only=True)

    class Meta:
        model = BookingSeries
        fields = ["id", "reference", "space", "hirer", "activity", "expected_people", "involves_children", "tier", "status",
                  "terms_accepted_on", "decided_on", "decision_reason", "alternative", "created_on", "bookings"]
        read_only_fields = fields


class BookingRequestSerializer(serializers.Serializer):
    """A request for a space, once or weekly: the same checks as the booking page (see services.booking_request)."""

    space = serializers.PrimaryKeyRelatedField(queryset=Space.objects.all())
    activity = serializers.CharField(max_length=200)
    expected_people = serializers.IntegerField(min_value=1, max_value=5000)
    first_day = serializers.DateField()
    starts = serializers.TimeField()
    ends = serializers.TimeField()
    weekly_until = serializers.DateField(required=False, allow_null=True)
    skip = serializers.ListField(child=serializers.DateField(), required=False)
    involves_children = serializers.BooleanField(default=False)
    terms_accepted = serializers.BooleanField()


class HirerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hirer
        fields = ["id", "kind", "organisation_name", "local_authority", "telephone", "insurance_provider", "insurance_expires_on",
                  "safeguarding_declared_on"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    total_pence = serializers.IntegerField(read_only=True)

    class Meta:
        model = Invoice
        fields = ["id", "number", "kind", "series", "credits", "issued_on", "due_on", "net_pence", "vat_pence", "total_pence", "status",
                  "paid_on", "lines"]
        read_only_fields = fields
