from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cymuned.core.widgets import DATE_ERRORS, DateInput

from .models import Allocation, Award, Claim, ClaimStatus, FundedPost, FundingStream, Spend

MONEY = {"inputmode": "decimal"}
MONEY_ERRORS = {"required": _("Enter an amount"), "invalid": _("Enter an amount in pounds, for example 1250.00"),
                "max_decimal_places": _("Enter an amount in pounds and pence, with no more than 2 decimal places"),
                "min_value": _("Enter an amount of more than £0.")}


class StreamForm(forms.ModelForm):
    class Meta:
        model = FundingStream
        fields = ["kind", "name_en", "name_cy", "funder", "description"]
        widgets = {"kind": forms.RadioSelect, "description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"kind": {"required": _("Choose the kind of funding")}, "name_en": {"required": _("Enter the name in English")},
                          "funder": {"required": _("Enter who gives the funding")}}


class AwardForm(forms.ModelForm):
    class Meta:
        model = Award
        fields = ["stream", "reference", "amount", "starts_on", "ends_on", "conditions"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "amount": forms.TextInput(attrs=MONEY),
                   "conditions": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"stream": {"required": _("Choose the funding stream"), "invalid_choice": _("Choose a funding stream from the list")},
                          "reference": {"required": _("Enter the award's reference")}, "amount": MONEY_ERRORS,
                          "starts_on": {**DATE_ERRORS, "required": _("Enter the date the period starts")},
                          "ends_on": {**DATE_ERRORS, "required": _("Enter the date the period ends")}}

    def __init__(self, *args: Any, streams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stream"].queryset = streams  # type: ignore[attr-defined]
        self.fields["stream"].label_from_instance = lambda s: s.name  # type: ignore[attr-defined]


class AllocationForm(forms.ModelForm):
    class Meta:
        model = Allocation
        fields = ["school", "cluster", "amount", "purpose"]
        widgets = {"amount": forms.TextInput(attrs=MONEY)}
        error_messages = {"amount": MONEY_ERRORS}
        help_texts = {"school": _("Choose a school or a cluster."), "cluster": _("Leave empty when the money is for one school.")}

    def __init__(self, *args: Any, schools: Any, clusters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["cluster"].queryset = clusters  # type: ignore[attr-defined]
        for name in ("school", "cluster"):
            self.fields[name].label_from_instance = lambda o: o.name  # type: ignore[attr-defined]
            self.fields[name].empty_label = _("None")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("school")) == bool(data.get("cluster")):
            self.add_error("school", _("Choose a school or a cluster, not both."))
        return data


class SpendForm(forms.ModelForm):
    class Meta:
        model = Spend
        fields = ["spent_on", "amount", "description", "category"]
        widgets = {"spent_on": DateInput(), "amount": forms.TextInput(attrs=MONEY)}
        error_messages = {"spent_on": {**DATE_ERRORS, "required": _("Enter the date of the spend")}, "amount": MONEY_ERRORS,
                          "description": {"required": _("Describe what the money was spent on")},
                          "category": {"required": _("Choose a category")}}


class ClaimForm(forms.ModelForm):
    class Meta:
        model = Claim
        fields = ["kind", "due_on", "period_start", "period_end", "amount"]
        widgets = {"kind": forms.RadioSelect, "due_on": DateInput(), "period_start": DateInput(), "period_end": DateInput(),
                   "amount": forms.TextInput(attrs=MONEY)}
        error_messages = {"due_on": {**DATE_ERRORS, "required": _("Enter the date it is due")},
                          "period_start": {**DATE_ERRORS, "required": _("Enter the start of the period covered")},
                          "period_end": {**DATE_ERRORS, "required": _("Enter the end of the period covered")},
                          "amount": {**MONEY_ERRORS, "min_value": _("Enter an amount of £0 or more.")}}


class ClaimStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ClaimStatus.choices, error_messages={"required": _("Choose a status")})
    submitted_on = forms.DateField(label=_("Submitted on"), required=False, widget=DateInput(), error_messages=DATE_ERRORS,
                                   help_text=_("Leave empty for today."))


class PostForm(forms.ModelForm):
    class Meta:
        model = FundedPost
        fields = ["title", "kind", "holder", "schools", "award", "fte", "annual_cost"]
        widgets = {"kind": forms.RadioSelect, "schools": forms.CheckboxSelectMultiple, "annual_cost": forms.TextInput(attrs=MONEY),
                   "fte": forms.TextInput(attrs={"inputmode": "decimal"})}
        error_messages = {"title": {"required": _("Enter the post title")}, "kind": {"required": _("Choose the kind of post")},
                          "annual_cost": MONEY_ERRORS,
                          "fte": {"required": _("Enter the full-time equivalent, for example 1 or 0.6"),
                                  "invalid": _("Enter the full-time equivalent, for example 1 or 0.6")}}

    def __init__(self, *args: Any, holders: Any, schools: Any, awards: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = holders  # type: ignore[attr-defined]
        self.fields["holder"].label_from_instance = lambda m: f"{m.user.full_name} – {m.get_role_display()}"  # type: ignore[attr-defined]
        self.fields["holder"].empty_label = _("Vacant")  # type: ignore[attr-defined]
        self.fields["schools"].queryset = schools  # type: ignore[attr-defined]
        self.fields["schools"].label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
        self.fields["award"].queryset = awards  # type: ignore[attr-defined]
        self.fields["award"].label_from_instance = lambda a: f"{a.stream.name} ({a.reference})"  # type: ignore[attr-defined]
        self.fields["award"].empty_label = _("Not funded by a recorded award")  # type: ignore[attr-defined]
