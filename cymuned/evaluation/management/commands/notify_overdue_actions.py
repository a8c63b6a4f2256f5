"""Daily: remind the owners of overdue actions (in the app, and by email where configured)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from cymuned.evaluation.services import actions_notify_overdue


class Command(BaseCommand):
    help = "Notify the owners of overdue action-plan actions, once a day at most."

    def handle(self, *args: Any, **options: Any) -> None:
        count = actions_notify_overdue(today=timezone.localdate())
        self.stdout.write(f"{count} owners notified.")
