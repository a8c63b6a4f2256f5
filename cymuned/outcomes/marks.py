"""Attendance marks: the codes used in Wales, what each means for the figures, and the school calendar arithmetic.

Marks are stored compactly (see :class:`~cymuned.outcomes.models.AttendanceYear`): one row per learner per academic
year holding one code per weekday session, Monday AM, Monday PM, ... Friday PM of each week from the Monday on or
before 1 September (:func:`year_origin`), :data:`WEEKS_PER_YEAR` weeks, with :data:`NO_SESSION` where the school's
records hold no mark: a week is the slice ``codes[10 * week : 10 * week + 10]``. Every figure is computed from the codes, so changing what a code means (the setting
``CYMUNED_ATTENDANCE_CODES``) changes the figures at the next import without touching the marks.

The default table follows the Welsh Government's attendance codes (The Education (Pupil Registration) (Wales)
Regulations 2010): ``/`` and ``\\`` present in the morning and afternoon, ``L`` late before the registers close;
``B D J P V W`` approved educational activities, counted as present; ``C E H I M R S T`` authorised absences;
``G N O`` unauthorised absences and ``U`` late after the registers close, counted as unauthorised; ``X Y Z #`` not
possible sessions (not of compulsory school age, enforced closure, not on roll, planned school closure).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: Placeholder in a week's codes for a session the school's records hold no mark for (a holiday, a weekday before
#: the learner joined, a day outside the imported period). It is not an attendance code.
NO_SESSION = "-"
#: Sessions in a stored week: Monday AM, Monday PM, ..., Friday PM.
SESSIONS_PER_WEEK = 10
#: Weeks in a stored year: 1 September to 31 August is at most 366 days, and the first week may start 6 days before.
WEEKS_PER_YEAR = 54
SESSIONS_PER_YEAR = SESSIONS_PER_WEEK * WEEKS_PER_YEAR
EMPTY_YEAR = NO_SESSION * SESSIONS_PER_YEAR


class Meaning(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late, before the registers closed (present)")
    APPROVED = "approved", _("Approved educational activity (counted as present)")
    AUTHORISED = "authorised", _("Authorised absence")
    UNAUTHORISED = "unauthorised", _("Unauthorised absence")
    LATE_AFTER_CLOSE = "late_after_close", _("Late, after the registers closed (unauthorised absence)")
    NOT_POSSIBLE = "not_possible", _("Not a possible session")


DEFAULT_CODES: dict[str, Meaning] = {
    "/": Meaning.PRESENT,
    "\\": Meaning.PRESENT,
    "L": Meaning.LATE,
    **dict.fromkeys("BDJPVW", Meaning.APPROVED),
    **dict.fromkeys("CEHIMRST", Meaning.AUTHORISED),
    **dict.fromkeys("GNO", Meaning.UNAUTHORISED),
    "U": Meaning.LATE_AFTER_CLOSE,
    **dict.fromkeys("XYZ#", Meaning.NOT_POSSIBLE),
}

#: Which meanings count towards each figure of a week, a term or a summary.
ATTENDED = (Meaning.PRESENT, Meaning.LATE, Meaning.APPROVED)
AUTHORISED = (Meaning.AUTHORISED,)
UNAUTHORISED = (Meaning.UNAUTHORISED, Meaning.LATE_AFTER_CLOSE)
LATE = (Meaning.LATE, Meaning.LATE_AFTER_CLOSE)
APPROVED = (Meaning.APPROVED,)
POSSIBLE = (*ATTENDED, *AUTHORISED, *UNAUTHORISED)
#: The figures stored with every week and term, in order, with the meanings each counts.
FIGURES: dict[str, tuple[Meaning, ...]] = {
    "possible_sessions": POSSIBLE,
    "attended_sessions": ATTENDED,
    "authorised_absences": AUTHORISED,
    "unauthorised_absences": UNAUTHORISED,
    "late_sessions": LATE,
    "approved_activity_sessions": APPROVED,
}
#: Short names of the figures, for the columns of a stored year: ``weekly_possible``, ``term_late``, ...
FIGURE_COLUMNS = {
    "possible_sessions": "possible",
    "attended_sessions": "attended",
    "authorised_absences": "authorised",
    "unauthorised_absences": "unauthorised",
    "late_sessions": "late",
    "approved_activity_sessions": "approved",
}
#: The figures stored per week (those of a summary); every figure is stored per term.
WEEKLY_FIGURES = ("possible_sessions", "attended_sessions", "authorised_absences", "unauthorised_absences")
WEEKLY_COLUMNS = tuple(f"weekly_{FIGURE_COLUMNS[name]}" for name in WEEKLY_FIGURES)
TERM_COLUMNS = tuple(f"term_{short}" for short in FIGURE_COLUMNS.values())


def attendance_codes() -> dict[str, Meaning]:
    """The codes in force: the Welsh defaults, changed or extended by ``settings.CYMUNED_ATTENDANCE_CODES``.

    A setting value of ``None`` removes a default code. Checked at start-up (``outcomes.checks``): one character
    each, never :data:`NO_SESSION`, at most 63 codes (the importer numbers them in a byte, with room for stored
    codes no longer in force).
    """
    codes: dict[str, Meaning] = dict(DEFAULT_CODES)
    for code, meaning in getattr(settings, "CYMUNED_ATTENDANCE_CODES", {}).items():
        if meaning is None:
            codes.pop(code, None)
        else:
            codes[code] = Meaning(meaning)
    return codes


@dataclass(frozen=True)
class WeekFigures:
    possible_sessions: int
    attended_sessions: int
    authorised_absences: int
    unauthorised_absences: int
    late_sessions: int
    approved_activity_sessions: int


def week_figures(codes: str, table: dict[str, Meaning] | None = None) -> WeekFigures:
    """The figures of any run of codes (a week, a term, a year), one code at a time: the reference the importer's
    vectorised count (:func:`figure_flags`) is tested against."""
    table = table if table is not None else attendance_codes()
    meanings = [table.get(code) for code in codes]
    return WeekFigures(**{name: sum(m in counted for m in meanings) for name, counted in FIGURES.items()})


def figure_flags(table: dict[str, Meaning] | None = None) -> dict[str, int]:
    """Each code's figures as bits (bit ``i`` for the ``i``-th figure of ``FIGURES``), for counting vectorised."""
    table = table if table is not None else attendance_codes()
    return {code: sum(1 << i for i, counted in enumerate(FIGURES.values()) if meaning in counted) for code, meaning in table.items()}


