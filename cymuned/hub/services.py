"""Writes about referrals and Team Around the Family meetings.

Each service runs in one transaction, locks the referral (``select_for_update``) before reading its status, enforces
the state machine below and records a :class:`ReferralEvent` for every change. Refusals are ``ValidationError`` with
a code: ``referral_closed`` and ``illegal_transition`` (the API answers 409), or a field error (400).

::

    submitted ──accept──▶ accepted (the hub works with the family itself)
        │ ├─allocate──▶ allocated ──partner accepts──▶ accepted ──first contact──▶ in_contact
        │ ├─ask───────▶ info_requested ──referrer answers──▶ submitted          │            │
        │ └─decline───▶ declined (final)                                          └──outcome───┴──▶ outcome_recorded ──close──▶ closed (final)
    allocated ──partner declines──▶ returned ──allocate (re-route) / decline──▶ ...
    allocated ──re-route (allocate to another partner)──▶ allocated
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, can, can_create
from cymuned.access.principal import principal_for
from cymuned.accounts.models import Membership, User
from cymuned.accounts.roles import Role
from cymuned.core.services import notify
from cymuned.families.models import Consent, Episode, Household, Learner
from cymuned.organisations.models import Organisation, Partner

from .minimisation import purpose_for
from .models import (
    DEFAULT_SERVICE_LEVELS,
    FINAL_STATUSES,
    AgreedAction,
    EventKind,
    LawfulBasis,
    Need,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralNeed,
    ServiceLevel,
    Status,
    TafAttendee,
    TeamAroundFamilyMeeting,
    Urgency,
)
from .policies import HUB_ROLES, hub_q, partner_q, referrer_q

#: A justification for sharing without consent must say enough to be reviewed.
MIN_JUSTIFICATION = 20


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


# --- Sides -----------------------------------------------------------------------------------------------------------

def _on_side(by: Any, referral: Referral, side: Callable[..., Q]) -> bool:
    return Referral.objects.filter(pk=referral.pk).filter(side(principal_for(by))).exists()


def is_hub(by: Any, referral: Referral) -> bool:
    return _on_side(by, referral, hub_q)


def is_partner(by: Any, referral: Referral) -> bool:
    return referral.partner_id is not None and _on_side(by, referral, partner_q)


def is_referrer(by: Any, referral: Referral) -> bool:
    return _on_side(by, referral, referrer_q)


def is_deliverer(by: Any, referral: Referral) -> bool:
    """Who works with the family once it is accepted: the partner it is allocated to, or the hub when it kept it."""
    return is_partner(by, referral) if referral.partner_id else is_hub(by, referral)


def allowed_actions(by: Any, referral: Referral) -> set[str]:
    """The actions this user may take on the referral now (pages show only these buttons)."""
    if referral.status in FINAL_STATUSES:
        return set()
    actions: set[str] = set()
    status = referral.status
    if is_hub(by, referral):
        if status in (Status.SUBMITTED,):
            actions |= {"accept", "allocate", "ask", "decline"}
        if status in (Status.RETURNED, Status.ALLOCATED):
            actions |= {"allocate", "decline"}
        if status == Status.INFO_REQUESTED:
            actions |= {"decline"}
        if referral.is_override and referral.override_reviewed_on is None:
            actions.add("review")
        actions.add("note")
    if is_referrer(by, referral):
        if status == Status.INFO_REQUESTED:
            actions.add("answer")
        actions.add("note")
    if is_deliverer(by, referral):
        if status == Status.ALLOCATED and referral.partner_id:
            actions |= {"partner_accept", "partner_decline"}
        if status == Status.ACCEPTED:
            actions.add("first_contact")
        if status in (Status.ACCEPTED, Status.IN_CONTACT):
            actions |= {"outcome", "close"}
        if status == Status.OUTCOME_RECORDED:
            actions.add("close")
        actions.add("note")
    return actions


# --- Service levels --------------------------------------------------------------------------------------------------

def service_level_for(*, local_authority_id: int, urgency: str) -> tuple[int, int, int]:
    level = ServiceLevel.objects.filter(local_authority_id=local_authority_id, urgency=urgency).first()
    if level is None:
        return DEFAULT_SERVICE_LEVELS[Urgency(urgency)]
    return level.hours_to_triage, level.days_to_first_contact, level.days_to_outcome


def _set_dues(referral: Referral) -> None:
    hours, contact_days, outcome_days = service_level_for(local_authority_id=referral.local_authority_id, urgency=referral.urgency)
    start = referral.submitted_on
    referral.triage_due = start + datetime.timedelta(hours=hours)
    referral.first_contact_due = start + datetime.timedelta(days=contact_days)
    referral.outcome_due = start + datetime.timedelta(days=outcome_days)


@transaction.atomic
def service_level_set(*, by: Any, local_authority_id: int, urgency: str, hours_to_triage: int, days_to_first_contact: int,
                      days_to_outcome: int) -> ServiceLevel:
    """Set an LA's targets for one urgency. Referrals already made keep the targets they were made under."""
    _require(local_authority_id in principal_for(by).la_ids(HUB_ROLES))
    if urgency not in Urgency.values:
        raise _field_error("urgency", _("Choose the urgency."), "urgency")
    if not (0 < hours_to_triage <= 24 * 30):
        raise _field_error("hours_to_triage", _("Enter a number of hours between 1 and 720."), "hours_range")
    if not (0 < days_to_first_contact <= days_to_outcome <= 365):
        raise _field_error("days_to_outcome", _("Days to outcome must be at least the days to first contact, and at most 365."),
                           "days_order")
    level, _created = ServiceLevel.objects.update_or_create(
        local_authority_id=local_authority_id, urgency=urgency,
        defaults={"hours_to_triage": hours_to_triage, "days_to_first_contact": days_to_first_contact, "days_to_outcome": days_to_outcome},
    )
    return level


