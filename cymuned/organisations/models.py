"""Local authorities, clusters, schools and partner organisations.

Every organisation is one row of ``Organisation`` (so memberships, the access
layer and later domains can point at "an organisation" without generic keys);
schools and partners carry their own facts in child tables.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import TimeStampedModel, localised


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    SCHOOL = "school", _("School")
    PARTNER = "partner", _("Partner organisation")


class OrganisationQuerySet(models.QuerySet):
    def schools(self) -> OrganisationQuerySet:
        return self.filter(kind=OrganisationKind.SCHOOL)

    def partners(self) -> OrganisationQuerySet:
        return self.filter(kind=OrganisationKind.PARTNER)


class Organisation(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices, db_index=True)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200, blank=True)
    local_authority = models.ForeignKey(
        "self",
        verbose_name=_("local authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_organisations",
        limit_choices_to={"kind": OrganisationKind.LOCAL_AUTHORITY},
        help_text=_("Empty only for a local authority itself."),
    )
    address = models.TextField(_("address"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    telephone = models.CharField(_("telephone"), max_length=30, blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                name="organisation_la_iff_not_la",
                condition=(models.Q(kind=OrganisationKind.LOCAL_AUTHORITY, local_authority__isnull=True))
                | (~models.Q(kind=OrganisationKind.LOCAL_AUTHORITY) & models.Q(local_authority__isnull=False)),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")

    @property
    def local_authority_id_or_self(self) -> int:
        return self.local_authority_id or self.pk


class LocalAuthority(Organisation):
    code = models.CharField(
        _("local authority code"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^\d{3}$", _("Enter the three-digit local authority code, for example 669."))],
    )

    class Meta:
        verbose_name = _("local authority")
        verbose_name_plural = _("local authorities")


class Cluster(TimeStampedModel):
    """A secondary school and its feeder primaries, working together."""

    local_authority = models.ForeignKey(
        LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT, related_name="clusters"
    )
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        constraints = [models.UniqueConstraint(fields=["local_authority", "name_en"], name="cluster_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")


class Phase(models.TextChoices):
    NURSERY = "nursery", _("Nursery")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    ALL_AGE = "all_age", _("All-age (3 to 16 or 3 to 19)")
    SPECIAL = "special", _("Special")
    PUPIL_REFERRAL_UNIT = "pru", _("Pupil referral unit")


class LanguageMedium(models.TextChoices):
    WELSH = "welsh", _("Welsh-medium")
    ENGLISH = "english", _("English-medium")
    BILINGUAL = "bilingual", _("Bilingual")
    DUAL_STREAM = "dual_stream", _("Dual stream")


class SchoolQuerySet(models.QuerySet):
    def with_related(self) -> SchoolQuerySet:
        return self.select_related("cluster", "local_authority")


class School(Organisation):
    school_number = models.CharField(
        _("school number"),
        max_length=7,
        unique=True,
        validators=[RegexValidator(r"^\d{7}$", _("Enter the seven-digit school number, for example 6692001."))],
        help_text=_("Local authority code and establishment number, seven digits."),
    )
    cluster = models.ForeignKey(
        Cluster, verbose_name=_("cluster"), null=True, blank=True, on_delete=models.SET_NULL, related_name="schools"
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    language_medium = models.CharField(_("language medium"), max_length=20, choices=LanguageMedium.choices)
    efsm_percentage = models.DecimalField(
        _("eligible for free school meals (%)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Share of learners eligible for free school meals, three-year average."),
    )
    number_on_roll = models.PositiveIntegerField(_("number on roll"), default=0)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")


class PartnerType(models.TextChoices):
    HEALTH = "health", _("Health")
    SOCIAL_SERVICES = "social_services", _("Social services")
    POLICE = "police", _("Police")
    HOUSING = "housing", _("Housing and social landlords")
    THIRD_SECTOR = "third_sector", _("Third sector")
    ADULT_LEARNING = "adult_learning", _("Adult learning")
    YOUTH_SERVICE = "youth_service", _("Youth service")
    EARLY_YEARS = "early_years", _("Early years and childcare")
    CAREERS = "careers", _("Careers and employment")
    LEISURE = "leisure", _("Leisure, libraries and culture")
    OTHER = "other", _("Other")


class Partner(Organisation):
    partner_type = models.CharField(_("type of partner"), max_length=30, choices=PartnerType.choices)
    description_en = models.TextField(_("description in English"), blank=True)
    description_cy = models.TextField(_("description in Welsh"), blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    @property
    def description(self) -> str:
        return localised(self, "description")
