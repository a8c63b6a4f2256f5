"""Referrals and meetings about families are personal records: changes *and* reads are logged."""

from auditlog.registry import auditlog

from .models import AgreedAction, Referral, ReferralEvent, ReferralNeed, TafAttendee, TeamAroundFamilyMeeting

for model in (Referral, ReferralNeed, ReferralEvent, TeamAroundFamilyMeeting, TafAttendee, AgreedAction):
    auditlog.register(model)
