from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from cymuned.access.policy import Action, can, can_create, visible_to
from cymuned.access.principal import principal_for
from cymuned.access.views import HasRole, ObjectAccess, Public, ScopedViewMixin
from cymuned.accounts.roles import Role
from cymuned.audit.services import export_record
from cymuned.core.forms import apply_validation_error
from cymuned.core.models import localised
from cymuned.organisations.models import Cluster, School

from . import exports, selectors, services
from .forms import (
    ActionForm,
    ActionProgressForm,
    CellForm,
    EvidenceForm,
    HeatmapFilterForm,
    ModerationForm,
    OpenEvaluationForm,
    RatingForm,
    ReturnForm,
    SurveyOpenForm,
    SurveyResponseForm,
)
from .models import Action as PlanAction
from .models import Cell, Evaluation, EvaluationStatus, Evidence, EvidenceKind, Framework, StakeholderSurvey
from .policies import EVALUATORS, MODERATORS

STAFF = HasRole(*Role.values)


class _ServiceFormView(ScopedViewMixin, FormView):
    """A form whose valid data goes to one service; the service's ValidationError lands on the form."""

    success_message = ""

    def run(self, form: Any) -> Any:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            result = self.run(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.success_url_for(result))

    def success_url_for(self, result: Any) -> str:
        raise NotImplementedError


class _ServicePostView(ScopedViewMixin, View):
    """A button that runs one service; errors come back as a message on the page it came from."""

    http_method_names = ["post"]
    success_message = ""

    def run(self) -> Any:
        raise NotImplementedError

    def back(self) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            self.run()
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if self.success_message:
                messages.success(request, self.success_message)
        return redirect(self.back())


# --- Evaluations -------------------------------------------------------------------------------


class EvaluationListView(ScopedViewMixin, TemplateView):
    access = STAFF
    template_name = "evaluation/evaluation_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        page = Paginator(selectors.evaluations_for(user=user), 50).get_page(self.request.GET.get("page"))
        principal = principal_for(user)
        return super().get_context_data(
            page=page,
            can_open=bool(principal.school_ids(EVALUATORS)),
            to_moderate=selectors.evaluations_for(user=user, status=EvaluationStatus.SUBMITTED).filter(
                pk__in=visible_to(user, Evaluation, Action.MODERATE).values("pk")
            )[:50] if principal.has_role(*MODERATORS) else [],
            my_actions=selectors.actions_for(user=user, owned_only=True)[:20],
            **kwargs,
        )


class EvaluationOpenView(_ServiceFormView):
    access = HasRole(*EVALUATORS)
    template_name = "evaluation/evaluation_open.html"
    form_class = OpenEvaluationForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def run(self, form: OpenEvaluationForm) -> Evaluation:
        return services.evaluation_open(by=self.request.user, school=form.cleaned_data["school"], academic_year=form.cleaned_data["academic_year"])

    def success_url_for(self, result: Evaluation) -> str:
        messages.success(self.request, _("The evaluation for %(year)s is open. Rate each square.") % {"year": result.academic_year})
        return _detail(result)


class EvaluationDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Evaluation)
    template_name = "evaluation/evaluation_detail.html"
    object: Evaluation

    def get_object_queryset(self) -> Any:
        return Evaluation.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        evaluation = self.object
        framework = Framework.objects.prefetch_related("elements", "enablers", "stages", "cells__element", "cells__enabler").get(
            pk=evaluation.framework_id
        )
        ratings = selectors.ratings_by_cell(evaluation)
        grid = selectors.framework_grid(framework)
        rows = [
            (element, [(cell, ratings.get(cell.pk)) for cell in framework.cells.all() if cell.element_id == element.pk])
            for element in grid["elements"]
        ]
        evidence = visible_to(user, Evidence.objects.select_related("cell__element", "cell__enabler")).filter(evaluation=evaluation)
        surveys = visible_to(user, StakeholderSurvey).filter(evaluation=evaluation)
        return super().get_context_data(
            evaluation=evaluation,
            grid=grid,
            rows=rows,
            rated=len(ratings),
            evidence=evidence,
            surveys=surveys,
            survey_results=selectors.survey_results(evaluation),
            actions=selectors.actions_for(user=user).filter(evaluation=evaluation),
            can_edit=can(user, Action.CHANGE, evaluation),
            can_moderate=can(user, Action.MODERATE, evaluation),
            can_publish=can(user, Action.PUBLISH, evaluation),
            can_plan=can_create(user, Evaluation, parent=evaluation.school),
            **kwargs,
        )


