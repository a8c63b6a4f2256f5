from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cymuned.core.widgets import DATE_ERRORS, DateInput
from cymuned.organisations.models import School

from .models import CONFIDENCE_QUESTIONS, DeliveryLanguage, Programme, ProgrammeKind

NUMBER = {"inputmode": "numeric"}


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "kind", "topic", "title_en", "title_cy", "description_en", "description_cy", "audience_en", "audience_cy",
            "lead_organisation", "venue_school", "venue_en", "venue_cy", "delivery_language", "capacity", "cost_pence",
            "accreditation_en", "accreditation_cy", "counts_only", "starts_on", "ends_on", "is_published", "public_sign_up",
        ]
        widgets = {
            "kind": forms.RadioSelect, "delivery_language": forms.RadioSelect, "starts_on": DateInput(), "ends_on": DateInput(),
            "capacity": forms.NumberInput(attrs=NUMBER), "cost_pence": forms.NumberInput(attrs=NUMBER),
            "description_en": forms.Textarea(attrs={"rows": 4}), "description_cy": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "kind": {"required": _("Choose the kind of programme")},
            "title_en": {"required": _("Enter the title in English")},
            "title_cy": {"required": _("Enter the title in Welsh")},
            "description_en": {"required": _("Enter a description in English")},
            "description_cy": {"required": _("Enter a description in Welsh")},
            "venue_en": {"required": _("Enter where it takes place")},
            "lead_organisation": {"required": _("Choose the lead organisation"), "invalid_choice": _("Choose an organisation from the list")},
            "starts_on": {**DATE_ERRORS, "required": _("Enter the start date")},
            "ends_on": DATE_ERRORS,
            "capacity": {"invalid": _("Enter the number of places as a whole number"), "min_value": _("Enter at least 1 place")},
            "cost_pence": {"invalid": _("Enter the cost in pence as a whole number, for example 250 for £2.50")},
        }

    def __init__(self, *args: Any, organisations: list[Any], schools: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = self.fields["lead_organisation"]
        lead.queryset = lead.queryset.filter(pk__in=[o.pk for o in organisations])  # type: ignore[attr-defined]
        lead.label_from_instance = lambda o: o.name  # type: ignore[attr-defined]
        venue = self.fields["venue_school"]
        venue.queryset = schools  # type: ignore[attr-defined]
        venue.label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
        venue.empty_label = _("Not at a school")  # type: ignore[attr-defined]
        self.fields["kind"].choices = ProgrammeKind.choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("public_sign_up") and not data.get("is_published"):
            self.add_error("public_sign_up", _("Show the programme on the public page to let the public sign up."))
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date must be the same as or after the start date."))
        return data


class ProgrammeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *ProgrammeKind.choices])
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[("", _("Any language")), *DeliveryLanguage.choices])


class ScheduleForm(forms.Form):
    first_date = forms.DateField(label=_("Date of the first session"), widget=DateInput(), error_messages=DATE_ERRORS)
    start_time = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                 error_messages={"required": _("Enter the start time"), "invalid": _("Enter a time, for example 09:30")})
    duration_minutes = forms.IntegerField(label=_("Length in minutes"), min_value=5, max_value=720, initial=60,
                                          widget=forms.NumberInput(attrs=NUMBER),
                                          error_messages={"required": _("Enter the length in minutes"), "invalid": _("Enter a whole number of minutes"),
                                                          "min_value": _("A session lasts at least 5 minutes"),
                                                          "max_value": _("A session lasts at most 12 hours")})
    count = forms.IntegerField(label=_("Number of sessions"), min_value=1, max_value=52, initial=6, widget=forms.NumberInput(attrs=NUMBER),
                               error_messages={"required": _("Enter the number of sessions"), "invalid": _("Enter a whole number"),
                                               "min_value": _("Add at least 1 session"), "max_value": _("Add at most 52 sessions at a time")})
    every_days = forms.TypedChoiceField(label=_("How often"), coerce=int, initial=7, widget=forms.RadioSelect,
                                        choices=[(1, _("Every day")), (7, _("Every week")), (14, _("Every two weeks"))])

    def first_starts_at(self) -> datetime.datetime:
        data = self.cleaned_data
        return timezone.make_aware(datetime.datetime.combine(data["first_date"], data["start_time"]))


