from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cymuned.accounts.models import User
from cymuned.accounts.roles import Role
from cymuned.core.widgets import DATE_ERRORS, DateInput
from cymuned.evaluation.models import Cell
from cymuned.organisations.models import Organisation

from . import guard
from .measures import measure_choices
from .models import Audience, PlanVersion, Question, QuestionKind, Questionnaire, Rag

REQUIRED_EN = {"required": _("Enter the English text")}
REQUIRED_CY = {"required": _("Enter the Welsh text")}


class PlanForm(forms.Form):
    title_en = forms.CharField(label=_("Title in English"), max_length=200, error_messages=REQUIRED_EN)
    title_cy = forms.CharField(label=_("Title in Welsh"), max_length=200, error_messages=REQUIRED_CY)
    summary_en = forms.CharField(label=_("Summary in English"), widget=forms.Textarea, required=False, max_length=5000)
    summary_cy = forms.CharField(label=_("Summary in Welsh"), widget=forms.Textarea, required=False, max_length=5000)


class ApproveForm(forms.Form):
    approved_on = forms.DateField(label=_("Date of the Council meeting"), widget=DateInput(), error_messages=DATE_ERRORS)
    minute_reference = forms.CharField(label=_("Minute reference"), max_length=60,
                                       error_messages={"required": _("Enter the reference of the Council minute")})


class ConsultationSummaryForm(forms.Form):
    consultation_summary_en = forms.CharField(label=_("Consultation summary in English"), widget=forms.Textarea, max_length=20000,
                                              error_messages=REQUIRED_EN)
    consultation_summary_cy = forms.CharField(label=_("Consultation summary in Welsh"), widget=forms.Textarea, max_length=20000,
                                              error_messages=REQUIRED_CY)


class PriorityForm(forms.Form):
    title_en = forms.CharField(label=_("Priority in English"), max_length=200, error_messages=REQUIRED_EN)
    title_cy = forms.CharField(label=_("Priority in Welsh"), max_length=200, error_messages=REQUIRED_CY)
    description_en = forms.CharField(label=_("Description in English"), widget=forms.Textarea, required=False, max_length=5000)
    description_cy = forms.CharField(label=_("Description in Welsh"), widget=forms.Textarea, required=False, max_length=5000)


class ObjectiveForm(forms.Form):
    title_en = forms.CharField(label=_("Objective in English"), max_length=300, error_messages=REQUIRED_EN)
    title_cy = forms.CharField(label=_("Objective in Welsh"), max_length=300, error_messages=REQUIRED_CY)


class PlanActionForm(forms.Form):
    title_en = forms.CharField(label=_("Action in English"), max_length=300, error_messages=REQUIRED_EN)
    title_cy = forms.CharField(label=_("Action in Welsh"), max_length=300, error_messages=REQUIRED_CY)
    organisation = forms.ModelChoiceField(label=_("Organisation responsible"), queryset=Organisation.objects.none(),
                                          error_messages={"required": _("Choose the organisation responsible"),
                                                          "invalid_choice": _("Choose an organisation from the list")})
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False,
                                   error_messages={"invalid_choice": _("Choose an owner from the list")})
    starts_on = forms.DateField(label=_("Start date"), widget=DateInput(), error_messages=DATE_ERRORS)
    due_on = forms.DateField(label=_("Due date"), widget=DateInput(), error_messages=DATE_ERRORS)
    milestones_en = forms.CharField(label=_("Milestones in English, one a line"), widget=forms.Textarea, required=False, max_length=5000)
    milestones_cy = forms.CharField(label=_("Milestones in Welsh, one a line"), widget=forms.Textarea, required=False, max_length=5000)
    cells = forms.ModelMultipleChoiceField(label=_("Squares of the self-evaluation framework it improves"), queryset=Cell.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, local_authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        organisation.queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            Q(pk=local_authority_id) | Q(local_authority_id=local_authority_id), is_active=True).order_by("kind", "name_en")
        owner = self.fields["owner"]
        owner.queryset = User.objects.filter(  # type: ignore[attr-defined]
            Q(memberships__organisation__local_authority_id=local_authority_id) | Q(memberships__organisation_id=local_authority_id),
            memberships__is_active=True).distinct().order_by("full_name")
        owner.label_from_instance = lambda u: u.full_name  # type: ignore[attr-defined]
        cells = self.fields["cells"]
        cells.queryset = Cell.objects.filter(framework__local_authority_id=local_authority_id, framework__is_current=True).select_related(  # type: ignore[attr-defined]
            "element", "enabler")
        cells.label_from_instance = lambda c: str(c)  # type: ignore[attr-defined]


class ActionUpdateForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput(), error_messages=DATE_ERRORS, initial=datetime.date.today)
    rag = forms.ChoiceField(label=_("RAG status"), choices=Rag.choices, widget=forms.RadioSelect,
                            error_messages={"required": _("Choose a RAG status")})
    note = forms.CharField(label=_("Progress"), widget=forms.Textarea, max_length=5000, error_messages={"required": _("Describe the progress made")})
    completed = forms.BooleanField(label=_("The action is complete"), required=False)


