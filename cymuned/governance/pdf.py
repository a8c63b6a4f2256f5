"""A memorandum of understanding as a PDF, with bilingual headings (English / Welsh) whatever the reader's language:
the document is signed by organisations working in both languages."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from cymuned.core.pdf import build, styles, table_style, text

from .models import MemorandumOfUnderstanding


def _both(message: str) -> str:
    """A heading in English and in Welsh: "Purpose / Diben"."""
    with translation.override("en-gb"):
        english = str(_(message))
    with translation.override("cy"):
        welsh = str(_(message))
    return english if english == welsh else f"{english} / {welsh}"


def memorandum_pdf(memorandum: MemorandumOfUnderstanding) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table

    s = styles()
    mou = memorandum
    story = [
        Paragraph(text(_both("Memorandum of understanding")), s["h3"]),
        Paragraph(text(mou.title), s["h1"]),
    ]
    facts = [
        (_both("Status"), mou.get_status_display()),
        (_both("Starts on"), mou.starts_on.strftime("%d/%m/%Y")),
        (_both("Review by"), mou.review_on.strftime("%d/%m/%Y")),
        (_both("Ends on"), mou.ends_on.strftime("%d/%m/%Y") if mou.ends_on else "–"),
    ]
    table = Table([[Paragraph(text(k), s["label"]), Paragraph(text(v), s["body"])] for k, v in facts], colWidths=[60 * mm, 115 * mm])
    table.setStyle(table_style(header=False))
    story += [table, Spacer(1, 4 * mm)]
    story.append(Paragraph(text(_both("Parties")), s["h2"]))
    parties = [p.name for p in mou.parties.all()] + [f"{c.name} ({_both('cluster')})" for c in mou.clusters.all()]
    for party in parties:
        story.append(Paragraph("• " + text(party), s["text"]))
    for heading, body in (("Purpose", mou.purpose), ("Commitments", mou.commitments), ("Data-sharing terms", mou.data_sharing)):
        story.append(Paragraph(text(_both(heading)), s["h2"]))
        story.append(Paragraph(text(body or "–"), s["text"]))
    story.append(Paragraph(text(_both("Signatories")), s["h2"]))
    rows = [[Paragraph(text(_both(h)), s["label"]) for h in ("Name", "Position", "On behalf of", "Signed on")]]
    for sig in mou.signatories.all():
        rows.append([Paragraph(text(v), s["body"]) for v in (sig.name, sig.position, sig.organisation.name,
                                                             sig.signed_on.strftime("%d/%m/%Y") if sig.signed_on else "")])
    if len(rows) == 1:
        rows.append([Paragraph(text("–"), s["body"])] * 4)
    signatures = Table(rows, colWidths=[45 * mm, 45 * mm, 55 * mm, 30 * mm], repeatRows=1)
    signatures.setStyle(table_style())
    story.append(signatures)
    return build(story, title=mou.title, lang=translation.get_language() or "en-GB")
