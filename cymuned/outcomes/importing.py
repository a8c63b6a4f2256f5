"""Reading and checking a file of attendance marks: one row per learner per session (UPN, date, AM or PM, code).

:func:`read_marks` turns a CSV file, as a school's management information system exports it, into the weeks of
marks to store (one row of codes per learner per academic year), or into a report of what is wrong with it. It
writes nothing: ``services.attendance_marks_import`` stores the years (:func:`plan_years`) in one transaction.

How it stays fast and small on an LA's year (3.6 million marks, about 130 MB): polars parses the file on every core
into four columns of strings; each column is then checked and converted through a lookup table of its *distinct*
values (a few thousand UPNs, a few hundred dates, two sessions, a few dozen codes), joined back in one pass, so no
value is parsed twice and no Python loop runs over rows. The marks are then scattered into one flat column of code
numbers, a year of sessions per learner, from which the codes and every weekly and termly figure are computed.

What it accepts: UTF-8 with or without a byte-order mark, Windows-1252 (Excel's "CSV" in Wales) and UTF-16
(Excel's "Unicode text"); a comma, semicolon, tab or bar between values (found from the header); header names
matched without regard to case or spacing, through a mapping the column-mapping page can set; dates as
2024-09-03, 03/09/2024, 3/9/24, 03-09-2024, 03.09.2024, 3 Sep 2024, with or without a time of midnight (day
before month, as in the UK); sessions as AM/PM, A/P, morning/afternoon or bore/prynhawn; codes in either case.
Blank rows are skipped. Everything else is an error of the row and column, in the user's language.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import polars as pl
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cymuned.families.models import Learner
from cymuned.organisations.models import School

from .marks import (
    EMPTY_YEAR,
    FIGURE_COLUMNS,
    FIGURES,
    NO_SESSION,
    SESSIONS_PER_WEEK,
    SESSIONS_PER_YEAR,
    TERM_COLUMNS,
    WEEKLY_COLUMNS,
    WEEKLY_FIGURES,
    WEEKS_PER_YEAR,
    academic_year_bounds,
    academic_year_of,
    attendance_codes,
    figure_flags,
    session_position,
    week_terms,
    year_origin,
)

#: Row errors listed in a report (the first ones, in file order); the rest are counted.
MAX_ROW_ERRORS = 100
#: The header must end within this many bytes.
MAX_HEADER_BYTES = 64 * 1024
#: Values quoted in error messages are cut to this many characters.
MAX_SHOWN = 40

FIELDS = ("upn", "date", "session", "code", "school")
REQUIRED_FIELDS = ("upn", "date", "session", "code")
FIELD_LABELS = {
    "upn": gettext_lazy("UPN"),
    "date": gettext_lazy("date"),
    "session": gettext_lazy("session (AM or PM)"),
    "code": gettext_lazy("attendance code"),
    "school": gettext_lazy("school number"),
}
#: Header names tried for each field when the mapping does not name one (case and spacing do not matter).
DEFAULT_MAPPING: dict[str, tuple[str, ...]] = {
    "upn": ("UPN", "Pupil UPN", "Learner UPN", "RhDU"),
    "date": ("Date", "Session date", "Dyddiad"),
    "session": ("Session", "AM/PM", "Sesiwn", "Bore/Prynhawn"),
    "code": ("Code", "Mark", "Attendance code", "Attendance mark", "Cod", "Côd", "Marc"),
    # Not read unless mapped: each learner's school comes from the learner's record. Mapped, it is checked against it.
    "school": (),
}
SESSION_VALUES = {
    **dict.fromkeys(("AM", "A", "MORNING", "BORE", "1"), 0),
    **dict.fromkeys(("PM", "P", "AFTERNOON", "PRYNHAWN", "2"), 1),
}
#: Date formats tried in order (two-digit years first, so 03/09/24 is not read as the year 24).
DATE_FORMATS = (
    "%Y-%m-%d", "%d/%m/%y", "%d/%m/%Y", "%d-%m-%y", "%d-%m-%Y", "%d.%m.%y", "%d.%m.%Y", "%Y/%m/%d",
    "%d %b %Y", "%d-%b-%Y", "%d %B %Y", "%d-%b-%y",
)
DATETIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")
DELIMITERS = (",", ";", "\t", "|")
UPN_PATTERN = r"^[A-Z]\d{11}[0-9A-Z]$"

#: ``progress(fraction, stage)``: how far the import has got (0 to 1) and what it is doing, for a progress bar.
Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class RowError:
    """One problem: the row as a spreadsheet numbers it (the header is row 1; ``None`` for the whole file), the
    column as the file names it, and a message in the active language."""

    row: int | None
    column: str
    message: str
    code: str


@dataclass
class MarksFile:
    """A file's marks, checked and packed into years of codes, ready to store.

    ``positions`` holds, for the ``i``-th learner of ``learner_ids`` (sorted) and position ``p`` of the year's codes
    (``marks.session_position``), the code's index in ``alphabet`` at ``i * SESSIONS_PER_YEAR + p``: 0 is
    ``NO_SESSION``, no mark in the file.
    """

    learner_ids: pl.Series  # Int64, sorted, distinct
    learner_schools: pl.Series  # Int64: each learner's school
    positions: pl.Series  # UInt8
    alphabet: list[str]
    academic_year: int
    period_start: datetime.date
    period_end: datetime.date
    marks: int
    learners: int
    school_ids: list[int]
    file_name: str
    digest: _Digest

    @property
    def sha256(self) -> str:
        return self.digest.result()


@dataclass
class ReadResult:
    marks: MarksFile | None = None
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.marks is not None and not self.error_count


class FileRefused(Exception):
    """The file as a whole cannot be read: errors about the file, no rows looked at."""

    def __init__(self, *errors: RowError) -> None:
        super().__init__(errors[0].message)
        self.errors = list(errors)


def _refused(message: str, code: str, column: str = "") -> FileRefused:
    return FileRefused(RowError(row=None, column=column, message=message, code=code))


def _shown(value: object) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value))
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _normal(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def resolve_mapping(mapping: dict[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """The header names to look for, by field: the defaults, with the mapping's choices instead where it has one.

    A mapping value is a header name or a list of them; ``None`` or ``""`` for ``school`` means "no such column".
    """
    resolved = dict(DEFAULT_MAPPING)
    for key, value in (mapping or {}).items():
        if key not in FIELDS:
            raise _refused(_("The column mapping names an unknown field “%(field)s”.") % {"field": _shown(key)}, "bad_mapping")
        if value in (None, "", []) and key == "school":
            resolved[key] = ()
        elif isinstance(value, str) and value.strip():
            resolved[key] = (value,)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, str) and v.strip() for v in value):
            resolved[key] = tuple(value)
        else:
            raise _refused(_("The column mapping for “%(field)s” must name a column.") % {"field": key}, "bad_mapping")
    return resolved


# --- The file: encoding, delimiter, header -------------------------------------------------------------------------


@dataclass
class _Layout:
    encoding: str  # "utf-8", "cp1252" or "utf-16"
    separator: str
    header: list[str]
    columns: dict[str, int]  # field -> index of its column


@contextmanager
def _as_path_or_bytes(source: Any) -> Iterator[tuple[Path | bytes, str]]:
    """A path (uploads Django spooled to disk, command-line files) or bytes (small in-memory uploads), and a name."""
    if isinstance(source, (str, os.PathLike)):
        yield Path(source), Path(source).name
    elif isinstance(source, (bytes, bytearray, memoryview)):
        yield bytes(source), "upload.csv"
    elif hasattr(source, "temporary_file_path"):
        yield Path(source.temporary_file_path()), getattr(source, "name", "") or "upload.csv"
    else:
        source.seek(0)
        yield source.read(), getattr(source, "name", "") or "upload.csv"


def _head(data: Path | bytes) -> bytes:
    if isinstance(data, bytes):
        return data[:MAX_HEADER_BYTES]
    with open(data, "rb") as handle:
        return handle.read(MAX_HEADER_BYTES)


def _layout(head: bytes, mapping: dict[str, tuple[str, ...]]) -> _Layout:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
        text = head.decode("utf-16", errors="ignore")
    else:
        encoding = "utf-8"
        body = head.removeprefix(codecs.BOM_UTF8)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            # The head may end in the middle of a character: only an error before the last few bytes counts.
            if error.start < len(body) - 4 or len(body) < MAX_HEADER_BYTES:
                encoding = "cp1252"
                text = body.decode("cp1252", errors="replace")
            else:
                text = body[: error.start].decode("utf-8")
    if not text.strip():
        raise _refused(_("The file is empty."), "empty_file")
    first_line = text.lstrip("\ufeff").splitlines()[0] if "\n" in text or "\r" in text else None
    if first_line is None:
        if len(head) >= MAX_HEADER_BYTES:
            raise _refused(_("The first row is too long to be a row of column names."), "bad_header")
        first_line = text.lstrip("\ufeff")
    separator = max(DELIMITERS, key=lambda d: (first_line.count(d), -DELIMITERS.index(d)))
    header = next(csv.reader([first_line], delimiter=separator))
    names = [_normal(name) for name in header]
    columns: dict[str, int] = {}
    problems: list[RowError] = []
    for key in FIELDS:
        wanted = {_normal(candidate) for candidate in mapping[key]}
        found = [index for index, name in enumerate(names) if name in wanted]
        if len(found) > 1:
            shown = ", ".join(f"“{_shown(header[i])}”" for i in found)
            problems.append(RowError(
                None, header[found[0]],
                _("More than one column could be the %(field)s: %(columns)s. Keep one, or choose one in the column mapping.")
                % {"field": FIELD_LABELS[key], "columns": shown},
                "duplicate_column",
            ))
        elif found:
            columns[key] = found[0]
        elif key in REQUIRED_FIELDS:
            expected = " / ".join(f"“{_shown(name)}”" for name in mapping[key])
            problems.append(RowError(
                None, "",
                _("There is no column for the %(field)s: the first row should name it %(names)s.")
                % {"field": FIELD_LABELS[key], "names": expected},
                "missing_column",
            ))
    if problems:
        raise FileRefused(*problems)
    return _Layout(encoding=encoding, separator=separator, header=header, columns=columns)


def _transcoded(data: Path | bytes, encoding: str) -> Path:
    """The file re-encoded as UTF-8 in a temporary file (the caller deletes it), read in blocks of 1 MiB."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    handle = tempfile.NamedTemporaryFile(prefix="cymuned-marks-", suffix=".csv", delete=False)  # noqa: SIM115
    try:
        with handle:
            stream: IO[bytes] = open(data, "rb") if isinstance(data, Path) else io.BytesIO(data)  # noqa: SIM115
            with stream:
                while block := stream.read(1 << 20):
                    handle.write(decoder.decode(block).encode("utf-8"))
                handle.write(decoder.decode(b"", final=True).encode("utf-8"))
    except UnicodeDecodeError:
        os.unlink(handle.name)
        raise _refused(
            _("The file is not text in UTF-8 or Windows-1252. Save it from the spreadsheet as “CSV UTF-8”."), "bad_encoding"
        ) from None
    return Path(handle.name)


