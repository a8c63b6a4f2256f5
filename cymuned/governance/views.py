"""Pages for memoranda of understanding, the governor network, the engagement log and community profiles."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from cymuned.access.policy import Action, can, can_create
from cymuned.access.principal import principal_for
from cymuned.access.views import CanCreate, HasRole, ObjectAccess, ScopedViewMixin
from cymuned.accounts.roles import Role
from cymuned.core.forms import apply_validation_error
from cymuned.funding.views import ServiceFormView
from cymuned.organisations.models import Cluster, Organisation, School

from . import panels, selectors, services
from .forms import (
    AttendanceForm,
    EngagementForm,
    HideForm,
    MeetingForm,
    MemorandumFilterForm,
    MemorandumForm,
    NoticeForm,
    PaperForm,
    ProfileCreateForm,
    ProfileForm,
    ReplyForm,
    ResourceForm,
    SignatoryForm,
    WimdImportForm,
)
from .models import (
    CommunityProfile,
    EngagementAudience,
    EngagementEvent,
    EngagementPaper,
    MemorandumOfUnderstanding,
    NetworkMeeting,
    NetworkResource,
    Notice,
    NoticeReply,
    WimdEdition,
)
from .pdf import memorandum_pdf
from .policies import LA_READERS, MANAGERS, NETWORK_ROLES, PARTY_ROLES, PROFILE_ROLES
from .wimd import WimdImportError, wimd_import


def _download(record: Any) -> HttpResponse:
    if not record.file:
        raise Http404
    response = FileResponse(record.file.open("rb"), as_attachment=True, filename=record.original_filename, content_type=record.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _la_organisations(user: Any) -> Any:
    la = services.managed_la(user)
    return Organisation.objects.filter(Q(pk=la.pk) | Q(local_authority_id=la.pk), is_active=True).order_by("kind", "name_en")


# --- Memoranda ------------------------------------------------------------------------------------------------


class MemorandumListView(ScopedViewMixin, TemplateView):
    access = HasRole(*PARTY_ROLES)
    template_name = "governance/mou_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = MemorandumFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        mous = selectors.memoranda_for(user=self.request.user, q=(filters.get("q") or "").strip(), status=filters.get("status", ""),
                                       partner_type=filters.get("partner_type", ""), review_due=bool(filters.get("review_due")))
        return super().get_context_data(form=form, page=Paginator(mous, 50).get_page(self.request.GET.get("page")),
                                        can_create=can_create(self.request.user, MemorandumOfUnderstanding), today=timezone.localdate(),
                                        **kwargs)


class MemorandumCreateView(ServiceFormView):
    access = CanCreate(MemorandumOfUnderstanding)
    form_class = MemorandumForm

    def get_title(self) -> str:
        return _("Add a memorandum of understanding")

    def back_url(self) -> str:
        return reverse("governance:mou-list")

    def get_form_kwargs(self) -> dict[str, Any]:
        la = services.managed_la(self.request.user)
        return {**super().get_form_kwargs(), "organisations": _la_organisations(self.request.user),
                "clusters": Cluster.objects.filter(local_authority_id=la.pk)}

    def run(self, form: MemorandumForm) -> str:
        data = dict(form.cleaned_data)
        mou = services.memorandum_create(by=self.request.user, parties=list(data.pop("parties")), clusters=list(data.pop("clusters")), **data)
        messages.success(self.request, _("The memorandum has been added. Add its signatories."))
        return reverse("governance:mou-detail", args=[mou.pk])


class MemorandumUpdateView(ServiceFormView):
    access = ObjectAccess(MemorandumOfUnderstanding, Action.CHANGE)
    form_class = MemorandumForm
    object: MemorandumOfUnderstanding

    def get_title(self) -> str:
        return _("Change the memorandum")

    def back_url(self) -> str:
        return reverse("governance:mou-detail", args=[self.object.pk])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object, "organisations": _la_organisations(self.request.user),
                "clusters": Cluster.objects.filter(local_authority_id=self.object.local_authority_id)}

    def run(self, form: MemorandumForm) -> str:
        data = dict(form.cleaned_data)
        data["parties"], data["clusters"] = list(data["parties"]), list(data["clusters"])
        services.memorandum_update(by=self.request.user, memorandum=self.object, **data)  # the service reads it afresh, locked
        messages.success(self.request, _("The memorandum has been updated."))
        return self.back_url()


class MemorandumDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(MemorandumOfUnderstanding)
    template_name = "governance/mou_detail.html"
    object: MemorandumOfUnderstanding

    def get_object_queryset(self) -> Any:
        return MemorandumOfUnderstanding.objects.with_related()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(mou=self.object, can_change=can(self.request.user, Action.CHANGE, self.object), **kwargs)


class SignatoryAddView(ServiceFormView):
    access = ObjectAccess(MemorandumOfUnderstanding, Action.CHANGE)
    form_class = SignatoryForm
    object: MemorandumOfUnderstanding

    def get_title(self) -> str:
        return _("Add a signatory")

    def back_url(self) -> str:
        return reverse("governance:mou-detail", args=[self.object.pk])

    def get_form_kwargs(self) -> dict[str, Any]:
        mou = self.object
        organisations = Organisation.objects.filter(
            Q(pk__in=mou.parties.values("pk")) | Q(pk=mou.local_authority_id)
            | Q(pk__in=School.objects.filter(cluster__in=mou.clusters.all()).values("pk"))).order_by("name_en")
        return {**super().get_form_kwargs(), "organisations": organisations}

    def run(self, form: SignatoryForm) -> str:
        services.signatory_add(by=self.request.user, memorandum=self.object, **form.cleaned_data)
        messages.success(self.request, _("The signatory has been added."))
        return self.back_url()


class MemorandumPdfView(ScopedViewMixin, View):
    access = ObjectAccess(MemorandumOfUnderstanding)
    object: MemorandumOfUnderstanding

    def get_object_queryset(self) -> Any:
        return MemorandumOfUnderstanding.objects.with_related()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        response = HttpResponse(memorandum_pdf(self.object), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="mou-{self.object.pk}-{slugify(self.object.title)[:40]}.pdf"'
        return response


# --- Governor network -----------------------------------------------------------------------------------------


def _network_la_id(user: Any) -> int | None:
    principal = principal_for(user)
    ids = sorted(principal.la_ids(LA_READERS) | {g.local_authority_id for g in principal.grants if g.role == Role.GOVERNOR})
    return ids[0] if ids else None


class NetworkView(ScopedViewMixin, TemplateView):
    """The community governor network: governors by school and role, meetings, shared resources and the notice board."""

    access = HasRole(*NETWORK_ROLES)
    template_name = "governance/network.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        la_id = _network_la_id(user)
        governors = list(services.governors_of(local_authority_id=la_id)) if la_id else []
        return super().get_context_data(
            governors=governors, meetings=selectors.meetings_for(user=user)[:20], resources=selectors.resources_for(user=user)[:50],
            notices=selectors.notices_for(user=user)[:30], can_manage=bool(principal_for(user).la_ids(MANAGERS)),
            can_post=can_create(user, Notice), **kwargs)


class MeetingCreateView(ServiceFormView):
    access = CanCreate(NetworkMeeting)
    form_class = MeetingForm

    def get_title(self) -> str:
        return _("Add a training or network meeting")

    def back_url(self) -> str:
        return reverse("governance:network")

    def run(self, form: MeetingForm) -> str:
        meeting = services.meeting_create(by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The meeting has been added. Record who attended after it."))
        return reverse("governance:meeting-detail", args=[meeting.pk])


class MeetingDetailView(ServiceFormView):
    """A meeting and who attended; the LA's lead and officers record the attendance here."""

    access = ObjectAccess(NetworkMeeting)
    form_class = AttendanceForm
    template_name = "governance/meeting_detail.html"
    object: NetworkMeeting

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = {**super().get_form_kwargs(), "governors": services.governors_of(local_authority_id=self.object.local_authority_id)}
        kwargs["initial"] = {"attendees": list(self.object.attendees.values_list("pk", flat=True))}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(meeting=self.object, can_change=can(self.request.user, Action.CHANGE, self.object),
                                        attendees=self.object.attendees.select_related("user", "organisation"), **kwargs)

    def run(self, form: AttendanceForm) -> str:
        services.meeting_set_attendance(by=self.request.user, meeting=self.object, attendees=list(form.cleaned_data["attendees"]))
        messages.success(self.request, _("Attendance has been recorded."))
        return reverse("governance:meeting-detail", args=[self.object.pk])


