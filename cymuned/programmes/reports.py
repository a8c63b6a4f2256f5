"""Figures for the family engagement report: FEO contacts, episodes, programme reach, session attendance, food volumes.

Every figure is one set-based query over the rows the user may see (the access layer's scopes),
grouped in the database; nothing loops over rows in Python. Filters: a period, a school, a cluster.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, visible_to
from cymuned.families.models import Contact, ContactKind, Episode, EpisodeOutcome
from cymuned.organisations.models import Cluster, School

from .models import Attendance, Enrolment, EnrolmentStatus, ProgrammeKind, Session


@dataclass(frozen=True)
class ReportFilters:
    start: datetime.date
    end: datetime.date
    school: School | None = None
    cluster: Cluster | None = None

    def school_q(self, field: str) -> Q:
        q = Q()
        if self.school is not None:
            q &= Q(**{field: self.school.pk})
        if self.cluster is not None:
            q &= Q(**{f"{field}__cluster": self.cluster.pk})
        return q

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "school": self.school.pk if self.school else None,
                "cluster": self.cluster.pk if self.cluster else None}


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _month_key(value: Any) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def contacts(*, user: Any, filters: ReportFilters) -> QuerySet[Contact]:
    return visible_to(user, Contact, Action.LIST).filter(
        filters.school_q("episode__school"), happened_on__gte=filters.start, happened_on__lte=filters.end
    )


def contacts_by_month(*, user: Any, filters: ReportFilters) -> list[dict[str, Any]]:
    """Contacts per month and kind, with every month of the period present (zero where none)."""
    rows = (
        contacts(user=user, filters=filters).annotate(month=TruncMonth("happened_on")).values("month", "kind")
        .annotate(n=Count("pk")).order_by()
    )
    counts: dict[tuple[datetime.date, str], int] = {(_month_key(r["month"]), r["kind"]): r["n"] for r in rows}
    return [
        {"month": m, "by_kind": [counts.get((m, k), 0) for k in ContactKind.values],
         "total": sum(counts.get((m, k), 0) for k in ContactKind.values)}
        for m in months_between(filters.start, filters.end)
    ]


def episodes(*, user: Any, filters: ReportFilters) -> QuerySet[Episode]:
    return visible_to(user, Episode, Action.LIST).filter(filters.school_q("school"))


def episodes_by_month(*, user: Any, filters: ReportFilters) -> list[dict[str, Any]]:
    scoped = episodes(user=user, filters=filters)
    opened = dict(
        scoped.filter(opened_on__gte=filters.start, opened_on__lte=filters.end).annotate(month=TruncMonth("opened_on"))
        .values("month").annotate(n=Count("pk")).order_by().values_list("month", "n")
    )
    closed = dict(
        scoped.filter(closed_on__gte=filters.start, closed_on__lte=filters.end).annotate(month=TruncMonth("closed_on"))
        .values("month").annotate(n=Count("pk")).order_by().values_list("month", "n")
    )
    opened = {_month_key(k): v for k, v in opened.items()}
    closed = {_month_key(k): v for k, v in closed.items()}
    return [{"month": m, "opened": opened.get(m, 0), "closed": closed.get(m, 0)} for m in months_between(filters.start, filters.end)]


def episode_outcomes(*, user: Any, filters: ReportFilters) -> list[dict[str, Any]]:
    rows = dict(
        episodes(user=user, filters=filters).filter(closed_on__gte=filters.start, closed_on__lte=filters.end)
        .values("outcome").annotate(n=Count("pk")).order_by().values_list("outcome", "n")
    )
    return [{"outcome": label, "count": rows.get(value, 0)} for value, label in EpisodeOutcome.choices]


def enrolments(*, user: Any, filters: ReportFilters) -> QuerySet[Enrolment]:
    """People with a place (enrolled or completed) on programmes running at some point in the period."""
    return visible_to(user, Enrolment, Action.LIST).filter(
        filters.school_q("school"), status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED),
        programme__starts_on__lte=filters.end,
    ).filter(Q(programme__ends_on__isnull=True) | Q(programme__ends_on__gte=filters.start))


def reach_by_school(*, user: Any, filters: ReportFilters) -> list[dict[str, Any]]:
    """People reached per school and cluster, split by eFSM (known for learners; unknown for adults who signed up)."""
    rows = (
        enrolments(user=user, filters=filters)
        .values("school__name_en", "school__name_cy", "school__cluster__name_en", "school__cluster__name_cy")
        .annotate(
            people=Coalesce(Sum("places"), 0),
            efsm=Count("pk", filter=Q(learner__efsm=True)),
            not_efsm=Count("pk", filter=Q(learner__efsm=False)),
            unknown=Count("pk", filter=Q(learner__isnull=True)),
        )
        .order_by("school__cluster__name_en", "school__name_en")
    )
    from django.utils.translation import get_language

    welsh = (get_language() or "").startswith("cy")
    result = []
    for r in rows:
        school = (r["school__name_cy"] if welsh and r["school__name_cy"] else r["school__name_en"]) or _("Not connected to a school")
        cluster = (r["school__cluster__name_cy"] if welsh and r["school__cluster__name_cy"] else r["school__cluster__name_en"]) or ""
        result.append({"school": school, "cluster": cluster, "people": r["people"], "efsm": r["efsm"], "not_efsm": r["not_efsm"],
                       "unknown": r["unknown"]})
    return result


def reach_by_kind(*, user: Any, filters: ReportFilters) -> list[dict[str, Any]]:
    rows = dict(
        enrolments(user=user, filters=filters).values("programme__kind").annotate(n=Coalesce(Sum("places"), 0)).order_by()
        .values_list("programme__kind", "n")
    )
    return [{"kind": label, "people": rows.get(value, 0)} for value, label in ProgrammeKind.choices if value != ProgrammeKind.FOOD_PROVISION]


def _sessions(*, user: Any, filters: ReportFilters) -> QuerySet[Session]:
    return visible_to(user, Session, Action.CHANGE).filter(
        filters.school_q("programme__venue_school"), cancelled=False,
        starts_at__date__gte=filters.start, starts_at__date__lte=filters.end,
    )


def session_attendance(*, user: Any, filters: ReportFilters) -> list[dict[str, Any]]:
    """Per programme with registers: sessions held, and marks present, late and absent."""
    sessions = _sessions(user=user, filters=filters).filter(programme__counts_only=False)
    marks = Attendance.objects.filter(session__in=sessions.values("pk"))
    rows = (
        marks.values("session__programme_id", "session__programme__title_en", "session__programme__title_cy")
        .annotate(
            sessions=Count("session", distinct=True),
            present=Count("pk", filter=Q(mark="present")),
            late=Count("pk", filter=Q(mark="late")),
            absent=Count("pk", filter=Q(mark="absent")),
        )
        .order_by("session__programme__title_en")
    )
    from django.utils.translation import get_language

    welsh = (get_language() or "").startswith("cy")
    result = []
    for r in rows:
        marked = r["present"] + r["late"] + r["absent"]
        result.append({
            "programme": r["session__programme__title_cy"] if welsh and r["session__programme__title_cy"] else r["session__programme__title_en"],
            "sessions": r["sessions"], "present": r["present"], "late": r["late"], "absent": r["absent"],
            "rate": round(100 * (r["present"] + r["late"]) / marked) if marked else None,
        })
    return result


def food_by_month(*, user: Any, filters: ReportFilters) -> list[dict[str, Any]]:
    rows = (
        _sessions(user=user, filters=filters).filter(programme__counts_only=True).annotate(month=TruncMonth("starts_at"))
        .values("month").annotate(meals=Coalesce(Sum("meals_served"), 0), parcels=Coalesce(Sum("parcels_given"), 0),
                                  people=Coalesce(Sum("people_fed"), 0), sessions=Count("pk"))
        .order_by()
    )
    by_month = {_month_key(r["month"]).replace(day=1): r for r in rows}
    empty = {"meals": 0, "parcels": 0, "people": 0, "sessions": 0}
    return [{"month": m, **{k: by_month.get(m, empty)[k] for k in empty}} for m in months_between(filters.start, filters.end)]


def confidence_change(*, user: Any, filters: ReportFilters) -> dict[str, Any]:
    """Average confidence score before and after, for people who answered both."""
    from django.db.models import Avg, F

    from .models import ConfidenceResponse

    scoped = visible_to(user, ConfidenceResponse, Action.LIST).filter(enrolment__in=enrolments(user=user, filters=filters).values("pk"))
    total = F("supporting_learning") + F("skills") + F("talking_to_school") + F("wellbeing")
    both = scoped.filter(stage="after").values("enrolment_id")
    result = scoped.filter(enrolment_id__in=both).aggregate(
        before=Avg(total, filter=Q(stage="before")), after=Avg(total, filter=Q(stage="after")),
        people=Count("enrolment", filter=Q(stage="after"), distinct=True),
    )
    qualifications = visible_to(user, Enrolment, Action.LIST).filter(
        achievements__awarded_on__gte=filters.start, achievements__awarded_on__lte=filters.end
    ).filter(filters.school_q("school")).aggregate(n=Count("achievements"))["n"]
    return {**result, "qualifications": qualifications}


def _month_label(month: datetime.date) -> str:
    from django.utils.formats import date_format

    return date_format(month, "M Y")


def chart(labels: list[str], series: list[tuple[str, list[int], str]], axis: str, *, stacked: bool = True, horizontal: bool = False) -> str:
    """Chart.js data as JSON for a data attribute (see static/cymuned/js/charts.js)."""
    return json.dumps({
        "labels": [str(x) for x in labels], "axis": str(axis), "stacked": stacked, "horizontal": horizontal,
        "datasets": [{"label": str(label), "data": data, "backgroundColor": colour, "borderColor": "#0b0c0c", "borderWidth": 1}
                     for label, data, colour in series],
    })


#: GOV.UK colours, distinguishable in print and by most colour-blind readers together with the tables beside each chart.
PALETTE = ["#1d70b8", "#f47738", "#00703c", "#6f72af", "#d4351c", "#28a197", "#912b88"]


def report(*, user: Any, filters: ReportFilters) -> dict[str, Any]:
    """Every figure of the report, with chart data for each."""
    contact_rows = contacts_by_month(user=user, filters=filters)
    episode_rows = episodes_by_month(user=user, filters=filters)
    food_rows = food_by_month(user=user, filters=filters)
    reach = reach_by_school(user=user, filters=filters)
    months = [_month_label(r["month"]) for r in contact_rows]
    kinds = list(ContactKind.choices)
    return {
        "contact_kinds": [str(label) for _value, label in kinds],
        "contacts": contact_rows,
        "contacts_chart": chart(months, [(label, [r["by_kind"][i] for r in contact_rows], PALETTE[i % len(PALETTE)])
                                         for i, (_value, label) in enumerate(kinds)], _("Contacts")),
        "episodes": episode_rows,
        "episodes_chart": chart(months, [(_("Opened"), [r["opened"] for r in episode_rows], PALETTE[0]),
                                         (_("Closed"), [r["closed"] for r in episode_rows], PALETTE[1])], _("Episodes"), stacked=False),
        "outcomes": episode_outcomes(user=user, filters=filters),
        "reach": reach,
        "reach_chart": chart([r["school"] for r in reach], [(_("eFSM learners"), [r["efsm"] for r in reach], PALETTE[0]),
                                                            (_("Other learners"), [r["not_efsm"] for r in reach], PALETTE[2]),
                                                            (_("Adults and families signed up"), [r["unknown"] for r in reach], PALETTE[3])],
                             _("People"), horizontal=True),
        "reach_by_kind": reach_by_kind(user=user, filters=filters),
        "attendance": session_attendance(user=user, filters=filters),
        "food": food_rows,
        "food_chart": chart(months, [(_("Meals served"), [r["meals"] for r in food_rows], PALETTE[0]),
                                     (_("Parcels or items given"), [r["parcels"] for r in food_rows], PALETTE[1]),
                                     (_("People fed or helped"), [r["people"] for r in food_rows], PALETTE[2])], _("Number"), stacked=False),
        "confidence": confidence_change(user=user, filters=filters),
        "month_labels": months,
    }



def datasets(*, user: Any, filters: ReportFilters) -> dict[str, tuple[str, list[str], list[list[Any]]]]:
    """Each table of the report (and the records behind the counts) as (title, header, rows), for CSV and XLSX exports."""
    data = report(user=user, filters=filters)
    month = _month_label
    return {
        "contacts-by-month": (_("Contacts by month"), [_("Month"), *data["contact_kinds"], _("Total")],
                              [[month(r["month"]), *r["by_kind"], r["total"]] for r in data["contacts"]]),
        "episodes-by-month": (_("Episodes by month"), [_("Month"), _("Opened"), _("Closed")],
                              [[month(r["month"]), r["opened"], r["closed"]] for r in data["episodes"]]),
        "outcomes": (_("Episode outcomes"), [_("Outcome"), _("Episodes")], [[str(r["outcome"]), r["count"]] for r in data["outcomes"]]),
        "reach": (_("Programme reach"), [_("Cluster"), _("School"), _("People"), _("eFSM learners"), _("Other learners"),
                                         _("Adults and families signed up")],
                  [[r["cluster"], r["school"], r["people"], r["efsm"], r["not_efsm"], r["unknown"]] for r in data["reach"]]),
        "attendance": (_("Session attendance"), [_("Programme"), _("Sessions"), _("Present"), _("Late"), _("Absent"), _("Attendance %")],
                       [[r["programme"], r["sessions"], r["present"], r["late"], r["absent"], r["rate"] if r["rate"] is not None else ""]
                        for r in data["attendance"]]),
        "food": (_("Food provision"), [_("Month"), _("Sessions"), _("Meals served"), _("Parcels or items given"), _("People fed or helped")],
                 [[month(r["month"]), r["sessions"], r["meals"], r["parcels"], r["people"]] for r in data["food"]]),
    }


#: Record-level exports: these name families and people, so only the roles that work with them get them, and each is logged.
def records(*, user: Any, filters: ReportFilters, dataset: str) -> tuple[str, list[str], Any]:
    if dataset == "contact-records":
        rows = contacts(user=user, filters=filters).select_related("episode__household", "episode__school", "episode__officer").order_by(
            "happened_on", "pk")
        return (_("Contacts"), [_("Date"), _("Family"), _("School"), _("Officer"), _("Kind of contact"), _("Length in minutes")],
                ([c.happened_on.isoformat(), c.episode.household.reference, c.episode.school.name, c.episode.officer.full_name,
                  c.get_kind_display(), c.duration_minutes] for c in rows.iterator(chunk_size=2000)))
    if dataset == "episode-records":
        rows = episodes(user=user, filters=filters).filter(opened_on__lte=filters.end).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gte=filters.start)).select_related("household", "school", "officer").order_by("opened_on", "pk")
        return (_("Episodes"), [_("Family"), _("School"), _("Officer"), _("Reasons"), _("Opened on"), _("Closed on"), _("Outcome")],
                ([e.household.reference, e.school.name, e.officer.full_name, ", ".join(e.reason_labels()),
                  e.opened_on.isoformat(), e.closed_on.isoformat() if e.closed_on else "", e.get_outcome_display()]
                 for e in rows.iterator(chunk_size=2000)))
    if dataset == "enrolment-records":
        rows = enrolments(user=user, filters=filters).select_related("programme", "learner", "household", "school").annotate(
            attended=Count("attendances", filter=Q(attendances__mark__in=["present", "late"]))).order_by("programme__title_en", "pk")
        return (_("Enrolments"), [_("Programme"), _("Name"), _("School"), _("Status"), _("How they joined"), _("Sessions attended")],
                ([e.programme.title, e.display_name, e.school.name if e.school else "", e.get_status_display(), e.get_source_display(),
                  e.attended] for e in rows.iterator(chunk_size=2000)))
    raise KeyError(dataset)


RECORD_DATASETS = ("contact-records", "episode-records", "enrolment-records")
