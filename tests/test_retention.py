"""Retention: finished family work is anonymised or deleted after the configured years, and the figures stay the same."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum
from django.utils import timezone

from cymuned.families import retention, selectors
from cymuned.families.models import Carer, Consent, Contact, Episode, Household, Learner
from cymuned.families.retention import ANONYMISE, ANONYMISED, DELETE, DRY_RUN, RETENTION_KINDS, RetentionKind, retention_apply

from .factories import LearnerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
LONG_AGO = TODAY - datetime.timedelta(days=7 * 366)  # past the default six years
#: The outcome kinds (cymuned/outcomes/data_protection.py): the families here have no outcome data.
NO_OUTCOMES = dict.fromkeys(("attendance-marks", "attendance-summaries", "behaviour-incidents", "exclusions", "assessment-results",
                             "import-files"), 0)
FAMILY_MODELS = (Household, Carer, Consent, Episode, Contact)
PERSONAL = ("Evans", "Heol Uchaf", "CF47 9ZZ", "07700 900000", "dai@example.org", "Dad must not know", "office safe", "Moved away",
            "Food parcels", "doing well", "kitchen table")


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def backdate(*objects: Any, day: datetime.date = LONG_AGO) -> None:
    for obj in objects:
        type(obj).objects.filter(pk=obj.pk).update(created_on=moment(day), modified_on=moment(day))


@dataclass
class OldFamily:
    household: Household
    learner: Learner
    carer: Carer
    consent: Consent
    episode: Episode
    contacts: list[Contact]


@pytest.fixture
def old(world) -> OldFamily:
    """A family last worked with seven years ago: the learner has left, the episode closed, nothing changed since."""
    household = Household.objects.create(reference="The Evans family", address="1 Heol Uchaf", postcode="CF47 9ZZ",
                                         safe_contact_notes="Dad must not know the address", home_language="Welsh")
    learner = LearnerFactory(school=world.school_a, household=household, given_name="Osian", family_name="Rhys",
                             archived_on=moment(LONG_AGO))
    carer = Carer.objects.create(household=household, given_name="Dai", family_name="Evans", relationship="father",
                                 telephone="07700 900000", email="dai@example.org")
    consent = Consent.objects.create(household=household, purpose="feo_contact", given_by=carer, method="written",
                                     given_on=LONG_AGO - datetime.timedelta(days=400), evidence="Form in the office safe",
                                     withdrawn_on=LONG_AGO, withdrawal_reason="Moved away")
    episode = Episode.objects.create(household=household, school=world.school_a, officer=world.user("feo"), reasons=["food"],
                                     goals="Food parcels for the Evans family", opened_on=LONG_AGO - datetime.timedelta(days=300),
                                     closed_on=LONG_AGO, outcome="goals_met", outcome_notes="Evans family doing well")
    contacts = [
        Contact.objects.create(episode=episode, happened_on=LONG_AGO - datetime.timedelta(days=days), kind=kind, duration_minutes=minutes,
                               present="Dai Evans", notes="At the kitchen table", next_steps="Food parcels", topics=["food"])
        for days, kind, minutes in ((250, "home_visit", 60), (245, "phone", 10), (120, "school_meeting", 45))
    ]
    backdate(household, learner, carer, consent, episode, *contacts)
    return OldFamily(household, learner, carer, consent, episode, contacts)


@pytest.fixture
def recent(world):
    """A family whose episode closed 400 days ago: inside every default period."""
    household = Household.objects.create(reference="The Morgan family", address="2 Stryd Fawr")
    carer = Carer.objects.create(household=household, given_name="Bethan", family_name="Morgan", relationship="mother")
    Consent.objects.create(household=household, purpose="feo_contact", given_by=carer, method="verbal", given_on=TODAY - datetime.timedelta(days=550))
    episode = Episode.objects.create(household=household, school=world.school_a, officer=world.user("feo"), reasons=["attendance"],
                                     goals="Mornings", opened_on=TODAY - datetime.timedelta(days=500), closed_on=TODAY - datetime.timedelta(days=400),
                                     outcome="partly_met", outcome_notes="Better mornings")
    Contact.objects.create(episode=episode, happened_on=TODAY - datetime.timedelta(days=450), kind="phone", notes="Bethan called")
    return household


def figures(world) -> dict[str, Any]:
    """What the dashboards and returns count: none of it may change when records are anonymised."""
    since = LONG_AGO - datetime.timedelta(days=3 * 365)
    return {
        "contacts_per_month": selectors.contacts_per_month(user=world.user("headteacher"), since=since),
        "outcomes": list(Episode.objects.values("school_id", "outcome").annotate(n=Count("pk")).order_by("school_id", "outcome")),
        "contacts": list(Contact.objects.values("kind").annotate(n=Count("pk"), minutes=Sum("duration_minutes")).order_by("kind")),
        "reasons": sorted(tuple(e.reasons) for e in Episode.objects.all()),
        "carers": list(Carer.objects.values("relationship").annotate(n=Count("pk")).order_by("relationship")),
        "consents": list(Consent.objects.values_list("purpose", "given_on", "withdrawn_on").order_by("pk")),
        "households": Household.objects.count(),
        "learners_linked": Learner.objects.filter(household__isnull=False).count(),
    }


def snapshot(*models: Any) -> list[dict[str, Any]]:
    return [row for model in models for row in model.objects.order_by("pk").values()]


def personal_in_log() -> list[str]:
    """Personal values of the old family still copied in the audit log of the families domain."""
    types = ContentType.objects.get_for_models(*FAMILY_MODELS).values()
    found = []
    for entry in LogEntry.objects.filter(content_type__in=types):
        text = f"{entry.object_repr} {json.dumps(entry.changes)}"
        found += [value for value in PERSONAL if value in text]
    return found


def by_key(reports) -> dict[str, retention.KindReport]:
    return {r.kind.key: r for r in reports}


def test_dry_run_lists_what_is_due_and_changes_nothing(world, old, recent):
    before = snapshot(*FAMILY_MODELS)
    reports = by_key(retention_apply(mode=DRY_RUN))
    assert snapshot(*FAMILY_MODELS) == before
    assert reports["episodes"].due == 1 and reports["episodes"].changed == 0
    assert reports["contacts"].due == 3 and reports["households"].due == 1
    assert any(f"episode {old.episode.pk} at Alpha School" in line for line in reports["episodes"].lines)
    lines = " ".join(line for r in reports.values() for line in r.lines)
    assert not [value for value in PERSONAL if value in lines]  # the listing names no one


def test_anonymising_keeps_the_figures_and_blanks_the_people(world, old, recent):
    before_figures = figures(world)
    assert set(personal_in_log()) >= {"Evans", "07700 900000", "kitchen table"}  # the change log copied them when they were written
    untouched = [world.household.pk, recent.pk]
    before_untouched = state_of_households(untouched)
    reports = by_key(retention_apply(mode=ANONYMISE))
    assert {k: r.changed for k, r in reports.items()} == {"contacts": 3, "episodes": 1, "households": 1, "enrolments": 0, "referrals": 0,
                                                          **NO_OUTCOMES}
    assert figures(world) == before_figures
    assert state_of_households(untouched) == before_untouched  # within retention: not a byte changed

    household = Household.objects.get(pk=old.household.pk)
    assert (household.reference, household.address, household.postcode, household.safe_contact_notes) == (ANONYMISED, "", "", "")
    assert household.home_language == "Welsh" and household.archived_on is not None
    carer = Carer.objects.get(pk=old.carer.pk)
    assert (carer.given_name, carer.family_name, carer.telephone, carer.email) == (ANONYMISED, ANONYMISED, "", "")
    assert carer.relationship == "father"
    consent = Consent.objects.get(pk=old.consent.pk)
    assert (consent.evidence, consent.withdrawal_reason, consent.withdrawn_on) == ("", "", LONG_AGO)
    episode = Episode.objects.get(pk=old.episode.pk)
    assert (episode.goals, episode.outcome_notes, episode.outcome, episode.closed_on) == (ANONYMISED, "", "goals_met", LONG_AGO)
    assert set(Contact.objects.filter(episode=episode).values_list("present", "notes", "next_steps")) == {("", "", "")}
    assert Learner.objects.get(pk=old.learner.pk).household_id == household.pk  # still counted with the family

    assert personal_in_log() == []
    logged = LogEntry.objects.filter(additional_data__retention=ANONYMISE)
    assert logged.filter(object_id=old.episode.pk, additional_data__kind="episodes", actor=None).count() == 1
    assert logged.filter(object_id=old.carer.pk, additional_data__rule="household_inactive_years").exists()

    again = by_key(retention_apply(mode=ANONYMISE))
    assert {r.changed for r in again.values()} == {0}
    assert again["episodes"].due == 1 and again["episodes"].holding_personal_data == 0


def state_of_households(pks: list[int]) -> list[Any]:
    """Every row of these households, their carers, consents, episodes and contacts."""
    return [
        list(Household.objects.filter(pk__in=pks).order_by("pk").values()),
        list(Carer.objects.filter(household_id__in=pks).order_by("pk").values()),
        list(Consent.objects.filter(household_id__in=pks).order_by("pk").values()),
        list(Episode.objects.filter(household_id__in=pks).order_by("pk").values()),
        list(Contact.objects.filter(episode__household_id__in=pks).order_by("pk").values()),
    ]


def test_deleting_removes_only_what_is_due(world, old, recent):
    untouched = [world.household.pk, recent.pk]
    before_untouched = state_of_households(untouched)
    reports = by_key(retention_apply(mode=DELETE))
    assert {k: r.changed for k, r in reports.items()} == {"contacts": 3, "episodes": 1, "households": 1, "enrolments": 0, "referrals": 0,
                                                          **NO_OUTCOMES}
    assert not Household.objects.filter(pk=old.household.pk).exists()
    assert not Carer.objects.filter(pk=old.carer.pk).exists() and not Consent.objects.filter(pk=old.consent.pk).exists()
    assert not Episode.objects.filter(pk=old.episode.pk).exists() and not Contact.objects.filter(episode_id=old.episode.pk).exists()
    assert Learner.objects.get(pk=old.learner.pk).household_id is None  # the school's roll record stays
    assert state_of_households(untouched) == before_untouched
    deleted = LogEntry.objects.filter(action=LogEntry.Action.DELETE, additional_data__retention=DELETE)
    assert deleted.filter(object_id=old.household.pk, content_type=ContentType.objects.get_for_model(Household)).exists()
    assert deleted.filter(content_type=ContentType.objects.get_for_model(Contact)).count() == 3
    assert personal_in_log() == []


def test_a_household_with_a_learner_on_roll_or_recent_work_is_kept(world, old):
    Learner.objects.filter(pk=old.learner.pk).update(archived_on=None)
    assert by_key(retention_apply(mode=DRY_RUN))["households"].due == 0
    Learner.objects.filter(pk=old.learner.pk).update(archived_on=moment(LONG_AGO))
    Episode.objects.create(household=old.household, school=world.school_a, officer=world.user("feo"), reasons=["money"], goals="Budget",
                           opened_on=TODAY - datetime.timedelta(days=30))
    reports = by_key(retention_apply(mode=ANONYMISE))
    assert reports["households"].due == 0 and reports["episodes"].changed == 1  # the old episode still goes
    assert Household.objects.get(pk=old.household.pk).reference == "The Evans family"


def test_periods_come_from_settings(world, old, recent, settings):
    settings.CYMUNED_RETENTION = {"episode_closed_years": 1, "household_inactive_years": 10}
    reports = by_key(retention_apply(mode=DRY_RUN))
    assert reports["episodes"].due == 2  # the Morgans' episode closed 400 days ago
    assert reports["households"].due == 0  # nothing has been quiet for ten years


def test_other_apps_can_add_a_kind_of_record(world, old, monkeypatch):
    class LeftLearners(RetentionKind):
        key = "left_learners"
        label = "Learners who left"
        model = Learner
        setting = "learner_left_years"
        blank = {"given_name": ANONYMISED, "family_name": ANONYMISED}

        def due(self, run):
            return Learner.objects.filter(archived_on__lt=run.cutoff_moment(self.setting))

    monkeypatch.setitem(RETENTION_KINDS, "left_learners", LeftLearners())
    reports = by_key(retention_apply(mode=ANONYMISE, periods={**retention.retention_periods(), "learner_left_years": 5}))
    assert reports["left_learners"].changed == 1
    assert Learner.objects.get(pk=old.learner.pk).given_name == ANONYMISED
    assert Learner.objects.get(pk=world.learner_a.pk).given_name == "Alys"


def test_command_lists_by_default_and_acts_when_told(world, old):
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "Nothing was changed" in out.getvalue() and f"episode {old.episode.pk}" in out.getvalue()
    assert Episode.objects.get(pk=old.episode.pk).goals.startswith("Food")
    out = StringIO()
    call_command("apply_retention", "--anonymise", stdout=out)
    assert "Anonymised 5 records" in out.getvalue()
    assert Episode.objects.get(pk=old.episode.pk).goals == ANONYMISED
    with pytest.raises(CommandError):
        call_command("apply_retention", "--anonymise", "--delete")


def test_unknown_mode_is_refused(world):
    with pytest.raises(ValueError, match="Unknown retention mode"):
        retention_apply(mode="shred")


@pytest.mark.parametrize(("day", "years", "expected"), [
    (datetime.date(2030, 5, 1), 6, datetime.date(2024, 5, 1)),
    (datetime.date(2028, 2, 29), 6, datetime.date(2022, 2, 28)),
])
def test_years_before(day, years, expected):
    assert retention.years_before(day, years) == expected
