"""What a booking is charged, and what it really costs the school.

Both answers are worked out minute by minute in local (Europe/London) wall-clock time: an interval is cut at
local midnight and at the times of day where a rate changes (``peak_from``, ``overtime_after``,
``lone_working_after``), and each piece is priced by the day and time it falls in. Pieces are measured in
elapsed time, so a booking across a clock change is charged for the hours it really lasted.

Arithmetic is exact (fractions of a penny) until the end; each figure shown is then rounded half up to whole
pence. Because every part is a sum over minutes, the model is additive: splitting a booking in two at any
minute costs exactly the same as the whole, plus the fixed costs of the extra booking (a second opening
and closing, and a second clean).

Invariants (property-tested in tests/test_premises_costs.py): costs are never negative, never fall as a
booking gets longer, a weekend day costs at least what the same times on a weekday in the same month cost,
and heating is counted only in the heating season.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils import timezone

from .models import CostSettings, RateCard, Space

VAT_RATE = Fraction(20, 100)
#: Saturday and Sunday (``date.weekday()``).
WEEKEND = (5, 6)


def pence(value: Fraction | int) -> int:
    """Round exact pence half up (away from zero) to whole pence."""
    value = Fraction(value)
    sign = -1 if value < 0 else 1
    n, d = abs(value.numerator), value.denominator
    return sign * ((2 * n + d) // (2 * d))


def _as_fraction(value: Decimal | int | float) -> Fraction:
    return Fraction(str(value)) if not isinstance(value, int) else Fraction(value)


@dataclass(frozen=True)
class Piece:
    """A stretch of time within one local day: its local date, local start time of day, and length in minutes."""

    day: datetime.date
    starts: datetime.time
    minutes: Fraction

    @property
    def weekend(self) -> bool:
        return self.day.weekday() in WEEKEND


def pieces(starts_at: datetime.datetime, ends_at: datetime.datetime, cuts: Iterable[datetime.time | None] = ()) -> Iterator[Piece]:
    """Cut [starts_at, ends_at) at every local midnight and at each of the ``cuts`` times of day."""
    zone = timezone.get_default_timezone()
    utc = datetime.UTC
    times = sorted({t for t in cuts if t is not None})
    # Work in UTC: arithmetic between datetimes sharing a zone is wall-clock arithmetic, wrong across a clock change.
    current, ends_at = starts_at.astimezone(utc), ends_at.astimezone(utc)
    while current < ends_at:
        local = current.astimezone(zone)
        day = local.date()
        boundary = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone).astimezone(utc)
        for t in times:
            at = datetime.datetime.combine(day, t, tzinfo=zone).astimezone(utc)
            if at > current:
                boundary = min(boundary, at)
                break
        boundary = min(boundary, ends_at)
        yield Piece(day=day, starts=local.time(), minutes=Fraction(int((boundary - current).total_seconds()), 60))
        current = boundary


# --- Price ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Price:
    """What a hirer is charged for one booking, in pence."""

    net_pence: int
    vat_pence: int
    off_peak_minutes: int
    peak_minutes: int
    charged_minutes: int
    exact_net: Fraction = field(default=Fraction(0), compare=False, repr=False)

    @property
    def total_pence(self) -> int:
        return self.net_pence + self.vat_pence

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.charged_minutes) / 60).quantize(Decimal("0.01"))


FREE = Price(0, 0, 0, 0, 0)


def is_peak(piece: Piece, peak_from: datetime.time) -> bool:
    return piece.weekend or piece.starts >= peak_from


def booking_price(*, rate: RateCard | None, starts_at: datetime.datetime, ends_at: datetime.datetime) -> Price:
    """The price of one booking on a rate card: off-peak and peak minutes pro rata, at least the minimum duration.

    Peak is from ``peak_from`` on weekdays and all day at weekends. A booking shorter than the rate's minimum is
    charged for the minimum, in the same off-peak/peak proportion. VAT (20%) is added only where the rate says
    it applies. No rate card (or the free CFS tier) is free.
    """
    if rate is None:
        return FREE
    peak_from = rate.peak_from if isinstance(rate.peak_from, datetime.time) else datetime.time.fromisoformat(str(rate.peak_from))
    off = peak = Fraction(0)
    for piece in pieces(starts_at, ends_at, [peak_from]):
        if is_peak(piece, peak_from):
            peak += piece.minutes
        else:
            off += piece.minutes
    minutes = off + peak
    if minutes <= 0:
        return FREE
    exact = (off * rate.off_peak_pence + peak * rate.peak_pence) / 60
    charged = max(minutes, Fraction(rate.minimum_minutes))
    exact = exact * charged / minutes
    net = pence(exact)
    vat = pence(exact * VAT_RATE) if rate.vat_applies else 0
    return Price(net_pence=net, vat_pence=vat, off_peak_minutes=round(off), peak_minutes=round(peak), charged_minutes=round(charged),
                 exact_net=exact)


# --- True cost -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostBreakdown:
    """What one booking really costs the school, in whole pence, part by part.

    ``staffing`` is the caretaker (and, under the lone-working rule, a second member of staff) from opening up
    to locking up; ``energy`` is lighting and power, ``heating`` the extra in the heating season. ``exact`` holds
    the unrounded parts (fractions of a penny) for checking the model's invariants.
    """

    staffing_pence: int
    energy_pence: int
    heating_pence: int
    insurance_pence: int
    cleaning_pence: int
    staff_minutes: int
    overtime_minutes: int
    second_staff_minutes: int
    exact: dict[str, Fraction] = field(default_factory=dict, compare=False, repr=False)

    @property
    def total_pence(self) -> int:
        return self.staffing_pence + self.energy_pence + self.heating_pence + self.insurance_pence + self.cleaning_pence

    @property
    def exact_total(self) -> Fraction:
        return sum(self.exact.values(), Fraction(0))

    def __add__(self, other: CostBreakdown) -> CostBreakdown:
        exact = {k: self.exact.get(k, Fraction(0)) + other.exact.get(k, Fraction(0)) for k in {*self.exact, *other.exact}}
        return CostBreakdown(*(a + b for a, b in zip(self._figures(), other._figures(), strict=True)), exact=exact)

    def times(self, n: int) -> CostBreakdown:
        return CostBreakdown(*(a * n for a in self._figures()), exact={k: v * n for k, v in self.exact.items()})

    def _figures(self) -> tuple[int, ...]:
        return (self.staffing_pence, self.energy_pence, self.heating_pence, self.insurance_pence, self.cleaning_pence,
                self.staff_minutes, self.overtime_minutes, self.second_staff_minutes)


NO_COST = CostBreakdown(0, 0, 0, 0, 0, 0, 0, 0)


def in_heating_season(month: int, *, from_month: int, to_month: int) -> bool:
    """Whether a month is in the heating season; a season from October to April wraps round the year end."""
    if from_month <= to_month:
        return from_month <= month <= to_month
    return month >= from_month or month <= to_month


def true_cost(*, costs: CostSettings, space: Space, starts_at: datetime.datetime, ends_at: datetime.datetime) -> CostBreakdown:
    """The true cost of one booking of ``space`` under the school's ``costs``.

    - Staffing: the caretaker is paid from ``opening_minutes`` before the booking to ``closing_minutes`` after it,
      at the overtime rate for minutes from ``overtime_after`` on weekdays and for every minute at weekends. With
      a lone-working rule, a second member of staff is paid the same way for minutes from ``lone_working_after``.
    - Energy: the space's kWh per hour of the booking at the tariff, plus its heating kWh per hour for minutes in
      the heating season (``heating_from_month`` to ``heating_to_month``, wrapping round the year end).
    - Insurance per hour of the booking; cleaning: the space's cleaning minutes at the cleaning rate.
    """
    if ends_at <= starts_at:
        return NO_COST
    opening = datetime.timedelta(minutes=costs.opening_minutes)
    closing = datetime.timedelta(minutes=costs.closing_minutes)
    overtime_after = _time(costs.overtime_after)
    lone_after = _time(costs.lone_working_after) if costs.lone_working_after else None
    multiplier = _as_fraction(costs.overtime_multiplier)
    hourly = Fraction(costs.caretaker_pence_per_hour)

    staff = overtime = second = Fraction(0)
    staffing = Fraction(0)
    for piece in pieces(starts_at - opening, ends_at + closing, [overtime_after, lone_after]):
        is_overtime = piece.weekend or piece.starts >= overtime_after
        rate = hourly * (multiplier if is_overtime else 1) / 60
        people = 2 if lone_after is not None and piece.starts >= lone_after else 1
        staff += piece.minutes
        overtime += piece.minutes if is_overtime else 0
        second += piece.minutes if people == 2 else 0
        staffing += piece.minutes * rate * people

    tariff = _as_fraction(costs.energy_pence_per_kwh)
    power = _as_fraction(space.energy_kwh_per_hour)
    heat = _as_fraction(space.heating_kwh_per_hour)
    minutes = heated = Fraction(0)
    for piece in pieces(starts_at, ends_at):
        minutes += piece.minutes
        if in_heating_season(piece.day.month, from_month=costs.heating_from_month, to_month=costs.heating_to_month):
            heated += piece.minutes
    exact = {
        "staffing": staffing,
        "energy": minutes * power * tariff / 60,
        "heating": heated * heat * tariff / 60,
        "insurance": minutes * costs.insurance_pence_per_hour / 60,
        "cleaning": Fraction(space.cleaning_minutes * costs.cleaning_pence_per_hour, 60),
    }
    return CostBreakdown(
        staffing_pence=pence(exact["staffing"]), energy_pence=pence(exact["energy"]), heating_pence=pence(exact["heating"]),
        insurance_pence=pence(exact["insurance"]), cleaning_pence=pence(exact["cleaning"]),
        staff_minutes=round(staff), overtime_minutes=round(overtime), second_staff_minutes=round(second), exact=exact,
    )


def _time(value: datetime.time | str) -> datetime.time:
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(str(value))
