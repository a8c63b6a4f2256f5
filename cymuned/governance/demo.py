"""Demo partnerships and governance: three memoranda (a social landlord, the health board, the police), the governor
network's meetings and notices, the engagement the Council's own paper lists, and community profiles with
**synthetic** WIMD ranks for the demo schools' small areas (clearly marked as such; not the published figures)."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from cymuned.accounts.models import Membership, User
from cymuned.accounts.roles import Role
from cymuned.organisations.models import Cluster, LocalAuthority, Partner, School

from .models import (
    CatchmentArea,
    CommunityProfile,
    EngagementAudience,
    EngagementEvent,
    MeetingKind,
    MemorandumOfUnderstanding,
    MouStatus,
    NetworkMeeting,
    NetworkResource,
    Notice,
    NoticeReply,
    Signatory,
    WimdArea,
    WimdEdition,
)

#: The synthetic edition's name says what it is wherever it is shown.
SYNTHETIC_EDITION = "WIMD 2019 (synthetic demo data)"

MEMORANDA = [
    ("Merthyr Valleys Homes", "Tenancy support and family engagement",
     "To work together so that families in social housing who are struggling with school attendance, debt or housing are "
     "offered joined-up support early.",
     "Merthyr Valleys Homes: tenancy support officers attend the cluster's multi-agency hub each month and offer the community "
     "rooms of its estates for school family learning.\nThe schools: family engagement officers tell tenancy support, with the "
     "family's consent, when a family is at risk of losing its home.\nThe local authority: coordinates the hub and keeps this "
     "memorandum under review.",
     "Names, addresses and the nature of the concern are shared only with the family's written consent (UK GDPR article 6(1)(a)), "
     "by secure email, and deleted by the receiving party when the case closes.", 400, 320),
    ("Cwm Taf Morgannwg University Health Board", "School nursing and emotional health in community focused schools",
     "To bring school nursing, health visiting and emotional health support into the community focused schools, close to families.",
     "The health board: a school nurse drop-in each week at each secondary school, and health visitors' clinics in primary "
     "community rooms.\nThe schools: rooms free of charge, and referrals through the agreed pathway.",
     "Referrals are shared under the public task basis (article 6(1)(e)) and article 9(2)(h) for health; the Wales Accord on the "
     "Sharing of Personal Information (WASPI) information sharing protocol applies.", 200, 120),
    ("South Wales Police, Merthyr neighbourhood team", "Safer communities around schools",
     "To reduce anti-social behaviour around schools in the evenings and build trust between young people and the police.",
     "The police: a named PCSO for each cluster; joint youth sessions in school halls in the school holidays.\nThe schools: "
     "halls for the sessions; sharing of concerns through Operation Encompass as agreed separately.",
     "No personal data is shared under this memorandum; Operation Encompass notifications follow their own agreement.", 500, 20),
]

ENGAGEMENT = [
    (EngagementAudience.CABINET, "Initial discussion paper to Cabinet: school assets for the community", 300,
     "The paper set out community focused schools, the continuum of provision and the use of school assets by the community.",
     "Cabinet supported the approach and asked for specific dialogue with secondary schools."),
    (EngagementAudience.EDUCATION_PARTNERSHIP_PANEL, "Discussion at the Education Partnership Panel", 260,
     "Welsh Government support: Family Engagement Officers, Community School Managers and capital funding.",
     "The panel asked for a strategic plan with wide-ranging consultation."),
    (EngagementAudience.CHAIRS_OF_GOVERNORS, "Discussion with Chairs and Vice Chairs of Governors", 220,
     "What community focused schools mean for governing bodies; the role of community governors.",
     "Agreed to set up community governor networking; secondary governors to meet as a strategic group."),
    (EngagementAudience.CHAIRS_OF_GOVERNORS, "Strategic secondary governors group", 180,
     "Capacity in schools to develop community spaces; cost of staffing and energy for community use.",
     "A memorandum of understanding template to be drafted for partners."),
    (EngagementAudience.HEADTEACHERS, "Workshop with all headteachers", 140,
     "Initial findings from research: the pandemic's impact, the legacy of Communities First, what 'community' means, food poverty.",
     "Headteachers asked for help with capacity (Family Liaison and community officers) and with the role of social landlords."),
    (EngagementAudience.COMMUNITIES, "Engagement with other clusters: Cardiff Met research", 60,
     "Cardiff Met commissioned to undertake the same research in the Cyfarthfa and Afon Taf clusters.",
     "Findings to inform the strategic plan to be considered at Council level."),
]


def _synthetic_wimd(*, schools: list[School], rng: random.Random) -> tuple[WimdEdition, dict[int, list[str]]]:
    """Three or four made-up small areas per school, ranked worse where the school's eFSM share is higher."""
    edition = WimdEdition.objects.create(name=SYNTHETIC_EDITION, is_synthetic=True, source_filename="synthetic")
    areas, catchments = [], {}
    serial = 1270
    for index, school in enumerate(schools):
        codes = []
        efsm = float(school.efsm_percentage)
        centre = max(1, int(1909 * (1 - min(efsm, 45) / 50)))
        for letter in "ABCD"[: rng.randint(3, 4)]:
            serial += 1
            code = f"W0100{serial:04d}"
            codes.append(code)

            def rank(spread: int = 350, centre: int = centre) -> int:
                return max(1, min(1909, centre + rng.randint(-spread, spread)))

            areas.append(WimdArea(edition=edition, lsoa_code=code, lsoa_name=f"Merthyr Tydfil {index + 1:03d}{letter}",
                                  local_authority_name="Merthyr Tydfil", overall_rank=rank(200), income_rank=rank(), employment_rank=rank(),
                                  health_rank=rank(), education_rank=rank(), access_rank=rank(600), housing_rank=rank(600),
                                  safety_rank=rank(500), environment_rank=rank(600)))
        catchments[school.pk] = codes
    WimdArea.objects.bulk_create(areas)
    return edition, catchments


