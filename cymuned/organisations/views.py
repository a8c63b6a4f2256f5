from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from cymuned.access.policy import Action, can, can_create, visible_to
from cymuned.access.principal import principal_for
from cymuned.access.views import HasRole, ObjectAccess, ScopedViewMixin
from cymuned.accounts.models import Membership
from cymuned.accounts.roles import Role
from cymuned.core.forms import apply_validation_error

from . import selectors, services
from .forms import PartnerFilterForm, PartnerForm, SchoolFilterForm, SchoolForm
from .models import Cluster, LocalAuthority, Partner, School

STAFF_ROLES = tuple(Role.values)


class SchoolListView(ScopedViewMixin, TemplateView):
    access = HasRole(*STAFF_ROLES)
    template_name = "organisations/school_list.html"

    def get_template_names(self) -> list[str]:
        # htmx asks for the results only when a filter changes; a full page otherwise (and without JavaScript).
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["organisations/_school_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = SchoolFilterForm(self.request.GET or None, user=self.request.user)
        filters = form.cleaned_data if form.is_valid() else {}
        schools = selectors.schools_for(user=self.request.user, **{k: v for k, v in filters.items() if v})
        page = Paginator(schools, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, page=page, total=page.paginator.count, **kwargs)


class SchoolDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(School)
    template_name = "organisations/school_detail.html"
    object: School

    def get_object_queryset(self) -> Any:
        return School.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        people = visible_to(user, Membership.objects.with_related()).filter(organisation=self.object, is_active=True)
        return super().get_context_data(
            school=self.object,
            can_change=can(user, Action.CHANGE, self.object),
            people=people.order_by("role", "user__full_name"),
            **kwargs,
        )


class SchoolUpdateView(ScopedViewMixin, FormView):
    access = ObjectAccess(School, Action.CHANGE)
    template_name = "organisations/school_form.html"
    form_class = SchoolForm
    object: School

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object, "user": self.request.user}

    def form_valid(self, form: SchoolForm) -> HttpResponse:
        try:
            services.school_update(by=self.request.user, school=self.object, data=form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The school's details have been saved."))
        return redirect("organisations:school-detail", pk=self.object.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(school=self.object, **kwargs)


class ClusterListView(ScopedViewMixin, TemplateView):
    access = HasRole(*STAFF_ROLES)
    template_name = "organisations/cluster_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(clusters=selectors.clusters_for(user=self.request.user), **kwargs)


class ClusterDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Cluster)
    template_name = "organisations/cluster_detail.html"
    object: Cluster

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        schools = selectors.schools_for(user=self.request.user, cluster=self.object)
        return super().get_context_data(cluster=self.object, schools=schools, **kwargs)


class PartnerListView(ScopedViewMixin, TemplateView):
    access = HasRole(*STAFF_ROLES)
    template_name = "organisations/partner_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = PartnerFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        partners = selectors.partners_for(user=self.request.user, **{k: v for k, v in filters.items() if v})
        page = Paginator(partners, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, page=page, can_add=can_create(self.request.user, Partner), **kwargs)


class PartnerDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Partner)
    template_name = "organisations/partner_detail.html"
    object: Partner

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            partner=self.object, can_change=can(self.request.user, Action.CHANGE, self.object), **kwargs
        )


class PartnerCreateView(ScopedViewMixin, FormView):
    access = HasRole(Role.LA_LEAD, Role.HUB_COORDINATOR)
    template_name = "organisations/partner_form.html"
    form_class = PartnerForm

    def form_valid(self, form: PartnerForm) -> HttpResponse:
        la_ids = principal_for(self.request.user).la_ids([Role.LA_LEAD, Role.HUB_COORDINATOR])
        local_authority = LocalAuthority.objects.filter(pk__in=la_ids).order_by("pk").first()
        if local_authority is None:
            form.add_error(None, _("You do not hold a role that can add partners for a whole local authority."))
            return self.form_invalid(form)
        try:
            partner = services.partner_create(by=self.request.user, local_authority=local_authority, data=form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s has been added.") % {"name": partner.name})
        return redirect("organisations:partner-detail", pk=partner.pk)


class PartnerUpdateView(ScopedViewMixin, FormView):
    access = ObjectAccess(Partner, Action.CHANGE)
    template_name = "organisations/partner_form.html"
    form_class = PartnerForm
    object: Partner

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def form_valid(self, form: PartnerForm) -> HttpResponse:
        try:
            services.partner_update(by=self.request.user, partner=self.object, data=form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The partner's details have been saved."))
        return redirect("organisations:partner-detail", pk=self.object.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(partner=self.object, **kwargs)
