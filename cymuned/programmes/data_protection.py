"""Programmes' part in subject access and retention (registered with the families domain's registries)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cymuned.access.policy import visible_to
from cymuned.families.models import Household
from cymuned.families.retention import ANONYMISED, DEFAULT_PERIODS, RetentionKind, RetentionRun, register_kind
from cymuned.families.subject_access import Entry, Section, record_of, register_section

from .models import Achievement, ConfidenceResponse, Enrolment, EnrolmentStatus


def _of_household(household: Household) -> Q:
    return Q(household=household) | Q(learner__household=household)


@register_section("enrolments", order=60)
def enrolments_section(*, household: Household, user: Any) -> Section | None:
    everyone = Enrolment.objects.filter(_of_household(household))
    shown = list(visible_to(user, Enrolment.objects.with_related()).filter(_of_household(household)).order_by("created_on", "pk"))
    total = everyone.count()
    if not total:
        return None
    records = [
        [Entry("programme", gettext_lazy("Programme"), e.programme_id, e.programme.title),
         *record_of(e, ["learner", "participant_name", "email", "telephone", "postcode", "places", "status", "source", "created_on",
                        "withdrawn_on", "access_needs"])]
        for e in shown
    ]
    return Section(title=gettext_lazy("Courses and activities"), records=records, withheld=total - len(shown), read=shown)


@register_section("programme-outcomes", order=65)
def outcomes_section(*, household: Household, user: Any) -> Section | None:
    enrolments = visible_to(user, Enrolment).filter(_of_household(household))
    achievements = list(Achievement.objects.filter(enrolment__in=enrolments).select_related("enrolment__programme").order_by("awarded_on"))
    answers = list(ConfidenceResponse.objects.filter(enrolment__in=enrolments).select_related("enrolment__programme").order_by("answered_on"))
    if not achievements and not answers:
        return None
    records = [
        [Entry("programme", gettext_lazy("Programme"), a.enrolment.programme_id, a.enrolment.programme.title),
         *record_of(a, ["title", "awarding_body", "level", "awarded_on"])]
        for a in achievements
    ] + [
        [Entry("programme", gettext_lazy("Programme"), r.enrolment.programme_id, r.enrolment.programme.title),
         *record_of(r, ["stage", "answered_on", "supporting_learning", "skills", "talking_to_school", "wellbeing"])]
        for r in answers
    ]
    return Section(title=gettext_lazy("Qualifications and questionnaire answers"), records=records)


class EnrolmentRetention(RetentionKind):
    """People's details on programmes that ended (or that they left) longer ago than the period.

    Anonymising keeps the programme, school, places, status and register marks, so reach and attendance
    figures do not change; deleting removes the enrolment with its marks and outcomes.
    """

    key = "enrolments"
    label = gettext_lazy("Places on finished courses and activities")
    model = Enrolment
    setting = "enrolment_ended_years"
    blank = {"participant_name": ANONYMISED, "email": "", "telephone": "", "postcode": "", "access_needs": ""}

    def due(self, run: RetentionRun) -> QuerySet[Enrolment]:
        cutoff = run.cutoff(self.setting)
        return Enrolment.objects.filter(
            Q(programme__ends_on__lt=cutoff) | Q(status=EnrolmentStatus.WITHDRAWN, withdrawn_on__lt=cutoff)
        ).order_by("created_on", "pk")

    def holding_personal_data(self, queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
        # A learner's enrolment with no name of its own has nothing to blank: the learner's record is the school's.
        return super().holding_personal_data(queryset.exclude(participant_name="", email="", telephone="", postcode="", access_needs=""))

    def describe(self, obj: Enrolment) -> str:
        return _("enrolment %(pk)s on programme %(programme)s") % {"pk": obj.pk, "programme": obj.programme_id}

    def anonymise(self, pks: list[int], run: RetentionRun) -> None:
        # A learner's enrolment keeps an empty name (the learner link names them), others get the placeholder.
        learners = list(Enrolment.objects.filter(pk__in=pks, learner__isnull=False).values_list("pk", flat=True))
        super().anonymise([pk for pk in pks if pk not in set(learners)], run)
        if learners:
            blank = {**self.blank, "participant_name": ""}
            from cymuned.families.retention import _quietly, log_retention, redact_history

            with _quietly():
                Enrolment.objects.filter(pk__in=learners).update(**blank)
            redact_history(Enrolment, learners, blank)
            log_retention(Enrolment, learners, run=run, kind=self, blanked=blank)


DEFAULT_PERIODS.setdefault(EnrolmentRetention.setting, 3)  # used where settings.CYMUNED_RETENTION does not say
register_kind(EnrolmentRetention())