def load_demo_governance(*, local_authority: LocalAuthority, rng: random.Random, today: datetime.date) -> None:
    lead = User.objects.filter(memberships__organisation=local_authority, memberships__role=Role.LA_LEAD).first()
    schools = list(School.objects.filter(local_authority=local_authority).order_by("name_en"))
    clusters = list(Cluster.objects.filter(local_authority=local_authority).order_by("name_en"))
    partners = {p.name_en: p for p in Partner.objects.filter(local_authority=local_authority)}
    for name, title, purpose, commitments, data_sharing, started_days_ago, review_in_days in MEMORANDA:
        partner = partners[name]
        mou = MemorandumOfUnderstanding.objects.create(
            local_authority=local_authority, title=title, purpose=purpose, commitments=commitments, data_sharing=data_sharing,
            starts_on=today - datetime.timedelta(days=started_days_ago), review_on=today + datetime.timedelta(days=review_in_days),
            status=MouStatus.ACTIVE, created_by=lead)
        mou.parties.set([partner, local_authority])
        mou.clusters.set(clusters if review_in_days != 320 else clusters[1:])
        signed = today - datetime.timedelta(days=started_days_ago + 10)
        Signatory.objects.bulk_create([
            Signatory(memorandum=mou, organisation=local_authority, name="Ceri Lewis", position="Community Focused Schools Lead",
                      signed_on=signed),
            Signatory(memorandum=mou, organisation=partner, name=rng.choice(["Alun Rees", "Bethan Howells", "Emyr Griffiths"]),
                      position="Director", signed_on=signed),
        ])
    governors = list(Membership.objects.filter(role=Role.GOVERNOR, organisation__local_authority=local_authority).select_related("user"))
    for days_ago, kind, topic in ((120, MeetingKind.TRAINING, "The community governor's role in a community focused school"),
                                  (60, MeetingKind.NETWORK, "Opening school buildings to the community: costs and insurance"),
                                  (-21, MeetingKind.NETWORK, "Food poverty and holiday provision")):
        meeting = NetworkMeeting.objects.create(local_authority=local_authority, held_on=today - datetime.timedelta(days=days_ago),
                                                kind=kind, topic=topic, venue="Civic Centre, Merthyr Tydfil", created_by=lead)
        if days_ago > 0:
            meeting.attendees.set(governors)
    NetworkResource.objects.create(local_authority=local_authority, title="Estyn: community schools, families and communities (2020)",
                                   url="https://www.estyn.gov.wales/", description="The definition this work starts from.", created_by=lead)
    if lead is not None:
        notice = Notice.objects.create(local_authority=local_authority, author=lead, title="Community governor network: first meeting",
                                       body="Thank you to everyone who came. The slides are in the shared resources. Next time: "
                                            "holiday provision and food poverty.", created_by=lead)
        for governor in governors[:1]:
            NoticeReply.objects.create(notice=notice, author=governor.user, created_by=governor.user,
                                       body="Could we also talk about how other schools insure evening community use?")
    for audience, title, days_ago, summary, outcomes in ENGAGEMENT:
        EngagementEvent.objects.create(local_authority=local_authority, audience=audience, title=title, held_on=today - datetime.timedelta(days=days_ago),
                                       summary=summary, outcomes=outcomes, created_by=lead)
    _edition, catchments = _synthetic_wimd(schools=schools, rng=rng)
    areas = []
    for school in schools:
        profile = CommunityProfile.objects.create(local_authority=local_authority, school=school, created_by=lead)
        areas += [CatchmentArea(profile=profile, lsoa_code=code) for code in catchments[school.pk]]
    for cluster in clusters:
        CommunityProfile.objects.create(local_authority=local_authority, cluster=cluster, created_by=lead,
                                        notes="Former Communities First area; strong chapels, rugby and boxing clubs; many families "
                                              "rent from the social landlord.")
    CatchmentArea.objects.bulk_create(areas)
    WimdEdition.objects.filter(name=SYNTHETIC_EDITION).update(imported_on=timezone.now())
