from __future__ import annotations

import datetime
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from cymuned.access.policy import Action, visible_to

from .models import RowChange


def audit_entries_for(
    *,
    user: Any,
    actor: str = "",
    content_type: ContentType | None = None,
    action: int | None = None,
    object_id: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[LogEntry]:
    entries = visible_to(user, LogEntry.objects.select_related("actor", "content_type"), Action.LIST)
    if actor:
        entries = entries.filter(actor__email__icontains=actor)
    if content_type is not None:
        entries = entries.filter(content_type=content_type)
    if action is not None:
        entries = entries.filter(action=action)
    if object_id:
        entries = entries.filter(object_pk=object_id)
    if date_from:
        entries = entries.filter(timestamp__date__gte=date_from)
    if date_to:
        entries = entries.filter(timestamp__date__lte=date_to)
    return entries.order_by("-timestamp", "-pk")


def database_changes_for(*, user: Any, table: str = "") -> QuerySet[RowChange]:
    """What the database's own triggers recorded, newest first; ``table`` narrows to one table."""
    changes = visible_to(user, RowChange.objects.select_related("actor"), Action.LIST)
    if table:
        changes = changes.filter(table_name=table)
    return changes.order_by("-changed_on", "-pk")