# --- Events and notifications ----------------------------------------------------------------------------------------

def _event(referral: Referral, kind: str, by: Any, *, text: str = "", visible_to_partner: bool = True,
           organisation: Organisation | None = None, at: datetime.datetime | None = None) -> ReferralEvent:
    return ReferralEvent.objects.create(
        referral=referral, kind=kind, status=referral.status, actor=by if getattr(by, "pk", None) else None,
        organisation=organisation, text=text.strip(), visible_to_partner=visible_to_partner, happened_on=at or timezone.now(),
    )


def _users_of(organisation_ids: Iterable[int], roles: Iterable[str], *, local_authority_wide: bool = False) -> list[User]:
    memberships = Membership.objects.current().filter(organisation_id__in=list(organisation_ids), role__in=list(roles),
                                                      user__is_active=True)
    if local_authority_wide:
        memberships = memberships.filter(cluster__isnull=True)
    return list(User.objects.filter(pk__in=memberships.values("user_id")).order_by("pk"))


def _notify_about(referral: Referral, users: Iterable[User], message: Callable[[], str], subject: Callable[[], str]) -> None:
    for user in users:
        if getattr(user, "is_active", False):
            with translation.override(user.preferred_language):
                url = reverse("hub:referral-detail", args=[referral.pk])
            notify(user=user, message=message, url=url, email_subject=subject)


def _notify_referrer(referral: Referral, message: Callable[[], str], subject: Callable[[], str]) -> None:
    _notify_about(referral, [referral.referred_by], message, subject)


def _notify_partner(referral: Referral) -> None:
    ref = referral.reference
    _notify_about(referral, _users_of([referral.partner_id], [Role.PARTNER_WORKER]),
                  lambda: _("Referral %(reference)s has been sent to your organisation. Please accept or decline it.") % {"reference": ref},
                  lambda: _("New referral %(reference)s") % {"reference": ref})


def _notify_hub(referral: Referral, message: Callable[[], str], subject: Callable[[], str]) -> None:
    _notify_about(referral, _users_of([referral.local_authority_id], [Role.HUB_COORDINATOR], local_authority_wide=True), message, subject)


# --- Making a referral -----------------------------------------------------------------------------------------------

