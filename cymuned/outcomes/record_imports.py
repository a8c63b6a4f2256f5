"""Reading and checking files of learners, behaviour incidents, exclusions and assessment results.

Each kind of file is declared by its fields, ``(name, label, required, aliases)``, which the column-mapping page
shows and :func:`read_records` matches the file's first row against (case and spacing do not matter; a mapping
``{field: column}`` overrides the aliases). The file itself is read as the attendance marks are
(:mod:`.importing`): UTF-8 with or without a byte-order mark, Windows-1252 or UTF-16; a comma, semicolon, tab or
bar between values; polars parses it into string columns. XLSX files are converted to CSV before they get here.

Checking is vectorised: every rule is a polars expression over a whole column (learners and schools are looked up
once per *distinct* UPN or school number), giving each cell a problem code or none; only the first
``MAX_ROW_ERRORS`` problems are turned into messages, in the user's language, with the row (the header is row 1),
the column as the file names it and the value. Nothing here writes: :mod:`.record_services` stores a checked
:class:`RecordsFile` in one transaction, all or nothing.

The four importers (:func:`learners_import`, :func:`behaviour_import`, :func:`exclusions_import`,
:func:`results_import`) are at the bottom with :data:`KIND_DEFINITIONS`, the list the import pages register.
"""

from __future__ import annotations

import codecs
import csv
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import connection
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cymuned.families.models import Learner
from cymuned.organisations.models import School

from .importing import (
    DELIMITERS,
    MAX_HEADER_BYTES,
    MAX_ROW_ERRORS,
    UPN_BAD,
    UPN_OTHER_SCHOOL,
    UPN_PATTERN,
    UPN_UNKNOWN,
    FileRefused,
    Progress,
    RowError,
    _as_path_or_bytes,
    _Digest,
    _head,
    _Layout,
    _learners,
    _normal,
    _parse_dates,
    _read_columns,
    _refused,
    _shown,
    _transcoded,
)
from .models import ExclusionKind, RecordsKind

#: Files longer than this are refused before any row is checked (an LA's learners are some 10,000 rows a year).
MAX_ROWS = 500_000
#: A cell starting like a spreadsheet formula (=, +, @, a tab or a carriage return; or - then not a number): refused
#: in text columns, so that the value can never run as a formula when someone exports it to a spreadsheet again.
FORMULA = r"^[=+@\t\r]|^-[^0-9.]"
#: The earliest date a record may have.
EARLIEST = datetime.date(2000, 1, 1)

#: ``(name, label, required, aliases)``: the target fields of a kind, for the column-mapping page.
FieldSpec = tuple[str, Promise, bool, tuple[str, ...]]

UPN_FIELD: FieldSpec = ("upn", gettext_lazy("UPN"), True, ("UPN", "Pupil UPN", "Learner UPN", "RhDU", "Unique pupil number"))
# Not "Year": in MIS exports that is the year group.
YEAR_FIELD: FieldSpec = ("academic_year", gettext_lazy("academic year"), False, ("Academic year", "Blwyddyn academaidd"))
REFERENCE_FIELD: FieldSpec = ("reference", gettext_lazy("reference"), False, ("Reference", "Ref", "ID", "Cyfeirnod"))

