"""Self-evaluation on the community focused schools continuum.

A framework version fixes the grid (3 elements x 4 enablers = 12 cells) and the
continuum of stages with a descriptor for each cell and stage. An evaluation
keeps the version it was made on, so a new version never rewrites old ones.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import TimeStampedModel, localised
from cymuned.organisations.models import LocalAuthority, School

academic_year_validator = RegexValidator(
    r"^20\d\d-\d\d$", _("Enter the academic year as 2025-26: the starting year, a dash and the last two digits of the next.")
)


def academic_year_for(day: datetime.date) -> str:
    """Welsh academic years run from 1 September to 31 August."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def previous_academic_year(year: str) -> str:
    start = int(year[:4]) - 1
    return f"{start}-{(start + 1) % 100:02d}"


class Framework(TimeStampedModel):
    """One version of the self-evaluation framework of a local authority."""

    local_authority = models.ForeignKey(
        LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT, related_name="frameworks"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    title_en = models.CharField(_("title in English"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200)
    introduction_en = models.TextField(_("introduction in English"), blank=True)
    introduction_cy = models.TextField(_("introduction in Welsh"), blank=True)
    is_current = models.BooleanField(_("current version"), default=False)

    class Meta:
        ordering = ["local_authority", "-version"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "version"], name="framework_unique_version"),
            models.UniqueConstraint(
                fields=["local_authority"], condition=models.Q(is_current=True), name="framework_one_current_per_la"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def title(self) -> str:
        return localised(self, "title")


class Element(models.Model):
    """Family, community or multi-agency engagement."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="elements")
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=30)
    name_en = models.CharField(_("name in English"), max_length=100)
    name_cy = models.CharField(_("name in Welsh"), max_length=100)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="element_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")


class Enabler(models.Model):
    """Collective vision, collaborative leadership, trusting relationships or connected learning."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="enablers")
    position = models.PositiveSmallIntegerField()
    code = models.SlugField(max_length=30)
    name_en = models.CharField(_("name in English"), max_length=100)
    name_cy = models.CharField(_("name in Welsh"), max_length=100)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="enabler_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")


class Stage(models.Model):
    """A point on the continuum, ordered by ``level`` (1 = earliest)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="stages")
    level = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(9)])
    name_en = models.CharField(_("name in English"), max_length=60)
    name_cy = models.CharField(_("name in Welsh"), max_length=60)
    colour = models.CharField(max_length=7, help_text="Background colour of the heatmap cell, #rrggbb.")
    text_colour = models.CharField(max_length=7, default="#0b0c0c")

    class Meta:
        ordering = ["framework", "level"]
        constraints = [models.UniqueConstraint(fields=["framework", "level"], name="stage_unique_level")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")


class Cell(models.Model):
    """One element x enabler square of the grid, with guidance and example evidence."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="cells")
    element = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="cells")
    enabler = models.ForeignKey(Enabler, on_delete=models.CASCADE, related_name="cells")
    guidance_en = models.TextField(_("guidance in English"))
    guidance_cy = models.TextField(_("guidance in Welsh"))
    example_evidence_en = models.TextField(_("example evidence in English"), blank=True)
    example_evidence_cy = models.TextField(_("example evidence in Welsh"), blank=True)

    class Meta:
        ordering = ["framework", "element__position", "enabler__position"]
        constraints = [models.UniqueConstraint(fields=["framework", "element", "enabler"], name="cell_unique_square")]

    def __str__(self) -> str:
        return f"{self.element.name}: {self.enabler.name}"

    @property
    def guidance(self) -> str:
        return localised(self, "guidance")

    @property
    def example_evidence(self) -> str:
        return localised(self, "example_evidence")

    @property
    def code(self) -> str:
        return f"{self.element.code}.{self.enabler.code}"


class Descriptor(models.Model):
    """What a cell looks like at a stage."""

    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="descriptors")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="descriptors")
    text_en = models.TextField(_("descriptor in English"))
    text_cy = models.TextField(_("descriptor in Welsh"))

    class Meta:
        ordering = ["cell", "stage__level"]
        constraints = [models.UniqueConstraint(fields=["cell", "stage"], name="descriptor_unique")]

    @property
    def text(self) -> str:
        return localised(self, "text")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    MODERATED = "moderated", _("Moderated")
    PUBLISHED = "published", _("Published")


class EvaluationQuerySet(models.QuerySet["Evaluation"]):
    def with_related(self) -> EvaluationQuerySet:
        return self.select_related("school", "school__cluster", "framework")


