"""Learners: the first personal records in Cymuned.

The foundation holds the facts every domain needs about a learner; the
families domain adds households, consent and casework on top.
"""

from __future__ import annotations

import datetime

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import ArchivableModel, ArchivableQuerySet, TimeStampedModel
from cymuned.organisations.models import School

#: A unique pupil number: a check letter and 12 digits, or a temporary one ending in a letter.
upn_validator = RegexValidator(
    r"^[A-Z]\d{11}[0-9A-Z]$",
    _("Enter a unique pupil number of 13 characters: a capital letter, 11 digits, then a digit or capital letter."),
)


class YearGroup(models.IntegerChoices):
    NURSERY = -1, _("Nursery")
    RECEPTION = 0, _("Reception")
    Y1 = 1, _("Year 1")
    Y2 = 2, _("Year 2")
    Y3 = 3, _("Year 3")
    Y4 = 4, _("Year 4")
    Y5 = 5, _("Year 5")
    Y6 = 6, _("Year 6")
    Y7 = 7, _("Year 7")
    Y8 = 8, _("Year 8")
    Y9 = 9, _("Year 9")
    Y10 = 10, _("Year 10")
    Y11 = 11, _("Year 11")
    Y12 = 12, _("Year 12")
    Y13 = 13, _("Year 13")


class Gender(models.TextChoices):
    """As school information systems in Wales export it (M, F, and a code for any other or not stated)."""

    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other or not stated")


class LearnerQuerySet(ArchivableQuerySet):
    def with_related(self) -> LearnerQuerySet:
        return self.select_related("school", "school__cluster")