LEARNER_FIELDS: list[FieldSpec] = [
    UPN_FIELD,
    ("given_name", gettext_lazy("first name"), True, ("Forename", "First name", "Given name", "Legal forename", "Enw cyntaf")),
    ("family_name", gettext_lazy("last name"), True, ("Surname", "Last name", "Family name", "Legal surname", "Cyfenw")),
    ("date_of_birth", gettext_lazy("date of birth"), True, ("DOB", "Date of birth", "Birth date", "Dyddiad geni")),
    ("year_group", gettext_lazy("year group"), True, ("Year group", "Year", "NC year", "Curriculum year", "Blwyddyn")),
    ("gender", gettext_lazy("gender"), False, ("Gender", "Sex", "Rhywedd", "Rhyw")),
    ("efsm", gettext_lazy("eFSM"), False, ("eFSM", "FSM", "Free school meals", "Prydau ysgol am ddim", "PYDd")),
    ("additional_learning_needs", gettext_lazy("additional learning needs"), False,
     ("ALN", "SEN", "Additional learning needs", "ADY", "Anghenion dysgu ychwanegol")),
    ("looked_after", gettext_lazy("looked after"), False, ("Looked after", "LAC", "CLA", "Looked after child", "Derbyn gofal")),
    ("english_additional_language", gettext_lazy("English as an additional language"), False, ("EAL",)),
    ("welsh_additional_language", gettext_lazy("Welsh as an additional language"), False, ("WAL",)),
    ("school", gettext_lazy("school number"), False, ("School number", "LAESTAB", "DfES", "School", "Rhif ysgol")),
]
BEHAVIOUR_FIELDS: list[FieldSpec] = [
    UPN_FIELD,
    ("occurred_on", gettext_lazy("date"), True, ("Date", "Incident date", "Dyddiad")),
    ("incident_type", gettext_lazy("type of incident"), True,
     ("Type", "Incident type", "Incident", "Behaviour", "Math o ddigwyddiad")),
    ("severity", gettext_lazy("severity"), True, ("Severity", "Level", "Difrifoldeb")),
    REFERENCE_FIELD,
    YEAR_FIELD,
]
EXCLUSION_FIELDS: list[FieldSpec] = [
    UPN_FIELD,
    ("start_date", gettext_lazy("first day"), True, ("Start date", "Date", "From", "Dyddiad dechrau")),
    ("kind", gettext_lazy("kind of exclusion"), True, ("Kind", "Type", "Exclusion type", "Category", "Math")),
    ("days", gettext_lazy("school days lost"), False, ("Days", "Length", "Days lost", "School days lost", "Diwrnodau")),
    ("reason", gettext_lazy("reason"), False, ("Reason", "Rheswm")),
    REFERENCE_FIELD,
    YEAR_FIELD,
]
RESULT_FIELDS: list[FieldSpec] = [
    UPN_FIELD,
    ("subject", gettext_lazy("subject"), True, ("Subject", "Pwnc")),
    ("assessment", gettext_lazy("assessment or qualification"), True,
     ("Assessment", "Qualification", "Aspect", "Asesiad", "Cymhwyster")),
    ("grade", gettext_lazy("grade"), False, ("Grade", "Result", "Level", "Gradd", "Canlyniad")),
    ("points", gettext_lazy("points"), False, ("Points", "Score", "Pwyntiau")),
    ("assessed_on", gettext_lazy("date"), True, ("Date", "Assessment date", "Result date", "Dyddiad")),
    YEAR_FIELD,
]
FIELDS_BY_KIND: dict[str, list[FieldSpec]] = {
    RecordsKind.LEARNERS: LEARNER_FIELDS,
    RecordsKind.BEHAVIOUR: BEHAVIOUR_FIELDS,
    RecordsKind.EXCLUSIONS: EXCLUSION_FIELDS,
    RecordsKind.RESULTS: RESULT_FIELDS,
}
#: The date that sets each kind's period (a corrected file replaces the rows of its schools in its period).
DATE_FIELD = {RecordsKind.BEHAVIOUR: "occurred_on", RecordsKind.EXCLUSIONS: "start_date", RecordsKind.RESULTS: "assessed_on"}
#: What makes a row the same record as a stored one (and two rows of a file duplicates).
KEYS = {
    RecordsKind.LEARNERS: ("upn",),
    RecordsKind.BEHAVIOUR: ("learner_id", "occurred_on", "incident_type", "reference"),
    RecordsKind.EXCLUSIONS: ("learner_id", "start_date"),
    RecordsKind.RESULTS: ("learner_id", "subject", "assessment", "assessed_on"),
}
#: The model fields each kind writes (besides learner and school).
WRITTEN = {
    RecordsKind.LEARNERS: ("given_name", "family_name", "date_of_birth", "year_group", "gender", "efsm",
                           "additional_learning_needs", "looked_after", "english_additional_language",
                           "welsh_additional_language"),
    RecordsKind.BEHAVIOUR: ("occurred_on", "academic_year", "incident_type", "severity", "reference"),
    RecordsKind.EXCLUSIONS: ("start_date", "academic_year", "kind", "days", "reason", "reference"),
    RecordsKind.RESULTS: ("subject", "assessment", "grade", "points", "assessed_on", "academic_year"),
}

YES_NO = {
    **dict.fromkeys(("Y", "YES", "TRUE", "T", "1", "IE", "OES", "DO", "GWIR"), True),
    **dict.fromkeys(("N", "NO", "FALSE", "F", "0", "NA", "NAC OES", "NADDO", "NA DDO", "GAU"), False),
}
GENDERS = {
    **dict.fromkeys(("F", "FEMALE", "GIRL", "W", "BENYW", "MERCH"), "F"),
    **dict.fromkeys(("M", "MALE", "BOY", "GWRYW", "BACHGEN"), "M"),
    **dict.fromkeys(("X", "U", "O", "OTHER", "NOT STATED", "NOT KNOWN", "UNKNOWN", "ARALL"), "X"),
}
YEAR_GROUP_WORDS = {
    **dict.fromkeys(("R", "REC", "RECEPTION", "DERBYN", "YR", "YEARR", "YEARRECEPTION", "BLWYDDYNDERBYN"), 0),
    **dict.fromkeys(("N", "N1", "N2", "NURSERY", "MEITHRIN", "NUR", "FS1"), -1),
}
SEVERITIES = {
    **{str(n): n for n in (1, 2, 3, 4)},
    **dict.fromkeys(("LOW", "MINOR", "ISEL"), 1),
    **dict.fromkeys(("MODERATE", "MEDIUM", "CANOLIG", "CYMEDROL"), 2),
    **dict.fromkeys(("HIGH", "MAJOR", "UCHEL"), 3),
    **dict.fromkeys(("SERIOUS", "SEVERE", "VERY HIGH", "DIFRIFOL"), 4),
}
EXCLUSION_KINDS = {
    **dict.fromkeys(("FIXED", "FIXED TERM", "FIXED-TERM", "FT", "F", "FIXED_TERM", "TEMPORARY", "SUSPENSION",
                     "CYFNOD PENODOL", "DROS DRO", "GWAHARDD CYFNOD PENODOL"), ExclusionKind.FIXED_TERM.value),
    **dict.fromkeys(("PERMANENT", "PERM", "P", "PARHAOL", "GWAHARDD PARHAOL"), ExclusionKind.PERMANENT.value),
}
#: Text columns and their longest values (the model's max_length).
TEXT_LENGTHS = {
    "given_name": 100, "family_name": 100, "incident_type": 100, "reference": 60, "reason": 200, "subject": 100,
    "assessment": 120, "grade": 20,
}


