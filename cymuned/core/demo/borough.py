"""The demo county borough: two clusters as in the Council's own paper, partners, staff and learners.

Deterministic for a given seed, and idempotent: loading it again changes nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from cymuned.accounts.models import Membership, User
from cymuned.accounts.roles import GovernorCategory, Role
from cymuned.families.models import Learner
from cymuned.organisations.models import (
    Cluster,
    LanguageMedium,
    LocalAuthority,
    OrganisationKind,
    Partner,
    PartnerType,
    Phase,
    School,
)

from .names import FAMILY_NAMES, GIVEN_NAMES, STREETS

DEMO_PASSWORD = "Cymuned-demo-2026!"
#: The shared TOTP secret of the demo accounts (hex, as django-otp stores it). Demo only.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_LA_CODE = "676"
DEMO_DOMAIN = "demo.cymuned.cymru"

CLUSTERS = {
    ("Cyfarthfa", "Cyfarthfa"): [
        ("Cyfarthfa High School", "Ysgol Uwchradd Cyfarthfa", Phase.SECONDARY, LanguageMedium.ENGLISH, "26.4", 1150),
        ("Gellifaelog Primary School", "Ysgol Gynradd Gellifaelog", Phase.PRIMARY, LanguageMedium.ENGLISH, "31.2", 240),
        ("Heolgerrig Community School", "Ysgol Gymunedol Heolgerrig", Phase.PRIMARY, LanguageMedium.ENGLISH, "18.9", 210),
        ("Ysgol Gymraeg Santes Tudful", "Ysgol Gymraeg Santes Tudful", Phase.PRIMARY, LanguageMedium.WELSH, "14.5", 320),
        ("Cefn Coed Primary School", "Ysgol Gynradd Cefn Coed", Phase.PRIMARY, LanguageMedium.ENGLISH, "22.0", 260),
        ("Georgetown Primary School", "Ysgol Gynradd Georgetown", Phase.PRIMARY, LanguageMedium.DUAL_STREAM, "35.7", 280),
    ],
    ("Afon Taf", "Afon Taf"): [
        ("Afon Taf High School", "Ysgol Uwchradd Afon Taf", Phase.SECONDARY, LanguageMedium.ENGLISH, "29.8", 900),
        (
            "Troedyrhiw Community Primary",
            "Ysgol Gynradd Gymunedol Troed-y-rhiw",
            Phase.PRIMARY,
            LanguageMedium.ENGLISH,
            "33.1",
            230,
        ),
        ("Ynysowen Community Primary", "Ysgol Gynradd Gymunedol Ynysowen", Phase.PRIMARY, LanguageMedium.ENGLISH, "38.4", 250),
        ("Ysgol Rhyd-y-grug", "Ysgol Rhyd-y-grug", Phase.PRIMARY, LanguageMedium.WELSH, "16.2", 190),
        ("Trelewis Primary School", "Ysgol Gynradd Trelewis", Phase.PRIMARY, LanguageMedium.BILINGUAL, "27.5", 170),
    ],
}

PARTNERS = [
    ("Cwm Taf Morgannwg University Health Board", "Bwrdd Iechyd Prifysgol Cwm Taf Morgannwg", PartnerType.HEALTH),
    ("Children's Services", "Gwasanaethau Plant", PartnerType.SOCIAL_SERVICES),
    ("South Wales Police, Merthyr neighbourhood team", "Heddlu De Cymru, tîm cymdogaeth Merthyr", PartnerType.POLICE),
    ("Merthyr Valleys Homes", "Cartrefi Cymoedd Merthyr", PartnerType.HOUSING),
    ("Voluntary Action Merthyr Tydfil", "Gweithredu Gwirfoddol Merthyr Tudful", PartnerType.THIRD_SECTOR),
    ("Adult Community Learning", "Dysgu Oedolion yn y Gymuned", PartnerType.ADULT_LEARNING),
    ("Youth Service", "Gwasanaeth Ieuenctid", PartnerType.YOUTH_SERVICE),
    ("Menter Iaith Merthyr Tudful", "Menter Iaith Merthyr Tudful", PartnerType.THIRD_SECTOR),
    ("Flying Start", "Dechrau'n Deg", PartnerType.EARLY_YEARS),
    ("Careers Wales", "Gyrfa Cymru", PartnerType.CAREERS),
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role: str | None
    organisation: str  # "la", a school's English name, or a partner's
    cluster: str | None = None
    governor_category: str = ""
    job_title: str = ""


DEMO_ACCOUNTS = [
    DemoAccount(f"lead@{DEMO_DOMAIN}", "Ceri Lewis", Role.LA_LEAD, "la", job_title="Community Focused Schools Lead"),
    DemoAccount(f"officer@{DEMO_DOMAIN}", "Owain Price", Role.LA_OFFICER, "la", job_title="Education Officer"),
    DemoAccount(f"hub@{DEMO_DOMAIN}", "Siân Morgan", Role.HUB_COORDINATOR, "la", job_title="Multi-agency Hub Coordinator"),
    DemoAccount(f"head@{DEMO_DOMAIN}", "Rhian Davies", Role.HEADTEACHER, "Cyfarthfa High School"),
    DemoAccount(f"staff@{DEMO_DOMAIN}", "Tom Evans", Role.SCHOOL_STAFF, "Cyfarthfa High School", job_title="Head of Year 8"),
    DemoAccount(f"feo@{DEMO_DOMAIN}", "Nia Jenkins", Role.FEO, "la", cluster="Cyfarthfa", job_title="Family Engagement Officer"),
    DemoAccount(f"csm@{DEMO_DOMAIN}", "Dafydd Thomas", Role.CSM, "Cyfarthfa High School", job_title="Community School Manager"),
    DemoAccount(
        f"governor@{DEMO_DOMAIN}",
        "Gareth Williams",
        Role.GOVERNOR,
        "Cyfarthfa High School",
        governor_category=GovernorCategory.COMMUNITY,
    ),
    DemoAccount(
        f"partner@{DEMO_DOMAIN}",
        "Helen Roberts",
        Role.PARTNER_WORKER,
        "Merthyr Valleys Homes",
        job_title="Tenancy Support Officer",
    ),
    DemoAccount(f"head.afontaf@{DEMO_DOMAIN}", "Huw Bevan", Role.HEADTEACHER, "Afon Taf High School"),
    DemoAccount(f"parent@{DEMO_DOMAIN}", "Sarah Jones", None, ""),
]


def _school_number(la_code: str, index: int, phase: str) -> str:
    base = 4000 if phase == Phase.SECONDARY else 2000
    return f"{la_code}{base + index:04d}"


def _upn(rng: random.Random, la_code: str, serial: int) -> str:
    return f"{rng.choice('ABCDEFGHJKLMNPQRTUVWXYZ')}{la_code}{serial:08d}{rng.randint(0, 9)}"


def _birth_date(rng: random.Random, year_group: int, today: datetime.date) -> datetime.date:
    # Year group Y in the academic year starting September: born between 1 Sept and 31 Aug, 5+Y years earlier.
    start_year = today.year - (5 + year_group) - (1 if today.month >= 9 else 2) + 1
    start = datetime.date(start_year - 1, 9, 1)
    return start + datetime.timedelta(days=rng.randint(0, 364))


def make_learners(
    *, rng: random.Random, school: School, count: int, la_code: str, serial_start: int, today: datetime.date
) -> list[Learner]:
    years = range(7, 12) if school.phase == Phase.SECONDARY else range(0, 7)
    efsm_share = float(school.efsm_percentage) / 100
    learners = []
    for i in range(count):
        year_group = rng.choice(list(years))
        learners.append(
            Learner(
                school=school,
                upn=_upn(rng, la_code, serial_start + i),
                given_name=rng.choice(GIVEN_NAMES),
                family_name=rng.choice(FAMILY_NAMES),
                date_of_birth=_birth_date(rng, year_group, today),
                year_group=year_group,
                efsm=rng.random() < efsm_share,
                additional_learning_needs=rng.random() < 0.12,
                looked_after=rng.random() < 0.01,
                young_carer=rng.random() < 0.03,
                english_additional_language=rng.random() < 0.05,
            )
        )
    return learners


@transaction.atomic
def load_demo_borough(*, seed: int = 2026, learners_per_school: int = 40) -> bool:
    """Create the demo borough. Returns False (and changes nothing) if it is already there."""
    if LocalAuthority.objects.filter(code=DEMO_LA_CODE).exists():
        return False
    rng = random.Random(seed)
    today = datetime.date.today()
    la = LocalAuthority.objects.create(
        kind=OrganisationKind.LOCAL_AUTHORITY,
        code=DEMO_LA_CODE,
        name_en="Merthyr Tydfil County Borough Council",
        name_cy="Cyngor Bwrdeistref Sirol Merthyr Tudful",
        address="Civic Centre, Castle Street\nMerthyr Tydfil",
        postcode="CF47 8AN",
        email=f"cfs@{DEMO_DOMAIN}",
        telephone="01685 725000",
    )
    schools: dict[str, School] = {}
    index = 0
    for (cluster_en, cluster_cy), members in CLUSTERS.items():
        cluster = Cluster.objects.create(local_authority=la, name_en=cluster_en, name_cy=cluster_cy)
        for name_en, name_cy, phase, medium, efsm, roll in members:
            index += 1
            schools[name_en] = School.objects.create(
                kind=OrganisationKind.SCHOOL,
                local_authority=la,
                cluster=cluster,
                school_number=_school_number(DEMO_LA_CODE, index, phase),
                name_en=name_en,
                name_cy=name_cy,
                phase=phase,
                language_medium=medium,
                efsm_percentage=Decimal(efsm),
                number_on_roll=roll,
                address=f"{rng.randint(1, 80)} {rng.choice(STREETS)}\nMerthyr Tydfil",
                postcode=f"CF4{rng.choice('78')} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
                email=f"school{index}@{DEMO_DOMAIN}",
                telephone=f"01685 {rng.randint(300000, 399999)}",
            )
    partners: dict[str, Partner] = {}
    for name_en, name_cy, partner_type in PARTNERS:
        partners[name_en] = Partner.objects.create(
            kind=OrganisationKind.PARTNER,
            local_authority=la,
            name_en=name_en,
            name_cy=name_cy,
            partner_type=partner_type,
            email=f"{partner_type.replace('_', '')}@{DEMO_DOMAIN}",
        )
    clusters = {c.name_en: c for c in Cluster.objects.filter(local_authority=la)}
    for account in DEMO_ACCOUNTS:
        user = User.objects.create_user(email=account.email, password=DEMO_PASSWORD, full_name=account.full_name)
        user.is_demo = True
        user.save(update_fields=["is_demo"])
        if account.role is None:
            continue
        organisation = la if account.organisation == "la" else schools.get(account.organisation) or partners[account.organisation]
        Membership.objects.create(
            user=user,
            organisation=organisation,
            role=account.role,
            cluster=clusters[account.cluster] if account.cluster else None,
            governor_category=account.governor_category,
            job_title=account.job_title,
        )
        if account.role != Role.GOVERNOR:
            TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)
    serial = 1
    batch: list[Learner] = []
    for school in schools.values():
        count = learners_per_school * (3 if school.phase == Phase.SECONDARY else 1)
        batch += make_learners(rng=rng, school=school, count=count, la_code=DEMO_LA_CODE, serial_start=serial, today=today)
        serial += count
    Learner.objects.bulk_create(batch, batch_size=2000)
    from cymuned.evaluation.demo import load_demo_evaluations

    load_demo_evaluations(local_authority=la, rng=rng, today=today)
    from cymuned.families.demo import load_demo_families

    feo = User.objects.get(email=f"feo@{DEMO_DOMAIN}")
    load_demo_families(officer=feo, schools=list(School.objects.filter(cluster=clusters["Cyfarthfa"])), rng=rng, today=today)
    from cymuned.outcomes.demo import load_demo_attendance

    load_demo_attendance(local_authority=la, rng=rng, today=today)
    from cymuned.outcomes.demo_records import load_demo_records

    load_demo_records(local_authority=la, rng=rng, today=today)
    from cymuned.programmes.demo import load_demo_programmes

    load_demo_programmes(local_authority=la, rng=rng, today=today)
    from cymuned.premises.demo import load_demo_premises

    load_demo_premises(local_authority=la, rng=rng, today=today)
    from cymuned.directory.demo import load_demo_directory

    load_demo_directory(local_authority=la, rng=rng, today=today)
    from cymuned.strategy.demo import load_demo_strategy

    load_demo_strategy(local_authority=la, rng=rng, today=today)
    from cymuned.funding.demo import load_demo_funding

    load_demo_funding(local_authority=la, rng=rng, today=today)
    from cymuned.governance.demo import load_demo_governance

    load_demo_governance(local_authority=la, rng=rng, today=today)
    from cymuned.hub.demo import load_demo_hub

    load_demo_hub(local_authority=la, rng=rng, today=today)
    # Last, after every demo record the dashboards count (marks, and behaviour and results where loaded).
    from cymuned.outcomes.aggregates import refresh_outcome_aggregates

    refresh_outcome_aggregates(school_ids=list(School.objects.filter(local_authority=la).values_list("pk", flat=True)),
                               academic_years=None)
    return True
