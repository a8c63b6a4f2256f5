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


class DashboardForm(forms.Form):
    """The dashboards' filters (GET, so a view can be shared as a link): where, when, which learners, which measure."""

    area = forms.ChoiceField(label=_("Area"))
    year = forms.TypedChoiceField(label=_("Academic year"), coerce=int)
    group = forms.ChoiceField(label=_("Learners"), required=False)
    measure = forms.ChoiceField(label=_("Measure shown over time and by school"), required=False)

    def __init__(self, *args: Any, areas: list[Any], years: list[int], groups: list[tuple[str, Any]],
                 measures: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.key, a.name) for a in areas]  # type: ignore[attr-defined]
        self.fields["year"].choices = [(y, f"{y}/{(y + 1) % 100:02d}") for y in years]  # type: ignore[attr-defined]
        self.fields["group"].choices = groups  # type: ignore[attr-defined]
        self.fields["measure"].choices = measures  # type: ignore[attr-defined]


class DrillDownForm(forms.Form):
    school = forms.IntegerField(label=_("School"), widget=forms.HiddenInput)
    year = forms.IntegerField(label=_("Academic year"), widget=forms.HiddenInput, min_value=2000, max_value=2100)
    group = forms.CharField(label=_("Learners"), required=False, max_length=20, widget=forms.HiddenInput)
    efsm = forms.ChoiceField(label=_("eFSM"), required=False, choices=[("", ""), ("1", "1"), ("0", "0")], widget=forms.HiddenInput)
    measure = forms.ChoiceField(label=_("Measure"), choices=[("persistent", "persistent"), ("incidents", "incidents"),
                                                             ("exclusions", "exclusions"), ("results", "results")],
                                widget=forms.HiddenInput)
