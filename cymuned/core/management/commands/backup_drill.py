"""Prove a backup restores: dump the database, restore it into a new one, compare every table, check the copy works."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from cymuned.core import backup_drill as drill


class Command(BaseCommand):
    help = (
        "Backup and restore drill on the PostgreSQL database in settings: pg_dump -Fc, pg_restore into a new database, "
        "compare row counts and checksums of every table, check migrations and pages on the copy, report the times, "
        "then drop the copy and delete the dump. Exits non-zero on any difference. Needs a role that may create "
        "databases; run it on a copy of the live database, not on the live server (see docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--keep", action="store_true", help="Keep the restored database and the dump (delete them yourself).")
        parser.add_argument("--dump-dir", default=None, help="Where to write the dump (default: the temporary directory).")
        parser.add_argument("--jobs", type=int, default=2, help="Parallel pg_restore jobs (default 2).")
        parser.add_argument(
            "--verify",
            metavar="DATABASE",
            default=None,
            help="Do not dump: only check that DATABASE, on the same server, has every migration applied, serves "
            "the public pages and loads a user. Prints the result as JSON. The drill runs this on its copy.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verify"]:
            self._verify(options["verify"])
            return
        try:
            report = drill.backup_drill_run(
                keep=options["keep"],
                dump_dir=options["dump_dir"],
                jobs=options["jobs"],
                progress=(lambda line: self.stderr.write(f"... {line}")) if options["verbosity"] > 1 else None,
            )
        except drill.BackupDrillError as error:
            raise CommandError(str(error)) from error
        self._write_report(report, verbosity=options["verbosity"])
        if not report.ok:
            raise CommandError("Backup drill FAILED: the restored copy differs from the source or does not work.")
        self.stdout.write(self.style.SUCCESS("Backup drill passed: the restored copy matches the source and works."))

    def _verify(self, database: str) -> None:
        connection = connections["default"]
        if connection.vendor != "postgresql":
            raise CommandError("--verify needs PostgreSQL.")
        connection.close()
        connection.settings_dict["NAME"] = database  # before any query: the whole process now uses the copy
        result = drill.database_smoke_test()
        self.stdout.write(json.dumps(result.as_dict()))
        if not result.ok:
            raise CommandError(f"{database} failed the checks.")

    def _write_report(self, report: drill.DrillReport, *, verbosity: int) -> None:
        seconds = report.timings
        smoke = report.smoke
        self.stdout.write(f"Backup drill of {report.source_database} ({report.pg_dump_version})")
        self.stdout.write(f"  Dump:     {seconds['dump']:6.1f} s  {report.dump_bytes / 1e6:.1f} MB, custom format")
        self.stdout.write(f"  Restore:  {seconds['restore']:6.1f} s  into {report.restored_database}")
        self.stdout.write(
            f"  Compare:  {seconds['compare']:6.1f} s  {len(report.tables)} tables, {report.rows_compared:,} rows, "
            f"{len(report.mismatches)} mismatched; {report.sequences_checked} sequences, "
            f"{len(report.sequence_problems)} behind"
        )
        if smoke is not None:
            pages = ", ".join(f"{path} {status}" for path, status in smoke.pages.items())
            migrations = (
                "all migrations applied"
                if not smoke.unapplied_migrations
                else (f"{len(smoke.unapplied_migrations)} unapplied migrations: {', '.join(smoke.unapplied_migrations)}")
            )
            self.stdout.write(
                f"  Verify:   {seconds['verify']:6.1f} s  {migrations}; {pages}; {smoke.users} users, "
                f"{'one loads' if smoke.user_loaded else 'none loads'}"
            )
            for error in smoke.errors:
                self.stdout.write(self.style.ERROR(f"            {error}"))
        self.stdout.write(f"  Checks:   {seconds['checks']:6.1f} s  (compare + verify)")
        self.stdout.write(f"  Total:    {seconds['total']:6.1f} s")
        for table in report.tables if verbosity > 1 else report.mismatches:
            line = f"  {table.name}: {table.problem or f'{table.source_rows:,} rows, matched'}"
            self.stdout.write(line if table.matched else self.style.ERROR(line))
        for problem in report.sequence_problems:
            self.stdout.write(self.style.ERROR(f"  {problem}"))
        if report.kept:
            self.stdout.write(
                self.style.WARNING(
                    f"Kept {report.restored_database} and {report.dump_path}: they hold personal data; "
                    "drop the database and delete the file when done."
                )
            )