def consents_for(*, household: Household, partner: Partner | None) -> list[Consent]:
    """The household's consents in force that cover sharing with this partner (or the hub)."""
    return list(household.consents.in_force(timezone.localdate()).filter(purpose=purpose_for(partner)).select_related("given_by"))


def _check_consent(*, household: Household, partner: Partner | None, consent: Consent | None) -> None:
    if consent is None:
        raise _field_error("consent", _("Choose the family's consent to share with this kind of organisation, or record a lawful basis "
                                        "for sharing without consent."), "no_consent")
    if consent.household_id != household.pk:
        raise _field_error("consent", _("This consent was given by another family."), "consent_other_household")
    if consent.purpose != purpose_for(partner):
        raise _field_error("consent", _("This consent does not cover sharing with %(kind)s. Record the family's consent for it first.")
                           % {"kind": partner.get_partner_type_display() if partner else _("the multi-agency hub")}, "consent_wrong_purpose")
    today = timezone.localdate()
    if consent.withdrawn_on is not None and consent.withdrawn_on <= today:
        raise _field_error("consent", _("The family withdrew this consent on %(date)s. The referral cannot rely on it.")
                           % {"date": consent.withdrawn_on.strftime("%d/%m/%Y")}, "consent_withdrawn")
    if consent.given_on > today:
        raise _field_error("consent", _("This consent starts in the future."), "consent_not_started")


def _check_partner(partner: Partner | None, local_authority_id: int) -> None:
    if partner is not None and (not partner.is_active or partner.local_authority_id != local_authority_id):
        raise _field_error("partner", _("Choose an active partner organisation of your local authority."), "partner_elsewhere")


def _check_service(service: Any, partner: Partner | None) -> None:
    if service is None:
        return
    from cymuned.directory.models import ServiceStatus

    if service.status != ServiceStatus.ACTIVE:
        raise _field_error("service", _("This service is not taking referrals."), "service_inactive")
    if partner is None or service.organisation_id != partner.pk:
        raise _field_error("service", _("Choose a service of the partner organisation the referral goes to."), "service_other_partner")


@transaction.atomic
def referral_make(*, by: Any, household: Household, learner: Learner | None = None, partner: Partner | None = None,
                  service: Any = None, needs: list[str], urgency: str, details: str, family_knows: str, family_wants: str,
                  consent: Consent | None = None, lawful_basis: str = "", override_justification: str = "") -> Referral:
    """Refer a family (and one of its learners) to the hub, or straight to a partner organisation.

    Refused without the family's consent in force for sharing with that kind of organisation, unless a lawful basis and
    a justification are recorded: such a referral is flagged for the hub coordinator's review."""
    _require(can_create(by, Referral) and can(by, Action.VIEW, household))
    principal = principal_for(by)
    from .policies import REFERRER_ROLES

    my_schools = principal.school_ids(REFERRER_ROLES)
    if learner is not None:
        if learner.household_id != household.pk:
            raise _field_error("learner", _("This learner is not in this family."), "learner_other_household")
        _require(can(by, Action.VIEW, learner))
        school = learner.school
    else:
        candidate = household.learners.filter(school_id__in=sorted(my_schools)).select_related("school").order_by("pk").first()
        if candidate is None:
            raise _field_error("learner", _("Choose the learner the referral is about."), "learner_required")
        school = candidate.school
    if school.pk not in my_schools and not principal.la_ids(REFERRER_ROLES):
        raise _field_error("learner", _("You can refer only learners of schools you work with."), "school_not_yours")
    if service is not None and partner is None:
        partner = Partner.objects.filter(pk=service.organisation_id).first()
        if partner is None:
            raise _field_error("service", _("This service is not run by a partner organisation: refer to the hub instead."),
                               "service_not_partner")
    _check_partner(partner, school.local_authority_id)
    _check_service(service, partner)
    needs = sorted(set(needs or []))
    if not needs or any(n not in Need.values for n in needs):
        raise _field_error("needs", _("Choose at least one need from the list."), "needs_required")
    if urgency not in Urgency.values:
        raise _field_error("urgency", _("Choose how urgent the referral is."), "urgency_required")
    for name, value in (("details", details), ("family_knows", family_knows), ("family_wants", family_wants)):
        if not (value or "").strip():
            raise _field_error(name, _("This must be filled in."), "required")
    if lawful_basis:
        if lawful_basis not in LawfulBasis.values:
            raise _field_error("lawful_basis", _("Choose the lawful basis."), "lawful_basis")
        if len((override_justification or "").strip()) < MIN_JUSTIFICATION:
            raise _field_error("override_justification", _("Explain in at least %(n)s characters why the family's consent was not "
                                                            "sought: the hub coordinator reviews every referral made without consent.")
                               % {"n": MIN_JUSTIFICATION}, "justification_required")
        consent = None
    else:
        _check_consent(household=household, partner=partner, consent=consent)
        override_justification = ""
    referral = Referral(
        reference=f"new-{uuid.uuid4().hex[:16]}", local_authority_id=school.local_authority_id, school=school, referred_by=by,
        learner=learner, household=household, partner=partner, urgency=urgency, details=details.strip(),
        family_knows=family_knows.strip(), family_wants=family_wants.strip(), consent=consent, lawful_basis=lawful_basis,
        override_justification=override_justification.strip(), status=Status.ALLOCATED if partner else Status.SUBMITTED,
        service=service, submitted_on=timezone.now(), created_by=by, modified_by=by,
    )
    _set_dues(referral)
    referral.full_clean(exclude=["reference"])
    referral.save()
    referral.reference = f"HUB-{referral.pk:06d}"
    referral.save(update_fields=["reference"])
    ReferralNeed.objects.bulk_create([ReferralNeed(referral=referral, need=n) for n in needs])
    _event(referral, EventKind.SUBMITTED, by, organisation=school)
    if partner is not None:
        _notify_partner(referral)
    if lawful_basis:
        ref = referral.reference
        _notify_hub(referral, lambda: _("Referral %(reference)s was made without consent and needs your review.") % {"reference": ref},
                    lambda: _("Referral without consent: %(reference)s") % {"reference": ref})
    return referral


