from __future__ import annotations

import base64
import time
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy, translate_url
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.oath import TOTP
from rest_framework.authtoken.models import Token

from cymuned.access.policy import Action, can, visible_to
from cymuned.access.views import HasRole, ObjectAccess, Public, ScopedViewMixin, SignedIn
from cymuned.core.forms import apply_validation_error

from . import services
from .forms import MembershipFilterForm, MembershipGrantForm, MembershipUpdateForm, ProfileForm, SignInForm, TokenForm
from .middleware import mark_signed_in
from .models import Membership
from .roles import Role
from .selectors import memberships_for


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _in_language(url: str, language: str) -> str:
    return translate_url(url, language)


class SignInView(ScopedViewMixin, FormView):
    access = Public("People must be able to sign in.")
    template_name = "accounts/sign_in.html"
    form_class = SignInForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: SignInForm) -> HttpResponse:
        user = form.user
        assert user is not None
        login(self.request, user)  # a new session key: no session fixation
        mark_signed_in(self.request)
        target = _safe_next(self.request, reverse("core:dashboard"))
        if services.requires_two_factor(user):
            has_device = user.totpdevice_set.filter(confirmed=True).exists()
            step = "accounts:two-factor-verify" if has_device else "accounts:two-factor-setup"
            target = (
                f"{_in_language(reverse(step), user.preferred_language)}?next={_in_language(target, user.preferred_language)}"
            )
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(_in_language(target, user.preferred_language))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(next=_safe_next(self.request, ""), oidc_enabled=settings.CYMUNED_OIDC_ENABLED, **kwargs)


