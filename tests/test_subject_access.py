"""Subject access: everything held about a family, as JSON and as a bilingual PDF, for those who may export it."""

from __future__ import annotations

import datetime
import json
import re
import zlib

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from cymuned.access.policy import Action, can
from cymuned.audit.models import ExportRecord
from cymuned.families import services, subject_access
from cymuned.families.models import Carer
from cymuned.families.subject_access import SUBJECT_ACCESS_SECTIONS, Entry, Section

from .factories import LearnerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def pdf_unicode(content: bytes) -> set[int]:
    """The code points the PDF's embedded fonts map their glyphs to (their ToUnicode maps)."""
    points = set()
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            continue
        if b"beginbfchar" in text:
            points |= {int(code, 16) for code in re.findall(rb"<[0-9A-F]{2}> <([0-9A-F]{4})>", text)}
    return points


def url(world, kind: str, household=None) -> str:
    return f"/en-gb/families/households/{(household or world.household).pk}/subject-access.{kind}"


@pytest.mark.parametrize(
    ("name", "allowed"),
    [("headteacher", True), ("csm", True), ("feo", False), ("school_staff", False), ("governor", False), ("la_lead", False),
     ("partner_worker", False), ("head_other_cluster", False), ("staff_other_la", False)],
)
def test_who_may_export_a_family(world, name, allowed):
    assert can(world.user(name), Action.EXPORT, world.household) is allowed
    if allowed:
        assert can(world.user(name), Action.CHANGE, world.household)  # export is never wider than change


@pytest.mark.parametrize("name", ["head_other_cluster", "staff_other_la", "lead_other_la", "feo", "school_staff", "governor", "partner_worker"])
@pytest.mark.parametrize("kind", ["json", "pdf"])
def test_others_get_404_and_nothing_is_recorded(world, client_for, name, kind):
    assert client_for(name).get(url(world, kind)).status_code == 404
    assert not ExportRecord.objects.exists()


