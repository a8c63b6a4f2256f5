"""Optional single sign-on through OpenID Connect (DJANGO_OIDC_ENABLED=1), beside local accounts.

The identity provider (the council's Entra ID, Google Workspace for Education...) says who someone
is; Cymuned decides what they may do. So a person signs in only to an account that already exists
here, matched by email address, and nobody is ever created from a sign-in: roles still come only from
memberships given in Cymuned. Two-factor: with DJANGO_OIDC_TRUST_IDP_MFA=1 the provider is trusted to
have asked for a second factor (configure it to), and Cymuned asks for no code of its own from people
who signed in through it; otherwise Cymuned's own authenticator-app step still applies to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, translate_url
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from cymuned.access.views import Public, ScopedViewMixin

BACKEND_PATH = "cymuned.accounts.oidc.OIDCBackend"


class OIDCBackend(OIDCAuthenticationBackend):
    """Signs in the existing, active account whose email the identity provider vouches for."""

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if not str(claims.get("email") or "").strip():
            return False
        # Providers that say whether an address is verified must say yes; Entra ID does not say.
        return claims.get("email_verified") not in (False, "false", "False")

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet:
        email = str(claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def create_user(self, claims: dict[str, Any]) -> Any:
        # OIDC_CREATE_USER is False, so this is never reached; refuse all the same.
        raise SuspiciousOperation("Cymuned does not create accounts from single sign-on.")

    def update_user(self, user: Any, claims: dict[str, Any]) -> Any:
        return user  # names and roles are managed in Cymuned, not taken from the provider


class OIDCSignInView(ScopedViewMixin, OIDCAuthenticationRequestView):
    """Sends the person to their organisation's identity provider."""

    access = Public("People sign in with their organisation's account before Cymuned knows who they are.")


class OIDCCallbackView(ScopedViewMixin, OIDCAuthenticationCallbackView):
    """Where the identity provider sends the person back; signs them in to their existing account."""

    access = Public("The identity provider sends people back here before they are signed in.")

    @property
    def success_url(self) -> str:
        target = self.request.session.get("oidc_login_next") or reverse(settings.LOGIN_REDIRECT_URL)
        return translate_url(target, self.user.preferred_language)

    def login_failure(self) -> HttpResponse:
        messages.error(
            self.request,
            _("We could not sign you in with your organisation's account. If you have a Cymuned account, "
              "sign in with its email address and password, or ask the person who manages Cymuned for you."),
        )
        return redirect("accounts:sign-in")


def signed_in_through_oidc(request: HttpRequest) -> bool:
    return getattr(request, "session", None) is not None and request.session.get(BACKEND_SESSION_KEY) == BACKEND_PATH


class TrustIdentityProviderMFAMiddleware:
    """After django-otp's middleware: counts someone signed in through the identity provider as having
    completed two-factor sign-in, when DJANGO_OIDC_TRUST_IDP_MFA says the provider enforces it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.CYMUNED_OIDC_TRUST_IDP_MFA and signed_in_through_oidc(request):
            user = request.user
            request.user = SimpleLazyObject(lambda: _verified_by_identity_provider(user))
        return self.get_response(request)


def _verified_by_identity_provider(user: Any) -> Any:
    if user.is_authenticated:
        user.is_verified = lambda: True
    return user
