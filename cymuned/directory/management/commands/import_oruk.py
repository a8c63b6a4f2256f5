"""manage.py import_oruk FEED.json --local-authority 676 [--dry-run]: import an Open Referral UK feed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cymuned.core.security_log import security_event
from cymuned.directory.importing import FeedInvalid, import_feed
from cymuned.organisations.models import LocalAuthority


class Command(BaseCommand):
    help = "Import an Open Referral UK feed file (a services page, a list of services or one service) into an LA's directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--local-authority", required=True, help="The three-digit LA code, for example 676.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report, writing nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            la = LocalAuthority.objects.get(code=options["local_authority"])
        except LocalAuthority.DoesNotExist:
            raise CommandError(f"No local authority has the code {options['local_authority']}.") from None
        path: Path = options["file"]
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            result = import_feed(raw, local_authority=la, dry_run=options["dry_run"])
        except FeedInvalid as invalid:
            for error in invalid.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(invalid.errors)} error(s): nothing was imported.") from None
        if not options["dry_run"]:
            security_event("directory.import", local_authority=la.code, created=result.created, updated=result.updated, source="command")
        prefix = "Checked (dry run): " if options["dry_run"] else ""
        self.stdout.write(f"{prefix}{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
                          f"{result.organisations_created} new organisations.")
