"""Reads about programmes, scoped by the access layer. List reads annotate their counts in one query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cymuned.access.policy import Action, visible_to
from cymuned.core.models import localised_order
from cymuned.families.models import Consent, ConsentPurpose

from .models import Attendance, Enrolment, EnrolmentStatus, Programme, Session


def with_place_counts(programmes: QuerySet[Programme]) -> QuerySet[Programme]:
    taken = (
        Enrolment.objects.filter(programme=OuterRef("pk"), status=EnrolmentStatus.ENROLLED)
        .values("programme").annotate(n=Sum("places")).values("n")
    )
    waiting = (
        Enrolment.objects.filter(programme=OuterRef("pk"), status=EnrolmentStatus.WAITING)
        .values("programme").annotate(n=Count("pk")).values("n")
    )
    next_session = Session.objects.filter(programme=OuterRef("pk"), cancelled=False, starts_at__gte=timezone.now()).order_by("starts_at")
    return programmes.annotate(
        places_taken=Coalesce(Subquery(taken, output_field=IntegerField()), Value(0)),
        waiting_count=Coalesce(Subquery(waiting, output_field=IntegerField()), Value(0)),
        next_session_at=Subquery(next_session.values("starts_at")[:1]),
    ).annotate(places_left=F("capacity") - F("places_taken"))


def public_programmes(*, kind: str = "", language: str = "", q: str = "") -> QuerySet[Programme]:
    """What the public may browse: published programmes that have not finished."""
    programmes = visible_to(None, Programme.objects.published().current().with_related(), Action.LIST)
    if kind:
        programmes = programmes.filter(kind=kind)
    if language:
        programmes = programmes.filter(delivery_language=language)
    if q:
        programmes = programmes.filter(
            Q(title_en__icontains=q) | Q(title_cy__icontains=q) | Q(description_en__icontains=q) | Q(description_cy__icontains=q)
            | Q(venue_en__icontains=q) | Q(venue_cy__icontains=q)
        )
    return with_place_counts(programmes).order_by("starts_on", localised_order("title"), "pk")


def programmes_run_by(*, user: Any, kind: str = "", include_finished: bool = False) -> QuerySet[Programme]:
    programmes = visible_to(user, Programme.objects.with_related(), Action.CHANGE)
    if not include_finished:
        programmes = programmes.current()
    if kind:
        programmes = programmes.filter(kind=kind)
    return with_place_counts(programmes).order_by("starts_on", localised_order("title"), "pk")


def sessions_of(*, programme: Programme) -> QuerySet[Session]:
    present = Count("attendances", filter=Q(attendances__mark__in=["present", "late"]))
    return programme.sessions.annotate(present_count=present).order_by("starts_at", "pk")


def enrolments_of(*, user: Any, programme: Programme) -> QuerySet[Enrolment]:
    enrolments = visible_to(user, Enrolment.objects.with_related(), Action.LIST).filter(programme=programme)
    return enrolments.annotate(
        sessions_attended=Count("attendances", filter=Q(attendances__mark__in=["present", "late"])),
    ).order_by("status", "created_on", "pk")


def register_for(*, user: Any, session: Session) -> list[tuple[Enrolment, str]]:
    """The people on a session's register with their mark so far ('' when not yet marked). Two queries.

    Each enrolment carries ``photo_consent``: whether the family's consent to photographs was in force that
    day (people signed up by the public have no household, so no consent is recorded for them).
    """
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark"))
    photos = Consent.objects.in_force(on=timezone.localtime(session.starts_at).date()).filter(
        household=OuterRef("household"), purpose=ConsentPurpose.PHOTOGRAPHS
    )
    enrolments = visible_to(user, Enrolment.objects.with_related().annotate(photo_consent=Exists(photos)), Action.LIST).filter(
        programme_id=session.programme_id, status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)
    ).order_by("participant_name", "learner__family_name", "learner__given_name", "pk")
    return [(enrolment, marks.get(enrolment.pk, "")) for enrolment in enrolments]


def first_session_start(programme: Programme) -> Any:
    return programme.sessions.filter(cancelled=False).aggregate(first=Min("starts_at"))["first"]


def enrolments_for_learner(*, user: Any, learner: Any) -> QuerySet[Enrolment]:
    """For a learner's page: the programmes they (or their household) are on that the user may see."""
    same = Q(learner=learner)
    if learner.household_id:
        same |= Q(household_id=learner.household_id)
    return visible_to(user, Enrolment.objects.select_related("programme"), Action.LIST).filter(same).order_by("-created_on")
