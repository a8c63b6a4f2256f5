"""Measures the strategic plan is judged by, computed live from the other domains.

Each measure is one ``register_measure(key, label, unit, compute)`` call; ``compute(*, local_authority, as_of)`` answers
a :class:`~decimal.Decimal` (or ``None`` when there are no figures, or too few learners to publish) with set-based
queries only. Another domain adds its own measure the same way, for example the hub's referrals::

    register_measure("referrals_closed_in_target", _("Referrals closed within target"), _("%"), referrals_closed_in_target)

Figures about learners are year to date: the academic year (from 1 September) of ``as_of``, each learner's latest
attendance summary on or before ``as_of``. Groups of fewer than :data:`SMALLEST_GROUP` learners give ``None``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Figures about fewer learners than this are not published (they could identify someone).
SMALLEST_GROUP = 5

Compute = Callable[..., Decimal | None]


@dataclass(frozen=True)
class Measure:
    key: str
    label: str | Promise
    unit: str | Promise
    compute: Compute
    higher_is_better: bool = True


_registry: dict[str, Measure] = {}


def register_measure(key: str, label: str | Promise, unit: str | Promise, compute: Compute, *, higher_is_better: bool = True) -> Measure:
    """Add (or replace) a measure. ``compute(*, local_authority, as_of)`` must be set-based and return Decimal or None."""
    measure = Measure(key=key, label=label, unit=unit, compute=compute, higher_is_better=higher_is_better)
    _registry[key] = measure
    return measure


def registered_measures() -> list[Measure]:
    return list(_registry.values())


def measure_for(key: str) -> Measure | None:
    return _registry.get(key)


def measure_label(key: str) -> str | Promise:
    measure = _registry.get(key)
    return measure.label if measure else key


def measure_choices() -> list[tuple[str, Any]]:
    return [(m.key, m.label) for m in _registry.values()]


def current_values(keys: Iterable[str], *, local_authority: Any, as_of: datetime.date) -> dict[str, Decimal | None]:
    """Each distinct measure computed once (a page of twenty plan measures runs each computation once)."""
    values: dict[str, Decimal | None] = {}
    for key in dict.fromkeys(keys):
        measure = _registry.get(key)
        values[key] = measure.compute(local_authority=local_authority, as_of=as_of) if measure else None
    return values


def academic_year_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def _round(value: Any, places: str = "0.1") -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _la_id(local_authority: Any) -> int:
    return getattr(local_authority, "pk", local_authority)


# --- Attendance (outcomes) -------------------------------------------------------------------------------


def latest_attendance(*, local_authority: Any, as_of: datetime.date) -> Any:
    """Each learner's latest year-to-date summary on or before ``as_of`` at the LA's schools (an anti-join)."""
    from cymuned.outcomes.models import AttendanceSummary

    start = academic_year_start(as_of)
    in_year = AttendanceSummary.objects.filter(school__local_authority_id=_la_id(local_authority), period_end__gte=start, period_end__lte=as_of)
    later = AttendanceSummary.objects.filter(learner_id=OuterRef("learner_id"), period_end__gt=OuterRef("period_end"), period_end__lte=as_of)
    return in_year.filter(~Exists(later))


def attendance_by_efsm(*, local_authority: Any, as_of: datetime.date) -> dict[str, dict[str, int]]:
    """Learners, possible and attended sessions, and persistent absentees, for eFSM and other learners. One query."""
    from cymuned.outcomes.models import attendance_thresholds

    persistent = attendance_thresholds().persistent
    rows = (
        latest_attendance(local_authority=local_authority, as_of=as_of)
        .values("learner__efsm")
        .annotate(learners=Count("pk"), possible=Sum("possible_sessions"), attended=Sum("attended_sessions"),
                  persistent=Count("pk", filter=Q(percentage__lte=persistent)))
        .order_by()
    )
    out = {"efsm": {"learners": 0, "possible": 0, "attended": 0, "persistent": 0},
           "other": {"learners": 0, "possible": 0, "attended": 0, "persistent": 0}}
    for row in rows:
        out["efsm" if row["learner__efsm"] else "other"] = {k: row[k] or 0 for k in ("learners", "possible", "attended", "persistent")}
    return out


def percentage(part: int, whole: int) -> Decimal | None:
    return _round(Decimal(part) * 100 / Decimal(whole)) if whole else None


def attendance_efsm_gap(*, local_authority: Any, as_of: datetime.date) -> Decimal | None:
    """Percentage points between other learners' attendance and eFSM learners' (smaller is better)."""
    groups = attendance_by_efsm(local_authority=local_authority, as_of=as_of)
    if min(groups["efsm"]["learners"], groups["other"]["learners"]) < SMALLEST_GROUP:
        return None
    efsm = Decimal(groups["efsm"]["attended"]) * 100 / Decimal(groups["efsm"]["possible"])
    other = Decimal(groups["other"]["attended"]) * 100 / Decimal(groups["other"]["possible"])
    return _round(other - efsm)


def persistent_absence(*, local_authority: Any, as_of: datetime.date) -> Decimal | None:
    groups = attendance_by_efsm(local_authority=local_authority, as_of=as_of)
    learners = groups["efsm"]["learners"] + groups["other"]["learners"]
    if learners < SMALLEST_GROUP:
        return None
    return percentage(groups["efsm"]["persistent"] + groups["other"]["persistent"], learners)


def persistent_absence_efsm(*, local_authority: Any, as_of: datetime.date) -> Decimal | None:
    efsm = attendance_by_efsm(local_authority=local_authority, as_of=as_of)["efsm"]
    if efsm["learners"] < SMALLEST_GROUP:
        return None
    return percentage(efsm["persistent"], efsm["learners"])


# --- Programmes ------------------------------------------------------------------------------------------


def programme_reach_figures(*, local_authority: Any, as_of: datetime.date) -> dict[str, int]:
    """Places taken this academic year up to ``as_of``: all, and those of learners eligible for free school meals. One query."""
    from cymuned.programmes.models import Enrolment, EnrolmentStatus

    start = academic_year_start(as_of)
    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)
    return Enrolment.objects.filter(
        programme__local_authority_id=_la_id(local_authority), status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED),
        created_on__lt=end,
    ).filter(Q(programme__ends_on__isnull=True) | Q(programme__ends_on__gte=start)).aggregate(people=Coalesce(Sum("places"), 0), with_learner=Count("pk", filter=Q(learner__isnull=False)),
                efsm=Count("pk", filter=Q(learner__efsm=True)))


def programme_reach(*, local_authority: Any, as_of: datetime.date) -> Decimal | None:
    figures = programme_reach_figures(local_authority=local_authority, as_of=as_of)
    return Decimal(figures["people"]) if figures["people"] else None


def programme_efsm_share(*, local_authority: Any, as_of: datetime.date) -> Decimal | None:
    figures = programme_reach_figures(local_authority=local_authority, as_of=as_of)
    if figures["with_learner"] < SMALLEST_GROUP:
        return None
    return percentage(figures["efsm"], figures["with_learner"])


# --- Premises --------------------------------------------------------------------------------------------


def lettings_hours(*, local_authority: Any, as_of: datetime.date) -> dict[str, Decimal]:
    """Hours of approved bookings this academic year up to ``as_of``: community lettings, and the schools' own programmes."""
    from cymuned.premises.models import Booking, SeriesStatus, Tier

    zone = datetime.UTC
    lo = datetime.datetime.combine(academic_year_start(as_of), datetime.time.min, tzinfo=zone)
    hi = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    duration = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())
    row = Booking.objects.filter(
        space__school__local_authority_id=_la_id(local_authority), status=SeriesStatus.APPROVED, starts_at__gte=lo, starts_at__lt=hi,
    ).aggregate(community=Sum(duration, filter=~Q(series__tier=Tier.CFS)), cfs=Sum(duration, filter=Q(series__tier=Tier.CFS)),
                bookings=Count("pk"))

    def hours(value: datetime.timedelta | None) -> Decimal:
        return _round(Decimal(value.total_seconds()) / 3600) if value else Decimal("0.0")

    return {"community": hours(row["community"]), "cfs": hours(row["cfs"]), "bookings": Decimal(row["bookings"])}