# --- The state machine -----------------------------------------------------------------------------------------------

def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related("partner", "school", "referred_by").get(pk=referral.pk)


def _check_status(referral: Referral, allowed: Iterable[str]) -> None:
    if referral.status in FINAL_STATUSES:
        raise ValidationError(_("Referral %(reference)s is closed: it cannot be changed.") % {"reference": referral.reference},
                              code="referral_closed")
    if referral.status not in set(allowed):
        raise ValidationError(_("This cannot be done to a referral that is “%(status)s”.") % {"status": referral.get_status_display()},
                              code="illegal_transition")


def _save(referral: Referral, by: Any, *fields: str) -> None:
    referral.modified_by = by
    referral.save(update_fields=["status", *fields, "modified_by", "modified_on"])


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise _field_error(field, message, "required")
    return value


def _mine(referral: Referral, check: Callable[[Any, Referral], bool], by: Any) -> None:
    _require(can(by, Action.VIEW, referral) and check(by, referral))


def _notify_accepted(referral: Referral) -> None:
    ref, partner = referral.reference, referral.partner
    if partner is not None:
        # The partner's name is read in the recipient's language too (its Welsh name when they read Welsh).
        _notify_referrer(referral, lambda: _("%(partner)s has accepted referral %(reference)s.") % {"partner": partner.name, "reference": ref},
                         lambda: _("Referral %(reference)s accepted") % {"reference": ref})
    else:
        _notify_referrer(referral, lambda: _("The multi-agency hub has accepted referral %(reference)s.") % {"reference": ref},
                         lambda: _("Referral %(reference)s accepted") % {"reference": ref})


@transaction.atomic
def referral_accept(*, by: Any, referral: Referral, note: str = "") -> Referral:
    """Triage: the hub accepts the referral and works with the family itself."""
    _mine(referral, is_hub, by)
    referral = _locked(referral)
    _check_status(referral, [Status.SUBMITTED])
    now = timezone.now()
    referral.status, referral.triaged_on, referral.accepted_on = Status.ACCEPTED, now, now
    _save(referral, by, "triaged_on", "accepted_on")
    _event(referral, EventKind.ACCEPTED_BY_HUB, by, text=note, organisation=referral.local_authority)
    _notify_accepted(referral)
    return referral


