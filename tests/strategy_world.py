"""A strategic plan, a consultation and a report to Council in the shared test world (for the strategy tests and the every-URL walk)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from cymuned.strategy.models import (
    ActionUpdate,
    CouncilReport,
    Objective,
    PlanAction,
    PlanMeasure,
    PlanVersion,
    Priority,
    Question,
    Questionnaire,
    ReportStatus,
    StrategicPlan,
    VersionStatus,
)


@dataclass
class PlanWorld:
    plan: StrategicPlan
    approved: PlanVersion  # version 1, approved by Council (public)
    draft: PlanVersion  # version 2, the current draft
    priority: Priority
    objective: Objective
    action_a: PlanAction  # owned by school A (approved version)
    action_c: PlanAction  # owned by school C (another cluster)
    draft_action: PlanAction
    measure: PlanMeasure
    questionnaire: Questionnaire
    questions: dict[str, Question]


def build_plan(world: Any) -> PlanWorld:
    """Idempotent for one world: a second call returns the same records."""
    existing = getattr(world, "_strategy", None)
    if existing is not None:
        return existing
    today = timezone.localdate()
    lead = world.users["la_lead"]
    plan = StrategicPlan.objects.create(local_authority=world.la, title_en="Community Focused Schools Plan", title_cy="Cynllun Ysgolion Bro",
                                        summary_en="Our plan.", summary_cy="Ein cynllun.", created_by=lead)
    approved = PlanVersion.objects.create(plan=plan, number=1, status=VersionStatus.APPROVED, is_current=False,
                                          approved_on=today - datetime.timedelta(days=60), minute_reference="C/2026/7")
    draft = PlanVersion.objects.create(plan=plan, number=2, status=VersionStatus.DRAFT, is_current=True)
    priority = Priority.objects.create(version=approved, position=1, title_en="Families engaged in learning",
                                       title_cy="Teuluoedd yn ymwneud â dysgu")
    objective = Objective.objects.create(priority=priority, position=1, title_en="More families take part", title_cy="Mwy o deuluoedd yn cymryd rhan")
    start = today - datetime.timedelta(days=50)
    action_a = PlanAction.objects.create(objective=objective, title_en="Family learning at Alpha", title_cy="Dysgu teuluol yn Alffa",
                                         organisation=world.school_a, owner=world.users["csm"], starts_on=start,
                                         due_on=today + datetime.timedelta(days=90), rag="amber")
    action_a.cells.add(world.cell)
    ActionUpdate.objects.create(action=action_a, on=today - datetime.timedelta(days=20), rag="amber", note="Started", by=world.users["csm"])
    action_c = PlanAction.objects.create(objective=objective, title_en="Family learning at Gamma", title_cy="Dysgu teuluol yn Gama",
                                         organisation=world.school_c, starts_on=start, due_on=today + datetime.timedelta(days=90), rag="red")
    d_priority = Priority.objects.create(version=draft, position=1, title_en="A hub across the borough", title_cy="Hyb ar draws y fwrdeistref")
    d_objective = Objective.objects.create(priority=d_priority, position=1, title_en="One referral route", title_cy="Un llwybr atgyfeirio")
    draft_action = PlanAction.objects.create(objective=d_objective, title_en="Agree the route", title_cy="Cytuno ar y llwybr",
                                             organisation=world.la, starts_on=start, due_on=today + datetime.timedelta(days=30))
    measure = PlanMeasure.objects.create(objective=objective, measure_key="community_lettings_hours", baseline_value=Decimal("10"),
                                         baseline_on=start, target_value=Decimal("100"), target_on=today + datetime.timedelta(days=365))
    questionnaire = Questionnaire.objects.create(
        local_authority=world.la, plan_version=draft, title_en="What does community mean to you?", title_cy="Beth mae cymuned yn ei olygu i chi?",
        intro_en="Tell us.", intro_cy="Dywedwch wrthym.", audiences=["residents"], is_public=True,
        opens_on=today - datetime.timedelta(days=5), closes_on=today + datetime.timedelta(days=20), created_by=lead,
    )
    questions = {
        "single": Question.objects.create(questionnaire=questionnaire, position=1, kind="single", text_en="Where is your community?",
                                          text_cy="Ble mae eich cymuned?", options=[{"en": "My street", "cy": "Fy stryd"},
                                                                                     {"en": "My town", "cy": "Fy nhref"}]),
        "multiple": Question.objects.create(questionnaire=questionnaire, position=2, kind="multiple", text_en="What would you use the school for?",
                                            text_cy="Ar gyfer beth fyddech chi'n defnyddio'r ysgol?", required=False,
                                            options=[{"en": "Courses", "cy": "Cyrsiau"}, {"en": "Sport", "cy": "Chwaraeon"},
                                                     {"en": "Advice", "cy": "Cyngor"}]),
        "scale": Question.objects.create(questionnaire=questionnaire, position=3, kind="scale", text_en="How welcome do you feel?",
                                         text_cy="Pa mor groesawgar ydych chi'n teimlo?"),
        "text": Question.objects.create(questionnaire=questionnaire, position=4, kind="text", text_en="In your own words", required=False,
                                        text_cy="Yn eich geiriau eich hun"),
    }
    world._strategy = PlanWorld(plan=plan, approved=approved, draft=draft, priority=priority, objective=objective, action_a=action_a,
                                action_c=action_c, draft_action=draft_action, measure=measure, questionnaire=questionnaire, questions=questions)
    return world._strategy


def a_finished_report(world: Any) -> CouncilReport:
    report = CouncilReport.objects.filter(local_authority=world.la, status=ReportStatus.DONE).first()
    if report is None:
        report = CouncilReport(local_authority=world.la, as_of=timezone.localdate(), status=ReportStatus.DONE, progress=100,
                               created_by=world.users["la_lead"], finished_on=timezone.now())
        report.pdf.save("r.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        report.docx.save("r.docx", ContentFile(b"PK docx"), save=False)
        report.save()
    return report
