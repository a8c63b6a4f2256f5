"""The multi-agency hub: referrals' state machine and refusals, data minimisation, the closed loop, service levels,
the daily digest, Team Around the Family meetings and every page."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cymuned.audit.models import ExportRecord
from cymuned.core.models import Notification
from cymuned.core.scheduler import JOBS
from cymuned.hub import services
from cymuned.hub.minimisation import shared_view
from cymuned.hub.models import AgreedAction, Referral, ReferralEvent, ServiceLevel, Status, TeamAroundFamilyMeeting

from .hub_helpers import consent, refer

pytestmark = pytest.mark.django_db


def _code(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.code


# --- Making a referral -----------------------------------------------------------------------------------------------

def test_refer_to_a_partner_with_consent_allocates_it_and_tells_the_partner(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(world)
    assert referral.status == Status.ALLOCATED and referral.reference == f"HUB-{referral.pk:06d}"
    assert referral.school == world.school_a and referral.local_authority == world.la
    assert sorted(n.need for n in referral.need_rows.all()) == ["housing", "money"]
    assert list(referral.events.values_list("kind", flat=True)) == ["submitted"]
    assert Notification.objects.filter(user=world.users["partner_worker"], message__contains=referral.reference).exists()
    assert not Notification.objects.filter(user=world.users["partner_other"]).exists()
    assert any(world.users["partner_worker"].email in m.to for m in mail.outbox)
    # soon: 24 hours to triage, 5 days to first contact, 30 days to outcome, from the moment it was made
    assert referral.triage_due - referral.submitted_on == datetime.timedelta(hours=24)
    assert referral.outcome_due - referral.submitted_on == datetime.timedelta(days=30)


@pytest.mark.parametrize(("setup", "code"), [
    ("none", "no_consent"), ("withdrawn", "consent_withdrawn"), ("wrong_purpose", "consent_wrong_purpose"),
])
def test_a_referral_without_valid_consent_is_refused_and_nothing_is_written(world, setup, code):
    given = {"none": None, "withdrawn": consent(world, "share_housing", withdrawn=True) if setup == "withdrawn" else None,
             "wrong_purpose": consent(world, "share_health") if setup == "wrong_purpose" else None}[setup]
    with pytest.raises(ValidationError) as caught:
        refer(world, consent=given)
    assert _code(caught.value) == code
    assert not Referral.objects.exists() and not ReferralEvent.objects.exists()


def test_a_safeguarding_override_needs_a_justification_and_is_flagged_for_review(world):
    with pytest.raises(ValidationError) as caught:
        refer(world, consent=None, lawful_basis="safeguarding", override_justification="Worried")
    assert _code(caught.value) == "justification_required"
    referral = refer(world, consent=None, lawful_basis="safeguarding",
                     override_justification="Disclosure at school today; asking the family could put the child at risk.")
    assert referral.consent is None and referral.override_reviewed_on is None
    assert Notification.objects.filter(user=world.users["hub_coordinator"], message__contains="without consent").exists()
    services.referral_review_override(by=world.users["hub_coordinator"], referral=referral)
    referral.refresh_from_db()
    assert referral.override_reviewed_by == world.users["hub_coordinator"]


def test_only_referrers_of_the_family_may_refer(world):
    with pytest.raises(PermissionDenied):
        refer(world, by="partner_worker")
    with pytest.raises(PermissionDenied):
        refer(world, by="head_other_cluster")


# --- The state machine -----------------------------------------------------------------------------------------------

def test_the_closed_loop_from_hub_triage_to_outcome_in_the_referrers_language(world, django_capture_on_commit_callbacks):
    feo, hub, partner = world.users["feo"], world.users["hub_coordinator"], world.users["partner_worker"]
    feo.preferred_language = "cy"
    feo.save()
    consent(world, "share_housing")
    referral = refer(world, to_partner=False)
    assert referral.status == Status.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_allocate(by=hub, referral=referral, partner=world.partner_p, note="Tenancy support")
        assert referral.status == Status.ALLOCATED and referral.consent.purpose == "share_housing" and referral.triaged_on
        referral = services.referral_partner_accept(by=partner, referral=referral)
        referral = services.referral_first_contact(by=partner, referral=referral, note="Phoned Mum")
        referral = services.referral_record_outcome(by=partner, referral=referral, outcome="supported", notes="Payment plan agreed")
        referral = services.referral_close(by=partner, referral=referral)
    assert referral.status == Status.CLOSED and referral.closed_on and referral.first_contact_on and referral.accepted_on
    kinds = list(referral.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "allocated", "partner_accepted", "first_contact", "outcome", "closed"]
    # The referrer hears of the acceptance and of the outcome, in Welsh (the partner's Welsh name shows it).
    messages = list(Notification.objects.filter(user=feo).order_by("pk").values_list("message", flat=True))
    assert len(messages) == 2 and world.partner_p.name_cy in messages[0]
    assert [m.to for m in mail.outbox if feo.email in m.to] == [[feo.email], [feo.email]]
    # Nothing more may change on a closed referral.
    for attempt in (lambda: services.referral_add_note(by=partner, referral=referral, text="late"),
                    lambda: services.referral_close(by=partner, referral=referral, outcome="supported"),
                    lambda: services.referral_decline(by=hub, referral=referral, reason="no")):
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert caught.value.code == "referral_closed"


def test_triage_ask_for_information_answer_then_decline(world):
    hub, feo = world.users["hub_coordinator"], world.users["feo"]
    referral = refer(world, to_partner=False)
    with pytest.raises(ValidationError):
        services.referral_request_info(by=hub, referral=referral, question="  ")
    referral = services.referral_request_info(by=hub, referral=referral, question="Which school does the sibling attend?")
    assert referral.status == Status.INFO_REQUESTED
    with pytest.raises(PermissionDenied):
        services.referral_give_info(by=world.users["partner_worker"], referral=referral, answer="x")
    referral = services.referral_give_info(by=feo, referral=referral, answer="The same school")
    assert referral.status == Status.SUBMITTED
    referral = services.referral_decline(by=hub, referral=referral, reason="Already supported by Children's Services")
    assert referral.status == Status.DECLINED and referral.closed_on
    assert Notification.objects.filter(user=feo, message__contains="declined").exists()


def test_hub_accepts_for_itself_and_records_the_outcome(world):
    hub = world.users["hub_coordinator"]
    referral = services.referral_accept(by=hub, referral=refer(world, to_partner=False))
    assert referral.status == Status.ACCEPTED and referral.partner is None
    referral = services.referral_close(by=hub, referral=referral, outcome="no_service", notes="Nothing local")
    assert referral.status == Status.CLOSED and referral.outcome == "no_service"


def test_partner_declines_and_the_hub_reroutes(world):
    hub, partner = world.users["hub_coordinator"], world.users["partner_worker"]
    referral = services.referral_partner_decline(by=partner, referral=refer(world), reason="Not our area")
    assert referral.status == Status.RETURNED
    assert Notification.objects.filter(user=hub, message__contains="needs re-routing").exists()
    referral = services.referral_allocate(by=hub, referral=referral, partner=world.partner_q)
    assert referral.status == Status.ALLOCATED and referral.partner == world.partner_q
    assert referral.events.filter(kind="rerouted").exists()
    # partner P no longer reaches it; partner Q's worker now does
    with pytest.raises(PermissionDenied):
        services.referral_partner_accept(by=partner, referral=referral)
    services.referral_partner_accept(by=world.users["partner_other"], referral=referral)


def test_illegal_transitions_and_wrong_partner_are_refused(world):
    referral = refer(world)
    with pytest.raises(ValidationError) as caught:
        services.referral_first_contact(by=world.users["partner_worker"], referral=referral)
    assert caught.value.code == "illegal_transition"
    with pytest.raises(PermissionDenied):
        services.referral_partner_accept(by=world.users["partner_other"], referral=referral)
    with pytest.raises(PermissionDenied):
        services.referral_allocate(by=world.users["partner_worker"], referral=referral, partner=world.partner_q)
    with pytest.raises(ValidationError) as caught:
        services.referral_allocate(by=world.users["hub_coordinator"], referral=referral, partner=world.partner_p)
    assert _code(caught.value) == "same_partner"


def test_allocation_needs_consent_for_the_new_kind_of_partner(world):
    world.partner_q.partner_type = "health"
    world.partner_q.save()
    referral = refer(world, to_partner=False)
    with pytest.raises(ValidationError) as caught:
        services.referral_allocate(by=world.users["hub_coordinator"], referral=referral, partner=world.partner_q)
    assert _code(caught.value) == "no_consent"
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED and referral.partner is None


# --- Data minimisation -----------------------------------------------------------------------------------------------

def test_a_partner_sees_only_what_the_consent_level_allows(world, client_for):
    world.household.address = "1 Heol y Nant"
    world.household.save()
    world.carer.email = "sian@example.org"
    world.carer.save()
    referral = refer(world)
    partner_keys = {key for key, _label, _value in shared_view(world.users["partner_worker"], referral)}
    hub_keys = {key for key, _label, _value in shared_view(world.users["hub_coordinator"], referral)}
    assert {"family_wants", "carer_email", "carer_name"} <= partner_keys
    assert not {"address", "learner_date_of_birth", "override_justification"} & partner_keys
    assert {"address", "learner_date_of_birth"} <= hub_keys
    page = client_for("partner_worker").get(reverse("hub:referral-detail", args=[referral.pk])).content.decode()
    assert "sian@example.org" in page and "1 Heol y Nant" not in page and "Do not call after 6pm" not in page
    # The family's other data stays closed to the partner.
    assert client_for("partner_worker").get(reverse("families:household-detail", args=[world.household.pk])).status_code == 404


def test_the_partner_loses_the_referral_when_the_family_withdraws_its_consent(world, client_for):
    import datetime

    referral = refer(world)
    url = reverse("hub:referral-detail", args=[referral.pk])
    assert client_for("partner_worker").get(url).status_code == 200
    referral.consent.withdrawn_on = datetime.date.today()
    referral.consent.save()
    assert client_for("partner_worker").get(url).status_code == 404
    assert client_for("partner_worker").get(reverse("api:referral-detail", args=[referral.pk])).status_code == 404
    assert client_for("hub_coordinator").get(url).status_code == 200  # the hub still sees it, to close it


def test_under_a_lawful_basis_the_partner_sees_the_address_but_not_contact_preferences(world):
    world.carer.email = "sian@example.org"
    world.carer.save()
    referral = refer(world, consent=None, lawful_basis="safeguarding",
                     override_justification="Disclosure at school today; the police must be told before the family.")
    keys = {key for key, _label, _value in shared_view(world.users["partner_worker"], referral)}
    assert {"address", "override_justification", "lawful_basis"} <= keys
    assert not {"carer_email", "contact_method", "family_wants"} & keys


def test_hub_only_events_are_hidden_from_the_partner(world, client_for):
    referral = refer(world)
    services.referral_add_note(by=world.users["hub_coordinator"], referral=referral, text="Known to social services",
                               visible_to_partner=False)
    services.referral_add_note(by=world.users["partner_worker"], referral=referral, text="Will phone tomorrow", visible_to_partner=False)
    page = client_for("partner_worker").get(reverse("hub:referral-detail", args=[referral.pk])).content.decode()
    assert "Will phone tomorrow" in page and "Known to social services" not in page
    assert "Known to social services" in client_for("feo").get(reverse("hub:referral-detail", args=[referral.pk])).content.decode()


def test_every_read_of_a_referral_is_audited(world, client_for):
    from auditlog.models import LogEntry

    referral = refer(world)
    client_for("partner_worker").get(reverse("hub:referral-detail", args=[referral.pk]))
    client_for("partner_worker").get(reverse("hub:partner"))
    reads = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(referral.pk), content_type__model="referral")
    assert reads.count() == 2 and reads.filter(actor=world.users["partner_worker"]).count() == 2


# --- Service levels and the digest -----------------------------------------------------------------------------------

def _aged(referral: Referral, **changes: object) -> Referral:
    Referral.objects.filter(pk=referral.pk).update(**changes)
    return Referral.objects.with_sla().get(pk=referral.pk)


def test_service_level_breaches_are_computed_in_the_database(world):
    now = timezone.now()
    past = now - datetime.timedelta(days=40)
    due = {"submitted_on": past, "triage_due": past + datetime.timedelta(hours=4), "first_contact_due": past + datetime.timedelta(days=2),
           "outcome_due": past + datetime.timedelta(days=14)}
    waiting = _aged(refer(world, to_partner=False), **due)
    assert waiting.triage_breached and waiting.contact_breached and waiting.outcome_breached and waiting.sla_breached
    on_time = _aged(refer(world, to_partner=False), **due, triaged_on=past + datetime.timedelta(hours=1),
                    first_contact_on=past + datetime.timedelta(days=1), outcome_on=past + datetime.timedelta(days=10), status="closed")
    assert not on_time.sla_breached
    declined = _aged(refer(world, to_partner=False), **due, triaged_on=past + datetime.timedelta(hours=2), status="declined")
    assert not declined.sla_breached  # it no longer waits for contact or outcome
    late = _aged(refer(world, to_partner=False), **due, triaged_on=past + datetime.timedelta(hours=9), status="declined")
    assert late.triage_breached and not late.contact_breached
    fresh = Referral.objects.with_sla().get(pk=refer(world, to_partner=False).pk)
    assert not fresh.sla_breached


def test_service_levels_are_configurable_per_urgency(world, client_for):
    response = client_for("hub_coordinator").post(reverse("hub:service-levels"), {
        "urgency": "urgent", "urgent-hours_to_triage": "2", "urgent-days_to_first_contact": "1", "urgent-days_to_outcome": "7"})
    assert response.status_code == 302
    assert ServiceLevel.objects.get(local_authority=world.la, urgency="urgent").hours_to_triage == 2
    referral = refer(world, urgency="urgent")
    assert referral.triage_due - referral.submitted_on == datetime.timedelta(hours=2)
    bad = client_for("hub_coordinator").post(reverse("hub:service-levels"), {
        "urgency": "urgent", "urgent-hours_to_triage": "2", "urgent-days_to_first_contact": "9", "urgent-days_to_outcome": "7"})
    assert bad.status_code == 400 and "at least the days to first contact" in bad.content.decode()
    assert client_for("school_staff").get(reverse("hub:service-levels")).status_code == 403


def test_the_daily_digest_goes_to_hub_coordinators_by_command_and_scheduler(world, django_capture_on_commit_callbacks):
    past = timezone.now() - datetime.timedelta(days=3)
    _aged(refer(world, to_partner=False), submitted_on=past, triage_due=past + datetime.timedelta(hours=4))
    refer(world, consent=None, lawful_basis="safeguarding", override_justification="A disclosure at school needing action today.")
    Notification.objects.all().delete()
    assert "send_hub_digest" in {job.name for job in JOBS}
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_hub_digest", stdout=io.StringIO())
    digest = Notification.objects.get(user=world.users["hub_coordinator"])
    assert "2 open" in digest.message and "1 triage" in digest.message and "1 made without consent" in digest.message
    assert not Notification.objects.exclude(user=world.users["hub_coordinator"]).exists()
    assert any("daily summary" in m.subject for m in mail.outbox)


# --- Pages -----------------------------------------------------------------------------------------------------------

def test_make_a_referral_from_the_household_page(world, client_for):
    given = consent(world, "share_hub")
    client = client_for("feo")
    household_page = client.get(reverse("families:household-detail", args=[world.household.pk])).content.decode()
    assert f"{reverse('hub:referral-new')}?household={world.household.pk}" in household_page
    url = f"{reverse('hub:referral-new')}?household={world.household.pk}"
    assert client.get(url).status_code == 200
    form = {"learner": world.learner_a.pk, "partner": "", "needs": ["food"], "urgency": "routine", "details": "Food bank",
            "family_knows": "Yes", "family_wants": "Vouchers", "consent": "", "lawful_basis": "", "override_justification": ""}
    refused = client.post(url, form)
    assert refused.status_code == 200 and "Choose the family" in refused.content.decode()
    response = client.post(url, {**form, "consent": given.pk})
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(reverse("hub:referral-detail", args=[referral.pk]))
    assert client.get(reverse("hub:referral-new")).status_code == 200  # pick a family first
    assert client_for("partner_worker").get(url).status_code == 403


def test_triage_and_partner_actions_through_the_pages(world, client_for):
    referral = refer(world, to_partner=False)
    act = reverse("hub:referral-act", args=[referral.pk])
    hub = client_for("hub_coordinator")
    bad = hub.post(act, {"action": "allocate", "allocate-partner": ""})
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()
    consent(world, "share_housing")
    assert hub.post(act, {"action": "allocate", "allocate-partner": world.partner_p.pk}).status_code == 302
    assert client_for("partner_other").post(act, {"action": "partner_accept"}).status_code == 404
    partner = client_for("partner_worker")
    assert partner.post(act, {"action": "partner_accept", "partner_accept-text": ""}).status_code == 302
    assert partner.post(act, {"action": "close", "close-outcome": "supported", "close-notes": "Done"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    # The FEO sees the outcome on the referral's page; a further action is refused politely.
    page = client_for("feo").get(reverse("hub:referral-detail", args=[referral.pk])).content.decode()
    assert "Support given" in page
    assert partner.post(act, {"action": "note", "note-text": "late"}).status_code == 302
    assert referral.events.filter(kind="note").count() == 0


@pytest.mark.parametrize(("name", "url_name", "status"), [
    ("hub_coordinator", "hub:queue", 200), ("la_lead", "hub:queue", 200), ("feo", "hub:queue", 403),
    ("feo", "hub:referral-list", 200), ("school_staff", "hub:referral-list", 200), ("partner_worker", "hub:referral-list", 403),
    ("partner_worker", "hub:partner", 200), ("hub_coordinator", "hub:partner", 403), ("governor", "hub:referral-list", 403),
    ("hub_coordinator", "hub:dashboard", 200), ("partner_worker", "hub:dashboard", 403), ("feo", "hub:meeting-list", 200),
    ("public", "hub:referral-list", 403),
])
def test_list_pages_by_role(world, client_for, name, url_name, status):
    refer(world)
    assert client_for(name).get(reverse(url_name)).status_code == status


def test_the_partner_portal_lists_only_the_partners_own_referrals(world, client_for):
    mine = refer(world)
    theirs = services.referral_partner_decline(by=world.users["partner_worker"], referral=refer(world), reason="No")
    services.referral_allocate(by=world.users["hub_coordinator"], referral=theirs, partner=world.partner_q)
    page = client_for("partner_worker").get(reverse("hub:partner")).content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert theirs.reference in client_for("partner_other").get(reverse("hub:partner")).content.decode()


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("name", "url_name"), [("hub_coordinator", "hub:queue"), ("feo", "hub:referral-list"),
                                                ("partner_worker", "hub:partner"), ("hub_coordinator", "hub:dashboard")])
def test_lists_run_a_constant_number_of_queries(world, client_for, name, url_name):
    client = client_for(name)
    refer(world)
    few = _count_queries(client, reverse(url_name))
    for _n in range(6):
        refer(world)
    assert _count_queries(client, reverse(url_name)) == few


def test_queue_filters_and_breach_highlighting(world, client_for):
    past = timezone.now() - datetime.timedelta(days=3)
    late = _aged(refer(world, to_partner=False), submitted_on=past, triage_due=past + datetime.timedelta(hours=4))
    fine = refer(world, to_partner=False)
    page = client_for("hub_coordinator").get(reverse("hub:queue") + "?sla=breached").content.decode()
    assert late.reference in page and fine.reference not in page and "cymuned-row--breached" in page
    page = client_for("hub_coordinator").get(reverse("hub:queue") + "?status=waiting&urgency=urgent").content.decode()
    assert late.reference not in page


def test_dashboard_figures_and_export(world, client_for):
    hub = world.users["hub_coordinator"]
    services.referral_decline(by=hub, referral=refer(world, to_partner=False), reason="Out of area")
    refer(world)
    client = client_for("hub_coordinator")
    page = client.get(reverse("hub:dashboard")).content.decode()
    assert "data-chart" in page and "Money and debt" in page and "<script>" not in page
    response = client.get(reverse("hub:dashboard-export"))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert ExportRecord.objects.filter(kind="hub-dashboard-xlsx", user=hub).exists()
    from cymuned.hub.selectors import dashboard_figures

    figures = dashboard_figures(user=hub)
    assert {r["key"]: (r["count"], r["unmet"]) for r in figures["by_need"]} == {"housing": (2, 1), "money": (2, 1)}
    assert figures["totals"]["declined"] == 1


# --- Team Around the Family ------------------------------------------------------------------------------------------

def test_a_team_around_the_family_meeting_with_attendees_and_actions(world, client_for):
    feo = client_for("feo")
    url = reverse("hub:meeting-new", args=[world.episode.pk])
    assert feo.get(url).status_code == 200
    today = timezone.localdate()
    bad = feo.post(url, {"held_on": today.isoformat(), "next_review_on": (today - datetime.timedelta(days=1)).isoformat()})
    assert bad.status_code == 400
    response = feo.post(url, {"held_on": today.isoformat(), "place": "School", "minutes": "Plan agreed",
                              "next_review_on": (today + datetime.timedelta(days=28)).isoformat()})
    meeting = TeamAroundFamilyMeeting.objects.get()
    assert response.status_code == 302
    act = reverse("hub:meeting-act", args=[meeting.pk])
    assert feo.post(act, {"what": "attendee", "attendee-name": "Dr Evans", "attendee-organisation_name": "GP surgery"}).status_code == 302
    assert feo.post(act, {"what": "attendee", "attendee-name": "Helen", "attendee-organisation": world.partner_p.pk}).status_code == 302
    assert feo.post(act, {"what": "action", "action-description": "Apply for uniform grant", "action-owner_name": "Sian",
                          "action-review_on": (today + datetime.timedelta(days=14)).isoformat()}).status_code == 302
    action = AgreedAction.objects.get()
    assert feo.post(act, {"what": "done", "action_id": action.pk}).status_code == 302
    action.refresh_from_db()
    assert action.done_on == today
    page = feo.get(reverse("hub:meeting-detail", args=[meeting.pk])).content.decode()
    assert "Dr Evans" in page and "GP surgery" in page and "Apply for uniform grant" in page
    assert meeting.attendees.count() == 2
    assert client_for("head_other_cluster").get(reverse("hub:meeting-detail", args=[meeting.pk])).status_code == 404
    assert client_for("partner_worker").get(reverse("hub:meeting-detail", args=[meeting.pk])).status_code == 404
    assert client_for("head_other_cluster").post(act, {"what": "done", "action_id": action.pk}).status_code == 404


def test_subject_access_includes_referrals(world):
    from cymuned.families.subject_access import SUBJECT_ACCESS_SECTIONS

    referral = refer(world)
    section = SUBJECT_ACCESS_SECTIONS["referrals"][1](household=world.household, user=world.users["headteacher"])
    assert section is not None and section.read == [referral]


def test_retention_blanks_closed_referrals(world):
    from cymuned.families.retention import ANONYMISE, retention_apply

    referral = services.referral_decline(by=world.users["hub_coordinator"], referral=refer(world, to_partner=False), reason="No")
    Referral.objects.filter(pk=referral.pk).update(closed_on=timezone.now() - datetime.timedelta(days=365 * 7))
    retention_apply(mode=ANONYMISE)
    referral.refresh_from_db()
    assert referral.details == "—" and referral.family_wants == "" and referral.decline_reason == ""
    assert not referral.events.exclude(text="").exists()


# --- Directory services ----------------------------------------------------------------------------------------------

def _service(world, organisation, **extra):
    from cymuned.directory.models import Service

    return Service.objects.create(local_authority=world.la, organisation=organisation, name_en="Tenancy support",
                                  name_cy="Cymorth tenantiaeth", description_en="Help to keep a home.", **extra)


def test_a_referral_to_a_directory_service_goes_to_the_partner_that_runs_it(world, client_for):
    tenancy = _service(world, world.partner_p)
    referral = refer(world, to_partner=False, service=tenancy, consent=consent(world, "share_housing"))
    assert referral.partner == world.partner_p and referral.service == tenancy and referral.status == Status.ALLOCATED
    page = client_for("partner_worker").get(reverse("hub:referral-detail", args=[referral.pk])).content.decode()
    assert "Tenancy support" in page
    assert client_for("partner_worker").get(f"/api/v1/referrals/{referral.pk}/").json()["service"] == str(tenancy.pk)


def test_a_service_of_another_partner_or_closed_is_refused(world):
    other = _service(world, world.partner_q)
    with pytest.raises(ValidationError) as caught:
        refer(world, service=other)
    assert _code(caught.value) == "service_other_partner"
    closed = _service(world, world.partner_p, status="inactive")
    with pytest.raises(ValidationError) as caught:
        refer(world, service=closed)
    assert _code(caught.value) == "service_inactive"
    referral = refer(world, to_partner=False)
    with pytest.raises(ValidationError):
        services.referral_allocate(by=world.users["hub_coordinator"], referral=referral, partner=world.partner_p, service=other)
