"""Writes about families and casework. Each checks the access layer and runs in one transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cymuned.access.fields import without_hidden
from cymuned.access.policy import Action, can, can_create
from cymuned.access.principal import principal_for
from cymuned.accounts.models import User
from cymuned.accounts.roles import Role
from cymuned.organisations.models import School

from .models import Carer, Consent, ConsentPurpose, Contact, Episode, EpisodeOutcome, EpisodeReason, Household, Learner


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _field_error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


@transaction.atomic
def household_create_for_learner(*, by: Any, learner: Learner, data: dict[str, str]) -> Household:
    """Record the household a learner lives in (their siblings can then be linked to it)."""
    _require(can(by, Action.CHANGE, learner) and can_create(by, Household))
    if learner.household_id:
        raise _field_error("reference", _("This learner already has a household."), "has_household")
    data = without_hidden(by, Household, data)
    household = Household(created_by=by, modified_by=by, **{k: v.strip() for k, v in data.items()})
    household.full_clean()
    household.save()
    learner.household = household
    learner.save(update_fields=["household", "modified_on"])
    return household


def normalise_upn(upn: str) -> str:
    """Unique pupil numbers are stored in capitals with no spaces, however they were typed."""
    return "".join(upn.split()).upper()


#: The learner fields a school records; the household is linked separately.
LEARNER_FIELDS = ("upn", "given_name", "family_name", "date_of_birth", "year_group", "efsm", "additional_learning_needs", "aln_detail", "looked_after",
                  "young_carer", "english_additional_language", "welsh_additional_language")


def _duplicate_upn(by: Any, other: Learner) -> ValidationError:
    if can(by, Action.VIEW, other):
        message = _("%(name)s at %(school)s already has this unique pupil number. Check the number, or open their record instead.") % {
            "name": other.full_name, "school": other.school.name}
        return _field_error("upn", message, "duplicate_upn")
    # Not the user's to see: say the number is taken, never where.
    return _field_error(
        "upn",
        _("This unique pupil number is already recorded for a learner at a school you do not work with. Check the number. "
          "If it is right, the learner may have moved school: ask the local authority to move their record."),
        "duplicate_upn_elsewhere",
    )


@transaction.atomic
def learner_create(*, by: Any, school: School, data: dict[str, Any]) -> Learner:
    """Add a learner to a school's roll. The UPN is normalised and must be new across Cymuned."""
    _require(can_create(by, Learner, parent=school))
    values = without_hidden(by, Learner, {name: data[name] for name in LEARNER_FIELDS if name in data})
    values["upn"] = normalise_upn(str(values.get("upn", "")))
    for name in ("given_name", "family_name"):
        values[name] = str(values.get(name, "")).strip()
    existing = Learner.objects.select_related("school").filter(upn=values["upn"]).first()
    if existing is not None:
        raise _duplicate_upn(by, existing)
    birth = values.get("date_of_birth")
    if birth and birth > timezone.localdate():
        raise _field_error("date_of_birth", _("The date of birth must be in the past."), "future_birth")
    learner = Learner(school=school, created_by=by, modified_by=by, **values)
    learner.full_clean()
    try:
        with transaction.atomic():
            learner.save()
    except IntegrityError:  # recorded by someone else a moment ago
        raise _duplicate_upn(by, Learner.objects.select_related("school").get(upn=values["upn"]))
    return learner


def household_link_check(*, household: Household, learner: Learner) -> None:
    """Raise the reason a learner cannot be linked to this household, if there is one."""
    if learner.household_id == household.pk:
        raise _field_error("upn", _("%(name)s is already linked to this family.") % {"name": learner.full_name}, "already_linked")
    if learner.household_id is not None:
        raise _field_error("upn", _("%(name)s is already linked to another family. A learner can be linked to one family only.")
                           % {"name": learner.full_name}, "other_household")


@transaction.atomic
def household_link_learner(*, by: Any, household: Household, learner: Learner) -> Learner:
    """Link a learner (a brother or sister) to a household. A learner already in another household is not moved."""
    _require(can(by, Action.CHANGE, household) and can(by, Action.VIEW, learner))
    household_link_check(household=household, learner=learner)
    learner.household = household
    learner.modified_by = by
    learner.save(update_fields=["household", "modified_by", "modified_on"])
    return learner


@transaction.atomic
def carer_add(*, by: Any, household: Household, data: dict[str, Any]) -> Carer:
    _require(can(by, Action.CHANGE, household))
    carer = Carer(household=household, created_by=by, modified_by=by, **data)
    carer.full_clean()
    if carer.is_main_contact:
        household.carers.update(is_main_contact=False)
    carer.save()
    return carer


