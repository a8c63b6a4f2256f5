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


# --- The Dockerfile -------------------------------------------------------------------------------------


def dockerfile_stages() -> list[dict[str, Any]]:
    """Stages of the Dockerfile, each with its name and instructions (continuation lines joined)."""
    text = (ROOT / "Dockerfile").read_text()
    logical: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    stages: list[dict[str, Any]] = []
    for line in logical:
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.match(r"(\S+)(?:\s+AS\s+(\S+))?", rest, re.IGNORECASE)
            assert match
            stages.append({"from": match.group(1), "name": match.group(2), "instructions": []})
        elif stages:
            stages[-1]["instructions"].append((keyword, rest.strip()))
    return stages


def instructions(stage: dict[str, Any], keyword: str) -> list[str]:
    return [rest for kw, rest in stage["instructions"] if kw == keyword]


def test_dockerfile_final_stage_runs_as_a_fixed_non_root_user():
    final = dockerfile_stages()[-1]
    users = instructions(final, "USER")
    assert users, "the final stage must switch to a non-root user"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert user.isdigit(), "a numeric uid, so orchestrators can check runAsNonRoot"
    assert any(f"--uid {user}" in run for run in instructions(final, "RUN"))


def test_dockerfile_final_stage_has_no_build_tools():
    stages = dockerfile_stages()
    final = stages[-1]
    runs = " ".join(instructions(final, "RUN"))
    for tool in ("gcc", "build-essential", "npm", "nodejs", "g++", "make ", "gettext", "apt-get install"):
        assert tool not in runs, f"{tool} in the final stage"
    assert final["from"].startswith("${PYTHON_IMAGE}") or "python:3.11" in final["from"]
    # Only the venv and the built app come from other stages, and never from the Node.js one.
    node_stages = {s["name"] for s in stages if "node" in s["from"].lower() or "NODE" in s["from"]}
    for copy in instructions(final, "COPY"):
        source = re.search(r"--from=(\S+)", copy)
        if source:
            assert source.group(1) not in node_stages


def test_dockerfile_builds_assets_messages_and_static_files_in_earlier_stages():
    stages = dockerfile_stages()
    earlier = " ".join(run for stage in stages[:-1] for run in instructions(stage, "RUN"))
    for step in ("npm ci", "compilemessages", "collectstatic", "pip install -r /app/requirements/base.txt"):
        assert step in earlier, step
    build = next(s for s in stages if s["name"] == "build")
    assert "rm -rf node_modules" in " ".join(instructions(build, "RUN"))
    # The build's throw-away key lives only in its RUN line, never in an ENV or ARG that images keep.
    for stage in stages:
        assert not any("DJANGO_SECRET_KEY" in line for line in instructions(stage, "ENV") + instructions(stage, "ARG"))


def test_dockerfile_healthcheck_and_gunicorn_command():
    final = dockerfile_stages()[-1]
    healthchecks = instructions(final, "HEALTHCHECK")
    assert healthchecks and "/health/" in healthchecks[-1]
    cmd = json.loads(instructions(final, "CMD")[-1])
    assert cmd[0] == "gunicorn" and "config.wsgi:application" in cmd
    config = cmd[cmd.index("--config") + 1]
    assert (ROOT / config).exists()
    env = " ".join(instructions(final, "ENV"))
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in env


