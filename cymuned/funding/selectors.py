"""Reads for grants: lists with their totals, the overview, funded posts with the work they do, and the summary the
Council report uses. Every function runs a fixed number of queries whatever the number of rows (sums are
subqueries, figures from other domains are grouped queries)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Func, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cymuned.access.policy import Action, visible_to
from cymuned.organisations.models import LocalAuthority

from .models import Allocation, Award, Claim, ClaimStatus, FundedPost, FundingStream, PostKind, Spend

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
#: Claims due within this many days count as "due soon" in the summary.
DUE_SOON_DAYS = 30


def _sum(queryset: QuerySet, field: str = "amount") -> Coalesce:
    """The sum of ``field`` over a correlated queryset, as a subquery (0 when there are no rows)."""
    total = queryset.order_by().annotate(t=Func(F(field), function="SUM")).values("t")
    return Coalesce(Subquery(total, output_field=DecimalField(max_digits=14, decimal_places=2)), ZERO)


def awards_with_totals(queryset: QuerySet[Award], *, spent_until: datetime.date | None = None) -> QuerySet[Award]:
    """Awards with ``allocated`` and ``spent`` (to ``spent_until`` if given) and ``unallocated``."""
    spend = Spend.objects.filter(allocation__award=OuterRef("pk"))
    if spent_until is not None:
        spend = spend.filter(spent_on__lte=spent_until)
    return queryset.annotate(
        allocated=_sum(Allocation.objects.filter(award=OuterRef("pk"))),
        spent=_sum(spend),
    ).annotate(unallocated=ExpressionWrapper(F("amount") - F("allocated"), output_field=DecimalField(max_digits=14, decimal_places=2)))


def allocations_with_spend(queryset: QuerySet[Allocation], *, spent_until: datetime.date | None = None) -> QuerySet[Allocation]:
    spend = Spend.objects.filter(allocation=OuterRef("pk"))
    if spent_until is not None:
        spend = spend.filter(spent_on__lte=spent_until)
    return queryset.annotate(spent=_sum(spend)).annotate(
        left=ExpressionWrapper(F("amount") - F("spent"), output_field=DecimalField(max_digits=14, decimal_places=2)))


def streams_for(*, user: Any) -> QuerySet[FundingStream]:
    return visible_to(user, FundingStream, Action.LIST).select_related("local_authority").annotate(award_count=Count("awards"))


def awards_for(*, user: Any, stream: int | None = None, current_on: datetime.date | None = None) -> QuerySet[Award]:
    awards = visible_to(user, Award.objects.with_related(), Action.LIST)
    if stream:
        awards = awards.filter(stream_id=stream)
    if current_on:
        awards = awards.filter(starts_on__lte=current_on, ends_on__gte=current_on)
    return awards_with_totals(awards)


def allocations_for(*, user: Any, award: Award | None = None) -> QuerySet[Allocation]:
    allocations = visible_to(user, Allocation.objects.with_related(), Action.LIST)
    if award is not None:
        allocations = allocations.filter(award=award)
    return allocations_with_spend(allocations).order_by("-award__starts_on", "award__stream__name_en", "school__name_en", "cluster__name_en")


def spend_for(*, user: Any, allocation: Allocation | None = None) -> QuerySet[Spend]:
    spend = visible_to(user, Spend.objects.select_related("allocation__award__stream", "allocation__school", "allocation__cluster",
                                                          "created_by"), Action.LIST)
    if allocation is not None:
        spend = spend.filter(allocation=allocation)
    return spend


def claims_for(*, user: Any, status: str = "") -> QuerySet[Claim]:
    claims = visible_to(user, Claim.objects.select_related("award__stream"), Action.LIST)
    if status:
        claims = claims.filter(status=status)
    return claims


def financial_year(on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The UK public-sector financial year (1 April to 31 March) containing the day."""
    start_year = on.year if on.month >= 4 else on.year - 1
    return datetime.date(start_year, 4, 1), datetime.date(start_year + 1, 3, 31)


def posts_with_figures(*, user: Any, start: datetime.date, end: datetime.date) -> list[FundedPost]:
    """Funded posts the user may see, each with ``figures``: for an FEO, the episodes open at the end of the period and
    the contacts made in it (as officer); for a community school manager, the programmes run at the schools served
    in the period and the hours those schools' spaces were let; and ``cost_in_period``, the annual cost pro rata.
    Five queries whatever the number of posts."""
    from cymuned.families.models import Contact, Episode
    from cymuned.premises.models import Booking, SeriesStatus
    from cymuned.programmes.models import Programme

    posts = list(visible_to(user, FundedPost.objects.with_related(), Action.LIST))
    officer_ids = {p.holder.user_id for p in posts if p.holder_id and p.kind == PostKind.FEO}
    school_ids = {s.pk for p in posts for s in p.schools.all()}
    open_episodes: dict[int, int] = {}
    contacts: dict[int, int] = {}
    if officer_ids:
        open_episodes = dict(Episode.objects.filter(officer_id__in=officer_ids, opened_on__lte=end)
                             .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
                             .order_by().values("officer_id").annotate(n=Count("pk")).values_list("officer_id", "n"))
        contacts = dict(Contact.objects.filter(episode__officer_id__in=officer_ids, happened_on__gte=start, happened_on__lte=end)
                        .order_by().values("episode__officer_id").annotate(n=Count("pk")).values_list("episode__officer_id", "n"))
    programmes: dict[int, int] = {}
    hours: dict[int, float] = {}
    if school_ids:
        programmes = dict(Programme.objects.filter(venue_school_id__in=school_ids, starts_on__lte=end)
                          .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
                          .order_by().values("venue_school_id").annotate(n=Count("pk")).values_list("venue_school_id", "n"))
        zone = timezone.get_default_timezone()
        lo = datetime.datetime.combine(start, datetime.time.min).replace(tzinfo=zone)
        hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min).replace(tzinfo=zone)
        rows = (Booking.objects.filter(space__school_id__in=school_ids, status=SeriesStatus.APPROVED, starts_at__gte=lo, starts_at__lt=hi)
                .order_by().values("space__school_id").annotate(d=Sum(F("ends_at") - F("starts_at"))).values_list("space__school_id", "d"))
        hours = {school: (d.total_seconds() / 3600 if d else 0.0) for school, d in rows}
    days = (end - start).days + 1
    for post in posts:
        served = [s.pk for s in post.schools.all()]
        officer = post.holder.user_id if post.holder_id else None
        post.figures = {
            "open_episodes": open_episodes.get(officer, 0) if post.kind == PostKind.FEO else None,
            "contacts": contacts.get(officer, 0) if post.kind == PostKind.FEO else None,
            "programmes": sum(programmes.get(s, 0) for s in served) if post.kind != PostKind.FEO else None,
            "lettings_hours": round(sum(hours.get(s, 0.0) for s in served), 1) if post.kind != PostKind.FEO else None,
        }
        post.cost_in_period = (post.annual_cost * Decimal(days) / Decimal(365)).quantize(Decimal("0.01"))
    return posts


