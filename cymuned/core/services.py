"""Cross-domain writes: notifications in the app and by email, in the recipient's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from .models import Notification


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
        transaction.on_commit(lambda: send_mail(subject, f"{text}\n\n{link}".strip(), None, [user.email], fail_silently=True))
    return notification


@transaction.atomic
def notifications_mark_read(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_on__isnull=True).update(read_on=timezone.now())
