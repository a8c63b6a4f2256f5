"""Invoices and credit notes for approved bookings, their bilingual PDF, and the council finance export.

Numbers are ``<LA code>-<year>-<000001>``, one sequence per local authority and year, taken from
:class:`~cymuned.premises.models.InvoiceCounter` under a row lock: two invoices issued at the same moment wait
for each other and never share (or skip back to) a number. A credit note takes the next number of the same
sequence and points at the invoice it credits; its amounts are negative.

Cancellation rule: a date the *hirer* cancels less than :data:`LATE_CANCELLATION` (48 hours) before it starts
stays chargeable and is not credited; dates the school cancels are always credited.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, can
from cymuned.core.services import notify
from cymuned.organisations.models import LocalAuthority

from .costs import VAT_RATE, booking_price, pence
from .models import Booking, BookingSeries, Invoice, InvoiceCounter, InvoiceKind, InvoiceStatus, RateCard, SeriesStatus

#: Days a hirer has to pay.
PAYMENT_DAYS = 30
#: A hirer's cancellation closer than this to the date leaves the date chargeable.
LATE_CANCELLATION = datetime.timedelta(hours=48)


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _error(message: str, code: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)}) if field else ValidationError(message, code=code)


def next_invoice_number(*, local_authority: LocalAuthority, year: int) -> str:
    """The next number of the LA's sequence for ``year``. Call inside a transaction: the counter row stays locked until it ends."""
    # Create the year's counter if missing without racing: ON CONFLICT DO NOTHING, then lock the row.
    InvoiceCounter.objects.bulk_create([InvoiceCounter(local_authority_id=local_authority.pk, year=year)], ignore_conflicts=True)
    counter = InvoiceCounter.objects.select_for_update().get(local_authority_id=local_authority.pk, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{local_authority.code}-{year}-{counter.last:06d}"


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value)


def _line(booking: Booking, series: BookingSeries, rate: RateCard | None) -> dict[str, Any]:
    price = booking_price(rate=rate, starts_at=booking.starts_at, ends_at=booking.ends_at)
    starts, ends = _local(booking.starts_at), _local(booking.ends_at)
    return {
        "booking": booking.pk,
        "date": starts.date().isoformat(),
        "starts": starts.strftime("%H:%M"),
        "ends": ends.strftime("%H:%M"),
        "description": f"{series.space.name_en} / {series.space.name_cy}: {series.activity}",
        "hours": str(price.hours),
        "pence": price.net_pence,
    }


def _vat(net: int, vat_applies: bool) -> int:
    return pence(net * VAT_RATE) if vat_applies else 0


@transaction.atomic
def invoice_issue(*, by: Any, series: BookingSeries) -> Invoice | None:
    """Invoice an approved booking request: one line per date not cancelled, VAT where the rate says so.

    Returns ``None`` (and issues nothing) when the request costs nothing, for example the school's own CFS
    programmes. Issuing twice returns the invoice already issued.
    """
    _require(can(by, Action.CHANGE, series))
    series = BookingSeries.objects.select_for_update(of=("self",)).select_related("space__school", "hirer__user").get(pk=series.pk)
    if series.status != SeriesStatus.APPROVED:
        raise _error(_("Only an approved booking can be invoiced."), "not_approved")
    existing = series.invoices.filter(kind=InvoiceKind.INVOICE).first()
    if existing is not None:
        return existing
    rate = RateCard.objects.filter(space_id=series.space_id, tier=series.tier).first()
    bookings = list(series.bookings.exclude(status=SeriesStatus.CANCELLED).order_by("starts_at"))
    lines = [_line(b, series, rate) for b in bookings]
    net = sum(line["pence"] for line in lines)
    if net <= 0:
        return None
    today = timezone.localdate()
    local_authority = LocalAuthority.objects.get(pk=series.space.school.local_authority_id)
    invoice = Invoice(
        local_authority=local_authority, number=next_invoice_number(local_authority=local_authority, year=today.year),
        kind=InvoiceKind.INVOICE, series=series, issued_on=today, due_on=today + datetime.timedelta(days=PAYMENT_DAYS),
        net_pence=net, vat_pence=_vat(net, bool(rate and rate.vat_applies)), lines=lines, created_by=by, modified_by=by,
    )
    invoice.save()
    notify(user=series.hirer.user, message=lambda: _("Invoice %(number)s for your booking %(ref)s is ready.")
           % {"number": invoice.number, "ref": series.reference}, url=f"/premises/my-invoices/{invoice.pk}/")
    return invoice