@transaction.atomic
def referral_allocate(*, by: Any, referral: Referral, partner: Partner, service: Any = None, note: str = "",
                      consent: Consent | None = None) -> Referral:
    """Triage: allocate to a partner (and one of its services). On a referral already allocated, or declined by its
    partner, this re-routes it. Sharing with the partner needs consent for that kind of partner, unless the referral
    rests on a lawful basis."""
    _mine(referral, is_hub, by)
    referral = _locked(referral)
    _check_status(referral, [Status.SUBMITTED, Status.RETURNED, Status.ALLOCATED])
    if partner is None and service is not None:
        partner = Partner.objects.filter(pk=service.organisation_id).first()
    if partner is None:
        raise _field_error("partner", _("Choose the partner organisation."), "partner_required")
    if referral.status == Status.ALLOCATED and referral.partner_id == partner.pk and referral.service_id == getattr(service, "pk", None):
        raise _field_error("partner", _("The referral is already with this partner."), "same_partner")
    _check_partner(partner, referral.local_authority_id)
    _check_service(service, partner)
    if not referral.is_override:
        if consent is None:
            found = consents_for(household=referral.household, partner=partner)
            consent = found[0] if found else None
        _check_consent(household=referral.household, partner=partner, consent=consent)
        referral.consent = consent
    rerouted = referral.status in (Status.ALLOCATED, Status.RETURNED)
    referral.partner, referral.service = partner, service
    referral.status = Status.ALLOCATED
    referral.decline_reason = ""
    referral.triaged_on = referral.triaged_on or timezone.now()
    _save(referral, by, "partner", "service", "consent", "triaged_on", "decline_reason")
    _event(referral, EventKind.REROUTED if rerouted else EventKind.ALLOCATED, by, organisation=referral.local_authority,
           text=(_("Allocated to %(partner)s.") % {"partner": f"{partner.name}: {service.name}" if service else partner.name})
           + (f" {note.strip()}" if note.strip() else ""))
    _notify_partner(referral)
    return referral


@transaction.atomic
def referral_request_info(*, by: Any, referral: Referral, question: str) -> Referral:
    """Triage: ask the referrer for more information; the referral comes back when they answer."""
    _mine(referral, is_hub, by)
    referral = _locked(referral)
    _check_status(referral, [Status.SUBMITTED, Status.RETURNED])
    question = _text(question, "question", _("Say what more you need to know."))
    referral.status = Status.INFO_REQUESTED
    referral.triaged_on = referral.triaged_on or timezone.now()
    _save(referral, by, "triaged_on")
    _event(referral, EventKind.INFO_REQUESTED, by, text=question, visible_to_partner=False, organisation=referral.local_authority)
    ref = referral.reference
    _notify_referrer(referral, lambda: _("The hub needs more information about referral %(reference)s.") % {"reference": ref},
                     lambda: _("More information needed: %(reference)s") % {"reference": ref})
    return referral


@transaction.atomic
def referral_give_info(*, by: Any, referral: Referral, answer: str) -> Referral:
    _mine(referral, is_referrer, by)
    referral = _locked(referral)
    _check_status(referral, [Status.INFO_REQUESTED])
    answer = _text(answer, "answer", _("Enter the information the hub asked for."))
    referral.status = Status.SUBMITTED
    _save(referral, by)
    _event(referral, EventKind.INFO_GIVEN, by, text=answer, organisation=referral.school)
    return referral


@transaction.atomic
def referral_decline(*, by: Any, referral: Referral, reason: str) -> Referral:
    """Triage: the hub declines the referral, with a reason the referrer is told."""
    _mine(referral, is_hub, by)
    referral = _locked(referral)
    _check_status(referral, [Status.SUBMITTED, Status.RETURNED, Status.INFO_REQUESTED, Status.ALLOCATED])
    reason = _text(reason, "reason", _("Give the reason for declining."))
    now = timezone.now()
    referral.status, referral.decline_reason, referral.closed_on = Status.DECLINED, reason, now
    referral.triaged_on = referral.triaged_on or now
    _save(referral, by, "decline_reason", "closed_on", "triaged_on")
    _event(referral, EventKind.DECLINED, by, text=reason, visible_to_partner=False, organisation=referral.local_authority)
    ref = referral.reference
    _notify_referrer(referral, lambda: _("The hub has declined referral %(reference)s: %(reason)s") % {"reference": ref, "reason": reason},
                     lambda: _("Referral %(reference)s declined") % {"reference": ref})
    return referral


