"""Imports through the web: writes (``import_run_*``) and reads of :class:`ImportRun` and :class:`MappingTemplate`.

The journey: :func:`import_run_upload` checks and keeps the file (a draft run, with the columns found and a
mapping guessed or taken from the school's template for the MIS); :func:`import_run_map` sets the mapping (and may
save it as a template); :func:`import_run_preview` shows the first rows as mapped, with their problems, writing
nothing; :func:`import_run_start` queues the run; the background task calls :func:`import_run_execute`, which runs the
kind's importer on a CSV (a workbook's sheet is converted first), writes the progress at most every half second, and
records the outcome and notifies the person who started it.

Background work: with the database task backend (production) the run waits for ``manage.py db_worker``; with the
immediate backend it runs where it is queued, which tests want, unless ``settings.CYMUNED_IMPORTS_IN_THREAD`` is set
(``make run``): then it runs in a thread of the development server, so the progress bar moves there too.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import connection, connections, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cymuned.access.policy import Action, can, can_create, visible_to
from cymuned.core.security_log import security_event
from cymuned.organisations.models import LocalAuthority, School

from .importing import RowError
from .kinds import ImportKind, guess_mapping, kind_for, normal
from .models import ImportRun, ImportStatus, MappingTemplate
from .spreadsheets import FileKind, UploadRefused, sniff, table_rows, xlsx_to_csv

logger = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 250 * 1024 * 1024
#: Rows shown on the preview page.
PREVIEW_ROWS = 10
#: Columns of the file shown with sample values on the mapping page.
SAMPLE_ROWS = 3
#: Progress is written to the database at most this often (seconds), and at every change of stage.
PROGRESS_INTERVAL = 0.5
#: Values quoted in the stored report are cut to this many characters.
MAX_VALUE = 100
#: What the school's system is called, offered as suggestions (any name may be typed).
MIS_SUGGESTIONS = ("SIMS", "Arbor", "Scholarpack", "Bromcom", "Teachers2Parents")

STAGE_LABELS = {
    "": gettext_lazy("Waiting to start"),
    "queued": gettext_lazy("Waiting to start"),
    "starting": gettext_lazy("Starting"),
    "converting": gettext_lazy("Reading the spreadsheet"),
    "reading": gettext_lazy("Reading the file"),
    "checking": gettext_lazy("Checking every row"),
    "packing": gettext_lazy("Preparing the records"),
    "storing": gettext_lazy("Saving the records"),
    "summarising": gettext_lazy("Updating the figures"),
    "done": gettext_lazy("Finished"),
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "CYMUNED_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, capfirst(stage.replace("_", " "))))


# --- The file ------------------------------------------------------------------------------------------------------


def file_kind(run: ImportRun, path: Path) -> FileKind:
    return FileKind("xlsx") if run.file_type == "xlsx" else sniff(path, run.original_name)


@contextmanager
def local_file(run: ImportRun) -> Iterator[Path]:
    """The stored file as a path on this machine: the file itself on a file system, else a temporary copy."""
    if isinstance(run.file.storage, FileSystemStorage):
        yield Path(run.file.path)
        return
    suffix = Path(run.file.name).suffix
    with tempfile.NamedTemporaryFile(prefix="cymuned-import-", suffix=suffix) as handle:
        with run.file.open("rb") as stored:
            shutil.copyfileobj(stored, handle, 1 << 20)
        handle.flush()
        yield Path(handle.name)


def _header(rows: Iterator[list[str]]) -> list[str]:
    header = next(rows, None)
    if not header or not any(name.strip() for name in header):
        raise UploadRefused(_("The first row of the file must name the columns, and it is empty."), "no_header")
    return [name.strip().lstrip("\ufeff") for name in header]


# --- Writes ----------------------------------------------------------------------------------------------------------


@dataclass
class Target:
    """Where a file goes: one school, or every school of an LA (``school`` is ``None``)."""

    local_authority: LocalAuthority  # or the Organisation row of one (a school's ``local_authority``)
    school: School | None = None

    @property
    def parent(self) -> models.Model:
        return self.school if self.school is not None else self.local_authority


def import_run_upload(*, by: Any, kind: ImportKind, target: Target, mis: str, upload: Any) -> ImportRun:
    """Check an uploaded file and keep it as a draft run; :class:`UploadRefused` says in the user's language why not.

    Refused: over ``settings.CYMUNED_IMPORT_MAX_BYTES``; empty; not CSV/TSV text or an XLSX workbook, by its name
    *and* its content; no row of column names. The file is hashed as it is copied; nothing is kept if it is refused.
    """
    if not can_create(by, ImportRun, parent=target.parent) or (target.school is None and not kind.la_wide):
        raise PermissionDenied
    name = os.path.basename(getattr(upload, "name", "") or "upload")[:255]
    size = int(getattr(upload, "size", 0) or 0)
    limit = max_upload_bytes()
    if size > limit:
        security_event("import_refused", user=by, kind=kind.key, reason="too_large", size=size)
        raise UploadRefused(_("The file is larger than %(size)s MB. Split it into smaller files, for example one per "
                              "term.") % {"size": limit // (1024 * 1024)}, "too_large")
    if size == 0:
        raise UploadRefused(_("The file is empty."), "empty_file")
    digest = hashlib.sha256()
    suffix = os.path.splitext(name)[1].lower()[:8]
    with tempfile.NamedTemporaryFile(prefix="cymuned-upload-", suffix=suffix) as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
        handle.flush()
        path = Path(handle.name)
        try:
            kind_of_file = sniff(path, name)
            sheet = ""
            if kind_of_file.type == "xlsx":
                from .spreadsheets import sheet_names

                sheets = sheet_names(path)
                sheet = sheets[0] if sheets else ""
            header = _header(table_rows(path, kind_of_file, sheet=sheet, limit=1))
        except UploadRefused as refused:
            security_event("import_refused", user=by, kind=kind.key, reason=refused.code, size=size)
            raise
        school = target.school
        template = None
        if school is not None:
            template = (MappingTemplate.objects.filter(school=school, kind=kind.key, mis__iexact=mis.strip())
                        .order_by("-modified_on").first())
        mapping = _applied(template.mapping, header) if template else guess_mapping(kind, header)
        run = ImportRun(
            kind=kind.key, school=school, local_authority_id=target.local_authority.pk, original_name=name, size=size,
            sha256=digest.hexdigest(), file_type=kind_of_file.type, sheet=sheet, mis=mis.strip()[:60],
            columns=header[:500], mapping=mapping, created_by=by, modified_by=by,
        )
        with open(path, "rb") as stored:
            run.file.save(name, File(stored), save=False)
    run.save()
    security_event("import_upload", user=by, kind=kind.key, school_id=getattr(school, "pk", None), run_id=run.pk,
                   size=size, sha256=run.sha256)
    return run


def _applied(mapping: dict[str, str], header: list[str]) -> dict[str, str]:
    """A saved mapping on a new file: the columns it names that the file has (compared as the importers do)."""
    names = {normal(column): column for column in header}
    return {key: names[normal(value)] for key, value in mapping.items() if value and normal(value) in names}


def mapping_errors(kind: ImportKind, columns: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """What is wrong with a mapping, by field name, in the active language."""
    errors: dict[str, str] = {}
    used: dict[str, str] = {}
    for target in kind.fields:
        column = mapping.get(target.name) or ""
        if not column:
            if target.required:
                errors[target.name] = _("Choose the column that holds the %(field)s.") % {"field": target.label}
            continue
        if column not in columns:
            errors[target.name] = _("Choose one of the file's columns.")
        elif column in used:
            errors[target.name] = _("“%(column)s” is already chosen for the %(field)s.") % {
                "column": column, "field": kind.field(used[column]).label}  # type: ignore[union-attr]
        else:
            used[column] = target.name
    return errors


@transaction.atomic
def import_run_map(*, by: Any, run: ImportRun, mapping: dict[str, str], template_name: str = "") -> ImportRun:
    """Set the run's column mapping (ValidationError by field if it is wrong); with ``template_name``, also keep it
    as the school's template for the run's MIS and kind (replacing one of the same name)."""
    run = _editable(by, run)
    kind = _kind(run)
    mapping = {target.name: (mapping.get(target.name) or "") for target in kind.fields}
    errors = mapping_errors(kind, run.columns, mapping)
    if errors:
        raise ValidationError({name: ValidationError(message, code="bad_mapping") for name, message in errors.items()})
    run.mapping = {key: value for key, value in mapping.items() if value}
    run.modified_by = by
    run.save(update_fields=["mapping", "modified_by", "modified_on"])
    if template_name.strip() and run.school is not None:
        mapping_template_save(by=by, school=run.school, kind=run.kind, mis=run.mis or "", name=template_name,
                              mapping=run.mapping)
    return run


@transaction.atomic
def import_run_choose_sheet(*, by: Any, run: ImportRun, sheet: str) -> ImportRun:
    """Import another sheet of the workbook: its columns are read and the mapping guessed again."""
    run = _editable(by, run)
    kind = _kind(run)
    with local_file(run) as path:
        header = _header(table_rows(path, FileKind("xlsx"), sheet=sheet, limit=1))
    template = None
    if run.school is not None:
        template = (MappingTemplate.objects.filter(school=run.school, kind=run.kind, mis__iexact=run.mis)
                    .order_by("-modified_on").first())
    run.sheet, run.columns = sheet[:100], header[:500]
    run.mapping = _applied(template.mapping, header) if template else guess_mapping(kind, header)
    run.modified_by = by
    run.save(update_fields=["sheet", "columns", "mapping", "modified_by", "modified_on"])
    return run


def mapping_template_save(*, by: Any, school: School, kind: str, mis: str, name: str, mapping: dict[str, str]) -> MappingTemplate:
    if not can_create(by, MappingTemplate, parent=school):
        raise PermissionDenied
    template, _created = MappingTemplate.objects.update_or_create(
        school=school, kind=kind, mis=mis.strip()[:60] or _("Other"), name=name.strip()[:100],
        defaults={"mapping": mapping, "modified_by": by}, create_defaults={"mapping": mapping, "created_by": by, "modified_by": by},
    )
    return template


@transaction.atomic
def import_run_start(*, by: Any, run: ImportRun) -> ImportRun:
    """Queue the run for the background worker (after this transaction commits)."""
    run = _editable(by, run)
    kind = _kind(run)
    errors = mapping_errors(kind, run.columns, run.mapping)
    if errors:
        raise ValidationError(_("Check the column mapping before starting the import."), code="bad_mapping")
    run.status = ImportStatus.QUEUED
    run.stage = "queued"
    run.progress = 0.0
    run.language = getattr(by, "preferred_language", "") or translation.get_language() or settings.LANGUAGE_CODE
    run.modified_by = by
    run.save(update_fields=["status", "stage", "progress", "language", "modified_by", "modified_on"])
    run_id = run.pk
    transaction.on_commit(lambda: dispatch(run_id))
    return run


def dispatch(run_id: int) -> None:
    """Hand the run to the task backend (see the module's docstring)."""
    from django_tasks.backends.immediate import ImmediateBackend

    from .tasks import import_run_execute_task

    if getattr(settings, "CYMUNED_IMPORTS_IN_THREAD", False) and isinstance(import_run_execute_task.get_backend(),
                                                                              ImmediateBackend):
        threading.Thread(target=_run_in_thread, args=(run_id,), daemon=True, name=f"cymuned-import-{run_id}").start()
    else:
        import_run_execute_task.enqueue(run_id=run_id)


def _run_in_thread(run_id: int) -> None:
    try:
        import_run_execute(run_id=run_id)
    except Exception:  # the run is already marked failed; a thread has no one else to tell
        logger.exception("Import run %s failed", run_id)
    finally:
        connections.close_all()


def _editable(by: Any, run: ImportRun) -> ImportRun:
    if not can(by, Action.CHANGE, run):
        raise PermissionDenied
    if run.status != ImportStatus.DRAFT:
        raise ValidationError(_("This import has already been started."), code="already_started")
    return run


def _kind(run: ImportRun) -> ImportKind:
    kind = kind_for(run.kind)
    if kind is None:
        raise ValidationError(_("This kind of import is no longer available."), code="unknown_kind")
    return kind


# --- The background run ----------------------------------------------------------------------------------------------


class ProgressWriter:
    """``progress(fraction, stage)`` for an importer: writes the run's progress at most every ``PROGRESS_INTERVAL``
    seconds and at each new stage, scaled into ``[start, end]``.

    An importer reports from inside its own transaction too, where an ordinary write would stay invisible until the
    end: on PostgreSQL those go through a second connection of their own (and if that connection cannot see the
    run, as in a test's transaction, through the ordinary one). On other databases they wait for the end.
    """

    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.start, self.end = 0.0, 1.0
        self.last_write = 0.0
        self.last_stage = ""
        self.side: Any = None
        self.writes = 0

    def span(self, start: float, end: float) -> None:
        self.start, self.end = start, end

    def __call__(self, fraction: float, stage: str) -> None:
        now = time.monotonic()
        if stage == self.last_stage and now - self.last_write < PROGRESS_INTERVAL:
            return
        value = min(1.0, max(0.0, self.start + (self.end - self.start) * min(1.0, max(0.0, float(fraction)))))
        self.last_write, self.last_stage = now, stage
        self.write(value, stage[:40])

    def write(self, value: float, stage: str) -> None:
        self.writes += 1
        self.run.progress, self.run.stage = value, stage
        if connection.in_atomic_block and connection.vendor == "postgresql":
            try:
                if self.side is None:
                    self.side = connections.create_connection("default")
                with self.side.cursor() as cursor:
                    cursor.execute("UPDATE outcomes_importrun SET progress = %s, stage = %s, modified_on = %s WHERE id = %s",
                                   [value, stage, timezone.now(), self.run.pk])
                    if cursor.rowcount:
                        return
            except Exception:  # progress is a nicety: never let it stop an import
                logger.warning("Could not write the progress of import run %s", self.run.pk, exc_info=True)
                return
        elif connection.in_atomic_block:
            return
        ImportRun.objects.filter(pk=self.run.pk).update(progress=value, stage=stage, modified_on=timezone.now())

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def import_run_execute(*, run_id: int) -> str:
    """Run a queued import (the background task's body); returns the run's final status.

    Never raises for a problem with the file (the run is ``refused`` with its report); an unexpected error marks the
    run ``failed`` and is raised again for the worker to log.
    """
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_on=timezone.now(), stage="starting", progress=0.0)
    run = ImportRun.objects.select_related("school", "created_by").get(pk=run_id)
    if not claimed:
        return run.status  # started already, by another worker
    progress = ProgressWriter(run)
    language = run.language or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            result, values = _execute(run, progress)
    except Exception:
        progress.close()
        ImportRun.objects.filter(pk=run_id).update(status=ImportStatus.FAILED, finished_on=timezone.now(),
                                                   stage="failed", modified_on=timezone.now())
        run.status = ImportStatus.FAILED
        _notify(run)
        raise
    progress.close()
    run.finished_on = timezone.now()
    if result.ok:
        run.status, run.progress, run.stage = ImportStatus.SUCCEEDED, 1.0, "done"
        run.summary = record_summary(result.record)
        run.errors, run.error_count = [], 0
    else:
        run.status, run.stage = ImportStatus.REFUSED, "done"
        run.error_count = int(result.error_count)
        run.errors = stored_errors(list(result.errors)[: ImportRun.MAX_STORED_ERRORS], values)
    run.save(update_fields=["status", "progress", "stage", "summary", "errors", "error_count", "finished_on", "modified_on"])
    security_event("import_run", user=run.created_by, kind=run.kind, school_id=run.school_id, run_id=run.pk,
                   status=run.status, error_count=run.error_count)
    _notify(run)
    return run.status


