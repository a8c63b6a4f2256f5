"""Daily: remind the LA's funding managers of claims and returns due within two weeks, or overdue (once per deadline)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cymuned.funding.services import REMINDER_DAYS, claim_reminders_send


class Command(BaseCommand):
    help = "Remind the lead and officers (in the app and by email, in their language) of claims and returns due soon."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=REMINDER_DAYS, help=f"How many days ahead to look (default {REMINDER_DAYS}).")

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        sent = claim_reminders_send(within_days=days)
        self.stdout.write(f"{sent} claim(s) reminded of.")
