"""School premises opened to the community: spaces, when they are open, who hires them, bookings and what they really cost.

Times are stored as aware datetimes (UTC in the database) and always expanded from local Europe/London
wall-clock times, so a weekly 18:00 booking stays at 18:00 across the clock changes.

No double booking is enforced twice: the booking service checks every conflict (other bookings, school use,
closures, opening hours, caretaker cover) and explains it, and on PostgreSQL an exclusion constraint on
(space, time range) makes it impossible for two simultaneous requests to both hold the same slot.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import TimeStampedModel, localised
from cymuned.organisations.models import LocalAuthority, Organisation, School


class SpaceKind(models.TextChoices):
    HALL = "hall", _("Hall")
    CLASSROOM = "classroom", _("Classroom")
    SPORTS_HALL = "sports_hall", _("Sports hall")
    PITCH_3G = "pitch_3g", _("3G pitch")
    MUGA = "muga", _("Multi-use games area")
    KITCHEN = "kitchen", _("Kitchen")
    COMMUNITY_ROOM = "community_room", _("Community room")
    IT_SUITE = "it_suite", _("IT suite")
    OTHER = "other", _("Other space")


class SpaceQuerySet(models.QuerySet):
    def public(self) -> SpaceQuerySet:
        return self.filter(is_public=True, is_active=True)

    def with_related(self) -> SpaceQuerySet:
        return self.select_related("school", "school__cluster")


class Space(TimeStampedModel):
    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="spaces")
    kind = models.CharField(_("kind of space"), max_length=20, choices=SpaceKind.choices)
    name_en = models.CharField(_("name in English"), max_length=120)
    name_cy = models.CharField(_("name in Welsh"), max_length=120)
    description_en = models.TextField(_("description in English"), blank=True)
    description_cy = models.TextField(_("description in Welsh"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"), validators=[MinValueValidator(1)])
    facilities_en = models.CharField(_("facilities (English)"), max_length=300, blank=True, help_text=_("For example: stage, projector, kitchen hatch"))
    facilities_cy = models.CharField(_("facilities (Welsh)"), max_length=300, blank=True)
    accessibility_en = models.CharField(_("accessibility (English)"), max_length=300, blank=True,
                                        help_text=_("For example: step-free entrance, accessible toilet, hearing loop"))
    accessibility_cy = models.CharField(_("accessibility (Welsh)"), max_length=300, blank=True)
    photo = models.ImageField(_("photo"), upload_to="spaces/%Y/", blank=True)
    photo_alt_en = models.CharField(_("photo description (English)"), max_length=200, blank=True)
    photo_alt_cy = models.CharField(_("photo description (Welsh)"), max_length=200, blank=True)
    is_public = models.BooleanField(_("the public can book it"), default=True)
    is_active = models.BooleanField(_("in use"), default=True)
    energy_kwh_per_hour = models.DecimalField(_("energy use (kWh per hour)"), max_digits=6, decimal_places=2, default=Decimal("5.00"),
                                              help_text=_("Lighting and power while in use."))
    heating_kwh_per_hour = models.DecimalField(_("heating (kWh per hour, in the heating season)"), max_digits=6, decimal_places=2,
                                               default=Decimal("10.00"))
    cleaning_minutes = models.PositiveIntegerField(_("cleaning after each booking (minutes)"), default=15)

    objects = SpaceQuerySet.as_manager()

    class Meta:
        ordering = ["school__name_en", "name_en"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        constraints = [models.UniqueConstraint(fields=["school", "name_en"], name="space_unique_name_per_school")]

    def __str__(self) -> str:
        return f"{self.name}, {self.school.name}"

    @property
    def name(self) -> str:
        return localised(self, "name")

    @property
    def description(self) -> str:
        return localised(self, "description")

    @property
    def facilities(self) -> str:
        return localised(self, "facilities")

    @property
    def accessibility(self) -> str:
        return localised(self, "accessibility")

    @property
    def photo_alt(self) -> str:
        return localised(self, "photo_alt")


class TermDate(models.Model):
    """One term of an LA's school calendar; days outside every term are holidays."""

    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.CASCADE, related_name="terms")
    name_en = models.CharField(_("name in English"), max_length=60, help_text=_("For example: Autumn 2026"))
    name_cy = models.CharField(_("name in Welsh"), max_length=60)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="term_ends_after_start")]

    def __str__(self) -> str:
        return localised(self, "name")


