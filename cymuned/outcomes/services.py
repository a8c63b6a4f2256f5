"""Writes of outcome figures. Each runs in one transaction and validates everything before writing anything."""

from __future__ import annotations  # noqa: I001

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cymuned.core.security_log import security_event
from cymuned.access.policy import Action, can, can_create
from cymuned.families.models import Learner
from cymuned.organisations.models import School

from .aggregates import refresh_outcome_aggregates
from .importing import (
    ARRAY_COLUMNS,
    STORED_SCHEMA,
    WRITTEN_COLUMNS,
    MarksFile,
    Progress,
    RowError,
    array_text,
    plan_years,
    read_marks,
    summary_figures,
)
from .marks import WEEKLY_FIGURES, academic_year_bounds
from .models import (
    AttendanceFigures,
    AttendanceImport,
    AttendanceSource,
    AttendanceSummary,
    AttendanceYear,
    attendance_percentage,
)

#: Rows per INSERT ... ON CONFLICT statement, and learners per lookup of their schools.
BATCH_SIZE = 5000
#: Row errors reported by a refused bulk write (the first ones; the rest are counted).
MAX_ROW_ERRORS = 50

_UPSERT_FIELDS = [
    "school",
    "period_start",
    "possible_sessions",
    "attended_sessions",
    "authorised_absences",
    "unauthorised_absences",
    "percentage",
    "source",
    "modified_on",
    "modified_by",
]


def _figure_errors(figures: AttendanceFigures, *, today: datetime.date) -> list[tuple[str, ValidationError]]:
    """What is wrong with one learner's figures, by field, with codes (importers map them to columns)."""
    errors: list[tuple[str, ValidationError]] = []
    for field in ("period_start", "period_end"):
        if not isinstance(getattr(figures, field), datetime.date):
            errors.append((field, ValidationError(_("Enter a real date."), code="not_a_date")))
    counts = {
        "possible_sessions": figures.possible_sessions,
        "attended_sessions": figures.attended_sessions,
        "authorised_absences": figures.authorised_absences,
        "unauthorised_absences": figures.unauthorised_absences,
    }
    for field, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors.append((field, ValidationError(_("Enter a whole number of sessions, 0 or more."), code="not_a_count")))
    if errors:
        return errors
    if figures.possible_sessions == 0:
        errors.append(
            ("possible_sessions", ValidationError(_("There must be at least one possible session."), code="no_sessions"))
        )
    elif figures.attended_sessions + figures.authorised_absences + figures.unauthorised_absences != figures.possible_sessions:
        errors.append(
            (
                "possible_sessions",
                ValidationError(
                    _("Sessions attended and absences must add up to the possible sessions."), code="sessions_do_not_add_up"
                ),
            )
        )
    if figures.period_start > figures.period_end:
        errors.append(("period_start", ValidationError(_("The period must start on or before its end."), code="period_order")))
    if figures.period_end > today:
        errors.append(("period_end", ValidationError(_("Attendance cannot be recorded for a future date."), code="future_date")))
    return errors


def _summary(figures: AttendanceFigures, *, school_id: int, source: str, by: Any) -> AttendanceSummary:
    return AttendanceSummary(
        learner_id=figures.learner_id,
        school_id=school_id,
        period_start=figures.period_start,
        period_end=figures.period_end,
        possible_sessions=figures.possible_sessions,
        attended_sessions=figures.attended_sessions,
        authorised_absences=figures.authorised_absences,
        unauthorised_absences=figures.unauthorised_absences,
        percentage=attendance_percentage(attended=figures.attended_sessions, possible=figures.possible_sessions),
        source=source,
        created_by=by,
        modified_by=by,
    )


