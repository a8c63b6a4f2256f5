"""Data minimisation: what a partner may see of a referral, by the basis it was shared on.

The kind of partner decides which consent purpose covers sharing (:data:`PURPOSE_FOR_PARTNER_TYPE`). What the partner
then sees depends on the *level* of that basis (:data:`PARTNER_FIELDS`): with the family's consent, what is needed to
contact the family the way they prefer and to know what they want; under a safeguarding lawful basis, what is needed
to find and protect the child (including the address) and why consent was not sought, but not the family's
contact preferences. Nothing else about the household (other learners, other consents, casework, safe-contact notes,
attainment) is ever shown to a partner. The access layer (:mod:`cymuned.access.fields`) enforces this through the
object rule registered here; pages, the API and exports all build the partner's view with :func:`shared_view`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cymuned.access.fields import register_object_rule
from cymuned.access.principal import principal_for
from cymuned.accounts.roles import Role
from cymuned.families.models import ConsentPurpose
from cymuned.organisations.models import PartnerType

PURPOSE_FOR_PARTNER_TYPE: dict[str, str] = {
    PartnerType.HEALTH: ConsentPurpose.SHARE_HEALTH,
    PartnerType.SOCIAL_SERVICES: ConsentPurpose.SHARE_SOCIAL_SERVICES,
    PartnerType.POLICE: ConsentPurpose.SHARE_POLICE,
    PartnerType.HOUSING: ConsentPurpose.SHARE_HOUSING,
    PartnerType.THIRD_SECTOR: ConsentPurpose.SHARE_THIRD_SECTOR,
    PartnerType.ADULT_LEARNING: ConsentPurpose.SHARE_ADULT_LEARNING,
    PartnerType.YOUTH_SERVICE: ConsentPurpose.SHARE_YOUTH_SERVICE,
    PartnerType.EARLY_YEARS: ConsentPurpose.SHARE_OTHER_PARTNERS,
    PartnerType.CAREERS: ConsentPurpose.SHARE_OTHER_PARTNERS,
    PartnerType.LEISURE: ConsentPurpose.SHARE_OTHER_PARTNERS,
    PartnerType.OTHER: ConsentPurpose.SHARE_OTHER_PARTNERS,
}


def purpose_for(partner: Any | None) -> str:
    """The consent purpose that covers sharing with this partner (or with the hub, for None)."""
    if partner is None:
        return ConsentPurpose.SHARE_HUB
    return PURPOSE_FOR_PARTNER_TYPE.get(partner.partner_type, ConsentPurpose.SHARE_OTHER_PARTNERS)


CONSENT = "consent"
OVERRIDE = "override"

#: Every field a partner's view of a referral can hold: key -> label.
FIELD_LABELS = {
    "reference": _("Reference"),
    "status": _("Status"),
    "urgency": _("Urgency"),
    "needs": _("Needs"),
    "details": _("What the family needs help with"),
    "family_knows": _("What the family knows about this referral"),
    "family_wants": _("What the family wants to happen"),
    "learner_name": _("Learner"),
    "learner_date_of_birth": _("Date of birth"),
    "year_group": _("Year group"),
    "school": _("School"),
    "carer_name": _("Parent or carer"),
    "carer_telephone": _("Telephone"),
    "carer_email": _("Email address"),
    "contact_method": _("Preferred way to contact"),
    "preferred_language": _("Preferred language"),
    "address": _("Address"),
    "postcode": _("Postcode"),
    "lawful_basis": _("Lawful basis without consent"),
    "override_justification": _("Why the referral is made without consent"),
    "outcome": _("Outcome"),
    "outcome_notes": _("Notes on the outcome"),
}

_COMMON = ("reference", "status", "urgency", "needs", "details", "learner_name", "year_group", "school", "carer_name",
           "carer_telephone", "postcode", "outcome", "outcome_notes")
#: The fields a partner sees, by the level of the basis the referral was shared on.
PARTNER_FIELDS: dict[str, frozenset[str]] = {
    CONSENT: frozenset(_COMMON + ("family_knows", "family_wants", "carer_email", "contact_method", "preferred_language")),
    OVERRIDE: frozenset(_COMMON + ("learner_date_of_birth", "address", "lawful_basis", "override_justification", "family_knows")),
}
#: Referral model fields no partner ever sees, whatever the level.
NEVER_TO_PARTNERS = frozenset({"decline_reason", "override_reviewed_on", "override_reviewed_by", "consent", "referred_by"})


def level_of(referral: Any) -> str:
    return OVERRIDE if referral.lawful_basis else CONSENT


def sees_as_partner_only(user: Any, referral: Any) -> bool:
    """True when the user reaches this referral only as a worker of the partner it is allocated to."""
    if getattr(user, "is_superuser", False):
        return False
    from .policies import hub_q, referrer_q

    principal = principal_for(user)
    if not principal.has_role(Role.PARTNER_WORKER):
        return False
    from .models import Referral

    return not Referral.objects.filter(pk=referral.pk).filter(hub_q(principal) | referrer_q(principal)).exists()


def _hidden_referral_fields(user: Any, referral: Any) -> frozenset[str]:
    if not sees_as_partner_only(user, referral):
        return frozenset()
    allowed = PARTNER_FIELDS[level_of(referral)]
    model_fields = {f.name for f in referral._meta.concrete_fields}
    return frozenset((model_fields | set(FIELD_LABELS)) - allowed - {"id", "partner", "local_authority", "submitted_on",
                                                                      "accepted_on", "first_contact_on", "outcome_on", "closed_on",
                                                                      "triaged_on", "triage_due", "first_contact_due", "outcome_due",
                                                                      "created_on", "modified_on"}) | NEVER_TO_PARTNERS


register_object_rule("hub.Referral", _hidden_referral_fields)


def full_view(referral: Any) -> dict[str, Any]:
    """Every field of :data:`FIELD_LABELS` for the referral (the referrer's and hub's view)."""
    learner, household = referral.learner, referral.household
    carer = next(iter(c for c in household.carers.all() if c.is_main_contact), None) or next(iter(household.carers.all()), None)
    return {
        "reference": referral.reference,
        "status": referral.get_status_display(),
        "urgency": referral.get_urgency_display(),
        "needs": ", ".join(referral.needs_list),
        "details": referral.details,
        "family_knows": referral.family_knows,
        "family_wants": referral.family_wants,
        "learner_name": learner.full_name if learner else "",
        "learner_date_of_birth": learner.date_of_birth if learner else None,
        "year_group": learner.get_year_group_display() if learner else "",
        "school": referral.school.name,
        "carer_name": str(carer) if carer else "",
        "carer_telephone": carer.telephone if carer else "",
        "carer_email": carer.email if carer else "",
        "contact_method": carer.get_contact_method_display() if carer else "",
        "preferred_language": carer.get_preferred_language_display() if carer else "",
        "address": household.address,
        "postcode": household.postcode,
        "lawful_basis": referral.get_lawful_basis_display(),
        "override_justification": referral.override_justification,
        "outcome": referral.get_outcome_display(),
        "outcome_notes": referral.outcome_notes,
    }


def shared_view(user: Any, referral: Any) -> list[tuple[str, str, Any]]:
    """(key, label, value) for each field the user may see of the referral: all of them for the referrer and the hub,
    the consent level's set for a partner."""
    from cymuned.access.fields import hidden_fields_of

    hidden = hidden_fields_of(user, referral)
    values = full_view(referral)
    return [(key, str(label), values[key]) for key, label in FIELD_LABELS.items() if key not in hidden]
