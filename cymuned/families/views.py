from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from cymuned.access.fields import may_see_field
from cymuned.access.policy import Action, can, can_create, visible_to
from cymuned.access.principal import principal_for
from cymuned.access.views import CanCreate, HasRole, ObjectAccess, ScopedViewMixin
from cymuned.accounts.models import User
from cymuned.accounts.roles import LEARNER_ROLES, Role
from cymuned.audit.services import record_read
from cymuned.core.forms import apply_validation_error
from cymuned.organisations.models import School

from . import selectors, services, subject_access
from .forms import (
    CarerForm,
    CloseEpisodeForm,
    ConsentForm,
    ContactForm,
    EpisodeForm,
    HouseholdForm,
    LearnerFilterForm,
    LearnerForm,
    LinkLearnerForm,
    ReassignForm,
    WithdrawForm,
)
from .models import Consent, Episode, Household, Learner
from .policies import CASEWORK_ROLES


class _FormOnObject(ScopedViewMixin, FormView):
    """A form about one scoped object, whose valid data goes to one service."""

    def service(self, form: Any) -> Any:
        raise NotImplementedError

    def done(self, result: Any) -> str:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            result = self.service(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return redirect(self.done(result))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(object=self.object, **kwargs)


class LearnerListView(ScopedViewMixin, TemplateView):
    access = HasRole(*LEARNER_ROLES)
    template_name = "families/learner_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        principal = principal_for(self.request.user)
        form = LearnerFilterForm(self.request.GET or None, user=self.request.user, school_ids=principal.school_ids(LEARNER_ROLES))
        filters = form.cleaned_data if form.is_valid() else {}
        school = filters.get("school")
        learners = selectors.learners_for(
            user=self.request.user, q=filters.get("q") or "", school_id=school.pk if school else None, year_group=filters.get("year_group"),
        )
        page = Paginator(learners, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, page=page, can_add=can_create(self.request.user, Learner), **kwargs)


class LearnerCreateView(ScopedViewMixin, FormView):
    access = CanCreate(Learner)
    template_name = "families/learner_form.html"
    form_class = LearnerForm

    @cached_property
    def schools(self) -> QuerySet[School]:
        return selectors.schools_for_new_learners(user=self.request.user)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "schools": self.schools, "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        first_two = list(self.schools[:2])
        return {"school": first_two[0].pk} if len(first_two) == 1 else {}  # a school of its own needs no choosing

    def form_valid(self, form: LearnerForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        school = data.pop("school")
        try:
            learner = services.learner_create(by=self.request.user, school=school, data=data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s has been added to %(school)s.") % {"name": learner.full_name, "school": school.name})
        return redirect(reverse("families:learner-detail", args=[learner.pk]))


class LearnerDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Learner)
    template_name = "families/learner_detail.html"
    object: Learner

    def get_object_queryset(self) -> Any:
        return Learner.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        record_read(instance=self.object)
        household = self.object.household if self.object.household_id and can(self.request.user, Action.VIEW, self.object.household) else None
        from cymuned.outcomes.selectors import latest_attendance_for
        from cymuned.programmes.selectors import enrolments_for_learner

        return super().get_context_data(
            learner=self.object, household=household,
            attendance=latest_attendance_for(user=self.request.user, learner=self.object),
            enrolments=enrolments_for_learner(user=self.request.user, learner=self.object),
            can_add_household=not self.object.household_id and principal_for(self.request.user).has_role(*CASEWORK_ROLES),
            show_aln_detail=may_see_field(self.request.user, Learner, "aln_detail"),
            **kwargs,
        )


class HouseholdCreateView(_FormOnObject):
    access = ObjectAccess(Learner, Action.CHANGE)
    template_name = "families/household_form.html"
    form_class = HouseholdForm
    object: Learner

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        return {"reference": _("The %(name)s family") % {"name": self.object.family_name}}

    def service(self, form: HouseholdForm) -> Household:
        return services.household_create_for_learner(by=self.request.user, learner=self.object, data=form.cleaned_data)

    def done(self, result: Household) -> str:
        messages.success(self.request, _("The household has been recorded. Add its parents and carers."))
        return reverse("families:household-detail", args=[result.pk])


class HouseholdListView(ScopedViewMixin, TemplateView):
    access = HasRole(*LEARNER_ROLES)
    template_name = "families/household_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        q = (self.request.GET.get("q") or "").strip()[:100].replace("\x00", "")
        page = Paginator(selectors.households_for(user=self.request.user, q=q), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, q=q, **kwargs)


class HouseholdDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Household)
    template_name = "families/household_detail.html"
    object: Household

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        household = self.object
        record_read(instance=household)
        learners = visible_to(user, Learner.objects.with_related()).filter(household=household)
        return super().get_context_data(
            household=household,
            carers=household.carers.all(),
            learners=learners,
            hidden_learners=household.learners.count() - len(learners),
            consents=household.consents.select_related("given_by"),
            episodes=visible_to(user, Episode.objects.with_related()).filter(household=household),
            can_change=can(user, Action.CHANGE, household),
            can_export=can(user, Action.EXPORT, household),
            show_safe_contact_notes=may_see_field(user, Household, "safe_contact_notes"),
            **kwargs,
        )


class LinkLearnerView(_FormOnObject):
    """Link a brother or sister the user can see, found by UPN; a second step names them before anything is saved."""

    access = ObjectAccess(Household, Action.CHANGE)
    template_name = "families/link_learner.html"
    form_class = LinkLearnerForm
    object: Household

    def form_valid(self, form: LinkLearnerForm) -> HttpResponse:
        learner = selectors.learner_by_upn(user=self.request.user, upn=form.cleaned_data["upn"])
        if learner is None:
            form.add_error("upn", ValidationError(
                _("No learner you can see has this unique pupil number. Check the number, or ask their school to link them."),
                code="not_found"))
            return self.form_invalid(form)
        try:
            if "confirm" not in self.request.POST:
                services.household_link_check(household=self.object, learner=learner)
                return self.render_to_response(self.get_context_data(form=form, learner=learner))
            services.household_link_learner(by=self.request.user, household=self.object, learner=learner)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is now linked to this family.") % {"name": learner.full_name})
        return redirect(reverse("families:household-detail", args=[self.object.pk]))


class SubjectAccessExportView(ScopedViewMixin, View):
    """Everything held about the family, as a file. Reads and the export are logged by the service."""

    access = ObjectAccess(Household, Action.EXPORT)
    file_format = "pdf"
    object: Household

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        content, content_type, filename = subject_access.subject_access_export(
            by=request.user, household=self.object, file_format=self.file_format, remote_addr=request.META.get("REMOTE_ADDR"))
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class SubjectAccessJsonView(SubjectAccessExportView):
    file_format = "json"


class CarerAddView(_FormOnObject):
    access = ObjectAccess(Household, Action.CHANGE)
    template_name = "families/carer_form.html"
    form_class = CarerForm
    object: Household

    def service(self, form: CarerForm) -> Any:
        return services.carer_add(by=self.request.user, household=self.object, data=form.cleaned_data)

    def done(self, result: Any) -> str:
        messages.success(self.request, _("%(name)s has been added.") % {"name": result})
        return reverse("families:household-detail", args=[self.object.pk])


class ConsentAddView(_FormOnObject):
    access = ObjectAccess(Household, Action.CHANGE)
    template_name = "families/consent_form.html"
    form_class = ConsentForm
    object: Household

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "household": self.object}

    def service(self, form: ConsentForm) -> Consent:
        return services.consent_record(by=self.request.user, household=self.object, **form.cleaned_data)

    def done(self, result: Consent) -> str:
        messages.success(self.request, _("The consent has been recorded."))
        return reverse("families:household-detail", args=[self.object.pk])


