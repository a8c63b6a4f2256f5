"""PDF building blocks shared by every export: fonts with every Welsh letter, the house styles, a table style.

reportlab's built-in Helvetica has no ŵ or ŷ, so every PDF of Cymuned registers a TrueType font first
(:func:`fonts`). Text put into a :class:`~reportlab.platypus.Paragraph` is markup: pass user data through
:func:`text` so that ``&`` and ``<`` stay text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

#: Fonts with every Welsh letter (ŵ, ŷ); Debian's fonts-dejavu-core is on every machine, Vera is the last resort.
FONT_CANDIDATES = [
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
]
REGULAR = "CymunedSans"
BOLD = "CymunedSans-Bold"
GRID_COLOUR = "#b1b4b6"
HEADER_BACKGROUND = "#f3f2f1"


def fonts() -> tuple[str, str]:
    """Register (once) and name the regular and bold fonts."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if REGULAR in pdfmetrics.getRegisteredFontNames():
        return REGULAR, BOLD
    for regular, bold in FONT_CANDIDATES:
        if Path(regular).exists() and Path(bold).exists():
            pdfmetrics.registerFont(TTFont(REGULAR, regular))
            pdfmetrics.registerFont(TTFont(BOLD, bold))
            return REGULAR, BOLD
    import reportlab

    base = Path(reportlab.__file__).parent / "fonts"
    pdfmetrics.registerFont(TTFont(REGULAR, str(base / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(base / "VeraBd.ttf")))
    return REGULAR, BOLD


def styles() -> dict[str, Any]:
    """The paragraph styles: ``h1``, ``h2``, ``h3``, ``body`` (table text), ``text`` (running text) and ``label`` (bold)."""
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = fonts()
    return {
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=18, leading=22, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=13, leading=16, spaceBefore=8, spaceAfter=4),
        "h3": ParagraphStyle("h3", fontName=bold, fontSize=10, leading=13, spaceBefore=4, spaceAfter=2),
        "body": ParagraphStyle("body", fontName=regular, fontSize=8, leading=10),
        "text": ParagraphStyle("text", fontName=regular, fontSize=10, leading=13, spaceAfter=4),
        "label": ParagraphStyle("label", fontName=bold, fontSize=8, leading=10),
    }


def text(value: Any) -> str:
    """User data made safe for a Paragraph: markup escaped, line breaks kept."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


def table_style(*, header: bool = True, extra: Sequence[tuple[Any, ...]] = ()) -> Any:
    """Cymuned's table look: a light grid, top-aligned cells, an optional grey header row."""
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    regular, _bold = fonts()
    style: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), regular),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID_COLOUR)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(HEADER_BACKGROUND)))
    style.extend(extra)
    return TableStyle(style)


def build(story: list[Any], *, title: str, landscape: bool = False, lang: str = "en-GB") -> bytes:
    """Lay the story out on A4 with Cymuned's margins and return the file."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.pagesizes import landscape as turn
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    fonts()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=turn(A4) if landscape else A4, title=title, author="Cymuned", lang=lang,
                            leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm)
    doc.build(story)
    return out.getvalue()
