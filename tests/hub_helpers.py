"""Shared helpers for the hub's tests: consents and referrals on the shared test world."""

from __future__ import annotations

import datetime
from typing import Any

from cymuned.families.models import Consent
from cymuned.hub import services

from .conftest import World


def consent(world: World, purpose: str, *, withdrawn: bool = False) -> Consent:
    today = datetime.date.today()
    return Consent.objects.create(household=world.household, purpose=purpose, given_by=world.carer, method="written",
                                  given_on=today - datetime.timedelta(days=20),
                                  withdrawn_on=today - datetime.timedelta(days=1) if withdrawn else None)


def refer(world: World, *, to_partner: bool = True, by: str = "feo", **extra: Any) -> Any:
    """A referral of learner A's family by the FEO, to partner P (housing) or to the hub, with the matching consent."""
    partner = world.partner_p if to_partner else None
    purpose = "share_housing" if to_partner else "share_hub"
    found = world.household.consents.in_force().filter(purpose=purpose).first() or consent(world, purpose)
    values = {"needs": ["housing", "money"], "urgency": "soon", "details": "Rent arrears since the summer",
              "family_knows": "Mum asked the FEO for help", "family_wants": "Advice and a payment plan", "consent": found}
    values.update(extra)
    return services.referral_make(by=world.users[by], household=world.household, learner=world.learner_a, partner=partner, **values)
