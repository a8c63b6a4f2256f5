"""Demo lettings: spaces at the demo schools, the LA's term dates, opening hours, prices, hirers and bookings."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from cymuned.accounts.models import User
from cymuned.organisations.models import LocalAuthority, School

from .availability import local_slot
from .models import (
    Booking,
    BookingSeries,
    CapitalProject,
    CaretakerCover,
    CostSettings,
    Hirer,
    OpeningWindow,
    RateCard,
    SeriesStatus,
    Space,
    TermDate,
)

#: kind, English and Welsh name, capacity, kWh per hour, English and Welsh description
SPACES = [
    ("hall", "Main hall", "Prif neuadd", 180, "8.00", "A large hall with a stage, chairs and a sound system.",
     "Neuadd fawr gyda llwyfan, cadeiriau a system sain."),
    ("sports_hall", "Sports hall", "Neuadd chwaraeon", 60, "12.00", "Four-court sports hall with changing rooms.",
     "Neuadd chwaraeon pedwar cwrt gydag ystafelloedd newid."),
    ("community_room", "Community room", "Ystafell gymunedol", 25, "2.50", "A quiet room with a kitchenette, good for groups and classes.",
     "Ystafell dawel gyda chegin fach, dda ar gyfer grwpiau a dosbarthiadau."),
    ("pitch_3g", "3G pitch", "Cae 3G", 40, "6.00", "Floodlit all-weather pitch.", "Cae pob tywydd gyda llifoleuadau."),
]

HIRERS = [
    ("community_group", "Merthyr Male Voice Choir", "Côr rehearsal", 35),
    ("club", "Cyfarthfa Juniors FC", "Junior football training", 30),
    ("charity", "Merthyr Food Bank", "Food bank distribution", 20),
    ("commercial", "Taf Fitness Ltd", "Fitness class", 20),
]


def _terms(local_authority: LocalAuthority, today: datetime.date) -> None:
    """Welsh-style terms around today: autumn, spring and summer with half-term breaks as holidays."""
    year = today.year if today.month >= 9 else today.year - 1
    terms = [
        ("Autumn first half", "Hanner cyntaf yr hydref", datetime.date(year, 9, 1), datetime.date(year, 10, 23)),
        ("Autumn second half", "Ail hanner yr hydref", datetime.date(year, 11, 2), datetime.date(year, 12, 18)),
        ("Spring first half", "Hanner cyntaf y gwanwyn", datetime.date(year + 1, 1, 5), datetime.date(year + 1, 2, 12)),
        ("Spring second half", "Ail hanner y gwanwyn", datetime.date(year + 1, 2, 22), datetime.date(year + 1, 3, 26)),
        ("Summer first half", "Hanner cyntaf yr haf", datetime.date(year + 1, 4, 12), datetime.date(year + 1, 5, 28)),
        ("Summer second half", "Ail hanner yr haf", datetime.date(year + 1, 6, 7), datetime.date(year + 1, 7, 20)),
    ]
    TermDate.objects.bulk_create([TermDate(local_authority=local_authority, name_en=en, name_cy=cy, starts_on=s, ends_on=e)
                                  for en, cy, s, e in terms])


def load_demo_premises(*, local_authority: LocalAuthority, rng: random.Random, today: datetime.date) -> None:
    _terms(local_authority, today)
    # The demo community school manager's school first, so that signing in as them shows the lettings at work.
    all_schools = School.objects.filter(local_authority=local_authority).order_by("pk")
    schools = [*all_schools.filter(name_en="Cyfarthfa High School"), *all_schools.exclude(name_en="Cyfarthfa High School")[:3]]
    spaces: list[Space] = []
    for index, school in enumerate(schools):
        CostSettings.objects.create(school=school)
        for kind, name_en, name_cy, capacity, kwh, text_en, text_cy in SPACES[: 2 + index % 3]:
            spaces.append(Space.objects.create(
                school=school, kind=kind, name_en=name_en, name_cy=name_cy, capacity=capacity, energy_kwh_per_hour=Decimal(kwh),
                description_en=text_en, description_cy=text_cy, accessibility_en="Step-free entrance, accessible toilet",
                accessibility_cy="Mynedfa heb risiau, toiled hygyrch",
            ))
        windows = [(d, s, datetime.time(17), datetime.time(22)) for s in ("term", "holiday") for d in range(5)]
        windows += [(d, "holiday", datetime.time(9), datetime.time(17)) for d in range(5)]
        windows += [(5, s, datetime.time(9), datetime.time(17)) for s in ("term", "holiday")]
        CaretakerCover.objects.bulk_create([CaretakerCover(school=school, weekday=d, season=s, opens_at=o, closes_at=c)
                                            for d, s, o, c in windows])
        for space in spaces:
            if space.school_id != school.pk:
                continue
            OpeningWindow.objects.bulk_create([OpeningWindow(space=space, weekday=d, season=s, opens_at=o, closes_at=c)
                                               for d, s, o, c in windows])
            base = 1200 + 600 * (space.capacity > 50)
            RateCard.objects.bulk_create([
                RateCard(space=space, tier="cfs", off_peak_pence=0, peak_pence=0),
                RateCard(space=space, tier="community", off_peak_pence=base, peak_pence=base + 600),
                RateCard(space=space, tier="commercial", off_peak_pence=base * 2, peak_pence=base * 2 + 1200, vat_applies=True),
            ])
    if schools:
        CapitalProject.objects.create(
            school=schools[0], title_en="Community room and accessible entrance", title_cy="Ystafell gymunedol a mynedfa hygyrch",
            grant_source="Welsh Government Community Focused Schools capital grant", amount_pence=18_500_000,
            completed_on=today - datetime.timedelta(days=200),
        ).spaces.set([s for s in spaces if s.school_id == schools[0].pk])
    _hirers_and_bookings(local_authority=local_authority, spaces=spaces, rng=rng, today=today)


def _hirers_and_bookings(*, local_authority: LocalAuthority, spaces: list[Space], rng: random.Random, today: datetime.date) -> None:
    from cymuned.core.demo.borough import DEMO_DOMAIN, DEMO_PASSWORD

    from .invoicing import invoice_issue

    parent = User.objects.filter(email=f"parent@{DEMO_DOMAIN}").first()
    manager = User.objects.filter(email=f"csm@{DEMO_DOMAIN}").first()
    hirers = []
    if parent is not None:
        hirers.append((Hirer.objects.create(user=parent, local_authority=local_authority, kind="community_group",
                                            organisation_name="Parents and Toddlers Group", insurance_provider="Zurich",
                                            insurance_expires_on=today + datetime.timedelta(days=20),
                                            safeguarding_declared_on=today - datetime.timedelta(days=90)), "Parent and toddler group", 15))
    for n, (kind, name, activity, people) in enumerate(HIRERS):
        user = User.objects.create_user(email=f"hirer{n + 1}@{DEMO_DOMAIN}", password=DEMO_PASSWORD, full_name=f"{name} bookings")
        user.is_demo = True
        user.save(update_fields=["is_demo"])
        hirers.append((Hirer.objects.create(user=user, local_authority=local_authority, kind=kind, organisation_name=name,
                                            insurance_provider="Aviva", insurance_expires_on=today + datetime.timedelta(days=365),
                                            safeguarding_declared_on=today - datetime.timedelta(days=30)), activity, people))
    now = timezone.now()
    for n, (hirer, activity, people) in enumerate(hirers):
        home = [s for s in spaces if s.school_id == spaces[0].school_id]  # the demo manager's school's spaces
        space = home[n % len(home)]
        weekday = n % 5
        first = today - datetime.timedelta(weeks=8)
        first += datetime.timedelta(days=(weekday - first.weekday()) % 7)
        status = SeriesStatus.REQUESTED if n == len(hirers) - 1 else SeriesStatus.APPROVED
        series = BookingSeries.objects.create(
            reference=f"B-DEMO{n + 1:03d}", space=space, hirer=hirer, activity=activity, expected_people=min(people, space.capacity),
            involves_children=hirer.kind in ("club", "community_group"), tier="commercial" if hirer.kind == "commercial" else "community",
            status=status, terms_accepted_on=now, decided_by=manager if status == SeriesStatus.APPROVED else None,
            decided_on=now if status == SeriesStatus.APPROVED else None,
        )
        start_hour = 17 + n % 3
        slots = [local_slot(first + datetime.timedelta(weeks=w), datetime.time(start_hour), datetime.time(start_hour + 2))
                 for w in range(16) if status == SeriesStatus.APPROVED or w >= 9]
        Booking.objects.bulk_create([
            Booking(series=series, space=space, starts_at=s.starts_at, ends_at=s.ends_at, status=status,
                    people_attended=rng.randint(people // 2, people) if s.ends_at < now else None)
            for s in slots
        ])
        if status == SeriesStatus.APPROVED and manager is not None:
            invoice_issue(by=manager, series=series)
