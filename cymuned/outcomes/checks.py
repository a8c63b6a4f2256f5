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
