"""Grants and the posts they pay for.

A ``FundingStream`` is a source of money (Welsh Government's Family Engagement Officer grant, ...). An ``Award`` is
one grant of a stream to a local authority for a period; it is shared out in ``Allocation``s to schools or clusters,
against which ``Spend`` is recorded. ``Claim``s (and returns) are what the authority owes the funder, by a date.
Invariants the services keep (and only they write these tables): awards of one stream to one authority never
overlap in time; allocations never add up to more than their award; spend never exceeds its allocation and falls
within the award's period.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import TimeStampedModel, localised
from cymuned.organisations.models import Cluster, LocalAuthority, School

POSITIVE = [MinValueValidator(Decimal("0.01"))]


def money(verbose: str) -> models.DecimalField:
    return models.DecimalField(verbose, max_digits=12, decimal_places=2, validators=POSITIVE)


class StreamKind(models.TextChoices):
    FEO = "feo", _("Family Engagement Officer grant")
    CSM = "csm", _("Community School Manager grant")
    CAPITAL = "capital", _("Capital grant for community focused schools")
    OTHER = "other", _("Other funding")


class FundingStream(TimeStampedModel):
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="funding_streams")
    kind = models.CharField(_("kind of funding"), max_length=20, choices=StreamKind.choices)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200, blank=True)
    funder = models.CharField(_("funder"), max_length=200, help_text=_("For example, Welsh Government."))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("funding stream")
        verbose_name_plural = _("funding streams")
        constraints = [models.UniqueConstraint(fields=["local_authority", "name_en"], name="funding_stream_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")


class AwardQuerySet(models.QuerySet["Award"]):
    def with_related(self) -> AwardQuerySet:
        return self.select_related("stream", "local_authority")


class Award(TimeStampedModel):
    stream = models.ForeignKey(FundingStream, verbose_name=_("funding stream"), on_delete=models.PROTECT, related_name="awards")
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="awards")
    reference = models.CharField(_("reference"), max_length=60, help_text=_("The funder's reference for the award letter."))
    amount = money(_("amount awarded (£)"))
    starts_on = models.DateField(_("period starts on"))
    ends_on = models.DateField(_("period ends on"))
    conditions = models.TextField(_("conditions"), blank=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "stream__name_en"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="award_ends_after_start",
                                  violation_error_message=_("The period must end on or after the day it starts."))]

    def __str__(self) -> str:
        return f"{self.stream} {self.starts_on:%d/%m/%Y}–{self.ends_on:%d/%m/%Y}"


class AllocationQuerySet(models.QuerySet["Allocation"]):
    def with_related(self) -> AllocationQuerySet:
        return self.select_related("award__stream", "school", "cluster")


class Allocation(TimeStampedModel):
    """A share of an award for one school or one cluster."""

    award = models.ForeignKey(Award, verbose_name=_("award"), on_delete=models.PROTECT, related_name="allocations")
    school = models.ForeignKey(School, verbose_name=_("school"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="funding_allocations")
    cluster = models.ForeignKey(Cluster, verbose_name=_("cluster"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="funding_allocations")
    amount = money(_("amount allocated (£)"))
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["award", "pk"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(condition=Q(school__isnull=True) ^ Q(cluster__isnull=True), name="allocation_school_xor_cluster",
                                  violation_error_message=_("Choose a school or a cluster, not both.")),
        ]

    def __str__(self) -> str:
        return f"{self.award.stream}: {self.recipient}"

    @property
    def recipient(self) -> School | Cluster:
        return self.school or self.cluster  # type: ignore[return-value]


class SpendCategory(models.TextChoices):
    STAFFING = "staffing", _("Staffing")
    RESOURCES = "resources", _("Resources and materials")
    EQUIPMENT = "equipment", _("Equipment")
    CAPITAL_WORKS = "capital_works", _("Building works")
    TRAINING = "training", _("Training")
    ACTIVITIES = "activities", _("Activities and events")
    OTHER = "other", _("Other")


class Spend(TimeStampedModel):
    allocation = models.ForeignKey(Allocation, verbose_name=_("allocation"), on_delete=models.PROTECT, related_name="spend")
    spent_on = models.DateField(_("date of the spend"))
    amount = money(_("amount spent (£)"))
    description = models.CharField(_("description"), max_length=300)
    category = models.CharField(_("category"), max_length=20, choices=SpendCategory.choices)

    class Meta:
        ordering = ["-spent_on", "-pk"]
        verbose_name = _("spend")
        verbose_name_plural = _("spend")
        indexes = [models.Index(fields=["allocation", "spent_on"])]

    def __str__(self) -> str:
        return f"{self.spent_on:%d/%m/%Y} {self.description}"


class ClaimKind(models.TextChoices):
    CLAIM = "claim", _("Claim")
    RETURN = "return", _("Return")


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PAID = "paid", _("Paid")


class ClaimQuerySet(models.QuerySet["Claim"]):
    def outstanding(self) -> ClaimQuerySet:
        return self.filter(status=ClaimStatus.DRAFT)


class Claim(TimeStampedModel):
    """A claim for money (or a return of spend) the authority owes the funder by ``due_on``."""

    award = models.ForeignKey(Award, verbose_name=_("award"), on_delete=models.PROTECT, related_name="claims")
    kind = models.CharField(_("kind"), max_length=10, choices=ClaimKind.choices, default=ClaimKind.CLAIM)
    due_on = models.DateField(_("due on"))
    period_start = models.DateField(_("period covered from"))
    period_end = models.DateField(_("period covered to"))
    amount = models.DecimalField(_("amount claimed (£)"), max_digits=12, decimal_places=2, default=Decimal("0"),
                                 validators=[MinValueValidator(Decimal("0"))])
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    #: The due date a reminder was last sent for: one reminder per deadline, again only if the deadline moves.
    reminded_for = models.DateField(null=True, blank=True, editable=False)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("claim or return")
        verbose_name_plural = _("claims and returns")
        constraints = [models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="claim_period_in_order",
                                                violation_error_message=_("The period must end on or after the day it starts."))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.award.reference} {self.due_on:%d/%m/%Y}"


class PostKind(models.TextChoices):
    FEO = "feo", _("Family Engagement Officer")
    CSM = "csm", _("Community school manager")
    OTHER = "other", _("Other post")


class FundedPostQuerySet(models.QuerySet["FundedPost"]):
    def with_related(self) -> FundedPostQuerySet:
        return self.select_related("holder__user", "holder__organisation", "award__stream").prefetch_related("schools")


class FundedPost(TimeStampedModel):
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="funded_posts")
    title = models.CharField(_("post title"), max_length=200)
    kind = models.CharField(_("kind of post"), max_length=10, choices=PostKind.choices)
    holder = models.ForeignKey("accounts.Membership", verbose_name=_("post holder"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="funded_posts")
    schools = models.ManyToManyField(School, verbose_name=_("schools served"), related_name="funded_posts", blank=True)
    award = models.ForeignKey(Award, verbose_name=_("funded by"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="posts")
    fte = models.DecimalField(_("full-time equivalent"), max_digits=4, decimal_places=2, default=Decimal("1.00"),
                              validators=[MinValueValidator(Decimal("0.01"))])
    annual_cost = money(_("annual cost (£)"))

    objects = FundedPostQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "title"]
        verbose_name = _("funded post")
        verbose_name_plural = _("funded posts")

    def __str__(self) -> str:
        return self.title
