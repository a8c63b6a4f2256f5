"""The hub's figures elsewhere: an engagement source of the impact analysis, a plan measure, a Council report section."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cymuned.hub.elsewhere import HUB_REFERRAL, hub_referral_engagements, hub_section, referrals_closed_within_target
from cymuned.hub.models import LawfulBasis, Referral, ReferralNeed
from cymuned.outcomes.impact import engagement_sources
from cymuned.strategy import council_report
from cymuned.strategy.measures import measure_for

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LAWFUL_BASIS = LawfulBasis.choices[0][0]


def _referral(world, reference: str, *, status: str, accepted_days_ago: int | None = None, outcome_late: bool = False):
    due = NOW - datetime.timedelta(days=2)
    referral = Referral.objects.create(
        reference=reference, local_authority=world.la, school=world.school_a, referred_by=world.users["school_staff"],
        learner=world.learner_a, household=world.household, partner=world.partner_p, details="Rent arrears", family_knows="Yes",
        family_wants="Advice", lawful_basis=LAWFUL_BASIS, override_justification="Risk of eviction", status=status,
        triage_due=due, first_contact_due=due, outcome_due=due,
        accepted_on=None if accepted_days_ago is None else NOW - datetime.timedelta(days=accepted_days_ago),
        outcome_on=None if status != "closed" else due + datetime.timedelta(days=1 if outcome_late else -1),
        closed_on=None if status != "closed" else NOW - datetime.timedelta(days=1),
    )
    ReferralNeed.objects.create(referral=referral, need="housing")
    return referral


@pytest.fixture
def referrals(world):
    return [_referral(world, "HUB-1", status="closed", accepted_days_ago=20),
            _referral(world, "HUB-2", status="closed", accepted_days_ago=15, outcome_late=True),
            _referral(world, "HUB-3", status="closed", accepted_days_ago=10),
            _referral(world, "HUB-4", status="submitted")]


def test_accepted_referrals_are_an_engagement_source_for_the_impact_analysis(world, referrals):
    assert HUB_REFERRAL in [s.key for s in engagement_sources()]
    rows = sorted(hub_referral_engagements(local_authority_ids=[], school_ids=[world.school_a.pk], filters={}))
    assert [(learner, kind) for learner, _day, kind, _detail in rows] == [(world.learner_a.pk, HUB_REFERRAL)] * 3
    assert {day for _l, day, _k, _d in rows} == {(NOW - datetime.timedelta(days=n)).date() for n in (20, 15, 10)}
    assert not list(hub_referral_engagements(local_authority_ids=[], school_ids=[world.school_c.pk], filters={}))


def test_the_plan_measure_is_the_share_closed_within_target(world, referrals):
    assert measure_for("referrals_closed_within_target") is not None
    assert referrals_closed_within_target(local_authority=world.la, as_of=timezone.localdate()) == Decimal("66.7")
    assert referrals_closed_within_target(local_authority=world.la2, as_of=timezone.localdate()) is None


def test_the_council_report_has_a_hub_section_with_small_numbers_suppressed(world, referrals):
    assert "hub" in [s.key for s in council_report.registered_sections()]
    section = hub_section(local_authority=world.la, as_of=timezone.localdate(), language="en-gb")
    tables = [b for b in section.blocks if isinstance(b, council_report.Table)]
    assert tables[0].rows == [["Housing", council_report.SUPPRESSED]]  # 4 referrals: fewer than 5
    assert section.has_data and any("66.7%" in str(b) for b in section.blocks)
    empty = hub_section(local_authority=world.la2, as_of=timezone.localdate(), language="en-gb")
    assert not empty.has_data
