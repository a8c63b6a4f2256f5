"""Programmes a community focused school runs or hosts: family and adult learning, community activities, food provision.

A programme has sessions; people enrol (staff enrol a learner, a household or an adult; the
public sign up themselves, joining a waiting list when it is full); each session has a register,
or, for food provision that needs no names, the quantities served. Adult and family learners'
qualifications and a short before/after confidence questionnaire show what changed.
"""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import TimeStampedModel, localised
from cymuned.organisations.models import LocalAuthority, Organisation, School


class ProgrammeKind(models.TextChoices):
    FAMILY_LEARNING = "family_learning", _("Family learning")
    ADULT_LEARNING = "adult_learning", _("Adult learning")
    COMMUNITY_ACTIVITY = "community_activity", _("Community activity")
    FOOD_PROVISION = "food_provision", _("Food provision")


class Topic(models.TextChoices):
    DIGITAL_SKILLS = "digital_skills", _("Digital skills")
    ESOL = "esol", _("English for speakers of other languages (ESOL)")
    WELSH_FOR_ADULTS = "welsh_for_adults", _("Welsh for adults")
    PARENTING = "parenting", _("Parenting")
    NUMERACY = "numeracy", _("Numeracy")
    LITERACY = "literacy", _("Literacy")
    WELLBEING = "wellbeing", _("Health and wellbeing")
    SPORT_AND_PLAY = "sport_and_play", _("Sport and play")
    ARTS_AND_CULTURE = "arts_and_culture", _("Arts and culture")
    BREAKFAST_CLUB = "breakfast_club", _("Breakfast club")
    HOLIDAY_FOOD = "holiday_food", _("Holiday food and fun")
    PANTRY = "pantry", _("Community pantry or fridge")
    FOOD_PARCELS = "food_parcels", _("Food parcels")
    UNIFORM_BANK = "uniform_bank", _("Uniform and clothing bank")
    OTHER = "other", _("Other")


#: Topics that are food provision (or clothing), counted in quantities rather than names by default.
FOOD_TOPICS = frozenset({Topic.BREAKFAST_CLUB, Topic.HOLIDAY_FOOD, Topic.PANTRY, Topic.FOOD_PARCELS, Topic.UNIFORM_BANK})


class DeliveryLanguage(models.TextChoices):
    WELSH = "cy", _("Welsh")
    ENGLISH = "en", _("English")
    BILINGUAL = "bilingual", _("Welsh and English")


class ProgrammeQuerySet(models.QuerySet):
    def with_related(self) -> ProgrammeQuerySet:
        return self.select_related("lead_organisation", "venue_school", "local_authority")

    def published(self) -> ProgrammeQuerySet:
        return self.filter(is_published=True)

    def current(self, today: datetime.date | None = None) -> ProgrammeQuerySet:
        today = today or timezone.localdate()
        return self.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))


class Programme(TimeStampedModel):
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT, related_name="programmes")
    lead_organisation = models.ForeignKey(
        Organisation, verbose_name=_("lead organisation"), on_delete=models.PROTECT, related_name="led_programmes"
    )
    kind = models.CharField(_("kind of programme"), max_length=30, choices=ProgrammeKind.choices)
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices, default=Topic.OTHER)
    title_en = models.CharField(_("title in English"), max_length=160)
    title_cy = models.CharField(_("title in Welsh"), max_length=160)
    description_en = models.TextField(_("description in English"))
    description_cy = models.TextField(_("description in Welsh"))
    audience_en = models.CharField(_("who it is for (English)"), max_length=200, blank=True)
    audience_cy = models.CharField(_("who it is for (Welsh)"), max_length=200, blank=True)
    venue_school = models.ForeignKey(
        School, verbose_name=_("school venue"), null=True, blank=True, on_delete=models.PROTECT, related_name="hosted_programmes",
        help_text=_("The school whose space it uses, if any."),
    )
    venue_en = models.CharField(_("venue (English)"), max_length=200, help_text=_("For example: the community room, Ysgol y Cwm"))
    venue_cy = models.CharField(_("venue (Welsh)"), max_length=200, blank=True)
    delivery_language = models.CharField(_("language of delivery"), max_length=10, choices=DeliveryLanguage.choices,
                                         default=DeliveryLanguage.BILINGUAL)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True, validators=[MinValueValidator(1)],
                                           help_text=_("Leave empty if there is no limit."))
    cost_pence = models.PositiveIntegerField(_("cost to attend, in pence"), default=0)
    accreditation_en = models.CharField(_("qualification offered (English)"), max_length=200, blank=True)
    accreditation_cy = models.CharField(_("qualification offered (Welsh)"), max_length=200, blank=True)
    counts_only = models.BooleanField(
        _("count numbers instead of names"), default=False,
        help_text=_("For food provision and drop-ins: registers record meals, parcels and people, not who came."),
    )
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    is_published = models.BooleanField(_("show on the public programmes page"), default=False)
    public_sign_up = models.BooleanField(_("the public can sign up online"), default=False)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "title_en"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="programme_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self, "title")

    @property
    def description(self) -> str:
        return localised(self, "description")

    @property
    def audience(self) -> str:
        return localised(self, "audience")

    @property
    def venue(self) -> str:
        return localised(self, "venue")

    @property
    def accreditation(self) -> str:
        return localised(self, "accreditation")

    @property
    def is_free(self) -> bool:
        return self.cost_pence == 0

    @property
    def cost_pounds(self) -> str:
        return f"£{self.cost_pence // 100}.{self.cost_pence % 100:02d}"


class SessionQuerySet(models.QuerySet):
    def upcoming(self) -> SessionQuerySet:
        return self.filter(starts_at__gte=timezone.now(), cancelled=False)


