"""Exports of self-evaluation: an XLSX workbook, bilingual PDF summaries, and chart data."""

from __future__ import annotations

import io
import json
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, visible_to
from cymuned.core import pdf
from cymuned.core.exports import spreadsheet_safe
from cymuned.organisations.models import Cluster, School

from . import selectors
from .models import Action as PlanAction
from .models import Evaluation, Framework, Rating


def distribution_chart(framework: Framework, distribution: dict[str, dict[int, int]]) -> str:
    """Chart.js data (stacked bars: schools at each stage, per square), as JSON for a data attribute."""
    grid = selectors.framework_grid(framework)
    labels = [f"{grid['cells'][code].element.name}: {grid['cells'][code].enabler.name}" for code in grid["cell_codes"]]
    datasets = [
        {
            "label": stage.name,
            "backgroundColor": stage.colour,
            "borderColor": "#0b0c0c",
            "borderWidth": 1,
            "data": [distribution.get(code, {}).get(stage.level, 0) for code in grid["cell_codes"]],
        }
        for stage in grid["stages"]
    ]
    return json.dumps({"labels": labels, "datasets": datasets, "axis": _("Schools")})


def ratings_and_actions_xlsx(*, user: Any) -> tuple[bytes, int]:
    """Every rating and action the user may see, one sheet each. Returns the file and its row count."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    evaluations = visible_to(user, Evaluation, Action.VIEW)
    ratings = (
        Rating.objects.filter(evaluation__in=evaluations)
        .select_related("evaluation__school__cluster", "cell__element", "cell__enabler", "stage", "moderated_stage")
        .order_by("evaluation__school__name_en", "-evaluation__academic_year", "cell__element__position", "cell__enabler__position")
    )
    actions = visible_to(user, PlanAction.objects.with_related()).order_by("evaluation__school__name_en", "due_on")
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = _("Ratings")[:31]
    sheet.append([_("School"), _("School number"), _("Cluster"), _("Academic year"), _("Status"), _("Element"), _("Enabler"),
                  _("School's rating"), _("Rationale"), _("Moderated rating"), _("Moderation comment")])
    rows = 0
    for r in ratings.iterator(chunk_size=2000):
        e = r.evaluation
        sheet.append([spreadsheet_safe(v) for v in [
            e.school.name, e.school.school_number, e.school.cluster.name if e.school.cluster else "", e.academic_year,
            e.get_status_display(), r.cell.element.name, r.cell.enabler.name, r.stage.name, r.rationale,
            r.moderated_stage.name if r.moderated_stage else "", r.moderation_comment,
        ]])
        rows += 1
    actions_sheet = book.create_sheet(_("Actions")[:31])
    actions_sheet.append([_("School"), _("Academic year"), _("Element"), _("Enabler"), _("Action"), _("Owner"), _("Due date"),
                          _("Success measure"), _("RAG status"), _("Completed on")])
    for a in actions.iterator(chunk_size=2000):
        actions_sheet.append([spreadsheet_safe(v) for v in [
            a.evaluation.school.name, a.evaluation.academic_year, a.cell.element.name, a.cell.enabler.name, a.title,
            a.owner.full_name, a.due_on.isoformat(), a.success_measure, a.get_rag_display(), a.completed_on.isoformat() if a.completed_on else "",
        ]])
        rows += 1
    for ws in (sheet, actions_sheet):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows


def _pdf(title_en: str, title_cy: str, sections: list[tuple[str, list[list[Any]], list[tuple[int, int, str, str]]]]) -> bytes:
    """A simple tagged-title PDF: for each language a heading, then tables with coloured stage cells."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table

    style = pdf.styles()
    story: list[Any] = []
    for index, (heading, table_rows, colours) in enumerate(sections):
        if index == 0:
            story.append(Paragraph(pdf.text(title_en), style["h1"]))
            story.append(Paragraph(pdf.text(title_cy), style["h1"]))
        story.append(Paragraph(pdf.text(heading), style["h2"]))
        data = [[Paragraph(pdf.text(v), style["body"]) for v in row] for row in table_rows]
        table = Table(data, repeatRows=1)
        table.setStyle(pdf.table_style(extra=[
            ("BACKGROUND", (col, row), (col, row), colors.HexColor(background)) for col, row, background, _text in colours
        ]))
        story.append(table)
        story.append(Spacer(1, 6 * mm))
        if index == len(sections) // 2 - 1:
            story.append(PageBreak())
    return pdf.build(story, title=f"{title_en} / {title_cy}", landscape=True)


