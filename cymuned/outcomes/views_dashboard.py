"""The outcome dashboards (attendance, behaviour, attainment), their exports, and the audited drill-down to learners."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from cymuned.access.views import HasRole, ScopedView, ScopedViewMixin, declare
from cymuned.audit.services import export_record, record_reads
from cymuned.organisations.models import School

from . import dashboards
from .dashboard_exports import dashboard_pdf, dashboard_xlsx, suppression_rule
from .forms import DashboardForm, DrillDownForm
from .policies import DASHBOARD_ROLES, DRILL_DOWN_ROLES


@declare(HasRole(*DASHBOARD_ROLES))
def dashboard_home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("outcomes:dashboard-attendance"))


class _DashboardMixin(ScopedViewMixin):
    access = HasRole(*DASHBOARD_ROLES)
    page = "attendance"

    def choices(self) -> tuple[DashboardForm, dict[str, Any]]:
        """The form and the filters it resolves to (the first area and this year when none or a bad one is given)."""
        areas = dashboards.areas_for(user=self.request.user)
        if not areas:
            raise Http404
        this_year = dashboards.default_year()
        years = list(range(this_year, this_year - dashboards.YEARS_SHOWN, -1))
        measures = [(m.key, m.label) for m in dashboards.MEASURES[self.page]]
        data = self.request.GET.copy()
        data.setdefault("area", areas[0].key)
        data.setdefault("year", str(this_year))
        form = DashboardForm(data, areas=areas, years=years, groups=dashboards.group_choices(), measures=measures)
        clean = form.cleaned_data if form.is_valid() else {}
        by_key = {a.key: a for a in areas}
        filters = {"area": by_key.get(clean.get("area"), areas[0]), "year": clean.get("year") or this_year,
                   "group": clean.get("group") or "all", "measure": clean.get("measure") or None}
        return form, filters


class DashboardView(_DashboardMixin, TemplateView):
    template_name = "outcomes/dashboard.html"

    def get_template_names(self) -> list[str]:
        if self.request.headers.get("HX-Request"):
            return ["outcomes/_dashboard_figures.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, filters = self.choices()
        board = dashboards.dashboard(user=self.request.user, page=self.page, **filters)
        area = filters["area"]
        can_drill = area.kind == "school" and area.pk in dashboards.drill_down_schools(user=self.request.user)
        query = self.request.GET.urlencode()
        return super().get_context_data(
            form=form, board=board, page=self.page, pages=dashboards.PAGES, page_title=dashboards.PAGES[self.page], rule=suppression_rule(), can_drill=can_drill,
            query=query, threshold=dashboards.suppression_threshold(), **kwargs)


class DashboardExportView(_DashboardMixin, ScopedView):
    fmt = "xlsx"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _form, filters = self.choices()
        area = filters["area"]
        name = f"{self.page}-{area.key}-{filters['year']}"
        if self.fmt == "pdf":
            content = dashboard_pdf(user=request.user, page=self.page, **filters)
            rows = 0
            response = HttpResponse(content, content_type="application/pdf")
        else:
            board = dashboards.dashboard(user=request.user, page=self.page, suppress=True, **filters)
            content, rows = dashboard_xlsx(board)
            response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{name}.{self.fmt}"'
        export_record(user=request.user, kind=f"outcomes_dashboard_{self.page}_{self.fmt}", row_count=rows,
                      filters={"area": area.key, "year": filters["year"], "group": filters["group"], "measure": filters["measure"]},
                      remote_addr=request.META.get("REMOTE_ADDR"))
        return response


class DrillDownView(ScopedViewMixin, TemplateView):
    """The learners behind one of a school's figures. Only for the learner roles at that school; the read is audited."""

    access = HasRole(*DRILL_DOWN_ROLES)
    template_name = "outcomes/dashboard_learners.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        allowed = dashboards.drill_down_schools(user=self.request.user)
        data = self.request.GET.copy()
        if "school" not in data and allowed:
            data["school"] = str(min(allowed))
        data.setdefault("year", str(dashboards.default_year()))
        data.setdefault("measure", "persistent")
        form = DrillDownForm(data)
        if not form.is_valid() or form.cleaned_data["school"] not in allowed:
            raise Http404
        clean = form.cleaned_data
        school = School.objects.get(pk=clean["school"])  # one of the user's own learner schools (checked above)
        efsm = {"1": True, "0": False}.get(clean["efsm"] or "")
        rows = dashboards.drill_down(user=self.request.user, school=school, year=clean["year"], group=clean["group"] or "all",
                                     efsm=efsm, measure=clean["measure"])
        record_reads(instances=[row["learner"] for row in rows])
        groups = dict(dashboards.group_choices())
        return super().get_context_data(school=school, rows=rows, measure=clean["measure"], efsm=efsm,
                                        group_label=groups.get(clean["group"] or "all", ""),
                                        year_label=dashboards.year_label(clean["year"]), **kwargs)
