"""Writes of the strategic plan, its consultations and reports to Council: one transaction each.

Every function checks access itself (callers pass the acting user), so the pages and the API share the rules.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, can
from cymuned.organisations.models import LocalAuthority, Organisation

from .measures import measure_for
from .models import (
    ActionUpdate,
    Answer,
    CouncilReport,
    Objective,
    PlanAction,
    PlanMeasure,
    PlanVersion,
    Priority,
    Question,
    QuestionKind,
    Questionnaire,
    ReportStatus,
    Response,
    StrategicPlan,
    VersionStatus,
)
from .policies import managed_las


def _require(user: Any, action: Action | str, obj: Any) -> None:
    if not can(user, action, obj):
        raise Http404


def _managed_la(user: Any, local_authority: LocalAuthority) -> None:
    from cymuned.access.principal import principal_for

    if local_authority.pk not in managed_las(principal_for(user)):
        raise Http404


# --- Plans and versions ----------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, by: Any, local_authority: LocalAuthority, data: dict[str, Any]) -> StrategicPlan:
    """A plan with its first version, a draft."""
    _managed_la(by, local_authority)
    plan = StrategicPlan.objects.create(local_authority=local_authority, created_by=by, modified_by=by,
                                        **{k: data.get(k, "") for k in ("title_en", "title_cy", "summary_en", "summary_cy")})
    PlanVersion.objects.create(plan=plan, number=1, status=VersionStatus.DRAFT, is_current=True, created_by=by, modified_by=by)
    return plan


@transaction.atomic
def version_send_to_consultation(*, by: Any, version: PlanVersion) -> PlanVersion:
    _require(by, Action.CHANGE, version)
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ValidationError(_("Only a draft can go out for consultation."), code="not_draft")
    version.status = VersionStatus.CONSULTATION
    version.modified_by = by
    version.save(update_fields=["status", "modified_by", "modified_on"])
    return version


@transaction.atomic
def version_approve(*, by: Any, version: PlanVersion, approved_on: datetime.date, minute_reference: str) -> PlanVersion:
    """Council approved the version: it becomes the current, published version; an earlier approved one is marked revised."""
    _require(by, Action.CHANGE, version)
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    errors = {}
    if version.status not in (VersionStatus.DRAFT, VersionStatus.CONSULTATION):
        errors["__all__"] = ValidationError(_("This version has already been approved."), code="already_approved")
    if not (minute_reference or "").strip():
        errors["minute_reference"] = ValidationError(_("Enter the reference of the Council minute"), code="required")
    if approved_on > timezone.localdate():
        errors["approved_on"] = ValidationError(_("The date of approval cannot be in the future"), code="future")
    if errors:
        raise ValidationError(errors)
    PlanVersion.objects.filter(plan_id=version.plan_id, status=VersionStatus.APPROVED).exclude(pk=version.pk).update(
        status=VersionStatus.REVISED, modified_on=timezone.now())
    PlanVersion.objects.filter(plan_id=version.plan_id, is_current=True).exclude(pk=version.pk).update(is_current=False)
    version.status = VersionStatus.APPROVED
    version.approved_on = approved_on
    version.minute_reference = minute_reference.strip()
    version.is_current = True
    version.modified_by = by
    version.save(update_fields=["status", "approved_on", "minute_reference", "is_current", "modified_by", "modified_on"])
    return version


@transaction.atomic
def version_revise(*, by: Any, version: PlanVersion) -> PlanVersion:
    """A new draft copied from an approved version (priorities, objectives, actions and measures, not their updates).

    The approved version stays in force (and public) until Council approves the new one."""
    _require(by, Action.CHANGE, version)
    if version.status != VersionStatus.APPROVED:
        raise ValidationError(_("Only the approved version can be revised."), code="not_approved")
    if PlanVersion.objects.filter(plan_id=version.plan_id, status__in=(VersionStatus.DRAFT, VersionStatus.CONSULTATION)).exists():
        raise ValidationError(_("A revision of this plan is already being drafted."), code="draft_exists")
    number = (PlanVersion.objects.filter(plan_id=version.plan_id).aggregate(n=Max("number"))["n"] or 0) + 1
    PlanVersion.objects.filter(plan_id=version.plan_id, is_current=True).update(is_current=False)
    new = PlanVersion.objects.create(plan_id=version.plan_id, number=number, status=VersionStatus.DRAFT, is_current=True,
                                     created_by=by, modified_by=by)
    for priority in version.priorities.prefetch_related("objectives__actions__cells", "objectives__measures"):
        objectives = list(priority.objectives.all())
        priority.pk = None
        priority.version = new
        priority.save()
        for objective in objectives:
            actions, measures = list(objective.actions.all()), list(objective.measures.all())
            objective.pk = None
            objective.priority = priority
            objective.save()
            for action in actions:
                cells = list(action.cells.all())
                action._prefetched_objects_cache = {}  # type: ignore[attr-defined]  # else set() compares with the old action's cells
                action.pk = None
                action.objective = objective
                action.created_by = action.modified_by = by
                action.save()
                action.cells.set(cells)
            for measure in measures:
                measure.pk = None
                measure.objective = objective
                measure.save()
    return new


@transaction.atomic
def version_save_consultation_summary(*, by: Any, version: PlanVersion, summary_en: str, summary_cy: str) -> PlanVersion:
    _require(by, Action.CHANGE, version)
    version.consultation_summary_en = summary_en.strip()
    version.consultation_summary_cy = summary_cy.strip()
    version.modified_by = by
    version.save(update_fields=["consultation_summary_en", "consultation_summary_cy", "modified_by", "modified_on"])
    return version


def _editable(version: PlanVersion) -> None:
    if version.status not in (VersionStatus.DRAFT, VersionStatus.CONSULTATION):
        raise ValidationError(_("An approved version cannot be changed: start a revision instead."), code="approved")


def _next_position(queryset: Any) -> int:
    return (queryset.aggregate(n=Max("position"))["n"] or 0) + 1


@transaction.atomic
def priority_add(*, by: Any, version: PlanVersion, data: dict[str, Any]) -> Priority:
    _require(by, Action.CHANGE, version)
    _editable(version)
    return Priority.objects.create(version=version, position=_next_position(version.priorities.all()),
                                   **{k: data.get(k, "") for k in ("title_en", "title_cy", "description_en", "description_cy")})


@transaction.atomic
def objective_add(*, by: Any, priority: Priority, data: dict[str, Any]) -> Objective:
    _require(by, Action.CHANGE, priority)
    _editable(priority.version)
    return Objective.objects.create(priority=priority, position=_next_position(priority.objectives.all()),
                                    title_en=data["title_en"], title_cy=data["title_cy"])


@transaction.atomic
def action_add(*, by: Any, objective: Objective, data: dict[str, Any]) -> PlanAction:
    _require(by, Action.CHANGE, objective)
    version = objective.priority.version
    _editable(version)
    organisation: Organisation = data["organisation"]
    if organisation.local_authority_id_or_self != version.plan.local_authority_id:
        raise ValidationError({"organisation": ValidationError(_("Choose an organisation of this local authority"), code="other_la")})
    if data["due_on"] < data["starts_on"]:
        raise ValidationError({"due_on": ValidationError(_("The due date must be on or after the start date"), code="due_before_start")})
    cells = list(data.get("cells") or [])
    if any(cell.framework.local_authority_id != version.plan.local_authority_id for cell in cells):
        raise ValidationError({"cells": ValidationError(_("Choose squares of this local authority's framework"), code="other_framework")})
    action = PlanAction.objects.create(
        objective=objective, organisation=organisation, owner=data.get("owner"), starts_on=data["starts_on"], due_on=data["due_on"],
        rag=data.get("rag") or "amber", created_by=by, modified_by=by,
        **{k: data.get(k, "") for k in ("title_en", "title_cy", "milestones_en", "milestones_cy")},
    )
    action.cells.set(cells)
    return action


@transaction.atomic
def action_record_update(*, by: Any, action: PlanAction, on: datetime.date, rag: str, note: str, completed: bool = False) -> ActionUpdate:
    """A dated RAG update; the action's status follows its latest update (by date)."""
    _require(by, Action.CHANGE, action)
    errors = {}
    if on > timezone.localdate():
        errors["on"] = ValidationError(_("The date of an update cannot be in the future"), code="future")
    if on < action.starts_on - datetime.timedelta(days=366):
        errors["on"] = ValidationError(_("The date is more than a year before the action starts"), code="too_early")
    if rag not in ("red", "amber", "green"):
        errors["rag"] = ValidationError(_("Choose a RAG status"), code="invalid")
    if not (note or "").strip():
        errors["note"] = ValidationError(_("Describe the progress made"), code="required")
    if errors:
        raise ValidationError(errors)
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    update = ActionUpdate.objects.create(action=action, on=on, rag=rag, note=note.strip(), by=by)
    latest = action.updates.order_by("-on", "-pk").first()
    action.rag = latest.rag if latest else rag
    if completed and action.completed_on is None:
        action.completed_on = on
    action.modified_by = by
    action.save(update_fields=["rag", "completed_on", "modified_by", "modified_on"])
    return update


