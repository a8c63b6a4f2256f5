"""Production hardening proven by requests: session limits, headers, the error page, structured security events."""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.test import Client, override_settings
from django.urls import path

from cymuned.accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("secret detail: learner Jones, UPN A123")


urlpatterns = [path("boom/", _boom)]
handler500 = "cymuned.core.views.server_error"


def _age_session(client: Client, *, signed_in_ago: int, last_seen_ago: int) -> None:
    session = client.session
    now = int(time.time())
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[LAST_SEEN_AT] = now - last_seen_ago
    session.save()


@pytest.fixture
def security_log(caplog):
    """The security logger does not propagate to the root logger (it has its own JSON handler): listen to it directly."""
    logger = logging.getLogger("cymuned.security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.INFO, logger="cymuned.security")
    yield caplog
    logger.removeHandler(caplog.handler)


def _events(caplog) -> list[dict]:
    return [record.security for record in caplog.records if hasattr(record, "security")]


def test_staff_are_signed_out_after_thirty_idle_minutes(world, security_log):
    client = sign_in(Client(), world.user("feo"))
    assert client.get("/en-gb/families/learners/").status_code == 200
    _age_session(client, signed_in_ago=31 * 60, last_seen_ago=31 * 60)
    response = client.get("/en-gb/families/learners/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    assert "next=%2Fen-gb%2Ffamilies%2Flearners%2F" in response["Location"]
    # Signed out for good: the next request is anonymous.
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "30 minutes" in page.content.decode()
    assert any(e["event"] == "session_expired" and e["reason"] == "idle" for e in _events(security_log))


def test_activity_inside_the_idle_limit_keeps_the_session(world):
    client = sign_in(Client(), world.user("feo"))
    client.get("/en-gb/dashboard/")
    _age_session(client, signed_in_ago=29 * 60, last_seen_ago=29 * 60)
    assert client.get("/en-gb/families/learners/").status_code == 200
    # ... and the request moved "last seen" on, so the idle clock starts again.
    assert int(time.time()) - client.session[LAST_SEEN_AT] < 5


def test_staff_are_signed_out_twelve_hours_after_sign_in_however_active(world):
    client = sign_in(Client(), world.user("headteacher"))
    client.get("/en-gb/dashboard/")
    _age_session(client, signed_in_ago=12 * 3600 + 60, last_seen_ago=10)
    response = client.get("/en-gb/dashboard/")
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
    assert client.get("/api/v1/schools/").status_code in (401, 403)


def test_expired_api_session_answers_401_json(world):
    client = sign_in(Client(), world.user("la_lead"))
    client.get("/api/v1/schools/")
    _age_session(client, signed_in_ago=60, last_seen_ago=31 * 60)
    response = client.get("/api/v1/schools/")
    assert response.status_code == 401
    assert "30 minutes" in response.json()["detail"]


def test_public_users_keep_the_ordinary_session(world):
    client = Client()
    client.force_login(world.user("public"))
    _age_session(client, signed_in_ago=13 * 3600, last_seen_ago=2 * 3600)
    assert client.get("/en-gb/accounts/profile/").status_code == 200


def test_sign_in_gives_a_new_session_key_and_starts_the_clock(world):
    client = Client()
    client.get("/en-gb/accounts/sign-in/")
    before = client.cookies.get("sessionid")
    client.post("/en-gb/accounts/sign-in/", {"username": "feo@example.org", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    after = client.cookies["sessionid"].value
    assert before is None or before.value != after
    assert int(time.time()) - client.session[SIGNED_IN_AT] < 5


@override_settings(DEBUG=False)
def test_signed_in_pages_carry_the_security_headers(world, settings):
    settings.SECURE_HSTS_SECONDS = 31536000  # as in production settings; HSTS is only sent over HTTPS
    client = sign_in(Client(), world.user("feo"))
    response = client.get("/en-gb/families/learners/", secure=True)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if " " in part.strip())
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_sign_in_sets_an_http_only_same_site_session_cookie(world):
    response = Client().post("/en-gb/accounts/sign-in/", {"username": "governor@example.org", "password": PASSWORD},
                             REMOTE_ADDR="10.0.0.5")
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_production_settings_make_cookies_secure_and_send_hsts():
    import os
    import subprocess
    import sys

    script = ("import json, config.settings.production as p; print(json.dumps([p.SESSION_COOKIE_SECURE, p.CSRF_COOKIE_SECURE,"
              " p.SECURE_HSTS_SECONDS, p.SESSION_COOKIE_HTTPONLY, p.SESSION_COOKIE_SAMESITE, p.DEBUG]))")
    env = {**os.environ, "DJANGO_SECRET_KEY": "k" * 64, "DJANGO_ALLOWED_HOSTS": "cymuned.example.gov.uk"}
    output = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    secure, csrf_secure, hsts, httponly, samesite, debug = json.loads(output.strip().splitlines()[-1])
    assert secure and csrf_secure and httponly and not debug
    assert hsts >= 31536000 and samesite in ("Lax", "Strict")


def test_public_pages_are_not_marked_no_store(client):
    response = client.get("/en-gb/")
    assert "no-store" not in response.get("Cache-Control", "")


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_a_reference_and_no_traceback(caplog):
    error_logger = logging.getLogger("cymuned.errors")
    error_logger.addHandler(caplog.handler)
    try:
        client = Client(raise_request_exception=False)
        response = client.get("/boom/")
    finally:
        error_logger.removeHandler(caplog.handler)
    assert response.status_code == 500
    body = response.content.decode()
    reference = response["X-Error-Reference"]
    assert reference in body
    assert "Traceback" not in body and "secret detail" not in body and "RuntimeError" not in body
    logged = [r for r in caplog.records if getattr(r, "security", {}).get("reference") == reference]
    assert logged and logged[0].exc_info is not None


def test_sign_in_events_are_logged_without_secrets(world, security_log):
    client = Client()
    client.post("/en-gb/accounts/sign-in/", {"username": "feo@example.org", "password": "wrong-password-1"},
                REMOTE_ADDR="10.0.0.7")
    client.post("/en-gb/accounts/sign-in/", {"username": "feo@example.org", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")
    events = _events(security_log)
    kinds = [e["event"] for e in events]
    assert "sign_in_failed" in kinds and "sign_in_succeeded" in kinds
    failed = next(e for e in events if e["event"] == "sign_in_failed")
    assert failed["address"] == "10.0.0.7" and len(failed["username_hash"]) == 16
    succeeded = next(e for e in events if e["event"] == "sign_in_succeeded")
    assert succeeded["user_id"] == world.user("feo").pk
    text = json.dumps(events) + " ".join(r.getMessage() for r in security_log.records)
    for secret in ("wrong-password-1", PASSWORD, "feo@example.org", client.cookies["sessionid"].value):
        assert secret not in text


def test_refusals_and_exports_are_security_events(world, client_for, security_log):
    from cymuned.audit.services import export_record
    from cymuned.core.security_log import security_event

    client_for("governor").get("/en-gb/audit/")
    export_record(user=world.user("la_lead"), kind="learners", row_count=3, filters={}, remote_addr="10.1.1.1")
    security_event("test", password="hunter2", code="123456")
    events = _events(security_log)
    assert any(e["event"] == "access_refused" and e["path"] == "/en-gb/audit/" for e in events)
    assert any(e["event"] == "export" and e["kind"] == "learners" and e["row_count"] == 3 for e in events)
    forbidden = next(e for e in events if e["event"] == "test")
    assert "password" not in forbidden and "code" not in forbidden


def test_security_events_are_json_lines():
    from django.conf import settings
    from pythonjsonlogger.json import JsonFormatter

    config = settings.LOGGING["formatters"]["json"]
    formatter = JsonFormatter(config["fmt"], rename_fields=config["rename_fields"])
    record = logging.LogRecord("cymuned.security", logging.INFO, __file__, 1, "export", None, None)
    record.security = {"event": "export", "user_id": 1}
    line = json.loads(formatter.format(record))
    assert line["logger"] == "cymuned.security" and line["security"]["event"] == "export"


def test_the_admin_needs_the_second_factor_too(world):
    from .factories import UserFactory

    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)  # password only: no second factor yet
    response = client.get("/en-gb/admin/")
    assert response.status_code == 302 and "/accounts/two-factor/" in response["Location"]
    assert client.get("/en-gb/admin/families/learner/").status_code == 302
