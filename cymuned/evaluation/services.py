"""Writes of the self-evaluation cycle. Each checks the access layer and runs in one transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cymuned.access.policy import Action, can, can_create
from cymuned.core.services import notify
from cymuned.organisations.models import LocalAuthority, School

from . import default_framework as en
from .figures import figure
from .models import (
    Action as PlanAction,
)
from .models import (
    ActionUpdate,
    Audience,
    Cell,
    Descriptor,
    Element,
    Enabler,
    Evaluation,
    EvaluationStatus,
    Evidence,
    EvidenceKind,
    Framework,
    Rating,
    Stage,
    StakeholderSurvey,
    SurveyAnswer,
    SurveyResponse,
)

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
#: Allowed evidence files: extension -> (content types browsers send, magic bytes at the start of the file).
EVIDENCE_TYPES: dict[str, tuple[tuple[str, ...], tuple[bytes, ...]]] = {
    "pdf": (("application/pdf",), (b"%PDF-",)),
    "png": (("image/png",), (b"\x89PNG\r\n\x1a\n",)),
    "jpg": (("image/jpeg",), (b"\xff\xd8\xff",)),
    "jpeg": (("image/jpeg",), (b"\xff\xd8\xff",)),
    "docx": (
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/octet-stream"),
        (b"PK\x03\x04",),
    ),
    "xlsx": (("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"), (b"PK\x03\x04",)),
    "pptx": (
        ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/octet-stream"),
        (b"PK\x03\x04",),
    ),
    "odt": (("application/vnd.oasis.opendocument.text", "application/octet-stream"), (b"PK\x03\x04",)),
    "csv": (("text/csv", "text/plain", "application/vnd.ms-excel"), ()),
    "txt": (("text/plain",), ()),
}


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


# --- Frameworks -------------------------------------------------------------------------------


@transaction.atomic
def framework_create_default(*, local_authority: LocalAuthority, by: Any = None, version: int = 1) -> Framework:
    """The default framework (Welsh Government's model, four stages), in both languages."""
    from . import default_framework_cy as cy

    if by is not None:
        _require(can_create(by, Framework, parent=local_authority))
    framework = Framework.objects.create(
        local_authority=local_authority,
        version=version,
        title_en=en.TITLE,
        title_cy=cy.TITLE_CY,
        introduction_en=en.INTRODUCTION,
        introduction_cy=cy.INTRODUCTION_CY,
        is_current=not Framework.objects.filter(local_authority=local_authority, is_current=True).exists(),
        created_by=by,
    )
    elements = {
        code: Element.objects.create(framework=framework, position=i, code=code, name_en=name, name_cy=cy.ELEMENTS_CY[code])
        for i, (code, name) in enumerate(en.ELEMENTS, start=1)
    }
    enablers = {
        code: Enabler.objects.create(framework=framework, position=i, code=code, name_en=name, name_cy=cy.ENABLERS_CY[code])
        for i, (code, name) in enumerate(en.ENABLERS, start=1)
    }
    stages = [
        Stage.objects.create(
            framework=framework, level=level, name_en=name, name_cy=cy.STAGES_CY[level], colour=colour, text_colour=text
        )
        for level, name, colour, text in en.STAGES
    ]
    for (element_code, enabler_code), (guidance, example, descriptors) in en.CELLS.items():
        guidance_cy, example_cy, descriptors_cy = cy.CELLS_CY[(element_code, enabler_code)]
        cell = Cell.objects.create(
            framework=framework,
            element=elements[element_code],
            enabler=enablers[enabler_code],
            guidance_en=guidance,
            guidance_cy=guidance_cy,
            example_evidence_en=example,
            example_evidence_cy=example_cy,
        )
        Descriptor.objects.bulk_create(
            Descriptor(cell=cell, stage=stage, text_en=text_en, text_cy=text_cy)
            for stage, text_en, text_cy in zip(stages, descriptors, descriptors_cy, strict=True)
        )
    return framework


def framework_in_use(framework: Framework) -> bool:
    return framework.evaluations.exists()


@transaction.atomic
def framework_new_version(*, by: Any, framework: Framework) -> Framework:
    """Copy a version into the next one, to change it without rewriting evaluations made on the old one."""
    _require(can(by, Action.CHANGE, framework))
    latest = Framework.objects.filter(local_authority_id=framework.local_authority_id).order_by("-version").first()
    copy = Framework.objects.create(
        local_authority_id=framework.local_authority_id,
        version=(latest.version if latest else 0) + 1,
        title_en=framework.title_en,
        title_cy=framework.title_cy,
        introduction_en=framework.introduction_en,
        introduction_cy=framework.introduction_cy,
        is_current=False,
        created_by=by,
    )
    elements = {
        e.pk: Element.objects.create(framework=copy, position=e.position, code=e.code, name_en=e.name_en, name_cy=e.name_cy)
        for e in framework.elements.all()
    }
    enablers = {
        e.pk: Enabler.objects.create(framework=copy, position=e.position, code=e.code, name_en=e.name_en, name_cy=e.name_cy)
        for e in framework.enablers.all()
    }
    stages = {
        s.pk: Stage.objects.create(
            framework=copy, level=s.level, name_en=s.name_en, name_cy=s.name_cy, colour=s.colour, text_colour=s.text_colour
        )
        for s in framework.stages.all()
    }
    for cell in framework.cells.prefetch_related("descriptors"):
        new_cell = Cell.objects.create(
            framework=copy,
            element=elements[cell.element_id],
            enabler=enablers[cell.enabler_id],
            guidance_en=cell.guidance_en,
            guidance_cy=cell.guidance_cy,
            example_evidence_en=cell.example_evidence_en,
            example_evidence_cy=cell.example_evidence_cy,
        )
        Descriptor.objects.bulk_create(
            Descriptor(cell=new_cell, stage=stages[d.stage_id], text_en=d.text_en, text_cy=d.text_cy)
            for d in cell.descriptors.all()
        )
    return copy


@transaction.atomic
def framework_make_current(*, by: Any, framework: Framework) -> Framework:
    _require(can(by, Action.CHANGE, framework))
    Framework.objects.filter(local_authority_id=framework.local_authority_id, is_current=True).update(is_current=False)
    framework.is_current = True
    framework.save(update_fields=["is_current", "modified_on"])
    return framework


@transaction.atomic
def cell_update(*, by: Any, cell: Cell, data: dict[str, str], descriptors: dict[int, tuple[str, str]]) -> Cell:
    """Change a cell's guidance and descriptors; refused once an evaluation uses the version."""
    _require(can(by, Action.CHANGE, cell.framework))
    if framework_in_use(cell.framework):
        raise ValidationError(
            _("Evaluations already use version %(version)s. Make a new version to change the framework.")
            % {"version": cell.framework.version},
            code="framework_in_use",
        )
    for field in ("guidance_en", "guidance_cy", "example_evidence_en", "example_evidence_cy"):
        setattr(cell, field, data[field].strip())
    cell.full_clean()
    cell.save()
    for descriptor in cell.descriptors.all():
        text_en, text_cy = descriptors[descriptor.stage_id]
        if not text_en.strip() or not text_cy.strip():
            raise ValidationError(_("Every stage needs a descriptor in English and in Welsh."), code="descriptor_required")
        descriptor.text_en, descriptor.text_cy = text_en.strip(), text_cy.strip()
        descriptor.save(update_fields=["text_en", "text_cy"])
    return cell


# --- The evaluation cycle -----------------------------------------------------------------------


@transaction.atomic
def evaluation_open(*, by: Any, school: School, academic_year: str) -> Evaluation:
    _require(can_create(by, Evaluation, parent=school))
    framework = Framework.objects.filter(local_authority_id=school.local_authority_id, is_current=True).first()
    if framework is None:
        raise ValidationError(_("Your local authority has not published a self-evaluation framework yet."), code="no_framework")
    evaluation = Evaluation(school=school, academic_year=academic_year, framework=framework, created_by=by, modified_by=by)
    evaluation.full_clean(exclude=["framework", "school"], validate_unique=False)
    if Evaluation.objects.filter(school=school, academic_year=academic_year).exists():
        raise ValidationError(
            {
                "academic_year": ValidationError(
                    _("%(school)s already has an evaluation for %(year)s.") % {"school": school.name, "year": academic_year},
                    code="duplicate_evaluation",
                )
            }
        )
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError:  # two people opening the same year at once
        raise ValidationError(
            {
                "academic_year": ValidationError(
                    _("This school already has an evaluation for that year."), code="duplicate_evaluation"
                )
            }
        )
    return evaluation


def _check_editable(by: Any, evaluation: Evaluation) -> None:
    if evaluation.status != EvaluationStatus.DRAFT:
        raise ValidationError(
            _("This evaluation has been submitted, so it can no longer be changed by the school."), code="not_draft"
        )
    _require(can(by, Action.CHANGE, evaluation))


@transaction.atomic
def rating_save(*, by: Any, evaluation: Evaluation, cell: Cell, stage: Stage, rationale: str) -> Rating:
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _check_editable(by, evaluation)
    if cell.framework_id != evaluation.framework_id or stage.framework_id != evaluation.framework_id:
        raise ValidationError(
            {"stage": ValidationError(_("Choose a stage of this evaluation's continuum."), code="stage_not_in_framework")}
        )
    if not rationale.strip():
        raise ValidationError({"rationale": ValidationError(_("Say why you chose this stage."), code="rationale_required")})
    rating, _created = Rating.objects.update_or_create(
        evaluation=evaluation,
        cell=cell,
        defaults={"stage": stage, "rationale": rationale.strip(), "modified_by": by},
        create_defaults={"stage": stage, "rationale": rationale.strip(), "created_by": by, "modified_by": by},
    )
    return rating


@transaction.atomic
def evaluation_submit(*, by: Any, evaluation: Evaluation, summary: str = "") -> Evaluation:
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _check_editable(by, evaluation)
    missing = evaluation.framework.cells.exclude(pk__in=evaluation.ratings.values("cell_id")).count()
    if missing:
        raise ValidationError(
            _("Rate every square before submitting: %(count)s not rated yet.") % {"count": missing}, code="incomplete"
        )
    evaluation.status = EvaluationStatus.SUBMITTED
    evaluation.summary = summary.strip() or evaluation.summary
    evaluation.submitted_on = timezone.now()
    evaluation.submitted_by = by
    evaluation.modified_by = by
    evaluation.save()
    return evaluation


@transaction.atomic
def evaluation_moderate(*, by: Any, evaluation: Evaluation, decisions: dict[int, tuple[Stage, str]], summary: str) -> Evaluation:
    """Agree or adjust each rating; an adjusted rating needs a comment. All or nothing."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status not in (EvaluationStatus.SUBMITTED, EvaluationStatus.MODERATED):
        raise ValidationError(_("Only a submitted evaluation can be moderated."), code="not_submitted")
    _require(can(by, Action.MODERATE, evaluation))
    ratings = {r.cell_id: r for r in evaluation.ratings.select_related("stage")}
    errors = {}
    for cell_id, rating in ratings.items():
        if cell_id not in decisions:
            errors[f"stage_{cell_id}"] = _("Agree or adjust the rating.")
            continue
        stage, comment = decisions[cell_id]
        if stage.framework_id != evaluation.framework_id:
            errors[f"stage_{cell_id}"] = _("Choose a stage of this evaluation's continuum.")
        elif stage.pk != rating.stage_id and not comment.strip():
            errors[f"comment_{cell_id}"] = _("Say why you adjusted the school's rating.")
    if errors:
        raise ValidationError(errors, code="moderation_incomplete")
    for cell_id, rating in ratings.items():
        stage, comment = decisions[cell_id]
        rating.moderated_stage = stage
        rating.moderation_comment = comment.strip()
        rating.modified_by = by
        rating.save(update_fields=["moderated_stage", "moderation_comment", "modified_by", "modified_on"])
    evaluation.status = EvaluationStatus.MODERATED
    evaluation.moderated_on = timezone.now()
    evaluation.moderated_by = by
    evaluation.moderation_summary = summary.strip()
    evaluation.modified_by = by
    evaluation.save()
    school_url = reverse("evaluation:detail", args=[evaluation.pk])
    from cymuned.accounts.models import Membership

    for membership in (
        Membership.objects.current()
        .filter(organisation=evaluation.school, role__in=("headteacher", "csm"))
        .select_related("user")
    ):
        notify(
            user=membership.user,
            message=lambda: _("Your self-evaluation for %(year)s has been moderated.") % {"year": evaluation.academic_year},
            url=school_url,
            email_subject=lambda: _("Self-evaluation moderated"),
        )
    return evaluation


@transaction.atomic
def evaluation_return(*, by: Any, evaluation: Evaluation, reason: str) -> Evaluation:
    """Send a submitted evaluation back to the school as a draft, with the reason."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != EvaluationStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted evaluation can be returned to the school."), code="not_submitted")
    _require(can(by, Action.MODERATE, evaluation))
    if not reason.strip():
        raise ValidationError({"reason": ValidationError(_("Say what the school should change."), code="reason_required")})
    evaluation.status = EvaluationStatus.DRAFT
    evaluation.moderation_summary = reason.strip()
    evaluation.modified_by = by
    evaluation.save()
    return evaluation