def _read_columns(data: Path | bytes, layout: _Layout) -> pl.DataFrame:
    indices = sorted(layout.columns.values())
    by_index = {index: key for key, index in layout.columns.items()}
    frame = pl.read_csv(
        data,
        has_header=False,
        skip_rows=1,
        separator=layout.separator,
        schema={f"c{i}": pl.String for i in range(max(len(layout.header), max(indices) + 1))},
        columns=indices,
        truncate_ragged_lines=True,
        missing_columns="insert",
        raise_if_empty=False,
        row_index_name="row",
        row_index_offset=2,
    )
    return frame.rename({f"c{i}": by_index[i] for i in indices})


def _load(data: Path | bytes, layout: _Layout) -> pl.DataFrame:
    """The mapped columns as strings, with each row's number; a file-level error if it is not readable CSV."""
    transcoded: Path | None = None
    try:
        if layout.encoding != "utf-8":
            transcoded = _transcoded(data, layout.encoding)
            return _read_columns(transcoded, layout)
        try:
            return _read_columns(data, layout)
        except pl.exceptions.ComputeError as error:
            if "utf-8" not in str(error).lower():
                raise
            transcoded = _transcoded(data, "cp1252")  # UTF-8 header, Windows-1252 further on
            return _read_columns(transcoded, layout)
    except FileRefused:
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError, OverflowError):
        raise _refused(
            _("The file could not be read as CSV: check that it was saved as CSV, with one row per learner per session."),
            "bad_csv",
        ) from None
    finally:
        if transcoded is not None:
            os.unlink(transcoded)


