"""The lettings managers' pages: spaces, opening windows, caretaker cover, closures, prices, costs, term dates and
capital projects of the schools they manage (a school's headteacher and CSM; the LA's lettings lead and officers).

Pages about one space name it in the path and are scoped by the access layer (another school's space is a 404).
Pages about a school's own settings take ``?school=<pk>`` from the schools the user manages (any other is a 404);
with only one school managed it is chosen for them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Model, Prefetch, Q
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from cymuned.access.policy import Action, visible_to
from cymuned.access.principal import principal_for
from cymuned.access.views import HasRole, ObjectAccess, ScopedViewMixin
from cymuned.accounts.roles import Role
from cymuned.core.forms import apply_validation_error
from cymuned.organisations.models import School

from . import services, services_manage
from .forms_manage import (
    SPACE_FIELDS,
    BlockForm,
    CapitalProjectForm,
    CostSettingsForm,
    RateForm,
    SpaceForm,
    TermForm,
    WindowForm,
    pence,
)
from .models import Block, CapitalProject, CaretakerCover, CostSettings, OpeningWindow, RateCard, Space, TermDate
from .policies import LA_MANAGER_ROLES, MANAGER_ROLES
from .reports import capital_projects_use

MANAGERS = HasRole(*MANAGER_ROLES, *LA_MANAGER_ROLES)
TERM_KEEPERS = HasRole(Role.LA_LEAD, Role.LA_OFFICER)


def _managed_schools(user: Any) -> Any:
    return services.managed_schools(user).select_related("cluster")


def _managed_spaces(user: Any) -> Any:
    return visible_to(user, Space.objects.with_related(), Action.CHANGE)


def _school_for(request: HttpRequest) -> tuple[School | None, Any]:
    """The school named by ``?school=`` among those the user manages (404 for any other), or the only one they manage."""
    schools = _managed_schools(request.user)
    pk = request.GET.get("school")
    if pk:
        try:
            return schools.get(pk=pk), schools
        except (School.DoesNotExist, ValueError):
            raise Http404 from None
    only = list(schools[:2])
    return (only[0] if len(only) == 1 else None), schools


def _success(request: HttpRequest, message: str, url: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(url)


class ManageHomeView(ScopedViewMixin, TemplateView):
    """Every space of the schools the user manages, with what is set up for each (three queries whatever the number)."""

    access = MANAGERS
    template_name = "premises/manage/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        now = timezone.now()
        spaces = _managed_spaces(self.request.user).annotate(
            window_count=Count("opening_windows", distinct=True),
            rate_count=Count("rates", distinct=True),
            upcoming=Count("bookings", filter=Q(bookings__status="approved", bookings__starts_at__gte=now), distinct=True),
        )
        schools = _managed_schools(self.request.user).prefetch_related(Prefetch("spaces", queryset=spaces, to_attr="managed_spaces"))
        return super().get_context_data(schools=schools, keeps_terms=TERM_KEEPERS.permits(principal_for(self.request.user)), **kwargs)


# Spaces ---------------------------------------------------------------------------------------------------------------------------

class SpaceAddView(ScopedViewMixin, FormView):
    access = MANAGERS
    template_name = "premises/manage/space_form.html"

    def get_form(self, form_class: Any = None) -> SpaceForm:
        school, schools = _school_for(self.request)
        initial = {"school": school.pk} if school else {}
        return SpaceForm(**{**self.get_form_kwargs(), "initial": initial}, schools=schools)

    def form_valid(self, form: SpaceForm) -> HttpResponse:
        data = {k: v for k, v in form.cleaned_data.items() if k in SPACE_FIELDS}
        try:
            space = services_manage.space_write(by=self.request.user, school=form.cleaned_data["school"], data=data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return _success(self.request, _("%(space)s has been added. Now set when it is open to hire.") % {"space": space.name},
                        reverse("premises:manage-space", args=[space.pk]))


class _SpacePage(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Space, Action.CHANGE)
    object: Space

    def get_object_queryset(self) -> Any:
        return Space.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(space=self.object, **kwargs)


class SpaceManageView(_SpacePage):
    """One space: its opening windows, closures, prices and capital projects, with forms to add to each."""

    template_name = "premises/manage/space.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        space = self.object
        return super().get_context_data(
            windows=space.opening_windows.order_by("season", "weekday", "opens_at"), window_form=kwargs.pop("window_form", WindowForm()),
            blocks=Block.objects.filter(Q(space=space) | Q(space__isnull=True, school_id=space.school_id), ends_at__gte=timezone.now())
            .order_by("starts_at"),
            rates=space.rates.order_by("tier"), projects=space.capital_projects.order_by("-completed_on"), **kwargs,
        )


class SpaceEditView(_SpacePage, FormView):
    template_name = "premises/manage/space_form.html"

    def get_form(self, form_class: Any = None) -> SpaceForm:
        return SpaceForm(**{**self.get_form_kwargs(), "initial": model_to_dict(self.object, SPACE_FIELDS)})

    def form_valid(self, form: SpaceForm) -> HttpResponse:
        data = {k: v for k, v in form.cleaned_data.items() if k in SPACE_FIELDS}
        try:
            services_manage.space_write(by=self.request.user, school=self.object.school, data=data, space=self.object)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return _success(self.request, _("The space has been saved."), reverse("premises:manage-space", args=[self.object.pk]))


class WindowAddView(_SpacePage, FormView):
    template_name = "premises/manage/window_form.html"
    form_class = WindowForm

    def form_valid(self, form: WindowForm) -> HttpResponse:
        try:
            services_manage.opening_window_add(by=self.request.user, space=self.object, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return _success(self.request, _("The opening time has been added."), reverse("premises:manage-space", args=[self.object.pk]))


class RateView(_SpacePage, FormView):
    """Prices of a space for each tier of hirer; saving a tier that has a price changes it."""

    template_name = "premises/manage/rates.html"
    form_class = RateForm

    def get_initial(self) -> dict[str, Any]:
        return {"peak_from": "17:00", "minimum_minutes": 60}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(rates=self.object.rates.order_by("tier"), **kwargs)

    def form_valid(self, form: RateForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            services_manage.rate_card_save(by=self.request.user, space=self.object, tier=data["tier"], off_peak_pence=pence(data["off_peak"]),
                                           peak_pence=pence(data["peak"]), peak_from=data["peak_from"],
                                           minimum_minutes=data["minimum_minutes"], vat_applies=data["vat_applies"])
        except ValidationError as error:
            error = ValidationError({{"off_peak_pence": "off_peak", "peak_pence": "peak"}.get(k, k): v
                                     for k, v in error.error_dict.items()}) if hasattr(error, "error_dict") else error
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return _success(self.request, _("The price has been saved."), reverse("premises:manage-rates", args=[self.object.pk]))


class SpaceBlockView(_SpacePage, FormView):
    """Take this space out of hire for school use or a closure."""

    template_name = "premises/manage/block_form.html"
    form_class = BlockForm

    def form_valid(self, form: BlockForm) -> HttpResponse:
        try:
            block = services_manage.block_add(by=self.request.user, school=self.object.school, space=self.object, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return _success(self.request, _block_message(block), reverse("premises:manage-space", args=[self.object.pk]))


def _block_message(block: Block) -> str:
    hit = services_manage.bookings_hit_by(block)
    if hit:
        return _("Saved. %(count)s booking(s) fall in this time: cancel them from the requests page if they cannot go ahead.") % {
            "count": hit}
    return _("Saved. The time can no longer be booked.")


# A school's own settings: caretaker cover, whole-school closures, costs -----------------------------------------------------------

class _SchoolPage(ScopedViewMixin, FormView):
    access = MANAGERS
    school: School | None

    def setup_school(self) -> None:
        self.school, self.schools = _school_for(self.request)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.setup_school()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.setup_school()
        if self.school is None:
            raise Http404
        return super().post(request, *args, **kwargs)

    def here(self) -> str:
        assert self.school is not None
        return f"{self.request.path}?school={self.school.pk}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(school=self.school, schools=self.schools, **kwargs)


class CaretakerCoverView(_SchoolPage):
    """When a caretaker is on site at the school: bookings need cover for their whole time."""

    template_name = "premises/manage/cover.html"
    form_class = WindowForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        cover = self.school.caretaker_cover.order_by("season", "weekday", "opens_at") if self.school else []
        return super().get_context_data(cover=cover, **kwargs)

    def form_valid(self, form: WindowForm) -> HttpResponse:
        assert self.school is not None
        try:
            services_manage.caretaker_cover_add(by=self.request.user, school=self.school, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return _success(self.request, _("The caretaker cover has been added."), self.here())


class ClosuresView(_SchoolPage):
    """The school's own use and closures, of one space or the whole school."""

    template_name = "premises/manage/closures.html"

    def get_form(self, form_class: Any = None) -> BlockForm:
        spaces = self.school.spaces.order_by("name_en") if self.school else Space.objects.none()
        return BlockForm(**self.get_form_kwargs(), spaces=spaces)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        blocks = (Block.objects.filter(school=self.school, ends_at__gte=timezone.now()).select_related("space").order_by("starts_at")
                  if self.school else [])
        return super().get_context_data(blocks=blocks, **kwargs)

    def form_valid(self, form: BlockForm) -> HttpResponse:
        assert self.school is not None
        try:
            block = services_manage.block_add(by=self.request.user, school=self.school, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return _success(self.request, _block_message(block), self.here())


class CostSettingsView(_SchoolPage):
    """What community use costs the school: the figures behind each booking's true cost."""

    template_name = "premises/manage/costs.html"
    form_class = CostSettingsForm

    def get_initial(self) -> dict[str, Any]:
        if self.school is None:
            return {}
        settings = CostSettings.objects.filter(school=self.school).first() or CostSettings(school=self.school)
        return model_to_dict(settings, services_manage.COST_FIELDS)

    def form_valid(self, form: CostSettingsForm) -> HttpResponse:
        assert self.school is not None
        try:
            services_manage.cost_settings_save(by=self.request.user, school=self.school, data=form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return _success(self.request, _("The cost settings have been saved."), self.here())


# Term dates --------------------------------------------------------------------------------------------------------------------

class TermListView(ScopedViewMixin, FormView):
    """The LA's term dates: days outside every term are school holidays, with their own opening windows."""

    access = TERM_KEEPERS
    template_name = "premises/manage/terms.html"

    def authorities(self) -> Any:
        return services_manage.term_authorities(self.request.user)

    def get_form(self, form_class: Any = None) -> TermForm:
        authorities = self.authorities()
        return TermForm(**self.get_form_kwargs(), authorities=authorities if authorities.count() > 1 else None)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        terms = TermDate.objects.filter(local_authority__in=self.authorities().values("pk")).select_related("local_authority").order_by(
            "local_authority__name_en", "-starts_on")
        return super().get_context_data(terms=terms, **kwargs)

    def form_valid(self, form: TermForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        authority = data.pop("local_authority", None) or self.authorities().first()
        try:
            services_manage.term_date_save(by=self.request.user, local_authority=authority, **data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return _success(self.request, _("The term has been added."), reverse("premises:manage-terms"))


class TermEditView(ScopedViewMixin, FormView):
    access = ObjectAccess(TermDate, Action.CHANGE)
    template_name = "premises/manage/term_form.html"
    form_class = TermForm
    object: TermDate

    def get_initial(self) -> dict[str, Any]:
        return model_to_dict(self.object, ["name_en", "name_cy", "starts_on", "ends_on"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(term=self.object, **kwargs)

    def form_valid(self, form: TermForm) -> HttpResponse:
        try:
            services_manage.term_date_save(by=self.request.user, local_authority=self.object.local_authority, term=self.object,
                                           **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return _success(self.request, _("The term has been saved."), reverse("premises:manage-terms"))


# Capital projects ------------------------------------------------------------------------------------------------------------------

class CapitalProjectListView(ScopedViewMixin, TemplateView):
    """Capital grants spent on community facilities, and how much their spaces have been used since (set-based figures)."""

    access = MANAGERS
    template_name = "premises/manage/capital_projects.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        school, schools = _school_for(self.request) if self.request.GET.get("school") else (None, _managed_schools(self.request.user))
        projects = capital_projects_use(user=self.request.user, school=school)
        totals = {k: sum(p[k] for p in projects) for k in ("amount_pence", "hours", "bookings", "people")}
        return super().get_context_data(projects=projects, totals=totals, school=school, schools=schools, **kwargs)


class _CapitalProjectForm(ScopedViewMixin, FormView):
    template_name = "premises/manage/capital_project_form.html"
    project: CapitalProject | None = None

    def get_form(self, form_class: Any = None) -> CapitalProjectForm:
        return CapitalProjectForm(**self.get_form_kwargs(), schools=_managed_schools(self.request.user),
                                  spaces=_managed_spaces(self.request.user).order_by("school__name_en", "name_en"))

    def form_valid(self, form: CapitalProjectForm) -> HttpResponse:
        data = dict(form.cleaned_data)
        school, spaces = data.pop("school"), data.pop("spaces")
        data["amount_pence"] = pence(data.pop("amount"))
        try:
            services_manage.capital_project_save(by=self.request.user, school=school, data=data, spaces=spaces, project=self.project)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        return _success(self.request, _("The capital project has been saved."), reverse("premises:manage-capital"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(project=self.project, **kwargs)


class CapitalProjectAddView(_CapitalProjectForm):
    access = MANAGERS


class CapitalProjectEditView(_CapitalProjectForm):
    access = ObjectAccess(CapitalProject, Action.CHANGE)

    def get_initial(self) -> dict[str, Any]:
        project = self.object
        return {**model_to_dict(project, ["school", "title_en", "title_cy", "grant_source", "completed_on"]),
                "amount": project.amount_pence / 100, "spaces": [s.pk for s in project.spaces.all()]}

    def get_form(self, form_class: Any = None) -> CapitalProjectForm:
        self.project = self.object
        return super().get_form(form_class)


# Removing windows, cover, closures, prices and terms: a confirmation page, then POST -----------------------------------------------

class _RemoveView(ScopedViewMixin, TemplateView):
    template_name = "premises/manage/confirm_remove.html"
    object: Any

    def describe(self) -> str:
        raise NotImplementedError

    def back(self) -> str:
        raise NotImplementedError

    def remove(self) -> None:
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(description=self.describe(), back=self.back(), **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        back = self.back()
        self.remove()
        return _success(request, _("Removed."), back)


def _window_text(window: Any) -> str:
    return f"{window.get_weekday_display()} {window.opens_at:%H:%M}–{window.closes_at:%H:%M} ({window.get_season_display()})"


def _remove_view(model: type[Model], describe: Any, back: Any, remove: Any) -> type[_RemoveView]:
    return type(f"{model.__name__}RemoveView", (_RemoveView,), {
        "access": ObjectAccess(model, Action.CHANGE),
        "describe": lambda self: describe(self.object),
        "back": lambda self: back(self.object),
        "remove": lambda self: remove(by=self.request.user, **{_KW[model]: self.object}),
        "__doc__": f"Remove a {model._meta.verbose_name} after confirmation.",
    })


_KW = {OpeningWindow: "window", CaretakerCover: "cover", Block: "block", RateCard: "rate", TermDate: "term"}

WindowRemoveView = _remove_view(OpeningWindow, lambda w: _window_text(w),
                                lambda w: reverse("premises:manage-space", args=[w.space_id]), services_manage.opening_window_remove)
CoverRemoveView = _remove_view(CaretakerCover, lambda c: _window_text(c),
                               lambda c: reverse("premises:manage-cover") + f"?school={c.school_id}", services_manage.caretaker_cover_remove)
BlockRemoveView = _remove_view(Block, lambda b: f"{b.get_kind_display()}: {timezone.localtime(b.starts_at):%d/%m/%Y %H:%M}–"
                               f"{timezone.localtime(b.ends_at):%d/%m/%Y %H:%M} {b.reason}",
                               lambda b: reverse("premises:manage-space", args=[b.space_id]) if b.space_id
                               else reverse("premises:manage-closures") + f"?school={b.school_id}", services_manage.block_remove)
RateRemoveView = _remove_view(RateCard, lambda r: r.get_tier_display(), lambda r: reverse("premises:manage-rates", args=[r.space_id]),
                              services_manage.rate_card_remove)
TermRemoveView = _remove_view(TermDate, lambda t: f"{t} ({t.starts_on:%d/%m/%Y}–{t.ends_on:%d/%m/%Y})",
                              lambda t: reverse("premises:manage-terms"), services_manage.term_date_remove)
