"""Writes about premises and bookings. Each checks the access layer and runs in one transaction.

A request locks its space's row while it checks for conflicts and writes its occurrences, so requests
for one space are decided one after the other; on PostgreSQL the exclusion constraint backs this up.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, can, can_create
from cymuned.accounts.models import Membership, User
from cymuned.core.services import notify
from cymuned.organisations.models import LocalAuthority, School

from .availability import MAX_OCCURRENCES, Conflict, Slot, conflicts, expand
from .models import HIRER_TIERS, Booking, BookingSeries, Hirer, HirerKind, RateCard, SeriesStatus, Space, Tier
from .policies import MANAGER_ROLES


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _error(field: str | None, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)}) if field else ValidationError(message, code=code)


@transaction.atomic
def hirer_register(*, email: str, full_name: str, password: str, local_authority: LocalAuthority, kind: str, organisation_name: str = "",
                   telephone: str = "", address: str = "", preferred_language: str = "en") -> Hirer:
    """A member of the public or a group opens an account to hire school spaces."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise _error("email", _("An account already uses this email address. Sign in, or reset your password."), "email_taken")
    if kind == HirerKind.CFS_PROGRAMME:
        raise _error("kind", _("School programmes are set up by the school, not by registering."), "cfs_by_school")
    user = User.objects.create_user(email=email, password=password, full_name=full_name.strip())
    user.preferred_language = preferred_language
    user.save(update_fields=["preferred_language"])
    hirer = Hirer(user=user, local_authority=local_authority, kind=kind, organisation_name=organisation_name.strip(),
                  telephone=telephone.strip(), address=address.strip(), created_by=user, modified_by=user)
    hirer.full_clean()
    hirer.save()
    return hirer


@transaction.atomic
def hirer_update(*, by: Any, hirer: Hirer, data: dict[str, Any]) -> Hirer:
    _require(can(by, Action.CHANGE, hirer))
    expires = data.get("insurance_expires_on")
    if data.get("insurance_certificate") and not expires:
        raise _error("insurance_expires_on", _("Enter the date the insurance expires."), "expiry_needed")
    for field, value in data.items():
        if field == "insurance_certificate" and not value:
            continue  # no new file: keep the one held
        setattr(hirer, field, value)
    if data.get("insurance_expires_on") != hirer.insurance_expires_on:
        hirer.insurance_reminder_sent_on = None
    hirer.modified_by = by
    hirer.full_clean()
    hirer.save()
    return hirer


def tier_for(hirer: Hirer) -> str:
    return HIRER_TIERS.get(hirer.kind, Tier.COMMUNITY)


def _check_hirer(hirer: Hirer, slots: list[Slot], involves_children: bool) -> None:
    if hirer.kind != HirerKind.CFS_PROGRAMME:
        last_day = max(s.local_day for s in slots)
        if hirer.insurance_expires_on is None:
            raise _error(None, _("Add your public liability insurance (insurer and expiry date) to your account before booking."),
                         "no_insurance")
        if hirer.insurance_expires_on < last_day:
            raise _error(None, _("Your public liability insurance expires on %(date)s, before the last date you asked for. Update it first.")
                         % {"date": hirer.insurance_expires_on.strftime("%d/%m/%Y")}, "insurance_expires")
    if involves_children and hirer.safeguarding_declared_on is None:
        raise _error("involves_children", _("Activities with children need the safeguarding declaration on your account first."),
                     "no_safeguarding")


def _conflict_error(found: list[Conflict]) -> ValidationError:
    return ValidationError([ValidationError(str(c), code="conflict") for c in found])


def _managers_of(school: School) -> list[User]:
    return list(User.objects.filter(
        memberships__in=Membership.objects.filter(role__in=MANAGER_ROLES, is_active=True, organisation=school)
    ).distinct())


