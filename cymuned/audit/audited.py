"""Exports are themselves audited."""

from auditlog.registry import auditlog

from .models import ExportRecord

auditlog.register(ExportRecord)
