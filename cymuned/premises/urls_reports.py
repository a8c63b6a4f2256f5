"""URLs of the premises reports pages (included by premises/urls.py, in the "premises" namespace)."""

from django.urls import path

from . import views_reports

urlpatterns: list = [
    path("reports/utilisation/", views_reports.UtilisationReportView.as_view(), name="utilisation"),
    path("reports/utilisation/export.xlsx", views_reports.UtilisationExportView.as_view(), name="utilisation-export"),
]
