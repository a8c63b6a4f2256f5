"""The utilisation report of school spaces, with its XLSX export (every export is written in the audit log)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView, View

from cymuned.access.policy import visible_to
from cymuned.access.views import HasRole, ScopedViewMixin
from cymuned.audit.services import export_record
from cymuned.core.exports import xlsx_response
from cymuned.core.reporting import ReportFilterForm, filters_from_request
from cymuned.organisations.models import Cluster

from . import reports, services
from .policies import LA_MANAGER_ROLES, MANAGER_ROLES

REPORT_ACCESS = HasRole(*MANAGER_ROLES, *LA_MANAGER_ROLES)


def _filters(request: HttpRequest) -> tuple[ReportFilterForm, reports.ReportFilters | None]:
    schools = services.managed_schools(request.user).select_related("cluster")
    clusters = visible_to(request.user, Cluster).filter(schools__in=schools.values("pk")).distinct().order_by("name_en")
    return filters_from_request(request, schools=schools, clusters=clusters, build=reports.ReportFilters)


class UtilisationReportView(ScopedViewMixin, TemplateView):
    """Utilisation of each space, school and cluster: hours available and booked, community use and people reached."""

    access = REPORT_ACCESS
    template_name = "premises/reports/utilisation.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, filters = _filters(self.request)
        figures = reports.utilisation(user=self.request.user, filters=filters) if filters else None
        return super().get_context_data(form=form, filters=filters, figures=figures, query=self.request.GET.urlencode(), **kwargs)


class UtilisationExportView(ScopedViewMixin, View):
    """Every table of the report as one XLSX workbook, logged in the audit log."""

    access = REPORT_ACCESS

    def get(self, request: HttpRequest) -> HttpResponse:
        form, filters = _filters(request)
        if filters is None:
            return redirect(reverse("premises:utilisation") + "?" + request.GET.urlencode())
        sheets = reports.datasets(user=request.user, filters=filters)
        export_record(user=request.user, kind="premises-utilisation", row_count=sum(len(rows) for _t, _h, rows in sheets),
                      filters={**filters.as_dict(), "format": "xlsx"}, remote_addr=request.META.get("REMOTE_ADDR"))
        return xlsx_response(filename=f"cymuned-utilisation-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.xlsx", sheets=sheets)
