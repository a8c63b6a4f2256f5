"""Writes of the lettings managers: spaces, when they open, caretaker cover, closures, prices, costs, term dates
and capital projects.

Each function checks the access layer, runs in one transaction, and answers bad input with a ValidationError
naming the field and carrying a code (closing before opening, overlapping windows, overlapping terms, ...), so
nothing is half-written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, can
from cymuned.access.principal import principal_for
from cymuned.accounts.roles import Role
from cymuned.organisations.models import LocalAuthority, School

from . import services
from .models import (
    Block,
    CapitalProject,
    CaretakerCover,
    CostSettings,
    OpeningWindow,
    RateCard,
    Space,
    TermDate,
    _WeeklyWindow,
)
from .policies import managed_schools_q

#: Largest photo of a space accepted, and the kinds of image.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = (b"\xff\xd8\xff", b"\x89PNG", b"RIFF")


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _error(field: str | None, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)}) if field else ValidationError(message, code=code)


def manages_school(user: Any, school: School) -> bool:
    """Whether the user manages this school's lettings (its headteacher or CSM, or a lead or officer of its LA)."""
    return School.objects.filter(managed_schools_q(principal_for(user), ""), pk=school.pk).exists()


def term_authorities(user: Any) -> Any:
    """The local authorities whose term dates the user keeps (LA lead or officer)."""
    return LocalAuthority.objects.filter(pk__in=principal_for(user).la_ids([Role.LA_LEAD, Role.LA_OFFICER])).order_by("name_en")


# Spaces ------------------------------------------------------------------------------------------------------------------------------

@transaction.atomic
def space_write(*, by: Any, school: School, data: dict[str, Any], space: Space | None = None) -> Space:
    """Add or change a space. A photo needs a description in both languages for people who cannot see it."""
    data = dict(data)
    photo = data.pop("photo", None)
    if photo is False:  # "clear" ticked on the file input
        data["photo"] = ""
        data["photo_alt_en"] = data["photo_alt_cy"] = ""
    elif photo:
        if photo.size > MAX_PHOTO_BYTES:
            raise _error("photo", _("The photo must be smaller than 5 MB."), "photo_too_big")
        head = photo.read(12)
        photo.seek(0)
        if not any(head.startswith(magic) for magic in PHOTO_TYPES):
            raise _error("photo", _("The photo must be a JPG, PNG or WebP image."), "photo_type")
        data["photo"] = photo
    has_photo = bool(data.get("photo")) or (photo is None and space is not None and bool(space.photo))
    if has_photo:
        for field in ("photo_alt_en", "photo_alt_cy"):
            if not (data.get(field) or "").strip():
                raise _error(field, _("Describe the photo for people who cannot see it, in English and in Welsh."), "photo_alt_needed")
    return services.space_save(by=by, school=school, data=data, space=space)


# Weekly windows (opening hours of a space, caretaker cover of a school) ------------------------------------------------------------

def _check_window(model: type[_WeeklyWindow], existing: Any, *, weekday: int, season: str, opens_at: datetime.time,
                  closes_at: datetime.time) -> None:
    if closes_at <= opens_at:
        raise _error("closes_at", _("The closing time must be after the opening time."), "closes_before_opens")
    clash = existing.filter(weekday=weekday, season=season, opens_at__lt=closes_at, closes_at__gt=opens_at).first()
    if clash is not None:
        raise _error("opens_at", _("This overlaps %(day)s %(opens)s–%(closes)s (%(season)s). Change that one instead.") % {
            "day": clash.get_weekday_display(), "opens": time_format(clash.opens_at, "H:i"), "closes": time_format(clash.closes_at, "H:i"),
            "season": clash.get_season_display()}, "overlap")


@transaction.atomic
def opening_window_add(*, by: Any, space: Space, weekday: int, season: str, opens_at: datetime.time, closes_at: datetime.time) -> OpeningWindow:
    """Open a space to hire every week on one day, in term time or in the holidays."""
    _require(can(by, Action.CHANGE, space))
    Space.objects.select_for_update().filter(pk=space.pk).first()  # two managers adding windows at once queue here
    _check_window(OpeningWindow, OpeningWindow.objects.filter(space=space), weekday=weekday, season=season, opens_at=opens_at,
                  closes_at=closes_at)
    window = OpeningWindow(space=space, weekday=weekday, season=season, opens_at=opens_at, closes_at=closes_at)
    window.full_clean()
    window.save()
    return window


