"""The local authority's strategic plan for community focused schools, its consultations and its reports to Council.

A plan has versions (draft, out for consultation, approved by Council, revised); one version is the current one
that staff work on. A version holds priorities, objectives and actions; actions carry dated RAG updates and link to
squares of the self-evaluation framework; objectives carry measures (baseline, target, and a current value computed
live from the other domains, see ``measures.py``).

Questionnaires gather views for a plan version (or on their own) from the public by an unguessable link, or from
chosen groups of signed-in users. Council reports are files built in the background as of a chosen date.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import TimeStampedModel, localised
from cymuned.organisations.models import LocalAuthority, Organisation


class StrategicPlan(TimeStampedModel):
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="strategic_plans")
    title_en = models.CharField(_("title in English"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200)
    summary_en = models.TextField(_("summary in English"), blank=True)
    summary_cy = models.TextField(_("summary in Welsh"), blank=True)

    class Meta:
        ordering = ["local_authority", "title_en"]
        verbose_name = _("strategic plan")
        verbose_name_plural = _("strategic plans")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def summary(self) -> str:
        return localised(self, "summary")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONSULTATION = "consultation", _("Out for consultation")
    APPROVED = "approved", _("Approved by Council")
    REVISED = "revised", _("Revised (replaced by a later version)")


#: Versions the public may read: approved by Council, including those since replaced.
PUBLISHED_STATUSES = (VersionStatus.APPROVED, VersionStatus.REVISED)


class PlanVersionQuerySet(models.QuerySet["PlanVersion"]):
    def published(self) -> PlanVersionQuerySet:
        return self.filter(status__in=PUBLISHED_STATUSES)

    def with_related(self) -> PlanVersionQuerySet:
        return self.select_related("plan", "plan__local_authority")


class PlanVersion(TimeStampedModel):
    """One version of a plan. ``is_current`` marks the version staff work on (one per plan)."""

    plan = models.ForeignKey(StrategicPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    is_current = models.BooleanField(_("current version"), default=True)
    approved_on = models.DateField(_("approved by Council on"), null=True, blank=True)
    minute_reference = models.CharField(_("minute reference"), max_length=60, blank=True)
    consultation_summary_en = models.TextField(_("consultation summary in English"), blank=True)
    consultation_summary_cy = models.TextField(_("consultation summary in Welsh"), blank=True)

    objects = PlanVersionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="strategy_version_unique_number"),
            models.UniqueConstraint(fields=["plan"], condition=Q(is_current=True), name="strategy_one_current_version"),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "revised"]) | (Q(approved_on__isnull=False) & ~Q(minute_reference="")),
                name="strategy_approved_has_date_and_minute",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} (v{self.number})"

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES

    @property
    def consultation_summary(self) -> str:
        return localised(self, "consultation_summary")


class Priority(models.Model):
    version = models.ForeignKey(PlanVersion, verbose_name=_("plan version"), on_delete=models.CASCADE, related_name="priorities")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    title_en = models.CharField(_("title in English"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200)
    description_en = models.TextField(_("description in English"), blank=True)
    description_cy = models.TextField(_("description in Welsh"), blank=True)

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def description(self) -> str:
        return localised(self, "description")


class Objective(models.Model):
    priority = models.ForeignKey(Priority, verbose_name=_("priority"), on_delete=models.CASCADE, related_name="objectives")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    title_en = models.CharField(_("title in English"), max_length=300)
    title_cy = models.CharField(_("title in Welsh"), max_length=300)

    class Meta:
        ordering = ["priority", "position", "pk"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self, "title")


class Rag(models.TextChoices):
    RED = "red", _("Red")
    AMBER = "amber", _("Amber")
    GREEN = "green", _("Green")


class PlanActionQuerySet(models.QuerySet["PlanAction"]):
    def with_related(self) -> PlanActionQuerySet:
        return self.select_related("objective__priority__version__plan", "owner", "organisation")


class PlanAction(TimeStampedModel):
    """A step of the LA's strategic plan (not a school's self-evaluation action), owned by a person at an organisation.

    ``rag`` is the latest update's status, copied on each update so lists need no subquery; the dated history is in
    ``updates`` and the status as at a past date is read from there.
    """

    objective = models.ForeignKey(Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="actions")
    title_en = models.CharField(_("action in English"), max_length=300)
    title_cy = models.CharField(_("action in Welsh"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="strategy_actions")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="strategy_actions", help_text=_("Its staff update the action."))
    starts_on = models.DateField(_("start date"))
    due_on = models.DateField(_("due date"))
    milestones_en = models.TextField(_("milestones in English"), blank=True, help_text=_("One a line."))
    milestones_cy = models.TextField(_("milestones in Welsh"), blank=True, help_text=_("One a line."))
    rag = models.CharField(_("RAG status"), max_length=10, choices=Rag.choices, default=Rag.AMBER)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    cells = models.ManyToManyField("evaluation.Cell", verbose_name=_("squares of the self-evaluation framework"), blank=True,
                                   related_name="strategy_actions")

    objects = PlanActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        constraints = [models.CheckConstraint(condition=Q(due_on__gte=models.F("starts_on")), name="strategy_action_due_after_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def milestones(self) -> list[str]:
        return [line.strip() for line in localised(self, "milestones").splitlines() if line.strip()]


class ActionUpdate(models.Model):
    action = models.ForeignKey(PlanAction, verbose_name=_("plan action"), on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(_("date"))
    rag = models.CharField(_("RAG status"), max_length=10, choices=Rag.choices)
    note = models.TextField(_("progress"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    recorded_on = models.DateTimeField(_("recorded on"), auto_now_add=True)

    class Meta:
        ordering = ["-on", "-pk"]
        verbose_name = _("action update")
        verbose_name_plural = _("action updates")


class PlanMeasure(models.Model):
    """A measure an objective is judged by: ``measure_key`` names a computation in ``measures.py``."""

    objective = models.ForeignKey(Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="measures")
    measure_key = models.CharField(_("measure"), max_length=60)
    baseline_value = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2)
    baseline_on = models.DateField(_("baseline date"))
    target_value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    target_on = models.DateField(_("target date"))

    class Meta:
        ordering = ["objective", "pk"]
        verbose_name = _("plan measure")
        verbose_name_plural = _("plan measures")
        constraints = [models.CheckConstraint(condition=Q(target_on__gte=models.F("baseline_on")), name="strategy_measure_target_after_baseline")]

    def __str__(self) -> str:
        from .measures import measure_label

        return str(measure_label(self.measure_key))


# --- Consultations and surveys --------------------------------------------------------------------------


class Audience(models.TextChoices):
    PARENTS = "parents", _("Parents and carers")
    LEARNERS = "learners", _("Learners")
    STAFF = "staff", _("Staff")
    GOVERNORS = "governors", _("Governors")
    PARTNERS = "partners", _("Partners")
    RESIDENTS = "residents", _("Residents")


def new_questionnaire_token() -> str:
    return secrets.token_urlsafe(24)


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    def open_on(self, day: datetime.date | None = None) -> QuestionnaireQuerySet:
        day = day or timezone.localdate()
        return self.filter(opens_on__lte=day, closes_on__gte=day)


class Questionnaire(TimeStampedModel):
    """A bilingual consultation questionnaire. Public ones are answered through ``token``'s link without an account;
    the others by signed-in members of the chosen organisations holding one of the chosen roles."""

    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="questionnaires")
    plan_version = models.ForeignKey(PlanVersion, verbose_name=_("plan version"), null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="questionnaires")
    title_en = models.CharField(_("title in English"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200)
    intro_en = models.TextField(_("introduction in English"), blank=True)
    intro_cy = models.TextField(_("introduction in Welsh"), blank=True)
    audiences = models.JSONField(_("audiences"), default=list, help_text="A list of Audience values.")
    is_public = models.BooleanField(_("anyone with the link can answer"), default=True)
    group_roles = models.JSONField(_("roles that may answer"), default=list, blank=True)
    group_organisations = models.ManyToManyField(Organisation, verbose_name=_("organisations that may answer"), blank=True,
                                                 related_name="+")
    is_anonymous = models.BooleanField(_("anonymous"), default=True)
    token = models.CharField(max_length=64, unique=True, default=new_questionnaire_token, editable=False)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_on", "pk"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        constraints = [models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="strategy_questionnaire_closes_after_opening")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def intro(self) -> str:
        return localised(self, "intro")

    def is_open(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.opens_on <= day <= self.closes_on

    @property
    def audience_labels(self) -> list[str]:
        return [str(Audience(a).label) for a in self.audiences if a in Audience.values]


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("One answer from a list")
    MULTIPLE = "multiple", _("Any answers from a list")
    SCALE = "scale", _("A scale from 1 to 5")
    TEXT = "text", _("Free text")


#: Kinds whose answers are counted per option (each chosen option is one Answer row).
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.SCALE)


class Question(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    kind = models.CharField(_("kind of question"), max_length=10, choices=QuestionKind.choices)
    text_en = models.CharField(_("question in English"), max_length=500)
    text_cy = models.CharField(_("question in Welsh"), max_length=500)
    options = models.JSONField(_("options"), default=list, blank=True, help_text='[{"en": "...", "cy": "..."}] for list questions.')
    required = models.BooleanField(_("an answer is required"), default=True)

    class Meta:
        ordering = ["questionnaire", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return localised(self, "text")

    def option_labels(self, language: str | None = None) -> list[str]:
        """The options in the active (or given) language, falling back to English; 1 to 5 for scales."""
        from django.utils.translation import get_language

        if self.kind == QuestionKind.SCALE:
            return [str(n) for n in range(1, 6)]
        welsh = (language or get_language() or "").startswith("cy")
        return [(o.get("cy") if welsh and o.get("cy") else o.get("en", "")) for o in self.options]


class Response(models.Model):
    """One person's answers. ``nonce`` is the single-use form token's; ``visitor`` the first-visit cookie's digest,
    unique per questionnaire so one device answers once. A named response names its respondent: personal data."""

    is_personal_record = True

    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateTimeField(_("submitted on"), default=timezone.now)
    language = models.CharField(_("language"), max_length=5, default="en")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("respondent"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    respondent_name = models.CharField(_("name"), max_length=200, blank=True)
    nonce = models.CharField(max_length=64, unique=True, editable=False)
    visitor = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["submitted_on", "pk"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "visitor"], condition=~Q(visitor=""), name="strategy_response_once_per_device"),
            models.UniqueConstraint(fields=["questionnaire", "respondent"], condition=Q(respondent__isnull=False),
                                    name="strategy_response_once_per_person"),
        ]
        indexes = [models.Index(fields=["questionnaire", "submitted_on"])]


class Answer(models.Model):
    """One answer: ``choice`` is an option's index (0-based) or a scale point (1-5); a multiple-choice question has one row per
    option chosen; free text goes in ``text``."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(100)])
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "question", "choice"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question", "choice"], name="strategy_answer_once_per_choice"),
            models.CheckConstraint(condition=Q(choice__isnull=False) | ~Q(text=""), name="strategy_answer_not_empty"),
        ]
        indexes = [models.Index(fields=["question", "choice"])]


# --- Reports to Council ------------------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def report_upload_to(instance: CouncilReport, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()
    return f"council-reports/{instance.local_authority_id}/{secrets.token_hex(12)}.{suffix}"


class CouncilReport(TimeStampedModel):
    """A bilingual report to Council as of a date, built in the background. The files are saved together at the end,
    so a report is either complete or has none."""

    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="council_reports")
    as_of = models.DateField(_("figures as of"))
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100), MinValueValidator(0)])
    stage = models.CharField(_("now writing"), max_length=200, blank=True)
    error = models.TextField(_("what went wrong"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_upload_to, blank=True)
    docx = models.FileField(_("Word document"), upload_to=report_upload_to, blank=True)
    finished_on = models.DateTimeField(_("finished on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_on", "-pk"]
        verbose_name = _("report to Council")
        verbose_name_plural = _("reports to Council")
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="strategy_report_progress_percent")]

    def __str__(self) -> str:
        return f"{self.local_authority} {self.as_of:%Y-%m-%d}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)
