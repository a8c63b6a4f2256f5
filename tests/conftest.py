"""The shared test world: one LA with two clusters, schools, partners and a user for every role,
plus outsiders (another cluster's head, another partner, another LA's lead) who must be refused."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from cymuned.accounts.middleware import LAST_SEEN_AT, SIGNED_IN_AT
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
    programme: Any = None
    session: Any = None
    food_programme: Any = None
    food_session: Any = None
    enrolment: Any = None
    attendance: Any = None
    achievement: Any = None
    confidence: Any = None
    space: Any = None
    hirer: Any = None
    series: Any = None
    booking: Any = None
    service: Any = None
    service_location: Any = None
    service_schedule: Any = None
    service_contact: Any = None
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
    add_programmes(w)
    add_premises(w)
    add_directory(w)
    return w


def add_directory(w: World) -> None:
    """Partner P's active tenancy-support service at one place in Merthyr, with opening times and a contact."""
    from decimal import Decimal

    from cymuned.directory.models import (
        Contact,
        Location,
        Schedule,
        Service,
        ServiceAtLocation,
        ServiceAttribute,
        Taxonomy,
        TaxonomyTerm,
    )
    from cymuned.directory.taxonomy import ensure_needs_taxonomy, term_id

    ensure_needs_taxonomy(Taxonomy, TaxonomyTerm)  # seeded by a migration, but a transactional test's flush removes it

    w.service = Service.objects.create(
        local_authority=w.la, organisation=w.partner_p, name_en="Tenancy support", name_cy="Cymorth tenantiaeth",
        description_en="Help to keep your home.", description_cy="Help i gadw'ch cartref.", minimum_age=16, welsh_active_offer=True,
    )
    ServiceAttribute.objects.create(service=w.service, taxonomy_term_id=term_id("housing"))
    w.service.languages.create(code="cy", name="Welsh")
    location = Location.objects.create(local_authority=w.la, organisation=w.partner_p, name_en="Redhouse", address_1="High Street",
                                       city="Merthyr Tydfil", postcode="CF47 8AE", latitude=Decimal("51.745800"), longitude=Decimal("-3.378600"))
    w.service_location = ServiceAtLocation.objects.create(service=w.service, location=location)
    w.service_schedule = Schedule.objects.create(service=w.service, byday="MO,WE", opens_at="09:00", closes_at="17:00")
    w.service_contact = Contact.objects.create(service=w.service, name="Duty officer", email="duty@example.org")


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


def add_programmes(w: World) -> None:
    """A published family-learning course led by school A (2 places, learner A enrolled, one past session),
    and a counts-only breakfast club at school A with one past session."""
    import datetime

    from django.utils import timezone

    from cymuned.programmes.models import Achievement, Attendance, ConfidenceResponse, Enrolment, Programme, Session

    today = datetime.date.today()
    w.programme = Programme.objects.create(
        local_authority=w.la, lead_organisation=w.school_a, venue_school=w.school_a, kind="family_learning", topic="numeracy",
        title_en="Family maths", title_cy="Mathemateg i'r teulu", description_en="Maths games for parents and children.",
        description_cy="Gemau mathemateg i rieni a phlant.", venue_en="Community room", venue_cy="Ystafell gymunedol",
        capacity=2, starts_on=today - datetime.timedelta(days=14), ends_on=today + datetime.timedelta(days=60),
        is_published=True, public_sign_up=True,
    )
    started = timezone.now() - datetime.timedelta(days=7)
    w.session = Session.objects.create(programme=w.programme, starts_at=started, ends_at=started + datetime.timedelta(hours=1))
    w.enrolment = Enrolment.objects.create(programme=w.programme, learner=w.learner_a, household=w.household, school=w.school_a)
    w.attendance = Attendance.objects.create(session=w.session, enrolment=w.enrolment, mark="present")
    w.achievement = Achievement.objects.create(enrolment=w.enrolment, title="Agored Cymru Level 1", awarded_on=today)
    w.confidence = ConfidenceResponse.objects.create(enrolment=w.enrolment, stage="before", answered_on=today, supporting_learning=2,
                                                     skills=2, talking_to_school=3, wellbeing=3)
    w.food_programme = Programme.objects.create(
        local_authority=w.la, lead_organisation=w.school_a, venue_school=w.school_a, kind="food_provision", topic="breakfast_club",
        title_en="Breakfast club", title_cy="Clwb brecwast", description_en="Free breakfast.", description_cy="Brecwast am ddim.",
        venue_en="Hall", counts_only=True, starts_on=today - datetime.timedelta(days=30),
    )
    w.food_session = Session.objects.create(programme=w.food_programme, starts_at=started, ends_at=started + datetime.timedelta(hours=1))


def next_weekday(weekday: int, weeks_ahead: int = 1) -> Any:
    """The date of the given weekday (0 = Monday) at least ``weeks_ahead`` weeks from today."""
    import datetime

    today = datetime.date.today() + datetime.timedelta(weeks=weeks_ahead)
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7)