@transaction.atomic
def invoice_record_payment(*, by: Any, invoice: Invoice, paid_on: datetime.date | None = None) -> Invoice:
    """Mark an unpaid invoice paid (on ``paid_on``, today unless told)."""
    _require(can(by, Action.CHANGE, invoice))
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind != InvoiceKind.INVOICE:
        raise _error(_("A credit note is not paid; record the payment on the invoice."), "credit_note")
    if invoice.status != InvoiceStatus.UNPAID:
        raise _error(_("This invoice is not waiting for payment."), "not_unpaid")
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise _error(_("The date of payment cannot be in the future."), "future", "paid_on")
    if paid_on < invoice.issued_on:
        raise _error(_("The date of payment cannot be before the invoice was issued."), "before_issue", "paid_on")
    invoice.status = InvoiceStatus.PAID
    invoice.paid_on = paid_on
    invoice.modified_by = by
    invoice.save(update_fields=["status", "paid_on", "modified_by", "modified_on"])
    return invoice


def chargeable_late(*, by: Any, series: BookingSeries, bookings: Iterable[Booking], now: datetime.datetime | None = None) -> list[Booking]:
    """Dates the hirer cancelled less than 48 hours before they start: they stay chargeable."""
    if series.hirer.user_id != getattr(by, "pk", None):
        return []
    now = now or timezone.now()
    return [b for b in bookings if b.starts_at - now < LATE_CANCELLATION]


@transaction.atomic
def credit_note_for_cancellation(*, by: Any, series: BookingSeries, bookings: Iterable[Booking]) -> Invoice | None:
    """Credit the cancelled ``bookings`` of an invoiced series, except dates the hirer cancelled late.

    Dates the hirer cancelled less than 48 hours before they start stay chargeable and are left out; dates
    already credited are never credited twice. Returns the credit note, or ``None`` if nothing is to be
    credited (not invoiced, free, or only late dates). The invoice is marked cancelled once every line is
    credited (if it was not yet paid); a credit note against an unpaid invoice is settled at once, one
    against a paid invoice is a refund due (unpaid) until recorded.
    """
    bookings = list(bookings)
    _require(series.hirer.user_id == getattr(by, "pk", None) or can(by, Action.CHANGE, series))
    invoice = (Invoice.objects.select_for_update(of=("self",)).filter(series_id=series.pk, kind=InvoiceKind.INVOICE)
               .select_related("local_authority").first())
    if invoice is None:
        return None
    late = {b.pk for b in chargeable_late(by=by, series=series, bookings=bookings)}
    credited = {line["booking"] for note in invoice.credit_notes.all() for line in note.lines}
    wanted = {b.pk for b in bookings} - late - credited
    lines = [{**line, "pence": -line["pence"]} for line in invoice.lines if line.get("booking") in wanted and line["pence"]]
    if not lines:
        return None
    net = sum(line["pence"] for line in lines)
    vat = -_vat(-net, invoice.vat_pence != 0)
    today = timezone.localdate()
    settled = invoice.status == InvoiceStatus.UNPAID
    note = Invoice.objects.create(
        local_authority=invoice.local_authority, number=next_invoice_number(local_authority=invoice.local_authority, year=today.year),
        kind=InvoiceKind.CREDIT_NOTE, series_id=series.pk, credits=invoice, issued_on=today, due_on=today, net_pence=net, vat_pence=vat,
        status=InvoiceStatus.PAID if settled else InvoiceStatus.UNPAID, paid_on=today if settled else None, lines=lines,
        created_by=by, modified_by=by,
    )
    all_credited = {line["booking"] for line in invoice.lines if line["pence"]} <= credited | wanted
    if all_credited and invoice.status == InvoiceStatus.UNPAID:
        invoice.status = InvoiceStatus.CANCELLED
        invoice.modified_by = by
        invoice.save(update_fields=["status", "modified_by", "modified_on"])
    return note


