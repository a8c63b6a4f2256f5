"""REST endpoint for the outcome dashboards' figures (read-only): the same selector, scoping and small-number
suppression as the pages (:mod:`cymuned.outcomes.dashboards`), so another system gets exactly what a person sees."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cymuned.access.views import HasRole

from . import dashboards
from .policies import DASHBOARD_ROLES


class OutcomeFiguresQuerySerializer(serializers.Serializer):
    dashboard = serializers.ChoiceField(choices=list(dashboards.PAGES), required=False, default="attendance",
                                        help_text="Which dashboard: attendance, behaviour or attainment.")
    area = serializers.CharField(required=False, max_length=30,
                                 help_text="An area you may see, as the pages name it: school-<id>, cluster-<id>, la-<id> "
                                           "or wales. Your first area when left out.")
    year = serializers.IntegerField(required=False, min_value=2000, max_value=2100,
                                    help_text="The academic year by the year it starts in (2025 is 2025/26); this year when "
                                              "left out.")
    group = serializers.CharField(required=False, max_length=20, default="all",
                                  help_text="Which learners: all, or one group such as year_group-9, aln-1, gender-F.")
    measure = serializers.CharField(required=False, max_length=20,
                                    help_text="The measure shown by term, week, year and school (attendance, persistent, "
                                              "incidents, ...); the dashboard's first when left out.")

    def validate_group(self, value: str) -> str:
        if value not in dict(dashboards.group_choices()):
            raise serializers.ValidationError(_("Choose a group of learners from the list."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        measure = attrs.get("measure")
        if measure and measure not in {m.key for m in dashboards.MEASURES[attrs["dashboard"]]}:
            raise serializers.ValidationError({"measure": _("Choose a measure of this dashboard.")})
        return attrs


class CellSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True,
                                     help_text="The figure; null when there is none or it is suppressed.")
    suppressed = serializers.BooleanField(help_text="True when the figure is about too few learners to be shown.")


class LineSerializer(serializers.Serializer):
    label = serializers.CharField()
    all = CellSerializer()
    efsm = CellSerializer()
    other = CellSerializer()
    gap = CellSerializer(help_text="eFSM minus other learners, in the measure's unit; suppressed when either side is.")


class MeasureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()


class AreaSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    name = serializers.CharField()


class OutcomeFiguresSerializer(serializers.Serializer):
    dashboard = serializers.CharField()
    area = AreaSerializer()
    year = serializers.IntegerField()
    year_label = serializers.CharField()
    group = serializers.CharField()
    measure = MeasureSerializer()
    suppressed = serializers.BooleanField(help_text="Small numbers are suppressed in this view.")
    suppression_threshold = serializers.IntegerField()
    summary = LineSerializer(many=True, help_text="Every measure of the dashboard, year to date.")
    learners = LineSerializer(help_text="How many learners the chosen measure is computed from.")
    terms = LineSerializer(many=True)
    weeks = LineSerializer(many=True)
    years = LineSerializer(many=True)
    breakdown = LineSerializer(many=True, help_text="By school (cluster and LA) or by local authority (Wales), year to date.")


def _cell(cell: dashboards.Cell) -> dict[str, Any]:
    return {"value": None if cell.suppressed else cell.value, "suppressed": cell.suppressed}


def _line(line: dashboards.Line) -> dict[str, Any]:
    return {"label": str(line.label), "all": _cell(line.all), "efsm": _cell(line.efsm), "other": _cell(line.other),
            "gap": _cell(line.gap)}


class OutcomeFiguresViewSet(viewsets.ViewSet):
    """The figures of one outcome dashboard for one area, year and group of learners: eFSM and other learners and the
    gap, year to date, by term, week, year and school. Scoped and suppressed exactly as the page: only areas the user
    may see (others answer 404), and figures about fewer than the threshold of learners suppressed outside a school's
    own view."""

    access = HasRole(*DASHBOARD_ROLES)

    @extend_schema(parameters=[OutcomeFiguresQuerySerializer], responses=OutcomeFiguresSerializer)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = OutcomeFiguresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        areas = dashboards.areas_for(user=request.user)
        if not areas:
            raise NotFound(NO_AREA)
        area = next((a for a in areas if a.key == params.get("area")), None) if params.get("area") else areas[0]
        if area is None:
            raise NotFound(NO_AREA)
        year = params.get("year") or dashboards.default_year()
        board = dashboards.dashboard(user=request.user, page=params["dashboard"], area=area, year=year,
                                     group=params["group"], measure=params.get("measure"))
        data = {
            "dashboard": board.page, "area": {"key": area.key, "kind": area.kind, "name": area.name},
            "year": board.year, "year_label": dashboards.year_label(board.year), "group": board.group,
            "measure": {"key": board.measure.key, "label": str(board.measure.label), "unit": str(board.measure.unit)},
            "suppressed": board.suppressed, "suppression_threshold": dashboards.suppression_threshold(),
            "summary": [_line(line) for line in board.summary], "learners": _line(board.learners),  # type: ignore[arg-type]
            "terms": [_line(line) for line in board.terms], "weeks": [_line(line) for line in board.weeks],
            "years": [_line(line) for line in board.years], "breakdown": [_line(line) for line in board.breakdown],
        }
        return Response(OutcomeFiguresSerializer(data).data)


NO_AREA = gettext_lazy("No such area, or not one you may see.")