@transaction.atomic
def opening_window_remove(*, by: Any, window: OpeningWindow) -> None:
    """Bookings already made stay; new requests can no longer use the window."""
    _require(can(by, Action.CHANGE, window))
    window.delete()


@transaction.atomic
def caretaker_cover_add(*, by: Any, school: School, weekday: int, season: str, opens_at: datetime.time,
                        closes_at: datetime.time) -> CaretakerCover:
    _require(manages_school(by, school))
    School.objects.select_for_update().filter(pk=school.pk).first()
    _check_window(CaretakerCover, CaretakerCover.objects.filter(school=school), weekday=weekday, season=season, opens_at=opens_at,
                  closes_at=closes_at)
    cover = CaretakerCover(school=school, weekday=weekday, season=season, opens_at=opens_at, closes_at=closes_at)
    cover.full_clean()
    cover.save()
    return cover


@transaction.atomic
def caretaker_cover_remove(*, by: Any, cover: CaretakerCover) -> None:
    _require(can(by, Action.CHANGE, cover))
    cover.delete()


# Blocks: school use and closures -----------------------------------------------------------------------------------------------------

def local_datetime(day: datetime.date, at: datetime.time) -> datetime.datetime:
    """Europe/London wall-clock time on ``day`` as an aware datetime."""
    return datetime.datetime.combine(day, at).replace(tzinfo=timezone.get_default_timezone())


@transaction.atomic
def block_add(*, by: Any, school: School, kind: str, starts_on: datetime.date, ends_on: datetime.date,
              starts_at: datetime.time | None = None, ends_at: datetime.time | None = None, reason: str = "",
              space: Space | None = None) -> Block:
    """Take a space (or, with no space, the whole school) out of hire from one date and time to another.

    With no times, whole days: from the start of ``starts_on`` to the end of ``ends_on``. Bookings already held
    in that time are not cancelled here: the manager is told how many there are (see :func:`bookings_hit_by`).
    """
    if space is not None:
        _require(can(by, Action.CHANGE, space) and space.school_id == school.pk)
    else:
        _require(manages_school(by, school))
    if ends_on < starts_on:
        raise _error("ends_on", _("The last day must be on or after the first day."), "ends_before_starts")
    start = local_datetime(starts_on, starts_at or datetime.time.min)
    end = local_datetime(ends_on, ends_at) if ends_at else local_datetime(ends_on + datetime.timedelta(days=1), datetime.time.min)
    if end <= start:
        raise _error("ends_at", _("The end must be after the start."), "ends_before_starts")
    block = Block(school=school, space=space, kind=kind, starts_at=start, ends_at=end, reason=reason.strip(), created_by=by,
                  modified_by=by)
    block.full_clean()
    block.save()
    return block


def bookings_hit_by(block: Block) -> int:
    """How many held bookings fall in a block's time (the manager decides whether to cancel them)."""
    from .models import Booking

    spaces = Q(space_id=block.space_id) if block.space_id else Q(space__school_id=block.school_id)
    return Booking.objects.holding().filter(spaces, starts_at__lt=block.ends_at, ends_at__gt=block.starts_at).count()


@transaction.atomic
def block_remove(*, by: Any, block: Block) -> None:
    _require(can(by, Action.CHANGE, block))
    block.delete()


# Prices and costs ----------------------------------------------------------------------------------------------------------------

@transaction.atomic
def rate_card_save(*, by: Any, space: Space, tier: str, off_peak_pence: int, peak_pence: int, peak_from: datetime.time,
                   minimum_minutes: int, vat_applies: bool) -> RateCard:
    """Set the price of a space for one tier of hirer (adds it, or changes the one there)."""
    _require(can(by, Action.CHANGE, space))
    if peak_pence < off_peak_pence:
        raise _error("peak_pence", _("The peak price cannot be lower than the off-peak price."), "peak_below_off_peak")
    rate = RateCard.objects.select_for_update().filter(space=space, tier=tier).first() or RateCard(space=space, tier=tier)
    rate.off_peak_pence, rate.peak_pence, rate.peak_from = off_peak_pence, peak_pence, peak_from
    rate.minimum_minutes, rate.vat_applies = minimum_minutes, vat_applies
    rate.full_clean()
    rate.save()
    return rate


