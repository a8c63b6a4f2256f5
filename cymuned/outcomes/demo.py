"""Demo attendance: a school year to date of session marks (Welsh codes), and its weekly summaries, for every learner.

Each learner gets a yearly rate, drawn so that most attend 92–98%, eFSM learners less on average, and a tail
falls under 90% and under 80%; learners whose family has an open episode about attendance are in that tail.
Day by day absences follow the rate; each school week ends with the year-to-date sums as at its Friday, written
through the same bulk service the importers use. Deterministic for a given random generator.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator

from cymuned.families.models import Episode, Learner
from cymuned.organisations.models import LocalAuthority

from .marks import EMPTY_YEAR, academic_year_of, session_position
from .models import AttendanceFigures, AttendanceSource, AttendanceYear
from .services import attendance_summaries_upsert

#: Holiday weeks, as the (month, day) ranges their Mondays fall in; close enough to Welsh term dates for a demo.
HOLIDAY_MONDAYS = [
    ((10, 24), (10, 30)),  # October half term
    ((12, 19), (12, 31)),  # Christmas
    ((1, 1), (1, 4)),
    ((2, 12), (2, 18)),  # February half term
    ((3, 31), (4, 13)),  # Easter
    ((5, 25), (5, 31)),  # Whitsun
]
SUMMER_FROM = (7, 18)


def _is_holiday(monday: datetime.date) -> bool:
    key = (monday.month, monday.day)
    return (key >= SUMMER_FROM and monday.month < 9) or any(start <= key <= end for start, end in HOLIDAY_MONDAYS)


def school_weeks(start_year: int) -> Iterator[tuple[datetime.date, datetime.date, int]]:
    """(first day, Friday, days taught) of each school week of the academic year starting in September ``start_year``."""
    first_day = datetime.date(start_year, 9, 3)
    while first_day.weekday() >= 5:
        first_day += datetime.timedelta(days=1)
    monday = first_day - datetime.timedelta(days=first_day.weekday())
    end = datetime.date(start_year + 1, 8, 31)
    while monday <= end:
        if monday < first_day or not _is_holiday(monday):  # the first week counts, though its Monday is in August
            start = max(monday, first_day)
            yield start, monday + datetime.timedelta(days=4), 5 - start.weekday()
        monday += datetime.timedelta(weeks=1)


def weeks_to_date(today: datetime.date) -> list[tuple[datetime.date, datetime.date, int]]:
    """The school weeks of this academic year finished before today; the whole of last year if none has yet."""
    start_year = today.year if today.month >= 9 else today.year - 1
    weeks = [w for w in school_weeks(start_year) if w[1] < today]
    return weeks or list(school_weeks(start_year - 1))


def _yearly_rate(rng: random.Random, *, efsm: bool, attendance_casework: bool) -> float:
    if attendance_casework:
        return rng.uniform(0.70, 0.88)
    bands = (
        [(0.65, 0.915, 0.965), (0.82, 0.86, 0.915), (0.94, 0.79, 0.86), (1.0, 0.50, 0.79)]
        if efsm
        else [(0.85, 0.925, 0.97), (0.93, 0.88, 0.93), (0.98, 0.80, 0.88), (1.0, 0.60, 0.80)]
    )
    draw = rng.random()
    low, high = next((low, high) for upto, low, high in bands if draw < upto)
    return rng.uniform(low, high)


#: Welsh attendance codes the demo draws: illness, medical appointment and other authorised absence; no reason,
#: holiday not agreed and late after the registers closed (unauthorised); late before they closed, approved activity.
AUTHORISED_CODES = "IIIIMMC"
UNAUTHORISED_CODES = "OOOGNU"


def load_demo_attendance(*, local_authority: LocalAuthority, rng: random.Random, today: datetime.date) -> int:
    """Year-to-date attendance marks (one :class:`AttendanceYear` of session codes per learner) and, counted from the
    same marks, one summary per learner per school week so far. Returns the summaries written."""
    weeks = weeks_to_date(today)
    if not weeks:
        return 0
    period_start = weeks[0][0]
    academic_year = academic_year_of(period_start)
    episodes = Episode.objects.open().filter(school__local_authority=local_authority).values_list("household_id", "reasons")
    casework = {household_id for household_id, reasons in episodes if "attendance" in reasons}  # JSON lookups differ on SQLite
    learners = (
        Learner.objects.filter(school__local_authority=local_authority).order_by("upn")
        .values_list("pk", "efsm", "household_id", "school_id")
    )
    figures: list[AttendanceFigures] = []
    years: list[AttendanceYear] = []
    for learner_id, efsm, household_id, school_id in learners:
        absent_rate = 1 - _yearly_rate(rng, efsm=efsm, attendance_casework=household_id in casework)
        authorised_share = rng.uniform(0.35, 0.7) if efsm else rng.uniform(0.55, 0.85)
        codes = list(EMPTY_YEAR)
        possible = attended = authorised = unauthorised = 0
        for start, friday, days in weeks:
            # Winter weeks bring more illness; a few absences are of a single session (an appointment, a late mark).
            week_rate = absent_rate * (1.3 if friday.month in (12, 1, 2) else 1.0)
            for offset in range(days):
                day = start + datetime.timedelta(days=offset)
                am, pm = session_position(academic_year, day), session_position(academic_year, day, afternoon=True)
                codes[am], codes[pm] = ("L" if rng.random() < 0.02 else "/"), ("B" if rng.random() < 0.005 else "\\")
                possible += 2
                if rng.random() >= week_rate:
                    attended += 2
                    continue
                missed = [am] if rng.random() < 0.1 else [am, pm]
                attended += 2 - len(missed)
                pool = AUTHORISED_CODES if rng.random() < authorised_share else UNAUTHORISED_CODES
                code = rng.choice(pool)
                for position in missed:
                    codes[position] = code
                if pool == AUTHORISED_CODES:
                    authorised += len(missed)
                else:
                    unauthorised += len(missed)
            figures.append(
                AttendanceFigures(
                    learner_id=learner_id,
                    period_start=period_start,
                    period_end=friday,
                    possible_sessions=possible,
                    attended_sessions=attended,
                    authorised_absences=authorised,
                    unauthorised_absences=unauthorised,
                )
            )
        years.append(AttendanceYear.from_codes(learner_id=learner_id, school_id=school_id, academic_year=academic_year,
                                               codes="".join(codes)))
    # Loaded again (a rerun of the demo), the marks replace the earlier ones, as a corrected file would.
    AttendanceYear.objects.filter(school__local_authority=local_authority, academic_year=academic_year).delete()
    AttendanceYear.objects.bulk_create(years, batch_size=500)
    return attendance_summaries_upsert(figures=figures, source=AttendanceSource.DEMO)


def year_patterns(*, rng: random.Random, today: datetime.date, count: int) -> tuple[int, dict[bool, list[AttendanceYear]]]:
    """``count`` years of marks for eFSM and for other learners, drawn as for the demo borough (for generators that
    give hundreds of thousands of learners a year of marks, each a pattern chosen at random): the academic year, and
    unsaved :class:`AttendanceYear` rows with no learner or school."""
    weeks = weeks_to_date(today)
    academic_year = academic_year_of(weeks[0][0])
    patterns: dict[bool, list[AttendanceYear]] = {True: [], False: []}
    for efsm in (True, False):
        for _n in range(count):
            absent_rate = 1 - _yearly_rate(rng, efsm=efsm, attendance_casework=False)
            codes = list(EMPTY_YEAR)
            for start, _friday, days in weeks:
                for offset in range(days):
                    day = start + datetime.timedelta(days=offset)
                    for afternoon in (False, True):
                        absent = rng.random() < absent_rate
                        present = "\\" if afternoon else "/"
                        pool = AUTHORISED_CODES if rng.random() < (0.5 if efsm else 0.7) else UNAUTHORISED_CODES
                        codes[session_position(academic_year, day, afternoon)] = rng.choice(pool) if absent else present
            patterns[efsm].append(AttendanceYear.from_codes(learner_id=0, school_id=0, academic_year=academic_year,
                                                            codes="".join(codes)))
    return academic_year, patterns
