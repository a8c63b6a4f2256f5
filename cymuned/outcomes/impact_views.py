"""The impact of engagement page, its XLSX export, and the filter form they share with the API.

Aggregates only: no learner's name, id or row reaches the page, the export or the API. The schools are those the
user may see in aggregate (:func:`~cymuned.outcomes.impact.impact_schools_for`), narrowed by the filters; a school
or cluster the user does not reach is not a valid choice, and an invalid filter shows no figures at all. As no
record is shown, viewing the page is not written to the audit log as a read of learners' records; the XLSX export
is (``export_record``), with its filters.
"""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View

from cymuned.access.views import HasRole, ScopedViewMixin
from cymuned.audit.services import export_record
from cymuned.organisations.models import Cluster, School
from cymuned.programmes.models import Programme

from .impact import (
    CAVEATS,
    DEFAULT_WEEKS,
    IMPACT_ROLES,
    MAX_WINDOW_WEEKS,
    MIN_WEEKS,
    MIN_WINDOW_WEEKS,
    SMALL_GROUP,
    SUPPRESSION_RULE,
    ImpactFilters,
    ImpactReport,
    Outcome,
    engagement_sources,
    impact_report,
    impact_schools_for,
)
from .marks import academic_year_of

IMPACT_ACCESS = HasRole(*IMPACT_ROLES)


