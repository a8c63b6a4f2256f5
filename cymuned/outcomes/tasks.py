"""Background tasks of outcomes (django-tasks): plain module-level functions of JSON arguments."""

from __future__ import annotations

from django_tasks import task


@task()
def import_run_execute_task(*, run_id: int) -> str:
    """Run one queued import (``import_runs.import_run_execute``); returns its final status."""
    from .import_runs import import_run_execute

    return import_run_execute(run_id=run_id)