def _execute(run: ImportRun, progress: ProgressWriter) -> tuple[Any, dict[tuple[int, str], str]]:
    """Run the kind's importer on the file (a workbook's sheet converted to CSV first); the result, and the values
    of the cells its errors name (read while the file is at hand)."""
    kind = _kind(run)
    progress.write(0.0, "starting")
    with local_file(run) as path, tempfile.TemporaryDirectory(prefix="cymuned-import-") as scratch:
        kind_of_file = file_kind(run, path)
        source = path
        if kind_of_file.type == "xlsx":
            source = Path(scratch) / "sheet.csv"
            progress.span(0.0, 0.2)
            progress(0.0, "converting")
            with open(source, "w", encoding="utf-8", newline="") as handle:
                xlsx_to_csv(path, handle, sheet=run.sheet,
                            progress=lambda rows: progress(min(0.9, rows / 1_000_000), "converting"))
            kind_of_file = FileKind("csv", encoding="utf-8", delimiter=",")
            progress.span(0.2, 1.0)
        result = kind.run(source=source, by=run.created_by, school=run.school, mapping=dict(run.mapping), progress=progress)
        values = {} if result.ok else _values(list(result.errors)[: ImportRun.MAX_STORED_ERRORS], source, kind_of_file)
    return result, values