def settle_cancellation(*, by: Any, series: BookingSeries, bookings: list[Booking], was_approved: bool) -> Invoice | None:
    """After ``booking_cancel``: credit what the invoice charged for the cancelled dates, and tell the hirer about late dates.

    Called by the booking service inside its transaction. A hirer who cancels dates less than 48 hours before
    they start is told those dates are still charged.
    """
    if not was_approved:
        return None
    note = credit_note_for_cancellation(by=by, series=series, bookings=bookings)
    late = chargeable_late(by=by, series=series, bookings=bookings)
    if late and series.invoices.filter(kind=InvoiceKind.INVOICE).exists():
        notify(user=series.hirer.user, message=lambda: _(
            "You cancelled %(count)s date(s) of %(ref)s less than 48 hours before they start: under the terms of hire these dates are "
            "still charged.") % {"count": len(late), "ref": series.reference}, url=f"/premises/my-bookings/{series.pk}/")
    return note


# --- Reading ------------------------------------------------------------------------------------------------


def invoices_with_related(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return queryset.select_related("series__space__school__cluster", "series__hirer__user", "credits", "local_authority")


def pounds(value: int) -> str:
    """Pence as pounds for documents: -1234 -> "-£12.34"."""
    sign = "-" if value < 0 else ""
    return f"{sign}£{Decimal(abs(value)) / 100:,.2f}"


FINANCE_HEADER = ["number", "kind", "issued_on", "due_on", "hirer", "hirer_address", "school", "school_number", "booking_reference",
                  "credits", "net_pence", "vat_pence", "total_pence", "net", "vat", "total", "status", "paid_on"]


def finance_rows(invoices: QuerySet[Invoice]) -> Iterable[list[Any]]:
    """One row per invoice or credit note for the council's finance system (amounts in pence and in pounds)."""
    for inv in invoices_with_related(invoices).order_by("issued_on", "number").iterator(chunk_size=2000):
        hirer = inv.series.hirer
        yield [inv.number, inv.kind, inv.issued_on.isoformat(), inv.due_on.isoformat(), str(hirer.organisation_name or hirer.user.full_name),
               hirer.address.replace("\r", "").replace("\n", ", "), inv.series.space.school.name_en, inv.series.space.school.school_number,
               inv.series.reference, inv.credits.number if inv.credits else "", inv.net_pence, inv.vat_pence, inv.total_pence,
               f"{Decimal(inv.net_pence) / 100:.2f}", f"{Decimal(inv.vat_pence) / 100:.2f}", f"{Decimal(inv.total_pence) / 100:.2f}",
               inv.status, inv.paid_on.isoformat() if inv.paid_on else ""]


#: Headings on the PDF carry both languages: the document goes to hirers of either language and to the council.
LABELS = {
    InvoiceKind.INVOICE: "Invoice / Anfoneb",
    InvoiceKind.CREDIT_NOTE: "Credit note / Nodyn credyd",
    "number": "Number / Rhif",
    "issued": "Date issued / Dyddiad cyhoeddi",
    "due": "Due by / I'w dalu erbyn",
    "to": "To / At",
    "from": "From / Oddi wrth",
    "booking": "Booking / Archeb",
    "credits": "Credits invoice / Yn credydu anfoneb",
    "date": "Date / Dyddiad",
    "time": "Time / Amser",
    "description": "Description / Disgrifiad",
    "hours": "Hours / Oriau",
    "amount": "Amount / Swm",
    "net": "Net / Net",
    "vat": "VAT (20%) / TAW (20%)",
    "total": "Total / Cyfanswm",
    "status": "Payment / Taliad",
    InvoiceStatus.UNPAID: "Unpaid / Heb ei dalu",
    InvoiceStatus.PAID: "Paid / Wedi'i dalu",
    InvoiceStatus.CANCELLED: "Cancelled by a credit note / Wedi'i ganslo gan nodyn credyd",
}


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice or credit note as a bilingual A4 PDF (every heading "English / Cymraeg"; Welsh-capable fonts)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table

    from cymuned.core.pdf import build, styles, table_style, text

    s = styles()
    series = invoice.series
    school = series.space.school
    hirer = series.hirer
    title = LABELS[invoice.kind]
    status = LABELS.get(invoice.status, invoice.status)
    if invoice.status == InvoiceStatus.PAID and invoice.paid_on:
        status = f"{status} ({invoice.paid_on:%d/%m/%Y})"
    meta = [
        [Paragraph(LABELS["number"], s["label"]), Paragraph(text(invoice.number), s["body"])],
        [Paragraph(LABELS["issued"], s["label"]), Paragraph(f"{invoice.issued_on:%d/%m/%Y}", s["body"])],
        [Paragraph(LABELS["due"], s["label"]), Paragraph(f"{invoice.due_on:%d/%m/%Y}", s["body"])],
        [Paragraph(LABELS["booking"], s["label"]), Paragraph(text(f"{series.reference}: {series.activity}"), s["body"])],
        [Paragraph(LABELS["status"], s["label"]), Paragraph(text(status), s["body"])],
    ]
    if invoice.credits_id:
        meta.append([Paragraph(LABELS["credits"], s["label"]), Paragraph(text(invoice.credits.number), s["body"])])
    parties = [[Paragraph(LABELS["from"], s["label"]), Paragraph(LABELS["to"], s["label"])],
               [Paragraph(text(f"{school.name_en} / {school.name_cy}\n{invoice.local_authority.name_en} / {invoice.local_authority.name_cy}"),
                          s["body"]),
                Paragraph(text("\n".join(x for x in [hirer.organisation_name, hirer.user.full_name, hirer.address] if x)), s["body"])]]
    rows: list[list[Any]] = [[Paragraph(LABELS[k], s["label"]) for k in ("date", "time", "description", "hours", "amount")]]
    for line in invoice.lines:
        day = datetime.date.fromisoformat(line["date"])
        rows.append([Paragraph(f"{day:%d/%m/%Y}", s["body"]), Paragraph(text(f"{line.get('starts', '')}–{line.get('ends', '')}"), s["body"]),
                     Paragraph(text(line["description"]), s["body"]), Paragraph(text(line["hours"]), s["body"]),
                     Paragraph(pounds(line["pence"]), s["body"])])
    for key, value in (("net", invoice.net_pence), ("vat", invoice.vat_pence), ("total", invoice.total_pence)):
        rows.append(["", "", Paragraph(LABELS[key], s["label"]), "", Paragraph(pounds(value), s["label"] if key == "total" else s["body"])])
    story = [
        Paragraph(title, s["h1"]),
        Table(meta, colWidths=[55 * mm, 120 * mm], style=table_style(header=False)),
        Spacer(1, 6 * mm),
        Table(parties, colWidths=[87 * mm, 88 * mm], style=table_style()),
        Spacer(1, 6 * mm),
        Table(rows, colWidths=[22 * mm, 22 * mm, 87 * mm, 18 * mm, 26 * mm], repeatRows=1, style=table_style()),
    ]
    return build(story, title=f"{title} {invoice.number}", lang="en-GB")
