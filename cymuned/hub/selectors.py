"""Reads about referrals: lists with service-level flags (a constant number of queries) and the dashboard's figures."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cymuned.access.policy import Action, visible_to
from cymuned.access.principal import principal_for
from cymuned.accounts.roles import Role

from .models import (
    FINAL_STATUSES,
    TRIAGE_STATUSES,
    AgreedAction,
    Need,
    Outcome,
    Referral,
    ReferralEvent,
    ReferralNeed,
    Status,
    TeamAroundFamilyMeeting,
)
from .policies import HUB_ROLES, REFERRER_ROLES, referrer_q


def _listed(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.with_related().with_sla().prefetch_related(Prefetch("need_rows", queryset=ReferralNeed.objects.order_by("need")))


def referrals_for_queue(*, user: Any, status: str = "", urgency: str = "", sla: str = "", partner_id: int | None = None,
                        review: bool = False) -> QuerySet[Referral]:
    """The hub coordinator's triage queue: the LA's referrals, waiting ones and the most urgent first."""
    referrals = visible_to(user, Referral, Action.LIST)
    if status == "waiting":
        referrals = referrals.filter(status__in=TRIAGE_STATUSES)
    elif status == "all":
        pass
    elif status in Status.values:
        referrals = referrals.filter(status=status)
    else:
        referrals = referrals.open()
    if urgency:
        referrals = referrals.filter(urgency=urgency)
    if partner_id:
        referrals = referrals.filter(partner_id=partner_id)
    if review:
        referrals = referrals.exclude(lawful_basis="").filter(override_reviewed_on__isnull=True)
    referrals = _listed(referrals)
    if sla == "breached":
        referrals = referrals.filter(sla_breached=True)
    return referrals.order_by("triage_due", "pk")


def referrals_made_by(*, user: Any, mine_only: bool = False) -> QuerySet[Referral]:
    """The referrals the user or their schools made."""
    principal = principal_for(user)
    referrals = visible_to(user, Referral, Action.LIST).filter(referrer_q(principal))
    if mine_only:
        referrals = referrals.filter(referred_by=user)
    return _listed(referrals).order_by("-submitted_on", "-pk")


def referrals_for_partner(*, user: Any, status: str = "") -> QuerySet[Referral]:
    """The referrals allocated to the user's partner organisation(s)."""
    principal = principal_for(user)
    referrals = visible_to(user, Referral, Action.LIST).filter(partner_id__in=sorted(principal.organisation_ids([Role.PARTNER_WORKER])))
    if status == "closed":
        referrals = referrals.filter(status__in=FINAL_STATUSES)
    elif status in Status.values:
        referrals = referrals.filter(status=status)
    else:
        referrals = referrals.open()
    return _listed(referrals).order_by("triage_due", "pk")


def events_for(*, user: Any, referral: Referral) -> QuerySet[ReferralEvent]:
    return visible_to(user, ReferralEvent, Action.LIST).filter(referral=referral).select_related("actor", "organisation")


def meetings_for(*, user: Any) -> QuerySet[TeamAroundFamilyMeeting]:
    return (visible_to(user, TeamAroundFamilyMeeting, Action.LIST).select_related("episode__household", "episode__school")
            .annotate(open_actions=Count("actions", filter=Q(actions__done_on__isnull=True))).order_by("-held_on", "-pk"))


def actions_for(*, meeting: TeamAroundFamilyMeeting) -> QuerySet[AgreedAction]:
    return meeting.actions.select_related("owner", "organisation")


def is_hub_user(user: Any) -> bool:
    return principal_for(user).has_role(*HUB_ROLES)


def is_referrer_user(user: Any) -> bool:
    return principal_for(user).has_role(*REFERRER_ROLES)


# --- The dashboard ---------------------------------------------------------------------------------------------------

def _since(months: int, today: datetime.date) -> datetime.datetime:
    first = today.replace(day=1)
    for _n in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))


def dashboard_figures(*, user: Any, months: int = 12, today: datetime.date | None = None) -> dict[str, Any]:
    """Every figure of the hub dashboard, each one GROUP BY query over the referrals the user may see."""
    today = today or timezone.localdate()
    since = _since(months, today)
    referrals = visible_to(user, Referral, Action.LIST).filter(submitted_on__gte=since)
    need_labels = dict(Need.choices)
    outcome_labels = dict(Outcome.choices)
    status_labels = dict(Status.choices)
    needs = ReferralNeed.objects.filter(referral__in=referrals.values("pk"))
    by_need = [
        {"key": r["need"], "label": str(need_labels.get(r["need"], r["need"])), "count": r["count"], "unmet": r["unmet"]}
        for r in needs.values("need").annotate(
            count=Count("pk"),
            unmet=Count("pk", filter=Q(referral__status=Status.DECLINED) | Q(referral__outcome=Outcome.NO_SERVICE)),
        ).order_by("-count", "need")
    ]
    by_school = list(referrals.values("school__name_en", "school__cluster__name_en").annotate(count=Count("pk"))
                     .order_by("school__cluster__name_en", "school__name_en"))
    by_cluster = list(referrals.values("school__cluster__name_en").annotate(count=Count("pk")).order_by("school__cluster__name_en"))
    by_partner = list(referrals.values("partner__name_en").annotate(
        count=Count("pk"), accepted=Count("pk", filter=Q(accepted_on__isnull=False)),
        closed=Count("pk", filter=Q(status=Status.CLOSED))).order_by("partner__name_en"))
    by_outcome = [{"label": str(outcome_labels.get(r["outcome"]) or status_labels.get(r["status"])), "count": r["count"]}
                  for r in referrals.filter(Q(status=Status.DECLINED) | ~Q(outcome="")).values("outcome", "status")
                  .annotate(count=Count("pk")).order_by("-count", "outcome")]
    sla = [
        {"month": r["month"], "count": r["count"], "triage_met": r["count"] - r["triage"], "triage": r["triage"],
         "contact": r["contact"], "outcome": r["outcome"],
         "met_percent": round(100 * (r["count"] - r["any"]) / r["count"]) if r["count"] else None}
        for r in referrals.with_sla().annotate(month=TruncMonth("submitted_on")).values("month").annotate(
            count=Count("pk"), triage=Count("pk", filter=Q(triage_breached=True)), contact=Count("pk", filter=Q(contact_breached=True)),
            outcome=Count("pk", filter=Q(outcome_breached=True)), any=Count("pk", filter=Q(sla_breached=True)),
        ).order_by("month")
    ]
    totals = referrals.with_sla().aggregate(
        total=Count("pk"), open=Count("pk", filter=~Q(status__in=FINAL_STATUSES)), breached=Count("pk", filter=Q(sla_breached=True)),
        declined=Count("pk", filter=Q(status=Status.DECLINED)), no_service=Count("pk", filter=Q(outcome=Outcome.NO_SERVICE)),
        review=Count("pk", filter=~Q(lawful_basis="") & Q(override_reviewed_on__isnull=True)),
    )
    return {"since": since, "by_need": by_need, "by_school": by_school, "by_cluster": by_cluster, "by_partner": by_partner,
            "by_outcome": by_outcome, "sla": sla, "totals": totals}
