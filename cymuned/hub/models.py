"""Referrals from schools to the multi-agency hub and its partners, with the closed loop, service levels and
Team Around the Family meetings.

A referral carries the consent it was sent under (or a safeguarding lawful basis with a justification, flagged
for the hub coordinator's review). Every status change is a :class:`ReferralEvent`; the stage timestamps on the
referral make service-level figures one query. The service-level *due* moments are worked out when the referral
is made, from the :class:`ServiceLevel` of its local authority then in force, so changing a target later never
rewrites history and breaches are plain column comparisons (set-based, on PostgreSQL and SQLite alike).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cymuned.core.models import TimeStampedModel
from cymuned.families.models import Episode, Household, Learner
from cymuned.organisations.models import LocalAuthority, Organisation, Partner, School


class Need(models.TextChoices):
    HOUSING = "housing", _("Housing")
    MONEY = "money", _("Money and debt")
    FOOD = "food", _("Food")
    EMOTIONAL = "emotional", _("Emotional wellbeing and mental health")
    HEALTH = "health", _("Physical health")
    PARENTING = "parenting", _("Parenting support")
    DOMESTIC_ABUSE = "domestic_abuse", _("Domestic abuse")
    SUBSTANCE = "substance", _("Drugs and alcohol")
    YOUTH = "youth", _("Activities and support for young people")
    ADULT_LEARNING = "adult_learning", _("Learning and skills for adults")
    EMPLOYMENT = "employment", _("Work and careers")
    CHILDCARE = "childcare", _("Early years and childcare")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Soon")
    URGENT = "urgent", _("Urgent")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for triage")
    INFO_REQUESTED = "info_requested", _("More information asked for")
    ALLOCATED = "allocated", _("Allocated to a partner")
    RETURNED = "returned", _("Declined by the partner")
    ACCEPTED = "accepted", _("Accepted")
    IN_CONTACT = "in_contact", _("In contact with the family")
    OUTCOME_RECORDED = "outcome_recorded", _("Outcome recorded")
    CLOSED = "closed", _("Closed")
    DECLINED = "declined", _("Declined by the hub")


#: Statuses in which nothing more may change.
FINAL_STATUSES = frozenset({Status.CLOSED, Status.DECLINED})
#: Statuses waiting for the hub coordinator.
TRIAGE_STATUSES = frozenset({Status.SUBMITTED, Status.RETURNED})


class Outcome(models.TextChoices):
    SUPPORTED = "supported", _("Support given")
    PARTLY = "partly", _("Some support given")
    FAMILY_DECLINED = "family_declined", _("The family did not want support")
    NO_CONTACT = "no_contact", _("Could not contact the family")
    NO_SERVICE = "no_service", _("No suitable service found")
    REFERRED_ON = "referred_on", _("Referred on to another service")


class LawfulBasis(models.TextChoices):
    """The bases a referral without consent may rest on: each needs a justification and is reviewed by the hub."""

    SAFEGUARDING = "safeguarding", _("Safeguarding a child or adult at risk")
    VITAL_INTERESTS = "vital_interests", _("Protecting someone's life (vital interests)")
    LEGAL_DUTY = "legal_duty", _("A legal duty to share")


class ReferralQuerySet(models.QuerySet["Referral"]):
    def with_related(self) -> ReferralQuerySet:
        return self.select_related("school", "school__cluster", "partner", "service", "learner", "household", "referred_by", "consent")

    def open(self) -> ReferralQuerySet:
        return self.exclude(status__in=FINAL_STATUSES)

    def for_partner(self, partner: Partner) -> ReferralQuerySet:
        return self.filter(partner=partner)

    def with_sla(self, now: datetime.datetime | None = None) -> ReferralQuerySet:
        """Annotate each referral with whether it missed (or is past) each service level; set-based, one query.

        A stage is breached when it happened after its due moment, or has not happened and the moment has passed
        (a declined or closed referral no longer waits for the stages it skipped)."""
        now = now or timezone.now()
        live = ~Q(status__in=FINAL_STATUSES)
        triage = Q(triaged_on__gt=models.F("triage_due")) | Q(triaged_on__isnull=True, triage_due__lt=now) & live
        contact = Q(first_contact_on__gt=models.F("first_contact_due")) | (
            Q(first_contact_on__isnull=True, first_contact_due__lt=now) & live & ~Q(status=Status.OUTCOME_RECORDED))
        outcome = Q(outcome_on__gt=models.F("outcome_due")) | Q(outcome_on__isnull=True, outcome_due__lt=now) & live
        return self.annotate(
            triage_breached=ExpressionWrapper(triage, output_field=BooleanField()),
            contact_breached=ExpressionWrapper(contact, output_field=BooleanField()),
            outcome_breached=ExpressionWrapper(outcome, output_field=BooleanField()),
            sla_breached=ExpressionWrapper(triage | contact | outcome, output_field=BooleanField()),
        )


class Referral(TimeStampedModel):
    """A school's referral of a learner or family to the hub or to a partner. A personal record: reads are audited."""

    is_personal_record = True

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.PROTECT,
                                        related_name="referrals")
    school = models.ForeignKey(School, verbose_name=_("referring school"), on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("referred by"), on_delete=models.PROTECT,
                                    related_name="referrals_made")
    learner = models.ForeignKey(Learner, verbose_name=_("learner"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="referrals")
    # Retention deletes a family's referrals with the family (a referral is never kept longer than its household).
    household = models.ForeignKey(Household, verbose_name=_("family"), on_delete=models.CASCADE, related_name="referrals")
    partner = models.ForeignKey(Partner, verbose_name=_("partner organisation"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="referrals")
    service = models.ForeignKey("directory.Service", verbose_name=_("service"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="referrals")
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    details = models.TextField(_("what the family needs help with"), max_length=4000)
    family_knows = models.TextField(_("what the family knows about this referral"), max_length=2000)
    family_wants = models.TextField(_("what the family wants to happen"), max_length=2000)
    consent = models.ForeignKey("families.Consent", verbose_name=_("consent"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="referrals")
    lawful_basis = models.CharField(_("lawful basis without consent"), max_length=20, choices=LawfulBasis.choices, blank=True)
    override_justification = models.TextField(_("why the referral is made without consent"), blank=True, max_length=2000)
    override_reviewed_on = models.DateTimeField(_("override reviewed on"), null=True, blank=True)
    override_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("override reviewed by"), null=True, blank=True,
                                             on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True, max_length=2000)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(_("notes on the outcome"), blank=True, max_length=4000)
    submitted_on = models.DateTimeField(_("referred on"), default=timezone.now)
    triaged_on = models.DateTimeField(_("triaged on"), null=True, blank=True)
    accepted_on = models.DateTimeField(_("accepted on"), null=True, blank=True)
    first_contact_on = models.DateTimeField(_("first contact on"), null=True, blank=True)
    outcome_on = models.DateTimeField(_("outcome recorded on"), null=True, blank=True)
    closed_on = models.DateTimeField(_("closed on"), null=True, blank=True)
    triage_due = models.DateTimeField(_("triage due by"))
    first_contact_due = models.DateTimeField(_("first contact due by"))
    outcome_due = models.DateTimeField(_("outcome due by"))

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["local_authority", "status"], name="referral_la_status"),
            models.Index(fields=["partner", "status"], name="referral_partner_status"),
            models.Index(fields=["modified_on"], name="referral_modified"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent__isnull=False) | (~Q(lawful_basis="") & ~Q(override_justification="")),
                name="referral_consent_or_lawful_basis",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def is_override(self) -> bool:
        return bool(self.lawful_basis)

    @property
    def needs_list(self) -> list[str]:
        return [str(Need(n.need).label) for n in self.need_rows.all()]


class ReferralNeed(models.Model):
    """One need a referral is about (a row each, so figures by need are one GROUP BY)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="need_rows")
    need = models.CharField(_("need"), max_length=20, choices=Need.choices)

    class Meta:
        ordering = ["referral", "need"]
        constraints = [models.UniqueConstraint(fields=["referral", "need"], name="referral_need_once")]

    def __str__(self) -> str:
        return str(self.get_need_display())


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Referred")
    INFO_REQUESTED = "info_requested", _("More information asked for")
    INFO_GIVEN = "info_given", _("More information given")
    ACCEPTED_BY_HUB = "accepted_by_hub", _("Accepted by the hub")
    ALLOCATED = "allocated", _("Allocated")
    REROUTED = "rerouted", _("Re-routed")
    DECLINED = "declined", _("Declined by the hub")
    PARTNER_ACCEPTED = "partner_accepted", _("Accepted by the partner")
    PARTNER_DECLINED = "partner_declined", _("Declined by the partner")
    FIRST_CONTACT = "first_contact", _("First contact with the family")
    NOTE = "note", _("Note or action")
    OUTCOME = "outcome", _("Outcome recorded")
    CLOSED = "closed", _("Closed")
    OVERRIDE_REVIEWED = "override_reviewed", _("Lawful basis reviewed")


class ReferralEvent(models.Model):
    """One step in a referral's life: a status change or a note, who did it and when, and whether the partner sees it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    status = models.CharField(_("status after"), max_length=20, choices=Status.choices)
    happened_on = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    text = models.TextField(_("note"), blank=True, max_length=4000)
    visible_to_partner = models.BooleanField(_("the partner sees this"), default=True)

    class Meta:
        ordering = ["happened_on", "pk"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")

    def __str__(self) -> str:
        return f"{self.referral_id} {self.kind}"


class ServiceLevel(models.Model):
    """An LA's targets for one urgency: hours to triage, days to first contact and days to outcome, from referral."""

    local_authority = models.ForeignKey(LocalAuthority, verbose_name=_("local authority"), on_delete=models.CASCADE,
                                        related_name="service_levels")
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    hours_to_triage = models.PositiveSmallIntegerField(_("hours to triage"))
    days_to_first_contact = models.PositiveSmallIntegerField(_("days to first contact"))
    days_to_outcome = models.PositiveSmallIntegerField(_("days to outcome"))

    class Meta:
        ordering = ["local_authority", "urgency"]
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        constraints = [models.UniqueConstraint(fields=["local_authority", "urgency"], name="service_level_once")]

    def __str__(self) -> str:
        return f"{self.local_authority_id} {self.urgency}"


#: Targets used where an LA has not set its own: (hours to triage, days to first contact, days to outcome).
DEFAULT_SERVICE_LEVELS = {
    Urgency.URGENT: (4, 2, 14),
    Urgency.SOON: (24, 5, 30),
    Urgency.ROUTINE: (72, 10, 60),
}


class TeamAroundFamilyMeeting(TimeStampedModel):
    """A Team Around the Family meeting about one family's episode. A personal record."""

    is_personal_record = True

    episode = models.ForeignKey(Episode, verbose_name=_("episode"), on_delete=models.CASCADE, related_name="taf_meetings")
    held_on = models.DateField(_("date of the meeting"))
    place = models.CharField(_("where"), max_length=200, blank=True)
    minutes = models.TextField(_("minutes"), blank=True, max_length=10000)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("Team Around the Family meeting")
        verbose_name_plural = _("Team Around the Family meetings")

    def __str__(self) -> str:
        return f"{self.episode.household} {self.held_on:%d/%m/%Y}"


class TafAttendee(models.Model):
    """Someone at a meeting: a Cymuned user, or a named person from an organisation that does not use Cymuned."""

    meeting = models.ForeignKey(TeamAroundFamilyMeeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="taf_attendances")
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    organisation_name = models.CharField(_("organisation, if not listed"), max_length=200, blank=True)
    role = models.CharField(_("role at the meeting"), max_length=200, blank=True)

    class Meta:
        ordering = ["meeting", "name"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")

    def __str__(self) -> str:
        return self.name

    @property
    def organisation_label(self) -> str:
        return self.organisation.name if self.organisation_id else self.organisation_name


class AgreedAction(TimeStampedModel):
    """An action agreed at a meeting: who does it, for which organisation, and when it is reviewed."""

    meeting = models.ForeignKey(TeamAroundFamilyMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="taf_actions")
    owner_name = models.CharField(_("owner, if not a Cymuned user"), max_length=200, blank=True)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    review_on = models.DateField(_("review date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["review_on", "pk"]
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")

    def __str__(self) -> str:
        return self.description

    @property
    def owner_label(self) -> str:
        return self.owner.full_name if self.owner_id else self.owner_name
