from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cymuned.access.policy import visible_to
from cymuned.access.principal import principal_for
from cymuned.organisations.models import Cluster, Organisation

from .models import User
from .roles import GovernorCategory, Role


class SignInForm(forms.Form):
    username = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
        },
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password")},
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        email, password = data.get("username"), data.get("password")
        if email and password:
            user = authenticate(self.request, username=email.lower(), password=password)
            if user is None:
                raise forms.ValidationError(
                    _("Enter a correct email address and password. Both may be case-sensitive."), code="invalid_login"
                )
            self.user = user  # type: ignore[assignment]
        return data


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6-digit code shown in the app, for example 123456."),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter the 6-digit code from your authenticator app"),
            "min_length": _("The code must be 6 digits"),
            "max_length": _("The code must be 6 digits"),
        },
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("The code must be 6 digits"), code="not_digits")
        return token


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        error_messages={"required": _("Enter your full name")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=[("en-gb", "English"), ("cy", "Cymraeg")],
        widget=forms.RadioSelect,
        help_text=_("Cymuned opens in this language when you sign in, and emails to you use it."),
        error_messages={"required": _("Choose your preferred language")},
    )


class MembershipGrantForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        error_messages={
            "required": _("Enter the person's email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        error_messages={"required": _("Enter the person's full name")},
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        error_messages={"required": _("Choose the organisation"), "invalid_choice": _("Choose an organisation from the list")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        error_messages={"required": _("Choose the role"), "invalid_choice": _("Choose a role from the list")},
    )
    cluster = forms.ModelChoiceField(
        label=_("Cluster (optional)"),
        queryset=Cluster.objects.none(),
        required=False,
        help_text=_("Only for a role held at the local authority that serves one cluster."),
        error_messages={"invalid_choice": _("Choose a cluster from the list")},
    )
    governor_category = forms.ChoiceField(
        label=_("Category of governor (governors only)"),
        choices=[("", "—"), *GovernorCategory.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a category from the list")},
    )
    job_title = forms.CharField(label=_("Job title (optional)"), max_length=150, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        principal = principal_for(user)
        las = sorted(principal.la_ids([Role.LA_LEAD]))
        heads = sorted(principal.school_ids([Role.HEADTEACHER]))
        organisations = Organisation.objects.filter(pk__in=las) | Organisation.objects.filter(local_authority_id__in=las)
        organisations |= Organisation.objects.filter(pk__in=heads)
        self.fields["organisation"].queryset = organisations.order_by("kind", "name_en")  # type: ignore[attr-defined]
        self.fields["organisation"].label_from_instance = lambda o: o.name  # type: ignore[attr-defined]
        self.fields["cluster"].queryset = visible_to(user, Cluster).filter(local_authority_id__in=las)  # type: ignore[attr-defined]
        self.fields["cluster"].label_from_instance = lambda c: c.name  # type: ignore[attr-defined]
        self.fields["organisation"].empty_label = "—"  # type: ignore[attr-defined]
        self.fields["cluster"].empty_label = "—"  # type: ignore[attr-defined]


class MembershipUpdateForm(forms.Form):
    job_title = forms.CharField(label=_("Job title (optional)"), max_length=150, required=False)
    governor_category = forms.ChoiceField(
        label=_("Category of governor (governors only)"),
        choices=[("", "—"), *GovernorCategory.choices],
        required=False,
        error_messages={"invalid_choice": _("Choose a category from the list")},
    )


class MembershipFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or email"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("All roles")), *Role.choices], required=False)
