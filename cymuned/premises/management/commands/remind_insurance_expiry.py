"""Daily: remind hirers whose public liability insurance runs out within 30 days while they still have bookings."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cymuned.premises.services import insurance_reminders_send


class Command(BaseCommand):
    help = "Remind hirers (in the app and by email, in their language) that their insurance expires soon."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=30, help="How many days ahead to look (default 30).")

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        sent = insurance_reminders_send(within_days=days)
        self.stdout.write(f"{sent} reminder(s) sent.")
