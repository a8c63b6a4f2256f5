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
