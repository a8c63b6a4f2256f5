"""Writes for partnerships and governance: one transaction each; refusals are ValidationErrors with codes."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, can, can_create
from cymuned.access.principal import principal_for
from cymuned.accounts.models import Membership
from cymuned.accounts.roles import Role
from cymuned.core.services import notify
from cymuned.evaluation.services import EVIDENCE_TYPES, check_evidence_file
from cymuned.organisations.models import Cluster, LocalAuthority, Organisation, School

from .models import (
    LSOA_CODE,
    CatchmentArea,
    CommunityProfile,
    EngagementEvent,
    EngagementPaper,
    MemorandumOfUnderstanding,
    MouStatus,
    NetworkMeeting,
    NetworkResource,
    Notice,
    NoticeReply,
    Signatory,
)
from .policies import MANAGERS

#: How many days before its review date a memorandum's reminder goes.
REVIEW_REMINDER_DAYS = 30


def _require(user: Any, action: Action, obj: Any) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


def managed_la(user: Any) -> LocalAuthority:
    ids = sorted(principal_for(user).la_ids(MANAGERS))
    if not ids:
        raise PermissionDenied
    return LocalAuthority.objects.get(pk=ids[0])


def _network_la(user: Any) -> LocalAuthority:
    """The authority whose governor network the user takes part in (as LA staff, or as a governor of one of its schools)."""
    principal = principal_for(user)
    ids = sorted(principal.la_ids([Role.LA_LEAD, Role.LA_OFFICER, Role.HUB_COORDINATOR])
                 | {g.local_authority_id for g in principal.grants if g.role == Role.GOVERNOR})
    if not ids:
        raise PermissionDenied
    return LocalAuthority.objects.get(pk=ids[0])


def _date(value: datetime.date) -> str:
    return date_format(value, "j F Y")


# --- Memoranda ---------------------------------------------------------------------------------------------------


def _check_memorandum(*, local_authority: LocalAuthority, parties: list[Organisation], clusters: list[Cluster],
                      starts_on: datetime.date, review_on: datetime.date, ends_on: datetime.date | None) -> None:
    errors: dict[str, ValidationError] = {}
    if len(parties) + len(clusters) < 2:
        errors["parties"] = ValidationError(_("Choose at least two parties (organisations or clusters)."), code="too_few_parties")
    if any((p.local_authority_id or p.pk) != local_authority.pk for p in parties) or any(c.local_authority_id != local_authority.pk
                                                                                         for c in clusters):
        errors["parties"] = ValidationError(_("Choose parties of your local authority."), code="party_other_la")
    if review_on < starts_on:
        errors["review_on"] = ValidationError(_("The review date must be on or after the start date."), code="review_before_start")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = ValidationError(_("The end date must be on or after the start date."), code="end_before_start")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def memorandum_create(*, by: Any, title: str, purpose: str, commitments: str, starts_on: datetime.date, review_on: datetime.date,
                      parties: list[Organisation], clusters: list[Cluster] | None = None, data_sharing: str = "",
                      ends_on: datetime.date | None = None, status: str = MouStatus.DRAFT) -> MemorandumOfUnderstanding:
    if not can_create(by, MemorandumOfUnderstanding):
        raise PermissionDenied
    la = managed_la(by)
    parties, clusters = list(parties), list(clusters or [])
    _check_memorandum(local_authority=la, parties=parties, clusters=clusters, starts_on=starts_on, review_on=review_on, ends_on=ends_on)
    mou = MemorandumOfUnderstanding.objects.create(
        local_authority=la, title=title.strip(), purpose=purpose, commitments=commitments, data_sharing=data_sharing,
        starts_on=starts_on, review_on=review_on, ends_on=ends_on, status=status, created_by=by, modified_by=by)
    mou.parties.set(parties)
    mou.clusters.set(clusters)
    return mou


@transaction.atomic
def memorandum_update(*, by: Any, memorandum: MemorandumOfUnderstanding, **data: Any) -> MemorandumOfUnderstanding:
    mou = MemorandumOfUnderstanding.objects.select_for_update().get(pk=memorandum.pk)
    _require(by, Action.CHANGE, mou)
    parties = list(data.pop("parties", mou.parties.all()))
    clusters = list(data.pop("clusters", mou.clusters.all()))
    for field, value in data.items():
        setattr(mou, field, value)
    if mou.status not in MouStatus.values:
        raise ValidationError({"status": ValidationError(_("Choose a status from the list."), code="status_unknown")})
    _check_memorandum(local_authority=mou.local_authority, parties=parties, clusters=clusters, starts_on=mou.starts_on,
                      review_on=mou.review_on, ends_on=mou.ends_on)
    mou.modified_by = by
    mou.save()
    mou.parties.set(parties)
    mou.clusters.set(clusters)
    return mou


@transaction.atomic
def signatory_add(*, by: Any, memorandum: MemorandumOfUnderstanding, organisation: Organisation, name: str, position: str,
                  signed_on: datetime.date | None = None) -> Signatory:
    _require(by, Action.CHANGE, memorandum)
    is_party = (organisation.pk == memorandum.local_authority_id or memorandum.parties.filter(pk=organisation.pk).exists()
                or School.objects.filter(pk=organisation.pk, cluster__in=memorandum.clusters.all()).exists())
    if not is_party:
        raise ValidationError({"organisation": ValidationError(_("The signatory must sign for one of the parties."), code="not_a_party")})
    if signed_on is not None and signed_on > timezone.localdate():
        raise ValidationError({"signed_on": ValidationError(_("The date signed must be today or in the past."), code="signed_in_future")})
    return Signatory.objects.create(memorandum=memorandum, organisation=organisation, name=name.strip(), position=position.strip(),
                                    signed_on=signed_on, created_by=by, modified_by=by)


def _managers_of(local_authority_id: int) -> list[Any]:
    memberships = Membership.objects.current().filter(organisation_id=local_authority_id, role__in=MANAGERS, cluster__isnull=True,
                                                      user__is_active=True).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def review_reminders_send(*, today: datetime.date | None = None, within_days: int = REVIEW_REMINDER_DAYS) -> int:
    """Remind the LA's lead and officers (in the app and by email, in their language) of each active or under-review
    memorandum whose review date falls within ``within_days`` or has passed: once per review date."""
    today = today or timezone.localdate()
    due = MemorandumOfUnderstanding.objects.filter(status__in=[MouStatus.ACTIVE, MouStatus.UNDER_REVIEW],
                                                   review_on__lte=today + datetime.timedelta(days=within_days))
    count = 0
    recipients: dict[int, list[Any]] = {}
    for mou in due:
        if mou.reminded_for == mou.review_on:
            continue
        with transaction.atomic():
            locked = MemorandumOfUnderstanding.objects.select_for_update().get(pk=mou.pk)
            if locked.reminded_for == locked.review_on:
                continue
            url = reverse("governance:mou-detail", args=[mou.pk])
            if mou.local_authority_id not in recipients:
                recipients[mou.local_authority_id] = _managers_of(mou.local_authority_id)
            for user in recipients[mou.local_authority_id]:
                notify(user=user, url=url,
                       message=lambda m=mou: (_("The memorandum of understanding “%(title)s” was due for review on %(date)s.")
                                              if m.review_on < today else
                                              _("The memorandum of understanding “%(title)s” is due for review on %(date)s."))
                       % {"title": m.title, "date": _date(m.review_on)},
                       email_subject=lambda m=mou: _("Memorandum due for review: %(title)s") % {"title": m.title})
            locked.reminded_for = locked.review_on
            locked.save(update_fields=["reminded_for"])
            count += 1
    return count


# --- Governor network --------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(*, by: Any, held_on: datetime.date, kind: str, topic: str, venue: str = "", notes: str = "") -> NetworkMeeting:
    if not can_create(by, NetworkMeeting):
        raise PermissionDenied
    return NetworkMeeting.objects.create(local_authority=managed_la(by), held_on=held_on, kind=kind, topic=topic.strip(), venue=venue,
                                         notes=notes, created_by=by, modified_by=by)


def governors_of(*, local_authority_id: int) -> Any:
    """Current governor memberships at the authority's schools, with school and person, for the network directory."""
    return (Membership.objects.current().filter(role=Role.GOVERNOR, organisation__local_authority_id=local_authority_id,
                                                organisation__is_active=True)
            .select_related("user", "organisation").order_by("organisation__name_en", "governor_category", "user__full_name"))


