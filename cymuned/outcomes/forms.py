from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cymuned.organisations.models import School

from .models import AttendanceBand, Thresholds


class WorklistFilterForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none(), required=False)
    band = forms.ChoiceField(label=_("Attendance"), required=False)
    without_open_episode = forms.BooleanField(label=_("Only families without an open episode"), required=False)

    def __init__(self, *args: Any, school_ids: frozenset[int], thresholds: Thresholds, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["school"]
        field.queryset = School.objects.filter(pk__in=sorted(school_ids)).order_by("name_en")  # type: ignore[attr-defined]
        field.empty_label = _("All your schools")  # type: ignore[attr-defined]
        field.label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
        self.fields["band"].choices = [  # type: ignore[attr-defined]
            ("", _("%(persistent)s%% or less (persistent absence)") % {"persistent": thresholds.persistent}),
            (AttendanceBand.SEVERE, _("%(severe)s%% or less (severe absence)") % {"severe": thresholds.severe}),
            (
                AttendanceBand.PERSISTENT,
                _("Over %(severe)s%%, up to %(persistent)s%%")
                % {"severe": thresholds.severe, "persistent": thresholds.persistent},
            ),
        ]