class RatingView(_ServiceFormView):
    access = ObjectAccess(Evaluation, Action.CHANGE)
    template_name = "evaluation/rating_form.html"
    form_class = RatingForm
    object: Evaluation

    def get_cell(self) -> Cell:
        try:
            return Cell.objects.select_related("element", "enabler").prefetch_related("descriptors").get(
                pk=self.kwargs["cell"], framework_id=self.object.framework_id
            )
        except Cell.DoesNotExist:
            raise Http404 from None

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "cell": self.get_cell()}

    def get_initial(self) -> dict[str, Any]:
        rating = self.object.ratings.filter(cell_id=self.kwargs["cell"]).first()
        return {"stage": rating.stage_id, "rationale": rating.rationale} if rating else {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(evaluation=self.object, cell=self.get_cell(), **kwargs)

    def run(self, form: RatingForm) -> Any:
        return services.rating_save(
            by=self.request.user, evaluation=self.object, cell=self.get_cell(), stage=form.cleaned_data["stage"], rationale=form.cleaned_data["rationale"]
        )

    def success_url_for(self, result: Any) -> str:
        return _detail(self.object)


def _detail(evaluation: Evaluation) -> str:
    from django.urls import reverse

    return reverse("evaluation:detail", args=[evaluation.pk])


class SubmitView(_ServicePostView):
    access = ObjectAccess(Evaluation, Action.CHANGE)
    object: Evaluation

    @property
    def success_message(self) -> str:  # type: ignore[override]
        return _("The evaluation has been submitted for moderation.")

    def run(self) -> Any:
        return services.evaluation_submit(by=self.request.user, evaluation=self.object)

    def back(self) -> str:
        return _detail(self.object)


class ModerateView(_ServiceFormView):
    access = ObjectAccess(Evaluation, Action.MODERATE)
    template_name = "evaluation/moderate.html"
    form_class = ModerationForm
    object: Evaluation

    def ratings(self) -> list[Any]:
        return list(self.object.ratings.select_related("cell__element", "cell__enabler", "stage", "moderated_stage"))

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "evaluation": self.object, "ratings": self.ratings()}

    def get_initial(self) -> dict[str, Any]:
        return {"summary": self.object.moderation_summary}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(evaluation=self.object, return_form=ReturnForm(), **kwargs)

    def run(self, form: ModerationForm) -> Evaluation:
        return services.evaluation_moderate(
            by=self.request.user, evaluation=self.object, decisions=form.decisions(), summary=form.cleaned_data["summary"]
        )

    def success_url_for(self, result: Evaluation) -> str:
        messages.success(self.request, _("The moderated ratings have been saved and the school told."))
        return _detail(result)


class ReturnView(_ServiceFormView):
    access = ObjectAccess(Evaluation, Action.MODERATE)
    template_name = "evaluation/return.html"
    form_class = ReturnForm
    object: Evaluation

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(evaluation=self.object, **kwargs)

    def run(self, form: ReturnForm) -> Evaluation:
        return services.evaluation_return(by=self.request.user, evaluation=self.object, reason=form.cleaned_data["reason"])

    def success_url_for(self, result: Evaluation) -> str:
        return _detail(result)


class PublishView(_ServicePostView):
    access = ObjectAccess(Evaluation, Action.PUBLISH)
    object: Evaluation

    @property
    def success_message(self) -> str:  # type: ignore[override]
        return _("The evaluation has been published.")

    def run(self) -> Any:
        return services.evaluation_publish(by=self.request.user, evaluation=self.object)

    def back(self) -> str:
        return _detail(self.object)


