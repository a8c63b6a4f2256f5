from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cymuned.core.widgets import DATE_ERRORS, DateInput
from cymuned.organisations.models import LocalAuthority

from .models import HirerKind, SpaceKind

TIME_ERRORS = {"required": _("Enter a time"), "invalid": _("Enter a time, for example 18:30")}
NUMBER = {"inputmode": "numeric"}
#: Largest insurance certificate accepted, and the kinds of file.
MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
CERTIFICATE_TYPES = {"application/pdf": b"%PDF", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG"}


def _time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), error_messages=TIME_ERRORS)


class SpaceSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100, help_text=_("A school, a place or a kind of space"))
    kind = forms.ChoiceField(label=_("Kind of space"), required=False, choices=[("", _("Any kind")), *SpaceKind.choices])
    people = forms.IntegerField(label=_("People"), required=False, min_value=1, max_value=5000, widget=forms.NumberInput(attrs=NUMBER),
                                error_messages={"invalid": _("Enter a whole number"), "min_value": _("Enter at least 1")})
    week = forms.DateField(label=_("Week beginning"), required=False, widget=DateInput(), error_messages=DATE_ERRORS)

    def week_start(self) -> datetime.date:
        day = (self.cleaned_data.get("week") if self.is_valid() else None) or timezone.localdate()
        return day - datetime.timedelta(days=day.weekday())


class BookingRequestForm(forms.Form):
    activity = forms.CharField(label=_("What is the booking for?"), max_length=200, error_messages={"required": _("Say what the booking is for")})
    expected_people = forms.IntegerField(label=_("How many people?"), min_value=1, max_value=5000, widget=forms.NumberInput(attrs=NUMBER),
                                         error_messages={"required": _("Enter how many people"), "invalid": _("Enter a whole number"),
                                                         "min_value": _("Enter at least 1")})
    first_day = forms.DateField(label=_("Date"), widget=DateInput(), error_messages={**DATE_ERRORS, "required": _("Enter the date")})
    starts = _time_field(_("From"))
    ends = _time_field(_("Until"))
    weekly_until = forms.DateField(label=_("Every week until (optional)"), widget=DateInput(), required=False, error_messages=DATE_ERRORS,
                                   help_text=_("For a weekly booking, the last date. Leave empty for one date."))
    skip = forms.CharField(label=_("Leave out these dates (optional)"), required=False, max_length=1000,
                           help_text=_("Dates in the series you do not need, separated by commas, for example 27/10/2026, 3/11/2026"))
    involves_children = forms.BooleanField(label=_("The activity involves children or young people"), required=False)
    terms_accepted = forms.BooleanField(label=_("I accept the terms and conditions of hire"),
                                        error_messages={"required": _("Accept the terms and conditions of hire")})

    def clean_skip(self) -> list[datetime.date]:
        days = []
        for part in (self.cleaned_data.get("skip") or "").replace(";", ",").split(","):
            text = part.strip()
            if not text:
                continue
            for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
                try:
                    days.append(datetime.datetime.strptime(text, fmt).date())
                    break
                except ValueError:
                    continue
            else:
                raise forms.ValidationError(_("“%(text)s” is not a date. Write dates like 27/10/2026."), code="bad_skip", params={"text": text})
        return days


class HirerRegisterForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=150, error_messages={"required": _("Enter your full name")})
    email = forms.EmailField(label=_("Email address"), error_messages={"required": _("Enter your email address"),
                                                                        "invalid": _("Enter an email address in the correct format, like name@example.com")})
    password = forms.CharField(label=_("Create a password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("At least 12 characters. A few words you will remember work well."),
                               error_messages={"required": _("Create a password")})
    kind = forms.ChoiceField(label=_("Who is hiring?"), widget=forms.RadioSelect, error_messages={"required": _("Choose who is hiring")})
    organisation_name = forms.CharField(label=_("Name of the group or organisation (optional)"), max_length=200, required=False)
    telephone = forms.CharField(label=_("Telephone (optional)"), max_length=30, required=False)
    local_authority = forms.ModelChoiceField(label=_("Council area"), queryset=LocalAuthority.objects.order_by("name_en"),
                                             error_messages={"required": _("Choose the council area"),
                                                             "invalid_choice": _("Choose a council area from the list")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [c for c in HirerKind.choices if c[0] != HirerKind.CFS_PROGRAMME]  # type: ignore[attr-defined]
        self.fields["local_authority"].label_from_instance = lambda la: la.name  # type: ignore[attr-defined]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password)
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") and data["kind"] != HirerKind.INDIVIDUAL and not data.get("organisation_name"):
            self.add_error("organisation_name", _("Enter the name of the group or organisation"))
        return data


class HirerAccountForm(forms.Form):
    organisation_name = forms.CharField(label=_("Name of the group or organisation"), max_length=200, required=False)
    telephone = forms.CharField(label=_("Telephone"), max_length=30, required=False)
    address = forms.CharField(label=_("Address for invoices"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500, required=False)
    insurance_provider = forms.CharField(label=_("Insurer"), max_length=120, required=False)
    insurance_expires_on = forms.DateField(label=_("Public liability insurance expires on"), widget=DateInput(), required=False,
                                           error_messages=DATE_ERRORS)
    insurance_certificate = forms.FileField(label=_("Insurance certificate (PDF, JPG or PNG, up to 5 MB)"), required=False)
    safeguarding = forms.BooleanField(
        label=_("I declare that everyone who works with children at our activities has the checks and training the law requires, "
                "and that we have a safeguarding policy"),
        required=False,
    )

    def clean_insurance_certificate(self) -> Any:
        upload = self.cleaned_data.get("insurance_certificate")
        if not upload:
            return upload
        if upload.size > MAX_CERTIFICATE_BYTES:
            raise forms.ValidationError(_("The certificate must be smaller than 5 MB."), code="too_big")
        head = upload.read(8)
        upload.seek(0)
        if not any(head.startswith(magic) for magic in CERTIFICATE_TYPES.values()):
            raise forms.ValidationError(_("The certificate must be a PDF, JPG or PNG file."), code="bad_type")
        return upload

    def clean_insurance_expires_on(self) -> Any:
        day = self.cleaned_data.get("insurance_expires_on")
        if day and day < timezone.localdate():
            raise forms.ValidationError(_("This insurance has expired. Enter the expiry date of your current insurance."), code="expired")
        return day


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, error_messages={"required": _("Choose a decision")},
                                 choices=[("approve", _("Approve")), ("decline", _("Decline")), ("alternative", _("Offer another time"))])
    reason = forms.CharField(label=_("Reason (needed to decline)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, required=False)
    alternative = forms.CharField(label=_("Other time you can offer"), max_length=500, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)
