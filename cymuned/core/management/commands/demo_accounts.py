"""Print the demo sign-ins, for `make run`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from cymuned.core.demo.borough import DEMO_ACCOUNTS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "List the demo accounts and their password."

    def handle(self, *args: Any, **options: Any) -> None:
        from cymuned.accounts.roles import Role

        url = settings.CYMUNED_BASE_URL
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Cymuned is starting at {url}/en-gb/  (Cymraeg: {url}/cy/)"))
        self.stdout.write(f"Demo accounts, all with the password {DEMO_PASSWORD}")
        self.stdout.write("Staff accounts ask for a two-factor code; in this local demo the sign-in page shows it.")
        for account in DEMO_ACCOUNTS:
            role = Role(account.role).label if account.role else "Member of the public"
            self.stdout.write(f"  {account.email:<36} {role}")
        self.stdout.write("")
