"""Writes of outcome figures. Each runs in one transaction and validates everything before writing anything."""

from __future__ import annotations  # noqa: I001

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cymuned.access.policy import Action, can, can_create
from cymuned.families.models import Learner
from cymuned.organisations.models import School

from .importing import STORED_SCHEMA, MarksFile, Progress, RowError, covered_weeks, plan_weeks, read_marks
from .marks import FIGURES, academic_year_bounds
from .models import (
    AttendanceFigures,
    AttendanceImport,
    AttendanceSource,
    AttendanceSummary,
    AttendanceTermTotal,
    AttendanceWeek,
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
    every week of those schools in that period is replaced by the file's weeks (a corrected file replaces the
    earlier one, and learners left out of it lose their marks for the period; marks outside the period, in weeks
    the period only partly covers, are kept); then, set-based, each affected learner's term totals and
    year-to-date :class:`AttendanceSummary` as at the file's last day (and at later "as at" dates already
    imported) are recounted. Rows that would not change are not written, so importing the same file twice
    changes nothing. On PostgreSQL the weeks go through COPY into a staging table and a few statements; other
    databases take the ORM path with the same outcome.
    """
    report = progress or (lambda fraction, stage: None)
    read = read_marks(source, school=school, mapping=mapping, academic_year=academic_year, progress=report)
    if not read.ok:
        return MarksImportResult(errors=read.errors, error_count=read.error_count)
    marks = read.marks
    assert marks is not None
    school_ids = sorted({*marks.school_ids, *([school.pk] if school else [])})
    report(0.6, "storing")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            written, deleted = _store_weeks_postgresql(marks, school_ids=school_ids, by=by, report=report)
        else:
            written, deleted = _store_weeks_orm(marks, school_ids=school_ids, by=by)
        record = AttendanceImport.objects.create(
            file_name=marks.file_name, sha256=marks.sha256, school=school, academic_year=marks.academic_year,
            period_start=marks.period_start, period_end=marks.period_end, marks=marks.marks, learners=marks.learners,
            schools=len(school_ids), weeks_written=written, weeks_deleted=deleted, created_by=by, modified_by=by,
        )
    report(1.0, "done")
    return MarksImportResult(errors=[], error_count=0, record=record)


#: Only these constant column names are formatted into the SQL below (hence the S608 exemptions); values are parameters.
_FIGURE_NAMES = list(FIGURES)
_WEEK_COLUMNS = ["learner_id", "school_id", "week_start", "academic_year", "term", "codes", *_FIGURE_NAMES]


def _check_and_lock(cursor: Any, *, learner_ids: list[int], school_ids: list[int]) -> None:
    """The weeks' learners and schools exist, and cannot be deleted until this transaction ends.

    The marks tables have no foreign-key constraints in the database, which PostgreSQL would check row by row
    (seconds for an LA's year); this is the same guarantee, set-based: KEY SHARE locks, as a foreign key takes.
    """
    cursor.execute("SELECT count(*) FROM (SELECT 1 FROM families_learner WHERE id = ANY(%s) FOR KEY SHARE) AS l", [learner_ids])
    learners = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM (SELECT 1 FROM organisations_school WHERE organisation_ptr_id = ANY(%s) FOR KEY SHARE) AS s",
        [school_ids])
    if learners != len(learner_ids) or cursor.fetchone()[0] != len(school_ids):
        raise ValidationError(_("Learners or schools were deleted while the file was imported. Import it again."),
                              code="changed_while_importing")


def _stored_weeks_postgresql(cursor: Any, marks: MarksFile, *, school_ids: list[int], learner_ids: list[int]) -> pl.DataFrame:
    weeks = covered_weeks(marks.period_start, marks.period_end)
    columns = ", ".join(STORED_SCHEMA)
    with cursor.cursor.copy(  # psycopg's own cursor: COPY with parameters (Django's debug wrapper takes none)
        f"COPY (SELECT {columns} FROM outcomes_attendanceweek WHERE week_start BETWEEN %s AND %s"  # noqa: S608
        " AND (school_id = ANY(%s) OR learner_id = ANY(%s))) TO STDOUT (FORMAT csv)",
        [weeks[0][0], weeks[-1][0], school_ids, learner_ids],
    ) as copy:
        data = b"".join(bytes(block) for block in copy)
    if not data:
        return pl.DataFrame(schema=STORED_SCHEMA)
    return pl.read_csv(data, has_header=False, new_columns=list(STORED_SCHEMA), schema=STORED_SCHEMA)


def _store_weeks_postgresql(marks: MarksFile, *, school_ids: list[int], by: Any, report: Progress) -> tuple[int, int]:
    year_start, year_end = academic_year_bounds(marks.academic_year)
    learner_ids = marks.weeks.get_column("learner_id").unique().sort().to_list()
    by_id = getattr(by, "pk", None)
    with connection.cursor() as cursor:
        if by_id is not None:
            cursor.execute("SELECT set_config('cymuned.actor_id', %s, true)", [str(by_id)])
        for school_id in school_ids:  # in order, so two imports never wait on each other crosswise
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_NAMESPACE, school_id])
        _check_and_lock(cursor, learner_ids=learner_ids, school_ids=school_ids)
        stored = _stored_weeks_postgresql(cursor, marks, school_ids=school_ids, learner_ids=learner_ids)
        plan = plan_weeks(marks, stored, school_ids=school_ids)
        report(0.7, "storing")
        if plan.delete_ids:
            cursor.execute("DELETE FROM outcomes_attendanceweek WHERE id = ANY(%s)", [plan.delete_ids])
        if not plan.write.is_empty():
            total = len(plan.write)
            with cursor.copy(f"COPY outcomes_attendanceweek ({', '.join(_WEEK_COLUMNS)}) FROM STDIN (FORMAT csv)") as copy:
                for done, chunk in enumerate(plan.write.iter_slices(100_000), start=1):
                    copy.write(chunk.write_csv(include_header=False))
                    report(0.7 + 0.15 * min(1.0, done * 100_000 / total), "storing")
        if plan.learner_ids:
            report(0.85, "refreshing")
            # Dropped here too, not only at commit: callers may hold an outer transaction (a savepoint ends here).
            cursor.execute("DROP TABLE IF EXISTS imp_learners;"
                           " CREATE TEMP TABLE imp_learners (learner_id bigint PRIMARY KEY) ON COMMIT DROP")
            cursor.execute("INSERT INTO imp_learners SELECT unnest(%s::bigint[])", [plan.learner_ids])
            cursor.execute("ANALYZE imp_learners")
            _refresh_postgresql(cursor, marks=marks, year_start=year_start, year_end=year_end, now=timezone.now(), by_id=by_id)
            cursor.execute("DROP TABLE imp_learners")
    return len(plan.write), plan.removed


def _refresh_postgresql(cursor: Any, *, marks: MarksFile, year_start: datetime.date, year_end: datetime.date,
                        now: datetime.datetime, by_id: int | None) -> None:
    """Term totals and year-to-date summaries of the learners in ``imp_learners``, recounted from their weeks."""
    sums = ", ".join(f"sum(w.{name})" for name in _FIGURE_NAMES)
    columns = ", ".join(_FIGURE_NAMES)
    year = {"year": marks.academic_year}
    cursor.execute("DELETE FROM outcomes_attendancetermtotal t USING imp_learners l WHERE t.learner_id = l.learner_id"
                   " AND t.academic_year = %(year)s", year)
    cursor.execute(
        f"INSERT INTO outcomes_attendancetermtotal (learner_id, school_id, academic_year, term, weeks, {columns})"  # noqa: S608
        f" SELECT w.learner_id, min(p.school_id), w.academic_year, w.term, count(*), {sums}"
        " FROM outcomes_attendanceweek w JOIN imp_learners l ON l.learner_id = w.learner_id"
        " JOIN families_learner p ON p.id = w.learner_id"  # the learner's school, as for the summaries
        " WHERE w.academic_year = %(year)s GROUP BY w.learner_id, w.academic_year, w.term", year)
    # Year to date as at the file's last day, and at any later "as at" date an import already wrote this year.
    span = {"year": marks.academic_year, "as_at": marks.period_end, "from": marks.period_start, "year_start": year_start,
            "year_end": year_end, "now": now, "by": by_id, "source": AttendanceSource.IMPORT}
    summary_compared = ["school_id", "period_start", "possible_sessions", "attended_sessions", "authorised_absences",
                        "unauthorised_absences", "source"]
    cursor.execute(
        "WITH points AS ("  # noqa: S608
        "  SELECT learner_id, %(as_at)s::date AS as_at FROM imp_learners"
        "  UNION SELECT s.learner_id, s.period_end FROM outcomes_attendancesummary s JOIN imp_learners l USING (learner_id)"
        "  WHERE s.source = %(source)s AND s.period_end BETWEEN %(from)s AND %(year_end)s"
        "), sums AS ("
        "  SELECT p.learner_id, p.as_at, sum(w.possible_sessions) AS possible, sum(w.attended_sessions) AS attended,"
        "         sum(w.authorised_absences) AS authorised, sum(w.unauthorised_absences) AS unauthorised"
        "  FROM points p JOIN outcomes_attendanceweek w ON w.learner_id = p.learner_id AND w.academic_year = %(year)s"
        "  AND w.week_start <= p.as_at GROUP BY p.learner_id, p.as_at"
        ")"
        " INSERT INTO outcomes_attendancesummary (created_on, modified_on, created_by_id, modified_by_id, learner_id, school_id,"
        "   period_start, period_end, possible_sessions, attended_sessions, authorised_absences, unauthorised_absences,"
        "   percentage, source)"
        " SELECT %(now)s, %(now)s, %(by)s, %(by)s, s.learner_id, l.school_id, %(year_start)s, s.as_at, s.possible, s.attended,"
        "   s.authorised, s.unauthorised, round(s.attended * 100.0 / s.possible, 2), %(source)s"
        " FROM sums s JOIN families_learner l ON l.id = s.learner_id WHERE s.possible > 0"
        " ON CONFLICT (learner_id, period_end) DO UPDATE SET school_id = EXCLUDED.school_id,"
        "   period_start = EXCLUDED.period_start, possible_sessions = EXCLUDED.possible_sessions,"
        "   attended_sessions = EXCLUDED.attended_sessions, authorised_absences = EXCLUDED.authorised_absences,"
        "   unauthorised_absences = EXCLUDED.unauthorised_absences, percentage = EXCLUDED.percentage,"
        "   source = EXCLUDED.source, modified_on = EXCLUDED.modified_on, modified_by_id = EXCLUDED.modified_by_id"
        f" WHERE ({', '.join('outcomes_attendancesummary.' + c for c in summary_compared)})"
        f" IS DISTINCT FROM ({', '.join('EXCLUDED.' + c for c in summary_compared)})", span)
    cursor.execute(
        "DELETE FROM outcomes_attendancesummary s USING imp_learners l WHERE s.learner_id = l.learner_id"
        " AND s.source = %(source)s AND s.period_end BETWEEN %(from)s AND %(year_end)s AND NOT EXISTS"
        " (SELECT 1 FROM outcomes_attendanceweek w WHERE w.learner_id = s.learner_id AND w.academic_year = %(year)s"
        "  AND w.week_start <= s.period_end AND w.possible_sessions > 0)", span)


def _chunks(values: list[Any], size: int = 900) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _store_weeks_orm(marks: MarksFile, *, school_ids: list[int], by: Any) -> tuple[int, int]:
    """The same outcome as the PostgreSQL path through the ORM, for SQLite (the demo): slower, never different."""
    weeks = covered_weeks(marks.period_start, marks.period_end)
    learner_ids = marks.weeks.get_column("learner_id").unique().sort().to_list()
    in_period = AttendanceWeek.objects.filter(week_start__range=(weeks[0][0], weeks[-1][0]))
    rows = {row[0]: row for row in in_period.filter(school_id__in=school_ids).values_list(*STORED_SCHEMA)}
    for chunk in _chunks(learner_ids):
        rows.update((row[0], row) for row in in_period.filter(learner_id__in=chunk).values_list(*STORED_SCHEMA))
    stored = pl.DataFrame(list(rows.values()), schema=STORED_SCHEMA, orient="row")
    plan = plan_weeks(marks, stored, school_ids=school_ids)
    for chunk in _chunks(plan.delete_ids):
        AttendanceWeek.objects.filter(pk__in=chunk).delete()
    AttendanceWeek.objects.bulk_create([AttendanceWeek(**row) for row in plan.write.iter_rows(named=True)], batch_size=500)
    _refresh_orm(marks, learner_ids=plan.learner_ids, by=by)
    return len(plan.write), plan.removed


def _refresh_orm(marks: MarksFile, *, learner_ids: list[int], by: Any) -> None:
    year_start, year_end = academic_year_bounds(marks.academic_year)
    sums = {name: Sum(name) for name in _FIGURE_NAMES}
    for chunk in _chunks(learner_ids):
        weeks = AttendanceWeek.objects.filter(learner_id__in=chunk, academic_year=marks.academic_year)
        AttendanceTermTotal.objects.filter(learner_id__in=chunk, academic_year=marks.academic_year).delete()
        latest_school = {w.learner_id: w.school_id for w in weeks.order_by("learner_id", "week_start")}
        terms = weeks.values("learner_id", "term").annotate(weeks=Count("pk"), **sums).order_by()
        AttendanceTermTotal.objects.bulk_create([
            AttendanceTermTotal(school_id=latest_school[row["learner_id"]], academic_year=marks.academic_year, **row)
            for row in terms
        ], batch_size=500)
        as_at = {(learner_id, marks.period_end) for learner_id in chunk}
        as_at |= set(AttendanceSummary.objects.filter(
            learner_id__in=chunk, source=AttendanceSource.IMPORT, period_end__range=(marks.period_start, year_end)
        ).values_list("learner_id", "period_end"))
        by_learner: dict[int, list[tuple[Any, ...]]] = {}
        for row in weeks.values_list("learner_id", "week_start", *_FIGURE_NAMES[:4]):
            by_learner.setdefault(row[0], []).append(row)
        figures = []
        for learner_id, day in sorted(as_at):
            rows = [row for row in by_learner.get(learner_id, []) if row[1] <= day]
            totals = [sum(row[i] for row in rows) for i in range(2, 6)]
            if totals[0]:
                figures.append(AttendanceFigures(learner_id, year_start, day, *totals))
            else:
                AttendanceSummary.objects.filter(learner_id=learner_id, period_end=day, source=AttendanceSource.IMPORT).delete()
        if figures:
            attendance_summaries_upsert(figures=figures, source=AttendanceSource.IMPORT, by=by)