@transaction.atomic
def attendance_record(
    *, by: Any, learner: Learner, figures: AttendanceFigures, source: str = AttendanceSource.MANUAL
) -> AttendanceSummary:
    """Record one learner's figures as at ``figures.period_end``, replacing any already held for that date.

    For the learner's headteacher and school staff (``policies.RECORDING_ROLES``); anyone else gets
    PermissionDenied. The change goes to the audit log with the user as actor.
    """
    if not (can(by, Action.VIEW, learner) and can_create(by, AttendanceSummary, parent=learner.school)):
        raise PermissionDenied
    if figures.learner_id != learner.pk:
        raise ValidationError(_("These figures are for another learner."), code="other_learner")
    if source not in AttendanceSource.values:
        raise ValidationError(_("Choose where the figures come from."), code="bad_source")
    errors = _figure_errors(figures, today=timezone.localdate())
    if errors:
        raise ValidationError({field: [error] for field, error in errors})
    summary = _summary(figures, school_id=learner.school_id, source=source, by=by)
    existing = AttendanceSummary.objects.select_for_update().filter(learner=learner, period_end=figures.period_end).first()
    if existing is not None:
        for field in _UPSERT_FIELDS:
            if field != "modified_on":
                setattr(existing, field, getattr(summary, field))
        summary = existing
    summary.full_clean()
    summary.save()
    return summary


@transaction.atomic
def attendance_summaries_upsert(
    *, figures: Iterable[AttendanceFigures], source: str, school: School | None = None, by: Any = None
) -> int:
    """Write many learners' figures at once: all of them, or none (ValidationError listing the bad rows).

    The bulk path for importers. It does **not** check who is asking: the caller authorises the import as a
    whole (a school's import by its headteacher or staff; a command-line import for the LA). With ``school``
    every learner must be on that school's roll, so a school's file cannot touch another school's learners.
    Rows are matched on (learner, period_end): new ones are inserted, existing ones replaced in place, so
    importing the same file twice changes nothing. One INSERT ... ON CONFLICT DO UPDATE per ``BATCH_SIZE`` rows;
    no per-row signals or change log (the importer records the import). Returns the number of rows written.
    """
    if source not in AttendanceSource.values:
        raise ValidationError(_("Choose where the figures come from."), code="bad_source")
    rows = list(figures)
    today = timezone.localdate()
    problems: list[ValidationError] = []
    problem_count = 0

    def problem(row: int, error: ValidationError) -> None:
        nonlocal problem_count
        problem_count += 1
        if len(problems) < MAX_ROW_ERRORS:
            problems.append(
                ValidationError(_("Row %(row)s: %(error)s"), code=error.code, params={"row": row, "error": error.message})
            )

    learner_ids = {f.learner_id for f in rows if isinstance(f.learner_id, int)}
    schools: dict[int, int] = {}
    ordered = sorted(learner_ids)
    for start in range(0, len(ordered), BATCH_SIZE):
        chunk = ordered[start : start + BATCH_SIZE]
        schools.update(Learner.objects.filter(pk__in=chunk).values_list("pk", "school_id"))
    seen: set[tuple[int, datetime.date]] = set()
    for index, row in enumerate(rows, start=1):
        school_id = schools.get(row.learner_id)
        if school_id is None:
            problem(index, ValidationError(_("There is no such learner."), code="unknown_learner"))
            continue
        if school is not None and school_id != school.pk:
            problem(index, ValidationError(_("This learner is not on the school's roll."), code="other_school"))
            continue
        key = (row.learner_id, row.period_end)
        if key in seen:
            problem(index, ValidationError(_("The same learner and date appear more than once."), code="duplicate_row"))
            continue
        seen.add(key)
        for _field, error in _figure_errors(row, today=today):
            problem(index, error)
    if problem_count:
        if problem_count > len(problems):
            more = problem_count - len(problems)
            message = ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", more)
            problems.append(ValidationError(message, code="more_problems", params={"count": more}))
        raise ValidationError(problems)
    summaries = [_summary(row, school_id=schools[row.learner_id], source=source, by=by) for row in rows]
    AttendanceSummary.objects.bulk_create(
        summaries,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["learner", "period_end"],
        update_fields=_UPSERT_FIELDS,
    )
    return len(summaries)


# --- Attendance marks ------------------------------------------------------------------------------------------------

#: First key of the advisory locks that serialise imports of the same school (the second is the school's id).
IMPORT_LOCK_NAMESPACE = 7_240_10


@dataclass
class MarksImportResult:
    """What an import did: the record of it, or the errors that stopped it (then nothing was written)."""

    errors: list[RowError]
    error_count: int
    record: AttendanceImport | None = None

    @property
    def ok(self) -> bool:
        return self.record is not None


