"""Cross-domain writes: notifications in the app and by email, in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from .models import Notification
from .tasks import send_email


def notify(*, user: Any, message: Callable[[], str], url: str = "", email_subject: Callable[[], str] | None = None) -> Notification:
    """Notify a user in-app, and by email when a subject is given.

    ``message`` and ``email_subject`` are called with the recipient's language active, so
    each person reads Cymuned's words in the language they chose.
    """
    with translation.override(user.preferred_language):
        text = str(message())
        subject = str(email_subject()) if email_subject else ""
    notification = Notification.objects.create(user=user, message=text[:500], url=url)
    if subject and user.email:
        link = f"{settings.CYMUNED_BASE_URL}{url}" if url else ""
        email_send_after_commit(subject=subject, body=f"{text}\n\n{link}".strip(), to=[user.email])
    return notification


def email_send_after_commit(*, subject: str, body: str, to: list[str]) -> None:
    """Queue an email once the current transaction commits, so a rolled-back change sends nothing and
    the request does not wait on the mail server (the worker sends it; see cymuned/core/tasks.py)."""
    transaction.on_commit(lambda: send_email.enqueue(subject=str(subject), body=str(body), to=list(to)))


@transaction.atomic
def notifications_mark_read(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_on__isnull=True).update(read_on=timezone.now())
