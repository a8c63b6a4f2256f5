"""The hub's figures in other domains: an engagement source for the impact analysis, a measure for the strategic
plan, and a section of the report to Council. Registered from ``HubConfig.ready``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Cast, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cymuned.outcomes.impact import _dates, _learner_scope, register_engagement_source
from cymuned.strategy import council_report
from cymuned.strategy.measures import academic_year_start, register_measure

from .models import Need, Referral, ReferralNeed, Status

HUB_REFERRAL = "hub_referral"
#: Statuses at which a partner has taken the family on: what counts as engagement for the impact analysis.
TAKEN_ON = (Status.ACCEPTED, Status.IN_CONTACT, Status.OUTCOME_RECORDED, Status.CLOSED)


def hub_referral_engagements(*, local_authority_ids: Iterable[int], school_ids: Iterable[int],
                             filters: Mapping[str, Any]) -> models.QuerySet:
    """Learners referred through the hub whose referral a partner accepted, from the day it was accepted; ``detail``
    is the referral's id. (A referral of a household without a learner named engages no learner here.)"""
    from cymuned.families.models import Learner

    return (
        Learner.objects.filter(_learner_scope("", local_authority_ids, school_ids), referrals__status__in=TAKEN_ON,
                               referrals__accepted_on__isnull=False)
        .annotate(engaged_on=TruncDate("referrals__accepted_on"))
        .filter(_dates("engaged_on", filters))
        .values_list("pk", "engaged_on", Value(HUB_REFERRAL, output_field=models.CharField()),
                     Cast("referrals__pk", output_field=models.CharField()))
        .order_by()
    )


def _closed_this_year(local_authority: Any, as_of: datetime.date) -> models.QuerySet:
    start = datetime.datetime.combine(academic_year_start(as_of), datetime.time.min, tzinfo=datetime.UTC)
    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    return Referral.objects.filter(local_authority_id=getattr(local_authority, "pk", local_authority), status=Status.CLOSED,
                                   outcome_on__isnull=False, closed_on__gte=start, closed_on__lt=end)


def referrals_closed_within_target(*, local_authority: Any, as_of: datetime.date) -> Decimal | None:
    """Of the referrals closed this academic year up to ``as_of``, the share whose outcome came by its target. One query."""
    counts = _closed_this_year(local_authority, as_of).aggregate(
        closed=Count("pk"), in_time=Count("pk", filter=Q(outcome_on__lte=F("outcome_due"))))
    if not counts["closed"]:
        return None
    return (Decimal(counts["in_time"]) * 100 / counts["closed"]).quantize(Decimal("0.1"))


def hub_section(*, local_authority: Any, as_of: datetime.date, language: str) -> council_report.Section:
    """Referrals made this academic year by need and by outcome, and how many were closed within the target."""
    section = council_report.Section(title=_("The multi-agency hub"))
    start = datetime.datetime.combine(academic_year_start(as_of), datetime.time.min, tzinfo=datetime.UTC)
    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    made = Referral.objects.filter(local_authority_id=local_authority.pk, submitted_on__gte=start, submitted_on__lt=end)
    by_status = dict(made.values_list("status").annotate(n=Count("pk")).order_by())
    total = sum(by_status.values())
    if not total:
        section.has_data = False
        section.blocks.append(_("No referral had been made to the hub this academic year by this date."))
        return section
    section.blocks.append(_("%(count)s referrals were made from 1 September to %(date)s.")
                          % {"count": total, "date": council_report._date(as_of)})
    needs = dict(ReferralNeed.objects.filter(referral__in=made).values_list("need").annotate(n=Count("pk")).order_by())
    labels = [(str(label), needs.get(value, 0)) for value, label in Need.choices if needs.get(value)]
    section.blocks.append(council_report.Chart(title=_("Referrals by need"), labels=[label for label, _n in labels],
                                               series=[(_("Referrals"), [float(n) for _label, n in labels])]))
    section.blocks.append(council_report.Table(header=[_("Need"), _("Referrals")],
                                               rows=[[label, council_report.suppress(n)] for label, n in labels]))
    section.blocks.append(council_report.Table(
        header=[_("Where the referral is"), _("Referrals")],
        rows=[[str(label), council_report.suppress(by_status[value])] for value, label in Status.choices if by_status.get(value)]))
    within = referrals_closed_within_target(local_authority=local_authority, as_of=as_of)
    if within is not None:
        section.blocks.append(_("%(share)s%% of the referrals closed this year had their outcome within the target time.")
                              % {"share": within})
    section.blocks.append(council_report._suppression_note())
    return section


register_engagement_source(HUB_REFERRAL, gettext_lazy("Referral through the hub"), hub_referral_engagements)
register_measure("referrals_closed_within_target", gettext_lazy("Referrals closed with their outcome within the target time"),
                 gettext_lazy("%"), referrals_closed_within_target)
council_report.register_section("hub", 45, hub_section)