def locked_out(request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """Shown by django-axes after too many failed sign-ins from this address for this account."""
    return render(request, "accounts/locked_out.html", {"cool_off_minutes": int(settings.AXES_COOLOFF_TIME * 60)}, status=429)


class SignOutView(ScopedViewMixin, View):
    access = SignedIn()
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        logout(request)
        messages.success(request, _("You have signed out."))
        return redirect("core:home")


class TwoFactorVerifyView(ScopedViewMixin, FormView):
    access = SignedIn()
    template_name = "accounts/two_factor_verify.html"
    form_class = TokenForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not request.user.totpdevice_set.filter(confirmed=True).exists():
            return redirect(f"{reverse('accounts:two-factor-setup')}?{urlencode({'next': _safe_next(request, '')})}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: TokenForm) -> HttpResponse:
        device = match_token(self.request.user, form.cleaned_data["token"])
        if device is None:
            form.add_error(
                "token",
                ValidationError(
                    _("The code is not right, or has been used already. Wait for the next code and try again."), code="bad_token"
                ),
            )
            return self.form_invalid(form)
        otp_login(self.request, device)
        return HttpResponseRedirect(_safe_next(self.request, reverse("core:dashboard")))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(next=_safe_next(self.request, ""), **kwargs)
        context["demo_code"] = _demo_code(self.request.user)
        return context


def _demo_code(user: Any) -> str:
    """For demo accounts only, in local development: the current code, so the demo needs no phone."""
    if not (settings.CYMUNED_DEMO_HINTS and settings.DEBUG and getattr(user, "is_demo", False)):
        return ""
    device = user.totpdevice_set.filter(confirmed=True).first()
    if device is None:
        return ""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


class TwoFactorSetupView(ScopedViewMixin, FormView):
    access = SignedIn()
    template_name = "accounts/two_factor_setup.html"
    form_class = TokenForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        device = services.totp_device_for_setup(user=self.request.user)
        secret = base64.b32encode(device.bin_key).decode()
        qr = segno.make(device.config_url, error="m")
        svg = qr.svg_inline(scale=4, title=_("QR code for your authenticator app"))
        return super().get_context_data(
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            qr_svg=mark_safe(svg),  # noqa: S308 - generated by segno from our own data
            next=_safe_next(self.request, ""),
            **kwargs,
        )

    def form_valid(self, form: TokenForm) -> HttpResponse:
        device = services.totp_device_for_setup(user=self.request.user)
        if not services.totp_confirm(user=self.request.user, device=device, token=form.cleaned_data["token"]):
            form.add_error(
                "token",
                ValidationError(
                    _("The code is not right. Check the time on your phone and try the next code."), code="bad_token"
                ),
            )
            return self.form_invalid(form)
        otp_login(self.request, device)
        messages.success(self.request, _("Two-factor sign-in is set up."))
        return HttpResponseRedirect(_safe_next(self.request, reverse("core:dashboard")))


class ProfileView(ScopedViewMixin, FormView):
    access = SignedIn()
    template_name = "accounts/profile.html"
    form_class = ProfileForm

    def get_initial(self) -> dict[str, Any]:
        return {"full_name": self.request.user.full_name, "preferred_language": self.request.user.preferred_language}

    def form_valid(self, form: ProfileForm) -> HttpResponse:
        user = services.user_update_profile(user=self.request.user, **form.cleaned_data)
        with_language = _in_language(reverse("accounts:profile"), user.preferred_language)
        messages.success(self.request, _("Your details have been saved."))
        return HttpResponseRedirect(with_language)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return super().get_context_data(
            memberships=visible_to(user, Membership.objects.current().with_related()).filter(user=user),
            token=Token.objects.filter(user=user).first(),
            has_two_factor=user.totpdevice_set.filter(confirmed=True).exists(),
            **kwargs,
        )


class SignOutEverywhereView(ScopedViewMixin, View):
    access = SignedIn()
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        user = services.user_sign_out_everywhere(user=request.user)
        update_session_auth_hash(request, user)
        messages.success(request, _("You have been signed out everywhere else, and your API token has been revoked."))
        return redirect("accounts:profile")


class ApiTokenView(ScopedViewMixin, View):
    access = SignedIn()
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("action") == "revoke":
            services.api_token_revoke(user=request.user)
            messages.success(request, _("Your API token has been revoked."))
        else:
            services.api_token_create(user=request.user)
            messages.success(request, _("A new API token has been created. Any earlier token no longer works."))
        return redirect("accounts:profile")


class PasswordChangeView(ScopedViewMixin, auth_views.PasswordChangeView):
    access = SignedIn()
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("Your password has been changed."))
        return super().form_valid(form)


class PasswordResetView(ScopedViewMixin, auth_views.PasswordResetView):
    access = Public("Forgotten passwords are reset without signing in.")
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetDoneView(ScopedViewMixin, auth_views.PasswordResetDoneView):
    access = Public("Confirms that a reset email was sent.")
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(ScopedViewMixin, auth_views.PasswordResetConfirmView):
    access = Public("The link from a reset or invitation email, checked by its token.")
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordResetCompleteView(ScopedViewMixin, auth_views.PasswordResetCompleteView):
    access = Public("Confirms that the new password was saved.")
    template_name = "accounts/password_reset_complete.html"


class MembershipListView(ScopedViewMixin, TemplateView):
    access = HasRole(Role.LA_LEAD, Role.HEADTEACHER)
    template_name = "accounts/membership_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = MembershipFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        memberships = memberships_for(user=self.request.user, q=filters.get("q", ""), role=filters.get("role", ""))
        page = Paginator(memberships, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, page=page, **kwargs)


class MembershipCreateView(ScopedViewMixin, FormView):
    access = HasRole(Role.LA_LEAD, Role.HEADTEACHER)
    template_name = "accounts/membership_form.html"
    form_class = MembershipGrantForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: MembershipGrantForm) -> HttpResponse:
        try:
            membership = services.membership_grant(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(name)s is now %(role)s at %(organisation)s.")
            % {
                "name": membership.user.full_name,
                "role": membership.get_role_display(),
                "organisation": membership.organisation.name,
            },
        )
        return redirect("accounts:membership-list")


class MembershipUpdateView(ScopedViewMixin, FormView):
    access = ObjectAccess(Membership, Action.CHANGE)
    template_name = "accounts/membership_update.html"
    form_class = MembershipUpdateForm
    object: Membership

    def get_object_queryset(self) -> Any:
        return Membership.objects.with_related()

    def get_initial(self) -> dict[str, Any]:
        return {"job_title": self.object.job_title, "governor_category": self.object.governor_category}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            membership=self.object, can_end=self.object.is_active and can(self.request.user, Action.DELETE, self.object), **kwargs
        )

    def form_valid(self, form: MembershipUpdateForm) -> HttpResponse:
        try:
            services.membership_update(by=self.request.user, membership=self.object, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The role has been updated."))
        return redirect("accounts:membership-list")


class MembershipEndView(ScopedViewMixin, View):
    access = ObjectAccess(Membership, Action.DELETE)
    http_method_names = ["post"]
    object: Membership

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            services.membership_end(by=request.user, membership=self.object)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("accounts:membership-update", pk=pk)
        messages.success(request, _("The role has been ended."))
        return redirect("accounts:membership-list")
