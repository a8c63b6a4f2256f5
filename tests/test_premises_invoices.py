"""Invoices, credit notes, payments, the finance export and the income-versus-true-cost report."""

from __future__ import annotations

import csv
import datetime
import io
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cymuned.audit.models import ExportRecord
from cymuned.core.models import Notification
from cymuned.premises import invoicing, services
from cymuned.premises.availability import local_slot
from cymuned.premises.costs import true_cost
from cymuned.premises.models import Booking, BookingSeries, CostSettings, Invoice, InvoiceCounter, SeriesStatus

from .conftest import next_weekday

pytestmark = pytest.mark.django_db

EVENING = (datetime.time(18), datetime.time(20))
_refs = iter(range(1, 10_000))


def _url(name, *args):
    with translation.override("en-gb"):
        return reverse(f"premises:{name}", args=args)


def _series(world, days, *, tier="community", hirer=None, times=EVENING, activity="Côr Meibion practice"):
    """A request of the world's hall on these days, written directly (the booking service is tested elsewhere)."""
    series = BookingSeries.objects.create(
        reference=f"B-INV{next(_refs):05d}", space=world.space, hirer=hirer or world.hirer, activity=activity, expected_people=20,
        tier=tier, terms_accepted_on=timezone.now())
    for day in days:
        slot = local_slot(day, *times)
        Booking.objects.create(series=series, space=world.space, starts_at=slot.starts_at, ends_at=slot.ends_at)
    return series


def _approved(world, days, **kwargs):
    series = _series(world, days, **kwargs)
    return services.booking_approve(by=world.user("csm"), series=series)


def _number(n: int) -> str:
    return f"676-{timezone.localdate().year}-{n:06d}"


# --- Issuing ------------------------------------------------------------------------------------------------


def test_approving_a_booking_issues_a_numbered_invoice(world):
    services.booking_approve(by=world.user("csm"), series=world.series)
    invoice = Invoice.objects.get(series=world.series)
    assert invoice.number == _number(1)
    assert (invoice.kind, invoice.status, invoice.net_pence, invoice.vat_pence, invoice.total_pence) == ("invoice", "unpaid", 5000, 0, 5000)
    line = invoice.lines[0]
    assert (line["booking"], line["hours"], line["pence"], line["starts"], line["ends"]) == (world.booking.pk, "2.00", 5000, "18:00", "20:00")
    assert line["date"] == next_weekday(1).isoformat()
    assert invoice.due_on == invoice.issued_on + datetime.timedelta(days=30)
    assert Notification.objects.filter(user=world.user("public"), message__contains=invoice.number).exists()


def test_a_weekly_series_is_one_invoice_with_a_line_per_date_not_cancelled(world):
    days = [next_weekday(2, w) for w in (1, 2, 3)]
    series = _series(world, days)
    series.bookings.filter(starts_at=local_slot(days[1], *EVENING).starts_at).update(status=SeriesStatus.CANCELLED)
    services.booking_approve(by=world.user("csm"), series=series)
    invoice = series.invoices.get()
    assert [line["date"] for line in invoice.lines] == [days[0].isoformat(), days[2].isoformat()]
    assert invoice.net_pence == 2 * 5000
    assert invoicing.invoice_issue(by=world.user("csm"), series=series) == invoice  # issuing again changes nothing


def test_vat_is_added_for_commercial_hire(world):
    series = _approved(world, [next_weekday(3)], tier="commercial")
    invoice = series.invoices.get()
    assert (invoice.net_pence, invoice.vat_pence, invoice.total_pence) == (9000, 1800, 10800)


def test_no_invoice_for_a_free_cfs_booking(world):
    series = _approved(world, [next_weekday(3)], tier="cfs")
    assert series.status == SeriesStatus.APPROVED
    assert not series.invoices.exists()
    assert not InvoiceCounter.objects.exists()  # no number used up


def test_only_managers_of_the_school_issue_invoices(world):
    world.series.status = SeriesStatus.APPROVED
    world.series.save()
    for name in ("head_other_cluster", "public", "school_staff"):
        with pytest.raises(PermissionDenied):
            invoicing.invoice_issue(by=world.user(name), series=world.series)