def _school_section(school: School, profile: dict[str, Any], grid: dict[str, Any]) -> tuple[str, list[list[Any]], list[tuple[int, int, str, str]]]:
    stages = {s.level: s for s in grid["stages"]}
    header = [_("Element"), _("Enabler")] + [y.evaluation.academic_year for y in profile["years"]]
    rows: list[list[Any]] = [header]
    colours = []
    for r, code in enumerate(grid["cell_codes"], start=1):
        cell = grid["cells"][code]
        row = [cell.element.name, cell.enabler.name]
        for c, year in enumerate(profile["years"], start=2):
            level = year.levels.get(code)
            stage = stages.get(level) if level else None
            row.append(stage.name if stage else "–")
            if stage:
                colours.append((c, r, stage.colour, stage.text_colour))
        rows.append(row)
    return _("Ratings by year (moderated where moderated)"), rows, colours


def school_summary_pdf(*, user: Any, school: School) -> bytes:
    """Both languages in one file: the English pages, then the Welsh, for governors and Members."""
    framework = selectors.current_framework(user=user, local_authority_id=school.local_authority_id)
    sections = []
    for language in ("en-gb", "cy"):
        with translation.override(language):
            profile = selectors.school_profile(user=user, school=school)
            if framework is None:
                continue
            grid = selectors.framework_grid(framework)
            heading, rows, colours = _school_section(school, profile, grid)
            sections.append((f"{school.name} – {heading}", rows, colours))
            actions = [[_("Action"), _("Owner"), _("Due date"), _("RAG status")]] + [
                [a.title, a.owner.full_name, a.due_on.strftime("%d/%m/%Y"), a.get_rag_display()] for a in profile["actions"]
            ]
            sections.append((_("Open actions"), actions, []))
    with translation.override("en-gb"):
        title_en = _("Community focused schools self-evaluation: %(school)s") % {"school": school.name_en}
    with translation.override("cy"):
        title_cy = _("Community focused schools self-evaluation: %(school)s") % {"school": school.name_cy or school.name_en}
    return _pdf(title_en, title_cy, sections)


def cluster_summary_pdf(*, user: Any, cluster: Cluster) -> bytes:
    framework = selectors.current_framework(user=user, local_authority_id=cluster.local_authority_id)
    import datetime

    from .models import academic_year_for

    year = academic_year_for(datetime.date.today())
    sections = []
    for language in ("en-gb", "cy"):
        with translation.override(language):
            if framework is None:
                continue
            grid = selectors.framework_grid(framework)
            schools = selectors.heatmap_schools(user=user, cluster=cluster)
            _page, rows = selectors.heatmap(user=user, academic_year=year, schools=schools, per_page=500)
            stages = {s.level: s for s in grid["stages"]}
            table: list[list[Any]] = [[_("School")] + [f"{grid['cells'][c].element.name}: {grid['cells'][c].enabler.name}" for c in grid["cell_codes"]]]
            colours = []
            for r, row in enumerate(rows, start=1):
                line = [row.school.name]
                for c, code in enumerate(grid["cell_codes"], start=1):
                    stage = stages.get(row.levels.get(code)) if row.levels.get(code) else None
                    line.append(stage.name if stage else "–")
                    if stage:
                        colours.append((c, r, stage.colour, stage.text_colour))
                table.append(line)
            sections.append((_("%(cluster)s cluster, %(year)s") % {"cluster": cluster.name, "year": year}, table, colours))
    with translation.override("en-gb"):
        title_en = _("Community focused schools self-evaluation: %(cluster)s cluster") % {"cluster": cluster.name_en}
    with translation.override("cy"):
        title_cy = _("Community focused schools self-evaluation: %(cluster)s cluster") % {"cluster": cluster.name_cy or cluster.name_en}
    return _pdf(title_en, title_cy, sections)
