"""URLs of the premises finance pages (included by premises/urls.py, in the "premises" namespace)."""

from django.urls import path

from . import views_finance as views

urlpatterns = [
    path("invoices/", views.InvoiceListView.as_view(), name="invoices"),
    path("invoices/export.csv", views.FinanceExportView.as_view(), name="invoices-export"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice"),
    path("invoices/<int:pk>/pdf/", views.InvoicePdfView.as_view(), name="invoice-pdf"),
    path("invoices/<int:pk>/payment/", views.InvoicePaymentView.as_view(), name="invoice-payment"),
    path("my-invoices/", views.MyInvoicesView.as_view(), name="my-invoices"),
    path("my-invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="my-invoice"),
    path("finance/true-cost/", views.CostReportView.as_view(), name="cost-report"),
    path("finance/true-cost/export.xlsx", views.CostReportExportView.as_view(), name="cost-report-export"),
]
