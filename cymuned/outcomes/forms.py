from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
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
# --- Imports ---------------------------------------------------------------------------------------------------------


class ImportNewForm(forms.Form):
    """Step 1 of an import: what it is, for which school (or the whole LA), from which system, and the file."""

    kind = forms.ChoiceField(label=_("What are you importing?"), widget=forms.RadioSelect)
    target = forms.ChoiceField(label=_("Which school is the file for?"))
    mis = forms.CharField(label=_("Which system did the file come from?"), max_length=60, required=False,
                          help_text=_("For example SIMS, Arbor, Scholarpack, Bromcom or Teachers2Parents. Cymuned "
                                      "remembers the columns of each system's files."))
    file = forms.FileField(label=_("Upload the file"), help_text=_("A CSV file (.csv or .tsv) or an Excel workbook (.xlsx), "
                                                                    "with the column names in the first row."),
                           error_messages={"required": _("Choose the file to upload."),
                                           "empty": _("The file is empty.")})

    def __init__(self, *args: Any, kinds: list[Any], targets: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.key, kind.label) for kind in kinds]  # type: ignore[attr-defined]
        self.fields["kind"].error_messages["required"] = _("Choose what you are importing.")
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0].key
        self.fields["target"].choices = targets  # type: ignore[attr-defined]
        self.fields["target"].error_messages["required"] = _("Choose the school the file is for.")
        if len(targets) == 1:
            self.fields["target"].initial = targets[0][0]


class ImportMappingForm(forms.Form):
    """Step 2: the file's column for each field of the import, and whether to keep the choice as a template."""

    template_name = forms.CharField(
        label=_("Save these choices as a template (optional)"), max_length=100, required=False,
        help_text=_("Give it a name, for example “Weekly attendance export”. Next time a file from the same system is "
                    "uploaded for this school, the columns are chosen for you."))

    def __init__(self, *args: Any, kind: Any, columns: list[str], sheets: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if sheets and len(sheets) > 1:
            self.fields["sheet"] = forms.ChoiceField(
                label=_("Sheet of the workbook"), choices=[(name, name) for name in sheets],
                help_text=_("Choose another sheet to read its columns instead."))
        choices = [("", _("Not in the file")), *((column, column) for column in columns)]
        self.target_names = []
        for target in kind.fields:
            name = f"field_{target.name}"
            self.fields[name] = forms.ChoiceField(label=capfirst(target.label), choices=choices, required=False,
                                                  help_text=None if target.required else _("Optional"))
            self.target_names.append(name)
        self.order_fields(["sheet", *self.target_names, "template_name"])

    def target_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.target_names]

    def mapping(self) -> dict[str, str]:
        return {name.removeprefix("field_"): self.cleaned_data.get(name) or "" for name in self.target_names}
