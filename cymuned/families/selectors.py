from __future__ import annotations

import datetime
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery

from cymuned.access.policy import Action, can_create, visible_to
from cymuned.accounts.models import User
from cymuned.organisations.models import School

from .models import Contact, Episode, Household, Learner
from .services import normalise_upn

#: Families not contacted for this many weeks are flagged on caseloads.
NOT_CONTACTED_WEEKS = 4


def learners_for(*, user: Any, q: str = "", school_id: int | None = None, year_group: int | None = None) -> QuerySet[Learner]:
    learners = visible_to(user, Learner.objects.with_related(), Action.LIST).active()
    if q:
        learners = learners.filter(Q(given_name__icontains=q) | Q(family_name__icontains=q) | Q(upn=q.upper()))
    if school_id:
        learners = learners.filter(school_id=school_id)
    if year_group is not None:
        learners = learners.filter(year_group=year_group)
    return learners.order_by("family_name", "given_name", "pk")


def households_for(*, user: Any, q: str = "") -> QuerySet[Household]:
    households = visible_to(user, Household, Action.LIST).active()
    if q:
        households = households.filter(
            Q(reference__icontains=q) | Q(postcode__istartswith=q) | Q(carers__family_name__icontains=q) | Q(learners__family_name__icontains=q)
        ).distinct()
    return households.annotate(open_episodes=Count("episodes", filter=Q(episodes__closed_on__isnull=True), distinct=True)).order_by("reference", "pk")


def _with_contact_facts(episodes: QuerySet[Episode], today: datetime.date) -> QuerySet[Episode]:
    latest = Contact.objects.filter(episode=OuterRef("pk")).order_by("-happened_on", "-pk")
    stale_before = today - datetime.timedelta(weeks=NOT_CONTACTED_WEEKS)
    return episodes.annotate(
        last_contact=Subquery(latest.values("happened_on")[:1]),
        next_step_due=Subquery(latest.values("next_step_due")[:1]),
        next_steps=Subquery(latest.values("next_steps")[:1]),
    ).annotate(
        is_stale=ExpressionWrapper(
            Q(last_contact__isnull=True, opened_on__lt=stale_before) | Q(last_contact__lt=stale_before), output_field=BooleanField()
        ),
        is_due=ExpressionWrapper(Q(next_step_due__lte=today), output_field=BooleanField()),
    )


def caseload_for(*, user: Any, officer: User, today: datetime.date | None = None) -> QuerySet[Episode]:
    """An officer's open episodes with the last contact, the next step and its due date: overdue first."""
    today = today or datetime.date.today()
    episodes = visible_to(user, Episode.objects.with_related(), Action.LIST).open().filter(officer=officer)
    return _with_contact_facts(episodes, today).order_by("next_step_due", "last_contact", "pk")


def team_for(*, user: Any, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """Per officer in the user's reach: open episodes, next steps due and families not contacted lately. One query."""
    today = today or datetime.date.today()
    episodes = _with_contact_facts(visible_to(user, Episode, Action.LIST).open(), today)
    rows = episodes.values("officer_id", "officer__full_name").annotate(
        open_count=Count("pk"),
        due_count=Count("pk", filter=Q(is_due=True)),
        stale_count=Count("pk", filter=Q(is_stale=True)),
    ).order_by("officer__full_name")
    return list(rows)


def contacts_per_month(*, user: Any, since: datetime.date) -> list[dict[str, Any]]:
    from django.db.models.functions import TruncMonth

    contacts = visible_to(user, Contact, Action.LIST).filter(happened_on__gte=since)
    return list(contacts.annotate(month=TruncMonth("happened_on")).values("month").annotate(contacts=Count("pk")).order_by("month"))


def learner_by_upn(*, user: Any, upn: str) -> Learner | None:
    """The learner with this (normalised) UPN if the user may see them; None alike for missing and hidden."""
    return visible_to(user, Learner.objects.with_related()).filter(upn=normalise_upn(upn)).first()


def schools_for_new_learners(*, user: Any) -> QuerySet[School]:
    """The schools where the access layer lets the user add learners."""
    schools = visible_to(user, School).only("pk")
    return School.objects.filter(pk__in=[s.pk for s in schools if can_create(user, Learner, parent=s)]).order_by("name_en")
