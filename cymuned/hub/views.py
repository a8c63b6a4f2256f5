from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from cymuned.access.policy import Action, get_object_for_user, visible_to
from cymuned.access.principal import principal_for
from cymuned.access.views import CanCreate, HasRole, ObjectAccess, ScopedViewMixin
from cymuned.accounts.roles import Role
from cymuned.audit.services import export_record, record_read, record_reads
from cymuned.core.exports import xlsx_response
from cymuned.core.forms import apply_validation_error
from cymuned.families.models import Episode, Household, Learner
from cymuned.programmes.reports import PALETTE, chart

from . import selectors, services
from .forms import (
    ActionForm,
    AllocateForm,
    AttendeeForm,
    HouseholdPickForm,
    MeetingForm,
    NoteForm,
    OutcomeForm,
    QueueFilterForm,
    ReferralForm,
    ServiceLevelForm,
    TextForm,
)
from .minimisation import shared_view
from .models import DEFAULT_SERVICE_LEVELS, AgreedAction, Referral, ServiceLevel, TeamAroundFamilyMeeting, Urgency
from .policies import HUB_ROLES, REFERRER_ROLES


def _la_ids(user: Any) -> frozenset[int]:
    return principal_for(user).member_la_ids()


def _page(request: HttpRequest, queryset: Any) -> Any:
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    record_reads(instances=list(page.object_list))
    return page


