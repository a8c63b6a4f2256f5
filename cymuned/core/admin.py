from typing import Any

from django.contrib import admin

from .models import ScheduledRun


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    """What the daily jobs did. Read-only, except that deleting a day's row lets the job run again that day."""

    list_display = ["job", "day", "outcome", "started_on", "finished_on", "host"]
    list_filter = ["outcome", "job"]
    date_hierarchy = "day"
    readonly_fields = ["job", "day", "outcome", "started_on", "finished_on", "host", "output"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
