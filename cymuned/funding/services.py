"""Writes for grants: one transaction each, every refusal a ValidationError with a code and a message in the user's
language. Rules that depend on other rows (no overlapping awards, allocations within the award, spend within the
allocation) are checked after locking the parent row with ``select_for_update``, so two people saving at once are
served one after the other and cannot together break them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, can, can_create
from cymuned.accounts.models import Membership
from cymuned.accounts.roles import Role
from cymuned.core.services import notify
from cymuned.organisations.models import Cluster, LocalAuthority, School

from .models import Allocation, Award, Claim, ClaimStatus, FundedPost, FundingStream, Spend
from .policies import MANAGERS

#: How many days before a claim's deadline its reminder goes.
REMINDER_DAYS = 14


def _money(value: Any) -> str:
    return f"£{Decimal(value):,.2f}"


def _date(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _require(user: Any, action: Action, obj: Any) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


def _positive(field: str, amount: Any) -> Decimal:
    if amount is None or Decimal(amount) <= 0:
        raise ValidationError({field: ValidationError(_("Enter an amount of more than £0."), code="amount_not_positive")})
    return Decimal(amount)


# --- Streams and awards ----------------------------------------------------------------------------------------


@transaction.atomic
def stream_create(*, by: Any, local_authority: LocalAuthority, kind: str, name_en: str, funder: str, name_cy: str = "",
                  description: str = "") -> FundingStream:
    if not can_create(by, FundingStream, parent=local_authority):
        raise PermissionDenied
    if FundingStream.objects.filter(local_authority=local_authority, name_en__iexact=name_en.strip()).exists():
        raise ValidationError({"name_en": ValidationError(_("There is already a funding stream with this name."), code="stream_exists")})
    return FundingStream.objects.create(local_authority=local_authority, kind=kind, name_en=name_en.strip(), name_cy=name_cy.strip(),
                                        funder=funder.strip(), description=description, created_by=by, modified_by=by)


@transaction.atomic
def award_create(*, by: Any, stream: FundingStream, reference: str, amount: Any, starts_on: datetime.date, ends_on: datetime.date,
                 conditions: str = "") -> Award:
    """Refuses a period that overlaps another award of the same stream to the same authority."""
    stream = FundingStream.objects.select_for_update().get(pk=stream.pk)  # awards of one stream are made one at a time
    _require(by, Action.CHANGE, stream)
    amount = _positive("amount", amount)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": ValidationError(_("The period must end on or after the day it starts."), code="period_order")})
    clash = (Award.objects.filter(stream=stream, local_authority_id=stream.local_authority_id, starts_on__lte=ends_on, ends_on__gte=starts_on)
             .order_by("starts_on").first())
    if clash is not None:
        raise ValidationError({"starts_on": ValidationError(
            _("This period overlaps the award %(reference)s of the same stream (%(start)s to %(end)s). An authority has one award "
              "of a stream at a time: change the dates, or change that award.")
            % {"reference": clash.reference, "start": _date(clash.starts_on), "end": _date(clash.ends_on)}, code="award_overlap")})
    return Award.objects.create(stream=stream, local_authority_id=stream.local_authority_id, reference=reference.strip(), amount=amount,
                                starts_on=starts_on, ends_on=ends_on, conditions=conditions, created_by=by, modified_by=by)


# --- Allocations and spend ----------------------------------------------------------------------------------------


@transaction.atomic
def allocation_create(*, by: Any, award: Award, amount: Any, school: School | None = None, cluster: Cluster | None = None,
                      purpose: str = "") -> Allocation:
    """Refuses allocations that would together exceed the award."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    _require(by, Action.CHANGE, award)
    amount = _positive("amount", amount)
    if (school is None) == (cluster is None):
        raise ValidationError({"school": ValidationError(_("Choose a school or a cluster, not both."), code="recipient")})
    recipient_la = school.local_authority_id if school is not None else cluster.local_authority_id  # type: ignore[union-attr]
    if recipient_la != award.local_authority_id:
        raise ValidationError({"school": ValidationError(_("Choose a school or cluster of the award's local authority."),
                                                         code="recipient_other_la")})
    allocated = award.allocations.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if allocated + amount > award.amount:
        raise ValidationError({"amount": ValidationError(
            _("This would allocate more than the award. %(left)s of %(award)s is left to allocate.")
            % {"left": _money(award.amount - allocated), "award": _money(award.amount)}, code="allocation_over_award")})
    return Allocation.objects.create(award=award, school=school, cluster=cluster, amount=amount, purpose=purpose.strip(),
                                     created_by=by, modified_by=by)


