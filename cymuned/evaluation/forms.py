from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cymuned.access.principal import principal_for
from cymuned.accounts.models import User
from cymuned.core.widgets import DATE_ERRORS, DateInput
from cymuned.organisations.models import Cluster, LanguageMedium, Phase, School

from .figures import figures
from .models import Audience, Cell, Evaluation, EvidenceKind, Rag, Stage, academic_year_for, academic_year_validator
from .policies import EVALUATORS
from .selectors import EFSM_BANDS


def academic_year_choices(today: datetime.date | None = None, back: int = 4) -> list[tuple[str, str]]:
    current = int(academic_year_for(today or datetime.date.today())[:4])
    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(current + 1, current - back, -1)]
    return [(y, y) for y in years]


class OpenEvaluationForm(forms.Form):
    school = forms.ModelChoiceField(label=_("School"), queryset=School.objects.none(), error_messages={"required": _("Choose the school"), "invalid_choice": _("Choose a school from the list")})
    academic_year = forms.ChoiceField(label=_("Academic year"), choices=(), error_messages={"required": _("Choose the academic year"), "invalid_choice": _("Choose an academic year from the list")})

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        schools = principal_for(user).school_ids(EVALUATORS)
        field = self.fields["school"]
        field.queryset = School.objects.filter(pk__in=schools).order_by("name_en")  # type: ignore[attr-defined]
        field.label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
        field.empty_label = None  # type: ignore[attr-defined]
        self.fields["academic_year"].choices = academic_year_choices()  # type: ignore[attr-defined]
        self.fields["academic_year"].initial = academic_year_for(datetime.date.today())


class RatingForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("Where is the school on the continuum?"), queryset=Stage.objects.none(), widget=forms.RadioSelect,
        error_messages={"required": _("Choose a stage"), "invalid_choice": _("Choose one of the stages shown")},
    )
    rationale = forms.CharField(
        label=_("Why? Give the reasons and the evidence for this rating"), widget=forms.Textarea, max_length=5000,
        error_messages={"required": _("Say why you chose this stage")},
    )

    def __init__(self, *args: Any, cell: Cell, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        descriptors = {d.stage_id: d.text for d in cell.descriptors.all()}
        field = self.fields["stage"]
        field.queryset = Stage.objects.filter(framework_id=cell.framework_id)  # type: ignore[attr-defined]
        field.empty_label = None  # type: ignore[attr-defined]
        field.label_from_instance = lambda s: f"{s.name}: {descriptors.get(s.pk, '')}"  # type: ignore[attr-defined]


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of evidence"), choices=EvidenceKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("Choose the kind of evidence")})
    cell = forms.ModelChoiceField(label=_("Square of the grid (optional)"), queryset=Cell.objects.none(), required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("For example: minutes of the parents' forum, March"))
    file = forms.FileField(label=_("File"), required=False,
                           help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG or JPEG, smaller than 10 MB."))
    url = forms.URLField(label=_("Web address"), required=False, assume_scheme="https", max_length=200)
    figure_key = forms.ChoiceField(label=_("Figure from Cymuned"), required=False, choices=())

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cell"]
        field.queryset = Cell.objects.filter(framework_id=evaluation.framework_id).select_related("element", "enabler")  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: str(c)  # type: ignore[attr-defined]
        field.empty_label = _("The evaluation as a whole")  # type: ignore[attr-defined]
        self.fields["figure_key"].choices = [("", "—"), *[(f.key, f.label) for f in figures()]]  # type: ignore[attr-defined]


class ModerationForm(forms.Form):
    summary = forms.CharField(label=_("Summary for the school"), widget=forms.Textarea, max_length=5000, required=False)

    def __init__(self, *args: Any, evaluation: Evaluation, ratings: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = Stage.objects.filter(framework_id=evaluation.framework_id)
        self.rows = []
        for rating in ratings:
            stage_field = forms.ModelChoiceField(
                label=_("Agreed stage for %(cell)s") % {"cell": rating.cell}, queryset=stages, initial=rating.moderated_stage_id or rating.stage_id,
                error_messages={"required": _("Choose the agreed stage"), "invalid_choice": _("Choose one of the stages shown")},
            )
            stage_field.label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
            stage_field.empty_label = None  # type: ignore[attr-defined]
            self.fields[f"stage_{rating.cell_id}"] = stage_field
            self.fields[f"comment_{rating.cell_id}"] = forms.CharField(
                label=_("Comment for %(cell)s") % {"cell": rating.cell}, widget=forms.Textarea, required=False, max_length=2000,
                initial=rating.moderation_comment, help_text=_("Needed if you change the school's rating."),
            )
            self.rows.append((rating, self[f"stage_{rating.cell_id}"], self[f"comment_{rating.cell_id}"]))

    def decisions(self) -> dict[int, tuple[Stage, str]]:
        return {
            int(name.split("_", 1)[1]): (value, self.cleaned_data.get(f"comment_{name.split('_', 1)[1]}", ""))
            for name, value in self.cleaned_data.items()
            if name.startswith("stage_")
        }


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("What should the school change?"), widget=forms.Textarea, max_length=5000,
                             error_messages={"required": _("Say what the school should change")})


class SurveyOpenForm(forms.Form):
    audience = forms.ChoiceField(label=_("Who is the questionnaire for?"), choices=Audience.choices, widget=forms.RadioSelect,
                                 error_messages={"required": _("Choose who the questionnaire is for")})
    closes_on = forms.DateField(label=_("Closing date"), widget=DateInput(), error_messages=DATE_ERRORS)


SCALE = [(4, _("Strongly agree")), (3, _("Agree")), (2, _("Disagree")), (1, _("Strongly disagree"))]


def survey_statement(cell: Cell) -> str:
    """The statement people agree or disagree with: the square's 'established' descriptor (the stage before the top)."""
    descriptors = sorted(cell.descriptors.all(), key=lambda d: d.stage.level)
    if len(descriptors) >= 2:
        return descriptors[-2].text
    return cell.guidance


class SurveyResponseForm(forms.Form):
    def __init__(self, *args: Any, cells: list[Cell], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for cell in cells:
            self.fields[f"cell_{cell.pk}"] = forms.TypedChoiceField(
                label=survey_statement(cell), choices=SCALE, coerce=int, widget=forms.RadioSelect,
                error_messages={"required": _("Choose how far you agree"), "invalid_choice": _("Choose one of the answers shown")},
            )

    def scores(self) -> dict[int, int]:
        return {int(name.split("_", 1)[1]): value for name, value in self.cleaned_data.items()}


class ActionForm(forms.Form):
    cell = forms.ModelChoiceField(label=_("Square of the grid"), queryset=Cell.objects.none(),
                                  error_messages={"required": _("Choose the square this action improves")})
    title = forms.CharField(label=_("Action"), max_length=255, error_messages={"required": _("Describe the action")})
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), error_messages={"required": _("Choose who owns the action"), "invalid_choice": _("Choose an owner from the list")})
    due_on = forms.DateField(label=_("Due date"), widget=DateInput(), error_messages=DATE_ERRORS)
    success_measure = forms.CharField(label=_("How will you know it has worked?"), widget=forms.Textarea, max_length=2000,
                                      error_messages={"required": _("Say how success will be measured")})
    rag = forms.ChoiceField(label=_("RAG status"), choices=Rag.choices, initial=Rag.AMBER, widget=forms.RadioSelect)

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cell = self.fields["cell"]
        cell.queryset = Cell.objects.filter(framework_id=evaluation.framework_id).select_related("element", "enabler")  # type: ignore[attr-defined]
        cell.label_from_instance = lambda c: str(c)  # type: ignore[attr-defined]
        owner = self.fields["owner"]
        owner.queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__is_active=True, memberships__organisation_id__in=[evaluation.school_id, evaluation.school.local_authority_id]
        ).distinct().order_by("full_name")
        owner.label_from_instance = lambda u: u.full_name  # type: ignore[attr-defined]


class ActionProgressForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput(), error_messages=DATE_ERRORS, initial=datetime.date.today)
    note = forms.CharField(label=_("Progress"), widget=forms.Textarea, max_length=5000, error_messages={"required": _("Describe the progress made")})
    rag = forms.ChoiceField(label=_("RAG status"), choices=Rag.choices, widget=forms.RadioSelect, error_messages={"required": _("Choose a RAG status")})
    completed = forms.BooleanField(label=_("The action is complete"), required=False)


class HeatmapFilterForm(forms.Form):
    academic_year = forms.ChoiceField(label=_("Academic year"), choices=(), required=False)
    cluster = forms.ModelChoiceField(label=_("Cluster"), queryset=Cluster.objects.none(), required=False)
    phase = forms.ChoiceField(label=_("Phase"), choices=[("", _("All phases")), *Phase.choices], required=False)
    language_medium = forms.ChoiceField(label=_("Language medium"), choices=[("", _("All language media")), *LanguageMedium.choices], required=False)
    efsm_band = forms.ChoiceField(label=_("eFSM band"), choices=[("", _("All bands")), *[(k, f"{k}%") for k in EFSM_BANDS]], required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from cymuned.access.policy import visible_to

        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = academic_year_choices()  # type: ignore[attr-defined]
        field = self.fields["cluster"]
        field.queryset = visible_to(user, Cluster)  # type: ignore[attr-defined]
        field.empty_label = _("All clusters")  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: c.name  # type: ignore[attr-defined]

    def chosen_year(self) -> str:
        value = self.cleaned_data.get("academic_year") if self.is_valid() else ""
        if value:
            academic_year_validator(value)
            return value
        return academic_year_for(datetime.date.today())


class CellForm(forms.Form):
    guidance_en = forms.CharField(label=_("Guidance in English"), widget=forms.Textarea, max_length=2000)
    guidance_cy = forms.CharField(label=_("Guidance in Welsh"), widget=forms.Textarea, max_length=2000)
    example_evidence_en = forms.CharField(label=_("Example evidence in English"), widget=forms.Textarea, max_length=2000, required=False)
    example_evidence_cy = forms.CharField(label=_("Example evidence in Welsh"), widget=forms.Textarea, max_length=2000, required=False)

    def __init__(self, *args: Any, cell: Cell, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stage_rows = []
        for descriptor in cell.descriptors.select_related("stage"):
            stage = descriptor.stage
            self.fields[f"d{stage.pk}_en"] = forms.CharField(
                label=_("%(stage)s in English") % {"stage": stage.name}, widget=forms.Textarea, max_length=2000, initial=descriptor.text_en
            )
            self.fields[f"d{stage.pk}_cy"] = forms.CharField(
                label=_("%(stage)s in Welsh") % {"stage": stage.name}, widget=forms.Textarea, max_length=2000, initial=descriptor.text_cy
            )
            self.stage_rows.append((stage, self[f"d{stage.pk}_en"], self[f"d{stage.pk}_cy"]))

    def descriptors(self) -> dict[int, tuple[str, str]]:
        return {stage.pk: (self.cleaned_data[f"d{stage.pk}_en"], self.cleaned_data[f"d{stage.pk}_cy"]) for stage, _en, _cy in self.stage_rows}