def test_gunicorn_config_uses_threads_and_timeouts():
    namespace: dict[str, Any] = {}
    exec((ROOT / "config" / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102 - our own file
    assert namespace["worker_class"] == "gthread" and namespace["threads"] >= 2 and namespace["workers"] >= 2
    assert 10 <= namespace["timeout"] <= 120 and namespace["graceful_timeout"] > 0


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip() and not line.startswith("#")}
    for path in (".env", ".git", ".venv", "node_modules", "staticfiles", "var"):
        assert path in ignored, path


# --- compose.yaml ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_has_every_service(compose):
    services = compose["services"]
    assert {"postgres", "migrate", "web", "worker", "scheduler"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert "healthcheck" in services["postgres"] and services["postgres"]["volumes"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--noinput"] and services["migrate"]["restart"] == "no"
    assert "db_worker" in services["worker"]["command"]
    assert "run_scheduler" in services["scheduler"]["command"]


@pytest.mark.parametrize("service", ["web", "worker", "scheduler"])
def test_compose_app_services_wait_for_migrations(compose, service):
    depends = compose["services"][service]["depends_on"]
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert depends["postgres"]["condition"] == "service_healthy"


def test_compose_shares_the_media_volume_and_takes_configuration_from_the_environment(compose):
    services = compose["services"]
    for name in ("web", "worker"):
        assert "media:/var/lib/cymuned/media" in services[name]["volumes"]
        assert services[name]["env_file"] == ".env"
    assert "media" in compose["volumes"]


def test_compose_holds_no_secrets(compose):
    text = (ROOT / "compose.yaml").read_text()
    for service in compose["services"].values():
        env = service.get("environment") or {}
        for key, value in env.items():
            if re.search(r"PASSWORD|SECRET|KEY", key):
                assert str(value).startswith("${"), f"{key} must come from .env"
    assert "DJANGO_SECRET_KEY" not in text


# --- Every setting documented ---------------------------------------------------------------------------


def settings_env_vars() -> set[str]:
    names = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        names |= set(re.findall(r"(?:environ\.get|environ\[|env_bool|env_list)\(?\s*[\"']((?:DJANGO_|DATABASE_)[A-Z0-9_]+)[\"']", path.read_text()))
    return names


def gunicorn_env_vars() -> set[str]:
    return set(re.findall(r"environ\.get\(\"([A-Z0-9_]+)\"", (ROOT / "config" / "gunicorn.conf.py").read_text()))


def test_settings_read_the_variables_we_expect():
    names = settings_env_vars()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_TASKS_BACKEND", "DJANGO_MEDIA_STORAGE", "DJANGO_S3_BUCKET",
            "DJANGO_OIDC_ENABLED", "DJANGO_OIDC_TRUST_IDP_MFA", "DJANGO_SCHEDULE_APPLY_RETENTION"} <= names


@pytest.mark.parametrize("document", [".env.example", "docs/deploy.md"])
def test_every_environment_variable_is_documented(document):
    text = (ROOT / document).read_text()
    missing = sorted(name for name in settings_env_vars() | gunicorn_env_vars() if not re.search(rf"\b{name}\b", text))
    assert not missing, f"{document} does not mention {missing}"


def test_env_example_sets_every_variable_it_lists():
    text = (ROOT / ".env.example").read_text()
    for name in settings_env_vars() | gunicorn_env_vars():
        assert re.search(rf"^(# )?{name}=", text, re.MULTILINE), f"{name} has no line of its own in .env.example"


# --- Probes ---------------------------------------------------------------------------------------------


@pytest.fixture
def fresh_migration_check(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def test_health_and_ready_answer_when_all_is_well(client, db, fresh_migration_check):
    assert client.get("/health/").json() == {"status": "ok"}
    response = client.get("/ready/")
    assert response.status_code == 200 and response.json() == {"status": "ready"}
    assert response["Cache-Control"] == "no-store"


def test_the_real_migration_check_finds_nothing_pending(db):
    assert health.pending_migrations() == []


def test_not_ready_while_migrations_are_pending(client, db, fresh_migration_check):
    with mock.patch.object(health, "pending_migrations", return_value=["core.0099_future"]):
        response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "reasons": ["migrations not applied"]}
    assert "0099" not in response.content.decode()  # details go to the log, not to whoever asks


def test_ready_remembers_that_migrations_were_applied(client, db, fresh_migration_check):
    assert client.get("/ready/").status_code == 200
    with mock.patch.object(health, "pending_migrations", side_effect=AssertionError("checked again")):
        assert client.get("/ready/").status_code == 200


def test_not_ready_when_file_storage_refuses_writes(client, db, fresh_migration_check):
    with mock.patch.object(health.default_storage, "save", side_effect=PermissionError("read-only")):
        response = client.get("/ready/")
    assert response.status_code == 503 and response.json()["reasons"] == ["file storage not writable"]


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "no_such_table"}})
def test_not_ready_when_a_shared_cache_refuses_writes(client, db, fresh_migration_check):
    response = client.get("/ready/")
    assert response.status_code == 503 and response.json()["reasons"] == ["cache not writable"]