@dataclass
class RecordsFile:
    """A checked file, ready to store: ``frame`` has one typed row per record (``learner_id`` and ``school_id``
    resolved; for learners, ``learner_id`` is null for new ones), ``columns`` the fields the file gave."""

    kind: str
    frame: pl.DataFrame
    columns: list[str]
    school_ids: list[int]
    academic_years: list[int]
    period_start: datetime.date | None
    period_end: datetime.date | None
    file_name: str
    digest: _Digest

    @property
    def rows(self) -> int:
        return self.frame.height

    @property
    def sha256(self) -> str:
        return self.digest.result()


@dataclass
class RecordsRead:
    file: RecordsFile | None = None
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.file is not None and not self.error_count


# --- The file: encoding, delimiter, header -----------------------------------------------------------------------


def _sniff(head: bytes) -> tuple[str, str, list[str]]:
    """The encoding, the separator and the header of a file, from its first bytes (as ``importing._layout``)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, text = "utf-16", head.decode("utf-16", errors="ignore")
    else:
        encoding = "utf-8"
        body = head.removeprefix(codecs.BOM_UTF8)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(body) - 4 or len(body) < MAX_HEADER_BYTES:
                encoding, text = "cp1252", body.decode("cp1252", errors="replace")
            else:
                text = body[: error.start].decode("utf-8")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise _refused(_("The file is empty."), "empty_file")
    lines = text.splitlines()
    if len(lines) < 2 and len(head) >= MAX_HEADER_BYTES:
        raise _refused(_("The first row is too long to be a row of column names."), "bad_header")
    first_line = lines[0]
    separator = max(DELIMITERS, key=lambda d: (first_line.count(d), -DELIMITERS.index(d)))
    try:
        header = next(csv.reader([first_line], delimiter=separator))
    except (csv.Error, StopIteration):
        header = []
    if not any(name.strip() for name in header):
        raise _refused(_("The first row must name the columns."), "bad_header")
    return encoding, separator, header


def resolve_mapping(fields: list[FieldSpec], mapping: dict[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """The header names to look for, by field: the field's name, label and aliases, or the mapping's choice."""
    names = {name for name, *_rest in fields}
    resolved = {name: (name, str(label), *aliases) for name, label, _required, aliases in fields}
    for key, value in (mapping or {}).items():
        if key not in names:
            raise _refused(_("The column mapping names an unknown field “%(field)s”.") % {"field": _shown(key)}, "bad_mapping")
        if value in (None, "", []):
            resolved[key] = ()
        elif isinstance(value, str):
            resolved[key] = (value,)
        elif isinstance(value, (list, tuple)) and all(isinstance(v, str) and v.strip() for v in value):
            resolved[key] = tuple(value)
        else:
            raise _refused(_("The column mapping for “%(field)s” must name a column.") % {"field": key}, "bad_mapping")
    return resolved


def _match(header: list[str], fields: list[FieldSpec], wanted: dict[str, tuple[str, ...]], required: set[str]) -> dict[str, int]:
    names = [_normal(name) for name in header]
    labels = {name: label for name, label, *_rest in fields}
    columns: dict[str, int] = {}
    problems: list[RowError] = []
    taken: set[int] = set()
    for key, *_rest in fields:
        candidates = {_normal(candidate) for candidate in wanted[key]}
        found = [index for index, name in enumerate(names) if name in candidates and index not in taken]
        if len(found) > 1 and len(wanted[key]) > 1:  # several columns fit the aliases: the first alias that fits wins
            by_alias = [[i for i in found if names[i] == _normal(alias)] for alias in wanted[key]]
            found = next((hits for hits in by_alias if hits), found)
        if len(found) > 1:
            shown = ", ".join(f"“{_shown(header[i])}”" for i in found)
            problems.append(RowError(
                None, header[found[0]],
                _("More than one column could be the %(field)s: %(columns)s. Keep one, or choose one in the column mapping.")
                % {"field": labels[key], "columns": shown}, "duplicate_column"))
        elif found:
            columns[key] = found[0]
            taken.add(found[0])
        elif key in required:
            expected = " / ".join(f"“{_shown(name)}”" for name in wanted[key][1:] or wanted[key])
            problems.append(RowError(
                None, "", _("There is no column for the %(field)s: the first row should name it %(names)s.")
                % {"field": labels[key], "names": expected}, "missing_column"))
    if problems:
        raise FileRefused(*problems)
    return columns


def _load(data: Any, layout: _Layout) -> pl.DataFrame:
    """The mapped columns as trimmed strings (empty cells null), with each row's number; blank rows dropped."""
    import os

    transcoded = None
    try:
        try:
            if layout.encoding != "utf-8":
                transcoded = _transcoded(data, layout.encoding)
                frame = _read_columns(transcoded, layout)
            else:
                try:
                    frame = _read_columns(data, layout)
                except pl.exceptions.ComputeError as error:
                    if "utf-8" not in str(error).lower():
                        raise
                    transcoded = _transcoded(data, "cp1252")
                    frame = _read_columns(transcoded, layout)
        except FileRefused:
            raise
        except (pl.exceptions.PolarsError, OSError, ValueError, OverflowError):
            raise _refused(_("The file could not be read as CSV: check that it was saved as CSV, with one row per record."),
                           "bad_csv") from None
    finally:
        if transcoded is not None:
            os.unlink(transcoded)
    fields = list(layout.columns)
    frame = frame.with_columns(pl.col(f).str.strip_chars().replace("", None) for f in fields)
    return frame.filter(pl.any_horizontal(pl.col(fields).is_not_null()))


# --- Checks: each returns a problem code per row (null for none) -------------------------------------------------


def _problems(*cases: tuple[pl.Expr, str]) -> pl.Expr:
    """The first case that holds, as a problem code; null if none does."""
    expression: Any = pl
    for condition, code in cases:
        expression = expression.when(condition).then(pl.lit(code))
    return expression.otherwise(pl.lit(None, pl.String))


