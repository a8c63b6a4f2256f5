from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cymuned.access.policy import visible_to
from cymuned.organisations.models import School

from .models import YearGroup


class LearnerFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or unique pupil number"), required=False, max_length=100)
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none(), required=False)
    year_group = forms.TypedChoiceField(
        label=_("Year group"),
        choices=[("", _("All year groups")), *YearGroup.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, user: Any, school_ids: frozenset[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        field.queryset = visible_to(user, School).filter(pk__in=school_ids) if school_ids else visible_to(user, School).none()  # type: ignore[attr-defined]
        field.empty_label = _("All your schools")  # type: ignore[attr-defined]
        field.label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