class Season(models.TextChoices):
    TERM = "term", _("Term time")
    HOLIDAY = "holiday", _("School holidays")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class _WeeklyWindow(models.Model):
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    season = models.CharField(_("when"), max_length=10, choices=Season.choices, default=Season.TERM)
    opens_at = models.TimeField(_("from"))
    closes_at = models.TimeField(_("until"))

    class Meta:
        abstract = True
        ordering = ["season", "weekday", "opens_at"]


class OpeningWindow(_WeeklyWindow):
    """When a space may be hired: for example Monday to Friday 17:00–22:00 in term time."""

    space = models.ForeignKey(Space, verbose_name=_("space"), on_delete=models.CASCADE, related_name="opening_windows")

    class Meta(_WeeklyWindow.Meta):
        verbose_name = _("opening window")
        verbose_name_plural = _("opening windows")
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="opening_window_closes_after_opening")]


class CaretakerCover(_WeeklyWindow):
    """When a caretaker is on site at a school to open, supervise and lock up."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="caretaker_cover")

    class Meta(_WeeklyWindow.Meta):
        verbose_name = _("caretaker cover")
        verbose_name_plural = _("caretaker cover")
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="caretaker_cover_ends_after_start")]


class BlockKind(models.TextChoices):
    SCHOOL_USE = "school_use", _("School's own use")
    CLOSURE = "closure", _("Closure")


class Block(TimeStampedModel):
    """A time a space (or, with no space, the whole school) cannot be hired."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="premises_blocks")
    space = models.ForeignKey(Space, verbose_name=_("space"), null=True, blank=True, on_delete=models.CASCADE, related_name="blocks",
                              help_text=_("Leave empty for the whole school."))
    kind = models.CharField(_("kind"), max_length=20, choices=BlockKind.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("unavailable time")
        verbose_name_plural = _("unavailable times")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="block_ends_after_start")]


class HirerKind(models.TextChoices):
    COMMUNITY_GROUP = "community_group", _("Community group")
    CHARITY = "charity", _("Charity")
    CLUB = "club", _("Sports or social club")
    INDIVIDUAL = "individual", _("Individual")
    PARTNER = "partner", _("Partner organisation")
    CFS_PROGRAMME = "cfs_programme", _("The school's own community programme")
    COMMERCIAL = "commercial", _("Business")