def academic_year_label(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


class ImpactFilterForm(forms.Form):
    school = forms.ModelChoiceField(label=gettext_lazy("School"), queryset=School.objects.none(), required=False)
    cluster = forms.ModelChoiceField(label=gettext_lazy("Cluster"), queryset=Cluster.objects.none(), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of engagement"), required=False)
    programme = forms.ModelChoiceField(label=gettext_lazy("Programme"), queryset=Programme.objects.none(), required=False)
    academic_year = forms.TypedChoiceField(label=gettext_lazy("Engaged in the academic year"), coerce=int, empty_value=None,
                                           required=False)
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=Outcome.choices, required=False)
    weeks = forms.IntegerField(
        label=gettext_lazy("School weeks before and after"), min_value=MIN_WINDOW_WEEKS, max_value=MAX_WINDOW_WEEKS,
        required=False, help_text=gettext_lazy("From 4 to 26; 12 if left empty."),
        error_messages={"min_value": gettext_lazy("Enter at least 4 weeks"), "max_value": gettext_lazy("Enter at most 26 weeks"),
                        "invalid": gettext_lazy("Enter a whole number of weeks, for example 12")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schools = impact_schools_for(user)
        school = self.fields["school"]
        school.queryset = self.schools.order_by("name_en")  # type: ignore[attr-defined]
        school.empty_label = _("All your schools")  # type: ignore[attr-defined]
        school.label_from_instance = lambda s: s.name  # type: ignore[attr-defined]
        cluster = self.fields["cluster"]
        cluster.queryset = Cluster.objects.filter(schools__in=self.schools).distinct().order_by("name_en")  # type: ignore[attr-defined]
        cluster.empty_label = _("All clusters")  # type: ignore[attr-defined]
        cluster.label_from_instance = lambda c: c.name  # type: ignore[attr-defined]
        programme = self.fields["programme"]
        programme.queryset = Programme.objects.filter(  # type: ignore[attr-defined]
            local_authority_id__in=self.schools.values("local_authority_id")
        ).order_by("-starts_on", "title_en")
        programme.empty_label = _("All programmes")  # type: ignore[attr-defined]
        programme.label_from_instance = lambda p: p.title  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", _("All kinds")), *[(s.key, s.label) for s in engagement_sources()]]  # type: ignore[attr-defined]
        current = academic_year_of(timezone.localdate())
        self.fields["academic_year"].choices = [  # type: ignore[attr-defined]
            ("", _("Any year")), *[(y, academic_year_label(y)) for y in range(current, current - 5, -1)]
        ]

    def impact_filters(self) -> ImpactFilters:
        data = self.cleaned_data if self.is_valid() else {}
        programme = data.get("programme")
        return ImpactFilters(
            academic_year=data.get("academic_year"),
            kind=data.get("kind") or "",
            programme_id=programme.pk if programme else None,
            outcome=data.get("outcome") or Outcome.ATTENDANCE,
            weeks=data.get("weeks") or DEFAULT_WEEKS,
        )

    def school_ids(self) -> list[int]:
        """The schools asked about: the user's, narrowed to the school or cluster chosen (one query); none when a
        filter is not valid (a school the user does not reach is not a valid choice)."""
        if self.is_bound and not self.is_valid():
            return []
        data = self.cleaned_data if self.is_valid() else {}
        schools = self.schools
        if data.get("school"):
            schools = schools.filter(pk=data["school"].pk)
        if data.get("cluster"):
            schools = schools.filter(cluster=data["cluster"])
        return list(schools.values_list("pk", flat=True))


def report_for(*, user: Any, params: Any) -> tuple[ImpactFilterForm, ImpactReport]:
    form = ImpactFilterForm(params or None, user=user)
    return form, impact_report(school_ids=form.school_ids(), filters=form.impact_filters())


def _number(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


def chart_spec(report: ImpactReport) -> str | None:
    """Before and after means of both groups (overall), for ``static/cymuned/js/impact-chart.js``; none if suppressed."""
    overall = report.overall.estimate
    if report.overall.suppressed:
        return None
    places = 3 if report.outcome == Outcome.BEHAVIOUR else 1
    return json.dumps({
        "labels": [_("Before"), _("After")],
        "axis": str(report.unit),
        "places": places,
        "datasets": [
            {"label": _("Engaged learners"), "data": [round(overall.engaged_before or 0, places), round(overall.engaged_after or 0, places)]},
            {"label": _("Comparison learners"),
             "data": [round(overall.comparison_before or 0, places), round(overall.comparison_after or 0, places)]},
        ],
    })


class ImpactView(ScopedViewMixin, TemplateView):
    """Before and after engagement against matched comparison learners, by kind of engagement."""

    access = IMPACT_ACCESS
    template_name = "outcomes/impact.html"

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["outcomes/impact_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, report = report_for(user=self.request.user, params=self.request.GET)
        places = 3 if report.outcome == Outcome.BEHAVIOUR else 1
        return super().get_context_data(
            form=form, report=report, chart=chart_spec(report), caveats=CAVEATS, suppression_rule=SUPPRESSION_RULE,
            small_group=SMALL_GROUP, min_weeks=MIN_WEEKS, places=places, export_query=self.request.GET.urlencode(), **kwargs,
        )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def impact_xlsx(report: ImpactReport) -> bytes:
    """The results table as a workbook, with the caveats on a second sheet. Suppressed rows carry no figures."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Impact")[:31]
    sheet.append([_("Outcome"), str(report.unit)])
    sheet.append([_("School weeks before and after"), report.weeks])
    sheet.append([])
    sheet.append([
        _("Kind of engagement"), _("Engaged learners"), _("Comparison learners"), _("Engaged: before"), _("Engaged: after"),
        _("Engaged: change"), _("Comparison: before"), _("Comparison: after"), _("Comparison: change"),
        _("Difference in differences"), _("Lower end of the 95%% interval") % {}, _("Upper end of the 95%% interval") % {},
        _("Engaged learners without a match"), _("Engaged learners without figures before and after"),
    ])
    for row in report.rows:
        e = row.estimate
        counts = [str(row.label), e.n_engaged, e.n_comparison]
        if row.suppressed:
            sheet.append([*counts, _("Suppressed: fewer than 5 learners in a group"), *([None] * 8), e.unmatched, e.unmeasured])
        else:
            sheet.append([*counts, e.engaged_before, e.engaged_after, e.engaged_change, e.comparison_before, e.comparison_after,
                          e.comparison_change, e.estimate, e.ci_low, e.ci_high, e.unmatched, e.unmeasured])
    notes = book.create_sheet(_("Caveats")[:31])
    for caveat in (*CAVEATS, SUPPRESSION_RULE):
        notes.append([str(caveat)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class ImpactExportView(ScopedViewMixin, View):
    access = IMPACT_ACCESS

    def get(self, request: HttpRequest) -> HttpResponse:
        form, report = report_for(user=request.user, params=request.GET)
        filters = {key: value for key, value in request.GET.items() if key in form.fields}
        export_record(user=request.user, kind="outcomes-impact-xlsx", row_count=len(report.rows), filters=filters,
                      remote_addr=request.META.get("REMOTE_ADDR"))
        response = HttpResponse(impact_xlsx(report), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="cymuned-impact-{datetime.date.today():%Y-%m-%d}.xlsx"'
        return response
