"""Grants: every refusal of the services, reminders once per deadline, funded post figures, scoping, pages, the API,
the summary for the Council report and constant queries on the lists."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from cymuned.access.policy import visible_to
from cymuned.core.models import Notification
from cymuned.funding import selectors, services
from cymuned.funding.models import Allocation, Award, Claim, ClaimStatus, FundedPost, Spend

from .partnerships import add_partnerships

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


@pytest.fixture
def grants(world):
    return add_partnerships(world)


def _code(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


# --- Services: every refusal ------------------------------------------------------------------------------------


def test_award_with_overlapping_period_of_same_stream_is_refused(world, grants):
    award = grants[Award]
    with pytest.raises(ValidationError) as caught:
        services.award_create(by=world.users["la_lead"], stream=award.stream, reference="WG-FEO-2", amount=Decimal("5000"),
                              starts_on=award.ends_on, ends_on=award.ends_on + datetime.timedelta(days=365))
    assert _code(caught.value) == {"award_overlap"}
    assert "WG-FEO-1" in str(caught.value)
    assert Award.objects.count() == 1
    # The day after the period ends is fine.
    services.award_create(by=world.users["la_lead"], stream=award.stream, reference="WG-FEO-2", amount=Decimal("5000"),
                          starts_on=award.ends_on + datetime.timedelta(days=1), ends_on=award.ends_on + datetime.timedelta(days=365))
    assert Award.objects.count() == 2


def test_award_period_in_order_and_positive_amount(world, grants):
    stream = grants[Award].stream
    with pytest.raises(ValidationError) as caught:
        services.award_create(by=world.users["la_lead"], stream=stream, reference="X", amount=Decimal("0"), starts_on=TODAY, ends_on=TODAY)
    assert _code(caught.value) == {"amount_not_positive"}
    with pytest.raises(ValidationError) as caught:
        services.award_create(by=world.users["la_lead"], stream=stream, reference="X", amount=Decimal("1"), starts_on=TODAY.replace(year=2040),
                              ends_on=TODAY.replace(year=2039))
    assert _code(caught.value) == {"period_order"}


def test_allocations_may_not_exceed_the_award(world, grants):
    award = grants[Award]  # 10,000 awarded, 4,000 allocated to school A
    services.allocation_create(by=world.users["la_officer"], award=award, cluster=world.cluster_y, amount=Decimal("6000"))
    with pytest.raises(ValidationError) as caught:
        services.allocation_create(by=world.users["la_officer"], award=award, school=world.school_b, amount=Decimal("0.01"))
    assert _code(caught.value) == {"allocation_over_award"}
    assert "£0.00" in str(caught.value)
    assert Allocation.objects.filter(award=award).count() == 2


def test_allocation_needs_one_recipient_of_the_award_authority(world, grants):
    award = grants[Award]
    with pytest.raises(ValidationError) as caught:
        services.allocation_create(by=world.users["la_lead"], award=award, school=world.school_b, cluster=world.cluster_x, amount=Decimal("1"))
    assert _code(caught.value) == {"recipient"}
    with pytest.raises(ValidationError) as caught:
        services.allocation_create(by=world.users["la_lead"], award=award, school=world.school_other_la, amount=Decimal("1"))
    assert _code(caught.value) == {"recipient_other_la"}


def test_spend_over_the_allocation_is_refused(world, grants):
    allocation = grants[Allocation]  # 4,000 allocated, 1,500 spent
    services.spend_record(by=world.users["headteacher"], allocation=allocation, spent_on=TODAY, amount=Decimal("2500"),
                          description="Books", category="resources")
    with pytest.raises(ValidationError) as caught:
        services.spend_record(by=world.users["headteacher"], allocation=allocation, spent_on=TODAY, amount=Decimal("0.01"),
                              description="More books", category="resources")
    assert _code(caught.value) == {"spend_over_allocation"}
    assert Spend.objects.filter(allocation=allocation).count() == 2


def test_spend_outside_the_award_period_is_refused(world, grants):
    allocation = grants[Allocation]
    with pytest.raises(ValidationError) as caught:
        services.spend_record(by=world.users["la_lead"], allocation=allocation, spent_on=allocation.award.starts_on - datetime.timedelta(days=1),
                              amount=Decimal("10"), description="Early", category="other")
    assert _code(caught.value) == {"spend_outside_period"}


@pytest.mark.parametrize("name", ["school_staff", "csm", "governor", "head_other_cluster", "lead_other_la", "partner_worker"])
def test_only_managers_and_the_schools_head_record_spend(world, grants, name):
    with pytest.raises(PermissionDenied):
        services.spend_record(by=world.users[name], allocation=grants[Allocation], spent_on=TODAY, amount=Decimal("1"),
                              description="x", category="other")


def test_claim_period_must_fall_within_the_award(world, grants):
    award = grants[Award]
    with pytest.raises(ValidationError) as caught:
        services.claim_create(by=world.users["la_lead"], award=award, kind="claim", due_on=TODAY, period_start=award.starts_on - datetime.timedelta(days=1),
                              period_end=award.starts_on)
    assert _code(caught.value) == {"claim_outside_award"}


def test_claim_status_submitted_then_paid(world, grants):
    claim = services.claim_set_status(by=world.users["la_officer"], claim=grants[Claim], status=ClaimStatus.SUBMITTED)
    assert claim.submitted_on == TODAY
    claim = services.claim_set_status(by=world.users["la_officer"], claim=claim, status=ClaimStatus.PAID)
    assert (claim.status, claim.submitted_on) == (ClaimStatus.PAID, TODAY)


# --- Reminders ---------------------------------------------------------------------------------------------------


def test_claim_due_soon_reminds_each_manager_once_in_their_language(world, grants, mailoutbox, django_capture_on_commit_callbacks):
    world.users["la_officer"].preferred_language = "cy"
    world.users["la_officer"].save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.claim_reminders_send(today=TODAY) == 1
    notes = Notification.objects.filter(url__contains=f"/awards/{grants[Award].pk}/")
    assert sorted(n.user.email for n in notes) == ["la_lead@example.org", "la_officer@example.org"]
    assert "FEO grant" in notes.get(user=world.users["la_lead"]).message
    assert "Grant SYT" in notes.get(user=world.users["la_officer"]).message  # the Welsh name for the Welsh reader
    assert len(mailoutbox) == 2
    # Not twice for the same deadline ...
    assert services.claim_reminders_send(today=TODAY) == 0
    assert Notification.objects.count() == 2
    # ... but again when the deadline moves.
    Claim.objects.filter(pk=grants[Claim].pk).update(due_on=TODAY + datetime.timedelta(days=3))
    assert services.claim_reminders_send(today=TODAY) == 1


def test_no_reminder_far_from_the_deadline_or_once_submitted(world, grants):
    Claim.objects.filter(pk=grants[Claim].pk).update(due_on=TODAY + datetime.timedelta(days=60))
    assert services.claim_reminders_send(today=TODAY) == 0
    Claim.objects.filter(pk=grants[Claim].pk).update(due_on=TODAY, status=ClaimStatus.SUBMITTED)
    assert services.claim_reminders_send(today=TODAY) == 0


def test_the_scheduler_job_sends_the_reminders(world, grants):
    from django.core.management import call_command

    call_command("remind_funding_claims")
    assert Notification.objects.filter(user=world.users["la_lead"]).count() == 1


# --- Figures -----------------------------------------------------------------------------------------------------


def test_funded_post_figures_beside_the_cost(world, grants):
    from cymuned.premises.models import Booking

    Booking.objects.filter(pk=world.booking.pk).update(status="approved")
    csm_post = FundedPost.objects.create(local_authority=world.la, title="CSM", kind="csm", holder=world.memberships["csm"],
                                         annual_cost=Decimal("36500"))
    csm_post.schools.set([world.school_a])
    start, end = TODAY - datetime.timedelta(days=60), TODAY + datetime.timedelta(days=30)
    posts = {p.title: p for p in selectors.posts_with_figures(user=world.users["la_lead"], start=start, end=end)}
    feo = posts["FEO Cyfarthfa"]
    assert feo.figures["open_episodes"] == 1 and feo.figures["contacts"] == 1
    assert feo.cost_in_period == Decimal("9100.00")  # 36,500 a year for 91 days
    assert posts["CSM"].figures["programmes"] == 2  # family maths and the breakfast club, at school A
    assert posts["CSM"].figures["lettings_hours"] == 2.0


def test_posts_are_seen_by_la_staff_and_their_holder_only(world, grants):
    assert [p.title for p in selectors.posts_with_figures(user=world.users["feo"], start=TODAY, end=TODAY)] == ["FEO Cyfarthfa"]
    assert selectors.posts_with_figures(user=world.users["csm"], start=TODAY, end=TODAY) == []
    assert selectors.posts_with_figures(user=world.users["lead_other_la"], start=TODAY, end=TODAY) == []


def test_funding_summary_for_the_council_report(world, grants):
    summary = selectors.funding_summary(local_authority=world.la, as_of=TODAY)
    assert summary["totals"] == {"awarded": Decimal("10000"), "allocated": Decimal("4000"), "spent": Decimal("1500"),
                                 "unallocated": Decimal("6000"), "unspent": Decimal("2500"), "claims_due": 1, "claims_overdue": 0}
    assert summary["streams"][0]["name"] == "FEO grant"
    assert summary["allocations"][0]["recipient"] == "Alpha School" and summary["allocations"][0]["spent_percent"] == 37.5
    later = selectors.funding_summary(local_authority=world.la, as_of=TODAY + datetime.timedelta(days=8))
    assert later["totals"]["claims_overdue"] == 1 and later["totals"]["claims_due"] == 0
    # Spend recorded after the day asked about does not count.
    earlier = selectors.funding_summary(local_authority=world.la, as_of=TODAY - datetime.timedelta(days=11))
    assert earlier["totals"]["spent"] == Decimal("0")
    assert selectors.funding_summary(local_authority=world.la2, as_of=TODAY)["awards"] == []


# --- Scoping -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "sees"), [
    ("la_lead", True), ("la_officer", True), ("hub_coordinator", True), ("headteacher", True), ("school_staff", True), ("csm", True),
    ("feo", False), ("governor", False), ("partner_worker", False), ("head_other_cluster", False), ("lead_other_la", False),
])
def test_who_sees_school_a_allocation(world, grants, name, sees):
    assert visible_to(world.users[name], Allocation).filter(pk=grants[Allocation].pk).exists() is sees


def test_cluster_allocations_are_seen_by_the_clusters_schools(world, grants):
    cluster_allocation = Allocation.objects.create(award=grants[Award], cluster=world.cluster_x, amount=Decimal("100"))
    assert visible_to(world.users["headteacher"], Allocation).filter(pk=cluster_allocation.pk).exists()
    assert not visible_to(world.users["head_other_cluster"], Allocation).filter(pk=cluster_allocation.pk).exists()
    with pytest.raises(PermissionDenied):  # the LA records spend against a cluster's allocation
        services.spend_record(by=world.users["headteacher"], allocation=cluster_allocation, spent_on=TODAY, amount=Decimal("1"),
                              description="x", category="other")


# --- Pages -------------------------------------------------------------------------------------------------------


def _url(name: str, *args: object) -> str:
    with translation.override("en-gb"):
        return reverse(name, args=args)


def test_overview_chart_and_table(world, grants, client_for):
    response = client_for("headteacher").get(_url("funding:overview"))
    assert response.status_code == 200
    assert "data-chart" in response.text and "4,000.00" in response.text and "1,500.00" in response.text
    assert "charts.js" in response.text


def test_headteacher_records_spend_and_sees_a_refusal_on_the_form(world, grants, client_for):
    client = client_for("headteacher")
    url = _url("funding:spend-create", grants[Allocation].pk)
    response = client.post(url, {"spent_on": TODAY.isoformat(), "amount": "9999", "description": "Laptop", "category": "equipment"})
    assert response.status_code == 200 and "more than is left of the allocation" in response.text
    response = client.post(url, {"spent_on": TODAY.isoformat(), "amount": "99.50", "description": "Laptop bag", "category": "equipment"})
    assert response.status_code == 302
    assert Spend.objects.filter(description="Laptop bag", amount=Decimal("99.50"), created_by=world.users["headteacher"]).exists()


def test_spend_page_is_404_for_another_clusters_head(world, grants, client_for):
    assert client_for("head_other_cluster").get(_url("funding:allocation-detail", grants[Allocation].pk)).status_code == 404


def test_award_form_shows_the_overlap_in_welsh(world, grants, client_for):
    client = client_for("la_lead")
    award = grants[Award]
    with translation.override("cy"):
        url = reverse("funding:award-create")
    response = client.post(url, {"stream": award.stream_id, "reference": "X", "amount": "10", "starts_on": TODAY.isoformat(),
                                 "ends_on": TODAY.isoformat(), "conditions": ""})
    assert response.status_code == 200
    assert "WG-FEO-1" in response.text
    assert Award.objects.count() == 1


def test_la_lead_pages_and_forms(world, grants, client_for):
    client = client_for("la_lead")
    for name in ("funding:streams", "funding:awards", "funding:claims", "funding:posts"):
        assert client.get(_url(name)).status_code == 200
    assert client.get(_url("funding:award-detail", grants[Award].pk)).status_code == 200
    response = client.post(_url("funding:stream-create"), {"kind": "capital", "name_en": "Capital", "name_cy": "Cyfalaf", "funder": "WG"})
    assert response.status_code == 302
    response = client.post(_url("funding:allocation-create", grants[Award].pk), {"school": world.school_b.pk, "amount": "7000"})
    assert response.status_code == 200 and "more than the award" in response.text
    response = client.post(_url("funding:claim-create", grants[Award].pk), {"kind": "return", "due_on": TODAY.isoformat(),
                                                                            "period_start": grants[Award].starts_on.isoformat(),
                                                                            "period_end": TODAY.isoformat(), "amount": "0"})
    assert response.status_code == 302
    response = client.post(_url("funding:claim-status", grants[Claim].pk), {"status": "submitted", "submitted_on": ""})
    assert response.status_code == 302
    response = client.post(_url("funding:post-create"), {"title": "CSM", "kind": "csm", "holder": world.memberships["csm"].pk,
                                                         "schools": [world.school_a.pk], "fte": "0.6", "annual_cost": "30000"})
    assert response.status_code == 302, response.context["form"].errors
    assert FundedPost.objects.filter(title="CSM", fte=Decimal("0.6")).exists()


def test_spend_export_is_logged_and_scoped(world, grants, client_for):
    from openpyxl import load_workbook

    from cymuned.audit.models import ExportRecord

    Spend.objects.create(allocation=Allocation.objects.create(award=grants[Award], school=world.school_c, amount=Decimal("10")),
                         spent_on=TODAY, amount=Decimal("5"), description="Gamma spend", category="other")
    response = client_for("headteacher").get(_url("funding:spend-export"))
    assert response.status_code == 200
    import io

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][5] == "Salary"
    assert ExportRecord.objects.get(kind="funding_spend").row_count == 1


def test_lists_run_a_constant_number_of_queries(world, grants, client_for, django_assert_max_num_queries):
    for i in range(6):
        allocation = Allocation.objects.create(award=grants[Award], school=world.school_b, amount=Decimal("1"), purpose=f"{i}")
        Spend.objects.create(allocation=allocation, spent_on=TODAY, amount=Decimal("1"), description="x", category="other")
        FundedPost.objects.create(local_authority=world.la, title=f"Post {i}", kind="csm", annual_cost=Decimal("1")).schools.set([world.school_b])
    client = client_for("la_lead")
    for name in ("funding:overview", "funding:awards", "funding:posts", "funding:claims", "funding:spend-export"):
        client.get(_url(name))  # warm the session and the principal
        with django_assert_max_num_queries(25):
            assert client.get(_url(name)).status_code == 200


# --- API ---------------------------------------------------------------------------------------------------------


def test_api_spend_over_allocation_is_400(world, grants, client_for):
    response = client_for("headteacher").post("/api/v1/spend/", {"allocation": grants[Allocation].pk, "spent_on": TODAY.isoformat(),
                                                                 "amount": "2500.01", "description": "Too much", "category": "other"},
                                              content_type="application/json")
    assert response.status_code == 400
    assert "amount" in response.json()
    response = client_for("headteacher").post("/api/v1/spend/", {"allocation": grants[Allocation].pk, "spent_on": TODAY.isoformat(),
                                                                 "amount": "2500.00", "description": "Just right", "category": "other"},
                                              content_type="application/json")
    assert response.status_code == 201 and response.json()["amount"] == "2500.00"


def test_api_overlapping_award_is_400(world, grants, client_for):
    award = grants[Award]
    response = client_for("la_lead").post("/api/v1/awards/", {"stream": award.stream_id, "reference": "X", "amount": "1",
                                                              "starts_on": TODAY.isoformat(), "ends_on": TODAY.isoformat()},
                                          content_type="application/json")
    assert response.status_code == 400 and "starts_on" in response.json()


def test_api_allocation_over_award_is_400_and_lists_are_scoped(world, grants, client_for):
    response = client_for("la_officer").post("/api/v1/allocations/", {"award": grants[Award].pk, "school": world.school_b.pk, "amount": "6000.01"},
                                             content_type="application/json")
    assert response.status_code == 400
    response = client_for("la_officer").post("/api/v1/allocations/", {"award": grants[Award].pk, "school": world.school_b.pk, "amount": "6000"},
                                             content_type="application/json")
    assert response.status_code == 201
    assert client_for("headteacher").get("/api/v1/allocations/").json()["count"] == 1
    assert client_for("head_other_cluster").get(f"/api/v1/allocations/{grants[Allocation].pk}/").status_code == 404
    assert client_for("lead_other_la").get("/api/v1/awards/").json()["count"] == 0
    assert client_for("la_lead").get("/api/v1/awards/").json()["results"][0]["allocated"] == "10000.00"


def test_api_claims_and_streams(world, grants, client_for):
    client = client_for("la_lead")
    assert client.get("/api/v1/funding-streams/").json()["count"] == 1
    assert client.get("/api/v1/claims/").json()["count"] == 1
    response = client.post("/api/v1/claims/", {"award": grants[Award].pk, "kind": "claim", "due_on": TODAY.isoformat(),
                                               "period_start": grants[Award].starts_on.isoformat(), "period_end": TODAY.isoformat(),
                                               "amount": "100"}, content_type="application/json")
    assert response.status_code == 201
    assert client_for("headteacher").get("/api/v1/claims/").status_code == 403
    # Another LA's lead cannot add to this LA's award: 404, as if it did not exist.
    response = client_for("lead_other_la").post("/api/v1/claims/", {"award": grants[Award].pk, "kind": "claim", "due_on": TODAY.isoformat(),
                                                                    "period_start": TODAY.isoformat(), "period_end": TODAY.isoformat()},
                                                content_type="application/json")
    assert response.status_code in (403, 404)
    assert Client().get("/api/v1/spend/").status_code in (401, 403)


# --- Concurrency -------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_spends_at_once_cannot_together_exceed_the_allocation(world):
    from .test_concurrency import at_once

    allocation = add_partnerships(world)[Allocation]  # 2,500 left of 4,000

    def spend(who: str) -> object:
        return services.spend_record(by=world.users[who], allocation=allocation, spent_on=TODAY, amount=Decimal("2000"),
                                     description=who, category="other")

    results = at_once(lambda: spend("headteacher"), lambda: spend("la_officer"))
    assert sorted(type(r).__name__ for r in results) == ["Spend", "ValidationError"], results
    assert sum(s.amount for s in Spend.objects.filter(allocation=allocation)) == Decimal("3500")


class TestMoneyNeverOverspent(HypothesisTestCase):
    """Whatever amounts are allocated and spent, in whatever order, allocations never exceed the award and spend never
    exceeds its allocation; a refusal happens exactly when the amount would go over."""

    @settings(max_examples=25, deadline=None)
    @given(award=st.integers(min_value=1, max_value=100_000),
           steps=st.lists(st.tuples(st.sampled_from(["allocate", "spend"]), st.integers(min_value=1, max_value=60_000)), max_size=12))
    def test_totals_hold(self, award, steps):
        from cymuned.funding.models import FundingStream

        from .factories import LocalAuthorityFactory, MembershipFactory, SchoolFactory, UserFactory

        la = LocalAuthorityFactory()
        school = SchoolFactory(cluster__local_authority=la)
        lead = UserFactory()
        MembershipFactory(user=lead, organisation=la, role="la_lead")
        stream = FundingStream.objects.create(local_authority=la, kind="other", name_en="Fund", funder="WG")
        grant = services.award_create(by=lead, stream=stream, reference="R", amount=Decimal(award), starts_on=TODAY, ends_on=TODAY)
        allocation = None
        for action, pounds in steps:
            amount = Decimal(pounds)
            if action == "allocate" or allocation is None:
                allocated = sum(a.amount for a in grant.allocations.all())
                try:
                    allocation = services.allocation_create(by=lead, award=grant, school=school, amount=amount)
                except ValidationError:
                    assert allocated + amount > grant.amount
            else:
                spent = sum(s.amount for s in allocation.spend.all())
                try:
                    services.spend_record(by=lead, allocation=allocation, spent_on=TODAY, amount=amount, description="x", category="other")
                except ValidationError:
                    assert spent + amount > allocation.amount
            assert sum(a.amount for a in grant.allocations.all()) <= grant.amount
            for each in grant.allocations.all():
                assert sum(s.amount for s in each.spend.all()) <= each.amount
