"""Abstract base models shared by every domain."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Who created and last changed a record, and when.

    The full history of changes lives in the audit log; these columns make the
    most recent facts cheap to show in lists.
    """

    created_on = models.DateTimeField(_("created on"), auto_now_add=True, editable=False)
    modified_on = models.DateTimeField(_("modified on"), auto_now=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("modified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


class ArchivableQuerySet(models.QuerySet):
    def active(self) -> ArchivableQuerySet:
        return self.filter(archived_on__isnull=True)


class ArchivableModel(models.Model):
    """Records that matter are archived, never silently deleted."""

    archived_on = models.DateTimeField(_("archived on"), null=True, blank=True, editable=False)
    archived_reason = models.CharField(_("reason for archiving"), max_length=255, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_on is not None


def localised_order(field: str) -> models.expressions.Combinable | str:
    """Order by the name people are reading: the Welsh one when Welsh is active (falling back to English)."""
    if (get_language() or "").startswith("cy"):
        from django.db.models.functions import Coalesce, NullIf

        return Coalesce(NullIf(f"{field}_cy", models.Value("")), f"{field}_en").asc()
    return f"{field}_en"


def localised(obj: object, field: str) -> str:
    """The Welsh value of a bilingual field when Welsh is active and present, else English."""
    if (get_language() or "").startswith("cy"):
        welsh = getattr(obj, f"{field}_cy", "")
        if welsh:
            return welsh
    return getattr(obj, f"{field}_en", "") or getattr(obj, f"{field}_cy", "")


class Notification(models.Model):
    """An in-app message to one user, written in their language when it was sent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    created_on = models.DateTimeField(auto_now_add=True)
    message = models.CharField(max_length=500)
    url = models.CharField(max_length=300, blank=True)
    read_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_on", "-pk"]
        indexes = [models.Index(fields=["user", "read_on"])]

    def __str__(self) -> str:
        return self.message


class ScheduledRun(models.Model):
    """One daily job on one day. The unique (job, day) row is the claim: with several schedulers running,
    the first to insert it runs the job and the rest skip it (cymuned/core/scheduler.py). Seen only by
    platform administrators, in the admin site, like Notification its labels are not translated."""

    class Outcome(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    job = models.CharField(max_length=100)
    day = models.DateField(help_text="The local (Europe/London) date the run is for.")
    started_on = models.DateTimeField()
    finished_on = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    output = models.TextField(blank=True)
    host = models.CharField(max_length=255, blank=True, help_text="The scheduler process that ran it.")

    class Meta:
        ordering = ["-day", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="core_scheduledrun_once_a_day")]

    def __str__(self) -> str:
        return f"{self.job} {self.day:%Y-%m-%d} {self.outcome}"
