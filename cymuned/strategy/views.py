"""Pages of the strategic plan, consultations and reports to Council. Thin: services write, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from cymuned.access.policy import Action, can, get_object_for_user, visible_to
from cymuned.access.principal import principal_for
from cymuned.access.views import CanCreate, HasRole, ObjectAccess, Public, ScopedViewMixin
from cymuned.accounts.roles import Role
from cymuned.audit.services import export_record
from cymuned.core.exports import csv_response, xlsx_response
from cymuned.core.forms import apply_validation_error
from cymuned.core.security_log import security_event
from cymuned.organisations.models import LocalAuthority
from cymuned.programmes.reports import PALETTE, chart

from . import guard, selectors, services
from .forms import (
    ActionUpdateForm,
    AnswerForm,
    ApproveForm,
    ConsultationSummaryForm,
    MeasureForm,
    ObjectiveForm,
    PlanActionForm,
    PlanForm,
    PriorityForm,
    QuestionForm,
    QuestionnaireForm,
    ReportRequestForm,
)
from .models import (
    CouncilReport,
    Objective,
    PlanAction,
    PlanVersion,
    Priority,
    QuestionKind,
    Questionnaire,
    ReportStatus,
    Response,
    StrategicPlan,
    VersionStatus,
)
from .policies import managed_las

STAFF = HasRole(*Role.values)
PUBLIC_PLAN = "Approved strategic plans are public documents: anyone may read them."
PUBLIC_CONSULTATION = "Residents, parents and partners answer consultations without an account, by the questionnaire's link."


def _managed_la(user: Any) -> LocalAuthority:
    ids = managed_las(principal_for(user))
    if not ids:
        raise Http404
    return LocalAuthority.objects.get(pk=ids[0])


class _ServiceForm(ScopedViewMixin, FormView):
    """A form about one scoped record: ``run`` calls a service and returns (message, url); errors go back on the form."""

    object: Any

    def run(self, form: Any) -> tuple[str, str]:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            message, url = self.run(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(url)


def _version_url(version: PlanVersion) -> str:
    return reverse("strategy:version", args=[version.pk])


# --- Plans ------------------------------------------------------------------------------------------------


class PlanListView(ScopedViewMixin, TemplateView):
    access = STAFF
    template_name = "strategy/plan_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        principal = principal_for(user)
        return super().get_context_data(
            plans=selectors.plans_for(user=user), can_manage=bool(managed_las(principal)),
            my_actions=selectors.actions_for_organisations(user=user)[:20], **kwargs,
        )


class PlanCreateView(_ServiceForm):
    access = CanCreate(StrategicPlan)
    template_name = "strategy/form.html"
    form_class = PlanForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(heading=_("Start a strategic plan"), back=reverse("strategy:plans"), **kwargs)

    def run(self, form: PlanForm) -> tuple[str, str]:
        plan = services.plan_create(by=self.request.user, local_authority=_managed_la(self.request.user), data=form.cleaned_data)
        return _("The plan has been started as a draft."), _version_url(plan.versions.get())


class VersionDetailView(ScopedViewMixin, TemplateView):
    """A version of the plan: priorities, objectives, actions with RAG, measures with live values, the consultation."""

    access = ObjectAccess(PlanVersion)
    template_name = "strategy/version_detail.html"
    object: PlanVersion

    def get_object_queryset(self) -> Any:
        return PlanVersion.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        version = self.object
        user = self.request.user
        priorities = selectors.version_tree(version)
        can_change = can(user, Action.CHANGE, version)
        return super().get_context_data(
            version=version, plan=version.plan, priorities=priorities, can_change=can_change,
            editable=can_change and version.status in (VersionStatus.DRAFT, VersionStatus.CONSULTATION),
            measure_rows=selectors.measure_rows(priorities=priorities, local_authority=version.plan.local_authority),
            rag=selectors.rag_counts(version), versions=selectors.versions_of(user=user, plan=version.plan),
            questionnaires=visible_to(user, version.questionnaires.annotate(response_count=Count("responses")).order_by("opens_on", "pk"),
                                      Action.LIST),
            statuses=VersionStatus, **kwargs,
        )


class VersionSendView(ScopedViewMixin, View):
    access = ObjectAccess(PlanVersion, Action.CHANGE)
    http_method_names = ["post"]
    object: PlanVersion

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            services.version_send_to_consultation(by=request.user, version=self.object)
            messages.success(request, _("The plan is now out for consultation."))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(_version_url(self.object))


class VersionReviseView(ScopedViewMixin, View):
    access = ObjectAccess(PlanVersion, Action.CHANGE)
    http_method_names = ["post"]
    object: PlanVersion

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            new = services.version_revise(by=request.user, version=self.object)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(_version_url(self.object))
        messages.success(request, _("Version %(number)s has been started as a draft, copied from the approved plan.") % {"number": new.number})
        return redirect(_version_url(new))


class _VersionForm(_ServiceForm):
    access = ObjectAccess(PlanVersion, Action.CHANGE)
    template_name = "strategy/form.html"
    object: PlanVersion
    heading = ""

    def get_object_queryset(self) -> Any:
        return PlanVersion.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(heading=self.heading, caption=str(self.object), back=_version_url(self.object), **kwargs)


class VersionApproveView(_VersionForm):
    form_class = ApproveForm

    @property
    def heading(self) -> str:  # type: ignore[override]
        return _("Record Council's approval")

    def run(self, form: ApproveForm) -> tuple[str, str]:
        services.version_approve(by=self.request.user, version=self.object, **form.cleaned_data)
        return _("The plan is approved and published."), _version_url(self.object)


class VersionSummaryView(_VersionForm):
    form_class = ConsultationSummaryForm

    @property
    def heading(self) -> str:  # type: ignore[override]
        return _("Consultation summary")

    def get_initial(self) -> dict[str, Any]:
        return {"consultation_summary_en": self.object.consultation_summary_en, "consultation_summary_cy": self.object.consultation_summary_cy}

    def run(self, form: ConsultationSummaryForm) -> tuple[str, str]:
        services.version_save_consultation_summary(by=self.request.user, version=self.object,
                                                   summary_en=form.cleaned_data["consultation_summary_en"],
                                                   summary_cy=form.cleaned_data["consultation_summary_cy"])
        return _("The consultation summary has been saved."), _version_url(self.object)


class PriorityAddView(_VersionForm):
    form_class = PriorityForm

    @property
    def heading(self) -> str:  # type: ignore[override]
        return _("Add a priority")

    def run(self, form: PriorityForm) -> tuple[str, str]:
        services.priority_add(by=self.request.user, version=self.object, data=form.cleaned_data)
        return _("The priority has been added."), _version_url(self.object)


class ObjectiveAddView(_ServiceForm):
    access = ObjectAccess(Priority, Action.CHANGE)
    template_name = "strategy/form.html"
    form_class = ObjectiveForm
    object: Priority

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(heading=_("Add an objective"), caption=self.object.title, back=_version_url(self.object.version), **kwargs)

    def run(self, form: ObjectiveForm) -> tuple[str, str]:
        services.objective_add(by=self.request.user, priority=self.object, data=form.cleaned_data)
        return _("The objective has been added."), _version_url(self.object.version)


class _ObjectiveForm(_ServiceForm):
    access = ObjectAccess(Objective, Action.CHANGE)
    template_name = "strategy/form.html"
    object: Objective

    def get_object_queryset(self) -> Any:
        return Objective.objects.select_related("priority__version__plan")

    def back(self) -> str:
        return _version_url(self.object.priority.version)


class ActionAddView(_ObjectiveForm):
    form_class = PlanActionForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "local_authority_id": self.object.priority.version.plan.local_authority_id}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(heading=_("Add an action"), caption=self.object.title, back=self.back(), **kwargs)

    def run(self, form: PlanActionForm) -> tuple[str, str]:
        services.action_add(by=self.request.user, objective=self.object, data=form.cleaned_data)
        return _("The action has been added."), self.back()


class MeasureAddView(_ObjectiveForm):
    form_class = MeasureForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(heading=_("Add a measure"), caption=self.object.title, back=self.back(), **kwargs)

    def run(self, form: MeasureForm) -> tuple[str, str]:
        services.measure_add(by=self.request.user, objective=self.object, data=form.cleaned_data)
        return _("The measure has been added."), self.back()


class ActionDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(PlanAction)
    template_name = "strategy/action_detail.html"
    object: PlanAction

    def get_object_queryset(self) -> Any:
        return PlanAction.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        action = self.object
        can_update = can(self.request.user, Action.CHANGE, action)
        kwargs.setdefault("form", ActionUpdateForm(initial={"rag": action.rag, "on": timezone.localdate()}) if can_update else None)
        return super().get_context_data(
            action=action, version=action.objective.priority.version, can_update=can_update, updates=selectors.updates_of(action),
            cells=action.cells.select_related("element", "enabler"), **kwargs,
        )


class ActionUpdateView(ActionDetailView):
    """A dated RAG update, by the LA or by the people of the organisation that owns the action."""

    access = ObjectAccess(PlanAction, Action.CHANGE)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ActionUpdateForm(request.POST)
        if form.is_valid():
            try:
                services.action_record_update(by=request.user, action=self.object, on=form.cleaned_data["on"], rag=form.cleaned_data["rag"],
                                              note=form.cleaned_data["note"], completed=form.cleaned_data["completed"])
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The update has been recorded."))
                return redirect(reverse("strategy:action", args=[self.object.pk]))
        return self.render_to_response(self.get_context_data(form=form), status=422)


class MyActionsView(ScopedViewMixin, TemplateView):
    access = STAFF
    template_name = "strategy/my_actions.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page = Paginator(selectors.actions_for_organisations(user=self.request.user), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, **kwargs)


# --- Public pages -----------------------------------------------------------------------------------------


class PublicPlanListView(ScopedViewMixin, TemplateView):
    access = Public(PUBLIC_PLAN)
    template_name = "strategy/public_plans.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(versions=selectors.published_versions(), consultations=selectors.open_public_questionnaires(), **kwargs)


class PublicVersionView(ScopedViewMixin, TemplateView):
    access = Public(PUBLIC_PLAN)
    template_name = "strategy/public_version.html"
    queryset = PlanVersion.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        version = get_object_for_user(self.request.user, PlanVersion.objects.with_related(), Action.VIEW, pk=self.kwargs["pk"])
        priorities = selectors.version_tree(version)
        return super().get_context_data(
            version=version, plan=version.plan, priorities=priorities,
            measure_rows=selectors.measure_rows(priorities=priorities, local_authority=version.plan.local_authority), **kwargs,
        )


# --- Consultations ----------------------------------------------------------------------------------------


def _questionnaire(token: str) -> Questionnaire:
    try:
        return Questionnaire.objects.select_related("local_authority").get(token=token)
    except (Questionnaire.DoesNotExist, ValueError):
        raise Http404 from None


class AnswerView(ScopedViewMixin, TemplateView):
    """The answering page, on a phone as well as a computer, in Welsh or English. No account is needed for a public
    questionnaire; a group questionnaire needs its members to sign in. See ``guard`` for the protections."""

    access = Public(PUBLIC_CONSULTATION)
    template_name = "strategy/answer.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.questionnaire = _questionnaire(kwargs["token"])
        if not self.questionnaire.is_public:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not services.may_answer(request.user, self.questionnaire):
                raise Http404
        self.visitor_id = request.COOKIES.get(guard.VISITOR_COOKIE) or guard.new_visitor_id()
        response = super().dispatch(request, *args, **kwargs)
        if request.COOKIES.get(guard.VISITOR_COOKIE) != self.visitor_id:
            response.set_cookie(guard.VISITOR_COOKIE, self.visitor_id, max_age=60 * 60 * 24 * 365, httponly=True, samesite="Lax",
                                secure=request.is_secure())
        return response

    def questions(self) -> list[Any]:
        return list(self.questionnaire.questions.all())

    def form(self, data: Any = None) -> AnswerForm:
        initial = {}
        if not self.questionnaire.is_anonymous and self.request.user.is_authenticated:
            initial["respondent_name"] = self.request.user.full_name
        return AnswerForm(data, questionnaire=self.questionnaire, questions=self.questions(), initial=initial)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", self.form())
        return super().get_context_data(
            questionnaire=self.questionnaire, open=self.questionnaire.is_open(), not_yet=timezone.localdate() < self.questionnaire.opens_on,
            form_token=guard.issue_token(questionnaire_id=self.questionnaire.pk, visitor_id=self.visitor_id),
            honeypot=guard.HONEYPOT_FIELD, token_field=guard.TOKEN_FIELD, **kwargs,
        )

    def refuse(self, message: str, *, status: int, form: AnswerForm | None = None, reason: str = "") -> HttpResponse:
        if reason:
            security_event("consultation_refused", request=self.request, reason=reason, questionnaire=self.questionnaire.pk)
        return self.render_to_response(self.get_context_data(form=form or self.form(), refusal=message), status=status)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        questionnaire = self.questionnaire
        if not questionnaire.is_open():
            if timezone.localdate() > questionnaire.closes_on:
                return self.refuse(_("This consultation closed on %(date)s: answers can no longer be accepted.")
                                   % {"date": questionnaire.closes_on.strftime("%d/%m/%Y")}, status=410)
            return self.refuse(_("This consultation opens on %(date)s.") % {"date": questionnaire.opens_on.strftime("%d/%m/%Y")}, status=403)
        verdict = guard.check(request, questionnaire_id=questionnaire.pk)
        form = self.form(request.POST)
        if not verdict.ok:
            messages_by_reason = {
                "honeypot": (_("Your answers could not be accepted. If you are a person, please try again."), 400),
                "bad_token": (_("This form has expired or was opened in another browser. Your answers have not been sent: check them and send "
                                "them again."), 400),
                "too_fast": (_("The form was sent faster than a person could fill it in. Check your answers and send them again."), 400),
                "throttled": (_("Too many answers have been sent from your connection. Please try again in an hour."), 429),
            }
            message, status = messages_by_reason[verdict.reason]
            form.is_valid()  # keep what they chose on the page
            return self.refuse(message, status=status, form=form, reason=verdict.reason)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=422)
        guard.count_submission(request)
        try:
            services.response_submit(
                questionnaire=questionnaire, answers=form.answers(), nonce=verdict.nonce, visitor=verdict.visitor,
                respondent=request.user if request.user.is_authenticated else None,
                respondent_name=form.cleaned_data.get("respondent_name", ""), language=(get_language() or "en")[:5],
            )
        except services.Refused as refusal:
            return self.refuse(" ".join(refusal.messages), status=409 if refusal.code == "duplicate" else 410, form=form, reason=refusal.code or "")
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=422)
        return self.render_to_response(self.get_context_data(thanks=True))


class QuestionnaireListView(ScopedViewMixin, TemplateView):
    access = STAFF
    template_name = "strategy/questionnaire_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page = Paginator(selectors.questionnaires_for(user=self.request.user), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, can_create=bool(managed_las(principal_for(self.request.user))), today=timezone.localdate(),
                                        **kwargs)


class QuestionnaireCreateView(_ServiceForm):
    access = CanCreate(Questionnaire)
    template_name = "strategy/form.html"
    form_class = QuestionnaireForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "local_authority_id": _managed_la(self.request.user).pk}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(heading=_("Set up a questionnaire"), back=reverse("strategy:questionnaires"), **kwargs)

    def run(self, form: QuestionnaireForm) -> tuple[str, str]:
        questionnaire = services.questionnaire_create(by=self.request.user, local_authority=_managed_la(self.request.user), data=form.cleaned_data)
        return _("The questionnaire has been set up. Add its questions."), reverse("strategy:questionnaire", args=[questionnaire.pk])


class QuestionnaireDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Questionnaire, Action.LIST)
    template_name = "strategy/questionnaire_detail.html"
    object: Questionnaire

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        questionnaire = self.object
        can_change = can(self.request.user, Action.CHANGE, questionnaire)
        kwargs.setdefault("form", QuestionForm() if can_change else None)
        link = self.request.build_absolute_uri(reverse("strategy:answer", args=[questionnaire.token]))
        return super().get_context_data(questionnaire=questionnaire, questions=questionnaire.questions.all(), can_change=can_change,
                                        link=link, responses=questionnaire.responses.count(), **kwargs)


class QuestionAddView(QuestionnaireDetailView):
    access = ObjectAccess(Questionnaire, Action.CHANGE)
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = QuestionForm(request.POST)
        if form.is_valid():
            data = {**form.cleaned_data, "options": services.parse_options(form.cleaned_data.get("options", ""))}
            try:
                services.question_add(by=request.user, questionnaire=self.object, data=data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The question has been added."))
                return redirect(reverse("strategy:questionnaire", args=[self.object.pk]))
        return self.render_to_response(self.get_context_data(form=form), status=422)


class ResultsView(ScopedViewMixin, TemplateView):
    """Per question a chart with the same figures in a table, free-text answers listed; names only for the owning LA."""

    access = ObjectAccess(Questionnaire, Action.LIST)
    template_name = "strategy/results.html"
    object: Questionnaire

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        questionnaire = self.object
        responses, results = selectors.results(questionnaire)
        charts = {}
        for result in results:
            if result.question.kind != QuestionKind.TEXT:
                charts[result.question.pk] = chart(result.labels, [(_("Answers"), result.counts, PALETTE[0])], _("Answers"), stacked=False,
                                                   horizontal=True)
        rows = [(r, charts.get(r.question.pk, ""), list(zip(r.labels, r.counts, strict=True))) for r in results]
        named = []
        if not questionnaire.is_anonymous:
            named = list(visible_to(self.request.user, Response.objects.filter(questionnaire=questionnaire)).order_by("submitted_on", "pk"))
            from cymuned.audit.services import record_reads

            record_reads(instances=named)
        return super().get_context_data(questionnaire=questionnaire, responses=responses, rows=rows, named=named,
                                        can_export=can(self.request.user, Action.LIST, questionnaire), **kwargs)


class ResultsExportView(ScopedViewMixin, View):
    """Free-text answers (and, for named questionnaires and the owning LA, names) as CSV or XLSX; every export is logged."""

    access = ObjectAccess(Questionnaire, Action.LIST)
    object: Questionnaire

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404
        questionnaire = self.object
        with_names = not questionnaire.is_anonymous and can(request.user, Action.EXPORT, questionnaire)
        header, rows = selectors.free_text_rows(questionnaire, with_names=with_names)
        export_record(user=request.user, kind="strategy-consultation:free-text", row_count=len(rows),
                      filters={"questionnaire": questionnaire.pk, "format": fmt, "names": with_names}, remote_addr=request.META.get("REMOTE_ADDR"))
        filename = f"cymuned-consultation-{questionnaire.pk}-free-text.{fmt}"
        if fmt == "xlsx":
            return xlsx_response(filename=filename, sheets=[(_("Free-text answers"), header, rows)])
        return csv_response(filename=filename, header=header, rows=rows)


# --- Reports to Council -----------------------------------------------------------------------------------


class ReportListView(ScopedViewMixin, FormView):
    access = CanCreate(CouncilReport)
    template_name = "strategy/report_list.html"
    form_class = ReportRequestForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page = Paginator(selectors.reports_for(user=self.request.user), 20).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, **kwargs)

    def form_valid(self, form: ReportRequestForm) -> HttpResponse:
        try:
            report = services.council_report_request(by=self.request.user, local_authority=_managed_la(self.request.user),
                                                     as_of=form.cleaned_data["as_of"])
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return redirect(reverse("strategy:report", args=[report.pk]))


class ReportDetailView(ScopedViewMixin, TemplateView):
    """Progress while the report is written (htmx asks again every two seconds), then the download links."""

    access = ObjectAccess(CouncilReport)
    template_name = "strategy/report_detail.html"
    object: CouncilReport

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["strategy/_report_progress.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(report=self.object, statuses=ReportStatus, **kwargs)


class ReportDownloadView(ScopedViewMixin, View):
    access = ObjectAccess(CouncilReport)
    object: CouncilReport

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        report = self.object
        files = {"pdf": (report.pdf, "application/pdf"),
                 "docx": (report.docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")}
        if fmt not in files or report.status != ReportStatus.DONE or not files[fmt][0]:
            raise Http404
        stored, content_type = files[fmt]
        export_record(user=request.user, kind=f"strategy-council-report:{fmt}", row_count=1,
                      filters={"report": report.pk, "as_of": report.as_of.isoformat()}, remote_addr=request.META.get("REMOTE_ADDR"))
        stored.open("rb")
        return FileResponse(stored, as_attachment=True, filename=f"council-report-{report.as_of:%Y-%m-%d}.{fmt}", content_type=content_type)
