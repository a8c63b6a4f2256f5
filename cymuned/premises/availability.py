"""When a space is free: recurrence expansion in local time, and every reason a time cannot be booked.

Pure functions of the data they are given (plus one query per kind of obstacle), so they are easy to test
with hypothesis and cheap to run for a whole week of many spaces.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import Block, Booking, CaretakerCover, OpeningWindow, Season, Space, TermDate

#: The longest series one request may hold (a school year of weekly sessions).
MAX_OCCURRENCES = 52


@dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    @property
    def local_day(self) -> datetime.date:
        return timezone.localtime(self.starts_at).date()


def local_slot(day: datetime.date, starts: datetime.time, ends: datetime.time) -> Slot:
    """The slot from ``starts`` to ``ends`` on ``day`` in Europe/London wall-clock time (right across the clock changes)."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(day, starts).replace(tzinfo=zone)
    end = datetime.datetime.combine(day, ends).replace(tzinfo=zone)
    return Slot(start, end)


def expand(*, first_day: datetime.date, starts: datetime.time, ends: datetime.time, weekly_until: datetime.date | None = None,
           skip: Iterable[datetime.date] = ()) -> list[Slot]:
    """One slot, or a weekly series from ``first_day`` up to and including ``weekly_until``, leaving out ``skip`` dates."""
    skipped = set(skip)
    days = [first_day]
    if weekly_until is not None:
        day = first_day + datetime.timedelta(days=7)
        while day <= weekly_until:
            days.append(day)
            day += datetime.timedelta(days=7)
    return [local_slot(day, starts, ends) for day in days if day not in skipped]


@dataclass(frozen=True)
class Conflict:
    day: datetime.date
    reason: str

    def __str__(self) -> str:
        return f"{date_format(self.day, 'l j F Y')}: {self.reason}"


def season_of(day: datetime.date, terms: list[TermDate]) -> str:
    return Season.TERM if any(t.starts_on <= day <= t.ends_on for t in terms) else Season.HOLIDAY


def _within(windows: Iterable[tuple[int, str, datetime.time, datetime.time]], slot: Slot, season: str) -> bool:
    start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    if start.date() != end.date():
        return False
    return any(w == start.weekday() and s == season and o <= start.time() and end.time() <= c for w, s, o, c in windows)


def conflicts(*, space: Space, slots: list[Slot], ignore_series: int | None = None) -> list[Conflict]:
    """Every reason any of these slots cannot be booked, in date order: four queries whatever the number of slots."""
    if not slots:
        return []
    first, last = min(s.starts_at for s in slots), max(s.ends_at for s in slots)
    terms = list(TermDate.objects.filter(local_authority_id=space.school.local_authority_id,
                                         ends_on__gte=timezone.localtime(first).date(), starts_on__lte=timezone.localtime(last).date()))
    opening = list(OpeningWindow.objects.filter(space=space).values_list("weekday", "season", "opens_at", "closes_at"))
    cover = list(CaretakerCover.objects.filter(school_id=space.school_id).values_list("weekday", "season", "opens_at", "closes_at"))
    blocks = list(Block.objects.filter(Q(space=space) | Q(space__isnull=True, school_id=space.school_id),
                                       starts_at__lt=last, ends_at__gt=first))
    taken = Booking.objects.holding().filter(space=space, starts_at__lt=last, ends_at__gt=first)
    if ignore_series is not None:
        taken = taken.exclude(series_id=ignore_series)
    bookings = list(taken.values_list("starts_at", "ends_at"))
    now = timezone.now()
    found: list[Conflict] = []
    for slot in slots:
        day = slot.local_day
        if slot.starts_at < now:
            found.append(Conflict(day, _("this time has already passed")))
            continue
        season = season_of(day, terms)
        if not _within(opening, slot, season):
            found.append(Conflict(day, _("the space is not open to hire at this time")))
        elif not _within(cover, slot, season):
            found.append(Conflict(day, _("no caretaker is on site at this time")))
        for block in blocks:
            if block.starts_at < slot.ends_at and slot.starts_at < block.ends_at:
                found.append(Conflict(day, block.get_kind_display() + (f" ({block.reason})" if block.reason else "")))
        if any(s < slot.ends_at and slot.starts_at < e for s, e in bookings):
            found.append(Conflict(day, _("the space is already booked at this time")))
    return found


def free_slots_by_space(*, spaces: list[Space], week_start: datetime.date) -> dict[int, list[tuple[datetime.datetime, datetime.datetime]]]:
    """For each space, its opening windows in the week from ``week_start`` with the times already taken removed.

    Four queries whatever the number of spaces (the LA-wide availability search).
    """
    week_end = week_start + datetime.timedelta(days=7)
    ids = [s.pk for s in spaces]
    las = {s.school.local_authority_id for s in spaces}
    terms = list(TermDate.objects.filter(local_authority_id__in=las, ends_on__gte=week_start, starts_on__lt=week_end))
    windows: dict[int, list[tuple[int, str, datetime.time, datetime.time]]] = {}
    for w in OpeningWindow.objects.filter(space_id__in=ids).values_list("space_id", "weekday", "season", "opens_at", "closes_at"):
        windows.setdefault(w[0], []).append(w[1:])
    zone = timezone.get_default_timezone()
    lo = datetime.datetime.combine(week_start, datetime.time.min).replace(tzinfo=zone)
    hi = datetime.datetime.combine(week_end, datetime.time.min).replace(tzinfo=zone)
    busy: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {}
    for space_id, s, e in Booking.objects.holding().filter(space_id__in=ids, starts_at__lt=hi, ends_at__gt=lo).values_list(
            "space_id", "starts_at", "ends_at"):
        busy.setdefault(space_id, []).append((s, e))
    school_of = {s.pk: s.school_id for s in spaces}
    for block in Block.objects.filter(Q(space_id__in=ids) | Q(space__isnull=True, school_id__in=set(school_of.values())),
                                      starts_at__lt=hi, ends_at__gt=lo).values_list("space_id", "school_id", "starts_at", "ends_at"):
        targets = [block[0]] if block[0] else [sid for sid, school in school_of.items() if school == block[1]]
        for sid in targets:
            busy.setdefault(sid, []).append((block[2], block[3]))
    result: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {}
    for space in spaces:
        la_terms = [t for t in terms if t.local_authority_id == space.school.local_authority_id]
        free: list[tuple[datetime.datetime, datetime.datetime]] = []
        for offset in range(7):
            day = week_start + datetime.timedelta(days=offset)
            season = season_of(day, la_terms)
            for weekday, window_season, opens, closes in windows.get(space.pk, []):
                if weekday != day.weekday() or window_season != season:
                    continue
                slot = local_slot(day, opens, closes)
                free.extend(_subtract((slot.starts_at, slot.ends_at), busy.get(space.pk, [])))
        result[space.pk] = sorted(free)
    return result


def _subtract(window: tuple[datetime.datetime, datetime.datetime],
              taken: list[tuple[datetime.datetime, datetime.datetime]]) -> list[tuple[datetime.datetime, datetime.datetime]]:
    pieces = [window]
    for s, e in sorted(taken):
        next_pieces = []
        for a, b in pieces:
            if e <= a or b <= s:
                next_pieces.append((a, b))
                continue
            if a < s:
                next_pieces.append((a, s))
            if e < b:
                next_pieces.append((e, b))
        pieces = next_pieces
    return [(a, b) for a, b in pieces if b > a]
