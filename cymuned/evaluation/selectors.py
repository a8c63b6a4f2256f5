"""Reads of self-evaluation: school profiles, heatmaps, distributions and action lists.

Heatmaps align years by cell *code* (element.enabler), so a school's rating keeps its place
when the framework moves to a new version.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Avg, Case, Count, F, IntegerField, Q, QuerySet, When
from django.db.models.functions import Coalesce

from cymuned.access.policy import Action, visible_to
from cymuned.core.models import localised_order
from cymuned.organisations.models import Cluster, School

from .models import Action as PlanAction
from .models import Evaluation, EvaluationStatus, Framework, Rating, Stage, SurveyAnswer

EFSM_BANDS: dict[str, tuple[Decimal, Decimal]] = {
    "0-10": (Decimal("0"), Decimal("10")),
    "10-20": (Decimal("10"), Decimal("20")),
    "20-30": (Decimal("20"), Decimal("30")),
    "30-100": (Decimal("30"), Decimal("100.1")),
}


def current_framework(*, user: Any, local_authority_id: int | None = None) -> Framework | None:
    frameworks = visible_to(user, Framework).filter(is_current=True)
    if local_authority_id is not None:
        frameworks = frameworks.filter(local_authority_id=local_authority_id)
    return frameworks.prefetch_related("elements", "enablers", "stages", "cells__element", "cells__enabler").order_by("local_authority_id").first()


def framework_grid(framework: Framework) -> dict[str, Any]:
    """Elements (rows), enablers (columns), cells keyed by code and stages, for templates."""
    cells = {cell.code: cell for cell in framework.cells.all()}
    return {
        "elements": list(framework.elements.all()),
        "enablers": list(framework.enablers.all()),
        "cells": cells,
        "cell_codes": [f"{e.code}.{n.code}" for e in framework.elements.all() for n in framework.enablers.all()],
        "stages": list(framework.stages.all()),
    }


def evaluations_for(*, user: Any, school: School | None = None, academic_year: str = "", status: str = "") -> QuerySet[Evaluation]:
    evaluations = visible_to(user, Evaluation.objects.with_related(), Action.LIST)
    if school is not None:
        evaluations = evaluations.filter(school=school)
    if academic_year:
        evaluations = evaluations.filter(academic_year=academic_year)
    if status:
        evaluations = evaluations.filter(status=status)
    return evaluations.order_by("-academic_year", "school__name_en")


def ratings_by_cell(evaluation: Evaluation) -> dict[int, Rating]:
    return {r.cell_id: r for r in evaluation.ratings.select_related("stage", "moderated_stage")}


def survey_results(evaluation: Evaluation) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Per cell, in grid order: each audience's number of answers and mean agreement (1 to 4). One query."""
    from .models import Audience
    rows = (
        SurveyAnswer.objects.filter(response__survey__evaluation=evaluation)
        .values("cell_id", "response__survey__audience")
        .annotate(answers=Count("pk"), mean=Avg("score"))
        .order_by("cell_id", "response__survey__audience")
    )
    results: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        results[row["cell_id"]].append(
            {"audience": Audience(row["response__survey__audience"]).label, "answers": row["answers"], "mean": row["mean"]}
        )
    cells = evaluation.framework.cells.select_related("element", "enabler")
    return [(cell, results[cell.pk]) for cell in cells if cell.pk in results]


@dataclass
class ProfileYear:
    evaluation: Evaluation
    levels: dict[str, int | None]


def school_profile(*, user: Any, school: School) -> dict[str, Any]:
    """Every visible year of a school's self-evaluation, the trend per cell, and its open actions. Fixed queries."""
    evaluations = list(evaluations_for(user=user, school=school).order_by("-academic_year"))
    levels = _final_levels(Rating.objects.filter(evaluation__in=evaluations))
    years = [ProfileYear(evaluation=e, levels=levels.get(e.pk, {})) for e in evaluations]
    actions = visible_to(user, PlanAction.objects.with_related()).filter(evaluation__school=school).open().order_by("due_on")
    return {"years": years, "actions": list(actions)}


