"""Utilisation of school spaces, and the use of spaces that capital grants paid for.

Available hours come from each space's opening windows on each day of the period (term time or holidays by the
LA's term dates, in Europe/London wall-clock time) less the hours blocked by school use and closures: one SQL
query over generate_series, with overlapping blocks merged as multiranges. Booked hours, bookings and people
come from approved bookings in one grouped ORM query. Nothing loops over bookings in Python; the per-school,
per-cluster and per-month figures are sums of the per-space-and-month rows.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, visible_to
from cymuned.organisations.models import School
from cymuned.programmes.reports import PALETTE, ReportFilters, chart, months_between

from .models import Booking, CapitalProject, SeriesStatus, Space, Tier

__all__ = ["ReportFilters", "available_hours", "capital_projects_use", "datasets", "utilisation"]

AVAILABLE_SQL = """
WITH days AS (
    SELECT d::date AS day, date_trunc('month', d)::date AS month
    FROM generate_series(%s::date, %s::date, interval '1 day') AS d
), spaces AS (
    SELECT s.id, s.school_id, o.local_authority_id
    FROM premises_space s JOIN organisations_organisation o ON o.id = s.school_id
    WHERE s.id IN ({spaces})
), occurrences AS (
    SELECT sp.id AS space_id, sp.school_id, days.month,
           (days.day + w.opens_at) AT TIME ZONE %s AS opens,
           (days.day + w.closes_at) AT TIME ZONE %s AS closes
    FROM spaces sp
    JOIN premises_openingwindow w ON w.space_id = sp.id
    JOIN days ON w.weekday = EXTRACT(ISODOW FROM days.day)::int - 1
    WHERE w.season = CASE WHEN EXISTS (
        SELECT 1 FROM premises_termdate t
        WHERE t.local_authority_id = sp.local_authority_id AND days.day BETWEEN t.starts_on AND t.ends_on
    ) THEN 'term' ELSE 'holiday' END
)
SELECT o.space_id, o.month,
       SUM(EXTRACT(EPOCH FROM o.closes - o.opens)) / 3600.0 AS open_hours,
       SUM(COALESCE((
           SELECT EXTRACT(EPOCH FROM SUM(upper(r) - lower(r)))
           FROM unnest(tstzmultirange(tstzrange(o.opens, o.closes)) * (
               SELECT range_agg(tstzrange(b.starts_at, b.ends_at)) FROM premises_block b
               WHERE (b.space_id = o.space_id OR (b.space_id IS NULL AND b.school_id = o.school_id))
                 AND b.starts_at < o.closes AND b.ends_at > o.opens
           )) AS r
       ), 0)) / 3600.0 AS blocked_hours
