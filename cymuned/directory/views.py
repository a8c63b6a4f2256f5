"""Pages of the services directory: the public bilingual search and service pages, and the staff pages
that maintain entries (services, locations, schedules, contacts), the stale-entry report and the ORUK import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from cymuned.access.policy import Action, get_object_for_user
from cymuned.access.principal import principal_for
from cymuned.access.views import CanCreate, HasRole, ObjectAccess, Public, ScopedViewMixin
from cymuned.core.forms import apply_validation_error
from cymuned.core.security_log import security_event
from cymuned.organisations.models import LocalAuthority

from . import selectors, services
from .forms import ContactForm, DirectorySearchForm, ImportForm, LocationForm, ReviewForm, ScheduleForm, ServiceForm, StaleForm
from .importing import FeedInvalid, import_feed
from .models import Contact, Schedule, Service, ServiceAtLocation, ServiceStatus
from .policies import LA_MAINTAINER_ROLES, MAINTAINER_ROLES

PUBLIC_DIRECTORY = "Families and the community find local services without an account; the directory is public information."
PAGE_SIZE = 20


class PublicSearchView(ScopedViewMixin, TemplateView):
    """Search by need, keyword, language, age group and distance; a fixed number of queries whatever the row count."""

    access = Public(PUBLIC_DIRECTORY)
    template_name = "directory/public_search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        terms = list(selectors.public_terms())
        form = DirectorySearchForm(self.request.GET or None, terms=terms)
        searched = form.is_bound and form.is_valid()
        data = form.cleaned_data if searched else {}
        origin = data.get("origin")
        results = selectors.public_search(
            term=data.get("need", ""), q=(data.get("q") or "").strip(), language=data.get("language", ""),
            age_group=data.get("age", ""), origin=origin, within_km=form.within_km if searched else None,
        )
        if form.is_bound and not searched:
            results = results.none()
        page = Paginator(results, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, page=page, origin=origin, searched=form.is_bound, **kwargs)


class PublicServiceView(ScopedViewMixin, TemplateView):
    access = Public(PUBLIC_DIRECTORY)
    template_name = "directory/public_detail.html"
    queryset = Service.objects.all()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        service = get_object_for_user(None, selectors.with_detail(Service.objects.public()), Action.VIEW, pk=self.kwargs["pk"])
        schedules = list(service.schedules.all())
        return super().get_context_data(service=service, schedules=schedules, **kwargs)


class ManageListView(ScopedViewMixin, TemplateView):
    access = HasRole(*MAINTAINER_ROLES)
    template_name = "directory/manage_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        q = (self.request.GET.get("q") or "").strip()[:100]
        status = self.request.GET.get("status") or ""
        if status not in ServiceStatus.values:
            status = ""
        page = Paginator(selectors.services_to_maintain(self.request.user, q=q, status=status), 50).get_page(self.request.GET.get("page"))
        principal = principal_for(self.request.user)
        return super().get_context_data(page=page, q=q, status=status, statuses=ServiceStatus.choices,
                                        can_import=principal.has_role(*LA_MAINTAINER_ROLES), **kwargs)


class _ServiceFormView(ScopedViewMixin, FormView):
    template_name = "directory/service_form.html"
    form_class = ServiceForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "organisations": services.organisations_user_maintains(self.request.user).order_by("name_en")}

    def _save(self, form: ServiceForm) -> Service:
        raise NotImplementedError

    def form_valid(self, form: ServiceForm) -> HttpResponse:
        try:
            service = self._save(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The service has been saved."))
        return redirect(reverse("directory:manage", args=[service.pk]))


def _service_data(form: ServiceForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k in services.SERVICE_FIELDS}


def _codes(form: ServiceForm) -> list[str]:
    codes = list(form.cleaned_data.get("language_codes") or [])
    if form.cleaned_data.get("welsh_active_offer") and "cy" not in codes:
        codes.append("cy")
    return codes


class ServiceCreateView(_ServiceFormView):
    access = CanCreate(Service)

    def _save(self, form: ServiceForm) -> Service:
        return services.service_create(by=self.request.user, organisation=form.cleaned_data["organisation"], data=_service_data(form),
                                       terms=form.cleaned_data["terms"], language_codes=_codes(form))


class ServiceUpdateView(_ServiceFormView):
    access = ObjectAccess(Service, Action.CHANGE)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(service=self.object, **kwargs)

    def _save(self, form: ServiceForm) -> Service:
        service = Service.objects.get(pk=self.object.pk)  # the form changed self.object in place while validating
        return services.service_update(by=self.request.user, service=service, data=_service_data(form),
                                       organisation=form.cleaned_data["organisation"], terms=form.cleaned_data["terms"],
                                       language_codes=_codes(form))


class ManageDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Service, Action.CHANGE)
    template_name = "directory/manage_detail.html"

    def get_object_queryset(self) -> Any:
        return selectors.with_detail(Service.objects.all())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(service=self.object, schedules=list(self.object.schedules.all()), review_form=ReviewForm(), **kwargs)


class _ChildFormView(ScopedViewMixin, FormView):
    """A form that adds one thing to a service the user maintains."""

    access = ObjectAccess(Service, Action.CHANGE)
    template_name = "directory/child_form.html"
    heading = ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(service=self.object, heading=self.heading, **kwargs)

    def add(self, form: Any) -> None:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            self.add(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(reverse("directory:manage", args=[self.object.pk]))


class LocationAddView(_ChildFormView):
    form_class = LocationForm

    @property
    def heading(self) -> str:  # type: ignore[override]
        return _("Add a place where it runs")

    def add(self, form: LocationForm) -> None:
        data = {k: v for k, v in form.cleaned_data.items() if k in LocationForm.Meta.fields}
        services.location_add(by=self.request.user, service=self.object, data=data)


class ScheduleAddView(_ChildFormView):
    form_class = ScheduleForm

    @property
    def heading(self) -> str:  # type: ignore[override]
        return _("Add opening times")

    def add(self, form: ScheduleForm) -> None:
        data = {k: v for k, v in form.cleaned_data.items() if k in ScheduleForm.Meta.fields}
        services.schedule_add(by=self.request.user, service=self.object, data={**data, "byday": form.cleaned_data["byday"]})


class ContactAddView(_ChildFormView):
    form_class = ContactForm

    @property
    def heading(self) -> str:  # type: ignore[override]
        return _("Add a contact")

    def add(self, form: ContactForm) -> None:
        data = {k: v for k, v in form.cleaned_data.items() if k in ContactForm.Meta.fields}
        services.contact_add(by=self.request.user, service=self.object, data=data, phone=form.cleaned_data.get("phone", ""))


class ReviewView(_ChildFormView):
    form_class = ReviewForm

    @property
    def heading(self) -> str:  # type: ignore[override]
        return _("Mark as checked")

    def add(self, form: ReviewForm) -> None:
        services.service_mark_reviewed(by=self.request.user, service=self.object, next_review=form.cleaned_data.get("next_review"))


class _RemoveView(ScopedViewMixin, TemplateView):
    """Confirm, then remove one row of a service the user maintains."""

    template_name = "directory/confirm_remove.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(thing=self.object, service=self.object.service, **kwargs)

    def remove(self) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        service_pk = self.object.service_id
        self.remove()
        messages.success(request, _("Removed."))
        return redirect(reverse("directory:manage", args=[service_pk]))


class LocationRemoveView(_RemoveView):
    access = ObjectAccess(ServiceAtLocation, Action.CHANGE)

    def remove(self) -> None:
        services.location_unlink(by=self.request.user, link=self.object)


class ScheduleRemoveView(_RemoveView):
    access = ObjectAccess(Schedule, Action.CHANGE)

    def remove(self) -> None:
        services.child_delete(by=self.request.user, obj=self.object)


class ContactRemoveView(_RemoveView):
    access = ObjectAccess(Contact, Action.CHANGE)

    def remove(self) -> None:
        services.child_delete(by=self.request.user, obj=self.object)


class StaleReportView(ScopedViewMixin, TemplateView):
    """Entries due a check: review date passed, or not changed for the chosen number of months."""

    access = HasRole(*MAINTAINER_ROLES)
    template_name = "directory/stale.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = StaleForm(self.request.GET or None)
        months = (form.cleaned_data.get("months") if form.is_valid() else None) or 12
        page = Paginator(selectors.stale_services(self.request.user, months=months), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, months=months, page=page, **kwargs)


class ImportView(ScopedViewMixin, FormView):
    """Upload an Open Referral UK feed: checked whole; imported all or nothing; errors listed with their JSON paths."""

    access = HasRole(*LA_MAINTAINER_ROLES)
    template_name = "directory/import.html"
    form_class = ImportForm

    def form_valid(self, form: ImportForm) -> HttpResponse:
        principal = principal_for(self.request.user)
        la_ids = sorted(principal.la_ids(LA_MAINTAINER_ROLES))
        if not la_ids:
            form.add_error(None, _("Only local authority staff can import into the directory."))
            return self.form_invalid(form)
        la = LocalAuthority.objects.get(pk=la_ids[0])
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data.get("dry_run", False)
        try:
            result = import_feed(upload.read(), local_authority=la, by=self.request.user, dry_run=dry_run)
        except FeedInvalid as invalid:
            security_event("directory.import_refused", request=self.request, user=self.request.user, errors=len(invalid.errors))
            return self.render_to_response(self.get_context_data(form=form, feed_errors=invalid.errors))
        if not dry_run:
            security_event("directory.import", request=self.request, user=self.request.user, created=result.created, updated=result.updated)
        return self.render_to_response(self.get_context_data(form=ImportForm(), result=result, dry_run=dry_run))
