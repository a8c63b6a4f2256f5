"""Bookings, hirers and invoices are changed by several people: every change is in the audit log."""

from auditlog.registry import auditlog

from .models import Block, BookingSeries, CalendarFeed, CostSettings, Hirer, Invoice, RateCard, Space

for model in (Space, Block, RateCard, CostSettings, Hirer, BookingSeries, Invoice, CalendarFeed):
    auditlog.register(model)