class _Digest:
    """The file's SHA-256, computed in a thread once :meth:`start` is called (hashlib lets go of the GIL): it is
    needed only for the record written last, so the importer starts it when PostgreSQL is storing the marks and a
    core is free. The file is opened at once, so the thread can read it even if a temporary upload is removed."""

    def __init__(self, data: Path | bytes) -> None:
        self.handle: IO[bytes] = io.BytesIO(data) if isinstance(data, bytes) else open(data, "rb")  # noqa: SIM115
        self.future: Future[str] | None = None

    def _digest(self) -> str:
        with self.handle:
            hashed = hashlib.sha256()
            while block := self.handle.read(1 << 22):
                hashed.update(block)
            return hashed.hexdigest()

    def start(self) -> None:
        if self.future is None:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cymuned-sha256")
            self.future = pool.submit(self._digest)
            pool.shutdown(wait=False)

    def result(self) -> str:
        self.start()
        assert self.future is not None
        return self.future.result()

    def close(self) -> None:
        if self.future is None:
            self.handle.close()


# --- Lookups of distinct values --------------------------------------------------------------------------------------
#
# Each column is checked and converted once per *distinct* value: ``_indexed`` gives the distinct values and, per
# row, the index of its value among them (a cast to an Enum of those values: one hash per row, no strings copied);
# a lookup computed on the distinct values is then gathered by that index. Problem codes: 0 means none.

UPN_MISSING, UPN_BAD, UPN_UNKNOWN, UPN_OTHER_SCHOOL = 1, 2, 3, 4
DATE_MISSING, DATE_BAD, DATE_OUTSIDE, DATE_FUTURE, DATE_WEEKEND = 1, 2, 3, 4, 5
VALUE_MISSING, VALUE_BAD = 1, 2
SCHOOL_UNKNOWN, SCHOOL_MISMATCH = 1, 2


