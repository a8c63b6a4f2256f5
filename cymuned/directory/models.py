"""The services directory, modelled on the Open Referral UK profile (ORUK 3.0) of HSDS 3.0.

Names follow the standard so that the read API (``cymuned/directory/oruk.py``) and the importer
(``importing.py``) map fields one to one: a ``Service`` is provided by an organisation, delivered at
``Location``s through ``ServiceAtLocation``, has ``Contact``s with ``Phone``s, ``Schedule``s (the
RFC 5545 style fields ORUK uses: ``freq``, ``byday``, ``opens_at``, ``closes_at``, ``valid_from``,
``valid_to``), ``Language``s (ISO 639 codes), ``CostOption``s, ``ServiceArea``s and taxonomy terms
(linked through ``ServiceAttribute``, the ORUK 3.0 ``attribute`` object). Text people read is held
in English and Welsh (``name_en``/``name_cy``); the ORUK feed publishes the English (or the Welsh when
English is empty).

Every directory object has a UUID primary key: it *is* the ORUK ``id``, so importing the same feed
twice finds the same rows (the importer is idempotent by id).

Organisations: a service points at the Cymuned ``organisations.Organisation`` that maintains it (a
partner, a school or the LA). ORUK organisation ids are kept in ``OrganisationIdentifier``; an
organisation with no row there publishes the stable ``uuid5`` of its primary key
(:func:`oruk_organisation_id`). An imported organisation Cymuned does not know yet is created as an
``organisations.Partner`` in the importing LA and mapped to the feed's id.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import TimeStampedModel, localised
from cymuned.organisations.models import LocalAuthority, Organisation

#: Namespace of the ORUK ids Cymuned derives for its own organisations.
ORGANISATION_NAMESPACE = uuid.UUID("6f1c1f3e-2a53-4c1b-9d8e-63796d756e65")


def oruk_organisation_id(organisation_id: int) -> uuid.UUID:
    """The ORUK id of a Cymuned organisation that came from no feed: stable across databases."""
    return uuid.uuid5(ORGANISATION_NAMESPACE, f"organisation:{organisation_id}")


class OrganisationIdentifier(models.Model):
    """The ORUK ``organization.id`` an organisation was imported under (one per organisation)."""

    id = models.UUIDField(_("ORUK identifier"), primary_key=True)
    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="oruk_identifier"
    )

    class Meta:
        verbose_name = _("ORUK organisation identifier")
        verbose_name_plural = _("ORUK organisation identifiers")

    def __str__(self) -> str:
        return str(self.id)


class Taxonomy(models.Model):
    """A vocabulary of terms (ORUK ``taxonomy``), for example the Cymuned needs taxonomy."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200, blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    description_cy = models.TextField(_("description in Welsh"), blank=True)
    uri = models.URLField(_("URI"), blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)
    vocabulary = models.SlugField(
        _("vocabulary"), max_length=60, unique=True, help_text=_("A short code naming the vocabulary, for example cymuned-needs.")
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")

    @property
    def description(self) -> str:
        return localised(self, "description")


class TaxonomyTermQuerySet(models.QuerySet):
    def with_related(self) -> TaxonomyTermQuerySet:
        return self.select_related("taxonomy")


class TaxonomyTerm(models.Model):
    """One term of a taxonomy (ORUK ``taxonomy_term``): a need people search by."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, verbose_name=_("taxonomy"), on_delete=models.PROTECT, related_name="terms")
    code = models.CharField(_("code"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200, blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    description_cy = models.TextField(_("description in Welsh"), blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent term"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    term_uri = models.URLField(_("term URI"), blank=True)

    objects = TaxonomyTermQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="directory_term_unique_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")

    @property
    def description(self) -> str:
        return localised(self, "description")


class ServiceStatus(models.TextChoices):
    """ORUK ``service.status``; the values are the standard's."""

    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


#: Statuses the public directory and the ORUK feed show.
PUBLIC_STATUSES = (ServiceStatus.ACTIVE, ServiceStatus.TEMPORARILY_CLOSED)


class ServiceQuerySet(models.QuerySet):
    def public(self) -> ServiceQuerySet:
        return self.filter(status__in=PUBLIC_STATUSES)

    def with_related(self) -> ServiceQuerySet:
        return self.select_related("organisation", "local_authority")

    def stale(self, *, today: datetime.date | None = None, months: int = 12) -> ServiceQuerySet:
        """Entries due a check: review date passed, or unchanged for ``months`` months."""
        today = today or timezone.localdate()
        cutoff = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=round(months * 30.44)), datetime.time()))
        return self.filter(Q(review_date__lt=today) | Q(last_modified__lt=cutoff))