@transaction.atomic
def spend_record(*, by: Any, allocation: Allocation, spent_on: datetime.date, amount: Any, description: str, category: str) -> Spend:
    """Refuses spend outside the award's period and spend beyond what is left of the allocation."""
    allocation = Allocation.objects.select_for_update().select_related("award").get(pk=allocation.pk)
    _require(by, Action.CHANGE, allocation)
    amount = _positive("amount", amount)
    award = allocation.award
    if not award.starts_on <= spent_on <= award.ends_on:
        raise ValidationError({"spent_on": ValidationError(
            _("The date must fall within the award's period, %(start)s to %(end)s.")
            % {"start": _date(award.starts_on), "end": _date(award.ends_on)}, code="spend_outside_period")})
    spent = allocation.spend.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if spent + amount > allocation.amount:
        raise ValidationError({"amount": ValidationError(
            _("This is more than is left of the allocation: %(left)s of %(allocated)s is left to spend.")
            % {"left": _money(allocation.amount - spent), "allocated": _money(allocation.amount)}, code="spend_over_allocation")})
    return Spend.objects.create(allocation=allocation, spent_on=spent_on, amount=amount, description=description.strip(),
                                category=category, created_by=by, modified_by=by)


@transaction.atomic
def spend_remove(*, by: Any, spend: Spend) -> None:
    _require(by, Action.DELETE, spend)
    spend.delete()


# --- Claims and returns ------------------------------------------------------------------------------------------


@transaction.atomic
def claim_create(*, by: Any, award: Award, kind: str, due_on: datetime.date, period_start: datetime.date, period_end: datetime.date,
                 amount: Any = Decimal("0")) -> Claim:
    _require(by, Action.CHANGE, award)
    if period_end < period_start:
        raise ValidationError({"period_end": ValidationError(_("The period must end on or after the day it starts."), code="period_order")})
    if period_start < award.starts_on or period_end > award.ends_on:
        raise ValidationError({"period_start": ValidationError(
            _("The period covered must fall within the award's period, %(start)s to %(end)s.")
            % {"start": _date(award.starts_on), "end": _date(award.ends_on)}, code="claim_outside_award")})
    if amount is None or Decimal(amount) < 0:
        raise ValidationError({"amount": ValidationError(_("Enter an amount of £0 or more."), code="amount_negative")})
    return Claim.objects.create(award=award, kind=kind, due_on=due_on, period_start=period_start, period_end=period_end,
                                amount=Decimal(amount), created_by=by, modified_by=by)


@transaction.atomic
def claim_set_status(*, by: Any, claim: Claim, status: str, submitted_on: datetime.date | None = None) -> Claim:
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    _require(by, Action.CHANGE, claim)
    if status not in ClaimStatus.values:
        raise ValidationError({"status": ValidationError(_("Choose a status from the list."), code="status_unknown")})
    if status == ClaimStatus.DRAFT:
        claim.submitted_on = None
    elif claim.submitted_on is None or submitted_on is not None:
        claim.submitted_on = submitted_on or timezone.localdate()
    claim.status = status
    claim.modified_by = by
    claim.save()
    return claim


