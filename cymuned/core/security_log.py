"""Security events as structured (JSON) log lines, for a council's monitoring to collect.

One line per event on the ``cymuned.security`` logger: sign-in succeeded or failed, lock-outs, sessions ended by
timeout, refusals, imports and exports. A line names the user by id, never by password, code, session key or any
learner's or family's details; an address typed at sign-in is kept only as a short hash, enough to see that the
same account is being tried over and over.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.http import HttpRequest

logger = logging.getLogger("cymuned.security")

#: Keys a caller may never put in an event, whatever it passes.
FORBIDDEN_KEYS = frozenset({"password", "token", "otp_token", "code", "session", "sessionid", "session_key", "csrfmiddlewaretoken"})


def username_hash(username: str | None) -> str:
    """A short, one-way tag of a typed user name: tells repeated attempts apart without storing what was typed."""
    if not username:
        return ""
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:16]


def _client_address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


def security_event(event: str, *, request: HttpRequest | None = None, user: Any = None, level: int = logging.INFO,
                   **fields: Any) -> None:
    """Log one security event with the request's address, method and path and the user's id."""
    record: dict[str, Any] = {"event": event}
    if user is not None and getattr(user, "is_authenticated", False):
        record["user_id"] = user.pk
    if request is not None:
        record.update(address=_client_address(request), method=request.method, path=request.path)
    for key, value in fields.items():
        if key.lower() in FORBIDDEN_KEYS:
            continue
        record[key] = value
    logger.log(level, event, extra={"security": record})


def connect_signals() -> None:
    """Log sign-ins, failed sign-ins and sign-outs from Django's and django-axes's own signals."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    def logged_in(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
        security_event("sign_in_succeeded", request=request, user=user)

    def login_failed(sender: Any, credentials: dict[str, Any] | None = None, request: HttpRequest | None = None,
                     **kwargs: Any) -> None:
        typed = (credentials or {}).get("username") or (credentials or {}).get("email")
        security_event("sign_in_failed", request=request, level=logging.WARNING, username_hash=username_hash(typed))

    def logged_out(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
        security_event("signed_out", request=request, user=user)

    def locked_out(sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any) -> None:
        security_event("sign_in_locked_out", request=request, level=logging.WARNING, username_hash=username_hash(username))

    user_logged_in.connect(logged_in, dispatch_uid="cymuned.security.logged_in", weak=False)
    user_login_failed.connect(login_failed, dispatch_uid="cymuned.security.login_failed", weak=False)
    user_logged_out.connect(logged_out, dispatch_uid="cymuned.security.logged_out", weak=False)
    user_locked_out.connect(locked_out, dispatch_uid="cymuned.security.locked_out", weak=False)