def _values(errors: list[RowError], path: Path, kind_of_file: FileKind) -> dict[tuple[int, str], str]:
    """The values at each error's row and column, read from the CSV the importer read (one pass, up to the last row)."""
    wanted: dict[int, list[str]] = {}
    for error in errors:
        if error.row and error.column:
            wanted.setdefault(error.row, []).append(error.column)
    if not wanted:
        return {}
    last = max(wanted)
    found: dict[tuple[int, str], str] = {}
    try:
        rows = table_rows(path, kind_of_file)
        header = [normal(name) for name in next(rows, [])]
        for number, record in enumerate(rows, start=2):
            if number > last:
                break
            for column in wanted.get(number, ()):
                index = header.index(normal(column)) if normal(column) in header else -1
                if 0 <= index < len(record):
                    found[(number, column)] = record[index][:MAX_VALUE]
    except (UploadRefused, OSError, csv.Error):
        pass
    return found


def stored_errors(errors: list[RowError], values: dict[tuple[int, str], str]) -> list[dict]:
    return [{"row": e.row, "column": e.column[:200], "value": values.get((e.row, e.column), ""), "message": str(e.message),
             "code": e.code} for e in errors]


def record_summary(record: Any) -> dict[str, Any]:
    """What a successful import did, for its page: the simple fields of its record (labels come from the model)."""
    if not isinstance(record, models.Model):
        return {"text": str(record)} if record is not None else {}
    skip = {"id", "created_on", "modified_on", "sha256", "file_name"}
    fields: dict[str, Any] = {}
    for model_field in record._meta.concrete_fields:
        if model_field.name in skip or model_field.is_relation:
            continue
        value = getattr(record, model_field.attname)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif not isinstance(value, (int, float, str, bool)) and value is not None:
            continue
        fields[model_field.name] = value
    return {"model": record._meta.label_lower, "pk": record.pk, "fields": fields}


