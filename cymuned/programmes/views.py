from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from cymuned.access.policy import Action, can, get_object_for_user, visible_to
from cymuned.access.views import HasRole, ObjectAccess, Public, ScopedViewMixin
from cymuned.accounts.roles import Role
from cymuned.audit.services import export_record, record_read, record_reads
from cymuned.core.exports import csv_response, xlsx_response
from cymuned.core.forms import apply_validation_error
from cymuned.core.reporting import ReportFilterForm, filters_from_request
from cymuned.families.models import Learner
from cymuned.organisations.models import Cluster, School

from . import reports, selectors, services
from .forms import (
    AchievementForm,
    ConfidenceForm,
    EnrolForm,
    ProgrammeFilterForm,
    ProgrammeForm,
    PublicSignUpForm,
    QuantitiesForm,
    ScheduleForm,
)
from .models import AttendanceMark, Enrolment, EnrolmentStatus, Programme, QuestionnaireStage, Session
from .policies import CREATOR_ROLES, RUNNER_ROLES

PUBLIC_PROGRAMMES = "Parents and the community browse and sign up for courses and activities without an account."


def _published(pk: Any) -> Programme:
    return get_object_for_user(None, Programme.objects.published().with_related(), Action.VIEW, pk=pk)


class PublicProgrammeListView(ScopedViewMixin, TemplateView):
    access = Public(PUBLIC_PROGRAMMES)
    template_name = "programmes/public_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = ProgrammeFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        programmes = selectors.public_programmes(kind=filters.get("kind", ""), language=filters.get("language", ""),
                                                 q=(filters.get("q") or "").strip())
        page = Paginator(programmes, 20).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, page=page, **kwargs)


class PublicProgrammeDetailView(ScopedViewMixin, TemplateView):
    access = Public(PUBLIC_PROGRAMMES)
    template_name = "programmes/public_detail.html"
    queryset = Programme.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        programme = _published(self.kwargs["pk"])
        return super().get_context_data(
            programme=programme, places_left=services.places_left(programme),
            sessions=programme.sessions.upcoming()[:10], **kwargs,
        )


class PublicSignUpView(ScopedViewMixin, FormView):
    """The public sign-up form: no account needed; a place if one is free, otherwise the waiting list."""

    access = Public(PUBLIC_PROGRAMMES)
    template_name = "programmes/public_sign_up.html"
    form_class = PublicSignUpForm
    queryset = Programme.objects.all()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.programme = _published(kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "programme": self.programme}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(programme=self.programme, places_left=services.places_left(self.programme), **kwargs)

    def form_valid(self, form: PublicSignUpForm) -> HttpResponse:
        try:
            enrolment = services.enrolment_sign_up_public(programme=self.programme, data=form.cleaned_data, language=get_language() or "en")
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        self.request.session["signed_up"] = {
            "programme": self.programme.pk, "status": enrolment.status, "position": services.waiting_position(enrolment),
            "email": enrolment.email,
        }
        return redirect(reverse("programmes:public-signed-up", args=[self.programme.pk]))


class PublicSignedUpView(ScopedViewMixin, TemplateView):
    access = Public(PUBLIC_PROGRAMMES)
    template_name = "programmes/public_signed_up.html"
    queryset = Programme.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        programme = _published(self.kwargs["pk"])
        outcome = self.request.session.get("signed_up") or {}
        if outcome.get("programme") != programme.pk:
            outcome = {}
        return super().get_context_data(programme=programme, outcome=outcome, waiting=outcome.get("status") == EnrolmentStatus.WAITING,
                                        **kwargs)


class ManageListView(ScopedViewMixin, TemplateView):
    access = HasRole(*CREATOR_ROLES, *RUNNER_ROLES)
    template_name = "programmes/manage_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        include_finished = self.request.GET.get("finished") == "1"
        programmes = selectors.programmes_run_by(user=self.request.user, kind=self.request.GET.get("kind", "")[:30],
                                                 include_finished=include_finished)
        page = Paginator(programmes, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, include_finished=include_finished,
                                        can_create=bool(services.lead_organisations_for(self.request.user)), **kwargs)


def _school_venues(user: Any) -> Any:
    return visible_to(user, School).order_by("name_en")


