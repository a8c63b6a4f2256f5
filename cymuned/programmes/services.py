"""Writes about programmes. Each checks the access layer and runs in one transaction.

Places are counted under a row lock on the programme, so two people signing up for the last place
at the same moment cannot both get it: the second joins the waiting list.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, can, can_create
from cymuned.access.principal import principal_for
from cymuned.core.services import email_send_after_commit
from cymuned.families.models import Learner
from cymuned.organisations.models import LocalAuthority, Organisation

from .models import (
    ACTIVE_STATUSES,
    Achievement,
    Attendance,
    AttendanceMark,
    ConfidenceResponse,
    Enrolment,
    EnrolmentSource,
    EnrolmentStatus,
    Programme,
    Session,
)
from .policies import RUNNER_ROLES

#: The most sessions one schedule request may create (a school year of weekly sessions).
MAX_SCHEDULED_SESSIONS = 52


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _field_error(field: str | None, message: str, code: str) -> ValidationError:
    if field is None:
        return ValidationError(message, code=code)
    return ValidationError({field: ValidationError(message, code=code)})


def lead_organisations_for(user: Any) -> list[Organisation]:
    """The organisations a user may set up programmes for: their LA, their schools, their partner."""
    principal = principal_for(user)
    ids = (
        set(principal.la_ids())
        | set(principal.school_ids(RUNNER_ROLES))
        | set(principal.organisation_ids(RUNNER_ROLES))
    )
    return list(Organisation.objects.filter(pk__in=ids).order_by("name_en"))


def _local_authority_of(organisation: Organisation) -> LocalAuthority:
    return LocalAuthority.objects.get(pk=organisation.local_authority_id_or_self)


@transaction.atomic
def programme_create(*, by: Any, data: dict[str, Any]) -> Programme:
    _require(can_create(by, Programme))
    lead = data["lead_organisation"]
    if lead.pk not in {o.pk for o in lead_organisations_for(by)}:
        raise _field_error("lead_organisation", _("Choose an organisation you work for."), "not_your_organisation")
    programme = Programme(created_by=by, modified_by=by, local_authority=_local_authority_of(lead), **data)
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def programme_update(*, by: Any, programme: Programme, data: dict[str, Any]) -> Programme:
    _require(can(by, Action.CHANGE, programme))
    lead = data.get("lead_organisation", programme.lead_organisation)
    if lead.pk != programme.lead_organisation_id and lead.pk not in {o.pk for o in lead_organisations_for(by)}:
        raise _field_error("lead_organisation", _("Choose an organisation you work for."), "not_your_organisation")
    capacity = data.get("capacity")
    if capacity is not None and capacity < places_taken(programme):
        raise _field_error(
            "capacity",
            _("%(taken)s places are already taken: the number of places cannot be lower than that.") % {"taken": places_taken(programme)},
            "capacity_below_enrolled",
        )
    for field, value in data.items():
        setattr(programme, field, value)
    programme.modified_by = by
    programme.full_clean()
    programme.save()
    _fill_from_waiting_list(programme)
    return programme


def places_taken(programme: Programme) -> int:
    return programme.enrolments.filter(status=EnrolmentStatus.ENROLLED).aggregate(n=Sum("places"))["n"] or 0


def places_left(programme: Programme) -> int | None:
    """Places still free, or None when the programme has no limit."""
    if programme.capacity is None:
        return None
    return max(programme.capacity - places_taken(programme), 0)


def _lock(programme: Programme) -> Programme:
    return Programme.objects.select_for_update().get(pk=programme.pk)


@transaction.atomic
def sessions_schedule(*, by: Any, programme: Programme, first_starts_at: datetime.datetime, duration_minutes: int, count: int,
                      every_days: int = 7) -> list[Session]:
    """Add ``count`` sessions, the first at ``first_starts_at`` and then every ``every_days`` days at the same local time."""
    _require(can(by, Action.CHANGE, programme))
    if not 1 <= count <= MAX_SCHEDULED_SESSIONS:
        raise _field_error("count", _("Add between 1 and %(max)s sessions at a time.") % {"max": MAX_SCHEDULED_SESSIONS}, "count_range")
    if not 5 <= duration_minutes <= 12 * 60:
        raise _field_error("duration_minutes", _("A session lasts between 5 minutes and 12 hours."), "duration_range")
    first_local = timezone.localtime(first_starts_at)
    if programme.ends_on and first_local.date() > programme.ends_on:
        raise _field_error("first_starts_at", _("The programme ends before this date."), "after_programme_end")
    sessions = []
    for n in range(count):
        day = first_local.date() + datetime.timedelta(days=n * every_days)
        if programme.ends_on and day > programme.ends_on:
            break
        starts = timezone.make_aware(datetime.datetime.combine(day, first_local.time().replace(tzinfo=None)))
        sessions.append(Session(programme=programme, starts_at=starts, ends_at=starts + datetime.timedelta(minutes=duration_minutes),
                                created_by=by, modified_by=by))
    return Session.objects.bulk_create(sessions)


@transaction.atomic
def session_cancel(*, by: Any, session: Session) -> Session:
    _require(can(by, Action.CHANGE, session))
    if session.attendances.exists():
        raise _field_error(None, _("This session has a register already, so it cannot be cancelled."), "has_register")
    session.cancelled = True
    session.modified_by = by
    session.save(update_fields=["cancelled", "modified_by", "modified_on"])
    return session


def _check_markable(session: Session) -> None:
    if session.cancelled:
        raise _field_error(None, _("This session was cancelled."), "session_cancelled")
    if not session.has_started:
        raise _field_error(None, _("This session has not started yet, so its register cannot be taken."), "session_not_started")


@transaction.atomic
def register_mark(*, by: Any, session: Session, enrolment: Enrolment, mark: str) -> Attendance:
    """Mark one person present, late or absent at a session."""
    _require(can(by, Action.CHANGE, session))
    _check_markable(session)
    if session.programme.counts_only:
        raise _field_error(None, _("This programme counts numbers, not names: record the quantities instead."), "counts_only")
    if enrolment.programme_id != session.programme_id or enrolment.status not in (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED):
        raise _field_error(None, _("This person is not enrolled on the programme."), "not_enrolled")
    if mark not in AttendanceMark.values:
        raise _field_error("mark", _("Choose present, late or absent."), "invalid_mark")
    attendance, _created = Attendance.objects.update_or_create(
        session=session, enrolment=enrolment, defaults={"mark": mark, "marked_by": by}
    )
    return attendance


@transaction.atomic
def session_record_quantities(*, by: Any, session: Session, meals_served: int | None, parcels_given: int | None,
                              people_fed: int | None, notes: str = "") -> Session:
    """Food provision and drop-ins: how much was given and to how many, with no names."""
    _require(can(by, Action.CHANGE, session))
    _check_markable(session)
    if meals_served is None and parcels_given is None and people_fed is None:
        raise _field_error(None, _("Enter at least one number: meals served, parcels or items given, or people fed or helped."),
                           "no_quantities")
    session.meals_served, session.parcels_given, session.people_fed = meals_served, parcels_given, people_fed
    session.notes = notes.strip()
    session.modified_by = by
    session.full_clean()
    session.save()
    return session


def _status_for_new(programme: Programme, places: int) -> str:
    left = places_left(programme)
    return EnrolmentStatus.ENROLLED if left is None or left >= places else EnrolmentStatus.WAITING


def _check_open_for_enrolment(programme: Programme) -> None:
    if programme.ends_on and programme.ends_on < timezone.localdate():
        raise _field_error(None, _("This programme has finished."), "programme_finished")


@transaction.atomic
def enrolment_add(*, by: Any, programme: Programme, learner: Learner | None = None, participant_name: str = "", telephone: str = "", email: str = "", places: int = 1,
                  waiting_list_if_full: bool = False) -> Enrolment:
    """Staff enrol a learner or a named person. Past capacity is refused unless they choose the waiting list."""
    _require(can(by, Action.CHANGE, programme))
    if learner is not None:
        _require(can(by, Action.VIEW, learner))
    if learner is None and not participant_name.strip():
        raise _field_error(None, _("Choose a learner or enter the name of the person taking part."), "nobody")
    programme = _lock(programme)
    _check_open_for_enrolment(programme)
    if learner is not None and programme.enrolments.active().filter(learner=learner).exists():
        raise _field_error("learner", _("%(name)s is already on this programme or its waiting list.") % {"name": learner.full_name},
                           "already_enrolled")
    status = _status_for_new(programme, places)
    if status == EnrolmentStatus.WAITING and not waiting_list_if_full:
        raise _field_error(
            None,
            _("The programme is full (%(taken)s of %(capacity)s places taken). Choose to add them to the waiting list instead.")
            % {"taken": places_taken(programme), "capacity": programme.capacity},
            "programme_full",
        )
    enrolment = Enrolment(
        programme=programme, learner=learner, household=learner.household if learner else None,
        school=learner.school if learner else None, participant_name=participant_name.strip(), telephone=telephone.strip(),
        email=email.strip(), places=places, status=status, source=EnrolmentSource.STAFF, created_by=by, modified_by=by,
    )
    enrolment.full_clean()
    enrolment.save()
    return enrolment


@transaction.atomic
def enrolment_sign_up_public(*, programme: Programme, data: dict[str, Any], language: str) -> Enrolment:
    """A member of the public signs up on the public page: a place if one is free, else the waiting list.

    A confirmation email goes out, in the language they used, once the sign-up is saved.
    """
    programme = _lock(programme)
    if not (programme.is_published and programme.public_sign_up):
        raise _field_error(None, _("This programme does not take sign-ups online. Contact the organiser instead."), "no_public_sign_up")
    _check_open_for_enrolment(programme)
    email = data.get("email", "").strip()
    if email and programme.enrolments.active().filter(email__iexact=email, participant_name__iexact=data["participant_name"].strip()).exists():
        raise _field_error("email", _("You have already signed up for this programme with this email address."), "already_signed_up")
    places = data.get("places", 1)
    enrolment = Enrolment(
        programme=programme, participant_name=data["participant_name"].strip(), email=email,
        telephone=data.get("telephone", "").strip(), postcode=data.get("postcode", "").strip().upper(),
        school=data.get("school"), access_needs=data.get("access_needs", "").strip(), places=places,
        preferred_language="cy" if language.startswith("cy") else "en",
        status=_status_for_new(programme, places), source=EnrolmentSource.PUBLIC,
    )
    enrolment.full_clean()
    enrolment.save()
    if enrolment.email:
        _send_confirmation(enrolment)
    return enrolment


def waiting_position(enrolment: Enrolment) -> int | None:
    if enrolment.status != EnrolmentStatus.WAITING:
        return None
    ahead = enrolment.programme.enrolments.filter(status=EnrolmentStatus.WAITING, created_on__lt=enrolment.created_on).count()
    return ahead + 1


def _send_confirmation(enrolment: Enrolment) -> None:
    """Email the person in their language; sent after commit, so a failed save sends nothing."""
    with translation.override(enrolment.preferred_language):
        context = {
            "enrolment": enrolment, "programme": enrolment.programme, "position": waiting_position(enrolment),
            "sessions": list(enrolment.programme.sessions.upcoming()[:5]),
            "url": settings.CYMUNED_BASE_URL + reverse("programmes:public-detail", args=[enrolment.programme_id]),
        }
        if enrolment.status == EnrolmentStatus.WAITING:
            subject = _("You are on the waiting list: %(title)s") % {"title": enrolment.programme.title}
        else:
            subject = _("Your place is booked: %(title)s") % {"title": enrolment.programme.title}
        body = render_to_string("programmes/email/confirmation.txt", context)
    Enrolment.objects.filter(pk=enrolment.pk).update(confirmation_sent_on=timezone.now())
    email_send_after_commit(subject=subject, body=body, to=[enrolment.email])


def _fill_from_waiting_list(programme: Programme) -> list[Enrolment]:
    """Give free places to the waiting list, first come first served, telling each person by email."""
    promoted = []
    for enrolment in programme.enrolments.waiting().select_related("programme"):
        left = places_left(programme)
        if left is not None and left < enrolment.places:
            break
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.save(update_fields=["status", "modified_on"])
        if enrolment.email:
            _send_confirmation(enrolment)
        promoted.append(enrolment)
    return promoted


@transaction.atomic
def enrolment_withdraw(*, by: Any, enrolment: Enrolment, on: datetime.date | None = None) -> list[Enrolment]:
    """Withdraw someone; a place freed goes to the waiting list. Returns who was given a place."""
    _require(can(by, Action.CHANGE, enrolment))
    if enrolment.status not in ACTIVE_STATUSES:
        raise _field_error(None, _("This enrolment has already ended."), "already_ended")
    _lock(enrolment.programme)
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_on = on or timezone.localdate()
    enrolment.modified_by = by
    enrolment.save(update_fields=["status", "withdrawn_on", "modified_by", "modified_on"])
    return _fill_from_waiting_list(enrolment.programme)


@transaction.atomic
def enrolment_complete(*, by: Any, enrolment: Enrolment) -> Enrolment:
    _require(can(by, Action.CHANGE, enrolment))
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise _field_error(None, _("Only someone with a place can complete the programme."), "not_enrolled")
    enrolment.status = EnrolmentStatus.COMPLETED
    enrolment.modified_by = by
    enrolment.save(update_fields=["status", "modified_by", "modified_on"])
    return enrolment


@transaction.atomic
def achievement_record(*, by: Any, enrolment: Enrolment, data: dict[str, Any]) -> Achievement:
    _require(can(by, Action.CHANGE, enrolment))
    if data["awarded_on"] > timezone.localdate():
        raise _field_error("awarded_on", _("The date awarded cannot be in the future."), "future_award")
    if enrolment.status == EnrolmentStatus.WAITING:
        raise _field_error(None, _("Someone on the waiting list has not taken part yet."), "waiting")
    achievement = Achievement(enrolment=enrolment, created_by=by, modified_by=by, **data)
    achievement.full_clean()
    achievement.save()
    return achievement


@transaction.atomic
def confidence_record(*, by: Any, enrolment: Enrolment, stage: str, data: dict[str, Any]) -> ConfidenceResponse:
    """Record (or correct) the before or after questionnaire."""
    _require(can(by, Action.CHANGE, enrolment))
    if data["answered_on"] > timezone.localdate():
        raise _field_error("answered_on", _("The date answered cannot be in the future."), "future_answer")
    response = enrolment.confidence_responses.filter(stage=stage).first() or ConfidenceResponse(
        enrolment=enrolment, stage=stage, created_by=by
    )
    for field, value in data.items():
        setattr(response, field, value)
    response.modified_by = by
    response.full_clean()
    response.save()
    return response