class EnrolForm(forms.Form):
    upn = forms.CharField(label=_("Learner's unique pupil number"), max_length=13, required=False,
                          help_text=_("To enrol a learner of your schools. Leave empty to enrol an adult by name."))
    participant_name = forms.CharField(label=_("Or the full name of the person taking part"), max_length=200, required=False)
    telephone = forms.CharField(label=_("Telephone (optional)"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email address (optional)"), required=False,
                             error_messages={"invalid": _("Enter an email address in the correct format, like name@example.com")})
    places = forms.IntegerField(label=_("Places needed"), min_value=1, max_value=10, initial=1, widget=forms.NumberInput(attrs=NUMBER),
                                error_messages={"required": _("Enter how many places are needed"), "min_value": _("Enter at least 1 place"),
                                                "max_value": _("Enter at most 10 places"),
                                                "invalid": _("Enter a whole number")})
    waiting_list_if_full = forms.BooleanField(label=_("Add to the waiting list if the programme is full"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("upn") and not data.get("participant_name"):
            self.add_error("upn", _("Enter a unique pupil number or the name of the person taking part"))
        return data


class PublicSignUpForm(forms.Form):
    participant_name = forms.CharField(label=_("Full name"), max_length=200, error_messages={"required": _("Enter your full name")})
    email = forms.EmailField(label=_("Email address"), help_text=_("We will send your confirmation here."),
                             error_messages={"required": _("Enter your email address"),
                                             "invalid": _("Enter an email address in the correct format, like name@example.com")})
    telephone = forms.CharField(label=_("Telephone (optional)"), max_length=30, required=False)
    postcode = forms.CharField(label=_("Postcode (optional)"), max_length=10, required=False)
    places = forms.IntegerField(label=_("How many people need a place?"), min_value=1, max_value=10, initial=1,
                                widget=forms.NumberInput(attrs=NUMBER),
                                error_messages={"required": _("Enter how many people need a place"), "invalid": _("Enter a whole number"),
                                                "min_value": _("Enter at least 1"), "max_value": _("Enter at most 10")})
    school = forms.ModelChoiceField(label=_("Your child's school (optional)"), queryset=School.objects.none(), required=False,
                                    error_messages={"invalid_choice": _("Choose a school from the list")})
    access_needs = forms.CharField(label=_("Access or dietary needs (optional)"), widget=forms.Textarea(attrs={"rows": 3}),
                                   max_length=1000, required=False)
    privacy = forms.BooleanField(label=_("I understand how my details will be used, as set out in the privacy notice"),
                                 error_messages={"required": _("Confirm that you have read how your details will be used")})
    website = forms.CharField(required=False, label=_("Leave this empty"),
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))  # a honeypot: people never see it, robots fill it in

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        school = self.fields["school"]
        school.queryset = School.objects.filter(local_authority=programme.local_authority).order_by("name_en")  # type: ignore[attr-defined]
        school.label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
        school.empty_label = _("Not connected to a school")  # type: ignore[attr-defined]

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty"), code="honeypot")
        return ""


class QuantitiesForm(forms.Form):
    meals_served = forms.IntegerField(label=_("Meals served"), min_value=0, max_value=100000, required=False, widget=forms.NumberInput(attrs=NUMBER),
                                      error_messages={"invalid": _("Enter a whole number"), "min_value": _("Enter 0 or more")})
    parcels_given = forms.IntegerField(label=_("Parcels or items given"), min_value=0, max_value=100000, required=False,
                                       widget=forms.NumberInput(attrs=NUMBER),
                                       error_messages={"invalid": _("Enter a whole number"), "min_value": _("Enter 0 or more")})
    people_fed = forms.IntegerField(label=_("People fed or helped"), min_value=0, max_value=100000, required=False,
                                    widget=forms.NumberInput(attrs=NUMBER),
                                    error_messages={"invalid": _("Enter a whole number"), "min_value": _("Enter 0 or more")})
    notes = forms.CharField(label=_("Notes (optional)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)


class AchievementForm(forms.Form):
    title = forms.CharField(label=_("Qualification or accreditation"), max_length=200,
                            error_messages={"required": _("Enter the qualification or accreditation")})
    awarding_body = forms.CharField(label=_("Awarding body (optional)"), max_length=200, required=False)
    level = forms.CharField(label=_("Level (optional)"), max_length=30, required=False, help_text=_("For example: Entry 3, Level 1"))
    awarded_on = forms.DateField(label=_("Date awarded"), widget=DateInput(), error_messages=DATE_ERRORS, initial=datetime.date.today)


SCORE_CHOICES = [(1, _("1 - not at all")), (2, "2"), (3, "3"), (4, "4"), (5, _("5 - very"))]


class ConfidenceForm(forms.Form):
    answered_on = forms.DateField(label=_("Date answered"), widget=DateInput(), error_messages=DATE_ERRORS, initial=datetime.date.today)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in CONFIDENCE_QUESTIONS:
            self.fields[name] = forms.TypedChoiceField(
                label=label, choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer from 1 to 5")},
            )