def _notify(run: ImportRun) -> None:
    user = run.created_by
    if user is None:
        return
    from cymuned.core.services import notify

    with translation.override(getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE):
        url = reverse("outcomes:import-detail", args=[run.pk])

    def message() -> str:
        kind = kind_for(run.kind)
        label = kind.label if kind else run.kind
        if run.status == ImportStatus.SUCCEEDED:
            return _("Your import of %(kind)s from %(file)s is finished.") % {"kind": label, "file": run.original_name}
        if run.status == ImportStatus.REFUSED:
            return _("Your import of %(kind)s from %(file)s found problems in the file: nothing was imported.") % {
                "kind": label, "file": run.original_name}
        return _("Your import of %(kind)s from %(file)s stopped with an error: nothing was imported.") % {
            "kind": label, "file": run.original_name}

    notify(user=user, message=message, url=url)


# --- Reads -----------------------------------------------------------------------------------------------------------


def import_runs_for(*, user: Any, school_id: int | None = None) -> models.QuerySet[ImportRun]:
    """The runs the user may see, newest first (one query for a page of them, with school and person)."""
    runs = visible_to(user, ImportRun.objects.with_related(), Action.LIST)
    if school_id is not None:
        runs = runs.filter(school_id=school_id)
    return runs.order_by("-created_on", "-pk")


