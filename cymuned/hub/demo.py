"""Demo referrals for the multi-agency hub: about forty in every state, some past their service levels, two referrals
made without consent (one still to review), and two Team Around the Family meetings.

Written straight to the tables (no notifications or emails are sent for the demo's history)."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from cymuned.accounts.models import User
from cymuned.families.models import Carer, Consent, Episode, Household
from cymuned.organisations.models import LocalAuthority, Partner

from .minimisation import purpose_for
from .models import (
    DEFAULT_SERVICE_LEVELS,
    AgreedAction,
    EventKind,
    Need,
    Referral,
    ReferralEvent,
    ReferralNeed,
    ServiceLevel,
    Status,
    TafAttendee,
    TeamAroundFamilyMeeting,
    Urgency,
)

#: (status, how many): the demo's spread over the life of a referral.
STATES = [(Status.SUBMITTED, 5), (Status.INFO_REQUESTED, 2), (Status.ALLOCATED, 7), (Status.RETURNED, 2), (Status.ACCEPTED, 5),
          (Status.IN_CONTACT, 6), (Status.OUTCOME_RECORDED, 2), (Status.CLOSED, 9), (Status.DECLINED, 2)]
STORIES = [
    ("Rent arrears since the summer; a notice seeking possession has arrived.", "Mum knows and asked for help.",
     "Advice and a payment plan so they can stay in the house."),
    ("Dad has lost his job; the family is using the food bank weekly.", "Dad agreed to the referral at the school gate.",
     "Help with benefits and food while he looks for work."),
    ("Learner is anxious and has stopped coming in on Mondays.", "Both parents came to the meeting.",
     "Someone to talk to, outside school, in Welsh if possible."),
    ("Mum would like to improve her English and maths to help with homework.", "Mum asked about courses herself.",
     "An evening course near home."),
    ("Teenager is out late and has been seen with older young people.", "Grandmother knows and is worried.",
     "Activities on weekday evenings and a youth worker to talk to."),
]
OUTCOMES = ["supported", "supported", "partly", "supported", "family_declined", "no_contact", "no_service", "referred_on", "supported"]
NEEDS_BY_TYPE = {
    "housing": ["housing", "money"], "third_sector": ["money", "food"], "health": ["emotional", "health"],
    "adult_learning": ["adult_learning", "employment"], "youth_service": ["youth"], "social_services": ["parenting", "domestic_abuse"],
    "early_years": ["childcare"], "careers": ["employment"], "police": ["youth"],
}


def _consent(household: Household, carer: Carer, purpose: str, today: datetime.date) -> Consent:
    found = household.consents.in_force(today).filter(purpose=purpose).first()
    return found or Consent.objects.create(household=household, purpose=purpose, given_by=carer, method="written",
                                           given_on=today - datetime.timedelta(days=200))


def load_demo_hub(*, local_authority: LocalAuthority, rng: random.Random, today: datetime.date) -> int:
    """Create the demo's referrals and meetings; returns the number of referrals."""
    now = timezone.now()
    for urgency, (hours, contact, outcome) in DEFAULT_SERVICE_LEVELS.items():
        ServiceLevel.objects.get_or_create(local_authority=local_authority, urgency=urgency, defaults={
            "hours_to_triage": hours, "days_to_first_contact": contact, "days_to_outcome": outcome})
    hub = User.objects.filter(memberships__role="hub_coordinator", memberships__organisation=local_authority).first()
    feo = User.objects.filter(memberships__role="feo", memberships__organisation=local_authority).first()
    households = list(Household.objects.filter(carers__isnull=False, learners__school__local_authority=local_authority)
                      .distinct().order_by("pk")[:12])
    partners = list(Partner.objects.filter(local_authority=local_authority, is_active=True).order_by("name_en"))
    if not (hub and feo and households and partners):
        return 0
    housing = next((p for p in partners if p.partner_type == "housing"), partners[0])
    from cymuned.directory.models import Service, ServiceStatus

    services_by_partner: dict[int, list[Service]] = {}
    for service in Service.objects.filter(organisation__in=partners, status=ServiceStatus.ACTIVE).order_by("name_en"):
        services_by_partner.setdefault(service.organisation_id, []).append(service)
    made = 0
    plan = [status for status, count in STATES for _n in range(count)]
    for index, status in enumerate(plan):
        household = households[index % len(households)]
        learner = household.learners.select_related("school").order_by("pk").first()
        carer = household.carers.order_by("pk").first()
        if learner is None or carer is None:
            continue
        # Most go to the housing association, so the demo partner worker has a full portal.
        partner = housing if index % 3 == 0 else rng.choice(partners)
        to_hub = status in (Status.SUBMITTED, Status.INFO_REQUESTED) or (status == Status.DECLINED)
        urgency = rng.choice([Urgency.ROUTINE, Urgency.ROUTINE, Urgency.SOON, Urgency.URGENT])
        hours, contact_days, outcome_days = DEFAULT_SERVICE_LEVELS[urgency]
        late = index % 5 == 0  # every fifth misses a target
        # Open referrals are young enough to be within their targets, unless they are one of the late ones.
        if status == Status.SUBMITTED:
            age = hours / 24 * (2 if late else rng.uniform(0.1, 0.8))
        elif status in (Status.ALLOCATED, Status.RETURNED, Status.ACCEPTED, Status.INFO_REQUESTED):
            age = contact_days * (1.5 if late else rng.uniform(0.3, 0.9))
        elif status in (Status.IN_CONTACT, Status.OUTCOME_RECORDED):
            age = outcome_days * (1.3 if late else rng.uniform(0.3, 0.9))
        else:
            age = rng.randint(10, 170)
        submitted = now - datetime.timedelta(days=age)
        override = index in (7, 23)
        story = STORIES[index % len(STORIES)]
        referral = Referral(
            reference=f"demo-{index}", local_authority=local_authority, school=learner.school, referred_by=feo, learner=learner,
            household=household, partner=None if to_hub else partner, urgency=urgency, details=story[0], family_knows=story[1],
            family_wants=story[2], status=status, submitted_on=submitted, triage_due=submitted + datetime.timedelta(hours=hours),
            first_contact_due=submitted + datetime.timedelta(days=contact_days), outcome_due=submitted + datetime.timedelta(days=outcome_days),
            created_by=feo, modified_by=feo,
        )
        if not to_hub and services_by_partner.get(partner.pk):
            referral.service = services_by_partner[partner.pk][0]
        if override:
            referral.lawful_basis = "safeguarding"
            referral.override_justification = "A disclosure at school; asking the family first could put the child at risk."
            if index == 7:
                referral.override_reviewed_on, referral.override_reviewed_by = submitted + datetime.timedelta(hours=3), hub
        else:
            referral.consent = _consent(household, carer, purpose_for(None if to_hub else partner), today)
        events = [(EventKind.SUBMITTED, Status.SUBMITTED if to_hub else Status.ALLOCATED, submitted, feo, "")]
        moment = submitted
        if status not in (Status.SUBMITTED,):
            moment = submitted + datetime.timedelta(hours=hours * (3 if late else 0.5))
            referral.triaged_on = min(moment, now)
            if status == Status.INFO_REQUESTED:
                events.append((EventKind.INFO_REQUESTED, status, referral.triaged_on, hub, "Is the family already known to Children's Services?"))
            elif status == Status.DECLINED:
                referral.decline_reason = "The family is already supported by the Team Around the Family at the high school."
                referral.closed_on = referral.triaged_on
                events.append((EventKind.DECLINED, status, referral.triaged_on, hub, referral.decline_reason))
            else:
                events.append((EventKind.ALLOCATED, Status.ALLOCATED, referral.triaged_on, hub, f"Allocated to {partner.name_en}."))
        if status == Status.RETURNED:
            referral.decline_reason = "We have no capacity this month."
            events.append((EventKind.PARTNER_DECLINED, status, min(moment + datetime.timedelta(days=1), now), None, referral.decline_reason))
        if status in (Status.ACCEPTED, Status.IN_CONTACT, Status.OUTCOME_RECORDED, Status.CLOSED):
            referral.accepted_on = min(moment + datetime.timedelta(days=1), now)
            events.append((EventKind.PARTNER_ACCEPTED, Status.ACCEPTED, referral.accepted_on, None, ""))
        if status in (Status.IN_CONTACT, Status.OUTCOME_RECORDED, Status.CLOSED):
            referral.first_contact_on = min(submitted + datetime.timedelta(days=contact_days * (2 if late else 0.6)), now)
            events.append((EventKind.FIRST_CONTACT, Status.IN_CONTACT, referral.first_contact_on, None, "Phoned the family; home visit booked."))
        if status in (Status.OUTCOME_RECORDED, Status.CLOSED):
            referral.outcome = OUTCOMES[index % len(OUTCOMES)]
            referral.outcome_notes = "Worked with the family over several visits."
            referral.outcome_on = min(submitted + datetime.timedelta(days=outcome_days * (1.5 if late else 0.7)), now)
            events.append((EventKind.OUTCOME, Status.OUTCOME_RECORDED, referral.outcome_on, None, referral.outcome_notes))
        if status == Status.CLOSED:
            referral.closed_on = referral.outcome_on
            events.append((EventKind.CLOSED, status, referral.closed_on, None, ""))
        referral.save()
        Referral.objects.filter(pk=referral.pk).update(reference=f"HUB-{referral.pk:06d}")
        ReferralNeed.objects.bulk_create([ReferralNeed(referral=referral, need=n) for n in NEEDS_BY_TYPE.get(partner.partner_type, [Need.MONEY])])
        ReferralEvent.objects.bulk_create([
            ReferralEvent(referral=referral, kind=kind, status=after, happened_on=at, actor=actor,
                          organisation=(learner.school if kind == EventKind.SUBMITTED else local_authority if actor == hub else partner),
                          text=text, visible_to_partner=kind not in (EventKind.INFO_REQUESTED, EventKind.DECLINED))
            for kind, after, at, actor, text in events
        ])
        made += 1
    _meetings(local_authority=local_authority, hub=hub, housing=housing, today=today)
    return made


