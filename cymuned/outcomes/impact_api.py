"""``/api/v1/impact/``: the figures of the impact page, for the same filters and scoped the same way (read-only).

The filters are validated by the page's own form, so the API and the page cannot disagree on what a filter means or
which schools a user reaches. Suppressed rows (fewer than 5 learners in a group) carry the group sizes and no figure.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .impact import (
    CAVEATS,
    MAX_WINDOW_WEEKS,
    MIN_WINDOW_WEEKS,
    SMALL_GROUP,
    SUPPRESSION_RULE,
    ImpactReport,
    Outcome,
    impact_report,
)
from .impact_views import IMPACT_ACCESS, ImpactFilterForm


class ImpactQuerySerializer(serializers.Serializer):
    school = serializers.IntegerField(required=False, min_value=1, help_text="A school's id: only this school's learners.")
    cluster = serializers.IntegerField(required=False, min_value=1, help_text="A cluster's id: only its schools' learners.")
    kind = serializers.CharField(required=False, help_text="A kind of engagement: feo_episode, programme, or any registered later.")
    programme = serializers.IntegerField(required=False, min_value=1, help_text="A programme's id: only places on it count.")
    academic_year = serializers.IntegerField(required=False, help_text="Engagements in the academic year starting in September of this year.")
    outcome = serializers.ChoiceField(choices=Outcome.values, required=False, default=Outcome.ATTENDANCE)
    weeks = serializers.IntegerField(required=False, min_value=MIN_WINDOW_WEEKS, max_value=MAX_WINDOW_WEEKS,
                                     help_text="School weeks in each window before and after (12 if left out).")


class ImpactRowSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="The kind of engagement; empty for all kinds together.")
    label = serializers.CharField()
    engaged_learners = serializers.IntegerField()
    comparison_learners = serializers.IntegerField()
    unmatched = serializers.IntegerField(help_text="Engaged learners with no comparison learner, left out.")
    unmeasured = serializers.IntegerField(help_text="Engaged learners without figures before and after, left out.")
    suppressed = serializers.BooleanField(help_text=f"Fewer than {SMALL_GROUP} learners in a group: no figures.")
    engaged_before = serializers.FloatField(allow_null=True)
    engaged_after = serializers.FloatField(allow_null=True)
    engaged_change = serializers.FloatField(allow_null=True)
    comparison_before = serializers.FloatField(allow_null=True)
    comparison_after = serializers.FloatField(allow_null=True)
    comparison_change = serializers.FloatField(allow_null=True)
    difference_in_differences = serializers.FloatField(allow_null=True)
    standard_error = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True, help_text="Lower end of the 95% confidence interval.")
    ci_high = serializers.FloatField(allow_null=True, help_text="Upper end of the 95% confidence interval.")


class ImpactReportSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    unit = serializers.CharField()
    weeks = serializers.IntegerField()
    schools = serializers.IntegerField(help_text="Schools whose learners are counted.")
    rows = ImpactRowSerializer(many=True)
    caveats = serializers.ListField(child=serializers.CharField())


def report_data(report: ImpactReport) -> dict[str, Any]:
    rows = []
    for row in report.rows:
        e = row.estimate
        figures = {
            "engaged_before": e.engaged_before, "engaged_after": e.engaged_after, "engaged_change": e.engaged_change,
            "comparison_before": e.comparison_before, "comparison_after": e.comparison_after,
            "comparison_change": e.comparison_change, "difference_in_differences": e.estimate,
            "standard_error": e.standard_error, "ci_low": e.ci_low, "ci_high": e.ci_high,
        }
        if row.suppressed:
            figures = dict.fromkeys(figures)
        rows.append({"kind": row.key, "label": str(row.label), "engaged_learners": e.n_engaged, "comparison_learners": e.n_comparison,
                     "unmatched": e.unmatched, "unmeasured": e.unmeasured, "suppressed": row.suppressed, **figures})
    return {"outcome": report.outcome, "unit": str(report.unit), "weeks": report.weeks, "schools": report.school_count,
            "rows": rows, "caveats": [str(c) for c in (*CAVEATS, SUPPRESSION_RULE)]}


class ImpactViewSet(viewsets.ViewSet):
    """The impact of engagement: before and after against matched comparison learners, a difference-in-differences
    estimate with its 95% confidence interval, overall and by kind of engagement (aggregates only, never a learner).

    For LA roles (their LA, or their cluster), headteachers, FEOs and community school managers (their schools).
    """

    access = IMPACT_ACCESS

    @extend_schema(parameters=[ImpactQuerySerializer], responses=ImpactReportSerializer)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = ImpactQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        form = ImpactFilterForm(request.query_params or None, user=request.user)
        if request.query_params and not form.is_valid():
            raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
        report = impact_report(school_ids=form.school_ids(), filters=form.impact_filters())
        return Response(ImpactReportSerializer(report_data(report)).data)
