"""Start-up check of the attendance thresholds in settings."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import checks


@checks.register()
def check_attendance_bands(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from .models import attendance_thresholds

    try:
        thresholds = attendance_thresholds()
    except (InvalidOperation, KeyError, TypeError, ValueError):
        return [checks.Error("CYMUNED_ATTENDANCE_BANDS must map 'persistent' and 'severe' to percentages.", id="outcomes.E001")]
    if not Decimal(0) < thresholds.severe < thresholds.persistent <= Decimal(100):
        return [
            checks.Error(
                "CYMUNED_ATTENDANCE_BANDS: need 0 < severe < persistent <= 100.",
                hint=f"Found severe={thresholds.severe}, persistent={thresholds.persistent}.",
                id="outcomes.E002",
            )
        ]
    return []


@checks.register()
def check_attendance_codes(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from .marks import NO_SESSION, attendance_codes

    try:
        codes = attendance_codes()
    except (AttributeError, TypeError, ValueError):
        return [checks.Error("CYMUNED_ATTENDANCE_CODES must map codes to meanings of outcomes.marks.Meaning, or None.",
                             id="outcomes.E003")]
    bad = sorted(code for code in codes if not isinstance(code, str) or len(code) != 1 or code == NO_SESSION or code.isspace())
    if bad:
        return [checks.Error("CYMUNED_ATTENDANCE_CODES: each code is one character, not a space and not the placeholder "
                             f"{NO_SESSION!r}.", hint=f"Found {bad!r}.", id="outcomes.E004")]
    if not 0 < len(codes) <= 63:
        return [checks.Error("CYMUNED_ATTENDANCE_CODES: between 1 and 63 codes.", id="outcomes.E005")]
    return []
