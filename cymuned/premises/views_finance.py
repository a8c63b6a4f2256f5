"""Pages about money: invoices and credit notes, payments, the finance export and the income-versus-true-cost report.

Managers (the school's headteacher and community school manager, the LA's lead and officers) see the invoices
of the schools they manage; hirers see their own. Every read goes through the access layer; every download is
written in the audit log.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from cymuned.access.policy import Action, can, visible_to
from cymuned.access.views import HasRole, ObjectAccess, ScopedView, ScopedViewMixin, SignedIn
from cymuned.audit.services import export_record
from cymuned.core.exports import csv_response, xlsx_response
from cymuned.core.forms import apply_validation_error
from cymuned.core.reporting import ReportFilterForm, filters_from_request
from cymuned.core.widgets import DATE_ERRORS, DateInput
from cymuned.organisations.models import Cluster, School

from . import finance_reports, invoicing
from .costs import CostBreakdown, true_cost
from .models import Booking, CostSettings, Invoice, InvoiceStatus
from .policies import LA_MANAGER_ROLES, MANAGER_ROLES

FINANCE_ROLES = (*MANAGER_ROLES, *LA_MANAGER_ROLES)


class InvoiceFilterForm(forms.Form):
    school = forms.ModelChoiceField(label=gettext_lazy("School"), queryset=School.objects.none(), required=False,
                                    error_messages={"invalid_choice": gettext_lazy("Choose a school from the list")})
    status = forms.ChoiceField(label=gettext_lazy("Payment"), required=False)

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools  # type: ignore[attr-defined]
        self.fields["school"].label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
        self.fields["school"].empty_label = _("All schools")  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("Any")), *InvoiceStatus.choices]  # type: ignore[attr-defined]


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=gettext_lazy("Date the payment was received"), widget=DateInput(),
                              error_messages={**DATE_ERRORS, "required": gettext_lazy("Enter the date the payment was received")})


def _managed_schools(user: Any) -> QuerySet[School]:
    from cymuned.access.principal import principal_for

    from .policies import managed_schools_q

    return School.objects.filter(managed_schools_q(principal_for(user), "")).order_by("name_en")


def managed_invoices(request: HttpRequest) -> tuple[InvoiceFilterForm, QuerySet[Invoice]]:
    """The invoices of the schools the user manages, filtered by the query string (invalid filters are ignored)."""
    form = InvoiceFilterForm(request.GET or None, schools=_managed_schools(request.user))
    invoices = visible_to(request.user, Invoice, Action.CHANGE)
    if request.GET and form.is_valid():
        if form.cleaned_data.get("school"):
            invoices = invoices.filter(series__space__school=form.cleaned_data["school"])
        if form.cleaned_data.get("status"):
            invoices = invoices.filter(status=form.cleaned_data["status"])
    return form, invoices


class InvoiceListView(ScopedViewMixin, TemplateView):
    """Invoices and credit notes of the schools the user manages, newest first."""

    access = HasRole(*FINANCE_ROLES)
    template_name = "premises/finance/invoice_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, invoices = managed_invoices(self.request)
        page = Paginator(invoicing.invoices_with_related(invoices).order_by("-issued_on", "-number"), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(form=form, page=page, query=self.request.GET.urlencode(), **kwargs)


class MyInvoicesView(ScopedViewMixin, TemplateView):
    """A hirer's own invoices and credit notes."""

    access = SignedIn()
    template_name = "premises/finance/my_invoices.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        invoices = visible_to(self.request.user, Invoice, Action.LIST).filter(series__hirer__user_id=self.request.user.pk)
        page = Paginator(invoicing.invoices_with_related(invoices).order_by("-issued_on", "-number"), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, **kwargs)


class InvoiceDetailView(ScopedViewMixin, TemplateView):
    access = ObjectAccess(Invoice)
    template_name = "premises/finance/invoice_detail.html"
    object: Invoice

    def get_object_queryset(self) -> QuerySet[Invoice]:
        return invoicing.invoices_with_related(Invoice.objects.all())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        invoice = self.object
        can_change = can(self.request.user, Action.CHANGE, invoice)
        return super().get_context_data(
            invoice=invoice, can_change=can_change, is_hirer=invoice.series.hirer.user_id == self.request.user.pk,
            rows=_lines_with_true_cost(invoice) if can_change else [(line, None) for line in invoice.lines],
            credit_notes=list(invoice.credit_notes.order_by("issued_on", "number")),
            can_record_payment=can_change and invoice.kind == "invoice" and invoice.status == InvoiceStatus.UNPAID, **kwargs)


