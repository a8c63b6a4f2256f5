"""The daily jobs and when they run, for ``manage.py run_scheduler``.

Each job is a management command run at a local (Europe/London) time set in ``CYMUNED_SCHEDULE``.
A job is *due* once that time has passed today and nobody has run it today; a scheduler that was down
at the time catches up when it starts, the same day only.

Once a day, however many schedulers run: before running a job a scheduler inserts the
``ScheduledRun(job, day)`` row, which a unique constraint allows once. We chose a row over a PostgreSQL
advisory lock because a lock only stops two runs *at the same time*: the row also stops a second run
later the same day (a restarted or newly scaled scheduler, the repeated hour when the clocks go back),
survives restarts, records what happened for the people running Cymuned, needs no session-level lock
(which breaks behind a transaction-pooling PgBouncer) and works on SQLite for ``make run``.
A job that fails stays failed for the day (its row says so, and the log has the error); run the
command by hand, or delete the row, to try again.
"""

from __future__ import annotations

import datetime
import io
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ScheduledRun

logger = logging.getLogger(__name__)

#: Output kept on a run's row (the log has all of it).
OUTPUT_LIMIT = 10_000


def _retention_args() -> list[str]:
    mode = settings.CYMUNED_RETENTION_SCHEDULED_MODE
    flags = {"dry-run": "--dry-run", "anonymise": "--anonymise", "delete": "--delete"}
    if mode not in flags:
        raise ImproperlyConfigured(f"DJANGO_RETENTION_SCHEDULED_MODE must be one of {', '.join(flags)}, not {mode!r}.")
    return [flags[mode]]


def _tasks_in_database() -> bool:
    return any(backend["BACKEND"] == settings.TASK_BACKENDS["database"] for backend in settings.TASKS.values())


@dataclass(frozen=True)
class Job:
    """A management command run once a day. ``args`` and ``enabled`` are read when the job runs."""

    name: str
    command: str
    args: Callable[[], list[str]] = field(default=list)
    enabled: Callable[[], bool] = field(default=lambda: True)

    @property
    def at(self) -> datetime.time | None:
        """Today's time to run, from CYMUNED_SCHEDULE; None (never) when it is empty or missing."""
        value = settings.CYMUNED_SCHEDULE.get(self.name, "").strip()
        if not value:
            return None
        try:
            return datetime.time.fromisoformat(value)
        except ValueError:
            raise ImproperlyConfigured(f"The time of the daily job {self.name} must be HH:MM, not {value!r}.")


JOBS: list[Job] = [
    # Personal details kept past the retention periods (cymuned/families/retention.py); verbosity 0, so the
    # log gets counts and never the names.
    Job("apply_retention", "apply_retention", args=_retention_args),
    Job("remind_insurance_expiry", "remind_insurance_expiry"),
    # The daily reminder (in the app and by email) to owners of overdue action-plan actions.
    Job("notify_overdue_actions", "notify_overdue_actions"),
    # Claims and returns to the funder due within two weeks or overdue; memoranda of understanding due for review.
    Job("remind_funding_claims", "remind_funding_claims"),
    Job("remind_mou_reviews", "remind_mou_reviews"),
    # The hub coordinators' daily summary: referrals waiting, missed service levels, referrals without consent to review.
    Job("send_hub_digest", "send_hub_digest"),
    # Finished background tasks hold email bodies and links: keep them two days (failures a fortnight).
    Job("prune_task_results", "prune_db_task_results", args=lambda: ["--min-age-days", "2", "--failed-min-age-days", "14"],
        enabled=_tasks_in_database),
]


def due_jobs(*, now: datetime.datetime, jobs: list[Job] | None = None) -> list[Job]:
    """Jobs whose time has come today (local time) and which nobody has run today."""
    local = timezone.localtime(now)
    done = set(ScheduledRun.objects.filter(day=local.date()).values_list("job", flat=True))
    due = []
    for job in JOBS if jobs is None else jobs:
        at = job.at
        if at is not None and local.time() >= at and job.name not in done and job.enabled():
            due.append(job)
    return due


def scheduled_run_claim(*, job: Job, day: datetime.date) -> ScheduledRun | None:
    """Insert today's row for the job, or None when another scheduler already has. Commits at once, so the
    claim is visible to every other scheduler before the job starts."""
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(job=job.name, day=day, started_on=timezone.now(), host=socket.gethostname()[:255])
    except IntegrityError:
        return None


def scheduled_run_finish(*, run: ScheduledRun, succeeded: bool, output: str) -> ScheduledRun:
    run.outcome = ScheduledRun.Outcome.SUCCEEDED if succeeded else ScheduledRun.Outcome.FAILED
    run.finished_on = timezone.now()
    run.output = output[-OUTPUT_LIMIT:]
    run.save(update_fields=["outcome", "finished_on", "output"])
    return run


def run_job(*, job: Job, run: ScheduledRun) -> ScheduledRun:
    """Run a claimed job. A failure is logged and recorded; it never stops the scheduler."""
    output = io.StringIO()
    logger.info("Daily job %s starting for %s", job.name, run.day)
    try:
        call_command(job.command, *job.args(), stdout=output, stderr=output, verbosity=0)
    except Exception:
        logger.exception("Daily job %s failed", job.name)
        return scheduled_run_finish(run=run, succeeded=False, output=output.getvalue())
    logger.info("Daily job %s finished: %s", job.name, output.getvalue().strip())
    return scheduled_run_finish(run=run, succeeded=True, output=output.getvalue())


def run_due_jobs(*, now: datetime.datetime | None = None, jobs: list[Job] | None = None,
                 should_stop: Callable[[], bool] = lambda: False) -> list[ScheduledRun]:
    """Run every due job this scheduler manages to claim; returns the runs it made."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    runs = []
    for job in due_jobs(now=now, jobs=jobs):
        if should_stop():
            break
        run = scheduled_run_claim(job=job, day=day)
        if run is None:
            logger.info("Daily job %s already claimed for %s by another scheduler", job.name, day)
            continue
        runs.append(run_job(job=job, run=run))
    return runs