class ResourceCreateView(ServiceFormView):
    access = CanCreate(NetworkResource)
    form_class = ResourceForm

    def get_title(self) -> str:
        return _("Share a resource")

    def back_url(self) -> str:
        return reverse("governance:network")

    def run(self, form: ResourceForm) -> str:
        data = form.cleaned_data
        services.resource_add(by=self.request.user, title=data["title"], description=data["description"], upload=data.get("file"),
                              url=data.get("url") or "")
        messages.success(self.request, _("The resource has been shared with the network."))
        return self.back_url()


class ResourceDownloadView(ScopedViewMixin, View):
    access = ObjectAccess(NetworkResource)
    object: NetworkResource

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        if self.object.url and not self.object.file:
            return redirect(self.object.url)
        return _download(self.object)


class NoticeCreateView(ServiceFormView):
    access = CanCreate(Notice)
    form_class = NoticeForm

    def get_title(self) -> str:
        return _("Post a notice")

    def back_url(self) -> str:
        return reverse("governance:network")

    def run(self, form: NoticeForm) -> str:
        notice = services.notice_post(by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Your notice has been posted to the network."))
        return reverse("governance:notice-detail", args=[notice.pk])


class NoticeDetailView(ServiceFormView):
    """A notice and its replies; anyone in the network may reply."""

    access = ObjectAccess(Notice)
    form_class = ReplyForm
    template_name = "governance/notice_detail.html"
    object: Notice

    def get_object_queryset(self) -> Any:
        return Notice.objects.select_related("author")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(notice=self.object, replies=selectors.notice_replies(user=self.request.user, notice=self.object),
                                        can_moderate=can(self.request.user, Action.MODERATE, self.object), **kwargs)

    def run(self, form: ReplyForm) -> str:
        services.notice_reply(by=self.request.user, notice=self.object, body=form.cleaned_data["body"])
        messages.success(self.request, _("Your reply has been posted."))
        return reverse("governance:notice-detail", args=[self.object.pk])


class _HideView(ServiceFormView):
    form_class = HideForm

    def get_title(self) -> str:
        return _("Hide from the network")

    def run(self, form: HideForm) -> str:
        services.post_hide(by=self.request.user, post=self.object, reason=form.cleaned_data["reason"])
        messages.success(self.request, _("It has been hidden from the network."))
        return self.back_url()


class NoticeHideView(_HideView):
    access = ObjectAccess(Notice, Action.MODERATE)
    object: Notice

    def back_url(self) -> str:
        return reverse("governance:network")


class ReplyHideView(_HideView):
    access = ObjectAccess(NoticeReply, Action.MODERATE)
    object: NoticeReply

    def back_url(self) -> str:
        return reverse("governance:notice-detail", args=[self.object.notice_id])


# --- Engagement log -------------------------------------------------------------------------------------------


class EngagementListView(ScopedViewMixin, TemplateView):
    access = HasRole(*LA_READERS)
    template_name = "governance/engagement_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        audience = self.request.GET.get("audience", "")
        audience = audience if audience in EngagementAudience.values else ""
        return super().get_context_data(events=selectors.engagement_for(user=self.request.user, audience=audience), audience=audience,
                                        audiences=EngagementAudience.choices, can_create=can_create(self.request.user, EngagementEvent),
                                        **kwargs)


class EngagementCreateView(ServiceFormView):
    access = CanCreate(EngagementEvent)
    form_class = EngagementForm

    def get_title(self) -> str:
        return _("Add to the engagement log")

    def back_url(self) -> str:
        return reverse("governance:engagement-list")

    def run(self, form: EngagementForm) -> str:
        event = services.engagement_create(by=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("The engagement has been logged."))
        return reverse("governance:engagement-detail", args=[event.pk])


class EngagementDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(EngagementEvent)
    template_name = "governance/engagement_detail.html"
    object: EngagementEvent

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(event=self.object, papers=self.object.papers.all(),
                                        can_change=can(self.request.user, Action.CHANGE, self.object), **kwargs)


class PaperAddView(ServiceFormView):
    access = ObjectAccess(EngagementEvent, Action.CHANGE)
    form_class = PaperForm
    object: EngagementEvent

    def get_title(self) -> str:
        return _("Add a paper")

    def back_url(self) -> str:
        return reverse("governance:engagement-detail", args=[self.object.pk])

    def run(self, form: PaperForm) -> str:
        services.paper_add(by=self.request.user, event=self.object, title=form.cleaned_data["title"], upload=form.cleaned_data["file"])
        messages.success(self.request, _("The paper has been added."))
        return self.back_url()


class PaperDownloadView(ScopedViewMixin, View):
    access = ObjectAccess(EngagementPaper)
    object: EngagementPaper

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _download(self.object)


# --- Community profiles ---------------------------------------------------------------------------------------


class ProfileListView(ScopedViewMixin, TemplateView):
    access = HasRole(*LA_READERS, *PROFILE_ROLES)
    template_name = "governance/profile_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return super().get_context_data(profiles=selectors.profiles_for(user=user), can_create=can_create(user, CommunityProfile),
                                        can_import=can_create(user, WimdEdition), edition=panels.latest_edition(), **kwargs)


