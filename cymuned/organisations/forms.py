from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cymuned.access.policy import visible_to

from .models import Cluster, LanguageMedium, Partner, PartnerType, Phase, School
from .services import PARTNER_EDITABLE


class SchoolFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or school number"), required=False, max_length=100)
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=Cluster.objects.none(), required=False)
    phase = forms.ChoiceField(label=_("Phase"), choices=[("", _("All phases")), *Phase.choices], required=False)
    language_medium = forms.ChoiceField(
        label=_("Language medium"), choices=[("", _("All language media")), *LanguageMedium.choices], required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cluster"]
        field.queryset = visible_to(user, Cluster)  # type: ignore[attr-defined]
        field.empty_label = _("All clusters")  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: c.name  # type: ignore[attr-defined]


class PartnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    partner_type = forms.ChoiceField(
        label=_("Type of partner"), choices=[("", _("All types")), *PartnerType.choices], required=False
    )


def _website_field() -> forms.URLField:
    return forms.URLField(label=_("Website"), required=False, assume_scheme="https", max_length=200)


class SchoolForm(forms.ModelForm):
    website = _website_field()

    class Meta:
        model = School
        fields = [
            "name_en",
            "name_cy",
            "phase",
            "language_medium",
            "cluster",
            "efsm_percentage",
            "number_on_roll",
            "address",
            "postcode",
            "email",
            "telephone",
            "website",
        ]

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cluster = self.fields["cluster"]
        cluster.queryset = visible_to(user, Cluster).filter(local_authority_id=self.instance.local_authority_id)  # type: ignore[attr-defined]
        cluster.label_from_instance = lambda c: c.name  # type: ignore[attr-defined]
        cluster.empty_label = "—"  # type: ignore[attr-defined]
        self.fields["efsm_percentage"].widget.attrs["inputmode"] = "decimal"
        self.fields["number_on_roll"].widget.attrs["inputmode"] = "numeric"


class PartnerForm(forms.ModelForm):
    website = _website_field()

    class Meta:
        model = Partner
        fields = list(PARTNER_EDITABLE)
