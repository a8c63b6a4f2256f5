"""Demo programmes: family and adult learning, a community activity and food provision, with sessions, people and registers."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from cymuned.families.models import Learner
from cymuned.organisations.models import LocalAuthority, Partner, School

from .models import Achievement, Attendance, ConfidenceResponse, Enrolment, EnrolmentSource, EnrolmentStatus, Programme, Session

#: kind, topic, English and Welsh title, English and Welsh description, places, language, counts only, accreditation
PROGRAMMES = [
    ("family_learning", "numeracy", "Family maths", "Mathemateg i'r teulu",
     "Six weeks of maths games for parents and children in Years 3 to 6, with ideas to try at home.",
     "Chwe wythnos o gemau mathemateg i rieni a phlant Blynyddoedd 3 i 6, gyda syniadau i'w trio gartref.",
     12, "bilingual", False, ""),
    ("adult_learning", "digital_skills", "Computers for beginners", "Cyfrifiaduron i ddechreuwyr",
     "Email, online forms, school apps and staying safe online. Laptops provided.",
     "E-bost, ffurflenni ar-lein, apiau'r ysgol a chadw'n ddiogel ar-lein. Darperir gliniaduron.",
     10, "en", False, "Agored Cymru Level 1 Digital Skills"),
    ("adult_learning", "welsh_for_adults", "Welsh for parents: Croeso", "Cymraeg i rieni: Croeso",
     "Learn everyday Welsh to use with your children, at the school gate and at home.",
     "Dysgwch Gymraeg bob dydd i'w defnyddio gyda'ch plant, wrth gât yr ysgol a gartref.",
     15, "bilingual", False, "Entry (Mynediad) unit"),
    ("adult_learning", "esol", "English for everyday life (ESOL)", "Saesneg ar gyfer bywyd bob dydd (ESOL)",
     "Speaking and listening for parents who are new to English, with a crèche.",
     "Siarad a gwrando i rieni sy'n newydd i'r Saesneg, gyda chrèche.",
     8, "en", False, "ESOL Entry 2"),
    ("community_activity", "sport_and_play", "Saturday family football", "Pêl-droed teulu ar ddydd Sadwrn",
     "Free football and games for the whole family on the school field.",
     "Pêl-droed a gemau am ddim i'r teulu cyfan ar gae'r ysgol.",
     None, "bilingual", False, ""),
    ("food_provision", "breakfast_club", "Breakfast club", "Clwb brecwast",
     "A free, healthy breakfast from 8am every school day.", "Brecwast iach am ddim o 8am bob diwrnod ysgol.",
     None, "bilingual", True, ""),
    ("food_provision", "pantry", "Community pantry", "Pantri cymunedol",
     "Low-cost food shop for local families, every Thursday afternoon.", "Siop fwyd rad i deuluoedd lleol, bob prynhawn dydd Iau.",
     None, "bilingual", True, ""),
    ("food_provision", "holiday_food", "Holiday food and fun", "Bwyd a hwyl yn y gwyliau",
     "Lunch, activities and sport in the school holidays.", "Cinio, gweithgareddau a chwaraeon yn ystod gwyliau'r ysgol.",
     40, "bilingual", True, ""),
]

ADULT_NAMES = ["Rhian Morgan", "Kelly Price", "Gareth Lewis", "Anna Nowak", "Siân Davies", "Lee Roberts", "Carys Hughes", "Tomasz Kowalski",
               "Bethan Evans", "Dean Williams", "Nia Jenkins", "Amira Hassan"]


def load_demo_programmes(*, local_authority: LocalAuthority, rng: random.Random, today: datetime.date) -> None:
    schools = list(School.objects.filter(local_authority=local_authority).order_by("pk"))
    partners = list(Partner.objects.filter(local_authority=local_authority).order_by("pk"))
    for index, (kind, topic, title_en, title_cy, text_en, text_cy, places, language, counts_only, accreditation) in enumerate(PROGRAMMES):
        school = schools[index % len(schools)]
        lead = partners[index % len(partners)] if kind == "adult_learning" and partners else school
        starts = today - datetime.timedelta(days=rng.randint(21, 60))
        programme = Programme.objects.create(
            local_authority=local_authority, lead_organisation=lead, venue_school=school, kind=kind, topic=topic,
            title_en=title_en, title_cy=title_cy, description_en=text_en, description_cy=text_cy,
            audience_en="Parents and carers of the cluster's schools" if kind != "food_provision" else "Any family",
            audience_cy="Rhieni a gofalwyr ysgolion y clwstwr" if kind != "food_provision" else "Unrhyw deulu",
            venue_en=f"Community room, {school.name_en}", venue_cy=f"Ystafell gymunedol, {school.name_cy}",
            delivery_language=language, capacity=places, cost_pence=0 if kind != "food_provision" or topic != "pantry" else 300,
            accreditation_en=accreditation, accreditation_cy=accreditation, counts_only=counts_only,
            starts_on=starts, ends_on=today + datetime.timedelta(days=rng.randint(30, 90)),
            is_published=True, public_sign_up=not counts_only,
        )
        sessions = []
        for week in range(10):
            day = starts + datetime.timedelta(days=7 * week)
            at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8 if topic == "breakfast_club" else 13, 0)))
            sessions.append(Session(programme=programme, starts_at=at, ends_at=at + datetime.timedelta(hours=1, minutes=30)))
        Session.objects.bulk_create(sessions)
        past = [s for s in sessions if s.starts_at.date() < today]
        if counts_only:
            for session in past:
                people = rng.randint(18, 60)
                session.people_fed = people
                session.meals_served = people if topic != "pantry" else None
                session.parcels_given = rng.randint(10, 30) if topic == "pantry" else None
            Session.objects.bulk_update(past, ["people_fed", "meals_served", "parcels_given"])
            continue
        _enrol_demo_people(programme=programme, school=school, places=places, past=past, rng=rng, today=today)


def _enrol_demo_people(*, programme: Programme, school: School, places: int | None, past: list[Session], rng: random.Random,
                       today: datetime.date) -> None:
    learners = list(Learner.objects.filter(school=school).order_by("pk")[:6])
    enrolments = [Enrolment(programme=programme, learner=learner, household=learner.household, school=school) for learner in learners[:3]]
    names = rng.sample(ADULT_NAMES, 6)
    enrolments += [
        Enrolment(programme=programme, participant_name=name, email=f"{name.split()[0].lower()}@example.org", school=school,
                  source=EnrolmentSource.PUBLIC, preferred_language=rng.choice(["en", "cy"]))
        for name in names
    ]
    taken = 0
    for enrolment in enrolments:
        if places is not None and taken >= places:
            enrolment.status = EnrolmentStatus.WAITING
        else:
            taken += 1
    Enrolment.objects.bulk_create(enrolments)
    enrolled = [e for e in enrolments if e.status == EnrolmentStatus.ENROLLED]
    Attendance.objects.bulk_create(
        Attendance(session=session, enrolment=enrolment, mark=rng.choices(["present", "late", "absent"], weights=[8, 1, 2])[0])
        for session in past for enrolment in enrolled
    )
    if programme.kind in ("adult_learning", "family_learning"):
        for enrolment in enrolled:
            ConfidenceResponse.objects.create(enrolment=enrolment, stage="before", answered_on=programme.starts_on,
                                              supporting_learning=rng.randint(1, 3), skills=rng.randint(1, 3),
                                              talking_to_school=rng.randint(1, 4), wellbeing=rng.randint(2, 4))
            if rng.random() < 0.6:
                ConfidenceResponse.objects.create(enrolment=enrolment, stage="after", answered_on=today, supporting_learning=rng.randint(3, 5),
                                                  skills=rng.randint(3, 5), talking_to_school=rng.randint(3, 5), wellbeing=rng.randint(3, 5))
        if programme.accreditation_en:
            for enrolment in enrolled[:2]:
                Achievement.objects.create(enrolment=enrolment, title=programme.accreditation_en, awarding_body="Agored Cymru",
                                           awarded_on=today - datetime.timedelta(days=3))