def attendance_marks_import(
    *,
    source: Any,
    by: Any = None,
    school: School | None = None,
    mapping: dict[str, Any] | None = None,
    academic_year: int | None = None,
    progress: Progress | None = None,
) -> MarksImportResult:
    """Import a file of attendance marks, all or nothing, and refresh the figures built on them.

    ``source`` is a path, bytes or an uploaded file; ``mapping`` names its columns (``importing.DEFAULT_MAPPING``
    otherwise); ``progress(fraction, stage)`` is called as the import goes (for a progress bar). Like
    :func:`attendance_summaries_upsert` it does **not** check who is asking: the caller authorises the import as a
    whole. With ``school`` every learner must be on that school's roll; without, each learner's marks go to the
    learner's own school (an LA-wide file).

    The file covers the days from its first date to its last, for the schools of its learners. In one transaction:
    every learner's marks of those schools in that period are replaced by the file's (a corrected file replaces
    the earlier one, and learners left out of it lose their marks for the period; marks outside the period are
    kept), each changed :class:`AttendanceYear` is written whole with its weekly and termly figures, and each
    changed learner's year-to-date :class:`AttendanceSummary` as at the file's last day (and at later "as at"
    dates already imported) is recounted. Rows that would not change are not written, so importing the same file
    twice changes nothing. On PostgreSQL the years go in with COPY and the summaries through a staging table;
    other databases take the ORM path with the same outcome.
    """
    report = progress or (lambda fraction, stage: None)
    read = read_marks(source, school=school, mapping=mapping, academic_year=academic_year, progress=report)
    if not read.ok:
        security_event("import_refused", user=by, kind="attendance_marks", school_id=getattr(school, "pk", None),
                       error_count=read.error_count)
        return MarksImportResult(errors=read.errors, error_count=read.error_count)
    marks = read.marks
    assert marks is not None
    school_ids = sorted({*marks.school_ids, *([school.pk] if school else [])})
    report(0.6, "storing")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            written, deleted = _store_years_postgresql(marks, school_ids=school_ids, by=by, report=report)
        else:
            written, deleted = _store_years_orm(marks, school_ids=school_ids, by=by)
        report(0.95, "refreshing")
        refresh_outcome_aggregates(school_ids=school_ids, academic_years=[marks.academic_year])
        record = AttendanceImport.objects.create(
            file_name=marks.file_name, sha256=marks.sha256, school=school, academic_year=marks.academic_year,
            period_start=marks.period_start, period_end=marks.period_end, marks=marks.marks, learners=marks.learners,
            schools=len(school_ids), years_written=written, years_deleted=deleted, created_by=by, modified_by=by,
        )
    security_event("import", user=by, kind="attendance_marks", school_id=getattr(school, "pk", None), import_id=record.pk,
                   marks=record.marks, learners=record.learners)
    report(1.0, "done")
    return MarksImportResult(errors=[], error_count=0, record=record)


#: Only these constant column names are formatted into the SQL below (hence the S608 exemptions); values are parameters.
_STORED_COLUMNS = ", ".join(STORED_SCHEMA)
_WRITTEN_COLUMNS = ", ".join(WRITTEN_COLUMNS)
_SUMMARY_FIGURES = ("possible", "attended", "authorised", "unauthorised")


def _check_and_lock(cursor: Any, *, learner_ids: list[int], school_ids: list[int]) -> None:
    """The file's learners and schools exist, and cannot be deleted until this transaction ends.

    The marks table has no foreign-key constraints in the database, which PostgreSQL would check row by row;
    this is the same guarantee, set-based: KEY SHARE locks, as a foreign key takes.
    """
    cursor.execute("SELECT count(*) FROM (SELECT 1 FROM families_learner WHERE id = ANY(%s) FOR KEY SHARE) AS l", [learner_ids])
    learners = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM (SELECT 1 FROM organisations_school WHERE organisation_ptr_id = ANY(%s) FOR KEY SHARE) AS s",
        [school_ids])
    if learners != len(learner_ids) or cursor.fetchone()[0] != len(school_ids):
        raise ValidationError(_("Learners or schools were deleted while the file was imported. Import it again."),
                              code="changed_while_importing")