@transaction.atomic
def measure_add(*, by: Any, objective: Objective, data: dict[str, Any]) -> PlanMeasure:
    _require(by, Action.CHANGE, objective)
    _editable(objective.priority.version)
    if measure_for(data["measure_key"]) is None:
        raise ValidationError({"measure_key": ValidationError(_("Choose a measure from the list"), code="unknown_measure")})
    if data["target_on"] < data["baseline_on"]:
        raise ValidationError({"target_on": ValidationError(_("The target date must be on or after the baseline date"), code="target_before_baseline")})
    return PlanMeasure.objects.create(objective=objective, measure_key=data["measure_key"], baseline_value=Decimal(data["baseline_value"]),
                                      baseline_on=data["baseline_on"], target_value=Decimal(data["target_value"]), target_on=data["target_on"])


# --- Questionnaires --------------------------------------------------------------------------------------


@transaction.atomic
def questionnaire_create(*, by: Any, local_authority: LocalAuthority, data: dict[str, Any]) -> Questionnaire:
    _managed_la(by, local_authority)
    if data["closes_on"] < data["opens_on"]:
        raise ValidationError({"closes_on": ValidationError(_("The closing date must be on or after the opening date"), code="closes_before_opening")})
    version = data.get("plan_version")
    if version is not None and version.plan.local_authority_id != local_authority.pk:
        raise ValidationError({"plan_version": ValidationError(_("Choose a version of this local authority's plan"), code="other_la")})
    if not data.get("is_public", True) and not (data.get("group_roles") or data.get("group_organisations")):
        raise ValidationError(_("Choose who may answer: roles, organisations or both, or publish a public link."), code="no_group")
    questionnaire = Questionnaire.objects.create(
        local_authority=local_authority, plan_version=version, audiences=list(data.get("audiences") or []),
        is_public=data.get("is_public", True), group_roles=list(data.get("group_roles") or []), is_anonymous=data.get("is_anonymous", True),
        opens_on=data["opens_on"], closes_on=data["closes_on"], created_by=by, modified_by=by,
        **{k: data.get(k, "") for k in ("title_en", "title_cy", "intro_en", "intro_cy")},
    )
    organisations = list(data.get("group_organisations") or [])
    if any(o.local_authority_id_or_self != local_authority.pk for o in organisations):
        raise ValidationError({"group_organisations": ValidationError(_("Choose organisations of this local authority"), code="other_la")})
    questionnaire.group_organisations.set(organisations)
    return questionnaire


