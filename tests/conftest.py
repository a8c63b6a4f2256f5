"""The shared test world: one LA with two clusters, schools, partners and a user for every role,
plus outsiders (another cluster's head, another partner, another LA's lead) who must be refused."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from cymuned.accounts.models import Membership, User
from cymuned.accounts.roles import GovernorCategory, Role
from cymuned.families.models import Learner
from cymuned.organisations.models import Cluster, LocalAuthority, Partner, School

from .factories import (
    ClusterFactory,
    LearnerFactory,
    LocalAuthorityFactory,
    MembershipFactory,
    PartnerFactory,
    SchoolFactory,
    TOTPDeviceFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    la: LocalAuthority
    la2: LocalAuthority
    cluster_x: Cluster
    cluster_y: Cluster
    school_a: School
    school_b: School
    school_c: School
    school_other_la: School
    partner_p: Partner
    partner_q: Partner
    learner_a: Learner
    learner_c: Learner
    users: dict[str, User] = field(default_factory=dict)
    framework: Any = None
    cell: Any = None
    stages: dict[int, Any] = field(default_factory=dict)
    evaluation: Any = None
    evidence: Any = None
    survey: Any = None
    action: Any = None
    household: Any = None
    carer: Any = None
    consent: Any = None
    episode: Any = None
    contact: Any = None
    memberships: dict[str, Membership] = field(default_factory=dict)

    def user(self, name: str) -> User:
        return self.users[name]


#: Users of the world: name -> (role, where). "home" users work for LA / school A / partner P.
HOME_USERS = {
    "la_lead": (Role.LA_LEAD, "la"),
    "la_officer": (Role.LA_OFFICER, "la"),
    "hub_coordinator": (Role.HUB_COORDINATOR, "la"),
    "headteacher": (Role.HEADTEACHER, "school_a"),
    "school_staff": (Role.SCHOOL_STAFF, "school_a"),
    "feo": (Role.FEO, "la:cluster_x"),
    "csm": (Role.CSM, "school_a"),
    "governor": (Role.GOVERNOR, "school_a"),
    "partner_worker": (Role.PARTNER_WORKER, "partner_p"),
}
OUTSIDERS = {
    "head_other_cluster": (Role.HEADTEACHER, "school_c"),
    "partner_other": (Role.PARTNER_WORKER, "partner_q"),
    "lead_other_la": (Role.LA_LEAD, "la2"),
    "staff_other_la": (Role.SCHOOL_STAFF, "school_other_la"),
}


@pytest.fixture
def world(db: None) -> World:
    la = LocalAuthorityFactory(code="676", name_en="Merthyr Tydfil", name_cy="Merthyr Tudful")
    la2 = LocalAuthorityFactory(code="677", name_en="Another Borough", name_cy="Bwrdeistref Arall")
    cluster_x = ClusterFactory(local_authority=la, name_en="Cyfarthfa", name_cy="Cyfarthfa")
    cluster_y = ClusterFactory(local_authority=la, name_en="Afon Taf", name_cy="Afon Taf")
    w = World(
        la=la,
        la2=la2,
        cluster_x=cluster_x,
        cluster_y=cluster_y,
        school_a=SchoolFactory(cluster=cluster_x, name_en="Alpha School", name_cy="Ysgol Alffa"),
        school_b=SchoolFactory(cluster=cluster_x, name_en="Beta School", name_cy="Ysgol Beta"),
        school_c=SchoolFactory(cluster=cluster_y, name_en="Gamma School", name_cy="Ysgol Gama"),
        school_other_la=SchoolFactory(cluster=ClusterFactory(local_authority=la2), name_en="Delta School"),
        partner_p=PartnerFactory(local_authority=la, name_en="Valleys Homes"),
        partner_q=PartnerFactory(local_authority=la, name_en="Other Charity"),
        learner_a=None,  # type: ignore[arg-type]
        learner_c=None,  # type: ignore[arg-type]
    )
    w.learner_a = LearnerFactory(school=w.school_a, given_name="Alys")
    w.learner_c = LearnerFactory(school=w.school_c, given_name="Carys")
    places = {
        "la": w.la,
        "la2": w.la2,
        "school_a": w.school_a,
        "school_c": w.school_c,
        "school_other_la": w.school_other_la,
        "partner_p": w.partner_p,
        "partner_q": w.partner_q,
    }
    for name, (role, where) in {**HOME_USERS, **OUTSIDERS}.items():
        user = UserFactory(email=f"{name}@example.org", full_name=name.replace("_", " ").title())
        org_key, _, cluster_key = where.partition(":")
        membership = MembershipFactory(
            user=user,
            organisation=places[org_key],
            role=role,
            cluster=getattr(w, cluster_key) if cluster_key else None,
            governor_category=GovernorCategory.COMMUNITY if role == Role.GOVERNOR else "",
        )
        TOTPDeviceFactory(user=user)
        w.users[name] = user
        w.memberships[name] = membership
    w.users["public"] = UserFactory(email="parent@example.org", full_name="A Parent")
    add_self_evaluation(w)
    add_casework(w)
    return w


def add_casework(w: World) -> None:
    """Learner A's household with a carer, consent to FEO contact, and an open episode with one contact."""
    import datetime

    from cymuned.families.models import Carer, Consent, Contact, Episode, Household

    today = datetime.date.today()
    w.household = Household.objects.create(reference="The Jones family", postcode="CF47 8AA", safe_contact_notes="Do not call after 6pm")
    w.learner_a.household = w.household
    w.learner_a.save()
    w.carer = Carer.objects.create(household=w.household, given_name="Sian", family_name="Jones", relationship="mother", is_main_contact=True)
    w.consent = Consent.objects.create(household=w.household, purpose="feo_contact", given_by=w.carer, method="written",
                                       given_on=today - datetime.timedelta(days=60))
    w.episode = Episode.objects.create(household=w.household, school=w.school_a, officer=w.users["feo"], reasons=["attendance"],
                                       goals="Attendance above 90%", opened_on=today - datetime.timedelta(days=50))
    w.contact = Contact.objects.create(episode=w.episode, happened_on=today - datetime.timedelta(days=40), kind="home_visit",
                                       next_steps="Meet the head", next_step_due=today - datetime.timedelta(days=2))


