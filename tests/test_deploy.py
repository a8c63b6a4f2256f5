"""Deployment: the image and compose files, probes, background tasks, the scheduler, media storage, SSO.

The Dockerfile and compose.yaml cannot be built here (no Docker daemon), so their tests read them.
"""

from __future__ import annotations

import datetime
import importlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from smtplib import SMTPException
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from django.conf import settings as django_settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, clear_url_caches, resolve, reverse
from django.utils import timezone

from cymuned.access.views import Public, access_of
from cymuned.core import health
from cymuned.core.models import Notification, ScheduledRun
from cymuned.core.scheduler import Job, due_jobs, run_due_jobs, scheduled_run_claim
from cymuned.core.services import notify

ROOT = Path(__file__).resolve().parent.parent
LONDON = datetime.timezone(datetime.timedelta(0))  # January: London is on GMT


# --- Background tasks -----------------------------------------------------------------------------------


@pytest.fixture
def restore_signals():
    """db_worker installs its own signal handlers; put pytest's back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def _notify(user: Any) -> None:
    notify(user=user, message=lambda: "Your booking is approved", url="/en-gb/premises/", email_subject=lambda: "Booking approved")


def test_immediate_backend_sends_the_email_when_the_transaction_commits(world, django_capture_on_commit_callbacks):
    user = world.user("csm")
    with django_capture_on_commit_callbacks(execute=True):
        _notify(user)
        assert mail.outbox == []  # nothing before the commit
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email] and mail.outbox[0].subject == "Booking approved"
    assert "http://testserver/en-gb/premises/" in mail.outbox[0].body


def test_a_failing_mail_server_does_not_fail_the_request(world, django_capture_on_commit_callbacks, caplog):
    with mock.patch("cymuned.core.tasks.send_mail", side_effect=SMTPException("mail server down")), \
            django_capture_on_commit_callbacks(execute=True):
        _notify(world.user("csm"))
    assert Notification.objects.filter(user=world.user("csm")).exists()
    assert any("FAILED" in str(record.getMessage()) for record in caplog.records)


@pytest.mark.django_db(transaction=True)  # the worker closes connections left inside a transaction, as a test's is
def test_database_backend_queues_the_email_for_the_worker(world, django_capture_on_commit_callbacks, restore_signals):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    user = world.user("csm")
    with override_settings(TASKS=django_settings.TASKS | {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}):
        with django_capture_on_commit_callbacks(execute=True):
            _notify(user)
        assert mail.outbox == [], "the request must not wait on the mail server"
        queued = DBTaskResult.objects.get()
        assert queued.task_path == "cymuned.core.tasks.send_email" and queued.status == TaskResultStatus.READY
        assert queued.args_kwargs["kwargs"]["to"] == [user.email]

        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=1)

    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]


def test_invitations_go_through_the_task_queue(world, client_for, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from cymuned.accounts.services import membership_grant

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}), \
            django_capture_on_commit_callbacks(execute=True):
        membership_grant(by=world.user("headteacher"), email="new.person@example.org", full_name="New Person",
                         organisation=world.school_a, role="school_staff")
    assert mail.outbox == []
    assert DBTaskResult.objects.get().args_kwargs["kwargs"]["to"] == ["new.person@example.org"]


def test_task_backend_follows_the_environment():
    from config.settings.base import tasks_setting

    assert tasks_setting("immediate")["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert tasks_setting("database")["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    with pytest.raises(ImproperlyConfigured):
        tasks_setting("celery")
    assert django_settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend")  # tests run tasks at once
