"""Import a file of learners, behaviour incidents, exclusions or assessment results from the command line."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cymuned.accounts.models import User
from cymuned.organisations.models import School
from cymuned.outcomes.record_imports import KIND_DEFINITIONS
from cymuned.outcomes.record_services import describe_result

KINDS = {definition["key"]: definition for definition in KIND_DEFINITIONS}


class Command(BaseCommand):
    help = (
        "Import a CSV of learners, behaviour incidents, exclusions or assessment results, all or nothing. Without "
        "--school the file is LA-wide: each record goes to its learner's school (a learners file needs a school number "
        "column). --school is a seven-digit school number or the school's id. --mapping names the file's columns, as "
        "'Column name=field' pairs, e.g. --mapping 'Pupil UPN=upn' 'Incident=incident_type'. Prints progress and the "
        "validation report; exits with status 1 if the file was refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument("path", type=Path)
        parser.add_argument("--school", default=None, help="School number or id; leave out for an LA-wide file.")
        parser.add_argument("--mapping", nargs="*", default=[], help="column=field pairs.")
        parser.add_argument("--academic-year", type=int, default=None, help="Every date must be in this academic year.")
        parser.add_argument("--user", default=None, help="Email of the person the import is recorded as made by.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        school = None
        if options["school"]:
            wanted = options["school"].strip()
            query = Q(school_number=wanted) | (Q(pk=int(wanted)) if wanted.isdigit() and len(wanted) < 7 else Q(pk__in=[]))
            school = School.objects.filter(query).first()
            if school is None:
                raise CommandError(f"No school has the number or id {wanted!r}.")
        mapping: dict[str, list[str]] = {}
        for pair in options["mapping"]:
            column, equals, target = pair.rpartition("=")
            if not equals or not column.strip() or not target.strip():
                raise CommandError(f"--mapping takes column=field pairs, not {pair!r}.")
            mapping.setdefault(target.strip(), []).append(column.strip())
        by = None
        if options["user"]:
            by = User.objects.filter(email__iexact=options["user"]).first()
            if by is None:
                raise CommandError(f"No user has the email {options['user']!r}.")
        started = time.perf_counter()

        def progress(fraction: float, stage: str) -> None:
            if options["verbosity"] >= 1:
                self.stderr.write(f"{fraction:4.0%} {stage} ({time.perf_counter() - started:.1f} s)")

        run = KINDS[options["kind"]]["run"]
        result = run(source=path, school=school, mapping=mapping or None, by=by, progress=progress,
                     academic_year=options["academic_year"])
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
        self.stdout.write(describe_result(result))
        for upn, name in result.leavers:
            self.stdout.write(f"  {upn} {name}")
        self.stdout.write(f"({time.perf_counter() - started:.1f} s)")
