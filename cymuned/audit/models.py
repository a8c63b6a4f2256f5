"""What Cymuned keeps besides django-auditlog's change log: a record of every export."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportRecord(models.Model):
    """One file taken out of Cymuned: who, when, what and how many rows."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_on = models.DateTimeField(_("exported on"), auto_now_add=True)
    kind = models.CharField(_("what was exported"), max_length=100)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    remote_addr = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        ordering = ["-created_on"]
        verbose_name = _("export record")
        verbose_name_plural = _("export records")

    def __str__(self) -> str:
        return f"{self.kind} ({self.row_count})"


class RowChange(models.Model):
    """What the database itself saw change in a table of personal data: one row per statement.

    Written by PostgreSQL triggers (cymuned/audit/database.py), so bulk updates, imports and anything that
    bypasses the application's change log are recorded too. Rows name the records changed and the columns, not
    the values, so the trail does not become a second copy of families' details. Nobody can change or delete
    these rows through the application's database role.
    """

    table_name = models.CharField(_("table"), max_length=100)
    operation = models.CharField(_("operation"), max_length=10)
    row_ids = models.JSONField(_("records"), default=list)
    row_count = models.PositiveIntegerField(_("number of records"))
    changed_columns = models.JSONField(_("columns changed"), default=list)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+",
    )
    database_user = models.CharField(_("database role"), max_length=100)
    changed_on = models.DateTimeField(_("changed on"), db_index=True)

    class Meta:
        ordering = ["-changed_on", "-pk"]
        verbose_name = _("database change")
        verbose_name_plural = _("database changes")

    def __str__(self) -> str:
        return f"{self.operation} {self.table_name} ({self.row_count})"