def _text_problem(name: str, *, required: bool) -> pl.Expr:
    c = pl.col(name)
    return _problems(
        *([(c.is_null(), "missing")] if required else []),
        (c.str.contains(FORMULA), "formula"),
        (c.str.len_chars() > TEXT_LENGTHS.get(name, 100), "too_long"),
    )


def _choice(name: str, choices: dict[str, Any], dtype: Any) -> pl.Expr:
    norm = pl.col(name).str.to_uppercase().str.replace_all(r"\s+", " ")
    return norm.replace_strict(list(choices), list(choices.values()), default=None, return_dtype=dtype)


def _number(name: str) -> pl.Expr:
    text = pl.col(name).str.replace_all(r"\s", "")
    text = pl.when(text.str.contains(",") & ~text.str.contains(r"\.")).then(text.str.replace(",", ".")).otherwise(text)
    return text.cast(pl.Float64, strict=False)


def _year_of(day: pl.Expr) -> pl.Expr:
    return pl.when(day.dt.month() >= 9).then(day.dt.year()).otherwise(day.dt.year() - 1).cast(pl.Int32)


def _academic_year(name: str) -> pl.Expr:
    """2024, 2024/25, 2024-25, 2024-2025 or 2024/2025: the year it starts in."""
    parts = pl.col(name).str.extract_groups(r"^(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?$")
    start = parts.struct.field("1").cast(pl.Int32, strict=False)
    end = parts.struct.field("2").cast(pl.Int32, strict=False)
    fits = end.is_null() | (end == start + 1) | (end == (start + 1) % 100)
    return pl.when(fits).then(start).otherwise(None)


def _learner_lookup(frame: pl.DataFrame, school: School | None, allowed_schools: set[int] | None) -> pl.DataFrame:
    """Per row: learner_id, learner_school and the UPN's problem (one query for the file's distinct UPNs)."""
    distinct = frame.get_column("upn").drop_nulls().unique()
    if distinct.is_empty():
        lookup = pl.DataFrame(schema={"upn": pl.String, "learner_id": pl.Int64, "learner_school": pl.Int64, "upn_code": pl.UInt8})
    else:
        ids, schools, codes = _learners(distinct, school)
        lookup = pl.DataFrame({"upn": distinct, "learner_id": ids, "learner_school": schools, "upn_code": codes})
    if allowed_schools is not None:  # an LA's file: learners of other LAs are unknown to it
        outside = pl.col("learner_school").is_not_null() & ~pl.col("learner_school").is_in(list(allowed_schools))
        lookup = lookup.with_columns(
            upn_code=pl.when(outside).then(pl.lit(UPN_UNKNOWN, pl.UInt8)).otherwise("upn_code"),
            learner_id=pl.when(outside).then(None).otherwise("learner_id"),
        )
    return lookup


def _upn_problem() -> pl.Expr:
    return _problems(
        (pl.col("upn").is_null(), "missing"),
        (pl.col("upn_code") == UPN_BAD, "bad_upn"),
        (pl.col("upn_code") == UPN_UNKNOWN, "unknown_learner"),
        (pl.col("upn_code") == UPN_OTHER_SCHOOL, "other_school"),
    )


def _date_problem(name: str, *, required: bool, today: datetime.date, year: pl.Expr | None) -> pl.Expr:
    raw, day = pl.col(name), pl.col(f"{name}__value")
    cases = [(raw.is_null(), "missing")] if required else []
    cases += [(raw.is_not_null() & day.is_null(), "bad_date"), (day > today, "future_date"), (day < EARLIEST, "too_early")]
    if year is not None:
        cases.append((year.is_not_null() & (_year_of(day) != year), "outside_year"))
    return _problems(*cases)


def _school_lookup(frame: pl.DataFrame, allowed_schools: set[int] | None) -> pl.DataFrame:
    numbers = frame.get_column("school").drop_nulls().unique().to_list()
    numbers = [n for n in numbers if len(n) <= 7][:5000]
    known = list(School.objects.filter(school_number__in=numbers).values_list("school_number", "pk"))
    if allowed_schools is not None:
        known = [(n, pk) for n, pk in known if pk in allowed_schools]
    return pl.DataFrame(known, schema={"school": pl.String, "school_id": pl.Int64}, orient="row")


# --- Checking each kind -------------------------------------------------------------------------------------------


@dataclass
class _Context:
    kind: str
    school: School | None
    allowed_schools: set[int] | None  # None: any school (no LA restriction)
    academic_year: int | None
    today: datetime.date
    present: set[str]