def test_numbers_run_on_and_restart_each_year_per_local_authority(world):
    with transaction.atomic():
        numbers = [invoicing.next_invoice_number(local_authority=world.la, year=2031) for _ in range(3)]
        other = invoicing.next_invoice_number(local_authority=world.la2, year=2031)
        next_year = invoicing.next_invoice_number(local_authority=world.la, year=2032)
    assert numbers == ["676-2031-000001", "676-2031-000002", "676-2031-000003"]
    assert (other, next_year) == ("677-2031-000001", "676-2032-000001")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_invoices_never_share_a_number(world):
    numbers: list[str] = []
    errors: list[Exception] = []

    def issue():
        from django.db import connection as thread_connection

        try:
            with transaction.atomic():
                numbers.append(invoicing.next_invoice_number(local_authority=world.la, year=2033))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == [f"676-2033-{n:06d}" for n in range(1, 9)]


# --- Payments -----------------------------------------------------------------------------------------------


def test_recording_a_payment(world):
    services.booking_approve(by=world.user("csm"), series=world.series)
    invoice = world.series.invoices.get()
    with pytest.raises(PermissionDenied):
        invoicing.invoice_record_payment(by=world.user("head_other_cluster"), invoice=invoice)
    with pytest.raises(PermissionDenied):
        invoicing.invoice_record_payment(by=world.user("public"), invoice=invoice)
    with pytest.raises(ValidationError):
        invoicing.invoice_record_payment(by=world.user("csm"), invoice=invoice, paid_on=timezone.localdate() + datetime.timedelta(days=1))
    invoicing.invoice_record_payment(by=world.user("headteacher"), invoice=invoice)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == ("paid", timezone.localdate())
    with pytest.raises(ValidationError):
        invoicing.invoice_record_payment(by=world.user("csm"), invoice=invoice)


# --- Credit notes -------------------------------------------------------------------------------------------


def test_the_school_cancelling_a_date_issues_a_credit_note(world):
    days = [next_weekday(2, w) for w in (1, 2, 3)]
    series = _approved(world, days)
    invoice = series.invoices.get()
    one = series.bookings.order_by("starts_at")[1]
    services.booking_cancel(by=world.user("csm"), series=series, only=one, reason="Hall flooded")
    note = Invoice.objects.get(kind="credit_note")
    assert (note.credits, note.net_pence, note.vat_pence, note.number) == (invoice, -5000, 0, _number(2))
    assert [line["booking"] for line in note.lines] == [one.pk]
    assert note.lines[0]["pence"] == -5000
    invoice.refresh_from_db()
    assert invoice.status == "unpaid"  # two dates still charged
    # Cancelling the rest credits the rest, never the same date twice; the invoice is then cancelled.
    services.booking_cancel(by=world.user("csm"), series=series, reason="Closed")
    notes = list(Invoice.objects.filter(kind="credit_note").order_by("number"))
    assert [n.net_pence for n in notes] == [-5000, -10000]
    invoice.refresh_from_db()
    assert invoice.status == "cancelled"


def test_a_credit_note_for_commercial_hire_credits_the_vat(world):
    series = _approved(world, [next_weekday(3, 1), next_weekday(3, 2)], tier="commercial")
    services.booking_cancel(by=world.user("csm"), series=series, only=series.bookings.order_by("starts_at").first())
    note = Invoice.objects.get(kind="credit_note")
    assert (note.net_pence, note.vat_pence, note.total_pence) == (-9000, -1800, -10800)


def test_a_hirer_cancelling_early_is_credited(world):
    series = _approved(world, [next_weekday(2, 1), next_weekday(2, 2)])
    services.booking_cancel(by=world.user("public"), series=series, only=series.bookings.order_by("starts_at").last())
    assert Invoice.objects.filter(kind="credit_note", series=series).count() == 1