FROM occurrences o
GROUP BY o.space_id, o.month
"""


def report_spaces(*, user: Any, filters: ReportFilters) -> QuerySet[Space]:
    """The spaces of the schools the user manages lettings for, narrowed by the filters."""
    return visible_to(user, Space, Action.CHANGE).filter(filters.school_q("school"))


def available_hours(*, spaces: QuerySet[Space], start: datetime.date, end: datetime.date) -> dict[tuple[int, datetime.date], float]:
    """Hours each space could be hired in each month of the period (opening windows less blocks): one query."""
    sub_sql, sub_params = spaces.order_by().values("pk").query.sql_with_params()
    zone = settings.TIME_ZONE
    with connection.cursor() as cursor:
        cursor.execute(AVAILABLE_SQL.format(spaces=sub_sql), [start, end, *sub_params, zone, zone])
        return {(space_id, month): float(open_hours) - float(blocked) for space_id, month, open_hours, blocked in cursor.fetchall()}


def _hours(value: datetime.timedelta | None) -> float:
    return value.total_seconds() / 3600 if value else 0.0


def booked(*, spaces: QuerySet[Space], start: datetime.date, end: datetime.date) -> dict[tuple[int, datetime.date], dict[str, Any]]:
    """Approved bookings starting in the period, per space and month: hours, hours for the school's own CFS programmes,
    bookings, and people (those who came where recorded, otherwise those expected). One query."""
    zone = timezone.get_default_timezone()
    lo = datetime.datetime.combine(start, datetime.time.min).replace(tzinfo=zone)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min).replace(tzinfo=zone)
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    rows = (
        Booking.objects.filter(space__in=spaces.order_by().values("pk"), status=SeriesStatus.APPROVED, starts_at__gte=lo, starts_at__lt=hi)
        .annotate(month=TruncMonth("starts_at")).values("space_id", "month")
        .annotate(hours=Sum(duration), cfs=Sum(duration, filter=Q(series__tier=Tier.CFS)), bookings=Count("pk"),
                  people=Coalesce(Sum(Coalesce("people_attended", "series__expected_people")), 0))
        .order_by()
    )
    result = {}
    for r in rows:
        month = r["month"].date() if isinstance(r["month"], datetime.datetime) else r["month"]
        result[(r["space_id"], month)] = {"hours": _hours(r["hours"]), "cfs": _hours(r["cfs"]), "bookings": r["bookings"],
                                          "people": r["people"]}
    return result


def _percent(booked_hours: float, available: float) -> float | None:
    return round(100 * booked_hours / available, 1) if available > 0 else None


def _row(label: Any, **extra: Any) -> dict[str, Any]:
    return {"label": label, "available": 0.0, "booked": 0.0, "cfs": 0.0, "community": 0.0, "bookings": 0, "people": 0, **extra}


def _add(total: dict[str, Any], available: float, use: dict[str, Any]) -> None:
    total["available"] += available
    total["booked"] += use["hours"]
    total["cfs"] += use["cfs"]
    total["community"] += use["hours"] - use["cfs"]
    total["bookings"] += use["bookings"]
    total["people"] += use["people"]


def _finish(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for r in rows:
        for key in ("available", "booked", "cfs", "community"):
            r[key] = round(r[key], 1)
        r["utilisation"] = _percent(r["booked"], r["available"])
    return rows


NO_USE = {"hours": 0.0, "cfs": 0.0, "bookings": 0, "people": 0}


def utilisation(*, user: Any, filters: ReportFilters) -> dict[str, Any]:
    """Per space, school, cluster and month: available hours, booked hours, utilisation, community use and people reached.

    Three queries whatever the number of spaces, bookings or months.
    """
    spaces_qs = report_spaces(user=user, filters=filters)
    spaces = list(spaces_qs.with_related().order_by("school__name_en", "name_en"))
    available = available_hours(spaces=spaces_qs, start=filters.start, end=filters.end) if spaces else {}
    use = booked(spaces=spaces_qs, start=filters.start, end=filters.end) if spaces else {}
    months = months_between(filters.start, filters.end)
    by_space: dict[int, dict[str, Any]] = {}
    by_school: dict[int, dict[str, Any]] = {}
    by_cluster: dict[Any, dict[str, Any]] = {}
    by_month = {m: _row(m) for m in months}
    for space in spaces:
        school, cluster = space.school, space.school.cluster
        by_space[space.pk] = _row(space.name, school=school.name, cluster=cluster.name if cluster else "", pk=space.pk)
        by_school.setdefault(school.pk, _row(school.name, cluster=cluster.name if cluster else ""))
        by_cluster.setdefault(cluster.pk if cluster else None, _row(cluster.name if cluster else _("No cluster")))
    for key in set(available) | set(use):
        space_id, month = key
        if space_id not in by_space:
            continue
        space_available, space_use = available.get(key, 0.0), use.get(key, NO_USE)
        _add(by_space[space_id], space_available, space_use)
        if month in by_month:
            _add(by_month[month], space_available, space_use)
    school_of = {s.pk: (s.school_id, s.school.cluster_id) for s in spaces}
    for space_id, row in by_space.items():
        school_id, cluster_id = school_of[space_id]
        for target in (by_school[school_id], by_cluster[cluster_id]):
            _add(target, row["available"], {"hours": row["booked"], "cfs": row["cfs"], "bookings": row["bookings"], "people": row["people"]})
    total = _row(_("All spaces"))
    for row in by_school.values():
        _add(total, row["available"], {"hours": row["booked"], "cfs": row["cfs"], "bookings": row["bookings"], "people": row["people"]})
    space_rows = _finish(list(by_space.values()))
    school_rows = _finish(sorted(by_school.values(), key=lambda r: (r["cluster"], r["label"])))
    cluster_rows = _finish(sorted(by_cluster.values(), key=lambda r: str(r["label"])))
    month_rows = _finish([by_month[m] for m in months])
    _finish([total])
    month_labels = [_month_label(m) for m in months]
    return {
        "spaces": space_rows,
        "schools": school_rows,
        "clusters": cluster_rows,
        "months": month_rows,
        "total": total,
        "spaces_chart": chart([f"{r['label']} ({r['school']})" for r in space_rows],
                              [(_("Utilisation %"), [r["utilisation"] or 0 for r in space_rows], PALETTE[0])], _("Utilisation %"),
                              stacked=False, horizontal=True),
        "months_chart": chart(month_labels, [(_("Hours available"), [r["available"] for r in month_rows], PALETTE[2]),
                                             (_("Hours booked"), [r["booked"] for r in month_rows], PALETTE[0])], _("Hours"),
                              stacked=False, horizontal=False),
        "people_chart": chart([r["label"] for r in school_rows],
                              [(_("Community hours"), [r["community"] for r in school_rows], PALETTE[1]),
                               (_("School programme hours"), [r["cfs"] for r in school_rows], PALETTE[3])], _("Hours"), horizontal=True),
    }


def _month_label(month: datetime.date) -> str:
    from django.utils.formats import date_format

    return date_format(month, "M Y")


def _cells(r: dict[str, Any]) -> list[Any]:
    return [r["available"], r["booked"], r["utilisation"] if r["utilisation"] is not None else "", r["community"], r["cfs"],
            r["bookings"], r["people"]]


def datasets(*, user: Any, filters: ReportFilters) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report's tables as (title, header, rows), for the XLSX export."""
    data = utilisation(user=user, filters=filters)
    figures = [_("Hours available"), _("Hours booked"), _("Utilisation %"), _("Community hours"), _("School programme hours"),
               _("Bookings"), _("People reached")]
    return [
        (_("Spaces"), [_("Cluster"), _("School"), _("Space"), *figures],
         [[r["cluster"], r["school"], r["label"], *_cells(r)] for r in data["spaces"]]),
        (_("Schools"), [_("Cluster"), _("School"), *figures], [[r["cluster"], r["label"], *_cells(r)] for r in data["schools"]]),
        (_("Clusters"), [_("Cluster"), *figures], [[str(r["label"]), *_cells(r)] for r in data["clusters"]]),
        (_("Months"), [_("Month"), *figures], [[_month_label(r["label"]), *_cells(r)] for r in data["months"]]),
    ]