def parse_options(text: str) -> list[dict[str, str]]:
    """Options typed one a line as ``English | Cymraeg``."""
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        english, _sep, welsh = line.partition("|")
        options.append({"en": english.strip(), "cy": welsh.strip() or english.strip()})
    return options


@transaction.atomic
def question_add(*, by: Any, questionnaire: Questionnaire, data: dict[str, Any]) -> Question:
    _require(by, Action.CHANGE, questionnaire)
    if questionnaire.responses.exists():
        raise ValidationError(_("People have already answered: questions can no longer be added."), code="has_responses")
    kind = data["kind"]
    options = data.get("options") or []
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and len(options) < 2:
        raise ValidationError({"options": ValidationError(_("Give at least two options, one a line"), code="too_few_options")})
    if kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        options = []
    return Question.objects.create(questionnaire=questionnaire, position=_next_position(questionnaire.questions.all()), kind=kind,
                                   text_en=data["text_en"], text_cy=data["text_cy"], options=options, required=data.get("required", True))


def may_answer(user: Any, questionnaire: Questionnaire) -> bool:
    """Public questionnaires: anyone. Group questionnaires: signed-in members of the chosen organisations/roles."""
    if questionnaire.is_public:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    from cymuned.access.principal import principal_for

    principal = principal_for(user)
    grants = [g for g in principal.grants if g.local_authority_id == questionnaire.local_authority_id]
    roles = set(questionnaire.group_roles)
    organisation_ids = set(questionnaire.group_organisations.values_list("pk", flat=True))
    return any((not roles or g.role in roles) and (not organisation_ids or g.organisation_id in organisation_ids) for g in grants)


class Refused(ValidationError):
    """A submission refused as a whole (closed, duplicate, automated): the message says why, in the user's language."""