@transaction.atomic
def referral_review_override(*, by: Any, referral: Referral, note: str = "") -> Referral:
    """The hub coordinator records that a referral made without consent has been reviewed."""
    _mine(referral, is_hub, by)
    referral = _locked(referral)
    if not referral.is_override:
        raise ValidationError(_("This referral was made with the family's consent."), code="not_override")
    if referral.override_reviewed_on is not None:
        raise ValidationError(_("This referral has already been reviewed."), code="already_reviewed")
    referral.override_reviewed_on, referral.override_reviewed_by = timezone.now(), by
    _save(referral, by, "override_reviewed_on", "override_reviewed_by")
    _event(referral, EventKind.OVERRIDE_REVIEWED, by, text=note, visible_to_partner=False, organisation=referral.local_authority)
    return referral


@transaction.atomic
def referral_partner_accept(*, by: Any, referral: Referral, note: str = "") -> Referral:
    _mine(referral, is_partner, by)
    referral = _locked(referral)
    _check_status(referral, [Status.ALLOCATED])
    referral.status, referral.accepted_on = Status.ACCEPTED, timezone.now()
    _save(referral, by, "accepted_on")
    _event(referral, EventKind.PARTNER_ACCEPTED, by, text=note, organisation=referral.partner)
    _notify_accepted(referral)
    return referral


@transaction.atomic
def referral_partner_decline(*, by: Any, referral: Referral, reason: str) -> Referral:
    """The partner declines; the referral goes back to the hub to re-route or decline."""
    _mine(referral, is_partner, by)
    referral = _locked(referral)
    _check_status(referral, [Status.ALLOCATED])
    reason = _text(reason, "reason", _("Give the reason for declining."))
    referral.status, referral.decline_reason = Status.RETURNED, reason
    _save(referral, by, "decline_reason")
    _event(referral, EventKind.PARTNER_DECLINED, by, text=reason, organisation=referral.partner)
    ref, partner = referral.reference, referral.partner
    _notify_hub(referral, lambda: _("%(partner)s declined referral %(reference)s: it needs re-routing.") % {"partner": partner.name,
                                                                                                             "reference": ref},
                lambda: _("Referral %(reference)s returned") % {"reference": ref})
    return referral


def _deliverer_org(referral: Referral) -> Organisation:
    return referral.partner if referral.partner_id else referral.local_authority


@transaction.atomic
def referral_first_contact(*, by: Any, referral: Referral, contacted_on: datetime.datetime | None = None, note: str = "") -> Referral:
    _mine(referral, is_deliverer, by)
    referral = _locked(referral)
    _check_status(referral, [Status.ACCEPTED])
    now = timezone.now()
    contacted_on = contacted_on or now
    if contacted_on > now + datetime.timedelta(minutes=5):
        raise _field_error("contacted_on", _("The first contact cannot be in the future."), "future_contact")
    if contacted_on < referral.submitted_on:
        raise _field_error("contacted_on", _("The first contact cannot be before the referral was made."), "before_referral")
    referral.status, referral.first_contact_on = Status.IN_CONTACT, contacted_on
    _save(referral, by, "first_contact_on")
    _event(referral, EventKind.FIRST_CONTACT, by, text=note, organisation=_deliverer_org(referral), at=contacted_on)
    return referral