@transaction.atomic
def meeting_set_attendance(*, by: Any, meeting: NetworkMeeting, attendees: list[Membership]) -> NetworkMeeting:
    _require(by, Action.CHANGE, meeting)
    allowed = set(governors_of(local_authority_id=meeting.local_authority_id).values_list("pk", flat=True))
    if any(m.pk not in allowed for m in attendees):
        raise ValidationError({"attendees": ValidationError(_("Choose governors of the authority's schools."), code="not_a_governor")})
    meeting.attendees.set(attendees)
    return meeting


def _stored(record: Any, upload: UploadedFile) -> None:
    extension = check_evidence_file(upload)
    record.original_filename = upload.name[:255]
    record.content_type = EVIDENCE_TYPES[extension][0][0]
    record.size = upload.size
    record.file = upload


@transaction.atomic
def resource_add(*, by: Any, title: str, description: str = "", upload: UploadedFile | None = None, url: str = "") -> NetworkResource:
    if not can_create(by, NetworkResource):
        raise PermissionDenied
    if (upload is None) == (not url):
        raise ValidationError({"file": ValidationError(_("Attach a file or enter a web address, not both."), code="file_or_link")})
    resource = NetworkResource(local_authority=managed_la(by), title=title.strip(), description=description, url=url,
                               created_by=by, modified_by=by)
    if upload is not None:
        _stored(resource, upload)
    resource.save()
    return resource


