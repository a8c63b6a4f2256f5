"""Pages for grants: streams, awards, allocations, spend, claims, funded posts, the overview and the spend export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from cymuned.access.policy import Action, can, can_create, visible_to
from cymuned.access.principal import principal_for
from cymuned.access.views import CanCreate, HasRole, ObjectAccess, ScopedViewMixin
from cymuned.accounts.roles import Role
from cymuned.audit.services import export_record
from cymuned.core.exports import xlsx_response
from cymuned.core.forms import apply_validation_error
from cymuned.organisations.models import Cluster, LocalAuthority, School
from cymuned.programmes.reports import PALETTE, chart

from . import selectors, services
from .forms import AllocationForm, AwardForm, ClaimForm, ClaimStatusForm, PostForm, SpendForm, StreamForm
from .models import Allocation, Award, Claim, ClaimStatus, FundedPost, FundingStream
from .policies import LA_READERS, MANAGERS, SCHOOL_READERS

FUNDING_READERS = HasRole(*LA_READERS, *SCHOOL_READERS)


class ServiceFormView(ScopedViewMixin, FormView):
    """A form whose valid data goes to one service; the service's ValidationError comes back on the form.

    Subclasses set ``access``, ``form_class``, ``title`` and implement ``run(form) -> url to go to``."""

    template_name = "includes/form_page.html"
    title = ""
    success_message = ""

    def get_title(self) -> str:
        return str(self.title)

    def back_url(self) -> str:
        return ""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(title=self.get_title(), back_url=self.back_url(), **kwargs)

    def run(self, form: Any) -> str:
        raise NotImplementedError

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            url = self.run(form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, str(self.success_message))
        return redirect(url)


def managed_la(user: Any) -> LocalAuthority | None:
    """The local authority whose funding the user manages (the first, for the rare user managing two)."""
    ids = sorted(principal_for(user).la_ids(MANAGERS))
    return LocalAuthority.objects.filter(pk__in=ids[:1]).first() if ids else None


class OverviewView(ScopedViewMixin, TemplateView):
    """Allocations the user may see, allocated against spent, as a chart and the same figures in a table."""

    access = FUNDING_READERS
    template_name = "funding/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        allocations = list(selectors.allocations_for(user=self.request.user)[:200])
        labels = [f"{a.recipient.name}: {a.award.stream.name}" for a in allocations]
        figures = chart(labels, [(_("Allocated (£)"), [float(a.amount) for a in allocations], PALETTE[0]),
                                 (_("Spent (£)"), [float(a.spent) for a in allocations], PALETTE[1])],
                        _("Pounds"), stacked=False, horizontal=True)
        total_allocated = sum(a.amount for a in allocations)
        total_spent = sum(a.spent for a in allocations)
        principal = principal_for(self.request.user)
        return super().get_context_data(
            allocations=allocations, chart=figures, chart_height=max(160, 40 * len(allocations)),
            total_allocated=total_allocated, total_spent=total_spent,
            is_la=bool(principal.la_ids(LA_READERS)), can_manage=bool(principal.la_ids(MANAGERS)), **kwargs)


class StreamListView(ScopedViewMixin, TemplateView):
    access = HasRole(*LA_READERS)
    template_name = "funding/streams.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(streams=selectors.streams_for(user=self.request.user),
                                        can_create=can_create(self.request.user, FundingStream), **kwargs)


class StreamCreateView(ServiceFormView):
    access = CanCreate(FundingStream)
    form_class = StreamForm

    def get_title(self) -> str:
        return _("Add a funding stream")

    def back_url(self) -> str:
        return reverse("funding:streams")

    def run(self, form: StreamForm) -> str:
        la = managed_la(self.request.user)
        if la is None:
            raise ValidationError(_("You do not manage funding for a local authority."))
        services.stream_create(by=self.request.user, local_authority=la, **form.cleaned_data)
        messages.success(self.request, _("The funding stream has been added."))
        return reverse("funding:streams")


class AwardListView(ScopedViewMixin, TemplateView):
    access = HasRole(*LA_READERS)
    template_name = "funding/awards.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        stream = self.request.GET.get("stream", "")
        awards = selectors.awards_for(user=self.request.user, stream=int(stream) if stream.isdigit() else None)
        return super().get_context_data(awards=awards, streams=selectors.streams_for(user=self.request.user), stream=stream,
                                        can_create=can_create(self.request.user, Award), **kwargs)


class AwardCreateView(ServiceFormView):
    access = CanCreate(Award)
    form_class = AwardForm

    def get_title(self) -> str:
        return _("Record an award")

    def back_url(self) -> str:
        return reverse("funding:awards")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "streams": visible_to(self.request.user, FundingStream, Action.CHANGE)}

    def run(self, form: AwardForm) -> str:
        award = services.award_create(by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The award has been recorded. Allocate it to schools and clusters."))
        return reverse("funding:award-detail", args=[award.pk])


class AwardDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Award)
    template_name = "funding/award_detail.html"
    object: Award

    def get_object_queryset(self) -> Any:
        return selectors.awards_with_totals(Award.objects.with_related())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return super().get_context_data(
            award=self.object, allocations=selectors.allocations_for(user=user, award=self.object),
            claims=visible_to(user, Claim).filter(award=self.object), can_change=can(user, Action.CHANGE, self.object),
            posts=visible_to(user, FundedPost).filter(award=self.object), **kwargs)


class AllocationCreateView(ServiceFormView):
    access = ObjectAccess(Award, Action.CHANGE)
    form_class = AllocationForm
    object: Award

    def get_title(self) -> str:
        return _("Allocate part of the award")

    def back_url(self) -> str:
        return reverse("funding:award-detail", args=[self.object.pk])

    def get_form_kwargs(self) -> dict[str, Any]:
        la = self.object.local_authority_id
        return {**super().get_form_kwargs(), "schools": School.objects.filter(local_authority_id=la, is_active=True),
                "clusters": Cluster.objects.filter(local_authority_id=la)}

    def run(self, form: AllocationForm) -> str:
        services.allocation_create(by=self.request.user, award=self.object, **form.cleaned_data)
        messages.success(self.request, _("The allocation has been added."))
        return self.back_url()


class AllocationDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Allocation)
    template_name = "funding/allocation_detail.html"
    object: Allocation

    def get_object_queryset(self) -> Any:
        return selectors.allocations_with_spend(Allocation.objects.with_related())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return super().get_context_data(allocation=self.object, spend=selectors.spend_for(user=user, allocation=self.object),
                                        can_spend=can(user, Action.CHANGE, self.object),
                                        can_see_award=can(user, Action.VIEW, self.object.award), **kwargs)


class SpendCreateView(ServiceFormView):
    """Record spend against an allocation: the LA's managers, and the headteacher for their own school's allocations."""

    access = ObjectAccess(Allocation, Action.CHANGE)
    form_class = SpendForm
    object: Allocation

    def get_object_queryset(self) -> Any:
        return Allocation.objects.with_related()

    def get_title(self) -> str:
        return _("Record spend")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(caption=str(self.object), **kwargs)

    def back_url(self) -> str:
        return reverse("funding:allocation-detail", args=[self.object.pk])

    def run(self, form: SpendForm) -> str:
        services.spend_record(by=self.request.user, allocation=self.object, **form.cleaned_data)
        messages.success(self.request, _("The spend has been recorded."))
        return self.back_url()


class ClaimListView(ScopedViewMixin, TemplateView):
    access = HasRole(*LA_READERS)
    template_name = "funding/claims.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        status = self.request.GET.get("status", "")
        status = status if status in ClaimStatus.values else ""
        return super().get_context_data(claims=selectors.claims_for(user=self.request.user, status=status), status=status,
                                        statuses=ClaimStatus.choices, today=timezone.localdate(), **kwargs)


class ClaimCreateView(ServiceFormView):
    access = ObjectAccess(Award, Action.CHANGE)
    form_class = ClaimForm
    object: Award

    def get_title(self) -> str:
        return _("Add a claim or return")

    def back_url(self) -> str:
        return reverse("funding:award-detail", args=[self.object.pk])

    def run(self, form: ClaimForm) -> str:
        services.claim_create(by=self.request.user, award=self.object, **form.cleaned_data)
        messages.success(self.request, _("The claim or return has been added. Cymuned will remind you before it is due."))
        return self.back_url()


class ClaimStatusView(ServiceFormView):
    access = ObjectAccess(Claim, Action.CHANGE)
    form_class = ClaimStatusForm
    object: Claim

    def get_title(self) -> str:
        return _("Change the status of the claim or return")

    def get_initial(self) -> dict[str, Any]:
        return {"status": self.object.status, "submitted_on": self.object.submitted_on}

    def back_url(self) -> str:
        return reverse("funding:award-detail", args=[self.object.award_id])

    def run(self, form: ClaimStatusForm) -> str:
        services.claim_set_status(by=self.request.user, claim=self.object, **form.cleaned_data)
        messages.success(self.request, _("The status has been changed."))
        return self.back_url()


class PostListView(ScopedViewMixin, TemplateView):
    """Funded posts with, beside their cost, the work done in the financial year: caseload for FEOs, programmes and
    lettings for community school managers."""

    access = HasRole(*LA_READERS, Role.FEO, Role.CSM)
    template_name = "funding/posts.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        start, end = selectors.financial_year(timezone.localdate())
        return super().get_context_data(posts=selectors.posts_with_figures(user=self.request.user, start=start, end=end),
                                        start=start, end=end, can_create=can_create(self.request.user, FundedPost), **kwargs)


class PostCreateView(ServiceFormView):
    access = CanCreate(FundedPost)
    form_class = PostForm

    def get_title(self) -> str:
        return _("Add a funded post")

    def back_url(self) -> str:
        return reverse("funding:posts")

    def get_form_kwargs(self) -> dict[str, Any]:
        la = managed_la(self.request.user)
        la_id = la.pk if la else None
        return {**super().get_form_kwargs(),
                "holders": services.role_holders_for_posts(local_authority=la) if la else School.objects.none(),
                "schools": School.objects.filter(local_authority_id=la_id, is_active=True),
                "awards": Award.objects.with_related().filter(local_authority_id=la_id)}

    def run(self, form: PostForm) -> str:
        la = managed_la(self.request.user)
        if la is None:
            raise ValidationError(_("You do not manage funding for a local authority."))
        data = dict(form.cleaned_data)
        data["schools"] = list(data.get("schools") or [])
        services.post_create(by=self.request.user, local_authority=la, **data)
        messages.success(self.request, _("The funded post has been added."))
        return reverse("funding:posts")


class SpendExportView(ScopedViewMixin, View):
    """Every spend record the user may see, as a workbook; the export is logged."""

    access = FUNDING_READERS

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = [
            [s.spent_on.isoformat(), s.allocation.award.stream.name, s.allocation.award.reference, s.allocation.recipient.name,
             s.get_category_display(), s.description, float(s.amount), s.created_by.full_name if s.created_by else ""]
            for s in selectors.spend_for(user=request.user)
        ]
        export_record(user=request.user, kind="funding_spend", row_count=len(rows), filters={}, remote_addr=request.META.get("REMOTE_ADDR"))
        header = [_("Date"), _("Funding stream"), _("Award reference"), _("School or cluster"), _("Category"), _("Description"),
                  _("Amount (£)"), _("Recorded by")]
        return xlsx_response(filename=f"spend-{timezone.localdate():%Y-%m-%d}.xlsx", sheets=[(_("Spend"), header, rows)])
