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
    """Log that the current actor saw each of these records on a list, in one insert whatever their number."""
    if not instances:
        return
    from auditlog.cid import get_cid
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import pre_save
    from django.utils.encoding import smart_str

    content_types = ContentType.objects.get_for_models(*{type(i) for i in instances})
    cid = get_cid()
    entries = [
        LogEntry(
            content_type=content_types[type(instance)], object_pk=str(instance.pk),
            object_id=instance.pk if isinstance(instance.pk, int) else None, object_repr=smart_str(instance)[:2000],
            action=LogEntry.Action.ACCESS, cid=cid,
        )
        for instance in instances
    ]
    for entry in entries:
        # The receiver auditlog connects for the current request fills in the actor and address, exactly as for
        # one record; outside a request nothing is connected and the entries carry no actor.
        pre_save.send(sender=LogEntry, instance=entry, raw=False, using="default", update_fields=None)
    LogEntry.objects.bulk_create(entries)


@transaction.atomic
def export_record(*, user: Any, kind: str, row_count: int, filters: dict[str, Any], remote_addr: str | None) -> ExportRecord:
    from cymuned.core.security_log import security_event

    security_event("export", user=user, kind=kind, row_count=row_count, address=remote_addr)
    return ExportRecord.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        kind=kind,
        row_count=row_count,
        filters={k: v for k, v in filters.items() if v not in (None, "")},
        remote_addr=remote_addr,
    )