def add_self_evaluation(w: World) -> None:
    """A framework for the LA, a draft evaluation of school A with evidence, a survey and an action."""
    import datetime

    from cymuned.evaluation.models import Action, Evaluation, Evidence, StakeholderSurvey
    from cymuned.evaluation.services import framework_create_default

    w.framework = framework_create_default(local_authority=w.la)
    w.cell = w.framework.cells.order_by("pk").first()
    w.stages = {s.level: s for s in w.framework.stages.all()}
    w.evaluation = Evaluation.objects.create(school=w.school_a, academic_year="2026-27", framework=w.framework)
    from django.core.files.base import ContentFile

    w.evidence = Evidence.objects.create(
        evaluation=w.evaluation, kind="file", title="Parent forum minutes", original_filename="minutes.pdf",
        content_type="application/pdf", size=20, file=ContentFile(b"%PDF-1.4 minutes...", name="minutes.pdf"),
    )
    w.survey = StakeholderSurvey.objects.create(
        evaluation=w.evaluation, audience="parents", closes_on=datetime.date.today() + datetime.timedelta(days=14)
    )
    w.action = Action.objects.create(
        evaluation=w.evaluation, cell=w.cell, title="Coffee mornings", owner=w.users["csm"],
        due_on=datetime.date.today() + datetime.timedelta(days=30), success_measure="Ten new families",
    )


def sign_in(client: Client, user: User) -> Client:
    """Sign in as the user, two-factor verified as a real staff sign-in would be."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def client_for(world: World):
    def make(name: str | None) -> Client:
        client = Client()
        if name is not None:
            sign_in(client, world.users[name])
        return client

    return make
