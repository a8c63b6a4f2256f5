"""Partnerships and governance: memoranda of understanding, the community governor network, the engagement log, and
community profiles with deprivation from the Welsh Index of Multiple Deprivation (WIMD)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import TimeStampedModel
from cymuned.organisations.models import Cluster, LocalAuthority, Organisation, School

#: A 2011 Lower layer Super Output Area in Wales (the "small areas" of WIMD): W01 and six digits.
LSOA_CODE = RegexValidator(r"^W01\d{6}$", _("Enter a Welsh small area (LSOA) code: W01 and six digits, for example W01001290."))


def _upload_to(folder: str):
    def upload_to(instance: models.Model, filename: str) -> str:
        # The stored name is random: the original name is kept on the record, never in the path.
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
        return f"governance/{folder}/{secrets.token_hex(16)}.{suffix}"

    upload_to.__name__ = f"upload_to_{folder}"
    return upload_to


def resource_upload_to(instance: models.Model, filename: str) -> str:
    return _upload_to("resources")(instance, filename)


def paper_upload_to(instance: models.Model, filename: str) -> str:
    return _upload_to("papers")(instance, filename)


class StoredFile(models.Model):
    """An uploaded file checked by the evidence rules (type, size, first bytes)."""

    original_filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


# --- Memoranda of understanding ---------------------------------------------------------------------------------


class MouStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    UNDER_REVIEW = "under_review", _("Under review")
    ENDED = "ended", _("Ended")


class MemorandumQuerySet(models.QuerySet["MemorandumOfUnderstanding"]):
    def with_related(self) -> MemorandumQuerySet:
        return self.select_related("local_authority").prefetch_related("parties", "clusters", "signatories__organisation")


class MemorandumOfUnderstanding(TimeStampedModel):
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="memoranda_held")
    title = models.CharField(_("title"), max_length=200)
    parties = models.ManyToManyField(Organisation, verbose_name=_("parties"), related_name="memoranda",
                                     help_text=_("The schools, partners and the local authority that agree it."))
    clusters = models.ManyToManyField(Cluster, verbose_name=_("clusters"), related_name="memoranda", blank=True,
                                      help_text=_("Clusters that are party to it as a whole."))
    purpose = models.TextField(_("purpose"))
    commitments = models.TextField(_("commitments"), help_text=_("What each party agrees to do."))
    data_sharing = models.TextField(_("data-sharing terms"), blank=True,
                                    help_text=_("What personal data is shared, on what lawful basis, and how it is kept safe."))
    starts_on = models.DateField(_("starts on"))
    review_on = models.DateField(_("review by"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=MouStatus.choices, default=MouStatus.DRAFT)
    #: The review date a reminder was last sent for (one reminder per review date).
    reminded_for = models.DateField(null=True, blank=True, editable=False)

    objects = MemorandumQuerySet.as_manager()

    class Meta:
        ordering = ["review_on", "title"]
        verbose_name = _("memorandum of understanding")
        verbose_name_plural = _("memoranda of understanding")
        constraints = [
            models.CheckConstraint(condition=Q(review_on__gte=models.F("starts_on")), name="mou_review_after_start",
                                  violation_error_message=_("The review date must be on or after the start date.")),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="mou_ends_after_start",
                                  violation_error_message=_("The end date must be on or after the start date.")),
        ]

    def __str__(self) -> str:
        return self.title


class Signatory(TimeStampedModel):
    memorandum = models.ForeignKey(MemorandumOfUnderstanding, on_delete=models.CASCADE, related_name="signatories")
    organisation = models.ForeignKey(Organisation, verbose_name=_("on behalf of"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    position = models.CharField(_("position"), max_length=150)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)

    class Meta:
        ordering = ["memorandum", "pk"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self) -> str:
        return f"{self.name}, {self.position}"


# --- Community governor network --------------------------------------------------------------------------------


class MeetingKind(models.TextChoices):
    TRAINING = "training", _("Training")
    NETWORK = "network", _("Network meeting")


class NetworkMeeting(TimeStampedModel):
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="network_meetings")
    held_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    attendees = models.ManyToManyField("accounts.Membership", verbose_name=_("governors who attended"), related_name="network_meetings",
                                       blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_on:%d/%m/%Y})"


class NetworkResource(TimeStampedModel, StoredFile):
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="network_resources")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("file"), upload_to=resource_upload_to, blank=True)
    url = models.URLField(_("web address"), blank=True)

    class Meta:
        ordering = ["-created_on"]
        verbose_name = _("shared resource")
        verbose_name_plural = _("shared resources")

    def __str__(self) -> str:
        return self.title


class Notice(TimeStampedModel):
    """A post on the governor network's notice board. LA staff moderate by hiding (the text is kept for the record)."""

    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="notices")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), max_length=5000)
    hidden_on = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_on", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title


class NoticeReply(TimeStampedModel):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("reply"), max_length=5000)
    hidden_on = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_on", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")

    def __str__(self) -> str:
        return self.body[:50]