# --- The school calendar -----------------------------------------------------------------------------------------


class Term(models.IntegerChoices):
    AUTUMN = 1, _("Autumn term")
    SPRING = 2, _("Spring term")
    SUMMER = 3, _("Summer term")


def academic_year_of(day: datetime.date) -> int:
    """The academic year a day falls in, named by the year it starts in September (1 September to 31 August)."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def term_starts(year: int) -> tuple[datetime.date, datetime.date]:
    """Where the spring and summer terms of an academic year begin, for counting weeks by term.

    Spring from 1 January, summer from Easter Monday: every week of marks then falls in the term it was taught in
    whether the LA's Easter holiday is fixed to early April or moves with Easter, as both put the holiday around
    the boundary. (An LA's own term dates can replace this once they are held for every LA.)
    """
    return datetime.date(year + 1, 1, 1), easter_sunday(year + 1) + datetime.timedelta(days=1)


def term_of(week_start: datetime.date) -> Term:
    """The term of a week, by its Thursday (as ISO weeks are numbered): a week of marks never straddles terms."""
    thursday = week_start + datetime.timedelta(days=3)
    spring, summer = term_starts(academic_year_of(thursday))
    if thursday < spring:
        return Term.AUTUMN
    return Term.SPRING if thursday < summer else Term.SUMMER


def year_origin(year: int) -> datetime.date:
    """The Monday on or before 1 September: where the stored codes of an academic year start."""
    first = datetime.date(year, 9, 1)
    return first - datetime.timedelta(days=first.weekday())


def session_position(year: int, day: datetime.date, afternoon: bool = False) -> int:
    """Where a weekday's morning (or afternoon) session is in the stored codes of its academic year."""
    days = (day - year_origin(year)).days
    return (days // 7) * SESSIONS_PER_WEEK + (days % 7) * 2 + int(afternoon)


def week_terms(year: int) -> list[int]:
    """The term of each stored week of an academic year (:func:`term_of`, with the first and last weeks, which may
    begin or end in another academic year, kept in this one): the weeks of each term are consecutive."""
    first, last = academic_year_bounds(year)
    terms = []
    for week in range(WEEKS_PER_YEAR):
        monday = year_origin(year) + datetime.timedelta(weeks=week)
        thursday = min(max(monday + datetime.timedelta(days=3), first), last)
        terms.append(int(term_of(thursday - datetime.timedelta(days=3))))
    return terms