def test_json_holds_everything_about_the_family(world, client_for):
    with set_actor(world.user("feo")):
        services.consent_withdraw(by=world.user("feo"), consent=world.consent, withdrawn_on=TODAY, reason="Moved to a new worker")
    response = client_for("headteacher").get(url(world, "json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == f'attachment; filename="subject-access-household-{world.household.pk}.json"'
    data = json.loads(response.content)
    assert data["format"] == "cymuned.subject-access.v1" and data["household"] == world.household.pk
    sections = {s["key"]: s for s in data["sections"]}
    assert list(sections) == ["household", "learners", "carers", "consents", "episodes", "contacts", "enrolments", "programme-outcomes", "audit"]
    assert sections["household"]["records"][0]["safe_contact_notes"] == "Do not call after 6pm"
    assert [r["upn"] for r in sections["learners"]["records"]] == [world.learner_a.upn]
    assert sections["carers"]["records"][0]["given_name"] == "Sian"
    consent = sections["consents"]["records"][0]
    assert consent["withdrawn_on"] == TODAY.isoformat() and consent["withdrawal_reason"] == "Moved to a new worker"
    assert consent["status"] == "withdrawn" and consent["purpose"] == "feo_contact"
    assert sections["episodes"]["records"][0]["goals"] == "Attendance above 90%"
    assert sections["contacts"]["records"][0]["next_steps"] == "Meet the head"
    assert sections["carers"]["title"] == {"en": "Parents and carers", "cy": "Rhieni a gofalwyr"}
    assert sections["carers"]["fields"]["given_name"]["en"] == "First name"
    # The consent withdrawal went through a service, so the audit trail shows it, without repeating the values.
    audit = sections["audit"]["records"]
    changes = [r for r in audit if r["record"] == f"consent:{world.consent.pk}" and r["action"] == LogEntry.Action.UPDATE]
    assert changes and "withdrawn_on" in changes[0]["fields"] and changes[0]["by"] == world.user("feo").full_name


def test_export_is_recorded_and_reads_are_logged(world, client_for):
    client_for("csm").get(url(world, "json"))
    record = ExportRecord.objects.get()
    assert record.kind == "subject-access-json" and record.user == world.user("csm")
    assert record.filters == {"household": world.household.pk, "withheld": 0}
    for instance in (world.household, world.carer, world.consent, world.learner_a, world.episode, world.contact):
        reads = LogEntry.objects.get_for_object(instance).filter(action=LogEntry.Action.ACCESS)
        assert reads.filter(actor=world.user("csm")).count() == 1, instance


def test_row_count_is_the_number_of_records(world):
    with set_actor(world.user("headteacher")):
        content, _type, _name = subject_access.subject_access_export(by=world.user("headteacher"), household=world.household,
                                                                     file_format="json", remote_addr="127.0.0.1")
    data = json.loads(content)
    assert ExportRecord.objects.get().row_count == sum(len(s["records"]) for s in data["sections"])


def test_learners_and_episodes_of_schools_the_user_does_not_work_with_are_withheld(world, client_for):
    LearnerFactory(school=world.school_c, household=world.household, given_name="Hidden", upn="Z123456789012")
    data = json.loads(client_for("headteacher").get(url(world, "json")).content)
    learners = next(s for s in data["sections"] if s["key"] == "learners")
    assert learners["withheld"] == 1 and len(learners["records"]) == 1
    assert "Z123456789012" not in json.dumps(data) and "Hidden" not in json.dumps(data)
    assert ExportRecord.objects.get().filters["withheld"] == 1


def test_pdf_is_bilingual_and_draws_welsh_letters(world, client_for):
    Carer.objects.create(household=world.household, given_name="Gwŷn", family_name="Ŵyn", relationship="father", telephone="01685 000000")
    world.household.address = "Tŷ Bach, Heol y Nant <&>"
    world.household.save()
    world.contact.notes = "Siaradon ni am y bore.\n" * 250  # longer than a page
    world.contact.save()
    response = client_for("headteacher").get(url(world, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="subject-access-household-{world.household.pk}.pdf"'
    points = pdf_unicode(response.content)
    assert {ord("ŵ"), ord("ŷ"), ord("Ŵ")} <= points  # drawn with an embedded font that has them
    assert b"DejaVuSans" in response.content or b"LiberationSans" in response.content
    assert ExportRecord.objects.get().kind == "subject-access-pdf"


def test_labels_are_printed_in_both_languages():
    assert subject_access.bilingual(gettext_lazy("Parents and carers")) == "Parents and carers / Rhieni a gofalwyr"
    assert subject_access.bilingual("Sian Jones") == "Sian Jones"  # people's data is not translated


def test_other_domains_can_add_a_section(world, monkeypatch):
    def notes(*, household, user):
        return Section(title=gettext_lazy("Programme enrolments"), records=[[Entry("course", gettext_lazy("Name"), "Cwrs Cymraeg", "Cwrs Cymraeg")]],
                       withheld=2)

    monkeypatch.setitem(SUBJECT_ACCESS_SECTIONS, "enrolments", (60, notes))
    monkeypatch.setitem(SUBJECT_ACCESS_SECTIONS, "nothing", (61, lambda **kwargs: None))
    report = subject_access.subject_access_for(user=world.user("headteacher"), household=world.household)
    keys = [s.key for s in report.sections]
    assert keys.index("enrolments") == keys.index("contacts") + 1 and "nothing" not in keys and keys[-1] == "audit"
    data = json.loads(subject_access.as_json(report))
    assert data["sections"][keys.index("enrolments")]["records"] == [{"course": "Cwrs Cymraeg"}]
    assert subject_access.as_pdf(report).startswith(b"%PDF")


def test_the_service_refuses_those_who_may_not_export(world):
    with pytest.raises(PermissionDenied):
        subject_access.subject_access_export(by=world.user("feo"), household=world.household, file_format="pdf", remote_addr=None)
    assert not ExportRecord.objects.exists()


def test_household_page_offers_the_downloads_only_to_those_who_may_export(world, client_for):
    page = f"/en-gb/families/households/{world.household.pk}/"
    head = client_for("headteacher").get(page).content.decode()
    assert url(world, "pdf") in head and url(world, "json") in head and "Link a brother or sister" in head
    feo = client_for("feo").get(page).content.decode()
    assert url(world, "pdf") not in feo and "Link a brother or sister" in feo
    staff = client_for("school_staff").get(page).content.decode()
    assert url(world, "pdf") not in staff and "Link a brother or sister" not in staff