def capital_projects_use(*, user: Any, school: School | None = None) -> list[dict[str, Any]]:
    """Capital projects of the schools the user manages, with their spaces' approved use since completion
    (hours booked, bookings, people expected or attended): two queries whatever the number of projects or bookings."""
    now = timezone.now()
    since = Q(spaces__bookings__status=SeriesStatus.APPROVED, spaces__bookings__starts_at__date__gte=F("completed_on"),
              spaces__bookings__starts_at__lte=now)
    duration = ExpressionWrapper(F("spaces__bookings__ends_at") - F("spaces__bookings__starts_at"), output_field=DurationField())
    projects = visible_to(user, CapitalProject, Action.CHANGE).select_related("school").prefetch_related("spaces")
    if school is not None:
        projects = projects.filter(school=school)
    projects = projects.annotate(
        hours=Sum(duration, filter=since), bookings=Count("spaces__bookings", filter=since),
        people=Coalesce(Sum(Coalesce("spaces__bookings__people_attended", "spaces__bookings__series__expected_people"), filter=since), 0),
    ).order_by("school__name_en", "-completed_on")
    return [
        {"project": p, "school": p.school.name, "spaces": [s.name for s in p.spaces.all()], "amount_pence": p.amount_pence,
         "hours": round(_hours(p.hours), 1), "bookings": p.bookings, "people": p.people,
         "pence_per_hour": int(Decimal(p.amount_pence) / Decimal(str(_hours(p.hours)))) if p.hours else None}
        for p in projects
    ]
