"""Demo grants: Welsh Government's FEO, Community School Manager and capital grants to the demo borough for this
financial year, allocated to the clusters and schools, with spend, claims and the posts they fund."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from cymuned.accounts.models import Membership, User
from cymuned.accounts.roles import Role
from cymuned.organisations.models import Cluster, LocalAuthority, School

from .models import (
    Allocation,
    Award,
    Claim,
    ClaimKind,
    ClaimStatus,
    FundedPost,
    FundingStream,
    PostKind,
    Spend,
    SpendCategory,
    StreamKind,
)
from .selectors import financial_year

STREAMS = [
    (StreamKind.FEO, "Family Engagement Officer grant", "Grant Swyddogion Ymgysylltu â Theuluoedd", "Welsh Government",
     "Extending Family Engagement Officer provision in schools serving disadvantaged communities."),
    (StreamKind.CSM, "Community School Manager grant", "Grant Rheolwyr Ysgolion Bro", "Welsh Government",
     "Community school managers to lead each community focused school's work with families and the community."),
    (StreamKind.CAPITAL, "Community focused schools capital grant", "Grant cyfalaf ysgolion bro", "Welsh Government",
     "Capital works to open school buildings to the community: community rooms, separate entrances, kitchens."),
    (StreamKind.OTHER, "Holiday enrichment (food and fun)", "Cyfoethogi gwyliau (bwyd a hwyl)", "Welsh Local Government Association",
     "School holiday enrichment programme with free meals."),
]


def load_demo_funding(*, local_authority: LocalAuthority, rng: random.Random, today: datetime.date) -> None:
    start, end = financial_year(today)
    lead = User.objects.filter(memberships__organisation=local_authority, memberships__role=Role.LA_LEAD).first()
    streams = {kind: FundingStream.objects.create(local_authority=local_authority, kind=kind, name_en=en, name_cy=cy, funder=funder,
                                                  description=description, created_by=lead)
               for kind, en, cy, funder, description in STREAMS}
    amounts = {StreamKind.FEO: Decimal("184000"), StreamKind.CSM: Decimal("150000"), StreamKind.CAPITAL: Decimal("420000"),
               StreamKind.OTHER: Decimal("36000")}
    awards = {kind: Award.objects.create(stream=stream, local_authority=local_authority, amount=amounts[kind], starts_on=start,
                                         ends_on=end, reference=f"WG-CFS-{kind.upper()}-{start.year}-{676}",
                                         conditions="Claims quarterly in arrears; an end-of-year return of spend by 30 April; "
                                                    "unspent grant is repaid.", created_by=lead)
              for kind, stream in streams.items()}
    clusters = list(Cluster.objects.filter(local_authority=local_authority).order_by("name_en"))
    schools = list(School.objects.filter(local_authority=local_authority).order_by("name_en"))
    allocations: list[Allocation] = []
    for cluster in clusters:
        allocations.append(Allocation(award=awards[StreamKind.FEO], cluster=cluster, amount=Decimal("88000"),
                                      purpose="Two Family Engagement Officers for the cluster"))
    secondaries = [s for s in schools if s.phase == "secondary"]
    for school in secondaries:
        allocations.append(Allocation(award=awards[StreamKind.CSM], school=school, amount=Decimal("62000"), purpose="Community school manager"))
    capital = [s for s in schools if s.name_en in ("Georgetown Primary School", "Ynysowen Community Primary", "Cyfarthfa High School")]
    for school, amount in zip(capital, (Decimal("140000"), Decimal("95000"), Decimal("160000")), strict=False):
        allocations.append(Allocation(award=awards[StreamKind.CAPITAL], school=school, amount=amount,
                                      purpose="Community room with its own entrance"))
    for school in [s for s in schools if float(s.efsm_percentage) >= 30]:
        allocations.append(Allocation(award=awards[StreamKind.OTHER], school=school, amount=Decimal("6000"), purpose="Summer holiday club"))
    Allocation.objects.bulk_create(allocations)
    spend: list[Spend] = []
    elapsed = max(1, (today - start).days)
    for allocation in Allocation.objects.filter(award__local_authority=local_authority).select_related("award__stream"):
        share = min(Decimal("0.95"), Decimal(elapsed) / Decimal(365) * Decimal(str(rng.uniform(0.7, 1.1))))
        budget = (allocation.amount * share).quantize(Decimal("1"))
        category = {StreamKind.CAPITAL: SpendCategory.CAPITAL_WORKS, StreamKind.OTHER: SpendCategory.ACTIVITIES}.get(
            allocation.award.stream.kind, SpendCategory.STAFFING)
        pieces = rng.randint(2, 5)
        for i in range(pieces):
            amount = (budget / pieces).quantize(Decimal("0.01"))
            if amount <= 0:
                continue
            day = start + datetime.timedelta(days=min(elapsed - 1, int(elapsed * (i + 1) / (pieces + 1))))
            spend.append(Spend(allocation=allocation, spent_on=min(day, end), amount=amount, category=category, created_by=lead,
                               description={SpendCategory.STAFFING: "Salary and on-costs", SpendCategory.CAPITAL_WORKS: "Contractor stage payment",
                                            SpendCategory.ACTIVITIES: "Activities, food and transport"}[category]))
    Spend.objects.bulk_create(spend)
    claims = []
    for _kind, award in awards.items():
        quarter_ends = [start + datetime.timedelta(days=d) for d in (90, 182, 273, 364)]
        for q_end in quarter_ends:
            q_start = q_end - datetime.timedelta(days=90)
            due = q_end + datetime.timedelta(days=30)
            if due < today:
                status, submitted = ClaimStatus.PAID, due - datetime.timedelta(days=3)
            else:
                status, submitted = ClaimStatus.DRAFT, None
            claims.append(Claim(award=award, kind=ClaimKind.CLAIM, due_on=due, period_start=max(q_start, start), period_end=min(q_end, end),
                                amount=(award.amount / 4).quantize(Decimal("0.01")), status=status, submitted_on=submitted, created_by=lead))
        claims.append(Claim(award=award, kind=ClaimKind.RETURN, due_on=end + datetime.timedelta(days=30), period_start=start, period_end=end,
                            created_by=lead))
    # One claim due in ten days, so the reminder and the "due soon" figures have something to show.
    claims.append(Claim(award=awards[StreamKind.CAPITAL], kind=ClaimKind.CLAIM, due_on=today + datetime.timedelta(days=10),
                        period_start=start, period_end=min(today, end), amount=Decimal("120000"), created_by=lead))
    Claim.objects.bulk_create(claims)
    feo = Membership.objects.filter(organisation=local_authority, role=Role.FEO).select_related("cluster").first()
    csm = Membership.objects.filter(organisation__local_authority=local_authority, role=Role.CSM).select_related("organisation").first()
    if feo is not None:
        post = FundedPost.objects.create(local_authority=local_authority, title="Family Engagement Officer, Cyfarthfa cluster",
                                         kind=PostKind.FEO, holder=feo, award=awards[StreamKind.FEO], fte=Decimal("1.00"),
                                         annual_cost=Decimal("38500"), created_by=lead)
        post.schools.set([s for s in schools if feo.cluster_id and s.cluster_id == feo.cluster_id])
    vacant = FundedPost.objects.create(local_authority=local_authority, title="Family Engagement Officer, Afon Taf cluster (vacant)",
                                       kind=PostKind.FEO, award=awards[StreamKind.FEO], fte=Decimal("1.00"), annual_cost=Decimal("38500"),
                                       created_by=lead)
    vacant.schools.set([s for s in schools if clusters and s.cluster_id == clusters[0].pk])
    if csm is not None:
        post = FundedPost.objects.create(local_authority=local_authority, title="Community School Manager", kind=PostKind.CSM, holder=csm,
                                         award=awards[StreamKind.CSM], fte=Decimal("1.00"), annual_cost=Decimal("46000"), created_by=lead)
        post.schools.set([csm.organisation.school] if hasattr(csm.organisation, "school") else [])