class Service(TimeStampedModel):
    """A service offered to families and the community (ORUK ``service``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    local_authority = models.ForeignKey(
        LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT, related_name="la_directory_services",
        help_text=_("The local authority whose directory lists it."),
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="directory_services",
        help_text=_("The partner, school or local authority that provides and maintains it."),
    )
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200, blank=True)
    description_en = models.TextField(_("description in English"))
    description_cy = models.TextField(_("description in Welsh"), blank=True)
    url = models.URLField(_("website"), max_length=500, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    is_free = models.BooleanField(_("free to use"), default=True)
    fees_description_en = models.TextField(_("fees (English)"), blank=True, help_text=_("Any charges, in words."))
    fees_description_cy = models.TextField(_("fees (Welsh)"), blank=True)
    eligibility_description_en = models.TextField(_("who can use it (English)"), blank=True)
    eligibility_description_cy = models.TextField(_("who can use it (Welsh)"), blank=True)
    minimum_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)])
    maximum_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True, validators=[MaxValueValidator(120)])
    accreditations_en = models.TextField(_("accreditations (English)"), blank=True)
    accreditations_cy = models.TextField(_("accreditations (Welsh)"), blank=True)
    alert_en = models.TextField(_("short-term alert (English)"), blank=True)
    alert_cy = models.TextField(_("short-term alert (Welsh)"), blank=True)
    welsh_active_offer = models.BooleanField(
        _("Welsh language active offer"), default=False,
        help_text=_("People can use the service in Welsh without having to ask for it."),
    )
    assured_date = models.DateField(_("date last checked"), null=True, blank=True)
    assurer_email = models.EmailField(_("checked by (email)"), blank=True)
    review_date = models.DateField(_("review by"), null=True, blank=True, help_text=_("When the entry must next be checked."))
    last_modified = models.DateTimeField(
        _("last modified"), default=timezone.now,
        help_text=_("When the service or anything about it last changed (ORUK last_modified)."),
    )
    taxonomy_terms = models.ManyToManyField(
        TaxonomyTerm, verbose_name=_("needs met"), through="ServiceAttribute", related_name="services", blank=True
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True) | Q(maximum_age__isnull=True) | Q(maximum_age__gte=models.F("minimum_age")),
                name="directory_service_age_range",
            )
        ]
        indexes = [models.Index(fields=["local_authority", "status"]), models.Index(fields=["last_modified"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")

    @property
    def description(self) -> str:
        return localised(self, "description")

    @property
    def fees_description(self) -> str:
        return localised(self, "fees_description")

    @property
    def eligibility_description(self) -> str:
        return localised(self, "eligibility_description")

    @property
    def accreditations(self) -> str:
        return localised(self, "accreditations")

    @property
    def alert(self) -> str:
        return localised(self, "alert")


class ServiceAttribute(models.Model):
    """A service classified by a taxonomy term (ORUK 3.0 ``attribute`` with ``link_type`` service)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="attributes")
    taxonomy_term = models.ForeignKey(TaxonomyTerm, verbose_name=_("taxonomy term"), on_delete=models.PROTECT, related_name="attributes")
    value = models.CharField(_("value"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("service taxonomy term")
        verbose_name_plural = _("service taxonomy terms")
        constraints = [models.UniqueConstraint(fields=["service", "taxonomy_term"], name="directory_attribute_once")]

    def __str__(self) -> str:
        return f"{self.service_id} {self.taxonomy_term_id}"


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("A place people visit")
    POSTAL = "postal", _("A postal address")
    VIRTUAL = "virtual", _("Online")


latitude_validators = [MinValueValidator(-90), MaxValueValidator(90)]
longitude_validators = [MinValueValidator(-180), MaxValueValidator(180)]


class Location(TimeStampedModel):
    """Where services are delivered (ORUK ``location`` with its ``address``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT, related_name="la_directory_locations")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.PROTECT, related_name="directory_locations"
    )
    location_type = models.CharField(_("type of location"), max_length=20, choices=LocationType.choices, default=LocationType.PHYSICAL)
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200, blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    description_cy = models.TextField(_("description in Welsh"), blank=True)
    address_1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("town or city"), max_length=100, blank=True)
    region = models.CharField(_("county"), max_length=100, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=10, blank=True,
        validators=[RegexValidator(r"^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$", _("Enter a real postcode, for example CF10 1AA."))],
    )
    country = models.CharField(_("country"), max_length=2, default="GB")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=latitude_validators)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=longitude_validators)
    url = models.URLField(_("website"), max_length=500, blank=True)
    transportation_en = models.TextField(_("getting there (English)"), blank=True)
    transportation_cy = models.TextField(_("getting there (Welsh)"), blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")

    @property
    def description(self) -> str:
        return localised(self, "description")

    @property
    def transportation(self) -> str:
        return localised(self, "transportation")

    @property
    def address_lines(self) -> list[str]:
        return [part for part in (self.address_1, self.address_2, self.city, self.region, self.postcode) if part]


class Accessibility(models.Model):
    """What a location offers disabled people (ORUK ``accessibility``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.CASCADE, related_name="accessibilities")
    description_en = models.TextField(_("description in English"))
    description_cy = models.TextField(_("description in Welsh"), blank=True)
    details = models.TextField(_("details"), blank=True)
    url = models.URLField(_("more information"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("accessibility")
        verbose_name_plural = _("accessibility")

    def __str__(self) -> str:
        return self.description

    @property
    def description(self) -> str:
        return localised(self, "description")


class ServiceAtLocation(models.Model):
    """A service delivered at a location (ORUK ``service_at_location``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.PROTECT, related_name="service_at_locations")
    description_en = models.TextField(_("description in English"), blank=True)
    description_cy = models.TextField(_("description in Welsh"), blank=True)

    class Meta:
        verbose_name = _("service at a location")
        verbose_name_plural = _("services at locations")
        constraints = [models.UniqueConstraint(fields=["service", "location"], name="directory_service_at_location_once")]

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"

    @property
    def description(self) -> str:
        return localised(self, "description")


class Contact(models.Model):
    """A named contact for a service (ORUK ``contact``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name or self.title or self.email


class Phone(models.Model):
    """A telephone number for a service, or for one of its contacts (ORUK ``phone``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="phones")
    contact = models.ForeignKey(Contact, verbose_name=_("contact"), null=True, blank=True, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number"), max_length=30)
    extension = models.CharField(_("extension"), max_length=10, blank=True)
    type = models.CharField(_("type"), max_length=20, blank=True, help_text=_("For example: voice, text, fax."))
    description_en = models.CharField(_("description in English"), max_length=200, blank=True)
    description_cy = models.CharField(_("description in Welsh"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("telephone number")
        verbose_name_plural = _("telephone numbers")

    def __str__(self) -> str:
        return self.number

    @property
    def description(self) -> str:
        return localised(self, "description")


class Weekday(models.TextChoices):
    """RFC 5545 ``BYDAY`` codes, as ORUK schedules use them."""

    MO = "MO", _("Monday")
    TU = "TU", _("Tuesday")
    WE = "WE", _("Wednesday")
    TH = "TH", _("Thursday")
    FR = "FR", _("Friday")
    SA = "SA", _("Saturday")
    SU = "SU", _("Sunday")


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", _("Every week")
    MONTHLY = "MONTHLY", _("Every month")


class Schedule(models.Model):
    """When a service is open (ORUK ``schedule``): ``byday`` holds comma-separated RFC 5545 day codes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="schedules")
    service_at_location = models.ForeignKey(
        ServiceAtLocation, verbose_name=_("at location"), null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    freq = models.CharField(_("how often"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY)
    interval = models.PositiveSmallIntegerField(_("interval"), default=1, validators=[MinValueValidator(1), MaxValueValidator(52)])
    byday = models.CharField(
        _("days"), max_length=40, blank=True,
        validators=[RegexValidator(r"^([+-]?\d?(MO|TU|WE|TH|FR|SA|SU))(,[+-]?\d?(MO|TU|WE|TH|FR|SA|SU))*$", _("Use day codes such as MO,WE,FR."))],
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("until"), null=True, blank=True)
    description_en = models.TextField(_("description in English"), blank=True)
    description_cy = models.TextField(_("description in Welsh"), blank=True)

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="directory_schedule_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="directory_schedule_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.byday} {self.opens_at}-{self.closes_at}"

    @property
    def description(self) -> str:
        return localised(self, "description")

    @property
    def days(self) -> list[str]:
        labels = dict(Weekday.choices)
        return [str(labels.get(code[-2:], code)) for code in self.byday.split(",") if code]


class Language(models.Model):
    """A language the service is offered in (ORUK ``language``), by ISO 639 code."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(
        _("ISO 639 code"), max_length=3, validators=[RegexValidator(r"^[a-z]{2,3}$", _("Enter a two or three letter ISO 639 code, for example cy."))]
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="directory_language_once")]

    def __str__(self) -> str:
        return self.name or self.code


class CostOption(models.Model):
    """A charge for a service (ORUK ``cost_option``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="cost_options")
    option_en = models.CharField(_("what it is for (English)"), max_length=200, blank=True)
    option_cy = models.CharField(_("what it is for (Welsh)"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="GBP")
    amount_description_en = models.CharField(_("amount in words (English)"), max_length=200, blank=True)
    amount_description_cy = models.CharField(_("amount in words (Welsh)"), max_length=200, blank=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("cost option")
        verbose_name_plural = _("cost options")

    def __str__(self) -> str:
        return self.option

    @property
    def option(self) -> str:
        return localised(self, "option")

    @property
    def amount_description(self) -> str:
        return localised(self, "amount_description")


class ServiceArea(models.Model):
    """The area a service covers (ORUK ``service_area``), by name and optional URI."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="service_areas")
    name_en = models.CharField(_("name in English"), max_length=200)
    name_cy = models.CharField(_("name in Welsh"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    uri = models.URLField(_("URI"), max_length=500, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self, "name")
