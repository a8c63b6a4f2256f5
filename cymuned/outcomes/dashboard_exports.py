"""Exports of a dashboard page: an XLSX workbook and a bilingual PDF, always with small numbers suppressed."""

from __future__ import annotations

import io
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from cymuned.core import pdf
from cymuned.core.exports import spreadsheet_safe

from . import dashboards
from .dashboards import Area, Dashboard, Line


def _cell(cell: dashboards.Cell) -> Any:
    return float(cell.value) if cell.shown else cell.text()  # type: ignore[arg-type]


def _sections(board: Dashboard) -> list[tuple[str, list[str], list[Line]]]:
    header = [_("Figure"), _("All learners"), _("eFSM learners"), _("Other learners"), _("Gap (eFSM minus other)")]
    unit = f"{board.measure.label} ({board.measure.unit})"
    sections = [(_("Year to date"), header, [*board.summary, *([board.learners] if board.learners else [])]),
                (_("By term: %(measure)s") % {"measure": unit}, [_("Term"), *header[1:]], board.terms),
                (_("By year: %(measure)s") % {"measure": unit}, [_("Academic year"), *header[1:]], board.years)]
    if board.breakdown:
        sections.append((_("By school or authority: %(measure)s") % {"measure": unit}, [str(board.breakdown_label), *header[1:]],
                         board.breakdown))
    return sections


def _title(board: Dashboard) -> str:
    return _("%(page)s: %(area)s, %(year)s") % {"page": dashboards.PAGES[board.page], "area": board.area.name,
                                               "year": dashboards.year_label(board.year)}


def dashboard_xlsx(board: Dashboard) -> tuple[bytes, int]:
    """One sheet per table, the suppression rule on the first. Returns the file and its number of figure rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    rows = 0
    for index, (title, header, lines) in enumerate(_sections(board)):
        sheet = book.create_sheet(spreadsheet_safe(title)[:31].replace(":", " ").replace("/", "-"))
        if index == 0:
            sheet.append([spreadsheet_safe(_title(board))])
            sheet.append([spreadsheet_safe(suppression_rule())])
            sheet.append([])
        sheet.append([spreadsheet_safe(h) for h in header])
        sheet[sheet.max_row][0].font = Font(bold=True)
        for line in lines:
            sheet.append([spreadsheet_safe(str(line.label)), _cell(line.all), _cell(line.efsm), _cell(line.other), _cell(line.gap)])
            rows += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows


def suppression_rule() -> str:
    return _("Figures about fewer than %(threshold)s learners are not shown (marked “%(marker)s”), nor is a gap when "
             "either side is not shown, so that no learner can be identified.") % {
        "threshold": dashboards.suppression_threshold(), "marker": dashboards.suppressed_text()}


def _bookmark(title: str, level: int) -> Any:
    """A zero-size flowable putting ``title`` in the PDF's outline (bookmarks) where it is drawn: a reader can jump to
    the Welsh pages, and the headings are in the file as text (the page text is in subset-font glyph codes)."""
    from reportlab.platypus import Flowable

    class Bookmark(Flowable):
        def wrap(self, *args: Any) -> tuple[int, int]:
            return 0, 0

        def draw(self) -> None:
            key = f"h{id(self)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=level, closed=False)

    return Bookmark()


def dashboard_pdf(*, user: Any, page: str, area: Area, year: int, group: str, measure: str | None) -> bytes:
    """English pages, then Welsh: each language's headings (also the PDF's bookmarks), the rule, and the tables
    (suppressed)."""
    from reportlab.platypus import PageBreak, Paragraph, Spacer, Table

    style = pdf.styles()
    story: list[Any] = []
    titles = []
    for language in ("en-gb", "cy"):
        with translation.override(language):
            board = dashboards.dashboard(user=user, page=page, area=area, year=year, group=group, measure=measure, suppress=True)
            titles.append(_title(board))
            if story:
                story.append(PageBreak())
            story.append(_bookmark(_title(board), 0))
            story.append(Paragraph(pdf.text(_title(board)), style["h1"]))
            story.append(Paragraph(pdf.text(suppression_rule()), style["text"]))
            for title, header, lines in _sections(board):
                story.append(_bookmark(title, 1))
                story.append(Paragraph(pdf.text(title), style["h2"]))
                data = [[Paragraph(pdf.text(h), style["label"]) for h in header]]
                data += [[Paragraph(pdf.text(v), style["body"]) for v in
                          (line.label, line.all.text(), line.efsm.text(), line.other.text(), line.gap.text())] for line in lines]
                table = Table(data, repeatRows=1)
                table.setStyle(pdf.table_style())
                story.append(table)
                story.append(Spacer(1, 8))
    return pdf.build(story, title=" / ".join(titles), landscape=True)
