"""Import a file of attendance marks from the command line: one school's, or an LA's for all its schools."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cymuned.accounts.models import User
from cymuned.organisations.models import School
from cymuned.outcomes.services import attendance_marks_import
from cymuned.outcomes.spreadsheets import UploadRefused, sniff, xlsx_to_csv


class Command(BaseCommand):
    help = (
        "Import a CSV (or an XLSX workbook's first sheet, or --sheet) of attendance marks (one row per learner per session: UPN, date, AM/PM, code), all or nothing. "
        "--school is a seven-digit school number, whose learners alone the file may hold, or 'all' for an LA-wide file "
        "(each learner's marks go to the learner's own school). --mapping is JSON naming the file's columns, e.g. "
        '\'{"upn": "Pupil UPN", "date": "Date", "session": "AM/PM", "code": "Mark", "school": "LAESTAB"}\'. '
        "Prints progress and the validation report; exits with status 1 if the file was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--school", required=True, help="School number, or 'all'.")
        parser.add_argument("--mapping", default=None, help="JSON object: field -> column name.")
        parser.add_argument("--academic-year", type=int, default=None, help="Year the academic year starts, e.g. 2024.")
        parser.add_argument("--user", default=None, help="Email of the person the import is recorded as made by.")
        parser.add_argument("--sheet", default="", help="The sheet of an XLSX workbook to import (the first by default).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        school = None
        if options["school"] != "all":
            school = School.objects.filter(school_number=options["school"]).first()
            if school is None:
                raise CommandError(f"No school has the number {options['school']!r}.")
        try:
            mapping = json.loads(options["mapping"]) if options["mapping"] else None
        except json.JSONDecodeError as error:
            raise CommandError(f"--mapping is not JSON: {error}") from None
        if mapping is not None and not isinstance(mapping, dict):
            raise CommandError("--mapping must be a JSON object.")
        by = None
        if options["user"]:
            by = User.objects.filter(email__iexact=options["user"]).first()
            if by is None:
                raise CommandError(f"No user has the email {options['user']!r}.")
        try:
            kind = sniff(path, path.name)
        except UploadRefused as refused:
            raise CommandError(refused.message) from None
        if kind.type == "xlsx":
            with tempfile.TemporaryDirectory(prefix="cymuned-sheet-") as scratch:
                converted = Path(scratch) / f"{path.stem}.csv"
                try:
                    with open(converted, "w", encoding="utf-8", newline="") as handle:
                        xlsx_to_csv(path, handle, sheet=options["sheet"])
                except UploadRefused as refused:
                    raise CommandError(refused.message) from None
                self._import(converted, school=school, mapping=mapping, by=by, options=options)
        else:
            self._import(path, school=school, mapping=mapping, by=by, options=options)

    def _import(self, path: Path, *, school: Any, mapping: Any, by: Any, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        last_stage = [""]

        def progress(fraction: float, stage: str) -> None:
            if options["verbosity"] >= 1 and stage != last_stage[0]:
                last_stage[0] = stage
                self.stderr.write(f"{fraction:4.0%} {stage} ({time.perf_counter() - started:.1f} s)")

        result = attendance_marks_import(source=path, school=school, mapping=mapping, by=by,
                                         academic_year=options["academic_year"], progress=progress)
        if not result.ok:
            for error in result.errors:
                where = _("Row %(row)s") % {"row": error.row} if error.row else _("File")
                column = f" [{error.column}]" if error.column else ""
                self.stdout.write(f"{where}{column}: {error.message}")
            if result.error_count > len(result.errors):
                more = result.error_count - len(result.errors)
                self.stdout.write(ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", more)
                                  % {"count": more})
            count = result.error_count
            raise CommandError(ngettext("Nothing was imported: %(count)s problem.", "Nothing was imported: %(count)s problems.",
                                        count) % {"count": count}, returncode=1)
        record = result.record
        assert record is not None
        self.stdout.write(
            _("Imported %(marks)s marks of %(learners)s learners at %(schools)s schools, %(start)s to %(end)s: "
              "%(written)s learners' years of marks added or changed, %(deleted)s removed.")
            % {"marks": record.marks, "learners": record.learners, "schools": record.schools,
               "start": f"{record.period_start:%d/%m/%Y}", "end": f"{record.period_end:%d/%m/%Y}",
               "written": record.years_written, "deleted": record.years_deleted}
        )
        self.stdout.write(f"({time.perf_counter() - started:.1f} s)")