@transaction.atomic
def evaluation_publish(*, by: Any, evaluation: Evaluation) -> Evaluation:
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != EvaluationStatus.MODERATED:
        raise ValidationError(_("Only a moderated evaluation can be published."), code="not_moderated")
    _require(can(by, Action.PUBLISH, evaluation))
    evaluation.status = EvaluationStatus.PUBLISHED
    evaluation.published_on = timezone.now()
    evaluation.modified_by = by
    evaluation.save()
    return evaluation


# --- Evidence -------------------------------------------------------------------------------------


def check_evidence_file(upload: UploadedFile) -> str:
    """The file's extension if its name, declared type, size and first bytes agree; a clear error otherwise."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EVIDENCE_TYPES:
        raise ValidationError(
            {
                "file": ValidationError(
                    _("The file must be a PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG or JPEG file."),
                    code="file_type",
                )
            }
        )
    if upload.size is None or upload.size == 0:
        raise ValidationError({"file": ValidationError(_("The selected file is empty."), code="file_empty")})
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"file": ValidationError(_("The selected file must be smaller than 10 MB."), code="file_size")})
    content_types, signatures = EVIDENCE_TYPES[extension]
    head = upload.read(16)
    upload.seek(0)
    if signatures and not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            {
                "file": ValidationError(
                    _("The file's contents do not match its type (.%(ext)s).") % {"ext": extension}, code="file_content"
                )
            }
        )
    if not signatures and b"\x00" in head:
        raise ValidationError(
            {
                "file": ValidationError(
                    _("The file's contents do not match its type (.%(ext)s).") % {"ext": extension}, code="file_content"
                )
            }
        )
    return extension


@transaction.atomic
def evidence_add(
    *,
    by: Any,
    evaluation: Evaluation,
    kind: str,
    title: str,
    cell: Cell | None = None,
    upload: UploadedFile | None = None,
    url: str = "",
    figure_key: str = "",
) -> Evidence:
    _check_editable(by, evaluation)
    if cell is not None and cell.framework_id != evaluation.framework_id:
        raise ValidationError(
            {"cell": ValidationError(_("Choose a square of this evaluation's framework."), code="cell_not_in_framework")}
        )
    evidence = Evidence(evaluation=evaluation, cell=cell, kind=kind, title=title.strip(), created_by=by, modified_by=by)
    if kind == EvidenceKind.FILE:
        if upload is None:
            raise ValidationError({"file": ValidationError(_("Select a file."), code="file_required")})
        extension = check_evidence_file(upload)
        evidence.original_filename = upload.name[:255]
        evidence.content_type = EVIDENCE_TYPES[extension][0][0]
        evidence.size = upload.size
        evidence.file = upload
    elif kind == EvidenceKind.LINK:
        if not url:
            raise ValidationError({"url": ValidationError(_("Enter the web address of the evidence."), code="url_required")})
        evidence.url = url
    elif kind == EvidenceKind.FIGURE:
        chosen = figure(figure_key)
        if chosen is None:
            raise ValidationError({"figure_key": ValidationError(_("Choose a figure from the list."), code="figure_unknown")})
        value = chosen.compute(evaluation.school, evaluation.academic_year)
        evidence.figure_key = figure_key
        evidence.figure_value = value
        if not evidence.title:
            evidence.title = str(chosen.label)
    else:
        raise ValidationError({"kind": ValidationError(_("Choose the kind of evidence."), code="kind_unknown")})
    if not evidence.title:
        raise ValidationError({"title": ValidationError(_("Give the evidence a title."), code="title_required")})
    evidence.full_clean(exclude=["file"])
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, by: Any, evidence: Evidence) -> None:
    _check_editable(by, evidence.evaluation)
    _require(can(by, Action.DELETE, evidence))
    if evidence.file:
        evidence.file.delete(save=False)
    evidence.delete()


# --- Stakeholder voice ----------------------------------------------------------------------------


@transaction.atomic
def survey_open(*, by: Any, evaluation: Evaluation, audience: str, closes_on: datetime.date) -> StakeholderSurvey:
    _require(can(by, Action.VIEW, evaluation) and can_create(by, Evaluation, parent=evaluation.school))
    if audience not in Audience.values:
        raise ValidationError({"audience": ValidationError(_("Choose who the questionnaire is for."), code="audience_unknown")})
    if closes_on < timezone.localdate():
        raise ValidationError(
            {"closes_on": ValidationError(_("The closing date must be today or in the future."), code="closes_in_past")}
        )
    if StakeholderSurvey.objects.filter(evaluation=evaluation, audience=audience).exists():
        raise ValidationError(
            {"audience": ValidationError(_("There is already a questionnaire for this audience."), code="duplicate_survey")}
        )
    return StakeholderSurvey.objects.create(evaluation=evaluation, audience=audience, closes_on=closes_on, created_by=by)


@transaction.atomic
def survey_close(*, by: Any, survey: StakeholderSurvey) -> StakeholderSurvey:
    _require(can(by, Action.CHANGE, survey))
    survey.is_open = False
    survey.save(update_fields=["is_open", "modified_on"])
    return survey


def survey_accepts_answers(survey: StakeholderSurvey) -> bool:
    return survey.is_open and survey.closes_on >= timezone.localdate()


@transaction.atomic
def survey_respond(*, survey: StakeholderSurvey, scores: dict[int, int]) -> SurveyResponse:
    """A public, anonymous answer. Every statement must be answered on the 1 to 4 scale."""
    if not survey_accepts_answers(survey):
        raise ValidationError(_("This questionnaire has closed."), code="survey_closed")
    cells = list(survey.evaluation.framework.cells.values_list("pk", flat=True))
    if set(scores) != set(cells) or any(score not in (1, 2, 3, 4) for score in scores.values()):
        raise ValidationError(_("Answer every statement."), code="survey_incomplete")
    response = SurveyResponse.objects.create(survey=survey)
    SurveyAnswer.objects.bulk_create(SurveyAnswer(response=response, cell_id=cell_id, score=scores[cell_id]) for cell_id in cells)
    return response


# --- Action plan ------------------------------------------------------------------------------------


def _check_owner(evaluation: Evaluation, owner: Any) -> None:
    from cymuned.accounts.models import Membership

    works_there = (
        Membership.objects.current().filter(user=owner, organisation=evaluation.school).exists()
        or Membership.objects.current().filter(user=owner, organisation_id=evaluation.school.local_authority_id).exists()
    )
    if not works_there:
        raise ValidationError(
            {
                "owner": ValidationError(
                    _("The owner must hold a role at the school or the local authority."), code="owner_outside"
                )
            }
        )


@transaction.atomic
def action_create(
    *, by: Any, evaluation: Evaluation, cell: Cell, title: str, owner: Any, due_on: datetime.date, success_measure: str, rag: str
) -> PlanAction:
    _require(can_create(by, Evaluation, parent=evaluation.school) and can(by, Action.VIEW, evaluation))
    if cell.framework_id != evaluation.framework_id:
        raise ValidationError(
            {"cell": ValidationError(_("Choose a square of this evaluation's framework."), code="cell_not_in_framework")}
        )
    _check_owner(evaluation, owner)
    action = PlanAction(
        evaluation=evaluation,
        cell=cell,
        title=title.strip(),
        owner=owner,
        due_on=due_on,
        success_measure=success_measure.strip(),
        rag=rag,
        created_by=by,
        modified_by=by,
    )
    action.full_clean()
    action.save()
    if owner != by:
        notify(
            user=owner,
            message=lambda: (
                _("You own a new action for %(school)s: %(title)s") % {"school": evaluation.school.name, "title": action.title}
            ),
            url=reverse("evaluation:action-detail", args=[action.pk]),
        )
    return action


@transaction.atomic
def action_record_progress(
    *, by: Any, action: PlanAction, on: datetime.date, note: str, rag: str, completed: bool
) -> ActionUpdate:
    _require(can(by, Action.CHANGE, action))
    if on > timezone.localdate():
        raise ValidationError({"on": ValidationError(_("The date of the update cannot be in the future."), code="future_update")})
    if not note.strip():
        raise ValidationError({"note": ValidationError(_("Describe the progress made."), code="note_required")})
    update = ActionUpdate.objects.create(action=action, on=on, note=note.strip(), rag=rag, created_by=by, modified_by=by)
    action.rag = rag
    action.completed_on = on if completed else None
    action.modified_by = by
    action.save(update_fields=["rag", "completed_on", "modified_by", "modified_on"])
    return update


def actions_notify_overdue(*, today: datetime.date) -> int:
    """Tell each owner of an overdue action, once a day at most. Returns how many were told."""
    count = 0
    overdue = PlanAction.objects.overdue(today).exclude(overdue_notified_on=today).select_related("owner", "evaluation__school")
    for action in overdue:
        with transaction.atomic():
            notify(
                user=action.owner,
                message=lambda a=action: (
                    _("Overdue since %(date)s: %(title)s (%(school)s)")
                    % {"date": a.due_on.strftime("%d/%m/%Y"), "title": a.title, "school": a.evaluation.school.name}
                ),
                url=reverse("evaluation:action-detail", args=[action.pk]),
                email_subject=lambda: _("An action you own is overdue"),
            )
            PlanAction.objects.filter(pk=action.pk).update(overdue_notified_on=today)
        count += 1
    return count
