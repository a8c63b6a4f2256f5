"""Give the role the web and worker processes connect as what it needs, and no power over the audit trail."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cymuned.audit.database import grant_application_role


class Command(BaseCommand):
    help = ("Grant the application's database role its privileges (run as the owning role after each migrate): "
            "full use of the application's tables, but only SELECT and INSERT on the audit trail.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("role", help="the PostgreSQL role the application connects as, e.g. cymuned_app")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Database roles and the audit guard need PostgreSQL.")
        with transaction.atomic():
            for statement in grant_application_role(role):
                self.stdout.write(statement)
        self.stdout.write(self.style.SUCCESS(f"Role {role} may use Cymuned but cannot change or delete audit rows."))