class Session(TimeStampedModel):
    """One meeting of a programme. Food provision records quantities on the session itself."""

    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    cancelled = models.BooleanField(_("cancelled"), default=False)
    meals_served = models.PositiveIntegerField(_("meals served"), null=True, blank=True)
    parcels_given = models.PositiveIntegerField(_("parcels or items given"), null=True, blank=True)
    people_fed = models.PositiveIntegerField(_("people fed or helped"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start")]
        indexes = [models.Index(fields=["programme", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.programme} ({timezone.localtime(self.starts_at):%d/%m/%Y %H:%M})"

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    WAITING = "waiting", _("On the waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Completed")


#: Enrolments that hold a place or a place in the queue.
ACTIVE_STATUSES = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITING)


class EnrolmentSource(models.TextChoices):
    STAFF = "staff", _("Enrolled by staff")
    PUBLIC = "public", _("Signed up online")


class EnrolmentQuerySet(models.QuerySet):
    def active(self) -> EnrolmentQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)

    def enrolled(self) -> EnrolmentQuerySet:
        return self.filter(status__in=(EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED))

    def waiting(self) -> EnrolmentQuerySet:
        return self.filter(status=EnrolmentStatus.WAITING).order_by("created_on", "pk")

    def with_related(self) -> EnrolmentQuerySet:
        return self.select_related("programme", "learner", "learner__school", "household", "school")


class Enrolment(TimeStampedModel):
    """A place on a programme for a learner or a named person (an adult, or a family under one name). A personal record.

    ``household`` links a learner's family when it is known; it is cleared, not cascaded, if the household
    is deleted at the end of its retention, so reach figures keep the place.
    """

    is_personal_record = True

    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="enrolments")
    learner = models.ForeignKey("families.Learner", verbose_name=_("learner"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="enrolments")
    household = models.ForeignKey("families.Household", verbose_name=_("household"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="enrolments")
    school = models.ForeignKey(School, verbose_name=_("school"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               help_text=_("The school the family is connected with, for reach figures."))
    participant_name = models.CharField(_("full name"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    telephone = models.CharField(_("telephone"), max_length=30, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=5, choices=[("en", _("English")), ("cy", _("Welsh"))],
                                          default="en")
    places = models.PositiveSmallIntegerField(_("places needed"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)])
    access_needs = models.TextField(_("access or dietary needs"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED)
    source = models.CharField(_("how they joined"), max_length=10, choices=EnrolmentSource.choices, default=EnrolmentSource.STAFF)
    confirmation_sent_on = models.DateTimeField(_("confirmation sent on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["created_on", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.CheckConstraint(
                condition=Q(learner__isnull=False) | ~Q(participant_name=""), name="enrolment_names_someone"
            ),
            models.UniqueConstraint(
                fields=["programme", "learner"], condition=Q(learner__isnull=False, status__in=["enrolled", "waiting"]),
                name="enrolment_one_active_per_learner",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.participant_name:
            return self.participant_name
        if self.learner_id:
            return self.learner.full_name
        if self.household_id:
            return self.household.reference
        return ""


class AttendanceMark(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="attendances")
    mark = models.CharField(_("attendance"), max_length=10, choices=AttendanceMark.choices)
    marked_on = models.DateTimeField(_("marked on"), auto_now=True)
    marked_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once_per_session")]


class Achievement(TimeStampedModel):
    """A qualification or accreditation gained on a programme."""

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="achievements")
    title = models.CharField(_("qualification or accreditation"), max_length=200)
    awarding_body = models.CharField(_("awarding body"), max_length=200, blank=True)
    level = models.CharField(_("level"), max_length=30, blank=True, help_text=_("For example: Entry 3, Level 1"))
    awarded_on = models.DateField(_("date awarded"))

    class Meta:
        ordering = ["awarded_on"]
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")


class QuestionnaireStage(models.TextChoices):
    BEFORE = "before", _("At the start")
    AFTER = "after", _("At the end")


#: The questions of the short confidence questionnaire (each answered 1 to 5).
CONFIDENCE_QUESTIONS = (
    ("supporting_learning", _("How confident do you feel helping your child with their learning?")),
    ("skills", _("How confident do you feel about the skills this course covers?")),
    ("talking_to_school", _("How confident do you feel talking to staff at the school?")),
    ("wellbeing", _("How do you feel about your own wellbeing?")),
)

score_validators = [MinValueValidator(1), MaxValueValidator(5)]


class ConfidenceResponse(TimeStampedModel):
    """One learner's answers before or after a course: scores from 1 (not at all) to 5 (very)."""

    enrolment = models.ForeignKey(Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="confidence_responses")
    stage = models.CharField(_("when"), max_length=6, choices=QuestionnaireStage.choices)
    answered_on = models.DateField(_("answered on"))
    supporting_learning = models.PositiveSmallIntegerField(validators=score_validators)
    skills = models.PositiveSmallIntegerField(validators=score_validators)
    talking_to_school = models.PositiveSmallIntegerField(validators=score_validators)
    wellbeing = models.PositiveSmallIntegerField(validators=score_validators)

    class Meta:
        verbose_name = _("confidence questionnaire")
        verbose_name_plural = _("confidence questionnaires")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "stage"], name="confidence_once_per_stage"),
            *[
                models.CheckConstraint(condition=Q(**{f"{q}__gte": 1, f"{q}__lte": 5}), name=f"confidence_{q}_1_to_5")
                for q, _label in CONFIDENCE_QUESTIONS
            ],
        ]

    @property
    def total(self) -> int:
        return sum(getattr(self, q) for q, _label in CONFIDENCE_QUESTIONS)