def test_health_and_ready_fail_without_the_database(client, db, fresh_migration_check):
    with mock.patch.object(health, "database_answers", return_value=False):
        assert client.get("/health/").status_code == 503
        response = client.get("/ready/")
    assert response.status_code == 503 and response.json()["reasons"] == ["database unavailable"]


@override_settings(ALLOWED_HOSTS=["cymuned.example.gov.uk"], SECURE_SSL_REDIRECT=True)
def test_probes_answer_a_load_balancer_by_address_over_plain_http(client, db, fresh_migration_check):
    assert client.get("/health/", HTTP_HOST="10.0.3.7:8000").status_code == 200
    assert client.get("/ready/", HTTP_HOST="10.0.3.7:8000").status_code == 200
    # Everything else still validates the host and redirects to HTTPS.
    assert client.get("/en-gb/", HTTP_HOST="10.0.3.7:8000").status_code == 400
    assert client.get("/en-gb/", HTTP_HOST="cymuned.example.gov.uk").status_code == 301


def test_probe_views_are_declared_public_outside_the_language_prefix():
    for path in ("/health/", "/ready/"):
        assert isinstance(access_of(resolve(path).func), Public)


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


# --- The scheduler --------------------------------------------------------------------------------------

ONLY = {"apply_retention": "", "remind_insurance_expiry": "", "notify_overdue_actions": "", "prune_task_results": ""}


def at(hour: int, minute: int = 0, day: int = 15) -> datetime.datetime:
    return datetime.datetime(2030, 1, day, hour, minute, tzinfo=LONDON)


@pytest.mark.django_db(transaction=True)  # the scheduler closes connections left inside a transaction, as a test's is
def test_once_runs_the_jobs_that_are_due(capsys):
    with override_settings(CYMUNED_SCHEDULE=ONLY | {"apply_retention": "00:00", "remind_insurance_expiry": "00:00",
                                                   "notify_overdue_actions": "00:00", "prune_task_results": "00:00"}):
        call_command("run_scheduler", "--once")
    runs = {run.job: run for run in ScheduledRun.objects.all()}
    # Tasks run at once in tests, so there are no stored task results to prune.
    assert set(runs) == {"apply_retention", "remind_insurance_expiry", "notify_overdue_actions"}
    assert all(run.outcome == ScheduledRun.Outcome.SUCCEEDED and run.day == timezone.localdate() for run in runs.values())
    assert "reminder(s) sent" in runs["remind_insurance_expiry"].output
    assert "dry run" in runs["apply_retention"].output  # lists only, until the authority chooses to act
    assert "remind_insurance_expiry" in capsys.readouterr().out


@override_settings(CYMUNED_SCHEDULE=ONLY | {"remind_insurance_expiry": "07:00"})
def test_a_job_waits_for_its_time_in_london(db):
    assert due_jobs(now=at(6, 59)) == []
    assert [job.name for job in due_jobs(now=at(7, 0))] == ["remind_insurance_expiry"]
    # 06:30 UTC in July is 07:30 in London (BST): due.
    summer = datetime.datetime(2030, 7, 15, 6, 30, tzinfo=datetime.UTC)
    assert [job.name for job in due_jobs(now=summer)] == ["remind_insurance_expiry"]


@override_settings(CYMUNED_SCHEDULE=ONLY | {"remind_insurance_expiry": "07:00"})
def test_a_job_already_run_today_is_not_run_again(db):
    with mock.patch("cymuned.core.scheduler.call_command") as command:
        assert len(run_due_jobs(now=at(7, 5))) == 1
        assert run_due_jobs(now=at(9, 0)) == []
        assert run_due_jobs(now=at(23, 59)) == []
        assert command.call_count == 1
        # The next day it runs again.
        assert len(run_due_jobs(now=at(7, 1, day=16))) == 1
        assert command.call_count == 2
    assert ScheduledRun.objects.count() == 2


@override_settings(CYMUNED_SCHEDULE=ONLY | {"remind_insurance_expiry": "07:00"})
def test_a_failed_job_is_recorded_and_the_scheduler_goes_on(db):
    with mock.patch("cymuned.core.scheduler.call_command", side_effect=RuntimeError("SMTP down")):
        [run] = run_due_jobs(now=at(8))
    assert run.outcome == ScheduledRun.Outcome.FAILED and run.finished_on is not None
    assert run_due_jobs(now=at(9)) == []  # not retried by itself the same day