class ReferralCreateView(ScopedViewMixin, TemplateView):
    """Make a referral: from a learner's or family's page (``?learner=`` / ``?household=``), or pick the family first."""

    access = CanCreate(Referral)
    template_name = "hub/referral_form.html"

    def _household(self) -> tuple[Household | None, Learner | None]:
        learner_id, household_id = self.request.GET.get("learner"), self.request.GET.get("household")
        if learner_id:
            learner = get_object_for_user(self.request.user, Learner, pk=learner_id)
            if learner.household_id is None:
                return None, learner
            return get_object_for_user(self.request.user, Household, pk=learner.household_id), learner
        if household_id:
            return get_object_for_user(self.request.user, Household, pk=household_id), None
        return None, None

    def _form(self, household: Household, learner: Learner | None, data: Any = None) -> ReferralForm:
        return ReferralForm(data, user=self.request.user, household=household, local_authority_ids=_la_ids(self.request.user),
                            initial={"learner": learner.pk if learner else None, "urgency": "routine"})

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        household, learner = self._household()
        if household is None:
            return self.render_to_response(self.get_context_data(pick=HouseholdPickForm(user=request.user), learner=learner))
        return self.render_to_response(self.get_context_data(form=self._form(household, learner), household=household))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        household, learner = self._household()
        if household is None:
            return redirect(reverse("hub:referral-new"))
        form = self._form(household, learner, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                referral = services.referral_make(
                    by=request.user, household=household, learner=data["learner"], partner=data["partner"], service=data["service"],
                    needs=data["needs"],
                    urgency=data["urgency"], details=data["details"], family_knows=data["family_knows"], family_wants=data["family_wants"],
                    consent=data["consent"], lawful_basis=data["lawful_basis"], override_justification=data["override_justification"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("Referral %(reference)s has been sent. You will be told when it is accepted and of its outcome.")
                                 % {"reference": referral.reference})
                return redirect(reverse("hub:referral-detail", args=[referral.pk]))
        return self.render_to_response(self.get_context_data(form=form, household=household))


class MyReferralsView(ScopedViewMixin, TemplateView):
    access = HasRole(*REFERRER_ROLES)
    template_name = "hub/referral_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        mine = self.request.GET.get("mine") == "1"
        page = _page(self.request, selectors.referrals_made_by(user=self.request.user, mine_only=mine))
        return super().get_context_data(page=page, mine=mine, **kwargs)


class QueueView(ScopedViewMixin, TemplateView):
    """The hub coordinator's triage queue."""

    access = HasRole(*HUB_ROLES)
    template_name = "hub/queue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = QueueFilterForm(self.request.GET or None, local_authority_ids=_la_ids(self.request.user))
        f = form.cleaned_data if form.is_valid() else {}
        referrals = selectors.referrals_for_queue(
            user=self.request.user, status=f.get("status") or "", urgency=f.get("urgency") or "", sla=f.get("sla") or "",
            partner_id=f["partner"].pk if f.get("partner") else None, review=bool(f.get("review")))
        return super().get_context_data(form=form, page=_page(self.request, referrals), **kwargs)


class PartnerPortalView(ScopedViewMixin, TemplateView):
    """The partner portal: the referrals allocated to the user's organisation."""

    access = HasRole(Role.PARTNER_WORKER)
    template_name = "hub/partner.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        status = (self.request.GET.get("status") or "")[:20]
        page = _page(self.request, selectors.referrals_for_partner(user=self.request.user, status=status))
        return super().get_context_data(page=page, status=status, **kwargs)


#: action -> (form class, service call, success message)
def _act(request: HttpRequest, referral: Referral, action: str, form: Any) -> Any:
    d, by = form.cleaned_data, request.user
    if action == "accept":
        return services.referral_accept(by=by, referral=referral, note=d["text"])
    if action == "allocate":
        return services.referral_allocate(by=by, referral=referral, partner=d["partner"], service=d["service"], note=d["note"])
    if action == "ask":
        return services.referral_request_info(by=by, referral=referral, question=d["text"])
    if action == "decline":
        return services.referral_decline(by=by, referral=referral, reason=d["text"])
    if action == "review":
        return services.referral_review_override(by=by, referral=referral, note=d["text"])
    if action == "answer":
        return services.referral_give_info(by=by, referral=referral, answer=d["text"])
    if action == "partner_accept":
        return services.referral_partner_accept(by=by, referral=referral, note=d["text"])
    if action == "partner_decline":
        return services.referral_partner_decline(by=by, referral=referral, reason=d["text"])
    if action == "first_contact":
        return services.referral_first_contact(by=by, referral=referral, note=d["text"])
    if action == "note":
        return services.referral_add_note(by=by, referral=referral, text=d["text"], visible_to_partner=d["visible_to_partner"])
    if action == "outcome":
        return services.referral_record_outcome(by=by, referral=referral, outcome=d["outcome"], notes=d["notes"])
    if action == "close":
        return services.referral_close(by=by, referral=referral, outcome=d.get("outcome") or "", notes=d.get("notes") or "")
    raise ValueError(action)


class _OptionalText(TextForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False


def _forms_for(actions: set[str], user: Any, referral: Referral, data: Any = None, only: str = "") -> dict[str, Any]:
    """One unbound form per allowed action (bound for the one posted)."""
    def bound(name: str) -> Any:
        return data if name == only else None

    builders = {
        "accept": lambda: _OptionalText(bound("accept"), prefix="accept"),
        "allocate": lambda: AllocateForm(bound("allocate"), prefix="allocate", local_authority_ids=[referral.local_authority_id]),
        "ask": lambda: TextForm(bound("ask"), prefix="ask"),
        "decline": lambda: TextForm(bound("decline"), prefix="decline"),
        "review": lambda: _OptionalText(bound("review"), prefix="review"),
        "answer": lambda: TextForm(bound("answer"), prefix="answer"),
        "partner_accept": lambda: _OptionalText(bound("partner_accept"), prefix="partner_accept"),
        "partner_decline": lambda: TextForm(bound("partner_decline"), prefix="partner_decline"),
        "first_contact": lambda: _OptionalText(bound("first_contact"), prefix="first_contact"),
        "note": lambda: NoteForm(bound("note"), prefix="note"),
        "outcome": lambda: OutcomeForm(bound("outcome"), prefix="outcome"),
        "close": lambda: (OutcomeForm(bound("close"), prefix="close") if referral.status != "outcome_recorded"
                          else _OptionalText(bound("close"), prefix="close")),
    }
    return {name: builders[name]() for name in builders if name in actions}


class ReferralDetailView(ScopedViewMixin, TemplateView):
    """A referral with its timeline and the actions the user may take; a partner sees only what consent allows."""

    access = ObjectAccess(Referral)
    template_name = "hub/referral_detail.html"
    object: Referral

    def get_object_queryset(self) -> Any:
        return Referral.objects.with_related().with_sla().prefetch_related("need_rows", "household__carers")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user, referral = self.request.user, self.object
        record_read(instance=referral)
        actions = services.allowed_actions(user, referral)
        forms = kwargs.pop("forms", None) or _forms_for(actions, user, referral)
        return super().get_context_data(
            referral=referral, fields=shared_view(user, referral), events=selectors.events_for(user=user, referral=referral),
            forms=forms, is_hub=services.is_hub(user, referral), **kwargs)


class ReferralActView(ScopedViewMixin, View):
    """Every action on a referral posts here (``action`` names it); errors come back on the referral's page."""

    access = ObjectAccess(Referral, Action.CHANGE)
    object: Referral

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return redirect(reverse("hub:referral-detail", args=[pk]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        referral = self.object
        action = request.POST.get("action", "")
        actions = services.allowed_actions(request.user, referral)
        if action not in actions:
            messages.error(request, _("This cannot be done to the referral now. It may have changed: check its timeline."))
            return redirect(reverse("hub:referral-detail", args=[pk]))
        forms = _forms_for(actions, request.user, referral, request.POST, only=action)
        form = forms[action]
        if form.is_valid():
            try:
                _act(request, referral, action, form)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    apply_validation_error(form, error)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, _("The referral has been updated."))
                return redirect(reverse("hub:referral-detail", args=[pk]))
        view = ReferralDetailView(request=request, kwargs={"pk": pk}, args=())
        view.object = Referral.objects.with_related().with_sla().prefetch_related("need_rows", "household__carers").get(pk=pk)
        context = view.get_context_data(forms=forms, failed=action)
        return view.render_to_response(context, status=400)


class DashboardView(ScopedViewMixin, TemplateView):
    access = HasRole(*HUB_ROLES)
    template_name = "hub/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        f = selectors.dashboard_figures(user=self.request.user)
        from django.utils.formats import date_format

        months = [date_format(r["month"], "M Y") for r in f["sla"]]
        charts = {
            "need": chart([r["label"] for r in f["by_need"]], [(_("Referrals"), [r["count"] for r in f["by_need"]], PALETTE[0]),
                                                                (_("Unmet"), [r["unmet"] for r in f["by_need"]], PALETTE[4])],
                          _("Referrals"), stacked=False, horizontal=True),
            "partner": chart([r["partner__name_en"] or _("The hub") for r in f["by_partner"]],
                             [(_("Referrals"), [r["count"] for r in f["by_partner"]], PALETTE[0])], _("Referrals"), horizontal=True),
            "sla": chart(months, [(_("Triage missed"), [r["triage"] for r in f["sla"]], PALETTE[1]),
                                  (_("First contact missed"), [r["contact"] for r in f["sla"]], PALETTE[4]),
                                  (_("Outcome missed"), [r["outcome"] for r in f["sla"]], PALETTE[3])], _("Referrals"), stacked=False),
        }
        return super().get_context_data(figures=f, charts=charts, **kwargs)


class DashboardExportView(ScopedViewMixin, View):
    access = HasRole(*HUB_ROLES)

    def get(self, request: HttpRequest) -> HttpResponse:
        f = selectors.dashboard_figures(user=request.user)
        sheets = [
            (_("By need"), [_("Need"), _("Referrals"), _("Unmet")], [[r["label"], r["count"], r["unmet"]] for r in f["by_need"]]),
            (_("By school"), [_("Cluster"), _("School"), _("Referrals")],
             [[r["school__cluster__name_en"] or "", r["school__name_en"], r["count"]] for r in f["by_school"]]),
            (_("By partner"), [_("Partner"), _("Referrals"), _("Accepted"), _("Closed")],
             [[r["partner__name_en"] or _("The hub"), r["count"], r["accepted"], r["closed"]] for r in f["by_partner"]]),
            (_("By outcome"), [_("Outcome"), _("Referrals")], [[r["label"], r["count"]] for r in f["by_outcome"]]),
            (_("Service levels"), [_("Month"), _("Referrals"), _("Triage missed"), _("First contact missed"), _("Outcome missed"), _("Met every target")],
             [[r["month"].strftime("%Y-%m"), r["count"], r["triage"], r["contact"], r["outcome"], r["met_percent"] if r["met_percent"] is not None else ""]
              for r in f["sla"]]),
        ]
        rows = sum(len(list(s[2])) for s in sheets)
        export_record(user=request.user, kind="hub-dashboard-xlsx", row_count=rows, filters={}, remote_addr=request.META.get("REMOTE_ADDR"))
        return xlsx_response(filename="cymuned-hub-dashboard.xlsx", sheets=sheets)


class ServiceLevelsView(ScopedViewMixin, TemplateView):
    """The LA's targets by urgency; changing one applies to referrals made from then on."""

    access = HasRole(Role.HUB_COORDINATOR, Role.LA_LEAD)
    template_name = "hub/service_levels.html"

    def _la_id(self) -> int | None:
        ids = principal_for(self.request.user).la_ids(HUB_ROLES)
        return min(ids) if ids else None

    def _forms(self, data: Any = None, only: str = "") -> dict[str, ServiceLevelForm]:
        current = {s.urgency: s for s in visible_to(self.request.user, ServiceLevel).filter(local_authority_id=self._la_id())}
        forms = {}
        for urgency in Urgency.values:
            level = current.get(urgency)
            hours, contact, outcome = ((level.hours_to_triage, level.days_to_first_contact, level.days_to_outcome) if level
                                       else DEFAULT_SERVICE_LEVELS[Urgency(urgency)])
            forms[urgency] = ServiceLevelForm(data if urgency == only else None, prefix=urgency, initial={
                "hours_to_triage": hours, "days_to_first_contact": contact, "days_to_outcome": outcome})
        return forms

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        forms = kwargs.pop("forms", None) or self._forms()
        return super().get_context_data(rows=[(Urgency(u).label, u, f) for u, f in forms.items()], has_la=self._la_id() is not None,
                                        **kwargs)

    def post(self, request: HttpRequest) -> HttpResponse:
        urgency = request.POST.get("urgency", "")
        forms = self._forms(request.POST, urgency)
        form = forms.get(urgency)
        if form is not None and form.is_valid() and self._la_id() is not None:
            try:
                services.service_level_set(by=request.user, local_authority_id=self._la_id(), urgency=urgency, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The service levels have been saved. They apply to referrals made from now on."))
                return redirect(reverse("hub:service-levels"))
        return self.render_to_response(self.get_context_data(forms=forms), status=400)


# --- Team Around the Family ------------------------------------------------------------------------------------------

class MeetingListView(ScopedViewMixin, TemplateView):
    access = HasRole(Role.FEO, Role.HEADTEACHER, Role.CSM, Role.SCHOOL_STAFF, Role.PARTNER_WORKER, *HUB_ROLES)
    template_name = "hub/meeting_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        page = _page(self.request, selectors.meetings_for(user=self.request.user))
        return super().get_context_data(page=page, today=timezone.localdate(), **kwargs)


class MeetingCreateView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Episode, Action.CHANGE)
    template_name = "hub/meeting_form.html"
    object: Episode

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("form", MeetingForm(initial={"held_on": timezone.localdate()}))
        return super().get_context_data(episode=self.object, **kwargs)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.meeting_create(by=request.user, episode=self.object, **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, _("The meeting has been recorded. Add who was there and the actions agreed."))
                return redirect(reverse("hub:meeting-detail", args=[meeting.pk]))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MeetingDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(TeamAroundFamilyMeeting)
    template_name = "hub/meeting_detail.html"
    object: TeamAroundFamilyMeeting

    def get_object_queryset(self) -> Any:
        return TeamAroundFamilyMeeting.objects.select_related("episode__household", "episode__school", "episode__officer")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from cymuned.access.policy import can

        meeting = self.object
        record_read(instance=meeting)
        la_ids = [meeting.episode.school.local_authority_id]
        can_change = can(self.request.user, Action.CHANGE, meeting)
        return super().get_context_data(
            meeting=meeting, attendees=meeting.attendees.select_related("organisation", "user"),
            actions=selectors.actions_for(meeting=meeting), can_change=can_change, today=timezone.localdate(),
            attendee_form=kwargs.pop("attendee_form", None) or AttendeeForm(prefix="attendee", local_authority_ids=la_ids),
            action_form=kwargs.pop("action_form", None) or ActionForm(prefix="action", local_authority_ids=la_ids), **kwargs)


class MeetingActView(ScopedViewMixin, View):
    access = ObjectAccess(TeamAroundFamilyMeeting, Action.CHANGE)
    object: TeamAroundFamilyMeeting

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return redirect(reverse("hub:meeting-detail", args=[pk]))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting, what = self.object, request.POST.get("what", "")
        la_ids = [meeting.episode.school.local_authority_id]
        attendee_form = AttendeeForm(request.POST if what == "attendee" else None, prefix="attendee", local_authority_ids=la_ids)
        action_form = ActionForm(request.POST if what == "action" else None, prefix="action", local_authority_ids=la_ids)
        try:
            if what == "attendee" and attendee_form.is_valid():
                services.attendee_add(by=request.user, meeting=meeting, **attendee_form.cleaned_data)
                return redirect(reverse("hub:meeting-detail", args=[pk]))
            if what == "action" and action_form.is_valid():
                services.action_agree(by=request.user, meeting=meeting, **action_form.cleaned_data)
                return redirect(reverse("hub:meeting-detail", args=[pk]))
            if what == "done":
                action = get_object_for_user(request.user, AgreedAction.objects.filter(meeting=meeting), Action.CHANGE,
                                             pk=request.POST.get("action_id"))
                services.action_mark_done(by=request.user, action=action)
                return redirect(reverse("hub:meeting-detail", args=[pk]))
        except ValidationError as error:
            apply_validation_error(attendee_form if what == "attendee" else action_form, error)
        view = MeetingDetailView(request=request, kwargs={"pk": pk}, args=())
        view.object = meeting
        return view.render_to_response(view.get_context_data(attendee_form=attendee_form, action_form=action_form), status=400)