def test_a_hirer_cancelling_less_than_48_hours_before_is_still_charged(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    series = _approved(world, [tomorrow, tomorrow + datetime.timedelta(days=14)])
    soon = series.bookings.order_by("starts_at").first()
    services.booking_cancel(by=world.user("public"), series=series, only=soon)
    assert not Invoice.objects.filter(kind="credit_note").exists()
    assert Notification.objects.filter(user=world.user("public"), message__contains="48 hours").exists()
    # The school cancelling at short notice is always credited.
    other = _approved(world, [tomorrow + datetime.timedelta(days=2)], times=(datetime.time(10), datetime.time(12)))
    services.booking_cancel(by=world.user("csm"), series=other)
    assert Invoice.objects.filter(kind="credit_note", series=other).count() == 1


def test_cancelling_a_request_not_yet_approved_issues_nothing(world):
    services.booking_cancel(by=world.user("public"), series=world.series)
    assert not Invoice.objects.exists()


# --- PDF and finance export ---------------------------------------------------------------------------------


def test_the_pdf_is_bilingual_and_has_a_font_with_every_welsh_letter(world):
    from reportlab.pdfbase import pdfmetrics

    from cymuned.core.pdf import REGULAR

    world.hirer.organisation_name = "Côr Ŵyr Ynys <Môn> & Dŷ"
    world.hirer.address = "1 Stryd y Bont\nMerthyr Tudful"
    world.hirer.save()
    services.booking_approve(by=world.user("csm"), series=world.series)
    invoice = world.series.invoices.get()
    pdf = invoicing.invoice_pdf(invoice)
    assert pdf.startswith(b"%PDF")
    face = pdfmetrics.getFont(REGULAR).face
    assert all(ord(ch) in face.charToGlyph for ch in "ŵŷâêîôûŴŶ")
    assert face.name in pdf  # the Welsh-capable font is embedded and used
    assert invoicing.LABELS["invoice"] == "Invoice / Anfoneb"
    assert all(" / " in label for label in invoicing.LABELS.values())


def test_the_finance_csv_is_formula_safe_and_logged(world, client_for):
    world.hirer.organisation_name = "=HYPERLINK(\"http://evil\")"
    world.hirer.save()
    services.booking_approve(by=world.user("csm"), series=world.series)
    response = client_for("csm").get(_url("invoices-export"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["number", "kind", "issued_on"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["hirer"].startswith("'=")
    assert (row["number"], row["school"], row["net_pence"], row["vat_pence"], row["total"], row["status"]) == (
        _number(1), "Alpha School", "5000", "0", "50.00", "unpaid")
    assert ExportRecord.objects.filter(kind="premises-finance-csv", row_count=1, user=world.user("csm")).exists()


def test_another_schools_staff_get_404_and_the_hirer_sees_only_their_own(world, client_for):
    services.booking_approve(by=world.user("csm"), series=world.series)
    invoice = world.series.invoices.get()
    for name in ("head_other_cluster", "lead_other_la", "school_staff", "governor", "feo"):
        client = client_for(name)
        for url_name in ("invoice", "invoice-pdf", "invoice-payment"):
            assert client.get(_url(url_name, invoice.pk)).status_code == 404, (name, url_name)
    hirer = client_for("public")
    assert invoice.number in hirer.get(_url("my-invoices")).content.decode()
    assert hirer.get(_url("my-invoice", invoice.pk)).status_code == 200
    pdf = hirer.get(_url("invoice-pdf", invoice.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hirer.get(_url("invoice-payment", invoice.pk)).status_code == 404
    assert hirer.get(_url("invoices")).status_code == 403
    assert invoice.number not in client_for("head_other_cluster").get(_url("invoices")).content.decode()


def test_managers_list_filter_and_record_a_payment(world, client_for):
    services.booking_approve(by=world.user("csm"), series=world.series)
    invoice = world.series.invoices.get()
    client = client_for("csm")
    page = client.get(_url("invoices")).content.decode()
    assert invoice.number in page and "Merthyr Choir" in page
    assert invoice.number not in client.get(_url("invoices") + "?status=paid").content.decode()
    assert invoice.number in client.get(_url("invoices") + f"?school={world.school_a.pk}&status=unpaid").content.decode()
    detail = client.get(_url("invoice", invoice.pk)).content.decode()
    assert "£50.00" in detail and "True cost to the school" in detail
    assert "True cost to the school" not in client_for("public").get(_url("my-invoice", invoice.pk)).content.decode()
    response = client.post(_url("invoice-payment", invoice.pk), {"paid_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    error = client.post(_url("invoice-payment", invoice.pk), {"paid_on": timezone.localdate().isoformat()})
    assert error.status_code == 200 and "govuk-error-summary" in error.content.decode()


def test_the_invoice_pages_in_welsh(world, client_for):
    services.booking_approve(by=world.user("csm"), series=world.series)
    invoice = world.series.invoices.get()
    client = client_for("la_lead")
    for url in (_url("invoices"), _url("invoice", invoice.pk), _url("cost-report")):
        assert client.get(url.replace("/en-gb/", "/cy/")).status_code == 200


# --- Income against true cost -------------------------------------------------------------------------------


def test_the_report_shows_income_true_cost_and_subsidy(world, client_for):
    services.booking_approve(by=world.user("csm"), series=world.series)
    cfs = _approved(world, [next_weekday(3)], tier="cfs")
    day = next_weekday(1)
    expected_cost = true_cost(costs=CostSettings.objects.get(school=world.school_a), space=world.space,
                              starts_at=world.booking.starts_at, ends_at=world.booking.ends_at).total_pence
    cfs_booking = cfs.bookings.get()
    cfs_cost = true_cost(costs=CostSettings.objects.get(school=world.school_a), space=world.space, starts_at=cfs_booking.starts_at,
                         ends_at=cfs_booking.ends_at).total_pence
    from cymuned.premises.finance_reports import CostFilters, report

    filters = CostFilters(start=timezone.localdate(), end=day + datetime.timedelta(days=10))
    with translation.override("en-gb"):
        figures = report(user=world.user("csm"), filters=filters)
    total = figures["total"]
    assert (total.bookings, total.income, total.true_cost) == (2, 5000, expected_cost + cfs_cost)
    assert total.subsidy == expected_cost + cfs_cost - 5000
    assert [r["school"] for r in figures["schools"]] == ["Alpha School"]
    assert [r["cluster"] for r in figures["clusters"]] == ["Cyfarthfa"]
    by_ref = {r["reference"]: r["figures"] for r in figures["series"]}
    assert by_ref[cfs.reference].income == 0 and by_ref[cfs.reference].subsidy == cfs_cost
    # Another school's head sees none of it.
    assert report(user=world.user("head_other_cluster"), filters=filters)["total"].bookings == 0
    query = f"?start={filters.start.isoformat()}&end={filters.end.isoformat()}"
    page = client_for("headteacher").get(_url("cost-report") + query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-chart=" in html and "£50.00" in html and "<script>" not in html
    xlsx = client_for("headteacher").get(_url("cost-report-export") + query)
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert ExportRecord.objects.filter(kind="premises-true-cost", user=world.user("headteacher")).exists()
    assert client_for("public").get(_url("cost-report")).status_code == 403
    assert client_for("school_staff").get(_url("cost-report")).status_code == 403


def test_a_weekly_series_is_grouped_not_looped(world):
    """A series of many weeks is a handful of rows of the grouped query, not one per date."""
    from cymuned.premises.finance_reports import CostFilters, report, shapes

    days = [next_weekday(4, w) for w in range(1, 21)]
    _approved(world, days)
    filters = CostFilters(start=timezone.localdate(), end=days[-1])
    assert len(shapes(user=world.user("la_lead"), filters=filters)) <= 6  # one per month (and clock change) at most
    assert report(user=world.user("la_lead"), filters=filters)["total"].bookings == 20


# --- Query counts -------------------------------------------------------------------------------------------


def _grow(world, n: int) -> None:
    start = 10 + Invoice.objects.count() * 3
    for k in range(n):
        _approved(world, [next_weekday(k % 5, start + k)], times=(datetime.time(17), datetime.time(19)))


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize(("name", "url_name", "query"), [
    ("csm", "invoices", ""),
    ("la_lead", "invoices", "?status=unpaid"),
    ("public", "my-invoices", ""),
    ("la_lead", "invoices-export", ""),
    ("la_lead", "cost-report", "period"),
])
def test_finance_pages_run_constant_queries(world, client_for, name, url_name, query):
    client = client_for(name)
    if query == "period":
        today = timezone.localdate()
        query = f"?start={today.isoformat()}&end={(today + datetime.timedelta(days=4 * 365)).isoformat()}"
    url = _url(url_name) + query
    _grow(world, 2)
    _count(client, url)  # warm caches
    few = _count(client, url)
    _grow(world, 6)
    many = _count(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with many"