@override_settings(CYMUNED_SCHEDULE=ONLY | {"remind_insurance_expiry": "07:00"})
def test_two_schedulers_seeing_the_same_due_job_run_it_once(db):
    with mock.patch("cymuned.core.scheduler.call_command") as command:
        first_sees = due_jobs(now=at(7, 0))
        second_sees = due_jobs(now=at(7, 0))
        assert first_sees == second_sees != []
        job = first_sees[0]
        assert scheduled_run_claim(job=job, day=at(7).date()) is not None
        assert scheduled_run_claim(job=job, day=at(7).date()) is None
        assert run_due_jobs(now=at(7, 0)) == []
        assert command.call_count == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_schedulers_claim_a_job_once():
    """Eight schedulers, each on its own database connection, claim the same job at the same moment."""
    job = Job("remind_insurance_expiry", "remind_insurance_expiry")
    barrier = threading.Barrier(8)
    claims: list[Any] = []

    def scheduler() -> None:
        try:
            barrier.wait()
            claims.append(scheduled_run_claim(job=job, day=datetime.date(2030, 1, 15)))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claims) == 8 and sum(claim is not None for claim in claims) == 1
    assert ScheduledRun.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_scheduler_stops_cleanly_on_sigterm(restore_signals):
    stdout = io.StringIO()

    def terminate(**kwargs: Any) -> list[Any]:
        os.kill(os.getpid(), signal.SIGTERM)
        return []

    with mock.patch("cymuned.core.management.commands.run_scheduler.run_due_jobs", side_effect=terminate):
        started = timezone.now()
        call_command("run_scheduler", "--interval", "30", stdout=stdout)
    assert (timezone.now() - started).total_seconds() < 10, "it must not sleep out its interval"
    assert "SIGTERM" in stdout.getvalue() and "Scheduler stopped." in stdout.getvalue()


@override_settings(CYMUNED_SCHEDULE=ONLY | {"remind_insurance_expiry": "7am"})
def test_a_badly_written_time_is_a_configuration_error(db):
    with pytest.raises(ImproperlyConfigured):
        due_jobs(now=at(8))


# --- Media storage --------------------------------------------------------------------------------------


