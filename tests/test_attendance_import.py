"""The attendance marks import: figures checked by hand, all or nothing, idempotent, corrections replace, and
malformed files of every kind give a clear error or a correct import, never an exception or a partial import."""

from __future__ import annotations

import codecs
import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cymuned.audit.models import RowChange
from cymuned.outcomes import services
from cymuned.outcomes.importing import read_marks
from cymuned.outcomes.marks import (
    SESSIONS_PER_YEAR,
    WEEKS_PER_YEAR,
    academic_year_of,
    easter_sunday,
    term_of,
    week_figures,
    week_terms,
)
from cymuned.outcomes.models import AttendanceImport, AttendanceSummary, AttendanceYear
from cymuned.outcomes.selectors import worklist_for
from cymuned.outcomes.services import attendance_marks_import

from .factories import LearnerFactory

pytestmark = pytest.mark.django_db

YEAR = academic_year_of(timezone.localdate()) - 1  # last academic year: every day of it is in the past
MONDAY = datetime.date(YEAR, 10, 6) + datetime.timedelta(days=(7 - datetime.date(YEAR, 10, 6).weekday()) % 7)
NEXT_MONDAY = MONDAY + datetime.timedelta(weeks=1)
#: Monday AM to Friday PM of one week for the hand computation below.
WEEK_CODES = ["/", "\\", "L", "U", "I", "O", "B", "#", "/", "N"]


def day(offset: int, start: datetime.date = MONDAY) -> datetime.date:
    return start + datetime.timedelta(days=offset)