def community_lettings_hours(*, local_authority: Any, as_of: datetime.date) -> Decimal | None:
    figures = lettings_hours(local_authority=local_authority, as_of=as_of)
    return figures["community"] if figures["bookings"] else None


# --- Self-evaluation -------------------------------------------------------------------------------------


def self_evaluation_average(*, local_authority: Any, as_of: datetime.date) -> Decimal | None:
    """The mean final stage (1 = earliest) over every square of the LA's submitted self-evaluations for the year of ``as_of``."""
    from cymuned.evaluation.models import EvaluationStatus, Rating, academic_year_for

    value = Rating.objects.filter(
        evaluation__school__local_authority_id=_la_id(local_authority), evaluation__academic_year=academic_year_for(as_of),
    ).exclude(evaluation__status=EvaluationStatus.DRAFT).aggregate(
        mean=Avg(Coalesce(F("moderated_stage__level"), F("stage__level")))
    )["mean"]
    return _round(value, "0.01")


register_measure("attendance_efsm_gap", _("Attendance gap between eFSM learners and others"), _("percentage points"),
                 attendance_efsm_gap, higher_is_better=False)
register_measure("persistent_absence", _("Learners persistently absent"), _("%"), persistent_absence, higher_is_better=False)
register_measure("persistent_absence_efsm", _("eFSM learners persistently absent"), _("%"), persistent_absence_efsm,
                 higher_is_better=False)
register_measure("programme_reach", _("Places taken on programmes this year"), _("places"), programme_reach)
register_measure("programme_efsm_share", _("Share of learners on programmes who are eligible for free school meals"), _("%"),
                 programme_efsm_share)
register_measure("community_lettings_hours", _("Hours of community use of school spaces this year"), _("hours"), community_lettings_hours)
register_measure("self_evaluation_average", _("Average self-evaluation stage"), _("stage (1 to 4)"), self_evaluation_average)
