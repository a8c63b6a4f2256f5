"""Send each hub coordinator the daily summary of their local authority's referrals (run daily by run_scheduler)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cymuned.hub.services import hub_digest_send


class Command(BaseCommand):
    help = "Send hub coordinators the daily summary of referrals and missed service levels, in the app and by email."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = hub_digest_send()
        self.stdout.write(f"Hub digest sent to {sent} coordinator(s).")