# --- Engagement log --------------------------------------------------------------------------------------------


class EngagementAudience(models.TextChoices):
    CABINET = "cabinet", _("Cabinet")
    EDUCATION_PARTNERSHIP_PANEL = "epp", _("Education Partnership Panel")
    CHAIRS_OF_GOVERNORS = "chairs", _("Chairs of governors")
    HEADTEACHERS = "headteachers", _("Headteachers")
    COMMUNITIES = "communities", _("Communities")
    OTHER = "other", _("Other")


class EngagementEvent(TimeStampedModel):
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="engagement_events")
    held_on = models.DateField(_("date"))
    audience = models.CharField(_("audience"), max_length=20, choices=EngagementAudience.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what was discussed"), blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagement log")

    def __str__(self) -> str:
        return self.title


class EngagementPaper(TimeStampedModel, StoredFile):
    event = models.ForeignKey(EngagementEvent, on_delete=models.CASCADE, related_name="papers")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=paper_upload_to)

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = _("paper")
        verbose_name_plural = _("papers")

    def __str__(self) -> str:
        return self.title


# --- Community profiles and WIMD -------------------------------------------------------------------------------


class WimdEdition(models.Model):
    """One imported release of the Welsh Index of Multiple Deprivation (ranks by small area). Ranks run from 1, the
    most deprived small area in Wales, to ``areas_in_wales``."""

    name = models.CharField(_("edition"), max_length=60, unique=True, help_text=_("For example, WIMD 2019."))
    areas_in_wales = models.PositiveIntegerField(_("small areas in Wales"), default=1909, validators=[MinValueValidator(1)])
    is_synthetic = models.BooleanField(_("synthetic (demonstration) data"), default=False)
    imported_on = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source_filename = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-imported_on"]
        verbose_name = _("WIMD edition")
        verbose_name_plural = _("WIMD editions")

    def __str__(self) -> str:
        return self.name


#: The WIMD domains, as (field, label).
WIMD_DOMAINS = [
    ("income_rank", _("Income")),
    ("employment_rank", _("Employment")),
    ("health_rank", _("Health")),
    ("education_rank", _("Education")),
    ("access_rank", _("Access to services")),
    ("housing_rank", _("Housing")),
    ("safety_rank", _("Community safety")),
    ("environment_rank", _("Physical environment")),
]


class WimdArea(models.Model):
    edition = models.ForeignKey(WimdEdition, on_delete=models.CASCADE, related_name="areas")
    lsoa_code = models.CharField(_("small area code"), max_length=9, validators=[LSOA_CODE])
    lsoa_name = models.CharField(_("small area"), max_length=120)
    local_authority_name = models.CharField(_("local authority"), max_length=120, blank=True)
    overall_rank = models.PositiveIntegerField(_("WIMD rank"))
    income_rank = models.PositiveIntegerField()
    employment_rank = models.PositiveIntegerField()
    health_rank = models.PositiveIntegerField()
    education_rank = models.PositiveIntegerField()
    access_rank = models.PositiveIntegerField()
    housing_rank = models.PositiveIntegerField()
    safety_rank = models.PositiveIntegerField()
    environment_rank = models.PositiveIntegerField()

    class Meta:
        ordering = ["overall_rank"]
        constraints = [models.UniqueConstraint(fields=["edition", "lsoa_code"], name="wimd_area_unique_per_edition")]

    def __str__(self) -> str:
        return f"{self.lsoa_code} {self.lsoa_name}"


class CommunityProfile(TimeStampedModel):
    """The community a school or a cluster serves: its catchment small areas, and notes in the LA's words."""

    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="community_profiles")
    school = models.OneToOneField(School, verbose_name=_("school"), null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="community_profile")
    cluster = models.OneToOneField(Cluster, verbose_name=_("cluster"), null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="community_profile")
    notes = models.TextField(_("about the community"), blank=True)

    class Meta:
        ordering = ["cluster__name_en", "school__name_en"]
        verbose_name = _("community profile")
        verbose_name_plural = _("community profiles")
        constraints = [models.CheckConstraint(condition=Q(school__isnull=True) ^ Q(cluster__isnull=True), name="profile_school_xor_cluster",
                                             violation_error_message=_("Choose a school or a cluster, not both."))]

    def __str__(self) -> str:
        return str(self.subject)

    @property
    def subject(self) -> School | Cluster:
        return self.school or self.cluster  # type: ignore[return-value]


class CatchmentArea(models.Model):
    profile = models.ForeignKey(CommunityProfile, on_delete=models.CASCADE, related_name="catchment")
    lsoa_code = models.CharField(_("small area code"), max_length=9, validators=[LSOA_CODE])

    class Meta:
        ordering = ["lsoa_code"]
        constraints = [models.UniqueConstraint(fields=["profile", "lsoa_code"], name="catchment_unique_area")]

    def __str__(self) -> str:
        return self.lsoa_code
