"""Daily: remind the LA's lead and officers of memoranda of understanding due for review (once per review date)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cymuned.governance.services import REVIEW_REMINDER_DAYS, review_reminders_send


class Command(BaseCommand):
    help = "Remind the lead and officers (in the app and by email, in their language) of memoranda due for review."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=REVIEW_REMINDER_DAYS,
                            help=f"How many days ahead to look (default {REVIEW_REMINDER_DAYS}).")

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        sent = review_reminders_send(within_days=days)
        self.stdout.write(f"{sent} memorand(um/a) reminded of.")
