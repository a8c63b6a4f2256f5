"""The strategic plan: versions, actions with RAG updates, live measures, scoping of pages and API."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cymuned.strategy import measures, services
from cymuned.strategy.models import ActionUpdate, PlanAction, PlanVersion, VersionStatus

from .conftest import add_attendance_summary
from .factories import LearnerFactory
from .strategy_world import build_plan

TODAY = timezone.localdate()


@pytest.fixture
def sp(world):
    return build_plan(world)


# --- Services ----------------------------------------------------------------------------------------------


def test_plan_lifecycle_draft_consultation_approval_and_revision(world, sp):
    lead = world.users["la_lead"]
    plan = services.plan_create(by=lead, local_authority=world.la, data={"title_en": "Plan", "title_cy": "Cynllun"})
    v1 = plan.versions.get()
    assert (v1.number, v1.status, v1.is_current) == (1, VersionStatus.DRAFT, True)
    priority = services.priority_add(by=lead, version=v1, data={"title_en": "Hub", "title_cy": "Hyb"})
    objective = services.objective_add(by=lead, priority=priority, data={"title_en": "Route", "title_cy": "Llwybr"})
    services.action_add(by=lead, objective=objective, data={
        "title_en": "Agree", "title_cy": "Cytuno", "organisation": world.school_a, "starts_on": TODAY, "due_on": TODAY, "cells": [world.cell]})
    services.version_send_to_consultation(by=lead, version=v1)
    with pytest.raises(ValidationError) as error:
        services.version_approve(by=lead, version=v1, approved_on=TODAY, minute_reference=" ")
    assert "minute_reference" in error.value.message_dict
    v1 = services.version_approve(by=lead, version=v1, approved_on=TODAY, minute_reference="C/1")
    assert v1.status == VersionStatus.APPROVED and v1.is_published
    with pytest.raises(ValidationError):
        services.priority_add(by=lead, version=v1, data={"title_en": "x", "title_cy": "y"})
    v2 = services.version_revise(by=lead, version=v1)
    assert v2.number == 2 and v2.is_current and not PlanVersion.objects.get(pk=v1.pk).is_current
    copied = PlanAction.objects.get(objective__priority__version=v2)
    assert copied.title_en == "Agree" and list(copied.cells.all()) == [world.cell]
    with pytest.raises(ValidationError):
        services.version_revise(by=lead, version=v1)  # a revision is already being drafted
    services.version_approve(by=lead, version=v2, approved_on=TODAY, minute_reference="C/2")
    assert PlanVersion.objects.get(pk=v1.pk).status == VersionStatus.REVISED


def test_only_the_las_managers_change_the_plan(world, sp):
    for name in ("headteacher", "lead_other_la", "hub_coordinator"):
        with pytest.raises(Http404):
            services.priority_add(by=world.users[name], version=sp.draft, data={"title_en": "x", "title_cy": "y"})


def test_action_from_another_la_organisation_is_refused(world, sp):
    with pytest.raises(ValidationError) as error:
        services.action_add(by=world.users["la_lead"], objective=sp.draft_action.objective, data={
            "title_en": "x", "title_cy": "y", "organisation": world.school_other_la, "starts_on": TODAY, "due_on": TODAY})
    assert "organisation" in error.value.message_dict


def test_school_updates_its_own_action_and_rag_follows_the_latest_dated_update(world, sp):
    head = world.users["headteacher"]
    services.action_record_update(by=head, action=sp.action_a, on=TODAY, rag="green", note="Ten families came")
    services.action_record_update(by=head, action=sp.action_a, on=TODAY - datetime.timedelta(days=5), rag="red", note="Late entry")
    sp.action_a.refresh_from_db()
    assert sp.action_a.rag == "green"  # the later-dated update wins, whatever the order they were typed in
    assert ActionUpdate.objects.filter(action=sp.action_a).count() == 3
    with pytest.raises(Http404):
        services.action_record_update(by=head, action=sp.action_c, on=TODAY, rag="green", note="Not ours")
    with pytest.raises(ValidationError) as error:
        services.action_record_update(by=head, action=sp.action_a, on=TODAY + datetime.timedelta(days=1), rag="green", note="x")
    assert "on" in error.value.message_dict


# --- Measures ----------------------------------------------------------------------------------------------


def _learners(school, n, *, efsm, attended):
    for _ in range(n):
        learner = LearnerFactory(school=school, efsm=efsm)
        add_attendance_summary(None, learner, attended=attended, possible=100, period_end=TODAY)  # type: ignore[arg-type]


def test_attendance_measures_suppress_small_groups(world):
    _learners(world.school_a, 5, efsm=True, attended=85)
    _learners(world.school_a, 4, efsm=False, attended=95)
    assert measures.attendance_efsm_gap(local_authority=world.la, as_of=TODAY) is None  # only 4 other learners
    _learners(world.school_b, 1, efsm=False, attended=95)
    assert measures.attendance_efsm_gap(local_authority=world.la, as_of=TODAY) == Decimal("10.0")
    # 5 eFSM at 85% (persistent), 5 others at 95%: half the learners are persistently absent.
    assert measures.persistent_absence(local_authority=world.la, as_of=TODAY) == Decimal("50.0")
    assert measures.persistent_absence_efsm(local_authority=world.la, as_of=TODAY) == Decimal("100.0")
    assert measures.attendance_efsm_gap(local_authority=world.la2, as_of=TODAY) is None
    assert measures.attendance_efsm_gap(local_authority=world.la, as_of=TODAY - datetime.timedelta(days=400)) is None


def test_lettings_programme_and_self_evaluation_measures(world):
    from cymuned.premises.models import Booking

    booking = world.booking
    Booking.objects.filter(pk=booking.pk).update(status="approved", starts_at=timezone.now() - datetime.timedelta(hours=3),
                                                 ends_at=timezone.now() - datetime.timedelta(hours=1))
    assert measures.community_lettings_hours(local_authority=world.la, as_of=TODAY) == Decimal("2.0")
    assert measures.community_lettings_hours(local_authority=world.la2, as_of=TODAY) is None
    assert measures.programme_reach(local_authority=world.la, as_of=TODAY) == Decimal("1")
    assert measures.programme_efsm_share(local_authority=world.la, as_of=TODAY) is None  # one learner: too few to publish
    assert measures.self_evaluation_average(local_authority=world.la, as_of=TODAY) is None  # the world's evaluation is a draft


def test_a_new_measure_is_one_register_call(world):
    measures.register_measure("test_constant", "Constant", "things", lambda *, local_authority, as_of: Decimal("7"))
    try:
        assert measures.current_values(["test_constant", "unknown"], local_authority=world.la, as_of=TODAY) == {
            "test_constant": Decimal("7"), "unknown": None}
        assert ("test_constant", "Constant") in measures.measure_choices()
    finally:
        measures._registry.pop("test_constant")


# --- Pages -------------------------------------------------------------------------------------------------


def test_plan_pages_for_the_la_and_schools(world, sp, client_for):
    lead = client_for("la_lead")
    assert lead.get("/en-gb/strategy/").status_code == 200
    page = lead.get(f"/en-gb/strategy/versions/{sp.approved.pk}/")
    assert page.status_code == 200 and b"Family learning at Alpha" in page.content and b"Hours of community use" in page.content
    head = client_for("headteacher")
    assert head.get(f"/en-gb/strategy/versions/{sp.draft.pk}/").status_code == 200
    assert b"Add a priority" not in head.get(f"/en-gb/strategy/versions/{sp.draft.pk}/").content
    mine = head.get("/en-gb/strategy/actions/").content
    assert b"Family learning at Alpha" in mine and b"Family learning at Gamma" not in mine


def test_other_las_and_the_public_do_not_see_a_draft(world, sp, client_for):
    assert client_for("lead_other_la").get(f"/en-gb/strategy/versions/{sp.draft.pk}/").status_code == 404
    assert client_for(None).get(f"/en-gb/strategy/published/{sp.draft.pk}/").status_code == 404
    public = client_for(None).get(f"/en-gb/strategy/published/{sp.approved.pk}/")
    assert public.status_code == 200 and b"Families engaged in learning" in public.content
    welsh = client_for(None).get(f"/cy/strategy/published/{sp.approved.pk}/")
    assert "Teuluoedd yn ymwneud â dysgu" in welsh.content.decode()
    listing = client_for(None).get("/en-gb/strategy/published/").content
    assert b"Community Focused Schools Plan" in listing and b"What does community mean to you?" in listing


def test_head_records_an_update_on_own_action_not_anothers(world, sp, client_for):
    head = client_for("headteacher")
    data = {"on": TODAY.isoformat(), "rag": "green", "note": "Twelve families"}
    response = head.post(f"/en-gb/strategy/actions/{sp.action_a.pk}/update/", data)
    assert response.status_code == 302
    assert PlanAction.objects.get(pk=sp.action_a.pk).rag == "green"
    assert head.post(f"/en-gb/strategy/actions/{sp.action_c.pk}/update/", data).status_code == 404
    assert client_for("lead_other_la").post(f"/en-gb/strategy/actions/{sp.action_a.pk}/update/", data).status_code == 404
    bad = head.post(f"/en-gb/strategy/actions/{sp.action_a.pk}/update/", {"on": TODAY.isoformat(), "note": ""})
    assert bad.status_code == 422 and b"Choose a RAG status" in bad.content and b"govuk-error-summary" in bad.content


def test_lead_builds_and_approves_a_version_through_the_pages(world, sp, client_for):
    lead = client_for("la_lead")
    v = sp.draft
    assert lead.post(f"/en-gb/strategy/versions/{v.pk}/priorities/add/", {"title_en": "Governors", "title_cy": "Llywodraethwyr"}).status_code == 302
    priority = v.priorities.get(title_en="Governors")
    assert lead.post(f"/en-gb/strategy/priorities/{priority.pk}/objectives/add/", {"title_en": "Network", "title_cy": "Rhwydwaith"}).status_code == 302
    objective = priority.objectives.get()
    response = lead.post(f"/en-gb/strategy/objectives/{objective.pk}/actions/add/", {
        "title_en": "First meeting", "title_cy": "Cyfarfod cyntaf", "organisation": world.la.pk, "starts_on": TODAY.isoformat(),
        "due_on": (TODAY - datetime.timedelta(days=1)).isoformat()})
    assert response.status_code == 200 and b"The due date must be on or after the start date" in response.content
    response = lead.post(f"/en-gb/strategy/objectives/{objective.pk}/measures/add/", {
        "measure_key": "persistent_absence", "baseline_value": "20", "baseline_on": TODAY.isoformat(), "target_value": "15",
        "target_on": (TODAY + datetime.timedelta(days=300)).isoformat()})
    assert response.status_code == 302 and objective.measures.count() == 1
    assert lead.post(f"/en-gb/strategy/versions/{v.pk}/consultation/").status_code == 302
    assert lead.post(f"/en-gb/strategy/versions/{v.pk}/consultation-summary/", {
        "consultation_summary_en": "People want halls open.", "consultation_summary_cy": "Mae pobl eisiau neuaddau ar agor."}).status_code == 302
    missing = lead.post(f"/en-gb/strategy/versions/{v.pk}/approve/", {"approved_on": TODAY.isoformat()})
    assert missing.status_code == 200 and b"Enter the reference of the Council minute" in missing.content
    assert lead.post(f"/en-gb/strategy/versions/{v.pk}/approve/", {"approved_on": TODAY.isoformat(), "minute_reference": "C/9"}).status_code == 302
    v.refresh_from_db()
    assert v.status == VersionStatus.APPROVED and v.consultation_summary_cy.startswith("Mae pobl")
    assert PlanVersion.objects.get(pk=sp.approved.pk).status == VersionStatus.REVISED
    assert lead.post(f"/en-gb/strategy/versions/{v.pk}/revise/").status_code == 302
    assert client_for("headteacher").post(f"/en-gb/strategy/versions/{v.pk}/revise/").status_code == 404
    assert lead.post("/en-gb/strategy/new/", {"title_en": "Second", "title_cy": "Ail"}).status_code == 302
    assert client_for("headteacher").get("/en-gb/strategy/new/").status_code == 403


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_plan_pages_run_a_constant_number_of_queries(world, sp, client_for):
    lead = client_for("la_lead")
    url = f"/en-gb/strategy/versions/{sp.approved.pk}/"
    _queries(lead, url)
    before = (_queries(lead, url), _queries(lead, "/en-gb/strategy/actions/"), _queries(client_for(None), f"/en-gb/strategy/published/{sp.approved.pk}/"))
    for n in range(6):
        action = PlanAction.objects.create(objective=sp.objective, title_en=f"More {n}", title_cy=f"Mwy {n}", organisation=world.school_a,
                                           owner=world.users["csm"], starts_on=TODAY, due_on=TODAY)
        action.cells.add(world.cell)
    after = (_queries(lead, url), _queries(lead, "/en-gb/strategy/actions/"), _queries(client_for(None), f"/en-gb/strategy/published/{sp.approved.pk}/"))
    assert after == before


# --- API ---------------------------------------------------------------------------------------------------


def test_api_public_sees_published_versions_staff_see_their_las(world, sp, client_for):
    public = client_for(None).get("/api/v1/plan-versions/").json()["results"]
    assert [v["id"] for v in public] == [sp.approved.pk]
    staff = {v["id"] for v in client_for("school_staff").get("/api/v1/plan-versions/").json()["results"]}
    assert staff == {sp.approved.pk, sp.draft.pk}
    other = {v["id"] for v in client_for("lead_other_la").get("/api/v1/plan-versions/").json()["results"]}
    assert other == {sp.approved.pk}
    assert client_for("lead_other_la").get(f"/api/v1/plan-actions/{sp.draft_action.pk}/").status_code == 404
    actions = client_for(None).get("/api/v1/plan-actions/").json()["results"]
    assert {a["id"] for a in actions} == {sp.action_a.pk, sp.action_c.pk} and all(a["owner"] == "" for a in actions)
    assert client_for("la_lead").get(f"/api/v1/plan-actions/{sp.action_a.pk}/").json()["owner"] == "Csm"
    assert client_for(None).get(f"/api/v1/strategic-plans/{sp.plan.pk}/").status_code == 200


def test_api_action_updates(world, sp, client_for):
    url = f"/api/v1/plan-actions/{sp.action_a.pk}/updates/"
    head = client_for("headteacher")
    created = head.post(url, {"on": TODAY.isoformat(), "rag": "green", "note": "Going well"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["rag"] == "green"
    assert len(head.get(url).json()) == 2
    bad = head.post(url, {"on": (TODAY + datetime.timedelta(days=3)).isoformat(), "rag": "green", "note": "x"}, content_type="application/json")
    assert bad.status_code == 400 and "on" in bad.json()
    other = client_for("head_other_cluster").post(url, {"on": TODAY.isoformat(), "rag": "red", "note": "x"}, content_type="application/json")
    assert other.status_code == 404
    assert client_for(None).post(url, {"on": TODAY.isoformat(), "rag": "red", "note": "x"}, content_type="application/json").status_code in (403, 404)
    assert ActionUpdate.objects.filter(action=sp.action_a).count() == 2


def test_api_lists_run_a_constant_number_of_queries(world, sp, client_for):
    lead = client_for("la_lead")
    first = _queries(lead, "/api/v1/plan-actions/")
    for n in range(5):
        PlanAction.objects.create(objective=sp.objective, title_en=f"A{n}", title_cy=f"A{n}", organisation=world.school_a,
                                  owner=world.users["csm"], starts_on=TODAY, due_on=TODAY).cells.add(world.cell)
    assert _queries(lead, "/api/v1/plan-actions/") == first


# --- Demo --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_plan_consultations_and_report():
    from cymuned.core.demo.borough import DEMO_LA_CODE, load_demo_borough
    from cymuned.organisations.models import LocalAuthority
    from cymuned.strategy import council_report
    from cymuned.strategy.models import Questionnaire, StrategicPlan

    load_demo_borough(seed=3, learners_per_school=6)
    la = LocalAuthority.objects.get(code=DEMO_LA_CODE)
    plan = StrategicPlan.objects.get(local_authority=la)
    assert list(plan.versions.order_by("number").values_list("status", flat=True)) == ["approved", "consultation"]
    assert ActionUpdate.objects.filter(action__objective__priority__version__plan=plan).exists()
    open_q = Questionnaire.objects.open_on().get(local_authority=la, is_public=True)
    assert "community" in open_q.title_en and open_q.responses.count() > 10
    assert Questionnaire.objects.filter(local_authority=la, closes_on__lt=TODAY).exists()
    pdf, docx = council_report.build_files(local_authority=la, as_of=TODAY)
    assert pdf.startswith(b"%PDF") and docx[:2] == b"PK"