@dataclass
class PreviewRow:
    number: int
    cells: list[tuple[str, str, str]]  # (field name, value, problem message or "")


@dataclass
class Preview:
    fields: list[Any]
    rows: list[PreviewRow] = field(default_factory=list)
    file_problems: list[str] = field(default_factory=list)
    problem_count: int = 0


def import_run_preview(*, run: ImportRun) -> Preview:
    """The first ``PREVIEW_ROWS`` rows as the mapping reads them, with the problems found in them; writes nothing.

    Kinds with a ``check`` (attendance marks: the importer's own reader) mark every problem; others mark empty
    required cells.
    """
    kind = _kind(run)
    preview = Preview(fields=list(kind.fields))
    with local_file(run) as path:
        kind_of_file = file_kind(run, path)
        try:
            rows = table_rows(path, kind_of_file, sheet=run.sheet, limit=PREVIEW_ROWS + 1)
            header = [normal(name) for name in next(rows, [])]
            records = [record for record in rows if any(value.strip() for value in record)][:PREVIEW_ROWS]
        except UploadRefused as refused:
            preview.file_problems.append(refused.message)
            return preview
    index = {target.name: header.index(normal(run.mapping[target.name]))
             for target in kind.fields if run.mapping.get(target.name) and normal(run.mapping[target.name]) in header}
    problems = _preview_problems(run, kind, records, index)
    for number, record in enumerate(records, start=2):
        cells = []
        for target in kind.fields:
            position = index.get(target.name)
            value = record[position] if position is not None and position < len(record) else ""
            message = problems.get((number, target.name), "")
            if not message and target.required and not value.strip():
                message = _("This is empty.")
            preview.problem_count += bool(message)
            cells.append((target.name, value[:MAX_VALUE], message))
        preview.rows.append(PreviewRow(number=number, cells=cells))
    for (row, _name), message in problems.items():
        if row is None:
            preview.file_problems.append(message)
    return preview


