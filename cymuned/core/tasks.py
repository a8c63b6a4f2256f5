"""Background tasks (django-tasks). Each one is a plain, module-level function of JSON arguments.

With the database backend they wait in PostgreSQL for ``manage.py db_worker``; with the immediate
backend (local, tests) they run where they are enqueued. Enqueue through the services, not directly.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(*, subject: str, body: str, to: list[str]) -> int:
    """Send one plain-text email. An SMTP failure fails the task, which the worker logs and records."""
    return send_mail(subject, body, None, to)