class ConsentWithdrawView(_FormOnObject):
    access = ObjectAccess(Consent, Action.CHANGE)
    template_name = "families/consent_withdraw.html"
    form_class = WithdrawForm
    object: Consent

    def service(self, form: WithdrawForm) -> Consent:
        return services.consent_withdraw(by=self.request.user, consent=self.object, withdrawn_on=form.cleaned_data["withdrawn_on"],
                                         reason=form.cleaned_data["reason"])

    def done(self, result: Consent) -> str:
        messages.success(self.request, _("The withdrawal has been recorded. Nothing more is shared for this purpose."))
        return reverse("families:household-detail", args=[result.household_id])


class EpisodeOpenView(_FormOnObject):
    access = ObjectAccess(Household)
    template_name = "families/episode_form.html"
    form_class = EpisodeForm
    object: Household

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        if principal_for(self.request.user).has_role(Role.FEO):
            return {"officer": self.request.user.pk}
        return {}

    def service(self, form: EpisodeForm) -> Episode:
        return services.episode_open(by=self.request.user, household=self.object, **form.cleaned_data)

    def done(self, result: Episode) -> str:
        messages.success(self.request, _("The episode is open."))
        return reverse("families:episode-detail", args=[result.pk])


class EpisodeDetailView(_FormOnObject):
    """The episode and its contacts, with a quick contact form that works well on a phone (htmx)."""

    access = ObjectAccess(Episode)
    template_name = "families/episode_detail.html"
    form_class = ContactForm
    object: Episode

    def get_object_queryset(self) -> Any:
        return Episode.objects.with_related()

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and self.request.method == "POST":
            return ["families/_contact_panel.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        record_read(instance=self.object)
        return super().get_context_data(
            episode=self.object, contacts=self.object.contacts.select_related("created_by"),
            can_change=can(self.request.user, Action.CHANGE, self.object), **kwargs,
        )

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can(request.user, Action.CHANGE, self.object):
            raise Http404
        return super().post(request, *args, **kwargs)

    def service(self, form: ContactForm) -> Any:
        return services.contact_log(by=self.request.user, episode=self.object, data=form.cleaned_data)

    def form_valid(self, form: ContactForm) -> HttpResponse:
        try:
            self.service(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The contact has been logged."))
        if getattr(self.request, "htmx", False):
            return self.render_to_response(self.get_context_data(form=ContactForm(), saved=True))
        return redirect(reverse("families:episode-detail", args=[self.object.pk]))


class EpisodeCloseView(_FormOnObject):
    access = ObjectAccess(Episode, Action.CHANGE)
    template_name = "families/episode_close.html"
    form_class = CloseEpisodeForm
    object: Episode

    def service(self, form: CloseEpisodeForm) -> Episode:
        return services.episode_close(by=self.request.user, episode=self.object, **form.cleaned_data)

    def done(self, result: Episode) -> str:
        messages.success(self.request, _("The episode has been closed."))
        return reverse("families:episode-detail", args=[result.pk])


class EpisodeReassignView(_FormOnObject):
    access = ObjectAccess(Episode, Action.CHANGE)
    template_name = "families/episode_reassign.html"
    form_class = ReassignForm
    object: Episode

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "school": self.object.school}

    def service(self, form: ReassignForm) -> Episode:
        return services.episode_reassign(by=self.request.user, episode=self.object, officer=form.cleaned_data["officer"])

    def done(self, result: Episode) -> str:
        messages.success(self.request, _("The episode now belongs to %(name)s.") % {"name": result.officer.full_name})
        return reverse("families:episode-detail", args=[result.pk])


def _officer(officers: Any, pk: str) -> User:
    try:
        return officers.get(pk=pk)
    except (User.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


class CaseloadView(ScopedViewMixin, TemplateView):
    """An FEO's own caseload, or (for a head or manager, with ?officer=) a colleague's."""

    access = HasRole(*CASEWORK_ROLES)
    template_name = "families/caseload.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        officer = user
        if self.request.GET.get("officer"):
            # Any officer whose episodes the user may see: reached through the episodes, not the user records.
            officers = User.objects.filter(pk__in=visible_to(user, Episode).values("officer_id"))
            officer = _officer(officers, self.request.GET["officer"])
        episodes = selectors.caseload_for(user=user, officer=officer)
        return super().get_context_data(
            officer=officer, episodes=episodes, weeks=selectors.NOT_CONTACTED_WEEKS,
            team=selectors.team_for(user=user) if principal_for(user).has_role(Role.HEADTEACHER, Role.CSM) else [],
            **kwargs,
        )
