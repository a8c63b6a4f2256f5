"""Demo families for the FEO's caseload: households with carers, consent, open episodes and contacts."""

from __future__ import annotations

import datetime
import random

from cymuned.accounts.models import User
from cymuned.organisations.models import School

from .models import Carer, Consent, Contact, Episode, Household, Learner

NOTES = [
    "Talked through morning routines; Mum worried about the bus.",
    "Dad asked about help with uniform; passed on the uniform bank details.",
    "Met at school with the head of year; agreed a weekly check-in.",
    "Phone call: attendance better this week, breakfast club helping.",
]


def load_demo_families(*, officer: User, schools: list[School], rng: random.Random, today: datetime.date) -> None:
    learners = list(Learner.objects.filter(school__in=schools, household__isnull=True).order_by("pk")[:12])
    for index, learner in enumerate(learners):
        household = Household.objects.create(reference=f"The {learner.family_name} family", postcode=f"CF47 {rng.randint(1, 9)}AB",
                                             home_language=rng.choice(["English", "Cymraeg", "Polish"]))
        learner.household = household
        learner.save(update_fields=["household"])
        carer = Carer.objects.create(household=household, given_name=rng.choice(["Sian", "Kelly", "Gareth", "Anna", "Rhian"]),
                                     family_name=learner.family_name, relationship=rng.choice(["mother", "father", "grandparent"]),
                                     telephone=f"07700 9{rng.randint(10000, 99999)}", is_main_contact=True,
                                     preferred_language=rng.choice(["en", "cy"]))
        Consent.objects.create(household=household, purpose="feo_contact", given_by=carer, method="written",
                               given_on=today - datetime.timedelta(days=120))
        if index % 4 == 3:
            continue  # consent recorded, no episode yet
        opened = today - datetime.timedelta(days=rng.randint(20, 110))
        episode = Episode.objects.create(household=household, school=learner.school, officer=officer,
                                         reasons=rng.sample(["attendance", "wellbeing", "food", "money", "parenting"], 2),
                                         goals="Attendance back above 90% by half term; family linked to support they want.",
                                         opened_on=opened)
        for n in range(rng.randint(0, 4)):
            happened = opened + datetime.timedelta(days=7 * (n + 1))
            if happened > today:
                break
            Contact.objects.create(episode=episode, happened_on=happened, kind=rng.choice(["home_visit", "phone", "school_meeting"]),
                                   duration_minutes=rng.choice([15, 30, 45, 60]), notes=rng.choice(NOTES),
                                   next_steps="Check in after the weekend", next_step_due=happened + datetime.timedelta(days=7))
