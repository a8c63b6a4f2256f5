"""Forms of the lettings managers' pages. They only read input; the rules are in services_manage."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from cymuned.core.widgets import DATE_ERRORS, DateInput

from .models import BlockKind, CostSettings, Season, Space, Tier, Weekday
from .services_manage import COST_FIELDS

TIME_ERRORS = {"required": _("Enter a time"), "invalid": _("Enter a time, for example 18:30")}
NUMBER = {"inputmode": "numeric"}
MONEY_ERRORS = {"required": _("Enter an amount in pounds"), "invalid": _("Enter an amount in pounds, for example 18.50"),
                "min_value": _("The amount cannot be negative"), "max_decimal_places": _("Enter pounds and pence, for example 18.50")}


def _time(label: Any, required: bool = True, help_text: Any = "") -> forms.TimeField:
    return forms.TimeField(label=label, required=required, help_text=help_text, error_messages=TIME_ERRORS,
                           widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput(), error_messages=DATE_ERRORS)


def _pounds(label: Any, max_value: int = 10_000) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=Decimal("0"), max_value=Decimal(max_value), decimal_places=2, max_digits=12,
                              error_messages=MONEY_ERRORS, widget=forms.TextInput(attrs={"inputmode": "decimal"}))


def pence(pounds: Decimal) -> int:
    return int((pounds * 100).quantize(Decimal("1")))


SPACE_FIELDS = ["kind", "name_en", "name_cy", "description_en", "description_cy", "capacity", "facilities_en", "facilities_cy",
                "accessibility_en", "accessibility_cy", "photo", "photo_alt_en", "photo_alt_cy", "is_public", "is_active",
                "energy_kwh_per_hour", "heating_kwh_per_hour", "cleaning_minutes"]


class SpaceForm(forms.Form):
    """A space's bilingual description, capacity, facilities, accessibility, photo, energy figures and whether the public can book it."""

    school = forms.ModelChoiceField(label=_("School"), queryset=None, error_messages={"required": _("Choose the school"),
                                                                                      "invalid_choice": _("Choose a school from the list")})

    def __init__(self, *args: Any, schools: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Space, fields=SPACE_FIELDS))
        self.fields["photo"].help_text = _("A JPG, PNG or WebP image up to 5 MB.")
        self.fields["photo"].widget = forms.FileInput()
        self.fields["capacity"].widget.attrs.update(NUMBER)
        self.fields["capacity"].error_messages.update({"required": _("Enter how many people the space holds"),
                                                       "invalid": _("Enter a whole number")})
        self.fields["name_en"].error_messages["required"] = _("Enter the name in English")
        self.fields["name_cy"].error_messages["required"] = _("Enter the name in Welsh")
        if schools is None:
            del self.fields["school"]
        else:
            self.fields["school"].queryset = schools  # type: ignore[attr-defined]
            self.fields["school"].label_from_instance = lambda s: s.name  # type: ignore[attr-defined]


class WindowForm(forms.Form):
    """One weekly window: a day, term time or holidays, and the times."""

    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int, error_messages={"required": _("Choose a day")})
    season = forms.ChoiceField(label=_("When"), choices=Season.choices, widget=forms.RadioSelect, initial=Season.TERM,
                               error_messages={"required": _("Choose term time or school holidays")})
    opens_at = _time(_("From"))
    closes_at = _time(_("Until"))


class BlockForm(forms.Form):
    """A time the space (or the whole school) cannot be hired."""

    kind = forms.ChoiceField(label=_("Why"), choices=BlockKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("Choose school use or closure")})
    space = forms.ModelChoiceField(label=_("Space"), queryset=None, required=False, help_text=_("Leave empty for the whole school."))
    starts_on = _date(_("First day"))
    ends_on = _date(_("Last day"))
    starts_at = _time(_("From (optional)"), required=False, help_text=_("Leave the times empty for whole days."))
    ends_at = _time(_("Until (optional)"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False, help_text=_("For example: school concert, polling station"))

    def __init__(self, *args: Any, spaces: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if spaces is None:
            del self.fields["space"]
        else:
            self.fields["space"].queryset = spaces  # type: ignore[attr-defined]
            self.fields["space"].label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
            self.fields["space"].empty_label = _("The whole school")  # type: ignore[attr-defined]


class RateForm(forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), choices=Tier.choices, widget=forms.RadioSelect, error_messages={"required": _("Choose a tier")})
    off_peak = _pounds(_("Off-peak price per hour (£)"))
    peak = _pounds(_("Peak price per hour (£)"))
    peak_from = _time(_("Peak from (weekdays)"), help_text=_("Weekends are peak all day."))
    minimum_minutes = forms.IntegerField(label=_("Shortest booking (minutes)"), min_value=15, max_value=24 * 60, initial=60,
                                         widget=forms.NumberInput(attrs=NUMBER),
                                         error_messages={"required": _("Enter the shortest booking in minutes"),
                                                         "invalid": _("Enter a whole number"), "min_value": _("Enter at least 15 minutes")})
    vat_applies = forms.BooleanField(label=_("VAT is charged"), required=False)


class CostSettingsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(CostSettings, fields=list(COST_FIELDS)))
        for name in ("overtime_after", "lone_working_after"):
            self.fields[name].widget = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
            self.fields[name].error_messages.update(TIME_ERRORS)


class TermForm(forms.Form):
    local_authority = forms.ModelChoiceField(label=_("Local authority"), queryset=None,
                                             error_messages={"required": _("Choose the local authority")})
    name_en = forms.CharField(label=_("Name in English"), max_length=60, help_text=_("For example: Autumn 2026"),
                              error_messages={"required": _("Enter the name in English")})
    name_cy = forms.CharField(label=_("Name in Welsh"), max_length=60, help_text=_("For example: Hydref 2026"),
                              error_messages={"required": _("Enter the name in Welsh")})
    starts_on = _date(_("First day"))
    ends_on = _date(_("Last day"))

    def __init__(self, *args: Any, authorities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if authorities is None:
            del self.fields["local_authority"]
        else:
            self.fields["local_authority"].queryset = authorities  # type: ignore[attr-defined]
            self.fields["local_authority"].label_from_instance = lambda la: la.name  # type: ignore[attr-defined]


class CapitalProjectForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=None, error_messages={"required": _("Choose the school")})
    title_en = forms.CharField(label=_("Title in English"), max_length=200, error_messages={"required": _("Enter the title in English")})
    title_cy = forms.CharField(label=_("Title in Welsh"), max_length=200, error_messages={"required": _("Enter the title in Welsh")})
    grant_source = forms.CharField(label=_("Grant"), max_length=200, error_messages={"required": _("Enter the grant")},
                                   help_text=_("For example: Welsh Government Community Focused Schools capital grant"))
    amount = _pounds(_("Amount spent (£)"), max_value=100_000_000)
    completed_on = _date(_("Completed on"))
    spaces = forms.ModelMultipleChoiceField(label=_("Spaces it created or improved"), queryset=None, widget=forms.CheckboxSelectMultiple,
                                            error_messages={"required": _("Choose the spaces the grant paid for")})

    def __init__(self, *args: Any, schools: Any, spaces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["school"].label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
        self.fields["spaces"].queryset = spaces  # type: ignore[attr-defined]
        self.fields["spaces"].label_from_instance = lambda s: f"{s.name} ({s.school.name})"  # type: ignore[attr-defined]
