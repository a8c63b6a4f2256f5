"""The hub's part in subject access and retention (registered with the families domain's registries)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cymuned.access.policy import visible_to
from cymuned.families.models import Household
from cymuned.families.retention import (
    ANONYMISED,
    DEFAULT_PERIODS,
    RetentionKind,
    RetentionRun,
    log_retention,
    redact_history,
    register_kind,
)
from cymuned.families.subject_access import Entry, Section, later, record_of, register_section

from .models import FINAL_STATUSES, Referral, ReferralEvent


@register_section("referrals", order=70)
def referrals_section(*, household: Household, user: Any) -> Section | None:
    everyone = Referral.objects.filter(household=household)
    total = everyone.count()
    if not total:
        return None
    shown = list(visible_to(user, Referral.objects.with_related().prefetch_related("need_rows")).filter(household=household)
                 .order_by("submitted_on", "pk"))
    records = []
    for referral in shown:
        needs = referral.needs_list
        records.append([
            *record_of(referral, ["reference", "school", "learner", "partner", "urgency"]),
            Entry("needs", gettext_lazy("Needs"), [n.need for n in referral.need_rows.all()], later(lambda needs=needs: ", ".join(needs))),
            *record_of(referral, ["details", "family_knows", "family_wants", "consent", "lawful_basis", "override_justification", "status",
                                  "decline_reason", "outcome", "outcome_notes", "submitted_on", "accepted_on", "first_contact_on",
                                  "closed_on"]),
        ])
    return Section(title=gettext_lazy("Referrals to the multi-agency hub and partners"), records=records, withheld=total - len(shown),
                   read=shown)


class ReferralRetention(RetentionKind):
    """Referrals closed or declined longer ago than the period: the free text is blanked (figures by need, school,
    partner and outcome stay); deleting removes the referral with its events."""

    key = "referrals"
    label = gettext_lazy("Closed referrals")
    model = Referral
    setting = "referral_closed_years"
    blank = {"details": ANONYMISED, "family_knows": "", "family_wants": "", "override_justification": "", "decline_reason": "",
             "outcome_notes": ""}

    def due(self, run: RetentionRun) -> QuerySet[Referral]:
        return Referral.objects.filter(status__in=FINAL_STATUSES, closed_on__lt=run.cutoff_moment(self.setting)).order_by("closed_on", "pk")

    def describe(self, obj: Referral) -> str:
        return _("referral %(reference)s, closed %(closed)s") % {"reference": obj.reference,
                                                                 "closed": obj.closed_on.strftime("%d/%m/%Y") if obj.closed_on else "–"}

    def anonymise(self, pks: list[int], run: RetentionRun) -> None:
        super().anonymise(pks, run)
        events = list(ReferralEvent.objects.filter(referral_id__in=pks).exclude(text="").values_list("pk", flat=True))
        from cymuned.families.retention import _quietly

        with _quietly():
            ReferralEvent.objects.filter(pk__in=events).update(text="")
        redact_history(ReferralEvent, events, {"text": ""})
        log_retention(ReferralEvent, events, run=run, kind=self, blanked={"text": ""})


DEFAULT_PERIODS.setdefault(ReferralRetention.setting, 6)
register_kind(ReferralRetention())
