"""Writes to the audit trail beyond the automatic change log."""

from __future__ import annotations

from typing import Any

from auditlog.signals import accessed
from django.db import models, transaction

from .models import ExportRecord


def record_read(*, instance: models.Model) -> None:
    """Log that the current actor (set by AuditlogMiddleware) opened a personal record."""
    accessed.send(sender=type(instance), instance=instance)


def record_reads(*, instances: list[models.Model]) -> None:
    for instance in instances:
        record_read(instance=instance)


@transaction.atomic
def export_record(*, user: Any, kind: str, row_count: int, filters: dict[str, Any], remote_addr: str | None) -> ExportRecord:
    return ExportRecord.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        kind=kind,
        row_count=row_count,
        filters={k: v for k, v in filters.items() if v not in (None, "")},
        remote_addr=remote_addr,
    )
