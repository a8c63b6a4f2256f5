"""Reads of the strategic plan and consultations: a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, visible_to

from . import measures
from .models import (
    CHOICE_KINDS,
    ActionUpdate,
    Answer,
    CouncilReport,
    Objective,
    PlanAction,
    PlanMeasure,
    PlanVersion,
    Priority,
    Question,
    QuestionKind,
    Questionnaire,
    StrategicPlan,
    VersionStatus,
)


def plans_for(*, user: Any) -> QuerySet[StrategicPlan]:
    current = PlanVersion.objects.filter(is_current=True)
    return (visible_to(user, StrategicPlan, Action.LIST).select_related("local_authority")
            .prefetch_related(Prefetch("versions", queryset=current, to_attr="current_versions")).order_by("title_en", "pk"))


def versions_of(*, user: Any, plan: StrategicPlan) -> QuerySet[PlanVersion]:
    return visible_to(user, PlanVersion.objects.filter(plan=plan), Action.LIST).order_by("-number")


def version_tree(version: PlanVersion) -> list[Priority]:
    """Priorities with their objectives, actions (owner, organisation, latest updates) and measures: four queries."""
    actions = PlanAction.objects.select_related("owner", "organisation").prefetch_related("cells__element", "cells__enabler")
    return list(version.priorities.prefetch_related(
        Prefetch("objectives", queryset=Objective.objects.prefetch_related(
            Prefetch("actions", queryset=actions), Prefetch("measures", queryset=PlanMeasure.objects.order_by("pk")))),
    ))


@dataclass
class MeasureRow:
    measure: PlanMeasure
    label: Any
    unit: Any
    current: Decimal | None
    on_track: bool | None


def measure_rows(*, priorities: list[Priority], local_authority: Any, as_of: datetime.date | None = None) -> dict[int, list[MeasureRow]]:
    """Per objective id, its measures with the current value computed live (each measure computed once)."""
    as_of = as_of or timezone.localdate()
    plan_measures = [m for p in priorities for o in p.objectives.all() for m in o.measures.all()]
    values = measures.current_values([m.measure_key for m in plan_measures], local_authority=local_authority, as_of=as_of)
    out: dict[int, list[MeasureRow]] = defaultdict(list)
    for m in plan_measures:
        definition = measures.measure_for(m.measure_key)
        current = values.get(m.measure_key)
        on_track = None
        if current is not None and definition is not None:
            better = current >= m.baseline_value if definition.higher_is_better else current <= m.baseline_value
            on_track = bool(better)
        out[m.objective_id].append(MeasureRow(measure=m, label=definition.label if definition else m.measure_key,
                                              unit=definition.unit if definition else "", current=current, on_track=on_track))
    for priority in priorities:
        for objective in priority.objectives.all():
            objective.measure_rows = out.get(objective.pk, [])  # type: ignore[attr-defined]
    return out


def rag_counts(version: PlanVersion) -> dict[str, int]:
    rows = PlanAction.objects.filter(objective__priority__version=version).values("rag").annotate(n=Count("pk")).order_by()
    counts = {"red": 0, "amber": 0, "green": 0}
    counts.update({r["rag"]: r["n"] for r in rows})
    return counts


def actions_for_organisations(*, user: Any) -> QuerySet[PlanAction]:
    """Actions the user may update (their own, or their organisation's) of the version in force and of the current draft."""
    in_force = Q(objective__priority__version__status=VersionStatus.APPROVED) | Q(objective__priority__version__is_current=True)
    return (visible_to(user, PlanAction.objects.with_related(), Action.CHANGE).filter(in_force).order_by("due_on", "pk"))


def updates_of(action: PlanAction) -> QuerySet[ActionUpdate]:
    return action.updates.select_related("by").order_by("-on", "-pk")


def published_versions() -> QuerySet[PlanVersion]:
    return PlanVersion.objects.published().with_related().order_by("plan__local_authority__name_en", "plan__title_en", "-number")


def questionnaires_for(*, user: Any) -> QuerySet[Questionnaire]:
    return (visible_to(user, Questionnaire, Action.LIST).filter(local_authority_id__in=_member_las(user))
            .select_related("plan_version__plan").annotate(response_count=Count("responses")).order_by("-opens_on", "pk"))


def _member_las(user: Any) -> list[int]:
    from cymuned.access.principal import principal_for

    return sorted(principal_for(user).member_la_ids())


def open_public_questionnaires() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.open_on().filter(is_public=True).select_related("local_authority").order_by("closes_on", "pk")


@dataclass
class QuestionResult:
    question: Question
    labels: list[str]
    counts: list[int]
    texts: list[str]

    @property
    def total(self) -> int:
        return sum(self.counts)


def results(questionnaire: Questionnaire) -> tuple[int, list[QuestionResult]]:
    """Responses, and per question its option counts or its free-text answers: three queries."""
    responses = questionnaire.responses.count()
    counts = {(r["question_id"], r["choice"]): r["n"] for r in
              Answer.objects.filter(question__questionnaire=questionnaire, choice__isnull=False)
              .values("question_id", "choice").annotate(n=Count("pk")).order_by()}
    texts: dict[int, list[str]] = defaultdict(list)
    for question_id, text in (Answer.objects.filter(question__questionnaire=questionnaire, choice__isnull=True)
                              .order_by("response__submitted_on", "pk").values_list("question_id", "text")):
        texts[question_id].append(text)
    out = []
    for question in questionnaire.questions.all():
        if question.kind in CHOICE_KINDS:
            points = list(range(1, 6)) if question.kind == QuestionKind.SCALE else list(range(len(question.options)))
            out.append(QuestionResult(question=question, labels=question.option_labels(), counts=[counts.get((question.pk, p), 0) for p in points],
                                      texts=[]))
        else:
            out.append(QuestionResult(question=question, labels=[], counts=[], texts=texts.get(question.pk, [])))
    return responses, out


def free_text_rows(questionnaire: Questionnaire, *, with_names: bool) -> tuple[list[str], list[list[Any]]]:
    """Every free-text answer, for export: one query."""
    header = [_("Question"), _("Answer"), _("Submitted on"), _("Language")] + ([_("Name")] if with_names else [])
    rows = []
    for answer in (Answer.objects.filter(question__questionnaire=questionnaire, choice__isnull=True)
                   .select_related("question", "response").order_by("question__position", "response__submitted_on", "pk")):
        row = [answer.question.text, answer.text, timezone.localtime(answer.response.submitted_on).strftime("%Y-%m-%d %H:%M"),
               answer.response.language]
        if with_names:
            row.append(answer.response.respondent_name)
        rows.append(row)
    return header, rows


def reports_for(*, user: Any) -> QuerySet[CouncilReport]:
    return visible_to(user, CouncilReport, Action.LIST).select_related("created_by", "local_authority").order_by("-created_on", "-pk")


def filter_open(queryset: QuerySet[Questionnaire], day: datetime.date | None = None) -> QuerySet[Questionnaire]:
    day = day or timezone.localdate()
    return queryset.filter(Q(opens_on__lte=day) & Q(closes_on__gte=day))