def _managers_of(local_authority_id: int) -> list[Any]:
    memberships = Membership.objects.current().filter(organisation_id=local_authority_id, role__in=MANAGERS, cluster__isnull=True,
                                                      user__is_active=True).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def claim_reminders_send(*, today: datetime.date | None = None, within_days: int = REMINDER_DAYS) -> int:
    """Remind the LA's funding managers (in the app and by email, in their language) of each draft claim or return due within
    ``within_days`` or already overdue: once per deadline, however often it runs. Returns the number of claims reminded of."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=within_days)
    due = Claim.objects.outstanding().filter(due_on__lte=horizon).select_related("award__stream")
    count = 0
    managers: dict[int, list[Any]] = {}
    for claim in due:
        if claim.reminded_for == claim.due_on:
            continue
        with transaction.atomic():
            locked = Claim.objects.select_for_update().get(pk=claim.pk)
            if locked.reminded_for == locked.due_on:
                continue
            url = reverse("funding:award-detail", args=[claim.award_id])
            la_id = claim.award.local_authority_id
            if la_id not in managers:
                managers[la_id] = _managers_of(la_id)
            recipients = managers[la_id]
            for user in recipients:
                notify(user=user, url=url, message=lambda c=claim: _reminder_text(c, today),
                       email_subject=lambda c=claim: _("%(kind)s due %(date)s: %(stream)s")
                       % {"kind": c.get_kind_display(), "date": _date(c.due_on), "stream": c.award.stream.name})
            locked.reminded_for = locked.due_on
            locked.save(update_fields=["reminded_for"])
            count += 1
    return count


def _reminder_text(claim: Claim, today: datetime.date) -> str:
    values = {"kind": claim.get_kind_display(), "stream": claim.award.stream.name, "reference": claim.award.reference,
              "date": _date(claim.due_on), "start": _date(claim.period_start), "end": _date(claim.period_end)}
    if claim.due_on < today:
        return _("The %(kind)s for %(stream)s (%(reference)s), covering %(start)s to %(end)s, was due on %(date)s and is "
                 "not yet submitted.") % values
    return _("The %(kind)s for %(stream)s (%(reference)s), covering %(start)s to %(end)s, is due on %(date)s.") % values


# --- Funded posts --------------------------------------------------------------------------------------------------


@transaction.atomic
def post_create(*, by: Any, local_authority: LocalAuthority, title: str, kind: str, annual_cost: Any, fte: Any = Decimal("1"),
                holder: Membership | None = None, award: Award | None = None, schools: list[School] | None = None) -> FundedPost:
    if not can_create(by, FundedPost) or local_authority.pk not in _manager_las(by):
        raise PermissionDenied
    annual_cost = _positive("annual_cost", annual_cost)
    if award is not None and award.local_authority_id != local_authority.pk:
        raise ValidationError({"award": ValidationError(_("Choose an award of this local authority."), code="award_other_la")})
    if holder is not None and holder.organisation.local_authority_id_or_self != local_authority.pk:
        raise ValidationError({"holder": ValidationError(_("Choose someone who works in this local authority."), code="holder_other_la")})
    schools = list(schools or [])
    if any(s.local_authority_id != local_authority.pk for s in schools):
        raise ValidationError({"schools": ValidationError(_("Choose schools of this local authority."), code="school_other_la")})
    post = FundedPost.objects.create(local_authority=local_authority, title=title.strip(), kind=kind, holder=holder, award=award,
                                     fte=Decimal(fte), annual_cost=annual_cost, created_by=by, modified_by=by)
    post.schools.set(schools)
    return post


def _manager_las(user: Any) -> frozenset[int]:
    from cymuned.access.principal import principal_for

    return principal_for(user).la_ids(MANAGERS)


def role_holders_for_posts(*, local_authority: LocalAuthority) -> Any:
    """Memberships that can hold a funded post: FEOs, community school managers and LA officers of the authority."""
    from django.db.models import Q

    return (Membership.objects.current().filter(role__in=[Role.FEO, Role.CSM, Role.LA_OFFICER, Role.HUB_COORDINATOR])
            .filter(Q(organisation_id=local_authority.pk) | Q(organisation__local_authority_id=local_authority.pk))
            .select_related("user", "organisation").order_by("user__full_name"))