def production_settings(env: dict[str, str], expression: str) -> Any:
    """Evaluate ``expression`` in a fresh Python with production settings and this environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    base |= {"DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": "x" * 60,
             "DATABASE_URL": "postgres://u:p@localhost:5432/cymuned"} | env
    code = ("import django, json; django.setup(); from django.conf import settings; "
            f"from django.core.files.storage import default_storage; print(json.dumps({expression}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_keeps_uploads_on_the_file_system_by_default():
    backend, storage_class = production_settings({}, '[settings.STORAGES["default"]["BACKEND"], default_storage.__class__.__name__]')
    assert backend == "django.core.files.storage.FileSystemStorage" and storage_class == "FileSystemStorage"


def test_production_uses_an_s3_bucket_when_told():
    env = {"DJANGO_MEDIA_STORAGE": "s3", "DJANGO_S3_BUCKET": "cymuned-media", "DJANGO_S3_ENDPOINT_URL": "https://s3.example.gov.uk",
           "DJANGO_S3_REGION": "eu-west-2", "DJANGO_S3_ACCESS_KEY_ID": "AKIA-test", "DJANGO_S3_SECRET_ACCESS_KEY": "secret-test",
           "DJANGO_S3_ADDRESSING_STYLE": "path"}
    storage, storage_class, img_src, tasks = production_settings(
        env, '[settings.STORAGES["default"], default_storage.__class__.__name__, '
             'settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"], settings.TASKS["default"]["BACKEND"]]')
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage" and storage_class == "S3Storage"
    expected = {"bucket_name": "cymuned-media", "endpoint_url": "https://s3.example.gov.uk", "region_name": "eu-west-2",
                "access_key": "AKIA-test", "secret_key": "secret-test", "querystring_auth": True, "default_acl": None}
    assert expected.items() <= storage["OPTIONS"].items()
    assert "https://s3.example.gov.uk" in img_src  # signed links to space photos may load
    assert tasks == "django_tasks_db.DatabaseBackend"  # production queues tasks for the worker


def test_s3_storage_class_loads_with_those_options(monkeypatch):
    from django.utils.module_loading import import_string

    from config.settings.base import media_storage_setting

    monkeypatch.setenv("DJANGO_S3_BUCKET", "cymuned-media")
    monkeypatch.setenv("DJANGO_S3_REGION", "eu-west-2")
    setting = media_storage_setting("s3")
    storage = import_string(setting["BACKEND"])(**setting["OPTIONS"])
    assert storage.bucket_name == "cymuned-media" and storage.querystring_auth is True


def test_media_storage_setting_refuses_what_it_cannot_do(monkeypatch):
    from config.settings.base import media_storage_origin, media_storage_setting

    monkeypatch.delenv("DJANGO_S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured):
        media_storage_setting("s3")
    with pytest.raises(ImproperlyConfigured):
        media_storage_setting("ftp")
    assert media_storage_origin({"bucket_name": "b", "region_name": "eu-west-2"}) == "https://b.s3.eu-west-2.amazonaws.com"
    assert media_storage_origin({"bucket_name": "b", "endpoint_url": "https://minio:9000/", "addressing_style": "virtual"}) == "https://b.minio:9000"


# --- Single sign-on -------------------------------------------------------------------------------------

OIDC_SETTINGS = {
    "OIDC_RP_CLIENT_ID": "cymuned",
    "OIDC_RP_CLIENT_SECRET": "not-a-secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.gov.uk/authorize",
    "OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.gov.uk/token",
    "OIDC_OP_USER_ENDPOINT": "https://idp.example.gov.uk/userinfo",
    "OIDC_OP_JWKS_ENDPOINT": "https://idp.example.gov.uk/jwks",
    "OIDC_RP_SIGN_ALGO": "RS256",
    "OIDC_RP_SCOPES": "openid email profile",
    "OIDC_CREATE_USER": False,
    "OIDC_USE_PKCE": True,
    "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc:callback",
}


def reload_urls() -> None:
    import config.urls

    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def oidc(settings):
    """Single sign-on switched on, as DJANGO_OIDC_ENABLED=1 would."""
    for name, value in OIDC_SETTINGS.items():
        setattr(settings, name, value)
    settings.CYMUNED_OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "cymuned.accounts.oidc.OIDCBackend"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("django_otp.middleware.OTPMiddleware") + 1, "cymuned.accounts.oidc.TrustIdentityProviderMFAMiddleware")
    settings.MIDDLEWARE = middleware
    reload_urls()
    yield settings
    settings.CYMUNED_OIDC_ENABLED = False
    reload_urls()


def identity_provider_says(claims: dict[str, Any]):
    """The provider's answers, without the network: a token, a verified ID token, these claims."""
    from cymuned.accounts.oidc import OIDCBackend

    return mock.patch.multiple(
        OIDCBackend,
        get_token=mock.Mock(return_value={"id_token": "id-token", "access_token": "access-token"}),
        verify_token=mock.Mock(return_value={"sub": "abc"}),
        get_userinfo=mock.Mock(return_value=claims),
    )


def oidc_request(path: str = "/oidc/callback/") -> Any:
    request = RequestFactory().get(path, {"code": "the-code", "state": "the-state"})
    request.session = {}
    return request


@pytest.mark.parametrize(
    ("claims", "signs_in"),
    [
        ({"email": "CSM@example.org"}, True),  # any case
        ({"email": "csm@example.org", "email_verified": True}, True),
        ({"email": "csm@example.org", "email_verified": False}, False),
        ({"email": "nobody-here@example.org"}, False),
        ({"sub": "no-email"}, False),
    ],
)
def test_oidc_backend_signs_in_only_existing_accounts_by_email(world, oidc, claims, signs_in):
    from cymuned.accounts.models import User
    from cymuned.accounts.oidc import OIDCBackend

    csm = world.user("csm")
    User.objects.filter(pk=csm.pk).update(email="csm@example.org")
    users_before = User.objects.count()
    with identity_provider_says(claims):
        user = OIDCBackend().authenticate(oidc_request(), nonce="n", code_verifier="v")
    assert (user == csm) if signs_in else user is None
    assert User.objects.count() == users_before, "single sign-on never creates accounts"


