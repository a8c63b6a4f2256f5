"""The audit trail: changes, reads of personal records, searches and exports."""

from __future__ import annotations

import csv
import io

import pytest
from auditlog.models import LogEntry

from cymuned.audit.models import ExportRecord
from cymuned.core.exports import spreadsheet_safe

pytestmark = pytest.mark.django_db


def test_changes_are_recorded_with_actor_and_diff(world, client_for):
    client_for("la_lead").post(
        f"/en-gb/accounts/people/{world.memberships['school_staff'].pk}/", {"job_title": "Deputy head", "governor_category": ""}
    )
    entry = LogEntry.objects.get_for_object(world.memberships["school_staff"]).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == world.user("la_lead")
    assert entry.changes_dict["job_title"] == ["", "Deputy head"]


def test_passwords_never_reach_the_audit_log(world):
    user = world.user("governor")
    user.set_password("another secret passphrase")
    user.save()
    for entry in LogEntry.objects.get_for_object(user):
        assert "password" not in (entry.changes_dict or {})


def test_audit_log_search_is_for_the_la_lead_of_this_la(world, client_for):
    client_for("feo").get(f"/en-gb/families/learners/{world.learner_a.pk}/")
    lead = client_for("la_lead").get("/en-gb/audit/?action=3&actor=feo")
    assert lead.status_code == 200
    assert "feo@example.org" in lead.content.decode()
    other = client_for("lead_other_la").get("/en-gb/audit/?action=3&actor=feo")
    assert "feo@example.org" not in other.content.decode()
    assert client_for("headteacher").get("/en-gb/audit/").status_code == 403


def test_audit_search_rejects_bad_dates_clearly(world, client_for):
    body = client_for("la_lead").get("/cy/audit/?date_from=yesterday").content.decode()
    assert "govuk-error-summary" in body


def test_export_is_csv_safe_and_itself_logged(world, client_for):
    world.partner_p.name_en = '=HYPERLINK("http://evil")'
    world.partner_p.save()
    client = client_for("la_lead")
    client.post(
        f"/en-gb/organisations/partners/{world.partner_p.pk}/edit/", {"name_en": "=cmd|' /C calc'!A0", "partner_type": "housing"}
    )
    response = client.get("/en-gb/audit/export.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "When"
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    record = ExportRecord.objects.get()
    assert record.user == world.user("la_lead") and record.kind == "audit-log" and record.row_count == len(rows) - 1
    assert LogEntry.objects.get_for_object(record).filter(action=LogEntry.Action.CREATE).exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Ysgol", "Ysgol"),
        (None, ""),
        (3, "3"),
    ],
)
def test_spreadsheet_safe(value, expected):
    assert spreadsheet_safe(value) == expected