def _indexed(frame: pl.DataFrame, column: str, usual: tuple[str, str] | None = None) -> tuple[pl.Series, pl.Series]:
    values = frame.get_column(column)
    if usual is not None:  # a column nearly always holding one of two values (AM, PM): two comparisons, no hashing
        second = values == usual[1]
        if ((values == usual[0]) | second).fill_null(False).all():
            return pl.Series(usual, dtype=pl.String), second.cast(pl.UInt32)
    runs = values.rle_id()
    if len(values) >= 64 and runs[-1] < len(values) // 8:  # in runs (UPNs, as a file sorted by learner has them)
        run_values = values.gather(runs.search_sorted(pl.int_range(0, runs[-1] + 1, dtype=runs.dtype, eager=True)))
        distinct = run_values.unique().drop_nulls().sort()
        if distinct.is_empty():
            return distinct, pl.Series([None] * len(values), dtype=pl.UInt32)
        return distinct, run_values.cast(pl.Enum(distinct)).to_physical().gather(runs)
    distinct = values.unique().drop_nulls().sort()
    if distinct.is_empty():
        return distinct, pl.Series([None] * len(values), dtype=pl.UInt32)
    return distinct, values.cast(pl.Enum(distinct)).to_physical()


def _per_row(lookup: pl.Series, index: pl.Series, *, missing: Any = None) -> pl.Series:
    """``lookup`` gathered by each row's index; ``missing`` where the row's cell is empty."""
    gathered = lookup.gather(index)
    return gathered.fill_null(missing) if missing is not None else gathered


def _learners(distinct: pl.Series, school: School | None) -> tuple[pl.Series, pl.Series, pl.Series]:
    """For each distinct raw UPN: the learner's id, the learner's school, and the problem code."""
    norm = distinct.str.strip_chars().str.to_uppercase()
    well_formed = norm.str.contains(UPN_PATTERN)
    wanted = norm.filter(well_formed).unique().to_list()
    found: dict[str, tuple[int, int]] = {}
    if connection.vendor == "postgresql":  # one query, no model machinery: an LA's file names ten thousand learners
        with connection.cursor() as cursor:
            cursor.execute("SELECT upn, id, school_id FROM families_learner WHERE upn = ANY(%s)", [wanted])
            found.update((upn, (pk, school_id)) for upn, pk, school_id in cursor.fetchall())
    else:
        for start in range(0, len(wanted), 5000):
            found.update((upn, (pk, school_id)) for upn, pk, school_id in
                         Learner.objects.filter(upn__in=wanted[start : start + 5000]).values_list("upn", "pk", "school_id"))
    ids, schools, problems = [], [], []
    for upn, ok in zip(norm.to_list(), well_formed.to_list(), strict=True):
        pk, school_id = found.get(upn, (None, None))
        ids.append(pk)
        schools.append(school_id)
        if not ok:
            problems.append(UPN_BAD)
        elif pk is None:
            problems.append(UPN_UNKNOWN)
        else:
            problems.append(UPN_OTHER_SCHOOL if school is not None and school_id != school.pk else 0)
    return (pl.Series(ids, dtype=pl.Int64), pl.Series(schools, dtype=pl.Int64), pl.Series(problems, dtype=pl.UInt8))


def _parse_dates(distinct: pl.Series) -> pl.Series:
    text = distinct.str.strip_chars()
    frame = pl.DataFrame({"text": text})
    parsers = [pl.col("text").str.strptime(pl.Date, fmt, strict=False) for fmt in DATE_FORMATS]
    parsers += [pl.col("text").str.strptime(pl.Datetime, fmt, strict=False).dt.date() for fmt in DATETIME_FORMATS]
    return frame.select(day=pl.coalesce(parsers)).get_column("day")


def _date_problems(days: pl.Series, *, first_day: datetime.date, last_day: datetime.date, today: datetime.date) -> pl.Series:
    return pl.DataFrame({"day": days}).select(
        pl.when(pl.col("day").is_null()).then(DATE_BAD)
        .when((pl.col("day") < first_day) | (pl.col("day") > last_day)).then(DATE_OUTSIDE)
        .when(pl.col("day") > today).then(DATE_FUTURE)
        .when(pl.col("day").dt.weekday() > 5).then(DATE_WEEKEND)
        .otherwise(0).cast(pl.UInt8)
    ).to_series()


def _choices(distinct: pl.Series, choices: dict[str, int], dtype: pl.DataType) -> pl.Series:
    """Each distinct raw value's number in ``choices`` (after trimming and upper-casing), or null."""
    norm = distinct.str.strip_chars().str.to_uppercase()
    return norm.replace_strict(list(choices), list(choices.values()), default=None, return_dtype=dtype)


def _school_ids(distinct: pl.Series) -> pl.Series:
    norm = distinct.str.strip_chars()
    numbers = [n for n in norm.unique().to_list() if n and len(n) <= 7][:5000]
    known = dict(School.objects.filter(school_number__in=numbers).values_list("school_number", "pk"))
    return pl.Series([known.get(n) for n in norm.to_list()], dtype=pl.Int64)


# --- Reading ---------------------------------------------------------------------------------------------------------