class MeasureForm(forms.Form):
    measure_key = forms.ChoiceField(label=_("Measure"), choices=(), error_messages={"required": _("Choose a measure")})
    baseline_value = forms.DecimalField(label=_("Baseline value"), max_digits=12, decimal_places=2,
                                        error_messages={"required": _("Enter the baseline value"), "invalid": _("Enter a number")})
    baseline_on = forms.DateField(label=_("Baseline date"), widget=DateInput(), error_messages=DATE_ERRORS)
    target_value = forms.DecimalField(label=_("Target value"), max_digits=12, decimal_places=2,
                                      error_messages={"required": _("Enter the target value"), "invalid": _("Enter a number")})
    target_on = forms.DateField(label=_("Target date"), widget=DateInput(), error_messages=DATE_ERRORS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure_key"].choices = [("", _("Choose a measure")), *measure_choices()]  # type: ignore[attr-defined]


GROUP_ROLES = [(r.value, r.label) for r in Role]


class QuestionnaireForm(forms.Form):
    title_en = forms.CharField(label=_("Title in English"), max_length=200, error_messages=REQUIRED_EN)
    title_cy = forms.CharField(label=_("Title in Welsh"), max_length=200, error_messages=REQUIRED_CY)
    intro_en = forms.CharField(label=_("Introduction in English"), widget=forms.Textarea, required=False, max_length=5000)
    intro_cy = forms.CharField(label=_("Introduction in Welsh"), widget=forms.Textarea, required=False, max_length=5000)
    audiences = forms.MultipleChoiceField(label=_("Who it is for"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple,
                                          error_messages={"required": _("Choose at least one audience")})
    is_public = forms.BooleanField(label=_("Anyone with the link can answer, without an account"), required=False, initial=True)
    group_roles = forms.MultipleChoiceField(label=_("Or only signed-in people with these roles"), choices=GROUP_ROLES, required=False,
                                            widget=forms.CheckboxSelectMultiple)
    group_organisations = forms.ModelMultipleChoiceField(label=_("At these organisations"), queryset=Organisation.objects.none(),
                                                         required=False, widget=forms.CheckboxSelectMultiple)
    is_anonymous = forms.BooleanField(label=_("Anonymous: do not ask for names"), required=False, initial=True)
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput(), error_messages=DATE_ERRORS, initial=timezone.localdate)
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput(), error_messages=DATE_ERRORS)
    plan_version = forms.ModelChoiceField(label=_("Plan version it consults on"), queryset=PlanVersion.objects.none(), required=False)

    def __init__(self, *args: Any, local_authority_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_organisations"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            local_authority_id=local_authority_id, is_active=True).order_by("kind", "name_en")
        self.fields["plan_version"].queryset = PlanVersion.objects.filter(  # type: ignore[attr-defined]
            plan__local_authority_id=local_authority_id).select_related("plan")


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=QuestionKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("Choose the kind of question")})
    text_en = forms.CharField(label=_("Question in English"), max_length=500, error_messages=REQUIRED_EN)
    text_cy = forms.CharField(label=_("Question in Welsh"), max_length=500, error_messages=REQUIRED_CY)
    options = forms.CharField(label=_("Options, one a line, as English | Cymraeg"), widget=forms.Textarea, required=False, max_length=5000,
                              help_text=_("For example: Very safe | Diogel iawn"))
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)


class AnswerForm(forms.Form):
    """The public answering form, built from the questionnaire's questions in the active language."""

    def __init__(self, *args: Any, questionnaire: Questionnaire, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        welsh = (get_language() or "").startswith("cy")
        if not questionnaire.is_anonymous:
            self.fields["respondent_name"] = forms.CharField(label=_("Your name"), max_length=200,
                                                             error_messages={"required": _("Enter your name")})
        for question in questions:
            name = f"q{question.pk}"
            label = (question.text_cy if welsh and question.text_cy else question.text_en)
            errors = {"required": _("Answer this question"), "invalid_choice": _("Choose one of the answers shown")}
            if question.kind == QuestionKind.TEXT:
                field: forms.Field = forms.CharField(label=label, widget=forms.Textarea, max_length=5000, required=question.required,
                                                     error_messages=errors)
            elif question.kind == QuestionKind.SCALE:
                choices = [(str(n), str(n)) for n in range(1, 6)]
                field = forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, required=question.required,
                                          error_messages=errors, help_text=_("1 is the lowest, 5 the highest."))
            else:
                choices = [(str(i), text) for i, text in enumerate(question.option_labels())]
                widget = forms.CheckboxSelectMultiple if question.kind == QuestionKind.MULTIPLE else forms.RadioSelect
                field_class = forms.MultipleChoiceField if question.kind == QuestionKind.MULTIPLE else forms.ChoiceField
                field = field_class(label=label, choices=choices, widget=widget, required=question.required, error_messages=errors,
                                    help_text=_("Choose all that apply.") if question.kind == QuestionKind.MULTIPLE else "")
            self.fields[name] = field
        self.fields[guard.HONEYPOT_FIELD] = forms.CharField(required=False, label=_("Leave this empty"))
        self.questions = questions

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

    def visible_fields_for_page(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name != guard.HONEYPOT_FIELD]


class ReportRequestForm(forms.Form):
    as_of = forms.DateField(label=_("Figures as of"), widget=DateInput(), error_messages=DATE_ERRORS, initial=timezone.localdate,
                            help_text=_("The report shows the plan and figures as they stood on this date."))