def _preview_problems(run: ImportRun, kind: ImportKind, records: list[list[str]],
                      index: dict[str, int]) -> dict[tuple[int | None, str], str]:
    """Problems by (row, field) from the kind's own check of the preview rows written as a small CSV."""
    check = getattr(kind, "check", None)
    if check is None or not records:
        return {}
    names = list(index)
    with tempfile.NamedTemporaryFile("w", prefix="cymuned-preview-", suffix=".csv", encoding="utf-8", newline="",
                                     delete=False) as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for record in records:
            writer.writerow([record[index[name]] if index[name] < len(record) else "" for name in names])
    try:
        errors = check(source=Path(handle.name), school=run.school, mapping={name: name for name in names})
    finally:
        os.unlink(handle.name)
    found: dict[tuple[int | None, str], str] = {}
    for error in errors:
        name = error.column if error.column in index else ""
        key = (error.row, name) if error.row else (None, error.code)
        found.setdefault(key, str(error.message))
    return found


@dataclass
class ShownError:
    row: int | None
    column: str
    value: str
    message: str


def shown_errors(run: ImportRun, errors: list[dict]) -> list[ShownError]:
    """The stored problems in the reader's language: the stored message if it is theirs, else the kind's meaning of
    the code (the stored message when the kind has none)."""
    kind = kind_for(run.kind)
    same = (translation.get_language() or "")[:2] == (run.language or "")[:2]
    shown = []
    for error in errors:
        message = error.get("message", "")
        if not same and kind is not None and error.get("code") in kind.messages:
            message = str(kind.messages[error["code"]])
        shown.append(ShownError(row=error.get("row"), column=error.get("column", ""), value=error.get("value", ""),
                                message=message))
    return shown


def summary_rows(run: ImportRun) -> list[tuple[str, Any]]:
    """The success summary as (label, value) pairs, labels in the reader's language."""
    from django.apps import apps

    summary = run.summary or {}
    if "fields" not in summary:
        return [(_("Result"), summary["text"])] if summary.get("text") else []
    try:
        model = apps.get_model(summary["model"])
    except (LookupError, ValueError, KeyError):
        model = None
    rows = []
    for name, value in summary["fields"].items():
        label = name.replace("_", " ")
        if model is not None:
            with suppress(FieldDoesNotExist):  # a field since removed keeps its plain name
                label = str(model._meta.get_field(name).verbose_name)
        if isinstance(value, str) and len(value) == 10 and value[4] == "-":
            with suppress(ValueError):
                value = datetime.date.fromisoformat(value)
        rows.append((capfirst(label), value))
    return rows