class Hirer(TimeStampedModel):
    """Someone who hires school spaces: their account, organisation, insurance and safeguarding declaration."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.PROTECT, related_name="hirer")
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT, related_name="hirers")
    kind = models.CharField(_("kind of hirer"), max_length=20, choices=HirerKind.choices)
    organisation_name = models.CharField(_("name of the group or organisation"), max_length=200, blank=True)
    partner = models.ForeignKey(Organisation, verbose_name=_("partner organisation"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    telephone = models.CharField(_("telephone"), max_length=30, blank=True)
    address = models.TextField(_("address for invoices"), blank=True)
    insurance_provider = models.CharField(_("insurer"), max_length=120, blank=True)
    insurance_expires_on = models.DateField(_("public liability insurance expires on"), null=True, blank=True)
    insurance_certificate = models.FileField(_("insurance certificate"), upload_to="insurance/%Y/", blank=True)
    safeguarding_declared_on = models.DateField(_("safeguarding declaration made on"), null=True, blank=True)
    insurance_reminder_sent_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["organisation_name"]
        verbose_name = _("hirer")
        verbose_name_plural = _("hirers")

    def __str__(self) -> str:
        return self.organisation_name or self.user.full_name


class Tier(models.TextChoices):
    CFS = "cfs", _("Community focused school programme (free)")
    COMMUNITY = "community", _("Community and charity")
    COMMERCIAL = "commercial", _("Commercial")


#: The tier each kind of hirer pays.
HIRER_TIERS = {
    HirerKind.CFS_PROGRAMME: Tier.CFS,
    HirerKind.COMMUNITY_GROUP: Tier.COMMUNITY,
    HirerKind.CHARITY: Tier.COMMUNITY,
    HirerKind.CLUB: Tier.COMMUNITY,
    HirerKind.INDIVIDUAL: Tier.COMMUNITY,
    HirerKind.PARTNER: Tier.COMMUNITY,
    HirerKind.COMMERCIAL: Tier.COMMERCIAL,
}


class RateCard(models.Model):
    """What an hour of a space costs a tier of hirer: off-peak, and from ``peak_from`` on weekdays and all weekend."""

    space = models.ForeignKey(Space, verbose_name=_("space"), on_delete=models.CASCADE, related_name="rates")
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    off_peak_pence = models.PositiveIntegerField(_("off-peak price per hour (pence)"))
    peak_pence = models.PositiveIntegerField(_("peak price per hour (pence)"))
    peak_from = models.TimeField(_("peak from (weekdays)"), default="17:00")
    minimum_minutes = models.PositiveIntegerField(_("shortest booking (minutes)"), default=60)
    vat_applies = models.BooleanField(_("VAT is charged"), default=False)

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        constraints = [models.UniqueConstraint(fields=["space", "tier"], name="rate_one_per_tier")]


class CostSettings(models.Model):
    """What opening a school to the community costs it: staffing, energy, insurance and cleaning. One per school."""

    school = models.OneToOneField(School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="premises_costs")
    caretaker_pence_per_hour = models.PositiveIntegerField(_("caretaker's pay per hour (pence)"), default=1450)
    overtime_multiplier = models.DecimalField(_("overtime rate"), max_digits=3, decimal_places=2, default=Decimal("1.50"),
                                              validators=[MinValueValidator(1), MaxValueValidator(3)])
    overtime_after = models.TimeField(_("overtime after (weekdays)"), default="18:00", help_text=_("Weekends are overtime all day."))
    opening_minutes = models.PositiveIntegerField(_("time to open up (minutes)"), default=15)
    closing_minutes = models.PositiveIntegerField(_("time to lock up (minutes)"), default=15)
    lone_working_after = models.TimeField(_("two staff needed after"), null=True, blank=True,
                                          help_text=_("Lone-working rule: from this time a second member of staff is paid."))
    energy_pence_per_kwh = models.DecimalField(_("energy tariff (pence per kWh)"), max_digits=6, decimal_places=2, default=Decimal("28.00"))
    heating_from_month = models.PositiveSmallIntegerField(_("heating season starts (month)"), default=10,
                                                          validators=[MinValueValidator(1), MaxValueValidator(12)])
    heating_to_month = models.PositiveSmallIntegerField(_("heating season ends (month)"), default=4,
                                                        validators=[MinValueValidator(1), MaxValueValidator(12)])
    insurance_pence_per_hour = models.PositiveIntegerField(_("insurance per hour of community use (pence)"), default=150)
    cleaning_pence_per_hour = models.PositiveIntegerField(_("cleaning per hour (pence)"), default=1300)

    class Meta:
        verbose_name = _("cost settings")
        verbose_name_plural = _("cost settings")


class SeriesStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    ALTERNATIVE = "alternative", _("Another time offered")
    CANCELLED = "cancelled", _("Cancelled")


#: Statuses in which a request's occurrences hold their slots.
HOLDING = (SeriesStatus.REQUESTED, SeriesStatus.APPROVED)


class BookingSeries(TimeStampedModel):
    """A request to hire a space, once or every week, with what was agreed; its occurrences are the bookings."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    space = models.ForeignKey(Space, verbose_name=_("space"), on_delete=models.PROTECT, related_name="series")
    hirer = models.ForeignKey(Hirer, verbose_name=_("hirer"), on_delete=models.PROTECT, related_name="series")
    activity = models.CharField(_("activity"), max_length=200)
    expected_people = models.PositiveIntegerField(_("people expected"), validators=[MinValueValidator(1)])
    involves_children = models.BooleanField(_("the activity involves children"), default=False)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    status = models.CharField(_("status"), max_length=12, choices=SeriesStatus.choices, default=SeriesStatus.REQUESTED)
    terms_accepted_on = models.DateTimeField(_("terms and conditions accepted on"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateTimeField(_("decided on"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    alternative = models.TextField(_("other time offered"), blank=True)
    cancelled_by_hirer = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_on"]
        verbose_name = _("booking request")
        verbose_name_plural = _("booking requests")

    def __str__(self) -> str:
        return f"{self.reference}: {self.activity}"

    @staticmethod
    def new_reference() -> str:
        return "B-" + secrets.token_hex(4).upper()


class BookingQuerySet(models.QuerySet):
    def holding(self) -> BookingQuerySet:
        return self.filter(status__in=HOLDING)


class Booking(models.Model):
    """One occurrence of a booking request: a space from ``starts_at`` to ``ends_at``.

    ``status`` copies the series' status (or ``cancelled`` for a single date taken out of a series),
    so the exclusion constraint can say which occurrences hold their slot.
    """

    series = models.ForeignKey(BookingSeries, verbose_name=_("booking request"), on_delete=models.CASCADE, related_name="bookings")
    space = models.ForeignKey(Space, verbose_name=_("space"), on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=12, choices=SeriesStatus.choices, default=SeriesStatus.REQUESTED)
    people_attended = models.PositiveIntegerField(_("people who came"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start")]
        indexes = [models.Index(fields=["space", "starts_at"]), models.Index(fields=["status", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.space} {self.starts_at:%Y-%m-%d %H:%M}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled by a credit note")


class Invoice(TimeStampedModel):
    """A numbered invoice (or credit note) for a booking request. Numbers run per local authority and year."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    series = models.ForeignKey(BookingSeries, verbose_name=_("booking request"), on_delete=models.PROTECT, related_name="invoices")
    credits = models.ForeignKey("self", verbose_name=_("credits invoice"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="credit_notes")
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    net_pence = models.IntegerField(_("net (pence)"))
    vat_pence = models.IntegerField(_("VAT (pence)"))
    status = models.CharField(_("payment"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.UNPAID)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    lines = models.JSONField(_("lines"), default=list, help_text="[{date, description, hours, pence}]")

    class Meta:
        ordering = ["-issued_on", "-number"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.number

    @property
    def total_pence(self) -> int:
        return self.net_pence + self.vat_pence


class InvoiceCounter(models.Model):
    """The last number used for each local authority and year (taken under a row lock, so numbers never repeat)."""

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["local_authority", "year"], name="invoice_counter_per_year")]


class FeedScope(models.TextChoices):
    SPACE = "space", _("Space")
    SCHOOL = "school", _("School")
    HIRER = "hirer", _("Hirer")


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(TimeStampedModel):
    """An iCalendar feed URL behind an unguessable token, revocable by its owner."""

    scope = models.CharField(_("feed of"), max_length=10, choices=FeedScope.choices)
    space = models.ForeignKey(Space, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="premises_feeds")
    hirer = models.ForeignKey(Hirer, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds")
    token = models.CharField(max_length=64, unique=True, default=_feed_token, editable=False)
    revoked_on = models.DateTimeField(_("revoked on"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")


class CapitalProject(TimeStampedModel):
    """Capital grant spent on community facilities, and the spaces it created or improved."""

    school = models.ForeignKey(School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="capital_projects")
    title_en = models.CharField(_("title in English"), max_length=200)
    title_cy = models.CharField(_("title in Welsh"), max_length=200)
    grant_source = models.CharField(_("grant"), max_length=200, help_text=_("For example: Welsh Government Community Focused Schools capital grant"))
    amount_pence = models.PositiveBigIntegerField(_("amount (pence)"))
    completed_on = models.DateField(_("completed on"))
    spaces = models.ManyToManyField(Space, verbose_name=_("spaces"), related_name="capital_projects")

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("capital project")
        verbose_name_plural = _("capital projects")

    def __str__(self) -> str:
        return localised(self, "title")