class ProgrammeCreateView(ScopedViewMixin, FormView):
    access = HasRole(*CREATOR_ROLES)
    template_name = "programmes/programme_form.html"
    form_class = ProgrammeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        user = self.request.user
        return {**super().get_form_kwargs(), "organisations": services.lead_organisations_for(user), "schools": _school_venues(user)}

    def form_valid(self, form: ProgrammeForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        try:
            programme = services.programme_create(by=self.request.user, data=data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The programme has been set up. Add its sessions."))
        return redirect(reverse("programmes:manage", args=[programme.pk]))


class ProgrammeUpdateView(ScopedViewMixin, FormView):
    access = ObjectAccess(Programme, Action.CHANGE)
    template_name = "programmes/programme_form.html"
    form_class = ProgrammeForm
    object: Programme

    def get_form_kwargs(self) -> dict[str, Any]:
        user = self.request.user
        organisations = services.lead_organisations_for(user)
        if self.object.lead_organisation not in organisations:
            organisations.append(self.object.lead_organisation)
        return {**super().get_form_kwargs(), "instance": self.object, "organisations": organisations, "schools": _school_venues(user)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(programme=self.object, **kwargs)

    def form_valid(self, form: ProgrammeForm) -> HttpResponse:
        # The ModelForm has already copied the values onto the instance; the service validates and saves them.
        try:
            services.programme_update(by=self.request.user, programme=self.object, data=dict(form.cleaned_data))
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The programme has been updated."))
        return redirect(reverse("programmes:manage", args=[self.object.pk]))


class ManageDetailView(ScopedViewMixin, TemplateView):
    """A programme as the people running it see it: sessions, places, the waiting list and outcomes."""

    access = ObjectAccess(Programme, Action.CHANGE)
    template_name = "programmes/manage_detail.html"
    object: Programme

    def get_object_queryset(self) -> Any:
        return Programme.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        enrolments = list(selectors.enrolments_of(user=self.request.user, programme=self.object))
        record_reads(instances=enrolments)
        return super().get_context_data(
            programme=self.object, sessions=selectors.sessions_of(programme=self.object),
            enrolled=[e for e in enrolments if e.status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)],
            waiting=sorted((e for e in enrolments if e.status == EnrolmentStatus.WAITING), key=lambda e: (e.created_on, e.pk)),
            withdrawn=[e for e in enrolments if e.status == EnrolmentStatus.WITHDRAWN],
            places_taken=services.places_taken(self.object), **kwargs,
        )


class _ServiceForm(ScopedViewMixin, FormView):
    """A form about one scoped record: ``run`` calls a service and returns the success message; errors go back on the form."""

    object: Any
    done_url: str

    def run(self, form: Any) -> str:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            message = self.run(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(reverse(self.done_url, args=[self.object.pk]))


class _ProgrammeForm(_ServiceForm):
    access = ObjectAccess(Programme, Action.CHANGE)
    object: Programme

    done_url = "programmes:manage"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(programme=self.object, **kwargs)


class ScheduleView(_ProgrammeForm):
    template_name = "programmes/schedule_form.html"
    form_class = ScheduleForm

    def run(self, form: ScheduleForm) -> str:
        sessions = services.sessions_schedule(
            by=self.request.user, programme=self.object, first_starts_at=form.first_starts_at(),
            duration_minutes=form.cleaned_data["duration_minutes"], count=form.cleaned_data["count"], every_days=form.cleaned_data["every_days"],
        )
        return _("%(count)s sessions added.") % {"count": len(sessions)}


class EnrolView(_ProgrammeForm):
    template_name = "programmes/enrol_form.html"
    form_class = EnrolForm

    def run(self, form: EnrolForm) -> str:
        data = form.cleaned_data
        learner = None
        if data.get("upn"):
            learner = visible_to(self.request.user, Learner).filter(upn=data["upn"].strip().upper()).first()
            if learner is None:
                raise ValidationError({"upn": ValidationError(_("No learner of your schools has this unique pupil number."), code="no_learner")})
        enrolment = services.enrolment_add(
            by=self.request.user, programme=self.object, learner=learner, participant_name=data.get("participant_name", ""),
            telephone=data.get("telephone", ""), email=data.get("email", ""), places=data.get("places") or 1,
            waiting_list_if_full=data.get("waiting_list_if_full", False),
        )
        if enrolment.status == EnrolmentStatus.WAITING:
            return _("%(name)s has been added to the waiting list.") % {"name": enrolment.display_name}
        return _("%(name)s has been enrolled.") % {"name": enrolment.display_name}


class RegisterView(ScopedViewMixin, TemplateView):
    """A session's register, quick to take on a phone: each mark is saved as it is tapped (htmx), or all at once without JavaScript."""

    access = ObjectAccess(Session, Action.CHANGE)
    template_name = "programmes/register.html"
    object: Session

    def get_object_queryset(self) -> Any:
        return Session.objects.select_related("programme")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        session = self.object
        rows = selectors.register_for(user=self.request.user, session=session)
        record_reads(instances=[e for e, _mark in rows])
        initial = {"meals_served": session.meals_served, "parcels_given": session.parcels_given, "people_fed": session.people_fed,
                   "notes": session.notes}
        kwargs.setdefault("quantities_form", QuantitiesForm(initial=initial))
        return super().get_context_data(session=session, programme=session.programme, rows=rows, marks=AttendanceMark.choices, **kwargs)

    def _enrolment(self, pk: str) -> Enrolment:
        return get_object_for_user(self.request.user, Enrolment.objects.select_related("programme"), Action.CHANGE, pk=pk)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        session = self.object
        if session.programme.counts_only:
            return self._post_quantities(request)
        errors = []
        if request.POST.get("enrolment"):
            pk = request.POST["enrolment"]
            pairs = [(pk, request.POST.get(f"mark-{pk}") or request.POST.get("mark", ""))]
        else:
            pairs = [(key.removeprefix("mark-"), value) for key, value in request.POST.items() if key.startswith("mark-") and value]
        for pk, mark in pairs:
            enrolment = self._enrolment(pk)
            try:
                services.register_mark(by=request.user, session=session, enrolment=enrolment, mark=mark)
            except ValidationError as error:
                errors.extend(error.messages)
        if getattr(request, "htmx", False) and request.POST.get("enrolment"):
            # One mark tapped: answer with that row only, saved or with its error.
            enrolment = next((e for e, _mark in selectors.register_for(user=request.user, session=session) if e.pk == enrolment.pk),
                             enrolment)
            return self.response_class(
                request=request, template=["programmes/_register_row.html"],
                context={"enrolment": enrolment, "mark": pairs[0][1], "session": session, "marks": AttendanceMark.choices,
                         "saved": not errors, "error": " ".join(errors)},
            )
        if errors:
            return self.render_to_response(self.get_context_data(errors=errors), status=422)
        messages.success(request, _("The register has been saved."))
        return redirect(reverse("programmes:register", args=[session.pk]))

    def _post_quantities(self, request: HttpRequest) -> HttpResponse:
        form = QuantitiesForm(request.POST)
        if form.is_valid():
            try:
                services.session_record_quantities(by=request.user, session=self.object, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The numbers for this session have been saved."))
                return redirect(reverse("programmes:register", args=[self.object.pk]))
        return self.render_to_response(self.get_context_data(quantities_form=form), status=422)


class EnrolmentDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Enrolment)
    template_name = "programmes/enrolment_detail.html"
    object: Enrolment

    def get_object_queryset(self) -> Any:
        return Enrolment.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        record_read(instance=self.object)
        responses = {r.stage: r for r in self.object.confidence_responses.all()}
        return super().get_context_data(
            enrolment=self.object, programme=self.object.programme, can_change=can(self.request.user, Action.CHANGE, self.object),
            achievements=self.object.achievements.all(), before=responses.get(QuestionnaireStage.BEFORE),
            after=responses.get(QuestionnaireStage.AFTER), position=services.waiting_position(self.object),
            attendances=self.object.attendances.select_related("session").order_by("session__starts_at"), **kwargs,
        )


class _EnrolmentPost(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Enrolment, Action.CHANGE)
    http_method_names = ["post"]
    object: Enrolment

    def run(self) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            messages.success(request, self.run())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(reverse("programmes:enrolment", args=[self.object.pk]))


class EnrolmentWithdrawView(_EnrolmentPost):
    def run(self) -> str:
        promoted = services.enrolment_withdraw(by=self.request.user, enrolment=self.object)
        if promoted:
            names = ", ".join(e.display_name for e in promoted)
            return _("Withdrawn. The place went to %(names)s from the waiting list.") % {"names": names}
        return _("Withdrawn.")


class EnrolmentCompleteView(_EnrolmentPost):
    def run(self) -> str:
        services.enrolment_complete(by=self.request.user, enrolment=self.object)
        return _("Marked as completed.")


class _EnrolmentForm(_ServiceForm):
    access = ObjectAccess(Enrolment, Action.CHANGE)
    object: Enrolment
    done_url = "programmes:enrolment"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(enrolment=self.object, programme=self.object.programme, **kwargs)


class AchievementAddView(_EnrolmentForm):
    template_name = "programmes/achievement_form.html"
    form_class = AchievementForm

    def run(self, form: AchievementForm) -> str:
        services.achievement_record(by=self.request.user, enrolment=self.object, data=form.cleaned_data)
        return _("The achievement has been recorded.")


class ConfidenceView(_EnrolmentForm):
    template_name = "programmes/confidence_form.html"
    form_class = ConfidenceForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kwargs.get("stage") not in QuestionnaireStage.values:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        existing = self.object.confidence_responses.filter(stage=self.kwargs["stage"]).values().first()
        return existing or super().get_initial()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(stage_label=QuestionnaireStage(self.kwargs["stage"]).label, **kwargs)

    def run(self, form: ConfidenceForm) -> str:
        services.confidence_record(by=self.request.user, enrolment=self.object, stage=self.kwargs["stage"], data=form.cleaned_data)
        return _("The questionnaire answers have been saved.")



REPORT_ROLES = (Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR, Role.HEADTEACHER, Role.CSM, Role.FEO)


def _report_filters(request: HttpRequest) -> tuple[ReportFilterForm, reports.ReportFilters | None]:
    user = request.user
    return filters_from_request(request, schools=visible_to(user, School).select_related("cluster").order_by("name_en"),
                                clusters=visible_to(user, Cluster).order_by("name_en"), build=reports.ReportFilters)


class ReportView(ScopedViewMixin, TemplateView):
    """FEO contacts, episodes, programme reach, session attendance and food provision, as charts with the same figures in tables."""

    access = HasRole(*REPORT_ROLES)
    template_name = "programmes/report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, filters = _report_filters(self.request)
        figures = reports.report(user=self.request.user, filters=filters) if filters else None
        return super().get_context_data(form=form, filters=filters, figures=figures, query=self.request.GET.urlencode(),
                                        record_datasets=reports.RECORD_DATASETS, **kwargs)


class ReportExportView(ScopedViewMixin, View):
    """One table of the report, or the records behind it, as CSV or XLSX. Every export is written in the audit log."""

    access = HasRole(*REPORT_ROLES)

    def get(self, request: HttpRequest, dataset: str, fmt: str) -> HttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404
        form, filters = _report_filters(request)
        if filters is None:
            return redirect(reverse("programmes:report") + "?" + request.GET.urlencode())
        if dataset == "all" and fmt == "xlsx":
            sheets = list(reports.datasets(user=request.user, filters=filters).values())
        elif dataset in reports.RECORD_DATASETS:
            title, header, rows = reports.records(user=request.user, filters=filters, dataset=dataset)
            sheets = [(title, header, list(rows))]
        else:
            tables = reports.datasets(user=request.user, filters=filters)
            if dataset not in tables:
                raise Http404
            sheets = [tables[dataset]]
        export_record(user=request.user, kind=f"programmes-report:{dataset}", row_count=sum(len(rows) for _t, _h, rows in sheets),
                      filters={**filters.as_dict(), "format": fmt}, remote_addr=request.META.get("REMOTE_ADDR"))
        filename = f"cymuned-{dataset}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.{fmt}"
        if fmt == "xlsx":
            return xlsx_response(filename=filename, sheets=sheets)
        title, header, rows = sheets[0]
        return csv_response(filename=filename, header=header, rows=rows)