def csv_of(rows: list[tuple], header: str = "UPN,Date,Session,Code", sep: str = ",") -> bytes:
    lines = [header.replace(",", sep)]
    for upn, date, session, code in rows:
        shown = date.strftime("%d/%m/%Y") if isinstance(date, datetime.date) else date
        lines.append(sep.join([upn, shown, session, code]))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def week_rows(upn: str, codes: list[str], start: datetime.date = MONDAY) -> list[tuple]:
    return [(upn, day(i // 2, start), "AM" if i % 2 == 0 else "PM", code) for i, code in enumerate(codes) if code != "-"]


def nothing_written() -> bool:
    return not (AttendanceYear.objects.exists() or AttendanceImport.objects.exists() or AttendanceSummary.objects.exists())


@pytest.fixture(params=["postgresql", "orm"])
def path(request, monkeypatch):
    """Each test so marked runs on the PostgreSQL path (COPY) and on the ORM path SQLite takes."""
    if request.param == "orm":
        monkeypatch.setattr(services, "connection", SimpleNamespace(vendor="sqlite"))
    return request.param


def test_a_week_of_marks_gives_the_figures_counted_by_hand(world, path):
    other = LearnerFactory(school=world.school_a)
    data = csv_of(week_rows(world.learner_a.upn, WEEK_CODES) + week_rows(other.upn, ["/", "\\"] * 5))
    result = attendance_marks_import(source=data, school=world.school_a, by=world.user("headteacher"))
    assert result.ok, result.errors
    year = AttendanceYear.objects.get(learner=world.learner_a)
    assert (year.week_codes(MONDAY), year.school_id, year.academic_year) == ("/\\LUIOB#/N", world.school_a.pk, YEAR)
    assert len(year.codes) == SESSIONS_PER_YEAR and year.codes.count("-") == SESSIONS_PER_YEAR - 10
    # By hand: # is not a possible session (9 left); / \ L B attended and / again (5); I authorised (1); U O N
    # unauthorised (3); L and U late (2); B an approved activity (1).
    week = year.week_index(MONDAY)
    assert all(len(counts) == WEEKS_PER_YEAR for counts in (year.weekly_possible, year.weekly_unauthorised))
    assert (year.weekly_possible[week], year.weekly_attended[week], year.weekly_authorised[week],
            year.weekly_unauthorised[week]) == (9, 5, 1, 3)
    assert sum(year.weekly_possible) == 9
    assert year.term_figures(1) == {"possible_sessions": 9, "attended_sessions": 5, "authorised_absences": 1,
                                    "unauthorised_absences": 3, "late_sessions": 2, "approved_activity_sessions": 1}
    assert year.term_possible == [9, 0, 0]
    summary = AttendanceSummary.objects.get(learner=world.learner_a)
    assert summary.period_start == datetime.date(YEAR, 9, 1)
    assert summary.period_end == day(4)
    assert (summary.possible_sessions, summary.attended_sessions, summary.authorised_absences,
            summary.unauthorised_absences) == (9, 5, 1, 3)
    assert summary.percentage == Decimal("55.56")  # 5 of 9
    assert AttendanceSummary.objects.get(learner=other).percentage == Decimal("100.00")
    record = result.record
    assert (record.marks, record.learners, record.years_written, record.period_start, record.period_end) == (20, 2, 2, MONDAY, day(4))
    assert record.created_by == world.user("headteacher")
    # The FEO worklist reads the summaries: 55.56% is severe absence.
    assert world.learner_a.pk in set(worklist_for(user=world.user("feo")).values_list("learner_id", flat=True))
    # The database's own audit trail saw the writes, with the user as actor.
    if path == "postgresql":  # the ORM path inserts in a statement of its own, without the actor setting
        change = RowChange.objects.filter(table_name="outcomes_attendanceyear", operation="INSERT").latest("changed_on")
        assert change.row_count == 2 and change.actor == world.user("headteacher")


def test_week_figures_match_the_sql_count(world):
    codes = "".join(WEEK_CODES)
    figures = week_figures(codes)
    attendance_marks_import(source=csv_of(week_rows(world.learner_a.upn, WEEK_CODES)), school=world.school_a)
    year = AttendanceYear.objects.get()
    week = year.week_index(MONDAY)
    assert (year.weekly_possible[week], year.weekly_attended[week], year.weekly_authorised[week],
            year.weekly_unauthorised[week]) == (figures.possible_sessions, figures.attended_sessions,
                                                figures.authorised_absences, figures.unauthorised_absences)
    assert year.term_figures(1) == vars(figures)


def test_importing_the_same_file_again_changes_nothing(world, path):
    data = csv_of(week_rows(world.learner_a.upn, WEEK_CODES) + week_rows(world.learner_a.upn, ["/", "\\"] * 5, NEXT_MONDAY))
    assert attendance_marks_import(source=data, school=world.school_a).ok
    before = list(AttendanceYear.objects.values_list("pk", "codes").order_by("pk"))
    summary = AttendanceSummary.objects.get()
    changes = RowChange.objects.count()
    again = attendance_marks_import(source=data, school=world.school_a)
    assert again.ok and again.record.years_written == 0 and again.record.years_deleted == 0
    assert list(AttendanceYear.objects.values_list("pk", "codes").order_by("pk")) == before
    assert AttendanceSummary.objects.get().modified_on == summary.modified_on
    assert RowChange.objects.exclude(table_name="outcomes_attendanceimport").count() == changes  # no statement touched a row


def test_a_corrected_file_replaces_the_earlier_one(world, path):
    other = LearnerFactory(school=world.school_a)
    first = week_rows(world.learner_a.upn, ["/", "\\"] * 5) + week_rows(other.upn, ["/", "\\"] * 5)
    assert attendance_marks_import(source=csv_of(first), school=world.school_a).ok
    corrected = week_rows(world.learner_a.upn, ["/", "\\", "I", "I"] + ["/", "\\"] * 3)  # the other learner left out
    result = attendance_marks_import(source=csv_of(corrected), school=world.school_a)
    assert result.ok and result.record.years_written == 1 and result.record.years_deleted == 1
    assert AttendanceYear.objects.get().week_codes(MONDAY) == "/\\II/\\/\\/\\"
    assert not AttendanceYear.objects.filter(learner=other).exists()
    assert not AttendanceSummary.objects.filter(learner=other).exists()
    assert AttendanceSummary.objects.get(learner=world.learner_a).authorised_absences == 2


def test_a_file_covering_part_of_a_week_keeps_the_rest_of_it(world, path):
    assert attendance_marks_import(source=csv_of(week_rows(world.learner_a.upn, ["/", "\\"] * 5)), school=world.school_a).ok
    later = week_rows(world.learner_a.upn, ["-"] * 4 + ["O", "O", "/", "\\", "/", "\\"])  # Wednesday to Friday
    assert attendance_marks_import(source=csv_of(later), school=world.school_a).ok
    assert AttendanceYear.objects.get().week_codes(MONDAY) == "/\\/\\OO/\\/\\"
    summary = AttendanceSummary.objects.get(period_end=day(4))
    assert (summary.possible_sessions, summary.unauthorised_absences) == (10, 2)


def test_an_la_wide_file_puts_each_learner_at_their_own_school(world):
    data = csv_of(week_rows(world.learner_a.upn, ["/", "\\"] * 5) + week_rows(world.learner_c.upn, ["I", "I"] * 5))
    result = attendance_marks_import(source=data)
    assert result.ok and result.record.schools == 2 and result.record.school is None
    assert AttendanceYear.objects.get(learner=world.learner_c).school_id == world.school_c.pk


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (("Z99", MONDAY, "AM", "/"), "UPN", "bad_upn"),
        (("A999999999990", MONDAY, "AM", "/"), "UPN", "unknown_learner"),
        (("{c}", MONDAY, "AM", "/"), "UPN", "other_school"),
        (("{a}", MONDAY, "AM", "Q"), "Code", "bad_code"),
        (("{a}", MONDAY, "AM", ""), "Code", "missing_code"),
        (("{a}", "31/02/2024", "AM", "/"), "Date", "bad_date"),
        (("{a}", datetime.date(YEAR - 1, 10, 7), "AM", "/"), "Date", "outside_year"),
        (("{a}", day(5), "AM", "/"), "Date", "weekend"),
        (("{a}", MONDAY, "Evening", "/"), "Session", "bad_session"),
        (("{a}", MONDAY, "PM", "/"), "Session", "duplicate_row"),
        (("{a}", "=cmd()", "AM", "/"), "Date", "bad_date"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_written(world, row, column, code):
    good = week_rows(world.learner_a.upn, ["/", "\\"] * 5)
    upn = row[0].format(a=world.learner_a.upn, c=world.learner_c.upn)
    result = attendance_marks_import(source=csv_of([*good, (upn, *row[1:])]), school=world.school_a)
    assert not result.ok and result.error_count == 1
    error = result.errors[0]
    assert (error.row, error.column, error.code) == (12, column, code)  # the header is row 1, ten good rows follow
    assert error.message
    assert nothing_written()


def test_a_future_date_is_refused(world):
    today = timezone.localdate()
    result = read_marks(csv_of([(world.learner_a.upn, today, "AM", "/")]), today=today - datetime.timedelta(days=3),
                        academic_year=academic_year_of(today))
    assert [e.code for e in result.errors] in (["future_date"], ["future_date", "weekend"], ["weekend", "future_date"])


def test_errors_are_capped_and_counted(world):
    rows = [(f"A{n:012d}", MONDAY, "AM", "/") for n in range(250)]
    result = attendance_marks_import(source=csv_of(rows), school=world.school_a)
    assert result.error_count == 250 and len(result.errors) == 100
    assert [e.row for e in result.errors[:3]] == [2, 3, 4]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        (codecs.BOM_UTF8, "empty_file"),
        (b"UPN,Date,Session,Code\r\n", "no_rows"),
        (b"UPN,Date,Code\r\nA1,01/10/2024,/\r\n", "missing_column"),
        (b"UPN,Date,Session,Code,Code\r\n", "duplicate_column"),
        (b"UPN,Date,Session,Code,Mark\r\n", "duplicate_column"),
        (b"\xff\xfe\x00\xd8", "empty_file"),
        (b"UPN" + b"x" * 70_000, "bad_header"),
    ],
)
def test_files_refused_as_a_whole(world, data, code):
    result = attendance_marks_import(source=data, school=world.school_a)
    assert not result.ok and code in [e.code for e in result.errors]
    assert all(e.row is None for e in result.errors)
    assert nothing_written()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_encodings_and_delimiters(world, encoding, sep):
    header = sep.join(["Rhif Disgybl", "Dyddiad", "Sesiwn", "Côd", "Enw"])
    rows = [sep.join([world.learner_a.upn, f"{day(i // 2):%Y-%m-%d}", ["AM", "PM"][i % 2], "/\\"[i % 2], "Siân"]) for i in range(10)]
    data = "\r\n".join([header, *rows]).encode(encoding)
    mapping = {"upn": "Rhif Disgybl", "date": "Dyddiad", "session": "Sesiwn", "code": "Côd"}
    result = attendance_marks_import(source=data, school=world.school_a, mapping=mapping)
    assert result.ok, result.errors
    assert AttendanceYear.objects.get().week_codes(MONDAY) == "/\\" * 5


@pytest.mark.parametrize("shown", ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d/%m/%Y 00:00",
                                   "%Y-%m-%dT00:00:00", "%-d/%-m/%Y"])
def test_dates_in_several_formats(world, shown):
    rows = [(world.learner_a.upn, day(i // 2).strftime(shown), ["am", " PM "][i % 2], "/\\"[i % 2]) for i in range(10)]
    assert attendance_marks_import(source=csv_of(rows), school=world.school_a).ok
    assert AttendanceYear.objects.get().week_codes(MONDAY) == "/\\" * 5


def test_a_mapping_naming_an_unknown_field_is_an_error(world):
    result = attendance_marks_import(source=csv_of([]), mapping={"pupil": "UPN"})
    assert [e.code for e in result.errors] == ["bad_mapping"]


def test_a_mapped_school_column_is_checked(world):
    rows = "\r\n".join(["UPN,Date,Session,Code,LAESTAB",
                        f"{world.learner_a.upn},{MONDAY:%d/%m/%Y},AM,/,{world.school_a.school_number}",
                        f"{world.learner_a.upn},{MONDAY:%d/%m/%Y},PM,/,{world.school_c.school_number}",
                        f"{world.learner_a.upn},{day(1):%d/%m/%Y},PM,/,0000000"]).encode()
    result = attendance_marks_import(source=rows, mapping={"school": "LAESTAB"})
    assert [(e.row, e.code) for e in result.errors] == [(3, "wrong_school"), (4, "unknown_school")]


def test_progress_is_reported_in_order(world):
    seen = []
    attendance_marks_import(source=csv_of(week_rows(world.learner_a.upn, ["/", "\\"] * 5)), school=world.school_a,
                            progress=lambda fraction, stage: seen.append((fraction, stage)))
    assert seen[0] == (0.0, "reading") and seen[-1] == (1.0, "done")
    assert [f for f, _s in seen] == sorted(f for f, _s in seen)


def test_the_command_imports_and_reports(world, tmp_path, capsys):
    path = tmp_path / "marks.csv"
    path.write_bytes(csv_of(week_rows(world.learner_a.upn, ["/", "\\"] * 5)))
    call_command("import_attendance", str(path), "--school", world.school_a.school_number)
    assert "Imported 10 marks" in capsys.readouterr().out
    path.write_bytes(csv_of([(world.learner_c.upn, MONDAY, "AM", "X"), (world.learner_a.upn, MONDAY, "XX", "/")]))
    with pytest.raises(CommandError):
        call_command("import_attendance", str(path), "--school", "all", "--mapping", '{"code": "Code"}')
    out = capsys.readouterr().out
    assert "Row 3 [Session]" in out
    with pytest.raises(CommandError):
        call_command("import_attendance", str(path), "--school", "all", "--mapping", "{nope")


def test_terms_follow_easter():
    assert easter_sunday(2025) == datetime.date(2025, 4, 20) and easter_sunday(2024) == datetime.date(2024, 3, 31)
    assert term_of(datetime.date(2024, 12, 16)) == 1
    assert term_of(datetime.date(2025, 1, 6)) == 2
    assert term_of(datetime.date(2025, 4, 14)) == 2  # the week before Easter 2025
    assert term_of(datetime.date(2025, 4, 21)) == 3
    for year in range(2020, 2040):  # whatever weekday 1 September is, the stored weeks run autumn, spring, summer
        terms = week_terms(year)
        assert len(terms) == WEEKS_PER_YEAR and terms[0] == 1 and terms[-1] == 3 and terms == sorted(terms)


def test_marks_across_terms_and_a_later_import(world, path):
    """Weeks in autumn and spring land in their weeks and terms; a later file keeps the earlier marks and adds a
    summary as at its own last day, and recounts the earlier one only if it changes."""
    spring = MONDAY + datetime.timedelta(weeks=14)  # mid-January
    assert attendance_marks_import(source=csv_of(week_rows(world.learner_a.upn, ["/", "\\"] * 5)), school=world.school_a).ok
    later = week_rows(world.learner_a.upn, ["/", "\\", "N", "N"] + ["/", "\\"] * 3, spring)
    assert attendance_marks_import(source=csv_of(later), school=world.school_a).ok
    year = AttendanceYear.objects.get()
    assert year.term_possible == [10, 10, 0] and year.term_unauthorised == [0, 2, 0]
    assert year.weekly_unauthorised[year.week_index(spring)] == 2 and sum(year.weekly_possible) == 20
    assert year.week_codes(MONDAY) == "/\\" * 5
    first, second = AttendanceSummary.objects.order_by("period_end")
    assert (first.period_end, first.possible_sessions) == (day(4), 10)
    assert (second.period_end, second.possible_sessions, second.unauthorised_absences) == (day(4, spring), 20, 2)


# --- Malformed files, generated ----------------------------------------------------------------------------------------

CELL_NASTIES = ["", " ", "=cmd()", "+SUM(A1)", "@x", "-1", "\"quoted\"", "x" * 20_000, "ẃ", "\x00", "NULL", "1e309"]


@st.composite
def marks_files(draw, upn: str):
    """A file of one learner's week, then damaged: encoding, delimiter, headers, cells and dates."""
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    sep = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = ["UPN", "Date", "Session", "Code"]
    header_change = draw(st.sampled_from(["none", "drop", "extra", "duplicate", "rename"]))
    if header_change == "drop":
        header.pop(draw(st.integers(0, 3)))
    elif header_change == "extra":
        header.insert(draw(st.integers(0, 4)), draw(st.sampled_from(["Name", "Notes", "Côd ysgol"])))
    elif header_change == "duplicate":
        header.append(draw(st.sampled_from(header)))
    elif header_change == "rename":
        header[draw(st.integers(0, 3))] = draw(st.sampled_from(["upn ", " DATE", "Mark", "Pupil UPN", "??"]))
    date_format = draw(st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%d.%m.%y", "%m/%d/%Y", "%d %B %Y", "%Y%m%d"]))
    rows = []
    for i in range(draw(st.integers(0, 10))):
        values = {"UPN": upn, "Date": day(i // 2).strftime(date_format), "Session": ["AM", "PM"][i % 2],
                  "Code": draw(st.sampled_from(["/", "\\", "L", "N", "#"])), "Name": "Siân", "Notes": "", "Côd ysgol": "1"}
        row = [values.get(name.strip(), "x") for name in header]
        if row and draw(st.booleans()):
            row[draw(st.integers(0, len(row) - 1))] = draw(st.sampled_from(CELL_NASTIES))
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, len(row)))]  # a short row
        rows.append(sep.join(f'"{v}"' if sep in v or '"' in v or "\n" in v else v for v in row))
    text = "\r\n".join([sep.join(header), *rows])
    return text.encode(encoding, errors="replace")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_malformed_files_give_a_clear_error_or_a_correct_import(world, data):
    upn = world.learner_a.upn
    content = data.draw(marks_files(upn))
    before = list(AttendanceYear.objects.values_list("pk", "codes").order_by("pk"))
    imports = AttendanceImport.objects.count()
    result = attendance_marks_import(source=content, school=world.school_a)  # never raises
    if result.ok:
        # Examples share the database, and a date read month first (10/06/2025) may fall in the year before.
        record = result.record
        year = AttendanceYear.objects.get(learner=world.learner_a, academic_year=record.academic_year)
        assert AttendanceImport.objects.count() == imports + 1
        assert record.period_start >= datetime.date(record.academic_year, 9, 1)
        assert all(c in "/\\LN#-" for c in year.codes)
    else:
        assert result.error_count >= len(result.errors) > 0
        assert all(error.message and (error.row is None or error.row >= 2) for error in result.errors)
        assert list(AttendanceYear.objects.values_list("pk", "codes").order_by("pk")) == before
        assert AttendanceImport.objects.count() == imports