def _with_dates(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    return frame.with_columns(_parse_dates(frame.get_column(name)).alias(f"{name}__value"))


def _year_column(ctx: _Context) -> pl.Expr | None:
    if "academic_year" in ctx.present:
        return pl.col("academic_year__value")
    return pl.lit(ctx.academic_year, pl.Int32) if ctx.academic_year is not None else None


def _check_learners(frame: pl.DataFrame, ctx: _Context) -> tuple[pl.DataFrame, dict[str, pl.Expr]]:
    frame = _with_dates(frame, "date_of_birth")
    upn = pl.col("upn").str.to_uppercase().str.replace_all(r"\s", "")
    frame = frame.with_columns(upn__value=upn)
    wanted = frame.get_column("upn__value").drop_nulls().unique().filter(
        frame.get_column("upn__value").drop_nulls().unique().str.contains(UPN_PATTERN)).to_list()
    stored = _stored_learners(wanted)
    frame = frame.join(stored, left_on="upn__value", right_on="upn", how="left")
    if "school" in ctx.present:
        frame = frame.join(_school_lookup(frame, ctx.allowed_schools), on="school", how="left")
    else:
        frame = frame.with_columns(school_id=pl.lit(ctx.school.pk if ctx.school else None, pl.Int64))
    yg = pl.col("year_group").str.to_uppercase().str.replace_all(r"[\s.]", "")
    number = yg.str.replace(r"^(YEAR|BLWYDDYN|YR|BL|Y)", "").cast(pl.Int16, strict=False)
    frame = frame.with_columns(
        year_group__value=yg.replace_strict(list(YEAR_GROUP_WORDS), list(YEAR_GROUP_WORDS.values()), default=None,
                                            return_dtype=pl.Int16).fill_null(pl.when(number.is_between(1, 13)).then(number)),
        gender__value=_choice("gender", GENDERS, pl.String),
        **{f"{name}__value": _choice(name, YES_NO, pl.Boolean) for name in WRITTEN[RecordsKind.LEARNERS][5:]},
    )
    today = ctx.today
    oldest, youngest = today.replace(year=today.year - 25, day=min(today.day, 28)), today.replace(year=today.year - 2, day=min(today.day, 28))
    dob = pl.col("date_of_birth__value")
    on_other_roll = pl.col("stored_school").is_not_null() & (pl.col("stored_school") != pl.col("school_id"))
    upn_cases = [(pl.col("upn").is_null(), "missing"), (~pl.col("upn__value").str.contains(UPN_PATTERN), "bad_upn")]
    if ctx.school is not None or ctx.allowed_schools is not None:
        # A school's file cannot take a learner from another school's roll; an LA's file only within the LA.
        reach = ctx.allowed_schools if ctx.school is None else {ctx.school.pk}
        outside = pl.col("stored_school").is_not_null() & ~pl.col("stored_school").is_in(sorted(reach or {0}))
        upn_cases.append((outside if ctx.school is None else on_other_roll, "other_school"))
    problems = {
        "upn": _problems(*upn_cases),
        "given_name": _text_problem("given_name", required=True),
        "family_name": _text_problem("family_name", required=True),
        "date_of_birth": _problems((pl.col("date_of_birth").is_null(), "missing"), (dob.is_null(), "bad_date"),
                                   ((dob > youngest) | (dob < oldest), "implausible_birth")),
        "year_group": _problems((pl.col("year_group").is_null(), "missing"),
                                (pl.col("year_group__value").is_null(), "bad_year_group")),
        "gender": _problems((pl.col("gender").is_not_null() & pl.col("gender__value").is_null(), "bad_gender")),
        **{name: _problems((pl.col(name).is_not_null() & pl.col(f"{name}__value").is_null(), "bad_yes_no"))
           for name in WRITTEN[RecordsKind.LEARNERS][5:]},
    }
    if "school" in ctx.present:
        problems["school"] = _problems(
            (pl.col("school").is_null() & pl.lit(ctx.school is None), "missing"),
            (pl.col("school").is_not_null() & pl.col("school_id").is_null(), "unknown_school"),
            (pl.lit(ctx.school is not None) & (pl.col("school_id") != (ctx.school.pk if ctx.school else 0)), "wrong_school"),
        )
    return frame, problems


def _stored_learners(upns: list[str]) -> pl.DataFrame:
    schema = {"upn": pl.String, "stored_id": pl.Int64, "stored_school": pl.Int64}
    rows: list[tuple[str, int, int]] = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT upn, id, school_id FROM families_learner WHERE upn = ANY(%s)", [upns])
            rows = cursor.fetchall()
    else:
        for start in range(0, len(upns), 900):
            rows += Learner.objects.filter(upn__in=upns[start : start + 900]).values_list("upn", "pk", "school_id")
    return pl.DataFrame(rows, schema=schema, orient="row")


def _with_learners(frame: pl.DataFrame, ctx: _Context) -> pl.DataFrame:
    lookup = _learner_lookup(frame, ctx.school, ctx.allowed_schools)
    return frame.join(lookup, on="upn", how="left").with_columns(school_id=pl.col("learner_school"))


def _with_year(frame: pl.DataFrame, ctx: _Context, date_name: str) -> tuple[pl.DataFrame, dict[str, pl.Expr]]:
    frame = _with_dates(frame, date_name)
    problems: dict[str, pl.Expr] = {}
    if "academic_year" in ctx.present:
        frame = frame.with_columns(academic_year__value=_academic_year("academic_year"))
        problems["academic_year"] = _problems(
            (pl.col("academic_year").is_not_null() & pl.col("academic_year__value").is_null(), "bad_academic_year"))
    problems[date_name] = _date_problem(date_name, required=True, today=ctx.today, year=_year_column(ctx))
    return frame, problems


def _check_behaviour(frame: pl.DataFrame, ctx: _Context) -> tuple[pl.DataFrame, dict[str, pl.Expr]]:
    frame = _with_learners(frame, ctx)
    frame, problems = _with_year(frame, ctx, "occurred_on")
    frame = frame.with_columns(severity__value=_choice("severity", SEVERITIES, pl.Int16))
    problems.update(
        upn=_upn_problem(),
        incident_type=_text_problem("incident_type", required=True),
        severity=_problems((pl.col("severity").is_null(), "missing"), (pl.col("severity__value").is_null(), "bad_severity")),
        reference=_text_problem("reference", required=False),
    )
    return frame, problems


def _check_exclusions(frame: pl.DataFrame, ctx: _Context) -> tuple[pl.DataFrame, dict[str, pl.Expr]]:
    frame = _with_learners(frame, ctx)
    frame, problems = _with_year(frame, ctx, "start_date")
    frame = frame.with_columns(kind__value=_choice("kind", EXCLUSION_KINDS, pl.String), days__value=_number("days"))
    days, fixed = pl.col("days__value"), pl.col("kind__value") == ExclusionKind.FIXED_TERM.value
    problems.update(
        upn=_upn_problem(),
        kind=_problems((pl.col("kind").is_null(), "missing"), (pl.col("kind__value").is_null(), "bad_kind")),
        days=_problems(
            (pl.col("days").is_null() & fixed, "missing_days"),
            (pl.col("days").is_not_null() & days.is_null(), "bad_number"),
            (days.is_not_null() & ((days < 0) | (days > 200) | (fixed & (days <= 0))), "days_range"),
            (days.is_not_null() & ((days * 2).round(6) != (days * 2).round(0)), "half_days"),
        ),
        reason=_text_problem("reason", required=False),
        reference=_text_problem("reference", required=False),
    )
    return frame, problems


def _check_results(frame: pl.DataFrame, ctx: _Context) -> tuple[pl.DataFrame, dict[str, pl.Expr]]:
    frame = _with_learners(frame, ctx)
    frame, problems = _with_year(frame, ctx, "assessed_on")
    frame = frame.with_columns(points__value=_number("points"))
    points = pl.col("points__value")
    problems.update(
        upn=_upn_problem(),
        subject=_text_problem("subject", required=True),
        assessment=_text_problem("assessment", required=True),
        grade=_problems(
            (pl.col("grade").is_null() & pl.col("points").is_null(), "grade_or_points"),
            (pl.col("grade").str.contains(FORMULA), "formula"),
            (pl.col("grade").str.len_chars() > TEXT_LENGTHS["grade"], "too_long"),
        ),
        points=_problems(
            (pl.col("points").is_not_null() & points.is_null(), "bad_number"),
            (points.is_not_null() & ((points < 0) | (points > 9999.99)), "points_range"),
            (points.is_not_null() & ((points * 100).round(6) != (points * 100).round(0)), "points_places"),
        ),
    )
    return frame, problems


CHECKS: dict[str, Callable[[pl.DataFrame, _Context], tuple[pl.DataFrame, dict[str, pl.Expr]]]] = {
    RecordsKind.LEARNERS: _check_learners,
    RecordsKind.BEHAVIOUR: _check_behaviour,
    RecordsKind.EXCLUSIONS: _check_exclusions,
    RecordsKind.RESULTS: _check_results,
}


def _typed(frame: pl.DataFrame, ctx: _Context) -> pl.DataFrame:
    """The values to store, one column per model field (plus ``learner_id``, ``school_id`` and, for learners, ``upn``)."""
    kind = ctx.kind
    if kind == RecordsKind.LEARNERS:
        booleans = WRITTEN[kind][5:]
        return frame.select(
            "row", upn=pl.col("upn__value"), learner_id=pl.col("stored_id"),
            school_id=(pl.col("school_id").fill_null(ctx.school.pk) if ctx.school else pl.col("school_id")).cast(pl.Int64),
            given_name=pl.col("given_name"), family_name=pl.col("family_name"),
            date_of_birth=pl.col("date_of_birth__value"), year_group=pl.col("year_group__value"),
            gender=pl.col("gender__value").fill_null(""),
            **{name: pl.col(f"{name}__value").fill_null(False) for name in booleans},
        )
    date_name = DATE_FIELD[kind]
    year = _year_column(ctx)
    day = pl.col(f"{date_name}__value")
    common = {
        "learner_id": pl.col("learner_id").cast(pl.Int64), "school_id": pl.col("school_id").cast(pl.Int64),
        date_name: day, "academic_year": (year if year is not None else _year_of(day)).cast(pl.Int32).fill_null(_year_of(day)),
    }
    if kind == RecordsKind.BEHAVIOUR:
        extra = {"incident_type": pl.col("incident_type"), "severity": pl.col("severity__value"),
                 "reference": pl.col("reference").fill_null("")}
    elif kind == RecordsKind.EXCLUSIONS:
        extra = {"kind": pl.col("kind__value"), "days": pl.col("days__value").fill_null(0.0).round(1),
                 "reason": pl.col("reason").fill_null(""), "reference": pl.col("reference").fill_null("")}
    else:
        extra = {"subject": pl.col("subject"), "assessment": pl.col("assessment"), "grade": pl.col("grade").fill_null(""),
                 "points": pl.col("points__value").round(2)}
    return frame.select("row", **common, **extra)


# --- Reading -------------------------------------------------------------------------------------------------------


def read_records(
    source: Any,
    *,
    kind: str,
    school: School | None = None,
    allowed_schools: set[int] | None = None,
    mapping: dict[str, Any] | None = None,
    academic_year: int | None = None,
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> RecordsRead:
    """Read and check a file of one kind; never raises for anything wrong with the file (it is in ``errors``).

    ``school``: the school the file is for, whose learners alone it may name (``None``: an LA-wide file, each
    learner's own school; ``allowed_schools`` then limits it to the importing LA's schools). ``academic_year``:
    if given, every date must be in it (an ``academic_year`` column does the same row by row).
    """
    report = progress or (lambda fraction, stage: None)
    today = today or timezone.localdate()
    fields = FIELDS_BY_KIND[kind]
    required = {name for name, _label, needed, _aliases in fields if needed}
    if kind == RecordsKind.LEARNERS and school is None:
        required.add("school")
    try:
        wanted = resolve_mapping(fields, mapping)
        with _as_path_or_bytes(source) as (data, name):
            report(0.0, "reading")
            encoding, separator, header = _sniff(_head(data))
            columns = _match(header, fields, wanted, required)
            frame = _load(data, _Layout(encoding=encoding, separator=separator, header=header, columns=columns))
            digest = _Digest(data)
    except FileRefused as refused:
        return RecordsRead(errors=refused.errors, error_count=len(refused.errors))
    if frame.is_empty() or frame.height > MAX_ROWS:
        digest.close()
        message = (_("The file has no records in it: only the row of column names.") if frame.is_empty() else
                   _("The file has more than %(count)s rows: split it into smaller files.") % {"count": MAX_ROWS})
        return RecordsRead(errors=[RowError(None, "", message, "no_rows" if frame.is_empty() else "too_many_rows")],
                           error_count=1)
    report(0.2, "checking")
    shown_header = {key: header[index] for key, index in columns.items()}
    present = set(columns)
    frame = frame.with_columns(pl.lit(None, pl.String).alias(name) for name, *_rest in fields if name not in present)
    ctx = _Context(kind=kind, school=school, allowed_schools=allowed_schools, academic_year=academic_year, today=today,
                   present=present)
    checked, problem_exprs = CHECKS[kind](frame, ctx)
    checked = checked.sort("row")
    problems = checked.select(**problem_exprs)
    typed = _typed(checked, ctx)
    # Duplicates: among rows whose key is sound, any after the first of its key.
    keys = list(KEYS[kind])
    sound = ~pl.any_horizontal(pl.col([c for c in problems.columns if c in {"upn", *keys, DATE_FIELD.get(kind, "")}]).is_not_null())
    key_ok = problems.select(sound).to_series()
    key_frame = typed.with_columns(ok=key_ok).with_columns(
        first=pl.col("row").min().over([*keys, "ok"]),
    )
    duplicate = key_frame.select(pl.col("ok") & (pl.col("first") != pl.col("row"))).to_series()
    problems = problems.with_columns(duplicate=pl.when(duplicate).then(pl.lit("duplicate_row")).otherwise(pl.lit(None, pl.String)))
    bad = problems.select(pl.any_horizontal(pl.all().is_not_null())).to_series()
    error_count = int(problems.select(pl.sum_horizontal(pl.all().is_not_null().cast(pl.UInt32)).sum()).item())
    if error_count:
        digest.close()
        errors = _row_errors(checked.with_columns(first_row=key_frame.get_column("first")), problems, bad,
                             kind=kind, header=shown_header, school=school, year=academic_year)
        return RecordsRead(errors=errors, error_count=error_count)
    report(0.4, "checked")
    date_name = DATE_FIELD.get(kind)
    days = typed.get_column(date_name) if date_name else None
    return RecordsRead(file=RecordsFile(
        kind=kind,
        frame=typed.drop("row"),
        # Learners: only the columns the file has are compared and written; records are written whole.
        columns=[name for name in WRITTEN[kind] if name in present] if kind == RecordsKind.LEARNERS else list(WRITTEN[kind]),
        school_ids=sorted({*typed.get_column("school_id").drop_nulls().unique().to_list(), *([school.pk] if school else [])}),
        academic_years=sorted(typed.get_column("academic_year").unique().to_list()) if date_name else [],
        period_start=days.min() if days is not None else None,  # type: ignore[arg-type]
        period_end=days.max() if days is not None else None,  # type: ignore[arg-type]
        file_name=name[:255],
        digest=digest,
    ))


def _messages(kind: str, school: School | None, year: int | None) -> dict[str, Callable[[str, dict, str], str]]:
    """Problem code -> message, given the field's label and the row."""
    def value(row: dict, column: str) -> str:
        return _shown(row.get(column) or "")

    def year_label(start: int) -> str:
        return f"{start}/{(start + 1) % 100:02d}"

    return {
        "missing": lambda label, r, c: _("Enter the %(field)s.") % {"field": label},
        "formula": lambda label, r, c: _("“%(value)s” looks like a spreadsheet formula: enter the %(field)s itself.")
        % {"value": value(r, c), "field": label},
        "too_long": lambda label, r, c: _("The %(field)s can be at most %(max)s characters long.")
        % {"field": label, "max": TEXT_LENGTHS.get(c, 100)},
        "bad_upn": lambda label, r, c: _("“%(value)s” is not a UPN: a capital letter, 11 digits, then a digit or capital letter.")
        % {"value": value(r, c)},
        "unknown_learner": lambda label, r, c: _("There is no learner with the UPN “%(value)s”.") % {"value": value(r, c)},
        "other_school": lambda label, r, c: (
            _("The learner with the UPN “%(value)s” is not on the roll of %(school)s.") % {"value": value(r, c), "school": school}
            if school else _("The learner with the UPN “%(value)s” is on the roll of a school outside your local authority.")
            % {"value": value(r, c)}),
        "bad_date": lambda label, r, c: _("“%(value)s” is not a date: write it like 31/12/2024 or 2024-12-31.") % {"value": value(r, c)},
        "future_date": lambda label, r, c: _("%(date)s is in the future.") % {"date": value(r, c)},
        "too_early": lambda label, r, c: _("%(date)s is too long ago: records from 2000 onwards can be imported.")
        % {"date": value(r, c)},
        "outside_year": lambda label, r, c: _("%(date)s is outside the academic year %(year)s.")
        % {"date": value(r, c), "year": year_label(r.get("academic_year__value") or year or 0)},
        "bad_academic_year": lambda label, r, c: _("“%(value)s” is not an academic year: write it like 2024/25.") % {"value": value(r, c)},
        "implausible_birth": lambda label, r, c: _("%(date)s cannot be the date of birth of a learner of school age.")
        % {"date": value(r, c)},
        "bad_year_group": lambda label, r, c: _("“%(value)s” is not a year group: write it like Y7, 7, Year 7, R or N.")
        % {"value": value(r, c)},
        "bad_gender": lambda label, r, c: _("“%(value)s” is not a gender: enter F, M or X.") % {"value": value(r, c)},
        "bad_yes_no": lambda label, r, c: _("“%(value)s” is not yes or no: enter Y or N for the %(field)s.")
        % {"value": value(r, c), "field": label},
        "unknown_school": lambda label, r, c: _("There is no school with the number “%(value)s”.") % {"value": value(r, c)},
        "wrong_school": lambda label, r, c: _("This file is for %(school)s: “%(value)s” is another school.")
        % {"school": school, "value": value(r, c)},
        "bad_severity": lambda label, r, c: _("“%(value)s” is not a severity: enter 1 (low), 2 (moderate), 3 (high) or 4 (serious).")
        % {"value": value(r, c)},
        "bad_kind": lambda label, r, c: _("“%(value)s” is not a kind of exclusion: enter fixed term or permanent.")
        % {"value": value(r, c)},
        "missing_days": lambda label, r, c: _("Enter the school days lost to a fixed-term exclusion."),
        "bad_number": lambda label, r, c: _("“%(value)s” is not a number.") % {"value": value(r, c)},
        "days_range": lambda label, r, c: _("A fixed-term exclusion loses more than 0 and at most 200 school days; "
                                             "“%(value)s” is outside that.") % {"value": value(r, c)},
        "half_days": lambda label, r, c: _("Enter days in whole or half days, like 1.5.") % {},
        "grade_or_points": lambda label, r, c: _("Enter a grade, points or both."),
        "points_range": lambda label, r, c: _("Points must be between 0 and 9999.99; “%(value)s” is outside that.")
        % {"value": value(r, c)},
        "points_places": lambda label, r, c: _("Points can have at most two decimal places, like 5.25.") % {},
        "duplicate_row": lambda label, r, c: _("This record is already in row %(row)s.") % {"row": r.get("first_row")},
    }


def _row_errors(frame: pl.DataFrame, problems: pl.DataFrame, bad: pl.Series, *, kind: str, header: dict[str, str],
                school: School | None, year: int | None) -> list[RowError]:
    """Messages for the first ``MAX_ROW_ERRORS`` problems, in file order (a loop over those rows only)."""
    messages = _messages(kind, school, year)
    labels = {name: label for name, label, *_rest in FIELDS_BY_KIND[kind]}
    keep = [c for c in frame.columns if c not in problems.columns] + list(header)
    rows = frame.select(list(dict.fromkeys(keep))).with_columns(problems.rename(lambda c: f"problem__{c}")) \
        .filter(bad).head(MAX_ROW_ERRORS)
    first_key = next(iter(header))
    errors: list[RowError] = []
    for row in rows.iter_rows(named=True):
        for column in problems.columns:
            code = row[f"problem__{column}"]
            if code and len(errors) < MAX_ROW_ERRORS:
                source = DATE_FIELD.get(kind, first_key) if column == "duplicate" else column
                message = messages[code](str(labels.get(source, source)), row, source)
                error_code = "missing_value" if code == "missing" else code
                errors.append(RowError(row=row["row"], column=header.get(source, labels.get(source, source)), message=message,
                                       code=error_code))
    return errors


# --- The importers ------------------------------------------------------------------------------------------------


def _importer(kind: str) -> Callable[..., Any]:
    def run(*, source: Any, by: Any = None, school: School | None = None, mapping: dict[str, Any] | None = None,
            progress: Progress | None = None, academic_year: int | None = None) -> Any:
        from .record_services import records_import

        return records_import(kind=kind, source=source, by=by, school=school, mapping=mapping, progress=progress,
                              academic_year=academic_year)

    run.__name__ = run.__qualname__ = f"{kind}_import"
    run.__doc__ = (f"Import a CSV file of {kind}, all or nothing: see ``record_services.records_import``. Returns a "
                   "``RecordsImportResult`` (``.ok``, ``.errors``, ``.error_count``, ``.record``).")
    return run


learners_import = _importer(RecordsKind.LEARNERS)
behaviour_import = _importer(RecordsKind.BEHAVIOUR)
exclusions_import = _importer(RecordsKind.EXCLUSIONS)
results_import = _importer(RecordsKind.RESULTS)

#: For the import pages' registry (``kinds.py``): one entry per kind, with its fields for the column mapping.
KIND_DEFINITIONS: list[dict[str, Any]] = [
    {"key": RecordsKind.LEARNERS.value, "label": gettext_lazy("Learners on roll"), "fields": LEARNER_FIELDS, "run": learners_import},
    {"key": RecordsKind.BEHAVIOUR.value, "label": gettext_lazy("Behaviour incidents"), "fields": BEHAVIOUR_FIELDS,
     "run": behaviour_import},
    {"key": RecordsKind.EXCLUSIONS.value, "label": gettext_lazy("Exclusions"), "fields": EXCLUSION_FIELDS, "run": exclusions_import},
    {"key": RecordsKind.RESULTS.value, "label": gettext_lazy("Assessment results"), "fields": RESULT_FIELDS, "run": results_import},
]