def _meetings(*, local_authority: LocalAuthority, hub: User, housing: Partner, today: datetime.date) -> None:
    partner_worker = User.objects.filter(memberships__organisation=housing, memberships__role="partner_worker").first()
    for number, episode in enumerate(Episode.objects.filter(school__local_authority=local_authority, closed_on__isnull=True)
                                     .select_related("officer", "school").order_by("pk")[:2]):
        held = max(episode.opened_on, today - datetime.timedelta(days=14 + 21 * number))
        meeting = TeamAroundFamilyMeeting.objects.create(
            episode=episode, held_on=held, place=f"{episode.school.name_en}, family room",
            minutes="Everyone shared what they know. The family said what matters most to them: a settled home and mornings "
                    "that start well. Actions agreed below; we meet again in six weeks.",
            next_review_on=held + datetime.timedelta(days=42), created_by=episode.officer, modified_by=episode.officer)
        TafAttendee.objects.bulk_create([
            TafAttendee(meeting=meeting, user=episode.officer, name=episode.officer.full_name, organisation=episode.school,
                        role="Family Engagement Officer"),
            TafAttendee(meeting=meeting, user=hub, name=hub.full_name, organisation=local_authority, role="Hub coordinator (chair)"),
            TafAttendee(meeting=meeting, user=partner_worker, name=partner_worker.full_name if partner_worker else "Tenancy officer",
                        organisation=housing, role="Tenancy support"),
            TafAttendee(meeting=meeting, name="Dr Angharad Rees", organisation_name="Pontmorlais GP surgery", role="GP"),
        ])
        AgreedAction.objects.bulk_create([
            AgreedAction(meeting=meeting, description="Arrange a payment plan for the rent arrears", owner=partner_worker,
                         organisation=housing, review_on=held + datetime.timedelta(days=14),
                         done_on=held + datetime.timedelta(days=10) if number else None),
            AgreedAction(meeting=meeting, description="Breakfast club place from Monday", owner=episode.officer, organisation=episode.school,
                         review_on=held + datetime.timedelta(days=7), done_on=held + datetime.timedelta(days=3)),
            AgreedAction(meeting=meeting, description="Review with the family how mornings are going", owner_name="Dr Angharad Rees",
                         review_on=held + datetime.timedelta(days=28)),
        ])
