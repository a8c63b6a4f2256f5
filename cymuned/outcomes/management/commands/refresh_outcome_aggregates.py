"""Recount the dashboards' pre-aggregated figures from the stored marks, incidents, exclusions and results."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cymuned.organisations.models import School
from cymuned.outcomes.aggregates import refresh_outcome_aggregates


class Command(BaseCommand):
    help = (
        "Recount the pre-aggregated outcome figures. --all recounts every school and year; otherwise name schools "
        "(--school, seven-digit numbers, repeatable) and/or academic years (--year 2025 for 2025/26, repeatable)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Every school, every academic year.")
        parser.add_argument("--school", action="append", default=[], help="A school number (repeatable).")
        parser.add_argument("--year", action="append", type=int, default=[], help="An academic year (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["all"] and not options["school"] and not options["year"]:
            raise CommandError("Say what to recount: --all, or --school and/or --year.")
        school_ids = None
        if options["school"]:
            found = dict(School.objects.filter(school_number__in=options["school"]).values_list("school_number", "pk"))
            missing = sorted(set(options["school"]) - set(found))
            if missing:
                raise CommandError(f"No school numbered {', '.join(missing)}.")
            school_ids = list(found.values())
        started = time.perf_counter()
        rows = refresh_outcome_aggregates(school_ids=school_ids, academic_years=options["year"] or None)
        self.stdout.write(f"{rows} rows of figures written in {time.perf_counter() - started:.1f} s.")
