"""Load the demo county borough (and, with --scale, national-size synthetic data)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cymuned.core.demo.borough import load_demo_borough
from cymuned.core.demo.national import load_national


def _scale(value: str) -> float:
    if value == "national":
        return 1.0
    try:
        scale = float(value)
    except ValueError:
        raise CommandError("--scale takes 'national' or a number such as 0.01") from None
    if not 0 < scale <= 2:
        raise CommandError("--scale must be more than 0 and at most 2")
    return scale


class Command(BaseCommand):
    help = "Load the demo borough with demo accounts and learners. Idempotent. Refused with DEBUG off unless --force."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--learners-per-school", type=int, default=40)
        parser.add_argument(
            "--scale", default=None, help="Also generate national-size data: 'national' or a fraction such as 0.01."
        )
        parser.add_argument("--force", action="store_true", help="Allow loading with DEBUG off (never on a live service).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "The demo has published passwords: it is refused when DEBUG is off. Use --force only on a test system."
            )
        started = time.monotonic()
        if load_demo_borough(seed=options["seed"], learners_per_school=options["learners_per_school"]):
            self.stdout.write(self.style.SUCCESS("Demo borough loaded."))
        else:
            self.stdout.write("Demo borough already loaded; nothing changed.")
        if options["scale"] is not None:
            scale = _scale(options["scale"])
            created = load_national(scale=scale, seed=options["seed"], progress=options["verbosity"] > 0)
            self.stdout.write(
                self.style.SUCCESS(
                    f"National data at scale {scale}: {created['local_authorities']} authorities, "
                    f"{created['schools']} schools, {created['learners']} learners created "
                    f"in {time.monotonic() - started:.1f} s."
                )
            )