def funding_summary(*, local_authority: LocalAuthority, as_of: datetime.date) -> dict[str, Any]:
    """The authority's funding as it stood on ``as_of``, for the Council report (the caller checks who may see it).

    Covers the awards whose period includes ``as_of``, with spend recorded on or before that day. Amounts are
    ``Decimal`` pounds. Returns::

        {"as_of": date,
         "streams": [{"id", "name", "kind", "funder", "awarded", "allocated", "spent"}],
         "awards": [{"id", "stream", "reference", "starts_on", "ends_on", "amount", "allocated", "spent", "unallocated",
                     "spent_percent"}],
         "allocations": [{"id", "award", "stream", "recipient", "recipient_kind" ("school"|"cluster"), "amount", "spent",
                          "spent_percent"}],
         "claims_due": [{"id", "award", "stream", "kind", "due_on", "period_start", "period_end", "amount"}],  # draft, due in 30 days
         "claims_overdue": [...same keys...],                                                              # draft, due before as_of
         "totals": {"awarded", "allocated", "spent", "unallocated", "unspent", "claims_due", "claims_overdue"}}

    ``spent_percent`` is spend as a share of the amount (one decimal place), None when the amount is nil. Five queries.
    """
    awards = list(awards_with_totals(Award.objects.with_related().filter(local_authority=local_authority, starts_on__lte=as_of,
                                                                           ends_on__gte=as_of), spent_until=as_of).order_by("stream__name_en", "starts_on"))
    allocations = list(allocations_with_spend(Allocation.objects.with_related().filter(award__in=[a.pk for a in awards]),
                                              spent_until=as_of).order_by("award__stream__name_en", "school__name_en", "cluster__name_en"))
    claims = list(Claim.objects.select_related("award__stream").filter(award__local_authority=local_authority, status=ClaimStatus.DRAFT,
                                                                     due_on__lte=as_of + datetime.timedelta(days=DUE_SOON_DAYS)))

    def percent(part: Decimal, whole: Decimal) -> float | None:
        return round(float(100 * part / whole), 1) if whole else None

    streams: dict[int, dict[str, Any]] = {}
    for a in awards:
        row = streams.setdefault(a.stream_id, {"id": a.stream_id, "name": a.stream.name, "kind": a.stream.kind, "funder": a.stream.funder,
                                               "awarded": Decimal("0"), "allocated": Decimal("0"), "spent": Decimal("0")})
        row["awarded"] += a.amount
        row["allocated"] += a.allocated
        row["spent"] += a.spent

    def claim_row(c: Claim) -> dict[str, Any]:
        return {"id": c.pk, "award": c.award_id, "stream": c.award.stream.name, "kind": c.kind, "due_on": c.due_on,
                "period_start": c.period_start, "period_end": c.period_end, "amount": c.amount}

    totals = {"awarded": sum((a.amount for a in awards), Decimal("0")), "allocated": sum((a.allocated for a in awards), Decimal("0")),
              "spent": sum((a.spent for a in awards), Decimal("0"))}
    overdue = [claim_row(c) for c in claims if c.due_on < as_of]
    due = [claim_row(c) for c in claims if c.due_on >= as_of]
    totals.update(unallocated=totals["awarded"] - totals["allocated"], unspent=totals["allocated"] - totals["spent"],
                  claims_due=len(due), claims_overdue=len(overdue))
    return {
        "as_of": as_of,
        "streams": list(streams.values()),
        "awards": [{"id": a.pk, "stream": a.stream.name, "reference": a.reference, "starts_on": a.starts_on, "ends_on": a.ends_on,
                    "amount": a.amount, "allocated": a.allocated, "spent": a.spent, "unallocated": a.unallocated,
                    "spent_percent": percent(a.spent, a.amount)} for a in awards],
        "allocations": [{"id": al.pk, "award": al.award_id, "stream": al.award.stream.name, "recipient": al.recipient.name,
                         "recipient_kind": "school" if al.school_id else "cluster", "amount": al.amount, "spent": al.spent,
                         "spent_percent": percent(al.spent, al.amount)} for al in allocations],
        "claims_due": due,
        "claims_overdue": overdue,
        "totals": totals,
    }