# --- Evidence -----------------------------------------------------------------------------------


class EvidenceAddView(_ServiceFormView):
    access = ObjectAccess(Evaluation, Action.CHANGE)
    template_name = "evaluation/evidence_form.html"
    form_class = EvidenceForm
    object: Evaluation

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "evaluation": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(evaluation=self.object, **kwargs)

    def run(self, form: EvidenceForm) -> Evidence:
        data = form.cleaned_data
        return services.evidence_add(
            by=self.request.user, evaluation=self.object, kind=data["kind"], title=data.get("title") or "", cell=data.get("cell"),
            upload=data.get("file"), url=data.get("url") or "", figure_key=data.get("figure_key") or "",
        )

    def success_url_for(self, result: Evidence) -> str:
        messages.success(self.request, _("The evidence has been added."))
        return _detail(self.object)


class EvidenceDownloadView(ScopedViewMixin, View):
    access = ObjectAccess(Evidence)
    object: Evidence

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if self.object.kind != EvidenceKind.FILE or not self.object.file:
            raise Http404
        response = FileResponse(
            self.object.file.open("rb"), as_attachment=True, filename=self.object.original_filename, content_type=self.object.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class EvidenceRemoveView(_ServicePostView):
    access = ObjectAccess(Evidence, Action.DELETE)
    object: Evidence

    def run(self) -> Any:
        self.evaluation = self.object.evaluation
        return services.evidence_remove(by=self.request.user, evidence=self.object)

    def back(self) -> str:
        return _detail(self.object.evaluation)


# --- Stakeholder voice -------------------------------------------------------------------------------


class SurveyOpenView(_ServiceFormView):
    access = ObjectAccess(Evaluation)
    template_name = "evaluation/survey_open.html"
    form_class = SurveyOpenForm
    object: Evaluation

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(evaluation=self.object, **kwargs)

    def run(self, form: SurveyOpenForm) -> StakeholderSurvey:
        return services.survey_open(by=self.request.user, evaluation=self.object, **form.cleaned_data)

    def success_url_for(self, result: StakeholderSurvey) -> str:
        messages.success(self.request, _("The questionnaire is open. Share its link with the people you want to hear from."))
        return _detail(self.object)


class SurveyCloseView(_ServicePostView):
    access = ObjectAccess(StakeholderSurvey, Action.CHANGE)
    object: StakeholderSurvey

    def run(self) -> Any:
        return services.survey_close(by=self.request.user, survey=self.object)

    def back(self) -> str:
        return _detail(self.object.evaluation)


class SurveyRespondView(ScopedViewMixin, FormView):
    """The public questionnaire: no account, reached by its unguessable link."""

    access = Public("Parents, learners and partners answer questionnaires without an account, by an unguessable link.")
    template_name = "evaluation/survey_respond.html"
    form_class = SurveyResponseForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            self.survey = StakeholderSurvey.objects.select_related("evaluation__school", "evaluation__framework").get(token=kwargs["token"])
        except StakeholderSurvey.DoesNotExist:
            raise Http404 from None
        return super().dispatch(request, *args, **kwargs)

    def cells(self) -> list[Cell]:
        return list(self.survey.evaluation.framework.cells.select_related("element", "enabler").prefetch_related("descriptors__stage"))

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "cells": self.cells()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(survey=self.survey, open=services.survey_accepts_answers(self.survey), **kwargs)

    def form_valid(self, form: SurveyResponseForm) -> HttpResponse:
        try:
            services.survey_respond(survey=self.survey, scores=form.scores())
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=form, thanks=True))


# --- Action plan ----------------------------------------------------------------------------------------


class ActionListView(ScopedViewMixin, TemplateView):
    access = STAFF
    template_name = "evaluation/action_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        mine = self.request.GET.get("mine") == "1"
        actions = selectors.actions_for(user=self.request.user, owned_only=mine)
        page = Paginator(actions, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, mine=mine, **kwargs)