def read_marks(
    source: Any,
    *,
    school: School | None = None,
    mapping: dict[str, Any] | None = None,
    academic_year: int | None = None,
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> ReadResult:
    """Read and check a file of marks; never raises for anything wrong with the file (it is in ``errors``).

    ``source``: a path, bytes, or an uploaded file. ``school``: the school the file is for, whose learners alone it
    may hold (``None`` for an LA-wide file: each learner's own school). ``academic_year`` (the year it starts in
    September): every date must be in it; by default the year most of the distinct dates are in.
    """
    report = progress or (lambda fraction, stage: None)
    today = today or timezone.localdate()
    try:
        resolved = resolve_mapping(mapping)
        with _as_path_or_bytes(source) as (data, name):
            report(0.0, "reading")
            layout = _layout(_head(data), resolved)
            frame = _load(data, layout)
            digest = _Digest(data)
    except FileRefused as refused:
        return ReadResult(errors=refused.errors, error_count=len(refused.errors))
    report(0.3, "checking")
    header = {key: layout.header[index] for key, index in layout.columns.items()}
    fields = list(layout.columns)
    if frame.select(pl.any_horizontal(pl.col(fields).is_null()).any()).item():
        frame = frame.filter(pl.any_horizontal(pl.col(fields).is_not_null()))  # blank rows
    if frame.is_empty():
        digest.close()
        error = RowError(None, "", _("The file has no marks in it: only the row of column names."), "no_rows")
        return ReadResult(errors=[error], error_count=1)
    result = _check_and_pack(frame, header=header, school=school, academic_year=academic_year, today=today,
                             name=name, digest=digest, report=report)
    if result.marks is None:
        digest.close()
    return result


def _check_and_pack(frame: pl.DataFrame, *, header: dict[str, str], school: School | None, academic_year: int | None,
                    today: datetime.date, name: str, digest: _Digest, report: Progress) -> ReadResult:
    codes = attendance_codes()
    alphabet = [NO_SESSION, *codes]
    upns, upn_index = _indexed(frame, "upn")
    learner_ids, learner_schools, upn_problems = _learners(upns, school)
    dates, date_index = _indexed(frame, "date")
    days = _parse_dates(dates)
    if academic_year is None:
        years = days.drop_nulls().map_elements(academic_year_of, return_dtype=pl.Int32) if days.null_count() < len(days) else None
        academic_year = int(years.mode().sort()[0]) if years is not None and len(years) else academic_year_of(today)
    first_day, last_day = academic_year_bounds(academic_year)
    first_monday = first_day - datetime.timedelta(days=first_day.weekday())
    sessions, session_index = _indexed(frame, "session", usual=("AM", "PM"))
    marks, code_index = _indexed(frame, "code")

    code_numbers = _choices(marks, {c: i for i, c in enumerate(alphabet) if i}, pl.UInt8)
    lookups = {  # per distinct value: its problem (0 for none), the rows' indexes, the problem of an empty cell
        "upn": (upn_problems, upn_index, UPN_MISSING),
        "date": (_date_problems(days, first_day=first_day, last_day=last_day, today=today), date_index, DATE_MISSING),
        "session": (_choices(sessions, SESSION_VALUES, pl.UInt8).is_null().cast(pl.UInt8) * VALUE_BAD, session_index,
                    VALUE_MISSING),
        "code": (code_numbers.is_null().cast(pl.UInt8) * VALUE_BAD, code_index, VALUE_MISSING),
    }
    # The usual case, checked on the distinct values alone: no empty cell, no bad value, no school column.
    clean = "school" not in header and all(
        not (lookup > 0).any() and index.null_count() == 0 for lookup, index, _missing in lookups.values())
    rows = frame.height
    if clean:
        problem_frame = pl.DataFrame({key: pl.zeros(rows, dtype=pl.UInt8, eager=True) for key in lookups})
        bad_rows = pl.repeat(False, rows, dtype=pl.Boolean, eager=True)
        error_count = 0
    else:
        problems = {key: _per_row(lookup, index, missing=missing) for key, (lookup, index, missing) in lookups.items()}
        if "school" in header:
            row_learner_school = _per_row(learner_schools, upn_index)
            numbers, number_index = _indexed(frame, "school")
            row_school = _per_row(_school_ids(numbers), number_index)
            problems["school"] = (
                pl.DataFrame({"s": row_school, "n": frame.get_column("school"), "l": row_learner_school})
                .select(pl.when(pl.col("n").is_null()).then(0)
                        .when(pl.col("s").is_null()).then(SCHOOL_UNKNOWN)
                        .when(pl.col("l").is_not_null() & (pl.col("l") != pl.col("s"))).then(SCHOOL_MISMATCH)
                        .otherwise(0).cast(pl.UInt8))
                .to_series()
            )
        problem_frame = pl.DataFrame(problems)
        bad_rows = problem_frame.select(pl.any_horizontal(pl.all() > 0)).to_series()
        error_count = int(problem_frame.select(pl.sum_horizontal((pl.all() > 0).cast(pl.UInt32)).sum()).item())

    # Where each valid mark goes: learner (dense number) x week of the year x session of the week.
    learner_dense = learner_ids.rank("dense").cast(pl.Int64) - 1  # raw UPNs of the same learner share a number
    learners = learner_ids.filter(learner_dense.is_not_null()).unique().sort()
    weeks_in_year = WEEKS_PER_YEAR
    day_numbers = pl.Series([None if d is None else (d - first_monday).days for d in days.to_list()], dtype=pl.Int64)
    halves = _choices(sessions, SESSION_VALUES, pl.Int64)
    cells = pl.DataFrame({
        "l": _per_row(learner_dense, upn_index), "d": _per_row(day_numbers, date_index), "h": _per_row(halves, session_index),
    }).select(cell=((pl.col("l") * weeks_in_year + pl.col("d") // 7) * SESSIONS_PER_WEEK + (pl.col("d") % 7) * 2 + pl.col("h")))
    cells = cells.to_series().set(bad_rows, None) if error_count else cells.to_series()
    size = max(1, len(learners) * SESSIONS_PER_YEAR)
    valid = rows - cells.null_count()
    positions = None
    if not error_count:  # every code is a number from 1: a cell written twice leaves fewer cells filled than rows
        positions = pl.zeros(size, dtype=pl.UInt8, eager=True).scatter(cells, _per_row(code_numbers, code_index))
        twice = (positions > 0).sum() != valid
    else:
        twice = pl.zeros(size, dtype=pl.UInt8, eager=True).scatter(cells.drop_nulls(), 1).sum() != valid
    if twice:  # the same learner, day and session again
        duplicate = cells.is_not_null() & ~cells.is_first_distinct()
        problem_frame = problem_frame.with_columns(duplicate=duplicate.cast(pl.UInt8))
        error_count += int(duplicate.sum())
        bad_rows = bad_rows | duplicate
    if error_count:
        return ReadResult(errors=_row_errors(frame, problem_frame, bad_rows, header=header, school=school,
                                             year=academic_year), error_count=error_count)
    assert positions is not None

    report(0.45, "packing")
    del frame, problem_frame, cells
    roll = (pl.DataFrame({"learner_id": learner_ids, "school_id": learner_schools}).drop_nulls("learner_id")
            .unique("learner_id").sort("learner_id"))
    used_days = days.gather(date_index.unique().drop_nulls())
    return ReadResult(marks=MarksFile(
        learner_ids=roll.get_column("learner_id"),
        learner_schools=roll.get_column("school_id"),
        positions=positions,
        alphabet=alphabet,
        academic_year=academic_year,
        period_start=used_days.min(),  # type: ignore[arg-type]
        period_end=used_days.max(),  # type: ignore[arg-type]
        marks=valid,
        learners=len(learners),
        school_ids=sorted(roll.get_column("school_id").unique().to_list()),
        file_name=name[:255],
        digest=digest,
    ))


def _row_errors(frame: pl.DataFrame, problems: pl.DataFrame, bad_rows: pl.Series, *, header: dict[str, str],
                school: School | None, year: int) -> list[RowError]:
    """Messages for the first ``MAX_ROW_ERRORS`` problems, in file order."""
    year_label = f"{year}/{(year + 1) % 100:02d}"
    messages: dict[tuple[str, int], tuple[str, Callable[[dict], str]]] = {
        ("upn", UPN_MISSING): ("missing_upn", lambda r: _("Enter the learner's UPN.")),
        ("upn", UPN_BAD): ("bad_upn", lambda r: _("“%(value)s” is not a UPN: a capital letter, 11 digits, then a digit or "
                                                  "capital letter.") % {"value": _shown(r["upn"])}),
        ("upn", UPN_UNKNOWN): ("unknown_learner",
                               lambda r: _("There is no learner with the UPN “%(value)s”.") % {"value": _shown(r["upn"])}),
        ("upn", UPN_OTHER_SCHOOL): ("other_school", lambda r: _("The learner with the UPN “%(value)s” is not on the roll of "
                                                                "%(school)s.") % {"value": _shown(r["upn"]), "school": school}),
        ("date", DATE_MISSING): ("missing_date", lambda r: _("Enter the date.")),
        ("date", DATE_BAD): ("bad_date", lambda r: _("“%(value)s” is not a date: write it like 31/12/2024 or 2024-12-31.")
                             % {"value": _shown(r["date"])}),
        ("date", DATE_OUTSIDE): ("outside_year", lambda r: _("%(date)s is outside the academic year %(year)s.")
                                 % {"date": _shown(r["date"]), "year": year_label}),
        ("date", DATE_FUTURE): ("future_date", lambda r: _("%(date)s is in the future: attendance is recorded for past "
                                                           "sessions.") % {"date": _shown(r["date"])}),
        ("date", DATE_WEEKEND): ("weekend", lambda r: _("%(date)s is a Saturday or Sunday: schools record sessions on "
                                                        "weekdays.") % {"date": _shown(r["date"])}),
        ("session", VALUE_MISSING): ("missing_session", lambda r: _("Enter the session: AM or PM.")),
        ("session", VALUE_BAD): ("bad_session", lambda r: _("“%(value)s” is not a session: enter AM or PM.")
                                 % {"value": _shown(r["session"])}),
        ("code", VALUE_MISSING): ("missing_code", lambda r: _("Enter the attendance code.")),
        ("code", VALUE_BAD): ("bad_code", lambda r: _("“%(value)s” is not an attendance code.") % {"value": _shown(r["code"])}),
        ("school", SCHOOL_UNKNOWN): ("unknown_school", lambda r: _("There is no school with the number “%(value)s”.")
                                     % {"value": _shown(r["school"])}),
        ("school", SCHOOL_MISMATCH): ("wrong_school", lambda r: _("The learner is on the roll of another school than "
                                                                  "%(value)s.") % {"value": _shown(r["school"])}),
        ("duplicate", 1): ("duplicate_row", lambda r: _("This learner's %(session)s session on %(date)s is already in an "
                                                        "earlier row.") % {"session": _shown(r["session"]), "date": _shown(r["date"])}),
    }
    rows = frame.with_columns(problems.rename(lambda c: f"problem_{c}")).filter(bad_rows).head(MAX_ROW_ERRORS)
    errors: list[RowError] = []
    for row in rows.iter_rows(named=True):
        for column in problems.columns:
            problem = row[f"problem_{column}"]
            if problem and len(errors) < MAX_ROW_ERRORS:
                code, message = messages[(column, problem)]
                shown_column = header.get("session" if column == "duplicate" else column, column)
                errors.append(RowError(row=row["row"], column=shown_column, message=message(row), code=code))
    return errors


# --- Replacing stored years ------------------------------------------------------------------------------------------

ARRAY_COLUMNS = (*WEEKLY_COLUMNS, *TERM_COLUMNS)
#: A stored year as the importer reads it back, its counts as PostgreSQL writes an array: ``{0,10,9}``.
STORED_SCHEMA = {
    "id": pl.Int64, "learner_id": pl.Int64, "school_id": pl.Int64, "codes": pl.String, **dict.fromkeys(ARRAY_COLUMNS, pl.String),
}
WRITTEN_COLUMNS = ("learner_id", "school_id", "academic_year", "codes", *ARRAY_COLUMNS)


def array_text(counts: list[int]) -> str:
    """Counts as PostgreSQL writes an array, the form stored and new years are compared in."""
    return "{" + ",".join(str(int(count)) for count in counts) + "}"


@dataclass
class YearsPlan:
    """What storing a file changes: stored rows to delete (by id), rows to write, learners whose figures change."""

    delete_ids: list[int]
    write: pl.DataFrame  # WRITTEN_COLUMNS, the counts as array text
    learner_ids: list[int]  # sorted
    removed: int  # stored years left with no marks at all
    flags: pl.Series  # UInt8: the figure bits (marks.figure_flags) of each session of each changed learner, in order
    weekly: pl.DataFrame  # the figures of marks.WEEKLY_FIGURES by week (lists) of each changed learner, in order


def plan_years(marks: MarksFile, stored: pl.DataFrame, *, school_ids: list[int]) -> YearsPlan:
    """Merge a file's marks with the stored years of the same learners and schools, and count every figure.

    Inside the file's period (its first day to its last) the file wins (sessions it has no mark for become
    ``NO_SESSION``); outside it the stored marks stay. Stored years of learners the file leaves out are cleared for
    the period if they belong to the file's schools, and left alone otherwise. A stored row whose content would not
    change is neither deleted nor written, so the same file twice changes nothing. Vectorised: the codes are
    handled as one flat column of code numbers, learner after learner, and each figure is a sum of bits per week.
    """
    size = SESSIONS_PER_YEAR
    year = marks.academic_year
    first = session_position(year, marks.period_start)
    last = session_position(year, marks.period_end, afternoon=True) + 1
    new = pl.DataFrame({"learner_id": marks.learner_ids, "school_id": marks.learner_schools}).with_row_index("n")
    old = stored.rename({c: f"{c}_old" for c in stored.columns if c != "learner_id"}).with_row_index("o")
    rows = new.join(old, on="learner_id", how="full", coalesce=True)
    rows = rows.filter(pl.col("n").is_not_null() | pl.col("school_id_old").is_in(school_ids)).sort("learner_id")
    count = rows.height
    alphabet = list(marks.alphabet)
    if stored.is_empty():
        positions = marks.positions  # the rows are the file's learners, in the same order
    else:
        chars = stored.get_column("codes").str.split("").explode()
        alphabet += sorted(set(chars.unique().to_list()) - set(alphabet))  # codes no longer in the settings: kept
        old_positions = chars.replace_strict(alphabet, list(range(len(alphabet))), return_dtype=pl.UInt8)
        cell = pl.int_range(0, count * size, dtype=pl.Int64, eager=True)
        row, position = cell // size, cell % size
        positions = pl.DataFrame({
            "inside": (position >= first) & (position < last),
            "new": marks.positions.gather(rows.get_column("n").cast(pl.Int64).gather(row) * size + position),
            "old": old_positions.gather(rows.get_column("o").cast(pl.Int64).gather(row) * size + position),
        }).select(pl.when("inside").then(pl.col("new").fill_null(0)).otherwise(pl.col("old").fill_null(0))).to_series()
    bits = [figure_flags().get(code, 0) for code in alphabet]
    flags = pl.Series(bits, dtype=pl.UInt8).gather(positions)
    by_week: dict[str, pl.Series] = {}  # each figure's count per learner per week, learner after learner
    for bit, name in enumerate(FIGURES):  # each figure: 0 or 1 per session, by a lookup of the code number; summed by week
        counted = pl.Series([(b >> bit) & 1 for b in bits], dtype=pl.UInt8).gather(positions)
        by_week[name] = counted.reshape((count * WEEKS_PER_YEAR, SESSIONS_PER_WEEK)).arr.sum()
    terms = week_terms(year)
    in_term = [pl.Series([int(term == t) for term in terms] * count, dtype=pl.Int64) for t in (1, 2, 3)]
    texts: dict[str, pl.Series] = {}  # as PostgreSQL writes an array: the form COPY reads and stored rows compare in
    for name in WEEKLY_FIGURES:
        texts[f"weekly_{FIGURE_COLUMNS[name]}"] = "{" + by_week[name].cast(pl.String).reshape((count, WEEKS_PER_YEAR)) \
            .arr.join(",") + "}"
    for name, short in FIGURE_COLUMNS.items():
        sums = [(by_week[name] * weeks).reshape((count, WEEKS_PER_YEAR)).arr.sum().cast(pl.String) for weeks in in_term]
        texts[f"term_{short}"] = "{" + sums[0] + "," + sums[1] + "," + sums[2] + "}"
    figures = pl.DataFrame(texts)
    weekly = pl.DataFrame({name: by_week[name].reshape((count, WEEKS_PER_YEAR)).cast(pl.List(pl.Int16)) for name in WEEKLY_FIGURES})
    merged = pl.concat([
        rows.select("learner_id", "id_old", *(f"{c}_old" for c in ("school_id", "codes", *ARRAY_COLUMNS)),
                    school_id=pl.coalesce("school_id", "school_id_old"), academic_year=pl.lit(year, pl.Int16)),
        figures,
        pl.DataFrame({"codes": pl.Series(alphabet, dtype=pl.String).gather(positions).reshape((count, size)).arr.join("")}),
    ], how="horizontal")
    same = pl.all_horizontal([pl.col(c).eq_missing(pl.col(f"{c}_old")) for c in ("school_id", "codes", *ARRAY_COLUMNS)])
    merged = merged.with_columns(changed=~same, empty=pl.col("codes") == EMPTY_YEAR)
    changed = merged.get_column("changed")
    written = merged.filter(pl.col("changed") & ~pl.col("empty"))
    return YearsPlan(
        delete_ids=merged.filter(pl.col("changed")).get_column("id_old").drop_nulls().to_list(),
        write=written.select(WRITTEN_COLUMNS),
        learner_ids=merged.filter(pl.col("changed")).get_column("learner_id").to_list(),
        removed=merged.filter(pl.col("changed") & pl.col("empty") & pl.col("id_old").is_not_null()).height,
        flags=flags.reshape((count, size)).filter(changed).reshape((-1,)) if changed.any() else pl.Series(dtype=pl.UInt8),
        weekly=weekly.filter(changed),
    )


def summary_figures(plan: YearsPlan, marks: MarksFile, points: pl.DataFrame) -> pl.DataFrame:
    """Year-to-date sums of the changed learners as at each of ``points`` (learner_id, as_at), counted exactly to the
    end of the day: learner_id, as_at and the figures of ``marks.WEEKLY_FIGURES`` (0 possible: nothing to hold).
    The weeks before the day's are summed from the weekly figures, the day's week session by session."""
    size = SESSIONS_PER_YEAR
    origin = year_origin(marks.academic_year)
    index = pl.DataFrame({"learner_id": plan.learner_ids}, schema={"learner_id": pl.Int64}).with_row_index("r")
    days = (pl.col("as_at") - pl.lit(origin)).dt.total_days()
    points = points.join(index, on="learner_id").with_columns(
        end=((days // 7) * SESSIONS_PER_WEEK + pl.min_horizontal(days % 7, 4) * 2 + 2).clip(0, size),
    ).with_columns(weeks=pl.col("end") // SESSIONS_PER_WEEK, rest=pl.col("end") % SESSIONS_PER_WEEK)
    rows = points.get_column("r")
    week_start = rows.cast(pl.Int64) * size + points.get_column("weeks") * SESSIONS_PER_WEEK
    rest = points.get_column("rest")
    last = max(len(plan.flags) - 1, 0)
    in_week = [plan.flags.gather((week_start + j).clip(0, last)) * (rest > j).cast(pl.UInt8) for j in range(SESSIONS_PER_WEEK)]
    sums = {}
    for bit, name in enumerate(FIGURES):
        if name in WEEKLY_FIGURES:
            before = plan.weekly.get_column(name).gather(rows)
            sums[name] = pl.DataFrame({"w": before, "n": points.get_column("weeks")}).select(
                pl.col("w").list.slice(0, pl.col("n")).list.sum().cast(pl.Int64)).to_series()
            sums[name] += sum(((flags & (1 << bit)) > 0).cast(pl.Int64) for flags in in_week)
    return points.select("learner_id", "as_at").with_columns(**sums)
