"""Money in templates: amounts are held in pence and shown in pounds for the active language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pounds(pence: Any) -> str:
    """1234 -> "£12.34" (and -1234 -> "-£12.34"); empty for no value."""
    if pence is None or pence == "":
        return ""
    value = Decimal(int(pence)) / 100
    sign = "-" if value < 0 else ""
    return f"{sign}£{number_format(abs(value), decimal_pos=2, force_grouping=True)}"
