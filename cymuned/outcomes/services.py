"""Writes of outcome figures. Each runs in one transaction and validates everything before writing anything."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cymuned.access.policy import Action, can, can_create
from cymuned.families.models import Learner
from cymuned.organisations.models import School

from .models import AttendanceFigures, AttendanceSource, AttendanceSummary, attendance_percentage

#: Rows per INSERT ... ON CONFLICT statement, and learners per lookup of their schools.
BATCH_SIZE = 5000
#: Row errors reported by a refused bulk write (the first ones; the rest are counted).
MAX_ROW_ERRORS = 50

_UPSERT_FIELDS = [
    "school",
    "period_start",
    "possible_sessions",
    "attended_sessions",
    "authorised_absences",
    "unauthorised_absences",
    "percentage",
    "source",
    "modified_on",
    "modified_by",
]


def _figure_errors(figures: AttendanceFigures, *, today: datetime.date) -> list[tuple[str, ValidationError]]:
    """What is wrong with one learner's figures, by field, with codes (importers map them to columns)."""
    errors: list[tuple[str, ValidationError]] = []
    for field in ("period_start", "period_end"):
        if not isinstance(getattr(figures, field), datetime.date):
            errors.append((field, ValidationError(_("Enter a real date."), code="not_a_date")))
    counts = {
        "possible_sessions": figures.possible_sessions,
        "attended_sessions": figures.attended_sessions,
        "authorised_absences": figures.authorised_absences,
        "unauthorised_absences": figures.unauthorised_absences,
    }
    for field, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            errors.append((field, ValidationError(_("Enter a whole number of sessions, 0 or more."), code="not_a_count")))
    if errors:
        return errors
    if figures.possible_sessions == 0:
        errors.append(
            ("possible_sessions", ValidationError(_("There must be at least one possible session."), code="no_sessions"))
        )
    elif figures.attended_sessions + figures.authorised_absences + figures.unauthorised_absences != figures.possible_sessions:
        errors.append(
            (
                "possible_sessions",
                ValidationError(
                    _("Sessions attended and absences must add up to the possible sessions."), code="sessions_do_not_add_up"
                ),
            )
        )
    if figures.period_start > figures.period_end:
        errors.append(("period_start", ValidationError(_("The period must start on or before its end."), code="period_order")))
    if figures.period_end > today:
        errors.append(("period_end", ValidationError(_("Attendance cannot be recorded for a future date."), code="future_date")))
    return errors


def _summary(figures: AttendanceFigures, *, school_id: int, source: str, by: Any) -> AttendanceSummary:
    return AttendanceSummary(
        learner_id=figures.learner_id,
        school_id=school_id,
        period_start=figures.period_start,
        period_end=figures.period_end,
        possible_sessions=figures.possible_sessions,
        attended_sessions=figures.attended_sessions,
        authorised_absences=figures.authorised_absences,
        unauthorised_absences=figures.unauthorised_absences,
        percentage=attendance_percentage(attended=figures.attended_sessions, possible=figures.possible_sessions),
        source=source,
        created_by=by,
        modified_by=by,
    )


@transaction.atomic
def attendance_record(
    *, by: Any, learner: Learner, figures: AttendanceFigures, source: str = AttendanceSource.MANUAL
) -> AttendanceSummary:
    """Record one learner's figures as at ``figures.period_end``, replacing any already held for that date.

    For the learner's headteacher and school staff (``policies.RECORDING_ROLES``); anyone else gets
    PermissionDenied. The change goes to the audit log with the user as actor.
    """
    if not (can(by, Action.VIEW, learner) and can_create(by, AttendanceSummary, parent=learner.school)):
        raise PermissionDenied
    if figures.learner_id != learner.pk:
        raise ValidationError(_("These figures are for another learner."), code="other_learner")
    if source not in AttendanceSource.values:
        raise ValidationError(_("Choose where the figures come from."), code="bad_source")
    errors = _figure_errors(figures, today=timezone.localdate())
    if errors:
        raise ValidationError({field: [error] for field, error in errors})
    summary = _summary(figures, school_id=learner.school_id, source=source, by=by)
    existing = AttendanceSummary.objects.select_for_update().filter(learner=learner, period_end=figures.period_end).first()
    if existing is not None:
        for field in _UPSERT_FIELDS:
            if field != "modified_on":
                setattr(existing, field, getattr(summary, field))
        summary = existing
    summary.full_clean()
    summary.save()
    return summary


@transaction.atomic
def attendance_summaries_upsert(
    *, figures: Iterable[AttendanceFigures], source: str, school: School | None = None, by: Any = None
) -> int:
    """Write many learners' figures at once: all of them, or none (ValidationError listing the bad rows).

    The bulk path for importers. It does **not** check who is asking: the caller authorises the import as a
    whole (a school's import by its headteacher or staff; a command-line import for the LA). With ``school``
    every learner must be on that school's roll, so a school's file cannot touch another school's learners.
    Rows are matched on (learner, period_end): new ones are inserted, existing ones replaced in place, so
    importing the same file twice changes nothing. One INSERT ... ON CONFLICT DO UPDATE per ``BATCH_SIZE`` rows;
    no per-row signals or change log (the importer records the import). Returns the number of rows written.
    """
    if source not in AttendanceSource.values:
        raise ValidationError(_("Choose where the figures come from."), code="bad_source")
    rows = list(figures)
    today = timezone.localdate()
    problems: list[ValidationError] = []
    problem_count = 0

    def problem(row: int, error: ValidationError) -> None:
        nonlocal problem_count
        problem_count += 1
        if len(problems) < MAX_ROW_ERRORS:
            problems.append(
                ValidationError(_("Row %(row)s: %(error)s"), code=error.code, params={"row": row, "error": error.message})
            )

    learner_ids = {f.learner_id for f in rows if isinstance(f.learner_id, int)}
    schools: dict[int, int] = {}
    ordered = sorted(learner_ids)
    for start in range(0, len(ordered), BATCH_SIZE):
        chunk = ordered[start : start + BATCH_SIZE]
        schools.update(Learner.objects.filter(pk__in=chunk).values_list("pk", "school_id"))
    seen: set[tuple[int, datetime.date]] = set()
    for index, row in enumerate(rows, start=1):
        school_id = schools.get(row.learner_id)
        if school_id is None:
            problem(index, ValidationError(_("There is no such learner."), code="unknown_learner"))
            continue
        if school is not None and school_id != school.pk:
            problem(index, ValidationError(_("This learner is not on the school's roll."), code="other_school"))
            continue
        key = (row.learner_id, row.period_end)
        if key in seen:
            problem(index, ValidationError(_("The same learner and date appear more than once."), code="duplicate_row"))
            continue
        seen.add(key)
        for _field, error in _figure_errors(row, today=today):
            problem(index, error)
    if problem_count:
        if problem_count > len(problems):
            more = problem_count - len(problems)
            message = ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", more)
            problems.append(ValidationError(message, code="more_problems", params={"count": more}))
        raise ValidationError(problems)
    summaries = [_summary(row, school_id=schools[row.learner_id], source=source, by=by) for row in rows]
    AttendanceSummary.objects.bulk_create(
        summaries,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["learner", "period_end"],
        update_fields=_UPSERT_FIELDS,
    )
    return len(summaries)
