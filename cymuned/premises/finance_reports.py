"""Income against true cost: what community lettings bring in, what they really cost, and the subsidy schools give.

Set-based: one grouped query over the bookings the user may see reduces them to *shapes* (booking request,
month, day of the week, local start time, length), each with a count. Occurrences of a weekly booking share a
shape, so a year of Tuesday choir practice is one or two rows however many weeks it runs. Each shape is priced
and costed once by :mod:`cymuned.premises.costs` and multiplied by its count, then rolled up per booking
request, school, cluster and month. The page runs the same number of queries whatever the number of bookings.

Income is the net price (before VAT) of approved dates on the rate card of the request's tier, as invoiced;
cancelled dates count neither as income nor as cost. Subsidy is true cost minus income.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min
from django.db.models.functions import ExtractIsoWeekDay, TruncMonth, TruncTime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, visible_to
from cymuned.organisations.models import Cluster, School
from cymuned.programmes.reports import PALETTE, chart, months_between

from .costs import NO_COST, CostBreakdown, booking_price, true_cost
from .models import Booking, BookingSeries, CostSettings, RateCard, SeriesStatus, Space


@dataclass(frozen=True)
class CostFilters:
    start: datetime.date
    end: datetime.date
    school: School | None = None
    cluster: Cluster | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "school": self.school.pk if self.school else None,
                "cluster": self.cluster.pk if self.cluster else None}


@dataclass
class Figures:
    """Income, true cost and subsidy of a group of bookings, in pence."""

    bookings: int = 0
    minutes: int = 0
    income: int = 0
    cost: CostBreakdown = NO_COST

    @property
    def true_cost(self) -> int:
        return self.cost.total_pence

    @property
    def subsidy(self) -> int:
        return self.true_cost - self.income

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    def add(self, *, n: int, minutes: int, income: int, cost: CostBreakdown) -> None:
        self.bookings += n
        self.minutes += minutes * n
        self.income += income * n
        self.cost = self.cost + cost.times(n)


def _name(obj: Any, field: str = "name") -> str:
    if obj is None:
        return ""
    welsh = (get_language() or "").startswith("cy")
    return (getattr(obj, f"{field}_cy", "") if welsh else "") or getattr(obj, f"{field}_en", "")


def bookings_in_period(*, user: Any, filters: CostFilters) -> Any:
    zone_start = datetime.datetime.combine(filters.start, datetime.time(0))
    zone_end = datetime.datetime.combine(filters.end + datetime.timedelta(days=1), datetime.time(0))
    from django.utils import timezone

    qs = visible_to(user, Booking, Action.CHANGE).filter(
        status=SeriesStatus.APPROVED, series__status=SeriesStatus.APPROVED,
        starts_at__gte=timezone.make_aware(zone_start), starts_at__lt=timezone.make_aware(zone_end),
    )
    if filters.school is not None:
        qs = qs.filter(space__school_id=filters.school.pk)
    if filters.cluster is not None:
        qs = qs.filter(space__school__cluster_id=filters.cluster.pk)
    return qs


def shapes(*, user: Any, filters: CostFilters) -> list[dict[str, Any]]:
    """The grouped query: one row per (request, month, weekday, local start, length) with a count and a representative start."""
    return list(
        bookings_in_period(user=user, filters=filters)
        .annotate(month=TruncMonth("starts_at"), weekday=ExtractIsoWeekDay("starts_at"), local_start=TruncTime("starts_at"),
                  length=ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField()))
        .values("series_id", "space_id", "month", "weekday", "local_start", "length")
        .annotate(n=Count("pk"), first=Min("starts_at"))
        .order_by()
    )


def report(*, user: Any, filters: CostFilters) -> dict[str, Any]:
    """Every figure of the report: totals, per booking request, per school, per cluster and per month, with chart data."""
    rows = shapes(user=user, filters=filters)
    series_ids = {r["series_id"] for r in rows}
    space_ids = {r["space_id"] for r in rows}
    spaces = {s.pk: s for s in Space.objects.filter(pk__in=space_ids).select_related("school__cluster")}
    series = {s.pk: s for s in BookingSeries.objects.filter(pk__in=series_ids).select_related("hirer__user")}
    rates = {(r.space_id, r.tier): r for r in RateCard.objects.filter(space_id__in=space_ids)}
    school_ids = {s.school_id for s in spaces.values()}
    settings = {c.school_id: c for c in CostSettings.objects.filter(school_id__in=school_ids)}

    total = Figures()
    by_series: dict[int, Figures] = defaultdict(Figures)
    by_school: dict[int, Figures] = defaultdict(Figures)
    by_cluster: dict[int | None, Figures] = defaultdict(Figures)
    by_month: dict[datetime.date, Figures] = defaultdict(Figures)
    for r in rows:
        space, one = spaces[r["space_id"]], series[r["series_id"]]
        costs = settings.get(space.school_id) or CostSettings(school_id=space.school_id)
        starts = r["first"]
        ends = starts + r["length"]
        income = booking_price(rate=rates.get((space.pk, one.tier)), starts_at=starts, ends_at=ends).net_pence
        cost = true_cost(costs=costs, space=space, starts_at=starts, ends_at=ends)
        minutes = int(r["length"].total_seconds() // 60)
        month = r["month"].date() if isinstance(r["month"], datetime.datetime) else r["month"]
        for bucket in (total, by_series[one.pk], by_school[space.school_id], by_cluster[space.school.cluster_id], by_month[month]):
            bucket.add(n=r["n"], minutes=minutes, income=income, cost=cost)

    schools = {s.school_id: s.school for s in spaces.values()}
    clusters = {s.school.cluster_id: s.school.cluster for s in spaces.values()}
    series_rows = sorted(
        ({"reference": series[pk].reference, "activity": series[pk].activity, "hirer": str(series[pk].hirer),
          "tier": series[pk].get_tier_display(), "space": spaces[series[pk].space_id].name,
          "school": _name(spaces[series[pk].space_id].school), "figures": f} for pk, f in by_series.items()),
        key=lambda x: (-x["figures"].subsidy, x["reference"]),
    )
    school_rows = sorted(({"school": _name(schools[pk]), "cluster": _name(schools[pk].cluster), "figures": f} for pk, f in by_school.items()),
                         key=lambda x: (x["cluster"], x["school"]))
    cluster_rows = sorted(({"cluster": _name(clusters[pk]) or _("Not in a cluster"), "figures": f} for pk, f in by_cluster.items()),
                          key=lambda x: x["cluster"])
    month_rows = [{"month": m, "figures": by_month.get(m, Figures())} for m in months_between(filters.start, filters.end)]
    from django.utils.formats import date_format

    month_labels = [date_format(r["month"], "M Y") for r in month_rows]
    return {
        "total": total,
        "series": series_rows,
        "schools": school_rows,
        "clusters": cluster_rows,
        "months": month_rows,
        "month_chart": chart(month_labels, [(_("Income"), [_pounds(r["figures"].income) for r in month_rows], PALETTE[2]),
                                            (_("True cost"), [_pounds(r["figures"].true_cost) for r in month_rows], PALETTE[1])],
                             _("Pounds"), stacked=False),
        "school_chart": chart([r["school"] for r in school_rows],
                              [(_("Income"), [_pounds(r["figures"].income) for r in school_rows], PALETTE[2]),
                               (_("Subsidy"), [_pounds(max(r["figures"].subsidy, 0)) for r in school_rows], PALETTE[1])],
                              _("Pounds"), horizontal=True),
    }


def _pounds(pence: int) -> float:  # chart.js wants plain numbers
    return round(pence / 100, 2)


def _figure_cells(f: Figures) -> list[Any]:
    return [f.bookings, f.hours, _pounds(f.income), _pounds(f.cost.staffing_pence), _pounds(f.cost.energy_pence + f.cost.heating_pence),
            _pounds(f.cost.insurance_pence), _pounds(f.cost.cleaning_pence), _pounds(f.true_cost), _pounds(f.subsidy)]


def datasets(*, user: Any, filters: CostFilters) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Each table of the report as (title, header, rows) for the XLSX export; money in pounds."""
    data = report(user=user, filters=filters)
    figures = [_("Bookings"), _("Hours"), _("Income (£)"), _("Staffing (£)"), _("Energy and heating (£)"), _("Insurance (£)"),
               _("Cleaning (£)"), _("True cost (£)"), _("Subsidy (£)")]
    from django.utils.formats import date_format

    return [
        (_("By cluster"), [_("Cluster"), *figures], [[r["cluster"], *_figure_cells(r["figures"])] for r in data["clusters"]]),
        (_("By school"), [_("Cluster"), _("School"), *figures],
         [[r["cluster"], r["school"], *_figure_cells(r["figures"])] for r in data["schools"]]),
        (_("By booking"), [_("Reference"), _("Activity"), _("Hirer"), _("Tier"), _("School"), _("Space"), *figures],
         [[r["reference"], r["activity"], r["hirer"], str(r["tier"]), r["school"], r["space"], *_figure_cells(r["figures"])]
          for r in data["series"]]),
        (_("By month"), [_("Month"), *figures], [[date_format(r["month"], "M Y"), *_figure_cells(r["figures"])] for r in data["months"]]),
    ]