def test_oidc_backend_refuses_deactivated_accounts(world, oidc):
    from cymuned.accounts.models import User
    from cymuned.accounts.oidc import OIDCBackend

    User.objects.filter(pk=world.user("csm").pk).update(is_active=False)
    with identity_provider_says({"email": world.user("csm").email}):
        assert OIDCBackend().authenticate(oidc_request(), nonce="n", code_verifier="v") is None


def test_oidc_urls_and_button_only_when_enabled(client, db):
    with pytest.raises(NoReverseMatch):
        reverse("oidc:sign-in")
    page = client.get("/en-gb/accounts/sign-in/").content.decode()
    assert "/oidc/sign-in/" not in page and "organisation" not in page


def test_oidc_urls_are_public_outside_the_language_prefix_and_the_button_shows(client, db, oidc):
    assert reverse("oidc:sign-in") == "/oidc/sign-in/" and reverse("oidc:callback") == "/oidc/callback/"
    for path in ("/oidc/sign-in/", "/oidc/callback/"):
        assert isinstance(access_of(resolve(path).func), Public)
    page = client.get("/cy/accounts/sign-in/?next=/cy/").content.decode()
    assert 'href="/oidc/sign-in/?next=/cy/"' in page


def _sign_in_through_the_provider(client: Any, email: str) -> Any:
    start = client.get("/oidc/sign-in/?next=/en-gb/families/learners/")
    assert start.status_code == 302 and start["Location"].startswith("https://idp.example.gov.uk/authorize?")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["redirect_uri"] == ["http://testserver/oidc/callback/"] and query["code_challenge_method"] == ["S256"]
    with identity_provider_says({"email": email}):
        return client.get("/oidc/callback/", {"code": "the-code", "state": query["state"][0]})


def test_signing_in_through_the_provider_keeps_cymuneds_own_two_factor_step(world, client, oidc):
    oidc.CYMUNED_OIDC_TRUST_IDP_MFA = False
    lead = world.user("la_lead")
    back = _sign_in_through_the_provider(client, lead.email)
    assert back.status_code == 302 and back["Location"] == "/en-gb/families/learners/"
    assert client.session["_auth_user_id"] == str(lead.pk)
    page = client.get("/en-gb/accounts/profile/")
    assert page.status_code == 302 and "/two-factor/" in page["Location"]


def test_a_trusted_provider_counts_as_the_second_factor(world, client, oidc):
    oidc.CYMUNED_OIDC_TRUST_IDP_MFA = True
    lead = world.user("la_lead")
    assert _sign_in_through_the_provider(client, lead.email)["Location"] == "/en-gb/families/learners/"
    assert client.get("/en-gb/accounts/profile/").status_code == 200


def test_trust_in_the_provider_never_covers_a_password_sign_in(world, client, oidc):
    from .conftest import PASSWORD

    oidc.CYMUNED_OIDC_TRUST_IDP_MFA = True
    lead = world.user("la_lead")
    client.post("/en-gb/accounts/sign-in/", {"username": lead.email, "password": PASSWORD})
    page = client.get("/en-gb/accounts/profile/")
    assert page.status_code == 302 and "/two-factor/" in page["Location"]


def test_an_unknown_person_is_sent_back_to_the_sign_in_page(world, client, oidc):
    back = _sign_in_through_the_provider(client, "stranger@example.org")
    assert back.status_code == 302 and back["Location"].endswith("/accounts/sign-in/")
    assert "_auth_user_id" not in client.session


# --- Behind a proxy -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy trusted: the header is the client's word
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the client wrote the first entry itself
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.2"),  # fewer entries than proxies: not through them
    ],
)
def test_sign_in_throttling_counts_the_persons_address_behind_proxies(proxies, forwarded_for, expected):
    from cymuned.core.proxy import client_ip

    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded_for, REMOTE_ADDR="10.0.0.2")
    with override_settings(CYMUNED_TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "cymuned.core.proxy.client_ip"
