"""Reads for partnerships and governance, each a fixed number of queries."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cymuned.access.policy import Action, visible_to
from cymuned.organisations.models import Partner

from .models import (
    CommunityProfile,
    EngagementEvent,
    MemorandumOfUnderstanding,
    NetworkMeeting,
    NetworkResource,
    Notice,
    NoticeReply,
)


def memoranda_for(*, user: Any, q: str = "", status: str = "", partner_type: str = "", review_due: bool = False
                  ) -> QuerySet[MemorandumOfUnderstanding]:
    mous = visible_to(user, MemorandumOfUnderstanding.objects.with_related(), Action.LIST)
    if q:
        mous = mous.filter(Q(title__icontains=q) | Q(purpose__icontains=q))
    if status:
        mous = mous.filter(status=status)
    if partner_type:
        mous = mous.filter(pk__in=MemorandumOfUnderstanding.parties.through.objects.filter(
            organisation__in=Partner.objects.filter(partner_type=partner_type).values("pk")).values("memorandumofunderstanding_id"))
    if review_due:
        mous = mous.filter(review_on__lte=timezone.localdate() + datetime.timedelta(days=92))
    return mous.order_by("review_on", "title")


def notices_for(*, user: Any) -> QuerySet[Notice]:
    replies = visible_to(user, NoticeReply, Action.LIST)
    return (visible_to(user, Notice.objects.select_related("author"), Action.LIST)
            .annotate(reply_count=Count("replies", filter=Q(replies__in=replies.values("pk")))))


def notice_replies(*, user: Any, notice: Notice) -> QuerySet[NoticeReply]:
    return visible_to(user, NoticeReply.objects.select_related("author"), Action.LIST).filter(notice=notice)


def meetings_for(*, user: Any) -> QuerySet[NetworkMeeting]:
    return visible_to(user, NetworkMeeting, Action.LIST).annotate(attended=Count("attendees"))


def resources_for(*, user: Any) -> QuerySet[NetworkResource]:
    return visible_to(user, NetworkResource, Action.LIST)


def engagement_for(*, user: Any, audience: str = "") -> QuerySet[EngagementEvent]:
    events = visible_to(user, EngagementEvent, Action.LIST).prefetch_related("papers")
    return events.filter(audience=audience) if audience else events


def profiles_for(*, user: Any) -> QuerySet[CommunityProfile]:
    return (visible_to(user, CommunityProfile.objects.select_related("school__cluster", "cluster"), Action.LIST)
            .annotate(area_count=Count("catchment")))
