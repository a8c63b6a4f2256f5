"""Sample grants, memoranda, network posts, engagement and profiles for the shared test world, built on first use and
kept on the world (so the every-URL walk and the funding/governance tests build them once per world)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile

from .conftest import World


def add_partnerships(w: World) -> dict[type, Any]:
    """School A's grant allocation with spend and a claim, an FEO post, a memorandum between school A, partner P and the LA,
    a network meeting, resource, notice and reply, an engagement with a paper, and school A's community profile."""
    cached = getattr(w, "_partnerships", None)
    if cached is not None:
        return cached
    from cymuned.funding.models import Allocation, Award, Claim, FundedPost, FundingStream, Spend
    from cymuned.governance.models import (
        CatchmentArea,
        CommunityProfile,
        EngagementEvent,
        EngagementPaper,
        MemorandumOfUnderstanding,
        NetworkMeeting,
        NetworkResource,
        Notice,
        NoticeReply,
        Signatory,
        WimdArea,
        WimdEdition,
    )

    today = datetime.date.today()
    start, end = today - datetime.timedelta(days=100), today + datetime.timedelta(days=265)
    stream = FundingStream.objects.create(local_authority=w.la, kind="feo", name_en="FEO grant", name_cy="Grant SYT", funder="Welsh Government")
    award = Award.objects.create(stream=stream, local_authority=w.la, reference="WG-FEO-1", amount=Decimal("10000"), starts_on=start, ends_on=end)
    allocation = Allocation.objects.create(award=award, school=w.school_a, amount=Decimal("4000"), purpose="FEO time")
    spend = Spend.objects.create(allocation=allocation, spent_on=today - datetime.timedelta(days=10), amount=Decimal("1500"),
                                 description="Salary", category="staffing")
    claim = Claim.objects.create(award=award, due_on=today + datetime.timedelta(days=7), period_start=start, period_end=today,
                                 amount=Decimal("2500"))
    post = FundedPost.objects.create(local_authority=w.la, title="FEO Cyfarthfa", kind="feo", holder=w.memberships["feo"], award=award,
                                     annual_cost=Decimal("36500"))
    post.schools.set([w.school_a, w.school_b])
    mou = MemorandumOfUnderstanding.objects.create(local_authority=w.la, title="Tenancy support", purpose="Support families",
                                                   commitments="Monthly hub", data_sharing="With consent", starts_on=start,
                                                   review_on=today + datetime.timedelta(days=20), status="active")
    mou.parties.set([w.school_a, w.partner_p, w.la])
    signatory = Signatory.objects.create(memorandum=mou, organisation=w.partner_p, name="Alun Rees", position="Director", signed_on=start)
    meeting = NetworkMeeting.objects.create(local_authority=w.la, held_on=today - datetime.timedelta(days=5), kind="network", topic="Insurance")
    meeting.attendees.set([w.memberships["governor"]])
    resource = NetworkResource.objects.create(local_authority=w.la, title="Guide", file=ContentFile(b"%PDF-1.4 guide", name="guide.pdf"),
                                              original_filename="guide.pdf", content_type="application/pdf", size=14)
    notice = Notice.objects.create(local_authority=w.la, author=w.users["governor"], title="Hello network", body="First post")
    reply = NoticeReply.objects.create(notice=notice, author=w.users["la_lead"], body="Welcome")
    event = EngagementEvent.objects.create(local_authority=w.la, held_on=today - datetime.timedelta(days=30), audience="cabinet",
                                           title="Cabinet briefing", outcomes="Supported")
    paper = EngagementPaper.objects.create(event=event, title="Paper", file=ContentFile(b"%PDF-1.4 paper", name="paper.pdf"),
                                           original_filename="paper.pdf", content_type="application/pdf", size=14)
    edition = WimdEdition.objects.create(name="WIMD test", is_synthetic=True)
    WimdArea.objects.create(edition=edition, lsoa_code="W01001290", lsoa_name="Merthyr Tydfil 001A", overall_rank=50, income_rank=40,
                            employment_rank=60, health_rank=70, education_rank=80, access_rank=900, housing_rank=300, safety_rank=100,
                            environment_rank=1500)
    profile = CommunityProfile.objects.create(local_authority=w.la, school=w.school_a)
    CatchmentArea.objects.create(profile=profile, lsoa_code="W01001290")
    samples = {FundingStream: stream, Award: award, Allocation: allocation, Spend: spend, Claim: claim, FundedPost: post,
               MemorandumOfUnderstanding: mou, Signatory: signatory, NetworkMeeting: meeting, NetworkResource: resource, Notice: notice,
               NoticeReply: reply, EngagementEvent: event, EngagementPaper: paper, CommunityProfile: profile, WimdEdition: edition}
    w._partnerships = samples  # type: ignore[attr-defined]
    return samples
