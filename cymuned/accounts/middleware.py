from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .services import requires_two_factor

#: URL names a signed-in user may reach before completing two-factor sign-in.
TWO_FACTOR_EXEMPT = {
    "accounts:two-factor-verify",
    "accounts:two-factor-setup",
    "accounts:sign-out",
    "core:home",
    "core:accessibility",
    "core:privacy",
    "core:cookies",
    "health",
    "ready",
    "oidc:callback",
}


class RequireTwoFactorMiddleware:
    """Staff who can see personal data must finish two-factor sign-in before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified() and requires_two_factor(user):  # type: ignore[union-attr]
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)
            if match.view_name not in TWO_FACTOR_EXEMPT:
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": _("Two-factor sign-in is required.")}, status=403)
                has_device = user.totpdevice_set.filter(confirmed=True).exists()  # type: ignore[union-attr]
                target = "accounts:two-factor-verify" if has_device else "accounts:two-factor-setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


#: Session keys holding when the staff member signed in and when they were last seen (Unix seconds).
SIGNED_IN_AT = "cymuned_signed_in_at"
LAST_SEEN_AT = "cymuned_last_seen_at"


def is_staff_session(user: Any) -> bool:
    """Staff (anyone holding a role, and administrators) get the short idle and absolute session limits."""
    from cymuned.access.principal import principal_for

    return bool(user.is_superuser or user.is_staff or principal_for(user).is_staff_member)


def mark_signed_in(request: HttpRequest) -> None:
    """Start the absolute session clock; called right after a sign-in."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class StaffSessionTimeoutMiddleware:
    """Signs staff out after a spell without activity and after a fixed time whatever they do.

    Someone walking away from a school office computer must not leave families' records open: 30 minutes
    idle, 12 hours at most (settings ``CYMUNED_STAFF_IDLE_TIMEOUT`` and ``CYMUNED_STAFF_ABSOLUTE_TIMEOUT``,
    in seconds). Public users (parents, hirers) keep the ordinary session length.
    """

    #: Write "last seen" at most this often, so every click does not rewrite the session.
    TOUCH_EVERY = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or not is_staff_session(user):
            return self.get_response(request)
        from django.conf import settings

        now = int(time.time())
        session = request.session
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen_at = session.get(LAST_SEEN_AT)
        if signed_in_at is None or last_seen_at is None:
            mark_signed_in(request)
        elif now - last_seen_at > settings.CYMUNED_STAFF_IDLE_TIMEOUT:
            return self._signed_out(request, _("You were signed out because you had not used Cymuned for %(minutes)s minutes.")
                                    % {"minutes": settings.CYMUNED_STAFF_IDLE_TIMEOUT // 60}, reason="idle")
        elif now - signed_in_at > settings.CYMUNED_STAFF_ABSOLUTE_TIMEOUT:
            return self._signed_out(request, _("You were signed out because you signed in more than %(hours)s hours ago.")
                                    % {"hours": settings.CYMUNED_STAFF_ABSOLUTE_TIMEOUT // 3600}, reason="absolute")
        elif now - last_seen_at >= self.TOUCH_EVERY:
            session[LAST_SEEN_AT] = now
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest, message: str, *, reason: str) -> HttpResponse:
        from django.contrib import messages
        from django.contrib.auth import logout

        from cymuned.core.security_log import security_event

        security_event("session_expired", request=request, user=request.user, reason=reason)
        logout(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=401)
        messages.info(request, message)
        return redirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': request.get_full_path()})}")