@transaction.atomic
def response_submit(*, questionnaire: Questionnaire, answers: dict[int, Any], nonce: str, visitor: str = "", respondent: Any = None,
                    respondent_name: str = "", language: str = "en", today: datetime.date | None = None) -> Response:
    """Store one response and its answers, all or nothing.

    ``answers`` maps a question's id to an option index, a list of indexes, a scale point or text. Refused (with
    :class:`Refused`) when the questionnaire is closed or not yet open, or the form token or device has already
    answered; field errors for missing or invalid answers.
    """
    today = today or timezone.localdate()
    if today > questionnaire.closes_on:
        raise Refused(_("This consultation closed on %(date)s: answers can no longer be accepted.")
                      % {"date": questionnaire.closes_on.strftime("%d/%m/%Y")}, code="closed")
    if today < questionnaire.opens_on:
        raise Refused(_("This consultation opens on %(date)s.") % {"date": questionnaire.opens_on.strftime("%d/%m/%Y")}, code="not_open")
    if respondent is not None and not getattr(respondent, "is_authenticated", False):
        respondent = None
    if not questionnaire.is_anonymous and not (respondent_name or "").strip():
        raise ValidationError({"respondent_name": ValidationError(_("Enter your name"), code="required")})
    questions = list(questionnaire.questions.all())
    rows: list[Answer] = []
    errors: dict[str, ValidationError] = {}
    for question in questions:
        value = answers.get(question.pk)
        field = f"q{question.pk}"
        empty = value in (None, "", []) or (isinstance(value, str) and not value.strip())
        if empty:
            if question.required:
                errors[field] = ValidationError(_("Answer this question"), code="required")
            continue
        if question.kind == QuestionKind.TEXT:
            rows.append(Answer(question=question, text=str(value).strip()[:5000]))
            continue
        values = value if isinstance(value, list | tuple) else [value]
        valid = range(1, 6) if question.kind == QuestionKind.SCALE else range(len(question.options))
        try:
            chosen = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            chosen = [-1]
        if any(c not in valid for c in chosen) or (question.kind != QuestionKind.MULTIPLE and len(chosen) > 1):
            errors[field] = ValidationError(_("Choose one of the answers shown"), code="invalid_choice")
            continue
        rows += [Answer(question=question, choice=c) for c in chosen]
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("Answer at least one question."), code="empty")
    duplicate = Refused(_("Answers from this device have already been received for this consultation. Thank you for taking part."),
                        code="duplicate")
    if Response.objects.filter(nonce=nonce).exists() or (visitor and Response.objects.filter(questionnaire=questionnaire, visitor=visitor).exists()):
        raise duplicate
    if respondent is not None and Response.objects.filter(questionnaire=questionnaire, respondent=respondent).exists():
        raise duplicate
    try:
        with transaction.atomic():
            response = Response.objects.create(
                questionnaire=questionnaire, nonce=nonce, visitor=visitor, language=language[:5],
                respondent=respondent if not questionnaire.is_anonymous else None,
                respondent_name=(respondent_name or "").strip()[:200] if not questionnaire.is_anonymous else "",
            )
    except IntegrityError:
        raise duplicate from None  # the same token or device, sent twice at once
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    return response


# --- Reports to Council ----------------------------------------------------------------------------------


@transaction.atomic
def council_report_request(*, by: Any, local_authority: LocalAuthority, as_of: datetime.date) -> CouncilReport:
    """Check there are figures for the date, store the request and start building it in the background (after commit)."""
    from . import council_report
    from .tasks import build_council_report

    _managed_la(by, local_authority)
    if as_of > timezone.localdate():
        raise ValidationError({"as_of": ValidationError(_("Choose today or a date in the past"), code="future")})
    if not council_report.has_data(local_authority=local_authority, as_of=as_of):
        raise ValidationError({"as_of": ValidationError(
            _("There are no figures for %(date)s: no plan, self-evaluation, attendance, programme, lettings or consultation data "
              "existed by then. Choose a later date.") % {"date": as_of.strftime("%d/%m/%Y")}, code="no_data")})
    report = CouncilReport.objects.create(local_authority=local_authority, as_of=as_of, created_by=by, modified_by=by)
    transaction.on_commit(lambda: build_council_report.enqueue(report_id=report.pk))
    return report


def council_report_progress(*, report_id: int, progress: int, stage: str) -> None:
    """Outside any transaction of the builder, so the progress page sees it at once."""
    CouncilReport.objects.filter(pk=report_id).update(progress=max(0, min(100, progress)), stage=stage[:200], status=ReportStatus.RUNNING,
                                                      modified_on=timezone.now())