class ProfileCreateView(ServiceFormView):
    access = CanCreate(CommunityProfile)
    form_class = ProfileCreateForm

    def get_title(self) -> str:
        return _("Add a community profile")

    def back_url(self) -> str:
        return reverse("governance:profile-list")

    def get_form_kwargs(self) -> dict[str, Any]:
        la = services.managed_la(self.request.user)
        return {**super().get_form_kwargs(),
                "schools": School.objects.filter(local_authority_id=la.pk, is_active=True, community_profile__isnull=True),
                "clusters": Cluster.objects.filter(local_authority_id=la.pk, community_profile__isnull=True)}

    def run(self, form: ProfileCreateForm) -> str:
        data = form.cleaned_data
        profile = services.profile_create(by=self.request.user, school=data.get("school"), cluster=data.get("cluster"), notes=data["notes"],
                                          codes=services.parse_lsoa_codes(data["codes"]))
        messages.success(self.request, _("The community profile has been added."))
        return reverse("governance:profile-detail", args=[profile.pk])


class ProfileDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(CommunityProfile)
    template_name = "governance/profile_detail.html"
    object: CommunityProfile

    def get_object_queryset(self) -> Any:
        return CommunityProfile.objects.select_related("school__cluster", "cluster", "local_authority")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(profile=self.object, panels=panels.build_panels(profile=self.object, user=self.request.user),
                                        can_change=can(self.request.user, Action.CHANGE, self.object), **kwargs)