def _final_levels(ratings: QuerySet[Rating]) -> dict[int, dict[str, int]]:
    """evaluation id -> {cell code: final stage level} in one query."""
    rows = (
        ratings.annotate(final_level=Coalesce(F("moderated_stage__level"), F("stage__level")))
        .values("evaluation_id", "cell__element__code", "cell__enabler__code", "final_level")
        .order_by()
    )
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        out[row["evaluation_id"]][f"{row['cell__element__code']}.{row['cell__enabler__code']}"] = row["final_level"]
    return out


@dataclass
class HeatmapRow:
    school: School
    levels: dict[str, int | None] = field(default_factory=dict)
    changes: dict[str, int | None] = field(default_factory=dict)


def heatmap_schools(
    *, user: Any, cluster: Cluster | None = None, phase: str = "", language_medium: str = "", efsm_band: str = ""
) -> QuerySet[School]:
    # Only what a heatmap row shows: building thousands of full School objects would dominate the page.
    schools = visible_to(user, School.objects.only("name_en", "name_cy", "local_authority_id"), Action.LIST).filter(is_active=True)
    if cluster is not None:
        schools = schools.filter(cluster=cluster)
    if phase:
        schools = schools.filter(phase=phase)
    if language_medium:
        schools = schools.filter(language_medium=language_medium)
    if efsm_band in EFSM_BANDS:
        low, high = EFSM_BANDS[efsm_band]
        schools = schools.filter(efsm_percentage__gte=low, efsm_percentage__lt=high)
    return schools.order_by(localised_order("name"), "pk")


def heatmap(*, user: Any, academic_year: str, schools: QuerySet[School], page_number: Any = 1, per_page: int = 100) -> tuple[Page, list[HeatmapRow]]:
    """A page of schools x cells, coloured by the final stage this year, with the change since last year.

    Runs a fixed number of queries: the page of schools, its count, and one query for the final
    levels of both years' visible, non-draft evaluations of those schools.
    """
    from .models import previous_academic_year

    page = Paginator(schools, per_page).get_page(page_number)
    school_list = list(page.object_list)
    previous = previous_academic_year(academic_year)
    visible = visible_to(user, Evaluation.objects.all(), Action.VIEW).exclude(status=EvaluationStatus.DRAFT)
    rows_sql = (
        Rating.objects.filter(
            evaluation__in=visible.values("pk"),
            evaluation__school_id__in=[s.pk for s in school_list],
            evaluation__academic_year__in=[academic_year, previous],
        )
        .annotate(final_level=Coalesce(F("moderated_stage__level"), F("stage__level")))
        .values_list("evaluation__school_id", "evaluation__academic_year", "cell__element__code", "cell__enabler__code", "final_level")
        .order_by()  # Rating's default ordering would sort tens of thousands of rows for nothing
    )
    now: dict[int, dict[str, int]] = defaultdict(dict)
    before: dict[int, dict[str, int]] = defaultdict(dict)
    for school_id, year, element, enabler, level in rows_sql:
        (now if year == academic_year else before)[school_id][f"{element}.{enabler}"] = level
    rows = []
    for school in school_list:
        levels = now.get(school.pk, {})
        last = before.get(school.pk, {})
        rows.append(
            HeatmapRow(
                school=school,
                levels=levels,
                changes={code: (level - last[code]) if code in last else None for code, level in levels.items()},
            )
        )
    return page, rows