@transaction.atomic
def booking_request(*, by: Any, space: Space, activity: str, expected_people: int, first_day: datetime.date, starts: datetime.time,
                    ends: datetime.time, weekly_until: datetime.date | None = None, skip: list[datetime.date] | None = None,
                    involves_children: bool = False, terms_accepted: bool = False) -> BookingSeries:
    """A hirer asks for a space once or weekly. Every conflict is named by date; nothing is written unless all dates are free."""
    hirer = Hirer.objects.filter(user_id=getattr(by, "pk", None)).first()
    _require(hirer is not None and can(by, Action.VIEW, space))
    assert hirer is not None
    if not space.is_public and hirer.kind != HirerKind.CFS_PROGRAMME:
        raise _error(None, _("This space is not open to public hire."), "not_public")
    if not terms_accepted:
        raise _error("terms_accepted", _("Accept the terms and conditions of hire."), "terms")
    if ends <= starts:
        raise _error("ends", _("The end time must be after the start time."), "ends_before_start")
    if expected_people > space.capacity:
        raise _error("expected_people", _("The space holds at most %(capacity)s people.") % {"capacity": space.capacity}, "over_capacity")
    if weekly_until is not None and weekly_until < first_day:
        raise _error("weekly_until", _("The last date must be on or after the first date."), "until_before_first")
    slots = expand(first_day=first_day, starts=starts, ends=ends, weekly_until=weekly_until, skip=skip or [])
    if not slots:
        raise _error(None, _("Every date of the series was left out: choose at least one date."), "no_dates")
    if len(slots) > MAX_OCCURRENCES:
        raise _error("weekly_until", _("A request can hold at most %(max)s dates; make a second request for the rest.")
                     % {"max": MAX_OCCURRENCES}, "too_many")
    tier = tier_for(hirer)
    rate = RateCard.objects.filter(space=space, tier=tier).first()
    minutes = (slots[0].ends_at - slots[0].starts_at).total_seconds() / 60
    if rate is not None and minutes < rate.minimum_minutes:
        raise _error("ends", _("This space is hired for at least %(minutes)s minutes.") % {"minutes": rate.minimum_minutes}, "too_short")
    _check_hirer(hirer, slots, involves_children)
    Space.objects.select_for_update().filter(pk=space.pk).first()  # requests for one space queue here
    found = conflicts(space=space, slots=slots)
    if found:
        raise _conflict_error(found)
    series = BookingSeries(
        reference=BookingSeries.new_reference(), space=space, hirer=hirer, activity=activity.strip(), expected_people=expected_people,
        involves_children=involves_children, tier=tier, terms_accepted_on=timezone.now(), created_by=by, modified_by=by,
    )
    series.full_clean()
    series.save()
    try:
        with transaction.atomic():
            Booking.objects.bulk_create([Booking(series=series, space=space, starts_at=s.starts_at, ends_at=s.ends_at) for s in slots])
    except IntegrityError:
        raise _error(None, _("Someone booked one of these times a moment ago. Choose another time."), "taken") from None
    for manager in _managers_of(space.school):
        notify(user=manager, message=lambda: _("New booking request %(ref)s for %(space)s: %(activity)s")
               % {"ref": series.reference, "space": space.name, "activity": series.activity},
               url=f"/premises/requests/{series.pk}/", email_subject=lambda: _("New booking request %(ref)s") % {"ref": series.reference})
    return series


def _set_status(series: BookingSeries, status: str, *, by: Any, reason: str = "") -> None:
    series.status = status
    series.decided_by = by
    series.decided_on = timezone.now()
    series.decision_reason = reason.strip()
    series.modified_by = by
    series.save()
    series.bookings.exclude(status=SeriesStatus.CANCELLED).update(status=status)


def _tell_hirer(series: BookingSeries, message: Any, subject: Any) -> None:
    notify(user=series.hirer.user, message=message, url=f"/premises/my-bookings/{series.pk}/", email_subject=subject)


def _require_pending(series: BookingSeries) -> None:
    if series.status != SeriesStatus.REQUESTED:
        raise _error(None, _("This request has already been decided."), "decided")


@transaction.atomic
def booking_approve(*, by: Any, series: BookingSeries) -> BookingSeries:
    _require(can(by, Action.CHANGE, series))
    series = BookingSeries.objects.select_for_update().get(pk=series.pk)
    _require_pending(series)
    _set_status(series, SeriesStatus.APPROVED, by=by)
    from .invoicing import invoice_issue

    invoice_issue(by=by, series=series)  # nothing is issued for a free (CFS) booking
    _tell_hirer(series, lambda: _("Your booking %(ref)s (%(activity)s) is approved.") % {"ref": series.reference, "activity": series.activity},
                lambda: _("Booking approved: %(ref)s") % {"ref": series.reference})
    return series


@transaction.atomic
def booking_decline(*, by: Any, series: BookingSeries, reason: str) -> BookingSeries:
    _require(can(by, Action.CHANGE, series))
    if not reason.strip():
        raise _error("reason", _("Give the reason, so the hirer knows why."), "reason_needed")
    series = BookingSeries.objects.select_for_update().get(pk=series.pk)
    _require_pending(series)
    _set_status(series, SeriesStatus.DECLINED, by=by, reason=reason)
    _tell_hirer(series, lambda: _("Your booking request %(ref)s was declined: %(reason)s") % {"ref": series.reference, "reason": series.decision_reason},
                lambda: _("Booking request declined: %(ref)s") % {"ref": series.reference})
    return series


@transaction.atomic
def booking_offer_alternative(*, by: Any, series: BookingSeries, alternative: str) -> BookingSeries:
    """Decline the times asked for and offer others; the hirer makes a new request for them."""
    _require(can(by, Action.CHANGE, series))
    if not alternative.strip():
        raise _error("alternative", _("Say which other time you can offer."), "alternative_needed")
    series = BookingSeries.objects.select_for_update().get(pk=series.pk)
    _require_pending(series)
    series.alternative = alternative.strip()
    _set_status(series, SeriesStatus.ALTERNATIVE, by=by)
    _tell_hirer(series, lambda: _("For %(ref)s the school offers another time: %(alternative)s") % {"ref": series.reference, "alternative": series.alternative},
                lambda: _("Another time offered: %(ref)s") % {"ref": series.reference})
    return series


