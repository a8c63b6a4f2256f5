"""Anonymise or delete family records kept longer than the retention periods. Run daily; lists only unless told."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cymuned.families.retention import ANONYMISE, DELETE, DRY_RUN, retention_apply


class Command(BaseCommand):
    help = (
        "Find closed episodes, their contacts and inactive households past the periods in CYMUNED_RETENTION. "
        "By default only lists them; --anonymise blanks their personal details (keeping dates, outcomes and schools "
        "for the figures), --delete removes them. One transaction; every change goes in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--dry-run", dest="mode", action="store_const", const=DRY_RUN, help="List what is due (the default).")
        mode.add_argument("--anonymise", "--anonymize", dest="mode", action="store_const", const=ANONYMISE,
                          help="Blank names, contact details and notes of what is due.")
        mode.add_argument("--delete", dest="mode", action="store_const", const=DELETE, help="Delete what is due.")
        parser.set_defaults(mode=DRY_RUN)

    def handle(self, *args: Any, **options: Any) -> None:
        mode = options["mode"]
        reports = retention_apply(mode=mode)
        for report in reports:
            self.stdout.write(
                f"{report.kind.label} (before {report.cutoff:%d/%m/%Y}): {report.due} past retention, "
                f"{report.holding_personal_data} still holding personal details"
            )
            if options["verbosity"] >= 1:
                for line in report.lines:
                    self.stdout.write(f"  {line}")
        changed = sum(r.changed for r in reports)
        if mode == DRY_RUN:
            self.stdout.write("Nothing was changed (dry run). Use --anonymise or --delete to act.")
        else:
            verb = "Anonymised" if mode == ANONYMISE else "Deleted"
            self.stdout.write(self.style.SUCCESS(f"{verb} {changed} records; the audit log lists each one."))