@transaction.atomic
def notice_post(*, by: Any, title: str, body: str) -> Notice:
    if not can_create(by, Notice):
        raise PermissionDenied
    if not body.strip():
        raise ValidationError({"body": ValidationError(_("Enter your message."), code="body_empty")})
    return Notice.objects.create(local_authority=_network_la(by), author=by, title=title.strip(), body=body.strip(),
                                 created_by=by, modified_by=by)


@transaction.atomic
def notice_reply(*, by: Any, notice: Notice, body: str) -> NoticeReply:
    _require(by, Action.VIEW, notice)
    if notice.hidden_on is not None:
        raise ValidationError({"body": ValidationError(_("This notice has been hidden and takes no more replies."), code="notice_hidden")})
    if not body.strip():
        raise ValidationError({"body": ValidationError(_("Enter your reply."), code="body_empty")})
    return NoticeReply.objects.create(notice=notice, author=by, body=body.strip(), created_by=by, modified_by=by)


@transaction.atomic
def post_hide(*, by: Any, post: Notice | NoticeReply, reason: str) -> Notice | NoticeReply:
    """Moderation: hide a notice or a reply from the network (kept, with the reason, for the record)."""
    _require(by, Action.MODERATE, post)
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(_("Give a reason for hiding it."), code="reason_required")})
    post.hidden_on = timezone.now()
    post.hidden_reason = reason.strip()[:300]
    post.modified_by = by
    post.save(update_fields=["hidden_on", "hidden_reason", "modified_by", "modified_on"])
    return post


# --- Engagement log ----------------------------------------------------------------------------------------------


@transaction.atomic
def engagement_create(*, by: Any, held_on: datetime.date, audience: str, title: str, summary: str = "", outcomes: str = "") -> EngagementEvent:
    if not can_create(by, EngagementEvent):
        raise PermissionDenied
    return EngagementEvent.objects.create(local_authority=managed_la(by), held_on=held_on, audience=audience, title=title.strip(),
                                          summary=summary, outcomes=outcomes, created_by=by, modified_by=by)


@transaction.atomic
def paper_add(*, by: Any, event: EngagementEvent, title: str, upload: UploadedFile | None) -> EngagementPaper:
    _require(by, Action.CHANGE, event)
    if upload is None:
        raise ValidationError({"file": ValidationError(_("Select a file."), code="file_required")})
    paper = EngagementPaper(event=event, title=title.strip(), created_by=by, modified_by=by)
    _stored(paper, upload)
    paper.save()
    return paper


# --- Community profiles ------------------------------------------------------------------------------------------

CODE_SPLIT = re.compile(r"[\s,;]+")


def parse_lsoa_codes(text: str) -> list[str]:
    """Small area codes from free text (commas, spaces or new lines between them), upper-cased, each checked."""
    codes = sorted({c.strip().upper() for c in CODE_SPLIT.split(text or "") if c.strip()})
    bad = []
    for code in codes:
        try:
            LSOA_CODE(code)
        except ValidationError:
            bad.append(code)
    if bad:
        raise ValidationError({"codes": ValidationError(
            _("These are not Welsh small area (LSOA) codes: %(codes)s. Each is W01 and six digits, for example W01001290.")
            % {"codes": ", ".join(bad[:10])}, code="lsoa_invalid")})
    return codes


@transaction.atomic
def profile_create(*, by: Any, school: School | None = None, cluster: Cluster | None = None, notes: str = "",
                   codes: list[str] | None = None) -> CommunityProfile:
    if not can_create(by, CommunityProfile):
        raise PermissionDenied
    la = managed_la(by)
    if (school is None) == (cluster is None):
        raise ValidationError({"school": ValidationError(_("Choose a school or a cluster, not both."), code="subject")})
    subject_la = school.local_authority_id if school is not None else cluster.local_authority_id  # type: ignore[union-attr]
    if subject_la != la.pk:
        raise ValidationError({"school": ValidationError(_("Choose a school or cluster of your local authority."), code="subject_other_la")})
    if CommunityProfile.objects.filter(school=school, cluster=cluster).exists():
        raise ValidationError({"school": ValidationError(_("It already has a community profile."), code="profile_exists")})
    profile = CommunityProfile.objects.create(local_authority=la, school=school, cluster=cluster, notes=notes, created_by=by, modified_by=by)
    CatchmentArea.objects.bulk_create([CatchmentArea(profile=profile, lsoa_code=c) for c in codes or []])
    return profile


@transaction.atomic
def profile_update(*, by: Any, profile: CommunityProfile, codes: list[str], notes: str) -> CommunityProfile:
    _require(by, Action.CHANGE, profile)
    profile.notes = notes
    profile.modified_by = by
    profile.save()
    profile.catchment.exclude(lsoa_code__in=codes).delete()
    have = set(profile.catchment.values_list("lsoa_code", flat=True))
    CatchmentArea.objects.bulk_create([CatchmentArea(profile=profile, lsoa_code=c) for c in codes if c not in have])
    return profile
