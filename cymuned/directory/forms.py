from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cymuned.core.widgets import DATE_ERRORS, DateInput

from . import geo
from .models import Contact, Frequency, Location, Schedule, Service, ServiceStatus, TaxonomyTerm, Weekday
from .selectors import AGE_GROUPS, LANGUAGE_FILTERS
from .services import LANGUAGE_NAMES

NUMBER = {"inputmode": "numeric"}
DISTANCES = [("", _("Any distance")), ("1", _("Within 1 mile")), ("3", _("Within 3 miles")), ("5", _("Within 5 miles")),
             ("10", _("Within 10 miles")), ("25", _("Within 25 miles"))]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Keywords"), required=False, max_length=100)
    need = forms.ChoiceField(label=_("What do you need help with?"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    age = forms.ChoiceField(label=_("Age group"), required=False)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=10,
                               help_text=_("A postcode in Wales, or the first half of one, for example CF47 8AN or CF47."),
                               widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}))
    town = forms.ChoiceField(label=_("Or choose a town"), required=False)
    latitude = forms.DecimalField(label=_("Or your latitude"), required=False, min_value=Decimal("-90"), max_value=Decimal("90"),
                                  max_digits=9, decimal_places=6, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                  error_messages={"invalid": _("Enter the latitude as a number, for example 51.748"),
                                                  "min_value": _("Latitude must be between -90 and 90"),
                                                  "max_value": _("Latitude must be between -90 and 90"),
                                                  "max_decimal_places": _("Enter the latitude with at most 6 decimal places"),
                                                  "max_digits": _("Enter the latitude as a number, for example 51.748")})
    longitude = forms.DecimalField(label=_("and longitude"), required=False, min_value=Decimal("-180"), max_value=Decimal("180"),
                                   max_digits=9, decimal_places=6, widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                   error_messages={"invalid": _("Enter the longitude as a number, for example -3.378"),
                                                   "min_value": _("Longitude must be between -180 and 180"),
                                                   "max_value": _("Longitude must be between -180 and 180"),
                                                   "max_decimal_places": _("Enter the longitude with at most 6 decimal places"),
                                                   "max_digits": _("Enter the longitude as a number, for example -3.378")})
    within = forms.ChoiceField(label=_("Distance"), required=False, choices=DISTANCES)

    def __init__(self, *args: Any, terms: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["need"].choices = [("", _("Any need"))] + [(t.code, t.name) for t in terms]
        self.fields["language"].choices = [("", _("Any language"))] + list(LANGUAGE_FILTERS.items())
        self.fields["age"].choices = [("", _("Any age"))] + [(k, v[0]) for k, v in AGE_GROUPS.items()]
        self.fields["town"].choices = [("", _("No town chosen"))] + sorted(((t.key, t.name) for t in geo.towns().values()), key=lambda c: c[1])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["origin"] = None
        postcode = (data.get("postcode") or "").strip()
        lat, lon = data.get("latitude"), data.get("longitude")
        if postcode:
            point = geo.point_for_postcode(postcode)
            if geo.outward_code(postcode) is None:
                self.add_error("postcode", _("Enter a real postcode, for example CF47 8AN"))
            elif point is None:
                self.add_error("postcode", _("We do not know where %(district)s is. Enter a postcode in Wales, or choose a town.")
                               % {"district": geo.outward_code(postcode)})
            else:
                data["origin"] = point
        elif lat is not None or lon is not None:
            if lat is None:
                self.add_error("latitude", _("Enter the latitude as well as the longitude"))
            elif lon is None:
                self.add_error("longitude", _("Enter the longitude as well as the latitude"))
            else:
                data["origin"] = geo.Point(float(lat), float(lon))
        elif data.get("town"):
            town = geo.towns().get(data["town"])
            data["origin"] = geo.Point(town.latitude, town.longitude, town.name) if town else None
        if data.get("within") and data["origin"] is None and not self.errors:
            self.add_error("within", _("Enter a postcode, choose a town or give a location to search by distance"))
        return data

    @property
    def within_km(self) -> float | None:
        within = self.cleaned_data.get("within") if hasattr(self, "cleaned_data") else None
        return float(within) * geo.KM_PER_MILE if within else None


class ServiceForm(forms.ModelForm):
    url = forms.URLField(label=_("website"), required=False, assume_scheme="https", max_length=500,
                         error_messages={"invalid": _("Enter a web address starting https://")})
    terms = forms.ModelMultipleChoiceField(label=_("Needs it meets"), queryset=TaxonomyTerm.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    language_codes = forms.MultipleChoiceField(label=_("Languages it is offered in"), required=False, widget=forms.CheckboxSelectMultiple,
                                               choices=[(code, code) for code in LANGUAGE_NAMES])

    class Meta:
        model = Service
        fields = [
            "organisation", "name_en", "name_cy", "description_en", "description_cy", "status", "url", "email", "is_free",
            "fees_description_en", "fees_description_cy", "eligibility_description_en", "eligibility_description_cy",
            "minimum_age", "maximum_age", "welsh_active_offer", "accreditations_en", "accreditations_cy", "alert_en", "alert_cy",
            "review_date",
        ]
        widgets = {
            "status": forms.RadioSelect, "review_date": DateInput(),
            "minimum_age": forms.NumberInput(attrs=NUMBER), "maximum_age": forms.NumberInput(attrs=NUMBER),
            "description_en": forms.Textarea(attrs={"rows": 4}), "description_cy": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "organisation": {"required": _("Choose the organisation that provides it"), "invalid_choice": _("Choose an organisation from the list")},
            "name_en": {"required": _("Enter the name in English")},
            "description_en": {"required": _("Enter a description in English")},
            "email": {"invalid": _("Enter an email address like name@example.org")},
            "minimum_age": {"invalid": _("Enter the minimum age as a whole number")},
            "maximum_age": {"invalid": _("Enter the maximum age as a whole number")},
            "review_date": DATE_ERRORS,
        }

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["organisation"]
        org.queryset = organisations  # type: ignore[attr-defined]
        org.label_from_instance = lambda o: o.name  # type: ignore[attr-defined]
        terms = self.fields["terms"]
        terms.queryset = TaxonomyTerm.objects.with_related().order_by("taxonomy__name_en", "name_en")  # type: ignore[attr-defined]
        terms.label_from_instance = lambda t: t.name  # type: ignore[attr-defined]
        self.fields["status"].choices = ServiceStatus.choices  # type: ignore[attr-defined]
        names = {"cy": _("Welsh"), "en": _("English"), "bfi": _("British Sign Language"), "pl": _("Polish"), "ar": _("Arabic"),
                 "uk": _("Ukrainian"), "ro": _("Romanian"), "pa": _("Punjabi"), "ur": _("Urdu"), "bn": _("Bengali")}
        self.fields["language_codes"].choices = [(code, names.get(code, code)) for code in LANGUAGE_NAMES]  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial.setdefault("terms", list(self.instance.taxonomy_terms.values_list("pk", flat=True)))
            self.initial.setdefault("language_codes", list(self.instance.languages.values_list("code", flat=True)))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and high < low:
            self.add_error("maximum_age", _("The maximum age must be the same as or more than the minimum age"))
        return data


class LocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["location_type", "name_en", "name_cy", "address_1", "address_2", "city", "postcode", "latitude", "longitude",
                  "transportation_en", "transportation_cy"]
        widgets = {"location_type": forms.RadioSelect, "latitude": forms.TextInput(attrs={"inputmode": "decimal"}),
                   "longitude": forms.TextInput(attrs={"inputmode": "decimal"})}
        help_texts = {"latitude": _("Leave empty to use the middle of the postcode district."), "postcode": _("For example CF47 8AN")}
        error_messages = {
            "name_en": {"required": _("Enter the name of the place in English")},
            "latitude": {"invalid": _("Enter the latitude as a number, for example 51.748")},
            "longitude": {"invalid": _("Enter the longitude as a number, for example -3.378")},
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("postcode") and data.get("latitude") is None and data.get("longitude") is None:
            point = geo.point_for_postcode(data["postcode"])
            if point is not None:
                data["latitude"], data["longitude"] = Decimal(f"{point.latitude:.6f}"), Decimal(f"{point.longitude:.6f}")
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Enter both latitude and longitude, or neither"))
        return data


class ScheduleForm(forms.ModelForm):
    days = forms.MultipleChoiceField(label=_("Days"), choices=Weekday.choices, widget=forms.CheckboxSelectMultiple,
                                     error_messages={"required": _("Choose at least one day")})

    class Meta:
        model = Schedule
        fields = ["freq", "opens_at", "closes_at", "valid_from", "valid_to", "description_en", "description_cy"]
        widgets = {"freq": forms.RadioSelect, "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), "valid_from": DateInput(), "valid_to": DateInput()}
        error_messages = {"opens_at": {"invalid": _("Enter a time like 09:30")}, "closes_at": {"invalid": _("Enter a time like 17:00")},
                          "valid_from": DATE_ERRORS, "valid_to": DATE_ERRORS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["freq"].choices = Frequency.choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The closing time must be after the opening time"))
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("The end date must be on or after the start date"))
        order = [code for code, _label in Weekday.choices]
        data["byday"] = ",".join(sorted(data.get("days") or [], key=order.index))
        return data


class ContactForm(forms.ModelForm):
    phone = forms.CharField(label=_("Telephone"), required=False, max_length=30, widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))

    class Meta:
        model = Contact
        fields = ["name", "title", "department", "email"]
        error_messages = {"email": {"invalid": _("Enter an email address like name@example.org")}}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(k) for k in ("name", "title", "email", "phone")):
            raise forms.ValidationError(_("Enter at least a name, a job title, an email address or a telephone number"))
        return data


class ReviewForm(forms.Form):
    next_review = forms.DateField(label=_("Next review by"), required=False, widget=DateInput(), error_messages=DATE_ERRORS,
                                  help_text=_("Leave empty for a year from today."))


class StaleForm(forms.Form):
    months = forms.TypedChoiceField(label=_("Not changed for"), coerce=int, required=False, initial=12,
                                    choices=[(6, _("6 months")), (12, _("12 months")), (18, _("18 months")), (24, _("24 months"))])


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Open Referral UK file (JSON)"), error_messages={"required": _("Choose a JSON file to import")},
                           help_text=_("A page of the services list, or a list of full services, as an ORUK API answers."))
    dry_run = forms.BooleanField(label=_("Check the file without importing it"), required=False)
