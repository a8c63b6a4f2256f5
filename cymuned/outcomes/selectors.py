"""Reads of outcome figures, always through the access layer."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Case, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value, When

from cymuned.access.policy import NOTHING, Action, can_create, scope_q, visible_to
from cymuned.access.principal import principal_for
from cymuned.families.models import Episode, Household, Learner
from cymuned.families.policies import CASEWORK_ROLES

from .models import AttendanceBand, AttendanceSummary, Thresholds, attendance_thresholds


def latest_attendance_for(*, user: Any, learner: Learner) -> AttendanceSummary | None:
    """The learner's most recent attendance figures, if the user may see them (one query)."""
    return visible_to(user, AttendanceSummary).filter(learner=learner).order_by("-period_end").first()


def worklist_for(
    *,
    user: Any,
    school_id: int | None = None,
    band: str | None = None,
    without_open_episode: bool = False,
    thresholds: Thresholds | None = None,
) -> QuerySet[AttendanceSummary]:
    """Learners of the user's casework schools whose latest attendance is in a band, worst first.

    Set-based, so a page of it costs the same few queries however many learners there are: the latest figures
    per learner (an anti-join), the thresholds as a filter, and per row, as annotations:
    ``open_episode_id`` (an open episode of the learner's family the user may see, at the learner's school
    first) and ``can_record_household`` (whether the user may record the family of a learner who has none).
    """
    thresholds = thresholds or attendance_thresholds()
    schools = principal_for(user).school_ids(CASEWORK_ROLES)
    rows = visible_to(user, AttendanceSummary.objects.with_related(), Action.LIST).filter(learner__school_id__in=sorted(schools))
    rows = rows.latest_per_learner().of_active_learners().at_or_below(thresholds.persistent)
    if school_id is not None:
        rows = rows.filter(learner__school_id=school_id)
    if band == AttendanceBand.SEVERE:
        rows = rows.filter(percentage__lte=thresholds.severe)
    elif band == AttendanceBand.PERSISTENT:
        rows = rows.filter(percentage__gt=thresholds.severe)
    open_episodes = (
        visible_to(user, Episode, Action.VIEW)
        .open()
        .filter(household_id=OuterRef("learner__household_id"))
        .annotate(other_school=_other_school())  # an OuterRef resolves in an annotation, not inside order_by
        .order_by("other_school", "-opened_on", "-pk")
    )
    rows = rows.annotate(
        open_episode_id=Subquery(open_episodes.values("pk")[:1]), can_record_household=_can_record_household(user)
    )
    if without_open_episode:
        rows = rows.filter(open_episode_id__isnull=True)
    return rows.order_by("percentage", "learner__family_name", "learner__given_name", "pk")


def _other_school() -> Case:
    return Case(When(school_id=OuterRef("learner__school_id"), then=Value(0)), default=Value(1), output_field=IntegerField())


def _can_record_household(user: Any) -> Any:
    """Mirrors the household-create page: the learner may be changed by the user, and the user may create households."""
    changeable = scope_q(user, Learner, Action.CHANGE)
    if changeable == NOTHING or not can_create(user, Household):
        return Value(False, output_field=BooleanField())
    return Exists(Learner.objects.filter(changeable, pk=OuterRef("learner_id")))
