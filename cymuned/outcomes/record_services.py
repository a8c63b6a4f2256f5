"""Storing files of learners, behaviour incidents, exclusions and assessment results: all or nothing, set-based.

:func:`records_import` is what the four importers of :mod:`.record_imports` call. In one transaction, after every
row was checked (:func:`.record_imports.read_records`), it takes the per-school import lock, reads back the stored
rows the file touches and compares them with the file's (in polars), and writes only the difference: one
``bulk_create``, one ``bulk_update`` and one DELETE per 1,000 rows, never a save per row. So importing the same file
twice writes nothing (the database's statement triggers record nothing), and a corrected file replaces the earlier
one: for incidents, exclusions and results, rows of the file's schools dated within the file's period (its first
to its last date) that the file no longer has are deleted. Learners are created or updated by UPN, never deleted:
those on the roll of the file's schools whom the file leaves out are counted and listed as leavers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import FloatField, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cymuned.access.principal import principal_for
from cymuned.accounts.roles import LA_WIDE_ROLES
from cymuned.core.security_log import security_event
from cymuned.families.models import Learner
from cymuned.organisations.models import School

from .importing import Progress, RowError
from .marks import academic_year_of
from .models import AssessmentResult, BehaviourIncident, Exclusion, RecordsImport, RecordsKind
from .record_imports import DATE_FIELD, KEYS, WRITTEN, RecordsFile, read_records
from .services import IMPORT_LOCK_NAMESPACE, _check_and_lock

#: Rows per INSERT, UPDATE or DELETE statement.
WRITE_BATCH = 1000
#: Leavers listed in a result (the rest are counted).
MAX_LEAVERS = 200

MODELS = {RecordsKind.BEHAVIOUR: BehaviourIncident, RecordsKind.EXCLUSIONS: Exclusion, RecordsKind.RESULTS: AssessmentResult}
#: Columns stored as decimals, compared as floats (to the places they hold).
DECIMALS = {"days": 1, "points": 2}
SCHEMAS: dict[str, dict[str, Any]] = {
    RecordsKind.BEHAVIOUR: {"occurred_on": pl.Date, "academic_year": pl.Int32, "incident_type": pl.String, "severity": pl.Int16,
                            "reference": pl.String},
    RecordsKind.EXCLUSIONS: {"start_date": pl.Date, "academic_year": pl.Int32, "kind": pl.String, "days": pl.Float64,
                             "reason": pl.String, "reference": pl.String},
    RecordsKind.RESULTS: {"subject": pl.String, "assessment": pl.String, "grade": pl.String, "points": pl.Float64,
                          "assessed_on": pl.Date, "academic_year": pl.Int32},
    RecordsKind.LEARNERS: {"given_name": pl.String, "family_name": pl.String, "date_of_birth": pl.Date, "year_group": pl.Int16,
                           "gender": pl.String, "efsm": pl.Boolean, "additional_learning_needs": pl.Boolean,
                           "looked_after": pl.Boolean, "english_additional_language": pl.Boolean,
                           "welsh_additional_language": pl.Boolean},
}


@dataclass
class RecordsImportResult:
    """What an import did: the record of it (and the learners a roll left out), or the errors that stopped it."""

    errors: list[RowError]
    error_count: int
    record: RecordsImport | None = None
    #: (UPN, name) of learners on the roll of the file's schools whom a learners file left out (the first ones).
    leavers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.record is not None


@dataclass
class _Plan:
    delete_ids: list[int]
    update: pl.DataFrame  # id + the written columns
    insert: pl.DataFrame
    academic_years: set[int]


def _after_records_import(kind: str, school_ids: list[int], academic_years: list[int]) -> None:
    """Called once after every import that changed something, inside its transaction: recount the dashboards' figures.

    A learners file can change any year's groups (eFSM, ALN, year group, which the aggregates carry back to earlier
    years), so it recounts every year of its schools; the other kinds recount only the years their rows fall in.
    """
    from .aggregates import refresh_outcome_aggregates

    years = None if kind == RecordsKind.LEARNERS else academic_years
    refresh_outcome_aggregates(school_ids=school_ids, academic_years=years)


def _refused(message: str, code: str) -> RecordsImportResult:
    return RecordsImportResult(errors=[RowError(None, "", message, code)], error_count=1)


def _allowed_schools(by: Any, school: School | None) -> tuple[set[int] | None, RecordsImportResult | None]:
    """For an LA-wide file imported by a person: the schools of the LAs where they hold an LA-wide role."""
    if school is not None or by is None:
        return None, None
    la_ids = principal_for(by).la_ids(LA_WIDE_ROLES)
    if not la_ids:
        return None, _refused(_("Only the local authority can import a file for all its schools: choose your school."),
                              "not_la_wide")
    return set(School.objects.filter(local_authority_id__in=la_ids).values_list("pk", flat=True)), None


def records_import(
    *,
    kind: str,
    source: Any,
    by: Any = None,
    school: School | None = None,
    mapping: dict[str, Any] | None = None,
    progress: Progress | None = None,
    academic_year: int | None = None,
) -> RecordsImportResult:
    """Import a file of ``kind`` (``RecordsKind``), all or nothing; see the module's docstring for what it replaces.

    ``source`` is a path, bytes or an uploaded file; ``mapping`` names its columns (the kind's aliases otherwise);
    ``progress(fraction, stage)`` is called as it goes. With ``school`` every learner must be on that school's roll
    (a learners file may add learners to it); without, the file is LA-wide: each record goes to its learner's
    school (a learners file names each learner's school), and if ``by`` is given they must hold an LA-wide role and
    the file may reach only their LA's schools. Like ``services.attendance_marks_import`` it does not otherwise
    check who is asking: the caller authorises the import (the page, or the command line for the LA).
    """
    report = progress or (lambda fraction, stage: None)
    allowed, refusal = _allowed_schools(by, school)
    if refusal is None:
        read = read_records(source, kind=kind, school=school, allowed_schools=allowed, mapping=mapping,
                            academic_year=academic_year, progress=report)
        if not read.ok:
            refusal = RecordsImportResult(errors=read.errors, error_count=read.error_count)
    if refusal is not None:
        security_event("import_refused", user=by, kind=kind, school_id=getattr(school, "pk", None), error_count=refusal.error_count)
        return refusal
    records = read.file
    assert records is not None
    report(0.5, "storing")
    try:
        with transaction.atomic():
            _lock(records, by=by)
            if kind == RecordsKind.LEARNERS:
                added, changed, removed, years = _store_learners(records, by=by)
                leavers, leaver_count = _leavers(records)
            else:
                plan = _plan(records)
                added, changed, removed = _write(records, plan, by=by)
                years, leavers, leaver_count = plan.academic_years, [], 0
            record = RecordsImport.objects.create(
                kind=kind, file_name=records.file_name, sha256=records.sha256, school=school,
                period_start=records.period_start, period_end=records.period_end, rows=records.rows,
                schools=len(records.school_ids), added=added, changed=changed, removed=removed, leavers=leaver_count,
                created_by=by, modified_by=by,
            )
            if added or changed or removed:
                report(0.9, "refreshing")
                _after_records_import(kind, records.school_ids, sorted(years))
    except (ValidationError, IntegrityError):
        records.digest.close()
        message = _("Learners or schools were changed by someone else while the file was imported. Import it again.")
        security_event("import_refused", user=by, kind=kind, school_id=getattr(school, "pk", None), error_count=1)
        return _refused(message, "changed_while_importing")
    security_event("import", user=by, kind=kind, school_id=getattr(school, "pk", None), import_id=record.pk, rows=record.rows,
                   added=added, changed=changed, removed=removed)
    report(1.0, "done")
    return RecordsImportResult(errors=[], error_count=0, record=record, leavers=leavers)


def _lock(records: RecordsFile, *, by: Any) -> None:
    """The per-school import lock (shared with the attendance importer), and the learners and schools held."""
    if connection.vendor != "postgresql":
        return
    learner_ids = records.frame.get_column("learner_id").drop_nulls().unique().sort().to_list()
    with connection.cursor() as cursor:
        if getattr(by, "pk", None) is not None:
            cursor.execute("SELECT set_config('cymuned.actor_id', %s, true)", [str(by.pk)])
        for school_id in records.school_ids:  # in order, so two imports never wait on each other crosswise
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [IMPORT_LOCK_NAMESPACE, school_id])
        _check_and_lock(cursor, learner_ids=learner_ids, school_ids=records.school_ids)


def _ids_in(name: str, ids: list[Any], array: str = "bigint[]") -> Q:
    """``name IN ids`` as one parameter on PostgreSQL (an LA's file names tens of thousands)."""
    if connection.vendor == "postgresql":
        # ``array`` is one of this module's constants, never input; the ids are a parameter.
        return Q(**{f"{name}__in": RawSQL(f"SELECT unnest(%s::{array})", [ids])})  # noqa: S611
    return Q(**{f"{name}__in": ids})


def _stored(queryset: Any, columns: list[str], schema: dict[str, Any]) -> pl.DataFrame:
    """Rows as a frame of ``id`` and ``columns``, decimals read as floats by the database."""
    casts = {f"{name}__f": Cast(name, FloatField()) for name in columns if name in DECIMALS}
    names = ["id", *(f"{name}__f" if name in DECIMALS else name for name in columns)]
    rows = list(queryset.annotate(**casts).values_list(*names))
    full = {"id": pl.Int64, **{name: schema.get(name, pl.Int64) for name in columns}}
    return pl.DataFrame(rows, schema=full, orient="row")


def _same(columns: list[str]) -> pl.Expr:
    checks = []
    for name in columns:
        new, old = pl.col(name), pl.col(f"{name}_old")
        if name in DECIMALS:
            checks.append((new.is_null() & old.is_null()) | ((new - old).abs() < 10 ** -(DECIMALS[name] + 2)).fill_null(False))
        else:
            checks.append(new.eq_missing(old))
    return pl.all_horizontal(checks)


def _plan(records: RecordsFile) -> _Plan:
    """Match the file's rows with the stored rows of its schools (and learners) in its period, by the kind's key."""
    kind = records.kind
    model = MODELS[kind]
    date_name = DATE_FIELD[kind]
    columns = ["learner_id", "school_id", *WRITTEN[kind]]
    learner_ids = records.frame.get_column("learner_id").unique().to_list()
    scope = model.objects.filter(**{f"{date_name}__range": (records.period_start, records.period_end)}).filter(
        Q(school_id__in=records.school_ids) | _ids_in("learner_id", learner_ids))
    stored = _stored(scope, columns, SCHEMAS[kind])
    keys = list(KEYS[kind])
    extra = stored.filter(~pl.struct(keys).is_first_distinct())  # stored twice over (by hand, say): the copies go
    stored = stored.filter(pl.struct(keys).is_first_distinct())
    joined = records.frame.join(stored.rename({c: f"{c}_old" for c in stored.columns if c not in keys}), on=keys, how="full",
                                coalesce=True)
    in_file, in_store = pl.col("school_id").is_not_null(), pl.col("id_old").is_not_null()
    compared = [c for c in columns if c not in keys]
    joined = joined.with_columns(same=_same(compared))
    update = joined.filter(in_file & in_store & ~pl.col("same")).select(pl.col("id_old").alias("id"), *columns)
    insert = joined.filter(in_file & ~in_store).select(columns)
    gone = joined.filter(~in_file & in_store)
    delete_ids = [*gone.get_column("id_old").to_list(), *extra.get_column("id").to_list()]
    years = {*insert.get_column("academic_year").to_list(), *update.get_column("academic_year").to_list(),
             *gone.get_column("academic_year_old").to_list(), *extra.get_column("academic_year").to_list(),
             *joined.filter(in_file & in_store & ~pl.col("same")).get_column("academic_year_old").to_list()}
    return _Plan(delete_ids=delete_ids, update=update, insert=insert, academic_years={int(y) for y in years if y is not None})


def _values(row: dict[str, Any]) -> dict[str, Any]:
    return {name: (Decimal(f"{value:.{DECIMALS[name]}f}") if name in DECIMALS and value is not None else value)
            for name, value in row.items()}


def _delete(model: Any, ids: list[int]) -> None:
    """One DELETE per ``WRITE_BATCH`` rows, without loading them (these rows have nothing depending on them)."""
    for start in range(0, len(ids), WRITE_BATCH):
        queryset = model.objects.filter(pk__in=ids[start : start + WRITE_BATCH])
        queryset._raw_delete(queryset.db)


def _write(records: RecordsFile, plan: _Plan, *, by: Any) -> tuple[int, int, int]:
    model = MODELS[records.kind]
    now = timezone.now()
    _delete(model, plan.delete_ids)
    fields = ["school_id", *WRITTEN[records.kind]]
    if connection.vendor == "postgresql":  # COPY: one statement each, whatever the number of rows
        by_id = getattr(by, "pk", None)
        with connection.cursor() as cursor:
            _update_postgresql(cursor, model, plan.update, fields, now=now, by_id=by_id)
            if not plan.insert.is_empty():
                stamps = {"created_on": now, "modified_on": now, "created_by_id": by_id, "modified_by_id": by_id}
                _copy_in(cursor, model._meta.db_table, plan.insert.with_columns(
                    pl.lit(value, pl.Int64 if name.endswith("_id") else pl.Datetime("us", "UTC")).alias(name)
                    for name, value in stamps.items()))
        return plan.insert.height, plan.update.height, len(plan.delete_ids)
    if not plan.update.is_empty():
        objects = [model(**_values(row), modified_by=by, modified_on=now) for row in plan.update.iter_rows(named=True)]
        model.objects.bulk_update(objects, [*fields, "modified_by", "modified_on"], batch_size=WRITE_BATCH)
    if not plan.insert.is_empty():
        model.objects.bulk_create([model(**_values(row), created_by=by, modified_by=by) for row in plan.insert.iter_rows(named=True)],
                                  batch_size=WRITE_BATCH)
    return plan.insert.height, plan.update.height, len(plan.delete_ids)


#: Only model field names (this module's constants and the models' db_table) are formatted into the SQL below.
def _copy_in(cursor: Any, table: str, frame: pl.DataFrame) -> None:
    columns = ", ".join(frame.columns)
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy:
        copy.write(frame.write_csv(include_header=False, null_value="\\N", datetime_format="%Y-%m-%dT%H:%M:%S%.f+00:00"))


def _update_postgresql(cursor: Any, model: Any, rows: pl.DataFrame, fields: list[str], *, now: Any, by_id: int | None) -> None:
    """Changed rows through a staging table: one COPY and one UPDATE ... FROM (``bulk_update``'s CASE per row and
    field grows with the square of the rows)."""
    if rows.is_empty():
        return
    table = model._meta.db_table
    columns = ["id", *fields]
    cursor.execute("DROP TABLE IF EXISTS imp_records")
    cursor.execute(f"CREATE TEMP TABLE imp_records ON COMMIT DROP AS SELECT {', '.join(columns)} FROM {table} WITH NO DATA")  # noqa: S608
    _copy_in(cursor, "imp_records", rows.select(columns))
    assignments = ", ".join(f"{name} = s.{name}" for name in fields)
    cursor.execute(f"UPDATE {table} t SET {assignments}, modified_on = %s, modified_by_id = %s"  # noqa: S608
                   " FROM imp_records s WHERE t.id = s.id", [now, by_id])
    cursor.execute("DROP TABLE imp_records")


# --- Learners --------------------------------------------------------------------------------------------------------


def _store_learners(records: RecordsFile, *, by: Any) -> tuple[int, int, int, set[int]]:
    """Create the file's new learners and update those whose details differ, in the columns the file has."""
    columns = ["school_id", *records.columns]
    upns = records.frame.get_column("upn").to_list()
    stored = _stored(Learner.objects.filter(_ids_in("upn", upns, "text[]")),
                     ["upn", *columns], {"upn": pl.String, **SCHEMAS[RecordsKind.LEARNERS]})
    joined = records.frame.join(stored.rename({c: f"{c}_old" for c in stored.columns if c != "upn"}), on="upn", how="left")
    in_store = pl.col("id_old").is_not_null()
    update = joined.filter(in_store & ~_same(columns)).select(pl.col("id_old").alias("id"), *columns)
    insert = joined.filter(~in_store).select("upn", "school_id", *WRITTEN[RecordsKind.LEARNERS])
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _update_postgresql(cursor, Learner, update, columns, now=now, by_id=getattr(by, "pk", None))
    elif not update.is_empty():
        objects = [Learner(**row, modified_by=by, modified_on=now) for row in update.iter_rows(named=True)]
        Learner.objects.bulk_update(objects, [*columns, "modified_by", "modified_on"], batch_size=WRITE_BATCH)
    if not insert.is_empty():
        Learner.objects.bulk_create([Learner(**row, created_by=by, modified_by=by) for row in insert.iter_rows(named=True)],
                                    batch_size=WRITE_BATCH)
    return insert.height, update.height, 0, {academic_year_of(timezone.localdate())}


def _leavers(records: RecordsFile) -> tuple[list[tuple[str, str]], int]:
    """Learners on the roll of the file's schools that it leaves out: reported, not deleted (they may have left,
    or the file may be partial; archiving a leaver is a decision for the school)."""
    roll = Learner.objects.filter(school_id__in=records.school_ids, archived_on__isnull=True)
    rows = list(roll.values_list("upn", "given_name", "family_name").order_by("family_name", "given_name", "upn"))
    frame = pl.DataFrame(rows, schema={"upn": pl.String, "given_name": pl.String, "family_name": pl.String}, orient="row")
    left = frame.join(records.frame.select("upn"), on="upn", how="anti", maintain_order="left")
    shown = [(upn, f"{given} {family}") for upn, given, family in left.head(MAX_LEAVERS).iter_rows()]
    return shown, left.height


def describe_result(result: RecordsImportResult) -> str:
    """One sentence on what an import did, for the command line and the page."""
    record = result.record
    assert record is not None
    text = _("%(rows)s rows: %(added)s added, %(changed)s changed, %(removed)s removed.") % {
        "rows": record.rows, "added": record.added, "changed": record.changed, "removed": record.removed}
    if record.period_start and record.period_end:
        text += " " + _("The file covers %(start)s to %(end)s.") % {
            "start": f"{record.period_start:%d/%m/%Y}", "end": f"{record.period_end:%d/%m/%Y}"}
    if record.leavers:
        text += " " + ngettext("%(count)s learner on the roll is not in the file: they have not been removed.",
                               "%(count)s learners on the roll are not in the file: they have not been removed.",
                               record.leavers) % {"count": record.leavers}
    return text

