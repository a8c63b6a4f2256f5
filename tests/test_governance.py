"""Partnerships and governance: memoranda (rules, review reminders, PDF, scoping), the governor network and its
moderation, the engagement log, the WIMD importer (row errors, all or nothing, malformed files) and community
profiles with suppression, pages, the API and constant queries on the lists."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cymuned.access.policy import visible_to
from cymuned.core.models import Notification
from cymuned.governance import panels, services
from cymuned.governance.models import (
    CommunityProfile,
    EngagementEvent,
    MemorandumOfUnderstanding,
    NetworkMeeting,
    NetworkResource,
    Notice,
    NoticeReply,
    WimdArea,
    WimdEdition,
)
from cymuned.governance.pdf import memorandum_pdf
from cymuned.governance.wimd import WimdImportError, decile, parse, wimd_import

from .factories import LearnerFactory
from .partnerships import add_partnerships

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
HEADER = ("LSOA code,LSOA name (Eng),Local authority name (Eng),WIMD 2019,Income,Employment,Health,Education,Access to Services,"
          "Housing,Community Safety,Physical Environment\n")


def _row(code: str, name: str = "Merthyr Tydfil 002A", rank: int = 10) -> str:
    return f"{code},{name},Merthyr Tydfil,{rank},1,2,3,4,5,6,7,8\n"


@pytest.fixture
def samples(world):
    return add_partnerships(world)


def _url(name: str, *args: object) -> str:
    with translation.override("en-gb"):
        return reverse(name, args=args)


# --- Memoranda ---------------------------------------------------------------------------------------------------


def test_memorandum_rules(world, samples):
    lead = world.users["la_lead"]
    base = {"title": "Health", "purpose": "p", "commitments": "c", "starts_on": TODAY, "review_on": TODAY + datetime.timedelta(days=300)}
    with pytest.raises(ValidationError) as caught:
        services.memorandum_create(by=lead, parties=[world.partner_p], **base)
    assert "parties" in caught.value.error_dict
    with pytest.raises(ValidationError) as caught:
        services.memorandum_create(by=lead, parties=[world.partner_p, world.school_other_la], **base)
    assert caught.value.error_dict["parties"][0].code == "party_other_la"
    with pytest.raises(ValidationError) as caught:
        services.memorandum_create(by=lead, parties=[world.partner_p, world.school_a], **{**base, "review_on": TODAY - datetime.timedelta(days=1)})
    assert caught.value.error_dict["review_on"][0].code == "review_before_start"
    mou = services.memorandum_create(by=lead, parties=[world.partner_q], clusters=[world.cluster_y], **base)
    assert set(mou.clusters.all()) == {world.cluster_y}
    with pytest.raises(PermissionDenied):
        services.memorandum_create(by=world.users["headteacher"], parties=[world.partner_p, world.school_a], **base)


def test_signatory_must_sign_for_a_party(world, samples):
    mou = samples[MemorandumOfUnderstanding]
    with pytest.raises(ValidationError) as caught:
        services.signatory_add(by=world.users["la_lead"], memorandum=mou, organisation=world.partner_q, name="X", position="Y")
    assert caught.value.error_dict["organisation"][0].code == "not_a_party"
    with pytest.raises(ValidationError):
        services.signatory_add(by=world.users["la_lead"], memorandum=mou, organisation=world.school_a, name="X", position="Head",
                               signed_on=TODAY + datetime.timedelta(days=1))
    services.signatory_add(by=world.users["la_lead"], memorandum=mou, organisation=world.school_a, name="Rhian Davies", position="Head",
                           signed_on=TODAY)
    assert mou.signatories.count() == 2


def test_review_reminder_once_per_review_date(world, samples):
    mou = samples[MemorandumOfUnderstanding]  # review in 20 days, active
    assert services.review_reminders_send(today=TODAY) == 1
    assert Notification.objects.filter(user=world.users["la_lead"], message__contains="Tenancy support").count() == 1
    assert services.review_reminders_send(today=TODAY) == 0
    assert Notification.objects.count() == 2  # the lead and the officer, once each
    MemorandumOfUnderstanding.objects.filter(pk=mou.pk).update(review_on=TODAY + datetime.timedelta(days=5))
    assert services.review_reminders_send(today=TODAY) == 1
    MemorandumOfUnderstanding.objects.filter(pk=mou.pk).update(review_on=TODAY + datetime.timedelta(days=1), status="ended")
    assert services.review_reminders_send(today=TODAY) == 0


def test_review_reminder_job(world, samples):
    from django.core.management import call_command

    call_command("remind_mou_reviews")
    assert Notification.objects.filter(user=world.users["la_officer"]).count() == 1


def test_memorandum_pdf_has_bilingual_headings(world, samples):
    content = memorandum_pdf(MemorandumOfUnderstanding.objects.with_related().get(pk=samples[MemorandumOfUnderstanding].pk))
    assert content.startswith(b"%PDF")
    response = _client(world, "partner_worker").get(_url("governance:mou-pdf", samples[MemorandumOfUnderstanding].pk))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(("name", "sees"), [
    ("la_lead", True), ("la_officer", True), ("hub_coordinator", True), ("headteacher", True), ("school_staff", True), ("csm", True),
    ("feo", True), ("partner_worker", True), ("governor", False), ("partner_other", False), ("head_other_cluster", False),
    ("lead_other_la", False), ("public", False),
])
def test_who_sees_the_memorandum(world, samples, name, sees):
    assert visible_to(world.users[name], MemorandumOfUnderstanding).filter(pk=samples[MemorandumOfUnderstanding].pk).exists() is sees


def test_a_cluster_party_lets_its_schools_see_it(world, samples):
    mou = samples[MemorandumOfUnderstanding]
    mou.clusters.set([world.cluster_y])
    assert visible_to(world.users["head_other_cluster"], MemorandumOfUnderstanding).filter(pk=mou.pk).exists()


def test_register_filters(world, samples, client_for):
    client = client_for("la_lead")
    assert "Tenancy support" in client.get(_url("governance:mou-list") + "?status=active&partner_type=housing&review_due=on").text
    assert "Tenancy support" not in client.get(_url("governance:mou-list") + "?status=draft").text
    assert "Tenancy support" not in client.get(_url("governance:mou-list") + "?partner_type=police").text


def test_create_and_change_a_memorandum_through_the_pages(world, samples, client_for):
    client = client_for("la_officer")
    data = {"title": "Police", "parties": [world.partner_q.pk, world.la.pk], "purpose": "Safer streets", "commitments": "PCSO",
            "starts_on": TODAY.isoformat(), "review_on": (TODAY + datetime.timedelta(days=365)).isoformat(), "status": "active"}
    response = client.post(_url("governance:mou-create"), data)
    assert response.status_code == 302
    mou = MemorandumOfUnderstanding.objects.get(title="Police")
    response = client.post(_url("governance:mou-update", mou.pk), {**data, "review_on": (TODAY - datetime.timedelta(days=1)).isoformat()})
    assert response.status_code == 200 and "review date must be on or after" in response.text
    response = client.post(_url("governance:mou-signatory", mou.pk), {"organisation": world.partner_q.pk, "name": "Insp. Jones",
                                                                       "position": "Inspector", "signed_on": ""})
    assert response.status_code == 302 and mou.signatories.get().name == "Insp. Jones"
    assert client.get(_url("governance:mou-detail", mou.pk)).status_code == 200


# --- Governor network --------------------------------------------------------------------------------------------


def test_governors_and_la_staff_use_the_network_partners_do_not(world, samples, client_for):
    response = client_for("governor").get(_url("governance:network"))
    assert response.status_code == 200 and "Hello network" in response.text and "Governor" in response.text
    assert client_for("partner_worker").get(_url("governance:network")).status_code == 403
    assert client_for("headteacher").get(_url("governance:network")).status_code == 403
    assert not visible_to(world.users["lead_other_la"], Notice).exists()


def test_notices_replies_and_moderation(world, samples, client_for):
    governor = client_for("governor")
    response = governor.post(_url("governance:notice-create"), {"title": "Insurance", "body": "Who insures evening use?"})
    assert response.status_code == 302
    notice = Notice.objects.get(title="Insurance")
    assert governor.post(_url("governance:notice-detail", notice.pk), {"body": ""}).status_code == 200
    assert client_for("la_lead").post(_url("governance:notice-detail", notice.pk), {"body": "The LA's policy covers it."}).status_code == 302
    reply = NoticeReply.objects.get(notice=notice)
    # Governors may not moderate; the LA may, with a reason.
    assert governor.post(_url("governance:reply-hide", reply.pk), {"reason": "x"}).status_code == 404
    with pytest.raises(ValidationError):
        services.post_hide(by=world.users["la_lead"], post=notice, reason=" ")
    response = client_for("la_officer").post(_url("governance:notice-hide", notice.pk), {"reason": "Personal details"})
    assert response.status_code == 302
    assert not visible_to(world.users["governor"], Notice).filter(pk=notice.pk).exists()
    assert visible_to(world.users["la_lead"], Notice).filter(pk=notice.pk).exists()  # kept for the record
    with pytest.raises(ValidationError):
        services.notice_reply(by=world.users["la_lead"], notice=Notice.objects.get(pk=notice.pk), body="Late")


def test_meetings_attendance_and_resources(world, samples, client_for):
    lead = client_for("la_lead")
    response = lead.post(_url("governance:meeting-create"), {"held_on": TODAY.isoformat(), "kind": "training", "topic": "Finance"})
    assert response.status_code == 302
    meeting = NetworkMeeting.objects.get(topic="Finance")
    assert lead.post(_url("governance:meeting-detail", meeting.pk), {"attendees": [world.memberships["governor"].pk]}).status_code == 302
    assert list(meeting.attendees.all()) == [world.memberships["governor"]]
    with pytest.raises(ValidationError):
        services.meeting_set_attendance(by=world.users["la_lead"], meeting=meeting, attendees=[world.memberships["headteacher"]])
    # Governors see the meeting but may not change who attended.
    assert client_for("governor").post(_url("governance:meeting-detail", meeting.pk), {"attendees": []}).status_code == 403
    assert meeting.attendees.count() == 1
    upload = SimpleUploadedFile("notes.pdf", b"%PDF-1.4 notes", content_type="application/pdf")
    assert lead.post(_url("governance:resource-create"), {"title": "Notes", "file": upload}).status_code == 302
    bad = SimpleUploadedFile("notes.pdf", b"MZ not a pdf", content_type="application/pdf")
    assert "do not match its type" in lead.post(_url("governance:resource-create"), {"title": "Bad", "file": bad}).text
    assert lead.post(_url("governance:resource-create"), {"title": "Neither"}).status_code == 200
    resource = NetworkResource.objects.get(title="Notes")
    response = client_for("governor").get(_url("governance:resource", resource.pk))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


# --- Engagement log ----------------------------------------------------------------------------------------------


def test_engagement_log(world, samples, client_for):
    client = client_for("la_lead")
    response = client.post(_url("governance:engagement-create"), {"held_on": TODAY.isoformat(), "audience": "headteachers",
                                                                  "title": "Headteachers' workshop", "outcomes": "Capacity"})
    assert response.status_code == 302
    event = EngagementEvent.objects.get(title="Headteachers' workshop")
    upload = SimpleUploadedFile("slides.pdf", b"%PDF-1.4 slides", content_type="application/pdf")
    assert client.post(_url("governance:paper-add", event.pk), {"title": "Slides", "file": upload}).status_code == 302
    text = client.get(_url("governance:engagement-list") + "?audience=headteachers").text
    assert "Headteachers&#x27; workshop" in text and "Cabinet briefing" not in text
    assert client_for("headteacher").get(_url("governance:engagement-list")).status_code == 403
    assert client_for("lead_other_la").get(_url("governance:engagement-detail", event.pk)).status_code == 404


# --- WIMD importer -----------------------------------------------------------------------------------------------


def test_wimd_import_reads_the_published_format(world):
    content = (HEADER + _row("W01001290", rank=1) + _row("W01001291", "Merthyr Tydfil 002B", rank=1909)).encode("utf-8-sig")
    edition = wimd_import(by=world.users["la_lead"], name="WIMD 2019", content=content)
    assert edition.areas.count() == 2
    area = WimdArea.objects.get(lsoa_code="W01001291")
    assert (area.overall_rank, area.income_rank, area.environment_rank) == (1909, 1, 8)
    # Importing the edition again replaces it whole.
    wimd_import(by=world.users["la_lead"], name="WIMD 2019", content=(HEADER + _row("W01001292")).encode())
    assert list(WimdEdition.objects.get(name="WIMD 2019").areas.values_list("lsoa_code", flat=True)) == ["W01001292"]


def test_wimd_import_row_errors_all_or_nothing(world):
    content = (HEADER + _row("W01001290") + _row("E01000001") + _row("W01001290") + "W01001293,Name,LA,0,1,2,3,4,5,6,7,8\n"
               + "W01001294,,LA,5,1,2,3,4,5,6,7,8\n").encode()
    with pytest.raises(WimdImportError) as caught:
        wimd_import(by=world.users["la_lead"], name="WIMD 2019", content=content)
    rows = [e.row for e in caught.value.errors]
    assert rows == [3, 4, 5, 6]
    assert "E01000001" in str(caught.value.errors[0]) and "row 2" in str(caught.value.errors[1])
    assert not WimdEdition.objects.filter(name="WIMD 2019").exists() and not WimdArea.objects.exists()


def test_wimd_import_missing_columns_and_permission(world):
    with pytest.raises(WimdImportError) as caught:
        wimd_import(by=world.users["la_lead"], name="W", content=b"LSOA code,LSOA name (Eng)\nW01001290,A\n")
    assert "Income" in str(caught.value.errors[0])
    with pytest.raises(PermissionDenied):
        wimd_import(by=world.users["la_officer"], name="W", content=(HEADER + _row("W01001290")).encode())


def test_wimd_import_page_shows_row_errors(world, client_for):
    client = client_for("la_lead")
    upload = SimpleUploadedFile("wimd.csv", (HEADER + _row("X1")).encode(), content_type="text/csv")
    response = client.post(_url("governance:wimd-import"), {"name": "WIMD 2019", "areas_in_wales": "1909", "file": upload})
    assert response.status_code == 200 and "Row 2" in response.text and "Nothing has been changed" in response.text
    upload = SimpleUploadedFile("wimd.csv", (HEADER + _row("W01001290")).encode(), content_type="text/csv")
    response = client.post(_url("governance:wimd-import"), {"name": "WIMD 2019", "areas_in_wales": "1909", "file": upload})
    assert response.status_code == 302 and WimdArea.objects.count() == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400) | st.text(max_size=300).map(lambda t: (HEADER + t).encode("utf-8")))
def test_wimd_parse_never_crashes_on_malformed_files(content):
    rows, errors = parse(content, areas_in_wales=1909)
    assert rows or errors  # a file is either read or refused with a reason, never silently empty
    for row in rows:
        assert 1 <= row["overall_rank"] <= 1909 and row["lsoa_code"].startswith("W01")


@given(st.integers(min_value=1, max_value=1909))
def test_decile_is_between_1_and_10_and_monotonic(rank):
    assert 1 <= decile(rank, 1909) <= 10
    assert decile(rank, 1909) <= decile(min(rank + 1, 1909), 1909)
    assert decile(190, 1909) == 1 and decile(191, 1909) == 2 and decile(1909, 1909) == 10


# --- Community profiles ------------------------------------------------------------------------------------------


def test_profile_figures_with_suppression(world, samples):
    # School A has learner A only: the eFSM share is suppressed.
    assert panels.efsm_share(schools=[world.school_a]) == {"total": None, "efsm": None, "percent": None, "suppressed": True}
    for _i in range(6):
        LearnerFactory(school=world.school_a, efsm=True)
    for _i in range(5):
        LearnerFactory(school=world.school_a, efsm=False)
    figures = panels.efsm_share(schools=[world.school_a])
    assert figures["efsm"] == 6 and figures["total"] == 12 and figures["percent"] == 50.0  # learner A is not eligible
    LearnerFactory.create_batch(1, school=world.school_a, efsm=True)
    assert panels.efsm_share(schools=[world.school_a])["efsm"] == 7


def test_profile_deprivation_and_cluster_catchment(world, samples):
    profile = samples[CommunityProfile]
    figures = panels.deprivation_figures(codes=["W01001290", "W01009999"], edition=samples[WimdEdition])
    assert figures["overall"] == {"most_10": 1, "most_20": 1, "total": 1}
    assert figures["missing"] == ["W01009999"]
    assert {d["label"]: d["most_10"] for d in figures["domains"]}["Housing"] == 0
    cluster = services.profile_create(by=world.users["la_lead"], cluster=world.cluster_x, codes=["W01001300"])
    context = panels.profile_context(profile=cluster, user=world.users["la_lead"])
    assert context.codes == ["W01001290", "W01001300"] and {s.pk for s in context.schools} == {world.school_a.pk, world.school_b.pk}
    keys = [p.key for p in panels.build_panels(profile=profile, user=world.users["la_lead"])]
    # The built-in panels, then the directory's (services nearby); the consultations' panel only for those who read responses.
    assert keys[:4] == [panels.DEPRIVATION, panels.FREE_SCHOOL_MEALS, panels.HOUSING, panels.SERVICES_NEARBY]


def test_panel_registry_takes_extensions_in_order(world, samples):
    profile = samples[CommunityProfile]
    panels.register_profile_panel(panels.SERVICES_NEARBY, 15, lambda *, profile, context: panels.Panel("Nearby", "governance/panels/efsm.html", {}))
    try:
        keys = [p.key for p in panels.build_panels(profile=profile, user=world.users["la_lead"])]
        assert keys == [panels.DEPRIVATION, panels.SERVICES_NEARBY, panels.FREE_SCHOOL_MEALS, panels.HOUSING]
    finally:
        panels._panels.pop(panels.SERVICES_NEARBY)


def test_housing_panel_shows_landlords_with_a_memorandum(world, samples):
    panel = panels._housing(profile=samples[CommunityProfile], context=panels.profile_context(profile=samples[CommunityProfile], user=None))
    # Both of the world's partners are social landlords; only Valleys Homes is party to an active memorandum with school A.
    assert [(p.name_en, p.has_mou) for p in panel.data["landlords"]] == [("Other Charity", False), ("Valleys Homes", True)]


@pytest.mark.parametrize(("name", "sees"), [
    ("la_lead", True), ("hub_coordinator", True), ("headteacher", True), ("governor", True), ("feo", True), ("csm", True),
    ("partner_worker", False), ("head_other_cluster", False), ("lead_other_la", False), ("public", False),
])
def test_who_sees_school_a_profile(world, samples, name, sees):
    assert visible_to(world.users[name], CommunityProfile).filter(pk=samples[CommunityProfile].pk).exists() is sees


def test_profile_pages(world, samples, client_for):
    response = client_for("governor").get(_url("governance:profile-detail", samples[CommunityProfile].pk))
    assert response.status_code == 200
    assert "Merthyr Tydfil 001A" in response.text and "Synthetic data" in response.text and "not shown to protect" in response.text
    client = client_for("la_lead")
    response = client.post(_url("governance:profile-update", samples[CommunityProfile].pk), {"codes": "w01001290, W01001291\nnonsense", "notes": ""})
    assert response.status_code == 200 and "NONSENSE" in response.text
    response = client.post(_url("governance:profile-update", samples[CommunityProfile].pk), {"codes": "w01001290, W01001291", "notes": "Valleys"})
    assert response.status_code == 302
    assert sorted(samples[CommunityProfile].catchment.values_list("lsoa_code", flat=True)) == ["W01001290", "W01001291"]
    response = client.post(_url("governance:profile-create"), {"school": world.school_b.pk, "codes": "", "notes": ""})
    assert response.status_code == 302
    assert client_for("partner_worker").get(_url("governance:profile-list")).status_code == 403


def test_lists_run_a_constant_number_of_queries(world, samples, client_for, django_assert_max_num_queries):
    for i in range(5):
        mou = MemorandumOfUnderstanding.objects.create(local_authority=world.la, title=f"M{i}", purpose="p", commitments="c",
                                                       starts_on=TODAY, review_on=TODAY)
        mou.parties.set([world.school_a, world.partner_p])
        Notice.objects.create(local_authority=world.la, author=world.users["governor"], title=f"N{i}", body="b")
        EngagementEvent.objects.create(local_authority=world.la, held_on=TODAY, audience="other", title=f"E{i}")
        NetworkMeeting.objects.create(local_authority=world.la, held_on=TODAY, kind="network", topic=f"T{i}")
    client = client_for("la_lead")
    for name in ("governance:mou-list", "governance:network", "governance:engagement-list", "governance:profile-list"):
        client.get(_url(name))
        with django_assert_max_num_queries(25):
            assert client.get(_url(name)).status_code == 200


# --- API ---------------------------------------------------------------------------------------------------------


def test_api_memoranda_scoped_and_created(world, samples, client_for):
    assert client_for("partner_worker").get("/api/v1/mous/").json()["count"] == 1
    assert client_for("partner_other").get("/api/v1/mous/").json()["count"] == 0
    assert client_for("partner_other").get(f"/api/v1/mous/{samples[MemorandumOfUnderstanding].pk}/").status_code == 404
    assert client_for("governor").get("/api/v1/mous/").status_code == 403
    data = {"title": "API", "parties": [world.partner_q.pk, world.la.pk], "clusters": [], "purpose": "p", "commitments": "c",
            "starts_on": TODAY.isoformat(), "review_on": (TODAY - datetime.timedelta(days=1)).isoformat()}
    response = client_for("la_lead").post("/api/v1/mous/", data, content_type="application/json")
    assert response.status_code == 400 and "review_on" in response.json()
    response = client_for("la_lead").post("/api/v1/mous/", {**data, "review_on": TODAY.isoformat()}, content_type="application/json")
    assert response.status_code == 201 and response.json()["status"] == "draft"
    response = client_for("headteacher").post("/api/v1/mous/", {**data, "review_on": TODAY.isoformat()}, content_type="application/json")
    assert response.status_code == 403


def _client(world, name):
    from django.test import Client

    from .conftest import sign_in

    return sign_in(Client(), world.users[name])
