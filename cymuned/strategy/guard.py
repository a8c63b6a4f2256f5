"""Protection of the public answering form against duplicate and automated submissions, without accounts.

- A first-visit cookie (a random id) identifies the device; only its digest is stored, on the response, unique per
  questionnaire, so one device answers once.
- Each form carries a signed, single-use token naming the questionnaire, the device and when the form was issued;
  its random nonce is stored on the response (unique), so a token cannot be used twice.
- A honeypot field, hidden from people, which automated form fillers complete.
- A minimum time between issuing the form and sending it (``CYMUNED_CONSULTATION_MIN_SECONDS``, default 3).
- Per-address throttling in the cache (``CYMUNED_CONSULTATION_RATE``: answers per hour, default 30).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

VISITOR_COOKIE = "cymuned_visitor"
HONEYPOT_FIELD = "website"
TOKEN_FIELD = "form_token"
SALT = "cymuned.strategy.answer"
#: A form left open longer than this must be reloaded.
TOKEN_MAX_AGE = 60 * 60 * 24


def min_seconds() -> float:
    return float(getattr(settings, "CYMUNED_CONSULTATION_MIN_SECONDS", 3))


def rate_per_hour() -> int:
    return int(getattr(settings, "CYMUNED_CONSULTATION_RATE", 30))


def new_visitor_id() -> str:
    return secrets.token_urlsafe(18)


def visitor_digest(visitor_id: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{visitor_id}".encode()).hexdigest() if visitor_id else ""


def issue_token(*, questionnaire_id: int, visitor_id: str, issued_at: float | None = None) -> str:
    payload = {"q": questionnaire_id, "v": visitor_digest(visitor_id), "n": secrets.token_hex(16),
               "t": issued_at if issued_at is not None else time.time()}
    return signing.dumps(payload, salt=SALT)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""  # "honeypot", "bad_token", "too_fast", "throttled"
    nonce: str = ""
    visitor: str = ""


def check(request: HttpRequest, *, questionnaire_id: int) -> Verdict:
    """Everything but duplicates (which the service checks in its transaction)."""
    if request.POST.get(HONEYPOT_FIELD):
        return Verdict(False, "honeypot")
    address = request.META.get("REMOTE_ADDR", "")
    key = f"strategy:answers:{hashlib.sha256(address.encode()).hexdigest()[:24]}"
    if cache.get(key, 0) >= rate_per_hour():
        return Verdict(False, "throttled")
    visitor_id = request.COOKIES.get(VISITOR_COOKIE, "")
    try:
        payload = signing.loads(request.POST.get(TOKEN_FIELD, ""), salt=SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return Verdict(False, "bad_token")
    if payload.get("q") != questionnaire_id or not visitor_id or payload.get("v") != visitor_digest(visitor_id):
        return Verdict(False, "bad_token")
    if time.time() - float(payload.get("t", 0)) < min_seconds():
        return Verdict(False, "too_fast")
    return Verdict(True, nonce=str(payload["n"]), visitor=payload["v"])


def count_submission(request: HttpRequest) -> None:
    address = request.META.get("REMOTE_ADDR", "")
    key = f"strategy:answers:{hashlib.sha256(address.encode()).hexdigest()[:24]}"
    if not cache.add(key, 1, timeout=3600):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=3600)
