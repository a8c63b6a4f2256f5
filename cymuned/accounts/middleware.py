from __future__ import annotations

from collections.abc import Callable

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