class Evaluation(TimeStampedModel):
    """A school's self-evaluation for one academic year."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="evaluations")
    academic_year = models.CharField(_("academic year"), max_length=7, validators=[academic_year_validator])
    framework = models.ForeignKey(Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="evaluations")
    status = models.CharField(_("status"), max_length=20, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT)
    summary = models.TextField(_("summary"), blank=True)
    submitted_on = models.DateTimeField(_("submitted on"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderated_on = models.DateTimeField(_("moderated on"), null=True, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    moderation_summary = models.TextField(_("moderation summary"), blank=True)
    published_on = models.DateTimeField(_("published on"), null=True, blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        ordering = ["school__name_en", "-academic_year"]
        verbose_name = _("self-evaluation")
        verbose_name_plural = _("self-evaluations")
        constraints = [models.UniqueConstraint(fields=["school", "academic_year"], name="evaluation_one_per_school_year")]
        indexes = [models.Index(fields=["academic_year", "status"])]

    def __str__(self) -> str:
        return f"{self.school} {self.academic_year}"


class Rating(TimeStampedModel):
    """The school's rating of one cell, and the moderator's agreed rating."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="ratings")
    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="ratings")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField(_("rationale"))
    moderated_stage = models.ForeignKey(
        Stage, verbose_name=_("moderated stage"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moderation_comment = models.TextField(_("moderation comment"), blank=True)

    class Meta:
        ordering = ["evaluation", "cell__element__position", "cell__enabler__position"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "cell"], name="rating_one_per_cell")]

    @property
    def final_stage(self) -> Stage:
        return self.moderated_stage or self.stage


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # The stored name is random: the original name is kept in the record, never in the path.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{instance.evaluation.school_id}/{secrets.token_hex(16)}.{suffix}"


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")
    FIGURE = "figure", _("Figure from Cymuned")


class Evidence(TimeStampedModel):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="evidence")
    cell = models.ForeignKey(Cell, verbose_name=_("cell"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of evidence"), max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    url = models.URLField(_("web address"), blank=True)
    figure_key = models.CharField(_("figure"), max_length=60, blank=True)
    figure_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "created_on"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.title


class Audience(models.TextChoices):
    STAFF = "staff", _("Staff")
    PARENTS = "parents", _("Parents and carers")
    LEARNERS = "learners", _("Learners")
    PARTNERS = "partners", _("Partners")


def new_survey_token() -> str:
    return secrets.token_urlsafe(24)


class StakeholderSurvey(TimeStampedModel):
    """A short bilingual questionnaire for one audience: one agreement statement per cell."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="surveys")
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    token = models.CharField(max_length=64, unique=True, default=new_survey_token, editable=False)
    closes_on = models.DateField(_("closes on"))
    is_open = models.BooleanField(_("open"), default=True)

    class Meta:
        ordering = ["evaluation", "audience"]
        constraints = [models.UniqueConstraint(fields=["evaluation", "audience"], name="survey_one_per_audience")]


class SurveyResponse(models.Model):
    survey = models.ForeignKey(StakeholderSurvey, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateTimeField(auto_now_add=True)


class SurveyAnswer(models.Model):
    """Agreement on a 1-4 scale (strongly disagree to strongly agree) with the cell's statement."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    cell = models.ForeignKey(Cell, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "cell"], name="answer_one_per_cell"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=4), name="answer_score_1_to_4"),
        ]


class Rag(models.TextChoices):
    RED = "red", _("Red")
    AMBER = "amber", _("Amber")
    GREEN = "green", _("Green")


class ActionQuerySet(models.QuerySet["Action"]):
    def open(self) -> ActionQuerySet:
        return self.filter(completed_on__isnull=True)

    def overdue(self, today: datetime.date) -> ActionQuerySet:
        return self.open().filter(due_on__lt=today)

    def with_related(self) -> ActionQuerySet:
        return self.select_related("evaluation__school", "cell__element", "cell__enabler", "owner")


class Action(TimeStampedModel):
    """A step of the school's action plan, linked to a cell of the grid."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="actions")
    cell = models.ForeignKey(Cell, verbose_name=_("cell"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("action"), max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="evaluation_actions"
    )
    due_on = models.DateField(_("due date"))
    success_measure = models.TextField(_("success measure"))
    rag = models.CharField(_("RAG status"), max_length=10, choices=Rag.choices, default=Rag.AMBER)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    overdue_notified_on = models.DateField(null=True, blank=True, editable=False)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return self.title


class ActionUpdate(TimeStampedModel):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(_("date"))
    note = models.TextField(_("progress"))
    rag = models.CharField(_("RAG status"), max_length=10, choices=Rag.choices)

    class Meta:
        ordering = ["-on", "-pk"]