def stage_distribution(*, user: Any, academic_year: str, schools: QuerySet[School]) -> dict[str, dict[int, int]]:
    """For the chart: per cell code, how many schools sit at each final stage level. One set-based query."""
    visible = visible_to(user, Evaluation.objects.all(), Action.VIEW).filter(academic_year=academic_year, school__in=schools).exclude(
        status=EvaluationStatus.DRAFT
    )
    rows = (
        Rating.objects.filter(evaluation__in=visible)
        .annotate(final_level=Coalesce(F("moderated_stage__level"), F("stage__level")))
        .values("cell__element__code", "cell__enabler__code", "final_level")
        .annotate(schools=Count("pk"))
    )
    out: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        out[f"{row['cell__element__code']}.{row['cell__enabler__code']}"][row["final_level"]] = row["schools"]
    return dict(out)


def heatmap_raw_sql(*, local_authority_ids: list[int], academic_year: str) -> list[tuple[int, str, str, int]]:
    """The same figures as the heatmap in one raw query, for the benchmark's reference."""
    from django.db import connection

    sql = """
        SELECT e.school_id, el.code, en.code, COALESCE(ms.level, s.level)
        FROM evaluation_rating r
        JOIN evaluation_evaluation e ON e.id = r.evaluation_id
        JOIN organisations_organisation o ON o.id = e.school_id
        JOIN evaluation_cell c ON c.id = r.cell_id
        JOIN evaluation_element el ON el.id = c.element_id
        JOIN evaluation_enabler en ON en.id = c.enabler_id
        JOIN evaluation_stage s ON s.id = r.stage_id
        LEFT JOIN evaluation_stage ms ON ms.id = r.moderated_stage_id
        WHERE e.academic_year = %s AND e.status <> 'draft' AND o.local_authority_id = ANY(%s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [academic_year, local_authority_ids])
        return cursor.fetchall()


def actions_for(*, user: Any, school: School | None = None, owned_only: bool = False, include_done: bool = False) -> QuerySet[PlanAction]:
    actions = visible_to(user, PlanAction.objects.with_related(), Action.LIST)
    if school is not None:
        actions = actions.filter(evaluation__school=school)
    if owned_only:
        actions = actions.filter(owner=user)
    if not include_done:
        actions = actions.open()
    today = datetime.date.today()
    return actions.annotate(
        is_overdue=Case(When(Q(completed_on__isnull=True, due_on__lt=today), then=1), default=0, output_field=IntegerField())
    ).order_by("-is_overdue", "due_on", "pk")


def stage_for_level(framework: Framework, level: int | None) -> Stage | None:
    for stage in framework.stages.all():
        if stage.level == level:
            return stage
    return None


@dataclass
class DisplayCell:
    stage: Stage | None
    change: int | None


def aligned_cells(levels: dict[str, int | None], changes: dict[str, int | None], grid: dict[str, Any]) -> list[DisplayCell]:
    """Levels in the grid's column order, as stages, for templates (which cannot index by variable)."""
    stages = {s.level: s for s in grid["stages"]}
    return [DisplayCell(stage=stages.get(levels.get(code)) if levels.get(code) else None, change=changes.get(code)) for code in grid["cell_codes"]]


def distribution_table(distribution: dict[str, dict[int, int]], grid: dict[str, Any]) -> list[tuple[Any, list[int]]]:
    """Rows of (cell, [schools at stage 1, 2, ...]) for the accessible table beside the chart."""
    return [(grid["cells"][code], [distribution.get(code, {}).get(s.level, 0) for s in grid["stages"]]) for code in grid["cell_codes"]]


def profile_rows(years: list[ProfileYear], grid: dict[str, Any]) -> list[tuple[Any, list[DisplayCell], int | None]]:
    """Rows of (cell, its stage in each year newest first, change from the oldest to the newest year)."""
    stages = {s.level: s for s in grid["stages"]}
    rows = []
    for code in grid["cell_codes"]:
        levels = [year.levels.get(code) for year in years]
        known = [level for level in levels if level]
        trend = known[0] - known[-1] if len(known) > 1 else None
        rows.append((grid["cells"][code], [DisplayCell(stage=stages.get(level) if level else None, change=None) for level in levels], trend))
    return rows
