"""Run the daily jobs at their times, for ever (or once with --once). One process per deployment is
enough; more are safe, since each job runs once a day whichever scheduler claims it first."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from cymuned.core.scheduler import JOBS, run_due_jobs


class Command(BaseCommand):
    help = "Run the daily jobs (retention, insurance reminders, overdue actions...) at the times in CYMUNED_SCHEDULE."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run the jobs due now, then exit.")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between checks for due jobs (default 60).")

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            # Finish the job in hand (each runs in its own transactions), then leave.
            self.stdout.write(f"Received {signal.Signals(signum).name}: stopping after the current job.")
            stop.set()

        if not once:
            signal.signal(signal.SIGTERM, request_stop)
            signal.signal(signal.SIGINT, request_stop)
            schedule = ", ".join(f"{job.name} at {job.at:%H:%M}" for job in JOBS if job.at is not None)
            self.stdout.write(f"Scheduler started ({timezone.get_current_timezone_name()}): {schedule or 'no jobs'}.")
        while True:
            close_old_connections()
            for run in run_due_jobs(should_stop=stop.is_set):
                self.stdout.write(f"{run.job} {run.day:%Y-%m-%d}: {run.outcome}")
            close_old_connections()
            if once or stop.wait(interval):
                break
        self.stdout.write("Scheduler stopped.")