class ProfileUpdateView(ServiceFormView):
    access = ObjectAccess(CommunityProfile, Action.CHANGE)
    form_class = ProfileForm
    object: CommunityProfile

    def get_title(self) -> str:
        return _("Change the community profile")

    def back_url(self) -> str:
        return reverse("governance:profile-detail", args=[self.object.pk])

    def get_initial(self) -> dict[str, Any]:
        return {"codes": "\n".join(self.object.catchment.values_list("lsoa_code", flat=True)), "notes": self.object.notes}

    def run(self, form: ProfileForm) -> str:
        services.profile_update(by=self.request.user, profile=self.object, codes=services.parse_lsoa_codes(form.cleaned_data["codes"]),
                                notes=form.cleaned_data["notes"])
        messages.success(self.request, _("The community profile has been updated."))
        return self.back_url()


class WimdImportView(ServiceFormView):
    """Import WIMD ranks by small area from the published CSV: every row checked, all or nothing."""

    access = CanCreate(WimdEdition)
    form_class = WimdImportForm
    template_name = "governance/wimd_import.html"

    def get_title(self) -> str:
        return _("Import the Welsh Index of Multiple Deprivation")

    def back_url(self) -> str:
        return reverse("governance:profile-list")

    def form_valid(self, form: WimdImportForm) -> HttpResponse:
        data = form.cleaned_data
        upload = data["file"]
        try:
            edition = wimd_import(by=self.request.user, name=data["name"], content=upload.read(), filename=upload.name,
                                  is_synthetic=data["is_synthetic"], areas_in_wales=data["areas_in_wales"])
        except WimdImportError as error:
            return self.render_to_response(self.get_context_data(form=form, row_errors=error.errors))
        except ValidationError as error:  # pragma: no cover - the importer raises WimdImportError
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("%(count)s small areas of %(edition)s have been imported.")
                         % {"count": edition.areas.count(), "edition": edition.name})
        return redirect(self.back_url())