def add_premises(w: World) -> None:
    """School A's hall, open to hire on weekday evenings and Saturdays all year with caretaker cover, prices and costs;
    the world's member of the public is a hirer (insured) with a request for next week's Tuesday 18:00-20:00."""
    import datetime

    from cymuned.premises.availability import local_slot
    from cymuned.premises.models import (
        Booking,
        BookingSeries,
        CaretakerCover,
        CostSettings,
        Hirer,
        OpeningWindow,
        RateCard,
        Space,
        TermDate,
    )

    today = datetime.date.today()
    TermDate.objects.create(local_authority=w.la, name_en="This term", name_cy="Y tymor hwn", starts_on=today - datetime.timedelta(days=60),
                            ends_on=today + datetime.timedelta(days=120))
    w.space = Space.objects.create(school=w.school_a, kind="hall", name_en="Main hall", name_cy="Prif neuadd", capacity=120,
                                   description_en="A large hall with a stage.", description_cy="Neuadd fawr gyda llwyfan.")
    windows = []
    for season in ("term", "holiday"):
        for weekday in range(5):
            windows.append((weekday, season, datetime.time(17), datetime.time(22)))
        windows.append((5, season, datetime.time(9), datetime.time(17)))
    OpeningWindow.objects.bulk_create([OpeningWindow(space=w.space, weekday=d, season=s, opens_at=o, closes_at=c) for d, s, o, c in windows])
    CaretakerCover.objects.bulk_create([CaretakerCover(school=w.school_a, weekday=d, season=s, opens_at=o, closes_at=c) for d, s, o, c in windows])
    RateCard.objects.create(space=w.space, tier="community", off_peak_pence=1800, peak_pence=2500)
    RateCard.objects.create(space=w.space, tier="commercial", off_peak_pence=3500, peak_pence=4500, vat_applies=True)
    RateCard.objects.create(space=w.space, tier="cfs", off_peak_pence=0, peak_pence=0)
    CostSettings.objects.create(school=w.school_a)
    w.hirer = Hirer.objects.create(user=w.users["public"], local_authority=w.la, kind="community_group", organisation_name="Merthyr Choir",
                                   insurance_provider="Zurich", insurance_expires_on=today + datetime.timedelta(days=300),
                                   safeguarding_declared_on=today - datetime.timedelta(days=10))
    w.series = BookingSeries.objects.create(reference="B-TEST0001", space=w.space, hirer=w.hirer, activity="Choir practice",
                                            expected_people=30, tier="community", terms_accepted_on=datetime.datetime.now(datetime.UTC))
    slot = local_slot(next_weekday(1), datetime.time(18), datetime.time(20))
    w.booking = Booking.objects.create(series=w.series, space=w.space, starts_at=slot.starts_at, ends_at=slot.ends_at)


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


def add_attendance_summary(w: World, learner: Learner | None = None, *, attended: int = 160, possible: int = 190,
                           period_end: Any = None) -> Any:
    """Year-to-date attendance of a learner of the world (learner A, 84.21%, unless told), as at today unless told.

    Adds figures only, never changes the world's objects; asking twice for the same learner and date returns the same row.
    """
    import datetime

    from cymuned.outcomes.models import AttendanceSummary, attendance_percentage

    learner = learner or w.learner_a
    period_end = period_end or datetime.date.today()
    absent = possible - attended
    summary, _ = AttendanceSummary.objects.get_or_create(
        learner=learner, period_end=period_end,
        defaults={"school_id": learner.school_id, "period_start": period_end - datetime.timedelta(days=120), "possible_sessions": possible,
                  "attended_sessions": attended, "authorised_absences": absent // 2, "unauthorised_absences": absent - absent // 2,
                  "percentage": attendance_percentage(attended=attended, possible=possible), "source": "demo"},
    )
    return summary


def add_import_run(w: World, *, content: bytes | None = None, name: str = "marks.csv", **fields: Any) -> Any:
    """A draft import of attendance marks for school A by its headteacher, the file stored (a row for learner A unless
    told), its columns found and mapped."""
    from django.core.files.base import ContentFile

    from cymuned.outcomes.models import ImportRun

    if content is None:
        content = f"Pupil UPN,Date,Session,Mark\r\n{w.learner_a.upn},01/10/2024,AM,/\r\n".encode()
    header = content.decode("utf-8", errors="replace").splitlines()[0].split(",")
    defaults = {"kind": "attendance_marks", "school": w.school_a, "local_authority": w.la, "original_name": name,
                "size": len(content), "sha256": "0" * 64, "file_type": "csv", "mis": "SIMS", "columns": header,
                "mapping": {"upn": "Pupil UPN", "date": "Date", "session": "Session", "code": "Mark"},
                "created_by": w.users["headteacher"], **fields}
    run = ImportRun(**defaults)
    run.file.save(name, ContentFile(content), save=False)
    run.save()
    return run


@pytest.fixture
def attendance_summaries(world: World) -> dict[str, Any]:
    """Learner A at 84.21% (persistent absence; her family has an open episode) and learner C at 97.37%."""
    return {"a": add_attendance_summary(world), "c": add_attendance_summary(world, world.learner_c, attended=185)}


def sign_in(client: Client, user: User) -> Client:
    """Sign in as the user, two-factor verified as a real staff sign-in would be."""
    client.force_login(user)
    session = client.session
    # As the sign-in page does: start the staff session clocks (idle and absolute time-outs).
    session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = int(time.time())
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session["otp_device_id"] = device.persistent_id
    session.save()
    return client


@pytest.fixture(autouse=True)
def _english_to_start_with() -> Any:
    """Every test starts in English: a request to a /cy/ page leaves Welsh active in the thread (Django's locale
    middleware does not switch back), which would otherwise change reverse() and messages in the next test."""
    from django.utils import translation

    translation.activate("en-gb")
    yield
    translation.deactivate()


@pytest.fixture
def client_for(world: World):
    def make(name: str | None) -> Client:
        client = Client()
        if name is not None:
            sign_in(client, world.users[name])
        return client

    return make
