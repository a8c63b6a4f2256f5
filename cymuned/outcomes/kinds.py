"""The kinds of file a school can import, in one registry the import pages and the background task read.

An :class:`ImportKind` names its target fields (what the column-mapping page asks for, with the header names that
are guessed for each) and the function that imports a CSV file of that kind: ``run(*, source, by, school, mapping,
progress)``, all or nothing, returning an object with ``ok``, ``errors`` (``importing.RowError``: row, column,
message, code), ``error_count`` and ``record`` (what was imported, a model instance when it worked). ``run`` never
checks who is asking: the import pages and the task authorise the run as a whole, and ``school`` is ``None`` only for
an LA-wide file of a kind that allows one (``la_wide``).

Kinds register themselves at import time of this module (attendance marks) or of the module that defines them,
through :func:`register_kind`; ``apps.OutcomesConfig.ready`` imports the modules that hold kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import importing


@dataclass(frozen=True)
class TargetField:
    """A field of the import: ``name`` is the key of the mapping, ``aliases`` the header names guessed for it."""

    name: str
    label: str | Promise
    required: bool
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str | Promise
    fields: tuple[TargetField, ...]
    run: Callable[..., Any]
    #: Whether an LA-wide role may import one file for every school of the LA (``school=None``).
    la_wide: bool = False
    #: What each error code means, without the row's details: shown when the reader's language is not the one the
    #: import ran in (the stored message is in the language of the person who started it).
    messages: Mapping[str, str | Promise] = field(default_factory=dict)
    #: One line for the "new import" page.
    hint: str | Promise = ""
    #: ``check(*, source, school, mapping) -> list[RowError]``: the problems of a small CSV, writing nothing (the
    #: preview page marks them). Without one, the preview marks empty required cells only.
    check: Callable[..., list[Any]] | None = None

    def field(self, name: str) -> TargetField | None:
        return next((f for f in self.fields if f.name == name), None)


_KINDS: dict[str, ImportKind] = {}


def register_kind(kind: ImportKind) -> ImportKind:
    """Add (or replace, by key) a kind of import."""
    _KINDS[kind.key] = kind
    return kind


def import_kinds() -> list[ImportKind]:
    """Every kind, in the order they were registered."""
    return list(_KINDS.values())


def kind_for(key: str) -> ImportKind | None:
    return _KINDS.get(key)


def normal(name: str) -> str:
    """A header name as the importers compare them: case, spaces and a byte-order mark do not matter."""
    return " ".join(str(name).replace("\ufeff", "").split()).casefold()


def guess_mapping(kind: ImportKind, header: list[str]) -> dict[str, str]:
    """For each field, the first column of ``header`` that is one of its aliases (fields with none are left out)."""
    names = {normal(column): column for column in reversed(header)}
    guessed: dict[str, str] = {}
    for target in kind.fields:
        for alias in (target.name, *target.aliases):
            if normal(alias) in names:
                guessed[target.name] = names[normal(alias)]
                break
    return guessed


# --- Attendance marks ------------------------------------------------------------------------------------------------


def _attendance_marks_run(*, source: Path, by: Any, school: Any, mapping: dict[str, str], progress: Any) -> Any:
    from .services import attendance_marks_import

    clean = {key: value for key, value in mapping.items() if value}
    if "school" not in clean:
        clean["school"] = ""
    return attendance_marks_import(source=source, by=by, school=school, mapping=clean, progress=progress)


def _attendance_marks_check(*, source: Path, school: Any, mapping: dict[str, str]) -> list[Any]:
    clean = {key: value for key, value in mapping.items() if value}
    clean.setdefault("school", "")
    return importing.read_marks(source, school=school, mapping=clean).errors


ATTENDANCE_MARKS = register_kind(ImportKind(
    key="attendance_marks",
    label=_("Attendance marks"),
    hint=_("One row per learner per session: UPN, date, AM or PM, and the attendance code."),
    fields=tuple(
        TargetField(name, importing.FIELD_LABELS[name], name in importing.REQUIRED_FIELDS, importing.DEFAULT_MAPPING[name])
        for name in importing.FIELDS
    ),
    run=_attendance_marks_run,
    check=_attendance_marks_check,
    la_wide=True,
    messages={
        "missing_upn": _("Enter the learner's UPN."),
        "bad_upn": _("This is not a UPN: a capital letter, 11 digits, then a digit or capital letter."),
        "unknown_learner": _("There is no learner with this UPN."),
        "other_school": _("This learner is not on the school's roll."),
        "missing_date": _("Enter the date."),
        "bad_date": _("This is not a date: write it like 31/12/2024 or 2024-12-31."),
        "outside_year": _("The date is outside the academic year of the file."),
        "future_date": _("The date is in the future: attendance is recorded for past sessions."),
        "weekend": _("The date is a Saturday or Sunday: schools record sessions on weekdays."),
        "missing_session": _("Enter the session: AM or PM."),
        "bad_session": _("This is not a session: enter AM or PM."),
        "missing_code": _("Enter the attendance code."),
        "bad_code": _("This is not an attendance code."),
        "unknown_school": _("There is no school with this number."),
        "wrong_school": _("The learner is on the roll of another school."),
        "duplicate_row": _("This learner's session is already in an earlier row."),
        "empty_file": _("The file is empty."),
        "no_rows": _("The file has no rows under the row of column names."),
        "missing_column": _("A column the import needs is missing: choose it on the column mapping page."),
        "duplicate_column": _("More than one column could be this field: choose one on the column mapping page."),
        "bad_csv": _("The file could not be read as CSV."),
        "bad_encoding": _("The file is not text in UTF-8 or Windows-1252. Save it from the spreadsheet as “CSV UTF-8”."),
    },
))


# --- Learners, behaviour incidents, exclusions and assessment results (``record_imports``) ---------------------------


def _records_kind(definition: dict[str, Any]) -> ImportKind:
    from . import record_imports

    key = definition["key"]

    def run(*, source: Path, by: Any, school: Any, mapping: dict[str, str], progress: Any) -> Any:
        clean = {name: column for name, column in mapping.items() if column}
        return definition["run"](source=source, by=by, school=school, mapping=clean, progress=progress)

    def check(*, source: Path, school: Any, mapping: dict[str, str]) -> list[Any]:
        clean = {name: column for name, column in mapping.items() if column}
        return record_imports.read_records(source, kind=key, school=school, mapping=clean).errors

    return ImportKind(
        key=key,
        label=definition["label"],
        hint=RECORD_HINTS[key],
        fields=tuple(TargetField(name, label, required, tuple(aliases)) for name, label, required, aliases in definition["fields"]),
        run=run,
        check=check,
        la_wide=True,
        messages=RECORD_MESSAGES,
    )


RECORD_HINTS = {
    "learners": _("One row per learner: UPN, names, date of birth, year group, and eFSM, ALN, looked after, EAL and gender."),
    "behaviour": _("One row per incident: UPN, date, type of incident and severity."),
    "exclusions": _("One row per exclusion: UPN, first day, fixed term or permanent, and school days lost."),
    "results": _("One row per result: UPN, subject, assessment or qualification, grade or points, and date."),
}

#: The meaning of each error code without the row's details, for a reader in the other language than the import's.
RECORD_MESSAGES = {
    "missing": _("A required value is empty."),
    "formula": _("The cell looks like a spreadsheet formula: enter the value itself."),
    "too_long": _("The value is too long."),
    "bad_upn": _("This is not a UPN: a capital letter, 11 digits, then a digit or capital letter."),
    "unknown_learner": _("There is no learner with this UPN."),
    "other_school": _("This learner is not on the school's roll."),
    "bad_date": _("This is not a date: write it like 31/12/2024 or 2024-12-31."),
    "future_date": _("The date is in the future."),
    "outside_year": _("The date is outside the academic year of the file."),
    "bad_year_group": _("This is not a year group: write it like Y7, 7, Year 7, R or N."),
    "bad_gender": _("This is not a gender: enter F, M or X."),
    "bad_yes_no": _("This is not yes or no: enter Y or N."),
    "unknown_school": _("There is no school with this number."),
    "wrong_school": _("The learner is on the roll of another school."),
    "bad_severity": _("This is not a severity: enter 1 (low), 2 (moderate), 3 (high) or 4 (serious)."),
    "bad_kind": _("This is not a kind of exclusion: enter fixed term or permanent."),
    "bad_number": _("This is not a number."),
    "grade_or_points": _("Enter a grade, points or both."),
    "duplicate_row": _("This record is already in an earlier row."),
}


def _register_record_kinds() -> None:
    from .record_imports import KIND_DEFINITIONS

    for definition in KIND_DEFINITIONS:
        register_kind(_records_kind(definition))


_register_record_kinds()