def _lines_with_true_cost(invoice: Invoice) -> list[tuple[dict[str, Any], CostBreakdown | None]]:
    """Each line with the true cost of its booking, for the school's managers (two queries whatever the number of lines)."""
    space = invoice.series.space
    costs = CostSettings.objects.filter(school_id=space.school_id).first() or CostSettings(school_id=space.school_id)
    bookings = Booking.objects.in_bulk([line.get("booking") for line in invoice.lines if line.get("booking")])
    rows: list[tuple[dict[str, Any], CostBreakdown | None]] = []
    for line in invoice.lines:
        booking = bookings.get(line.get("booking"))
        rows.append((line, true_cost(costs=costs, space=space, starts_at=booking.starts_at, ends_at=booking.ends_at) if booking else None))
    return rows


class InvoicePdfView(ScopedView):
    """The invoice or credit note as a bilingual PDF."""

    access = ObjectAccess(Invoice)
    object: Invoice

    def get_object_queryset(self) -> QuerySet[Invoice]:
        return invoicing.invoices_with_related(Invoice.objects.all())

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        invoice = self.object
        export_record(user=request.user, kind="premises-invoice-pdf", row_count=1, filters={"invoice": invoice.number},
                      remote_addr=request.META.get("REMOTE_ADDR"))
        response = HttpResponse(invoicing.invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
        return response


class InvoicePaymentView(ScopedViewMixin, FormView):
    """Record that an invoice has been paid."""

    access = ObjectAccess(Invoice, Action.CHANGE)
    template_name = "premises/finance/payment_form.html"
    form_class = PaymentForm
    object: Invoice

    def get_initial(self) -> dict[str, Any]:
        return {"paid_on": timezone.localdate()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(invoice=self.object, **kwargs)

    def form_valid(self, form: PaymentForm) -> HttpResponse:
        try:
            invoicing.invoice_record_payment(by=self.request.user, invoice=self.object, paid_on=form.cleaned_data["paid_on"])
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Payment of %(number)s recorded.") % {"number": self.object.number})
        return redirect(reverse("premises:invoice", args=[self.object.pk]))


class FinanceExportView(ScopedView):
    """Every invoice and credit note of the managed schools (as filtered on the list) as CSV for the council's finance system."""

    access = HasRole(*FINANCE_ROLES)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form, invoices = managed_invoices(request)
        count = invoices.count()
        export_record(user=request.user, kind="premises-finance-csv", row_count=count,
                      filters={k: request.GET.get(k) for k in ("school", "status")}, remote_addr=request.META.get("REMOTE_ADDR"))
        return csv_response(filename=f"cymuned-invoices-{timezone.localdate():%Y%m%d}.csv", header=invoicing.FINANCE_HEADER,
                            rows=invoicing.finance_rows(invoices))


def _cost_filters(request: HttpRequest) -> tuple[ReportFilterForm, finance_reports.CostFilters | None]:
    schools = _managed_schools(request.user).select_related("cluster")
    clusters = Cluster.objects.filter(pk__in=schools.values("cluster_id")).order_by("name_en")
    return filters_from_request(request, schools=schools, clusters=clusters, build=finance_reports.CostFilters)


class CostReportView(ScopedViewMixin, TemplateView):
    """Income against true cost, and the subsidy given, per booking, school and cluster over a period."""

    access = HasRole(*FINANCE_ROLES)
    template_name = "premises/finance/cost_report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, filters = _cost_filters(self.request)
        figures = finance_reports.report(user=self.request.user, filters=filters) if filters else None
        return super().get_context_data(form=form, filters=filters, figures=figures, query=self.request.GET.urlencode(), **kwargs)


class CostReportExportView(ScopedView):
    """Every table of the income and true cost report as an XLSX workbook."""

    access = HasRole(*FINANCE_ROLES)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form, filters = _cost_filters(request)
        if filters is None:
            return redirect(reverse("premises:cost-report") + "?" + request.GET.urlencode())
        sheets = finance_reports.datasets(user=request.user, filters=filters)
        export_record(user=request.user, kind="premises-true-cost", row_count=sum(len(rows) for _t, _h, rows in sheets),
                      filters={**filters.as_dict(), "format": "xlsx"}, remote_addr=request.META.get("REMOTE_ADDR"))
        return xlsx_response(filename=f"cymuned-true-cost-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.xlsx", sheets=sheets)
