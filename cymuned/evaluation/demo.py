"""Demo self-evaluations: three years with realistic progression, moderation, surveys and action plans."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable

from django.utils import timezone

from cymuned.organisations.models import LocalAuthority, School

from .models import (
    Action,
    ActionUpdate,
    Evaluation,
    EvaluationStatus,
    Framework,
    Rag,
    Rating,
    StakeholderSurvey,
    SurveyAnswer,
    SurveyResponse,
    academic_year_for,
    previous_academic_year,
)
from .services import framework_create_default

RATIONALES = [
    "Parent forum minutes and our family survey show this clearly.",
    "The FEO's contact log and attendance at family events support this.",
    "Community use of the hall has grown, but evening cover is still a barrier.",
    "Referrals through the hub are now followed up within a week.",
    "We have started, but too few eFSM families take part yet.",
    "Governors reviewed this with the community school manager in the spring term.",
]
ACTIONS = [
    "Run a termly coffee morning with the FEO for families new to the school",
    "Agree an MoU with the housing association for tenancy support drop-ins",
    "Open the hall on Tuesday evenings for community groups, with caretaker cover",
    "Start a family learning course on digital skills with Adult Community Learning",
    "Map referrals to the hub and their outcomes each half term",
]


def bulk_evaluations(*, schools: Iterable[School], framework: Framework, academic_year: str, rng: random.Random,
                     base_levels: dict[int, dict[int, int]] | None = None, status: str = EvaluationStatus.PUBLISHED) -> dict[int, dict[int, int]]:
    """One evaluation per school with 12 ratings, by bulk insertion. Returns school -> cell -> level, to progress from."""
    schools = list(schools)
    stages = {s.level: s for s in framework.stages.all()}
    cells = list(framework.cells.all())
    now = timezone.now()
    evaluations = Evaluation.objects.bulk_create(
        Evaluation(school=s, academic_year=academic_year, framework=framework, status=status,
                   submitted_on=now if status != EvaluationStatus.DRAFT else None,
                   moderated_on=now if status in (EvaluationStatus.MODERATED, EvaluationStatus.PUBLISHED) else None,
                   published_on=now if status == EvaluationStatus.PUBLISHED else None)
        for s in schools
    )
    levels: dict[int, dict[int, int]] = {}
    ratings = []
    for evaluation in evaluations:
        before = (base_levels or {}).get(evaluation.school_id, {})
        levels[evaluation.school_id] = {}
        for cell in cells:
            start = before.get(cell.pk, rng.choice([1, 1, 2, 2, 2, 3]))
            level = min(4, start + (1 if before and rng.random() < 0.35 else 0))
            levels[evaluation.school_id][cell.pk] = level
            moderated = None
            if status in (EvaluationStatus.MODERATED, EvaluationStatus.PUBLISHED):
                moderated = stages[max(1, level - 1)] if rng.random() < 0.12 else stages[level]
            ratings.append(Rating(evaluation=evaluation, cell=cell, stage=stages[level], rationale=rng.choice(RATIONALES),
                                  moderated_stage=moderated,
                                  moderation_comment="Evidence supports the stage below for now." if moderated and moderated.level != level else ""))
    Rating.objects.bulk_create(ratings, batch_size=5000)
    return levels


def load_demo_evaluations(*, local_authority: LocalAuthority, rng: random.Random, today: datetime.date | None = None) -> None:
    from cymuned.accounts.models import Membership

    today = today or datetime.date.today()
    framework = framework_create_default(local_authority=local_authority)
    schools = list(School.objects.filter(local_authority=local_authority).order_by("pk"))
    this_year = academic_year_for(today)
    last_year = previous_academic_year(this_year)
    two_years_ago = previous_academic_year(last_year)
    levels = bulk_evaluations(schools=schools, framework=framework, academic_year=two_years_ago, rng=rng)
    levels = bulk_evaluations(schools=schools, framework=framework, academic_year=last_year, rng=rng, base_levels=levels)
    # This year: some schools are still drafting, some have submitted; the demo head's school is a draft to try out.
    submitted = [s for i, s in enumerate(schools) if i % 3 == 1]
    bulk_evaluations(schools=submitted, framework=framework, academic_year=this_year, rng=rng, base_levels=levels,
                     status=EvaluationStatus.SUBMITTED)
    owners = {m.organisation_id: m.user for m in Membership.objects.filter(role__in=("headteacher", "csm"), organisation__in=schools)}
    cells = list(framework.cells.all())
    for evaluation in Evaluation.objects.filter(school__in=schools, academic_year=last_year).select_related("school"):
        owner = owners.get(evaluation.school_id)
        if owner is None:
            continue
        for n in range(2):
            due = today + datetime.timedelta(days=rng.randint(-40, 120))
            action = Action.objects.create(
                evaluation=evaluation, cell=rng.choice(cells), title=ACTIONS[(evaluation.pk + n) % len(ACTIONS)], owner=owner,
                due_on=due, success_measure="More eFSM families take part, measured each term.", rag=rng.choice(Rag.values),
            )
            ActionUpdate.objects.create(action=action, on=today - datetime.timedelta(days=rng.randint(5, 60)),
                                        note="Planned with partners; first session booked.", rag=action.rag)
        survey = StakeholderSurvey.objects.create(evaluation=evaluation, audience="parents", closes_on=today - datetime.timedelta(days=30),
                                                  is_open=False)
        for _ in range(rng.randint(8, 25)):
            response = SurveyResponse.objects.create(survey=survey)
            SurveyAnswer.objects.bulk_create(SurveyAnswer(response=response, cell=c, score=rng.choice([2, 3, 3, 4])) for c in cells)