@transaction.atomic
def rate_card_remove(*, by: Any, rate: RateCard) -> None:
    _require(can(by, Action.CHANGE, rate))
    rate.delete()


COST_FIELDS = ("caretaker_pence_per_hour", "overtime_multiplier", "overtime_after", "opening_minutes", "closing_minutes",
               "lone_working_after", "energy_pence_per_kwh", "heating_from_month", "heating_to_month", "insurance_pence_per_hour",
               "cleaning_pence_per_hour")


@transaction.atomic
def cost_settings_save(*, by: Any, school: School, data: dict[str, Any]) -> CostSettings:
    """What community use costs the school: the figures behind the true cost of every booking."""
    _require(manages_school(by, school))
    settings = CostSettings.objects.select_for_update().filter(school=school).first() or CostSettings(school=school)
    for field in COST_FIELDS:
        if field in data:
            setattr(settings, field, data[field])
    settings.full_clean()
    settings.save()
    return settings


# Term dates ----------------------------------------------------------------------------------------------------------------------

@transaction.atomic
def term_date_save(*, by: Any, local_authority: LocalAuthority, name_en: str, name_cy: str, starts_on: datetime.date,
                   ends_on: datetime.date, term: TermDate | None = None) -> TermDate:
    """Add or change one term of the LA's calendar. Terms of one LA cannot overlap."""
    if term is None:
        _require(term_authorities(by).filter(pk=local_authority.pk).exists())
    else:
        _require(can(by, Action.CHANGE, term))
        local_authority = term.local_authority
    if ends_on < starts_on:
        raise _error("ends_on", _("The last day must be on or after the first day."), "ends_before_starts")
    LocalAuthority.objects.select_for_update().filter(pk=local_authority.pk).first()
    others = TermDate.objects.filter(local_authority=local_authority, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if term is not None:
        others = others.exclude(pk=term.pk)
    clash = others.first()
    if clash is not None:
        raise _error("starts_on", _("These dates overlap %(term)s (%(start)s to %(end)s).") % {
            "term": clash, "start": date_format(clash.starts_on, "j F Y"), "end": date_format(clash.ends_on, "j F Y")}, "overlap")
    term = term or TermDate(local_authority=local_authority)
    term.name_en, term.name_cy, term.starts_on, term.ends_on = name_en.strip(), name_cy.strip(), starts_on, ends_on
    term.full_clean()
    term.save()
    return term


@transaction.atomic
def term_date_remove(*, by: Any, term: TermDate) -> None:
    _require(can(by, Action.CHANGE, term))
    term.delete()


# Capital projects ---------------------------------------------------------------------------------------------------------------

@transaction.atomic
def capital_project_save(*, by: Any, school: School, data: dict[str, Any], spaces: Iterable[Space],
                         project: CapitalProject | None = None) -> CapitalProject:
    """Record capital grant spent on community facilities, and the spaces of the school it created or improved."""
    if project is None:
        _require(manages_school(by, school))
        project = CapitalProject(school=school, created_by=by)
    else:
        _require(can(by, Action.CHANGE, project))
        if project.school_id != school.pk:
            _require(manages_school(by, school))
            project.school = school
    spaces = list(spaces)
    if not spaces:
        raise _error("spaces", _("Choose the spaces the grant paid for."), "spaces_needed")
    if any(s.school_id != school.pk for s in spaces):
        raise _error("spaces", _("Choose spaces of %(school)s only.") % {"school": school.name}, "other_school")
    for field in ("title_en", "title_cy", "grant_source", "amount_pence", "completed_on"):
        if field in data:
            setattr(project, field, data[field].strip() if isinstance(data[field], str) else data[field])
    project.modified_by = by
    project.full_clean()
    project.save()
    project.spaces.set(spaces)
    return project