class ActionAddView(_ServiceFormView):
    access = ObjectAccess(Evaluation)
    template_name = "evaluation/action_form.html"
    form_class = ActionForm
    object: Evaluation

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "evaluation": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(evaluation=self.object, **kwargs)

    def run(self, form: ActionForm) -> PlanAction:
        return services.action_create(by=self.request.user, evaluation=self.object, **form.cleaned_data)

    def success_url_for(self, result: PlanAction) -> str:
        messages.success(self.request, _("The action has been added to the plan."))
        return _detail(self.object)


class ActionDetailView(_ServiceFormView):
    access = ObjectAccess(PlanAction)
    template_name = "evaluation/action_detail.html"
    form_class = ActionProgressForm
    object: PlanAction

    def get_object_queryset(self) -> Any:
        return PlanAction.objects.with_related()

    def get_initial(self) -> dict[str, Any]:
        return {"rag": self.object.rag}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        import datetime

        return super().get_context_data(
            action=self.object,
            updates=self.object.updates.select_related("created_by"),
            can_update=can(self.request.user, Action.CHANGE, self.object),
            overdue=self.object.completed_on is None and self.object.due_on < datetime.date.today(),
            **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can(request.user, Action.CHANGE, self.object):
            raise Http404
        return super().post(request, *args, **kwargs)

    def run(self, form: ActionProgressForm) -> Any:
        return services.action_record_progress(by=self.request.user, action=self.object, **form.cleaned_data)

    def success_url_for(self, result: Any) -> str:
        messages.success(self.request, _("The progress has been recorded."))
        return self.request.path


# --- Profiles, heatmaps, exports ---------------------------------------------------------------------


class SchoolProfileView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(School)
    template_name = "evaluation/school_profile.html"
    object: School

    def get_object_queryset(self) -> Any:
        return School.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        framework = selectors.current_framework(user=self.request.user, local_authority_id=self.object.local_authority_id)
        profile = selectors.school_profile(user=self.request.user, school=self.object)
        grid = selectors.framework_grid(framework) if framework else None
        rows = selectors.profile_rows(profile["years"], grid) if grid else []
        return super().get_context_data(school=self.object, grid=grid, years=profile["years"], rows=rows, actions=profile["actions"], **kwargs)


class HeatmapView(ScopedViewMixin, TemplateView):
    access = STAFF
    template_name = "evaluation/heatmap.html"

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["evaluation/_heatmap_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        form = HeatmapFilterForm(self.request.GET or None, user=user)
        filters = form.cleaned_data if form.is_valid() else {}
        year = form.chosen_year()
        schools = selectors.heatmap_schools(
            user=user, cluster=filters.get("cluster"), phase=filters.get("phase") or "", language_medium=filters.get("language_medium") or "",
            efsm_band=filters.get("efsm_band") or "",
        )
        framework = selectors.current_framework(user=user)
        page, rows = selectors.heatmap(user=user, academic_year=year, schools=schools, page_number=self.request.GET.get("page"))
        distribution = selectors.stage_distribution(user=user, academic_year=year, schools=schools)
        grid = selectors.framework_grid(framework) if framework else None
        table = [(row, selectors.aligned_cells(row.levels, row.changes, grid)) for row in rows] if grid else []
        return super().get_context_data(
            form=form, year=year, page=page, table=table, framework=framework, grid=grid,
            distribution=selectors.distribution_table(distribution, grid) if grid else [],
            chart=exports.distribution_chart(framework, distribution) if framework else None, **kwargs,
        )


class ExportXlsxView(ScopedViewMixin, View):
    access = STAFF

    def get(self, request: HttpRequest) -> HttpResponse:
        content, rows = exports.ratings_and_actions_xlsx(user=request.user)
        export_record(user=request.user, kind="evaluation-xlsx", row_count=rows, filters={}, remote_addr=request.META.get("REMOTE_ADDR"))
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="cymuned-self-evaluation.xlsx"'
        return response


class SchoolPdfView(ScopedViewMixin, View):
    access = ObjectAccess(School)
    object: School

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        content = exports.school_summary_pdf(user=request.user, school=self.object)
        export_record(user=request.user, kind="evaluation-school-pdf", row_count=1, filters={"school": self.object.pk},
                      remote_addr=request.META.get("REMOTE_ADDR"))
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="self-evaluation-{self.object.school_number}.pdf"'
        return response


class ClusterPdfView(ScopedViewMixin, View):
    access = ObjectAccess(Cluster)
    object: Cluster

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        content = exports.cluster_summary_pdf(user=request.user, cluster=self.object)
        export_record(user=request.user, kind="evaluation-cluster-pdf", row_count=1, filters={"cluster": self.object.pk},
                      remote_addr=request.META.get("REMOTE_ADDR"))
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="self-evaluation-cluster-{self.object.pk}.pdf"'
        return response


# --- The framework ------------------------------------------------------------------------------------


class FrameworkListView(ScopedViewMixin, TemplateView):
    access = STAFF
    template_name = "evaluation/framework_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.db.models import Count

        frameworks = visible_to(self.request.user, Framework.objects.select_related("local_authority")).annotate(
            used_by=Count("evaluations")
        ).order_by("local_authority__name_en", "-version")
        la_ids = principal_for(self.request.user).la_ids([Role.LA_LEAD])
        return super().get_context_data(frameworks=frameworks, can_manage=bool(la_ids), **kwargs)


class FrameworkDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Framework)
    template_name = "evaluation/framework_detail.html"
    object: Framework

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        framework = Framework.objects.prefetch_related(
            "elements", "enablers", "stages", "cells__element", "cells__enabler", "cells__descriptors__stage"
        ).get(pk=self.object.pk)
        return super().get_context_data(
            framework=framework,
            introduction=localised(framework, "introduction"),
            cells=list(framework.cells.all()),
            can_change=can(self.request.user, Action.CHANGE, framework),
            in_use=services.framework_in_use(framework),
            **kwargs,
        )


class FrameworkNewVersionView(_ServicePostView):
    access = ObjectAccess(Framework, Action.CHANGE)
    object: Framework

    def run(self) -> Any:
        self.copy = services.framework_new_version(by=self.request.user, framework=self.object)
        messages.success(self.request, _("Version %(version)s has been made. Change it, then make it current.") % {"version": self.copy.version})

    def back(self) -> str:
        from django.urls import reverse

        copy = getattr(self, "copy", None)
        return reverse("evaluation:framework-detail", args=[copy.pk if copy else self.object.pk])


class FrameworkMakeCurrentView(_ServicePostView):
    access = ObjectAccess(Framework, Action.CHANGE)
    object: Framework

    @property
    def success_message(self) -> str:  # type: ignore[override]
        return _("This version is now the one new evaluations use.")

    def run(self) -> Any:
        return services.framework_make_current(by=self.request.user, framework=self.object)

    def back(self) -> str:
        from django.urls import reverse

        return reverse("evaluation:framework-detail", args=[self.object.pk])


class CellEditView(_ServiceFormView):
    access = ObjectAccess(Cell, Action.CHANGE)
    template_name = "evaluation/cell_form.html"
    form_class = CellForm
    object: Cell

    def get_object_queryset(self) -> Any:
        return Cell.objects.select_related("framework", "element", "enabler")

    @property
    def cell(self) -> Cell:
        return self.object

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "cell": self.cell}

    def get_initial(self) -> dict[str, Any]:
        c = self.cell
        return {"guidance_en": c.guidance_en, "guidance_cy": c.guidance_cy, "example_evidence_en": c.example_evidence_en,
                "example_evidence_cy": c.example_evidence_cy}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(cell=self.cell, in_use=services.framework_in_use(self.cell.framework), **kwargs)

    def run(self, form: CellForm) -> Cell:
        return services.cell_update(by=self.request.user, cell=self.cell, data=form.cleaned_data, descriptors=form.descriptors())

    def success_url_for(self, result: Cell) -> str:
        from django.urls import reverse

        messages.success(self.request, _("The square has been saved."))
        return reverse("evaluation:framework-detail", args=[result.framework_id])