class Learner(TimeStampedModel, ArchivableModel):
    """A child or young person on a school's roll. A personal record: reads are audited."""

    is_personal_record = True

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="learners")
    upn = models.CharField(_("unique pupil number"), max_length=13, unique=True, validators=[upn_validator])
    given_name = models.CharField(_("first name"), max_length=100)
    family_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    year_group = models.SmallIntegerField(_("year group"), choices=YearGroup.choices)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    efsm = models.BooleanField(_("eligible for free school meals"), default=False)
    additional_learning_needs = models.BooleanField(_("additional learning needs"), default=False)
    aln_detail = models.TextField(
        _("additional learning needs: what they are and the support in place"), blank=True, max_length=2000,
        help_text=_("Seen only by the headteacher, the school's staff and the family engagement officer."),
    )
    looked_after = models.BooleanField(_("looked after"), default=False)
    young_carer = models.BooleanField(_("young carer"), default=False)
    english_additional_language = models.BooleanField(_("English as an additional language"), default=False)
    welsh_additional_language = models.BooleanField(_("Welsh as an additional language"), default=False)
    household = models.ForeignKey(
        "Household", verbose_name=_("household"), null=True, blank=True, on_delete=models.SET_NULL, related_name="learners"
    )

    objects = LearnerQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("learner")
        verbose_name_plural = _("learners")
        indexes = [models.Index(fields=["school", "year_group"])]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Household(TimeStampedModel, ArchivableModel):
    """The people a learner lives with. Learners of several schools can share one. A personal record."""

    is_personal_record = True

    reference = models.CharField(_("name of the household"), max_length=120, help_text=_("For example: the Jones family, Heol y Nant"))
    address = models.TextField(_("address"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    home_language = models.CharField(_("language of the home"), max_length=30, blank=True)
    safe_contact_notes = models.TextField(
        _("safe-contact notes"), blank=True, help_text=_("Who must not be contacted, times and ways that are not safe.")
    )

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.reference


class Relationship(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    STEP_PARENT = "step_parent", _("Step-parent")
    GRANDPARENT = "grandparent", _("Grandparent")
    FOSTER_CARER = "foster_carer", _("Foster carer")
    KINSHIP_CARER = "kinship_carer", _("Kinship carer")
    OTHER = "other", _("Other")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")


class Carer(TimeStampedModel):
    """A parent or carer in a household."""

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="carers")
    given_name = models.CharField(_("first name"), max_length=100)
    family_name = models.CharField(_("last name"), max_length=100)
    relationship = models.CharField(_("relationship to the learners"), max_length=20, choices=Relationship.choices)
    parental_responsibility = models.BooleanField(_("has parental responsibility"), default=True)
    preferred_language = models.CharField(_("preferred language"), max_length=10, choices=[("en", _("English")), ("cy", _("Welsh"))], default="en")
    contact_method = models.CharField(_("preferred way to contact"), max_length=20, choices=ContactMethod.choices, default=ContactMethod.PHONE)
    telephone = models.CharField(_("telephone"), max_length=30, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    is_main_contact = models.BooleanField(_("main contact"), default=False)

    class Meta:
        ordering = ["household", "-is_main_contact", "family_name", "given_name"]
        verbose_name = _("parent or carer")
        verbose_name_plural = _("parents and carers")

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"


class ConsentPurpose(models.TextChoices):
    FEO_CONTACT = "feo_contact", _("Contact and support by the Family Engagement Officer")
    SHARE_HEALTH = "share_health", _("Sharing with health services")
    SHARE_SOCIAL_SERVICES = "share_social_services", _("Sharing with social services")
    SHARE_POLICE = "share_police", _("Sharing with the police")
    SHARE_HOUSING = "share_housing", _("Sharing with housing and social landlords")
    SHARE_THIRD_SECTOR = "share_third_sector", _("Sharing with third-sector organisations")
    SHARE_ADULT_LEARNING = "share_adult_learning", _("Sharing with adult learning")
    SHARE_YOUTH_SERVICE = "share_youth_service", _("Sharing with the youth service")
    SHARE_HUB = "share_hub", _("Sharing with the multi-agency hub")
    SHARE_OTHER_PARTNERS = "share_other_partners", _("Sharing with early years, careers, leisure and other partners")
    PHOTOGRAPHS = "photographs", _("Photographs")
    EVALUATION_DATA = "evaluation_data", _("Use of data in evaluating services")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Signed form")
    VERBAL = "verbal", _("Spoken, recorded by staff")
    ONLINE = "online", _("Online form")


class ConsentQuerySet(models.QuerySet["Consent"]):
    def in_force(self, on: datetime.date | None = None) -> ConsentQuerySet:
        on = on or datetime.date.today()
        return self.filter(given_on__lte=on).filter(models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gt=on))


class Consent(TimeStampedModel):
    """A consent given for one purpose, by whom, how and when; withdrawn consent is kept, with its date."""

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=30, choices=ConsentPurpose.choices)
    given_by = models.ForeignKey(Carer, verbose_name=_("given by"), on_delete=models.PROTECT, related_name="consents")
    method = models.CharField(_("how it was given"), max_length=20, choices=ConsentMethod.choices)
    given_on = models.DateField(_("date given"))
    evidence = models.CharField(_("where the evidence is kept"), max_length=255, blank=True)
    withdrawn_on = models.DateField(_("date withdrawn"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=255, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["household", "purpose", "-given_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            )
        ]


class EpisodeReason(models.TextChoices):
    ATTENDANCE = "attendance", _("Attendance")
    WELLBEING = "wellbeing", _("Wellbeing")
    BEHAVIOUR = "behaviour", _("Behaviour")
    FOOD = "food", _("Food")
    HOUSING = "housing", _("Housing")
    MONEY = "money", _("Money")
    PARENTING = "parenting", _("Parenting")
    TRANSITION = "transition", _("Moving school or phase")
    LEARNING = "learning", _("Support with learning")
    OTHER = "other", _("Other")


class EpisodeOutcome(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    PARTLY_MET = "partly_met", _("Goals partly met")
    NOT_MET = "not_met", _("Goals not met")
    DISENGAGED = "disengaged", _("Family stopped engaging")
    MOVED = "moved", _("Family moved away")
    REFERRED = "referred", _("Referred to another service")


class EpisodeQuerySet(models.QuerySet["Episode"]):
    def open(self) -> EpisodeQuerySet:
        return self.filter(closed_on__isnull=True)

    def with_related(self) -> EpisodeQuerySet:
        return self.select_related("household", "school", "officer")


class Episode(TimeStampedModel):
    """A Family Engagement Officer's work with one family, from opening to outcome. A personal record."""

    is_personal_record = True

    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="episodes")
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="episodes")
    officer = models.ForeignKey("accounts.User", verbose_name=_("Family Engagement Officer"), on_delete=models.PROTECT, related_name="episodes")
    reasons = models.JSONField(_("reasons"), default=list)
    goals = models.TextField(_("goals agreed with the family"))
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=EpisodeOutcome.choices, blank=True)
    outcome_notes = models.TextField(_("notes on the outcome"), blank=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("engagement episode")
        verbose_name_plural = _("engagement episodes")
        indexes = [models.Index(fields=["officer", "closed_on"])]

    def __str__(self) -> str:
        return f"{self.household} ({self.opened_on:%d/%m/%Y})"

    def reason_labels(self) -> list[str]:
        return [str(EpisodeReason(r).label) for r in self.reasons if r in EpisodeReason.values]


class ContactKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    PHONE = "phone", _("Phone call")
    SCHOOL_MEETING = "school_meeting", _("Meeting at school")
    MESSAGE = "message", _("Message")


class Contact(TimeStampedModel):
    """One contact with the family, quick to enter on a phone."""

    episode = models.ForeignKey(Episode, verbose_name=_("episode"), on_delete=models.CASCADE, related_name="contacts")
    happened_on = models.DateField(_("date of the contact"))
    kind = models.CharField(_("kind of contact"), max_length=20, choices=ContactKind.choices)
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"), default=30)
    present = models.CharField(_("who was there"), max_length=255, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    next_steps = models.TextField(_("agreed next steps"), blank=True)
    next_step_due = models.DateField(_("next steps due by"), null=True, blank=True)

    class Meta:
        ordering = ["-happened_on", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