@transaction.atomic
def referral_add_note(*, by: Any, referral: Referral, text: str, visible_to_partner: bool = True) -> ReferralEvent:
    """A note or action on an open referral by anyone working on it; a partner's notes are always the partner's to see."""
    _require(can(by, Action.VIEW, referral))
    referral = _locked(referral)
    _check_status(referral, [s for s in Status.values if s not in FINAL_STATUSES])
    text = _text(text, "text", _("Enter the note."))
    if is_partner(by, referral):
        visible_to_partner, organisation = True, referral.partner
    elif is_hub(by, referral):
        organisation = referral.local_authority
    else:
        organisation = referral.school
    referral.modified_by = by
    referral.save(update_fields=["modified_by", "modified_on"])
    return _event(referral, EventKind.NOTE, by, text=text, visible_to_partner=visible_to_partner, organisation=organisation)


def _outcome(referral: Referral, outcome: str, notes: str, by: Any) -> None:
    if outcome not in Outcome.values:
        raise _field_error("outcome", _("Choose the outcome."), "outcome_required")
    referral.outcome, referral.outcome_notes, referral.outcome_on = outcome, (notes or "").strip(), timezone.now()
    referral.status = Status.OUTCOME_RECORDED
    _save(referral, by, "outcome", "outcome_notes", "outcome_on")
    _event(referral, EventKind.OUTCOME, by, text=f"{referral.get_outcome_display()}. {referral.outcome_notes}".strip(),
           organisation=_deliverer_org(referral))
    ref, label = referral.reference, referral.outcome
    _notify_referrer(referral, lambda: _("The outcome of referral %(reference)s: %(outcome)s.") % {"reference": ref,
                                                                                                   "outcome": Outcome(label).label},
                     lambda: _("Outcome of referral %(reference)s") % {"reference": ref})


@transaction.atomic
def referral_record_outcome(*, by: Any, referral: Referral, outcome: str, notes: str = "") -> Referral:
    _mine(referral, is_deliverer, by)
    referral = _locked(referral)
    _check_status(referral, [Status.ACCEPTED, Status.IN_CONTACT])
    _outcome(referral, outcome, notes, by)
    return referral


@transaction.atomic
def referral_close(*, by: Any, referral: Referral, outcome: str = "", notes: str = "") -> Referral:
    """Close the referral: after its outcome, or recording the outcome given here at the same time."""
    _mine(referral, is_deliverer, by)
    referral = _locked(referral)
    _check_status(referral, [Status.ACCEPTED, Status.IN_CONTACT, Status.OUTCOME_RECORDED])
    if referral.status != Status.OUTCOME_RECORDED:
        _outcome(referral, outcome, notes, by)
    referral.status, referral.closed_on = Status.CLOSED, timezone.now()
    _save(referral, by, "closed_on")
    _event(referral, EventKind.CLOSED, by, organisation=_deliverer_org(referral))
    return referral


# --- The daily digest ------------------------------------------------------------------------------------------------

def digest_figures(*, now: datetime.datetime | None = None) -> dict[int, dict[str, int]]:
    """Per local authority: open referrals, waiting for triage, each kind of breach, and overrides to review. One query."""
    rows = (
        Referral.objects.open().with_sla(now).values("local_authority_id").annotate(
            open=Count("pk"),
            waiting=Count("pk", filter=Q(status__in=[Status.SUBMITTED, Status.RETURNED])),
            triage=Count("pk", filter=Q(triage_breached=True)),
            contact=Count("pk", filter=Q(contact_breached=True)),
            outcome=Count("pk", filter=Q(outcome_breached=True)),
            review=Count("pk", filter=~Q(lawful_basis="") & Q(override_reviewed_on__isnull=True)),
        ).order_by("local_authority_id")
    )
    return {r.pop("local_authority_id"): r for r in rows}


def hub_digest_send(*, now: datetime.datetime | None = None) -> int:
    """Send each hub coordinator the day's figures for their local authority (in their language). Returns how many."""
    sent = 0
    for la_id, figures in digest_figures(now=now).items():
        coordinators = _users_of([la_id], [Role.HUB_COORDINATOR], local_authority_wide=True)
        for user in coordinators:
            def message(f: dict[str, int] = figures) -> str:
                return _("Hub referrals today: %(open)s open, %(waiting)s waiting for triage; service levels missed: %(triage)s "
                         "triage, %(contact)s first contact, %(outcome)s outcome; %(review)s made without consent to review.") % f
            with translation.override(user.preferred_language):
                url = reverse("hub:queue") + "?sla=breached"
            with transaction.atomic():
                notify(user=user, message=message, url=url, email_subject=lambda: _("Multi-agency hub: daily summary"))
            sent += 1
    return sent