def _copy_out(cursor: Any, query: str, params: list[Any], schema: dict[str, Any]) -> pl.DataFrame:
    with cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)", params) as copy:  # psycopg's own cursor
        data = b"".join(bytes(block) for block in copy)
    if not data:
        return pl.DataFrame(schema=schema)
    return pl.read_csv(data, has_header=False, new_columns=list(schema), schema=schema)


def _summary_points(marks: MarksFile, learner_ids: list[int], existing: list[tuple[int, datetime.date]]) -> pl.DataFrame:
    """The "as at" dates to recount: the file's last day for every changed learner, and any later one already imported."""
    schema = {"learner_id": pl.Int64, "as_at": pl.Date}
    return pl.concat([
        pl.DataFrame({"learner_id": learner_ids, "as_at": [marks.period_end] * len(learner_ids)}, schema=schema),
        pl.DataFrame(existing, schema=schema, orient="row"),
    ]).unique().sort("learner_id", "as_at")


def _store_years_postgresql(marks: MarksFile, *, school_ids: list[int], by: Any, report: Progress) -> tuple[int, int]:
    """One COPY out of the stored years the file touches, one DELETE and one COPY in of the changed ones, and the
    summaries through a staging table: a handful of statements, each over a row per learner."""
    year_start, year_end = academic_year_bounds(marks.academic_year)
    learner_ids = marks.learner_ids.to_list()
    by_id = getattr(by, "pk", None)
    with connection.cursor() as cursor:
        if by_id is not None:
            cursor.execute("SELECT set_config('cymuned.actor_id', %s, true)", [str(by_id)])
        for school_id in school_ids:  # in order, so two imports never wait on each other crosswise
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_NAMESPACE, school_id])
        _check_and_lock(cursor, learner_ids=learner_ids, school_ids=school_ids)
        stored = _copy_out(
            cursor,
            f"SELECT {_STORED_COLUMNS} FROM outcomes_attendanceyear WHERE academic_year = %s"  # noqa: S608
            " AND (school_id = ANY(%s) OR learner_id = ANY(%s))",
            [marks.academic_year, school_ids, learner_ids], STORED_SCHEMA)
        plan = plan_years(marks, stored, school_ids=school_ids)
        marks.digest.start()  # hashed on a core left free while PostgreSQL stores the years
        report(0.75, "storing")
        if plan.delete_ids:
            cursor.execute("DELETE FROM outcomes_attendanceyear WHERE id = ANY(%s)", [plan.delete_ids])
        if not plan.write.is_empty():
            with cursor.copy(f"COPY outcomes_attendanceyear ({_WRITTEN_COLUMNS}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(plan.write.write_csv(include_header=False))
        if plan.learner_ids:
            report(0.9, "refreshing")
            cursor.execute(
                "SELECT learner_id, period_end FROM outcomes_attendancesummary WHERE learner_id = ANY(%s)"
                " AND source = %s AND period_end BETWEEN %s AND %s",
                [plan.learner_ids, AttendanceSource.IMPORT, marks.period_start, year_end])
            sums = summary_figures(plan, marks, _summary_points(marks, plan.learner_ids, cursor.fetchall()))
            _refresh_summaries_postgresql(cursor, sums, year_start=year_start, now=timezone.now(), by_id=by_id)
    return len(plan.write), plan.removed


def _refresh_summaries_postgresql(cursor: Any, sums: pl.DataFrame, *, year_start: datetime.date, now: datetime.datetime,
                                  by_id: int | None) -> None:
    """Write year-to-date summaries counted in polars: COPY into a staging table, one upsert of those that differ,
    one delete of those with no possible session left."""
    # Dropped here too, not only at commit: callers may hold an outer transaction (a savepoint ends here).
    cursor.execute("DROP TABLE IF EXISTS imp_summaries; CREATE TEMP TABLE imp_summaries (learner_id bigint, as_at date,"
                   " possible integer, attended integer, authorised integer, unauthorised integer) ON COMMIT DROP")
    with cursor.copy("COPY imp_summaries FROM STDIN (FORMAT csv)") as copy:
        copy.write(sums.write_csv(include_header=False))
    span = {"now": now, "by": by_id, "source": AttendanceSource.IMPORT, "year_start": year_start}
    compared = ["school_id", "period_start", "possible_sessions", "attended_sessions", "authorised_absences",
                "unauthorised_absences", "source"]
    cursor.execute(
        "INSERT INTO outcomes_attendancesummary (created_on, modified_on, created_by_id, modified_by_id, learner_id, school_id,"  # noqa: S608
        "   period_start, period_end, possible_sessions, attended_sessions, authorised_absences, unauthorised_absences,"
        "   percentage, source)"
        " SELECT %(now)s, %(now)s, %(by)s, %(by)s, s.learner_id, l.school_id, %(year_start)s, s.as_at, s.possible, s.attended,"
        "   s.authorised, s.unauthorised, round(s.attended * 100.0 / s.possible, 2), %(source)s"
        " FROM imp_summaries s JOIN families_learner l ON l.id = s.learner_id WHERE s.possible > 0"
        " ON CONFLICT (learner_id, period_end) DO UPDATE SET school_id = EXCLUDED.school_id,"
        "   period_start = EXCLUDED.period_start, possible_sessions = EXCLUDED.possible_sessions,"
        "   attended_sessions = EXCLUDED.attended_sessions, authorised_absences = EXCLUDED.authorised_absences,"
        "   unauthorised_absences = EXCLUDED.unauthorised_absences, percentage = EXCLUDED.percentage,"
        "   source = EXCLUDED.source, modified_on = EXCLUDED.modified_on, modified_by_id = EXCLUDED.modified_by_id"
        f" WHERE ({', '.join('outcomes_attendancesummary.' + c for c in compared)})"
        f" IS DISTINCT FROM ({', '.join('EXCLUDED.' + c for c in compared)})", span)
    cursor.execute(
        "DELETE FROM outcomes_attendancesummary s USING imp_summaries i WHERE s.learner_id = i.learner_id"
        " AND s.period_end = i.as_at AND i.possible = 0 AND s.source = %(source)s", span)
    cursor.execute("DROP TABLE imp_summaries")


def _chunks(values: list[Any], size: int = 900) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _store_years_orm(marks: MarksFile, *, school_ids: list[int], by: Any) -> tuple[int, int]:
    """The same outcome as the PostgreSQL path through the ORM, for SQLite (the demo): slower, never different."""
    year_start, year_end = academic_year_bounds(marks.academic_year)
    learner_ids = marks.learner_ids.to_list()
    in_year = AttendanceYear.objects.filter(academic_year=marks.academic_year)
    columns = list(STORED_SCHEMA)
    rows = {row[0]: row for row in in_year.filter(school_id__in=school_ids).values_list(*columns)}
    for chunk in _chunks(learner_ids):
        rows.update((row[0], row) for row in in_year.filter(learner_id__in=chunk).values_list(*columns))
    stored = pl.DataFrame([[*row[:4], *(array_text(counts) for counts in row[4:])] for row in rows.values()],
                          schema=STORED_SCHEMA, orient="row")
    plan = plan_years(marks, stored, school_ids=school_ids)
    for chunk in _chunks(plan.delete_ids):
        AttendanceYear.objects.filter(pk__in=chunk).delete()
    AttendanceYear.objects.bulk_create([
        AttendanceYear(**{name: [int(v) for v in value.strip("{}").split(",")] if name in ARRAY_COLUMNS else value
                          for name, value in row.items()})
        for row in plan.write.iter_rows(named=True)
    ], batch_size=200)
    if plan.learner_ids:
        existing = []
        for chunk in _chunks(plan.learner_ids):
            existing += AttendanceSummary.objects.filter(
                learner_id__in=chunk, source=AttendanceSource.IMPORT, period_end__range=(marks.period_start, year_end)
            ).values_list("learner_id", "period_end")
        sums = summary_figures(plan, marks, _summary_points(marks, plan.learner_ids, existing))
        figures = []
        for row in sums.iter_rows(named=True):
            counts = [row[name] for name in WEEKLY_FIGURES]
            if counts[0]:
                figures.append(AttendanceFigures(row["learner_id"], year_start, row["as_at"], *counts))
            else:
                AttendanceSummary.objects.filter(learner_id=row["learner_id"], period_end=row["as_at"],
                                                 source=AttendanceSource.IMPORT).delete()
        if figures:
            attendance_summaries_upsert(figures=figures, source=AttendanceSource.IMPORT, by=by)
    return len(plan.write), plan.removed
