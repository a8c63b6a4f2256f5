from __future__ import annotations

from rest_framework import serializers

from .models import Achievement, Attendance, ConfidenceResponse, Enrolment, Programme, Session


class ProgrammeSerializer(serializers.ModelSerializer):
    places_left = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "id", "local_authority", "lead_organisation", "kind", "topic", "title_en", "title_cy", "description_en", "description_cy",
            "audience_en", "audience_cy", "venue_school", "venue_en", "venue_cy", "delivery_language", "capacity", "places_left",
            "cost_pence", "accreditation_en", "accreditation_cy", "counts_only", "starts_on", "ends_on", "is_published", "public_sign_up",
        ]
        read_only_fields = fields

    def get_places_left(self, programme: Programme) -> int | None:
        if programme.capacity is None:
            return None
        return max(programme.capacity - (getattr(programme, "places_taken", 0) or 0), 0)


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Session
        fields = ["id", "programme", "starts_at", "ends_at", "cancelled", "meals_served", "parcels_given", "people_fed"]
        read_only_fields = fields


class EnrolmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enrolment
        fields = ["id", "programme", "learner", "household", "school", "participant_name", "email", "telephone", "postcode",
                  "preferred_language", "places", "status", "source", "created_on", "withdrawn_on"]
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "session", "enrolment", "mark", "marked_on"]
        read_only_fields = ["id", "marked_on"]
        validators: list = []  # marking again corrects the mark (the service updates it) rather than failing


class AchievementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Achievement
        fields = ["id", "enrolment", "title", "awarding_body", "level", "awarded_on"]
        read_only_fields = fields


class ConfidenceResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConfidenceResponse
        fields = ["id", "enrolment", "stage", "answered_on", "supporting_learning", "skills", "talking_to_school", "wellbeing"]
        read_only_fields = fields