def can_cancel(user: Any, series: BookingSeries) -> bool:
    return series.hirer.user_id == getattr(user, "pk", None) or can(user, Action.CHANGE, series)


@transaction.atomic
def booking_cancel(*, by: Any, series: BookingSeries, only: Booking | None = None, reason: str = "") -> list[Booking]:
    """Cancel the whole series (its future dates) or one date of it, by the hirer or the school. Returns what was cancelled.

    Cancelled dates of an approved, invoiced booking are credited by a credit note, except that dates the hirer
    cancels less than 48 hours before they start stay chargeable (the hirer is told so).
    """
    _require(can(by, Action.VIEW, series) and can_cancel(by, series))
    if series.status not in (SeriesStatus.REQUESTED, SeriesStatus.APPROVED):
        raise _error(None, _("Only a request waiting for approval or an approved booking can be cancelled."), "not_cancellable")
    now = timezone.now()
    future = series.bookings.filter(starts_at__gt=now).exclude(status=SeriesStatus.CANCELLED)
    if only is not None:
        if only.series_id != series.pk:
            raise PermissionDenied
        if only.starts_at <= now:
            raise _error(None, _("A date that has started or passed cannot be cancelled."), "past")
        future = future.filter(pk=only.pk)
    cancelled = list(future)
    if not cancelled:
        raise _error(None, _("There is no future date left to cancel."), "nothing_left")
    future.update(status=SeriesStatus.CANCELLED)
    from .invoicing import settle_cancellation

    settle_cancellation(by=by, series=series, bookings=cancelled, was_approved=series.status == SeriesStatus.APPROVED)
    by_hirer = series.hirer.user_id == getattr(by, "pk", None)
    if only is None or not series.bookings.exclude(status=SeriesStatus.CANCELLED).filter(starts_at__gt=now).exists():
        if not series.bookings.exclude(status=SeriesStatus.CANCELLED).exists():
            series.status = SeriesStatus.CANCELLED
        series.cancelled_by_hirer = by_hirer
        series.decision_reason = reason.strip() or series.decision_reason
        series.modified_by = by
        series.save()
    if by_hirer:
        for manager in _managers_of(series.space.school):
            notify(user=manager, message=lambda: _("%(hirer)s cancelled %(count)s date(s) of %(ref)s.")
                   % {"hirer": series.hirer, "count": len(cancelled), "ref": series.reference}, url=f"/premises/requests/{series.pk}/")
    else:
        _tell_hirer(series, lambda: _("The school cancelled %(count)s date(s) of your booking %(ref)s. %(reason)s")
                    % {"count": len(cancelled), "ref": series.reference, "reason": reason},
                    lambda: _("Booking cancelled: %(ref)s") % {"ref": series.reference})
    return cancelled


@transaction.atomic
def space_save(*, by: Any, school: School, data: dict[str, Any], space: Space | None = None) -> Space:
    if space is None:
        _require(can_create(by, Space, parent=school))
        space = Space(school=school, created_by=by)
    else:
        _require(can(by, Action.CHANGE, space))
    for field, value in data.items():
        setattr(space, field, value)
    space.modified_by = by
    space.full_clean()
    space.save()
    return space


def managed_schools(user: Any) -> Any:
    from cymuned.access.principal import principal_for

    from .policies import managed_schools_q

    return School.objects.filter(managed_schools_q(principal_for(user), "")).order_by("name_en")



@transaction.atomic
def insurance_reminders_send(*, within_days: int = 30, today: datetime.date | None = None) -> int:
    """Remind each hirer once per expiry date whose insurance ends within ``within_days`` and who has bookings after it."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    due = (
        Hirer.objects.filter(insurance_expires_on__gte=today, insurance_expires_on__lte=horizon, insurance_reminder_sent_on__isnull=True)
        .exclude(kind=HirerKind.CFS_PROGRAMME).select_related("user")
    )
    sent = 0
    for hirer in due:
        if not Booking.objects.holding().filter(series__hirer=hirer, starts_at__date__gt=hirer.insurance_expires_on).exists():
            continue
        expires = hirer.insurance_expires_on
        notify(user=hirer.user, url="/premises/account/",
               message=lambda expires=expires: _("Your public liability insurance expires on %(date)s, before some of your bookings. "
                                                 "Upload the new certificate to keep them.") % {"date": expires.strftime("%d/%m/%Y")},
               email_subject=lambda: _("Your insurance expires soon"))
        hirer.insurance_reminder_sent_on = today
        hirer.save(update_fields=["insurance_reminder_sent_on"])
        sent += 1
    return sent