# --- Team Around the Family ------------------------------------------------------------------------------------------

@transaction.atomic
def meeting_create(*, by: Any, episode: Episode, held_on: datetime.date, place: str = "", minutes: str = "",
                   next_review_on: datetime.date | None = None) -> TeamAroundFamilyMeeting:
    _require(can(by, Action.VIEW, episode) and can_create(by, TeamAroundFamilyMeeting))
    if next_review_on and next_review_on < held_on:
        raise _field_error("next_review_on", _("The review cannot be before the meeting."), "review_before_meeting")
    if held_on < episode.opened_on:
        raise _field_error("held_on", _("The meeting cannot be before the episode was opened."), "before_episode")
    meeting = TeamAroundFamilyMeeting(episode=episode, held_on=held_on, place=place.strip(), minutes=minutes.strip(),
                                      next_review_on=next_review_on, created_by=by, modified_by=by)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update_minutes(*, by: Any, meeting: TeamAroundFamilyMeeting, minutes: str, next_review_on: datetime.date | None) -> TeamAroundFamilyMeeting:
    _require(can(by, Action.CHANGE, meeting))
    if next_review_on and next_review_on < meeting.held_on:
        raise _field_error("next_review_on", _("The review cannot be before the meeting."), "review_before_meeting")
    meeting.minutes, meeting.next_review_on, meeting.modified_by = minutes.strip(), next_review_on, by
    meeting.save(update_fields=["minutes", "next_review_on", "modified_by", "modified_on"])
    return meeting


@transaction.atomic
def attendee_add(*, by: Any, meeting: TeamAroundFamilyMeeting, user: User | None = None, name: str = "",
                 organisation: Organisation | None = None, organisation_name: str = "", role: str = "") -> TafAttendee:
    _require(can(by, Action.CHANGE, meeting))
    if user is None and not name.strip():
        raise _field_error("name", _("Choose a Cymuned user or enter the person's name."), "name_required")
    if organisation is None and not organisation_name.strip() and user is None:
        raise _field_error("organisation_name", _("Choose the organisation or enter its name."), "organisation_required")
    if user is not None and meeting.attendees.filter(user=user).exists():
        raise _field_error("user", _("This person is already listed."), "duplicate_attendee")
    attendee = TafAttendee(meeting=meeting, user=user, name=name.strip() or (user.full_name if user else ""), organisation=organisation,
                           organisation_name=organisation_name.strip(), role=role.strip())
    attendee.full_clean()
    attendee.save()
    return attendee


@transaction.atomic
def action_agree(*, by: Any, meeting: TeamAroundFamilyMeeting, description: str, review_on: datetime.date, owner: User | None = None,
                 owner_name: str = "", organisation: Organisation | None = None) -> AgreedAction:
    _require(can(by, Action.CHANGE, meeting))
    if owner is None and not owner_name.strip():
        raise _field_error("owner_name", _("Choose who owns the action, or enter their name."), "owner_required")
    if review_on < meeting.held_on:
        raise _field_error("review_on", _("The review date cannot be before the meeting."), "review_before_meeting")
    action = AgreedAction(meeting=meeting, description=_text(description, "description", _("Describe the action.")), owner=owner,
                          owner_name=owner_name.strip(), organisation=organisation, review_on=review_on, created_by=by, modified_by=by)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_mark_done(*, by: Any, action: AgreedAction, done_on: datetime.date | None = None) -> AgreedAction:
    _require(can(by, Action.CHANGE, action))
    action = AgreedAction.objects.select_for_update().get(pk=action.pk)
    if action.done_on is not None:
        raise ValidationError(_("This action is already done."), code="already_done")
    action.done_on, action.modified_by = done_on or timezone.localdate(), by
    action.save(update_fields=["done_on", "modified_by", "modified_on"])
    return action