@transaction.atomic
def consent_record(*, by: Any, household: Household, purpose: str, given_by: Carer, method: str, given_on: datetime.date,
                   evidence: str = "") -> Consent:
    _require(can(by, Action.CHANGE, household))
    if given_by.household_id != household.pk:
        raise _field_error("given_by", _("Choose a parent or carer of this household."), "carer_other_household")
    if not given_by.parental_responsibility:
        raise _field_error("given_by", _("Consent must come from someone with parental responsibility."), "no_parental_responsibility")
    if given_on > timezone.localdate():
        raise _field_error("given_on", _("The date consent was given cannot be in the future."), "future_consent")
    if household.consents.in_force().filter(purpose=purpose).exists():
        raise _field_error("purpose", _("Consent for this purpose is already in force."), "duplicate_consent")
    consent = Consent(household=household, purpose=purpose, given_by=given_by, method=method, given_on=given_on,
                      evidence=evidence.strip(), created_by=by, modified_by=by)
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, by: Any, consent: Consent, withdrawn_on: datetime.date, reason: str) -> Consent:
    _require(can(by, Action.CHANGE, consent))
    if consent.withdrawn_on is not None:
        raise _field_error("withdrawn_on", _("This consent has already been withdrawn."), "already_withdrawn")
    if withdrawn_on < consent.given_on or withdrawn_on > timezone.localdate():
        raise _field_error("withdrawn_on", _("The date must be between the day consent was given and today."), "withdrawal_date")
    consent.withdrawn_on = withdrawn_on
    consent.withdrawal_reason = reason.strip()
    consent.modified_by = by
    consent.save(update_fields=["withdrawn_on", "withdrawal_reason", "modified_by", "modified_on"])
    return consent


def consent_in_force(*, household: Household, purpose: str, on: datetime.date | None = None) -> bool:
    return household.consents.in_force(on).filter(purpose=purpose).exists()


def _check_officer(school: School, officer: User) -> None:
    if school.pk not in principal_for(officer).school_ids([Role.FEO]):
        raise _field_error("officer", _("The officer must be a Family Engagement Officer for this school."), "not_feo_for_school")


@transaction.atomic
def episode_open(*, by: Any, household: Household, school: School, officer: User, reasons: list[str], goals: str,
                 opened_on: datetime.date) -> Episode:
    _require(can(by, Action.VIEW, household) and can_create(by, Episode, parent=school))
    if not consent_in_force(household=household, purpose=ConsentPurpose.FEO_CONTACT, on=opened_on):
        raise _field_error(
            "household", _("The family has not consented to contact by the Family Engagement Officer. Record their consent first."),
            "no_consent",
        )
    if not reasons or any(r not in EpisodeReason.values for r in reasons):
        raise _field_error("reasons", _("Choose at least one reason from the list."), "reasons_required")
    if opened_on > timezone.localdate():
        raise _field_error("opened_on", _("The opening date cannot be in the future."), "future_date")
    _check_officer(school, officer)
    if household.episodes.open().filter(school=school).exists():
        raise _field_error("household", _("This family already has an open episode at this school."), "episode_open")
    episode = Episode(household=household, school=school, officer=officer, reasons=reasons, goals=goals.strip(),
                      opened_on=opened_on, created_by=by, modified_by=by)
    episode.full_clean()
    episode.save()
    return episode


def _check_open(episode: Episode) -> None:
    if episode.closed_on is not None:
        raise ValidationError(_("This episode is closed."), code="episode_closed")


@transaction.atomic
def contact_log(*, by: Any, episode: Episode, data: dict[str, Any]) -> Contact:
    _require(can(by, Action.CHANGE, episode))
    _check_open(episode)
    happened_on = data["happened_on"]
    if happened_on > timezone.localdate():
        raise _field_error("happened_on", _("A contact cannot be in the future."), "future_contact")
    if happened_on < episode.opened_on:
        raise _field_error("happened_on", _("A contact cannot be before the episode was opened."), "before_opening")
    due = data.get("next_step_due")
    if due and due < happened_on:
        raise _field_error("next_step_due", _("Next steps cannot be due before the contact."), "due_before_contact")
    if not consent_in_force(household=episode.household, purpose=ConsentPurpose.FEO_CONTACT, on=happened_on):
        raise _field_error("happened_on", _("The family had withdrawn consent to contact on that date."), "no_consent")
    contact = Contact(episode=episode, created_by=by, modified_by=by, **data)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def episode_close(*, by: Any, episode: Episode, closed_on: datetime.date, outcome: str, notes: str) -> Episode:
    _require(can(by, Action.CHANGE, episode))
    _check_open(episode)
    if outcome not in EpisodeOutcome.values:
        raise _field_error("outcome", _("Choose the outcome."), "outcome_required")
    if closed_on < episode.opened_on or closed_on > timezone.localdate():
        raise _field_error("closed_on", _("The closing date must be between the opening date and today."), "closing_date")
    episode.closed_on, episode.outcome, episode.outcome_notes = closed_on, outcome, notes.strip()
    episode.modified_by = by
    episode.save(update_fields=["closed_on", "outcome", "outcome_notes", "modified_by", "modified_on"])
    return episode


@transaction.atomic
def episode_reassign(*, by: Any, episode: Episode, officer: User) -> Episode:
    """Hand an episode to another FEO of the school: the head, the community school manager or the officer may."""
    _require(can(by, Action.CHANGE, episode))
    _check_open(episode)
    _check_officer(episode.school, officer)
    episode.officer = officer
    episode.modified_by = by
    episode.save(update_fields=["officer", "modified_by", "modified_on"])
    return episode
