"""The bilingual report to Council: built in the background, as of a date, PDF and Word, small numbers suppressed."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from cymuned.audit.models import ExportRecord
from cymuned.strategy import council_report
from cymuned.strategy.models import CouncilReport, ReportStatus
from cymuned.strategy.tasks import build_council_report

from .conftest import add_attendance_summary
from .factories import LearnerFactory
from .strategy_world import build_plan

TODAY = timezone.localdate()


@pytest.fixture
def data(world):
    sp = build_plan(world)
    # Cyfarthfa (schools A and B): 6 eFSM learners at 85% and 6 others at 95%. Afon Taf (school C): 2 eFSM, 3 others.
    for school, efsm, others in ((world.school_a, 3, 3), (world.school_b, 3, 3), (world.school_c, 2, 3)):
        for is_efsm, n, attended in ((True, efsm, 85), (False, others, 95)):
            for _ in range(n):
                add_attendance_summary(world, LearnerFactory(school=school, efsm=is_efsm), attended=attended, possible=100, period_end=TODAY)
    return sp


def _docx(content: bytes):
    from docx import Document

    return Document(io.BytesIO(content))


def _produce(client, django_capture_on_commit_callbacks, as_of=TODAY):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en-gb/strategy/council-reports/", {"as_of": as_of.isoformat()})
    return response


def test_lead_produces_the_bilingual_report_in_the_background(world, data, client_for, django_capture_on_commit_callbacks):
    lead = client_for("la_lead")
    response = _produce(lead, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    report = CouncilReport.objects.get()
    assert (report.status, report.progress, report.created_by) == (ReportStatus.DONE, 100, world.users["la_lead"])
    page = lead.get(response["Location"]).content.decode()
    assert "Download the report as PDF" in page and "hx-get" not in page

    pdf = lead.get(f"/en-gb/strategy/council-reports/{report.pk}/download.pdf")
    pdf_bytes = b"".join(pdf.streaming_content)
    assert pdf.status_code == 200 and pdf_bytes.startswith(b"%PDF")
    assert b"Merthyr Tudful" in pdf_bytes and b"Merthyr Tydfil" in pdf_bytes  # its title names the council in Welsh and in English
    word = lead.get(f"/en-gb/strategy/council-reports/{report.pk}/download.docx")
    document = _docx(b"".join(word.streaming_content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    text = "\n".join(p.text for p in document.paragraphs)
    for language in ("en-gb", "cy"):
        with translation.override(language):
            for title in ("Progress against the strategic plan", "Attendance and the gap for learners eligible for free school meals",
                          "What people told us: consultations"):
                assert gettext(title) in headings, (language, title)
    assert "Cynllun Ysgolion Bro" in text and "Community Focused Schools Plan" in text  # the plan, in each language
    assert any("Merthyr Tudful" in h for h in headings) and any("Merthyr Tydfil" in h for h in headings)
    assert ExportRecord.objects.filter(kind="strategy-council-report:docx").exists()
    assert ExportRecord.objects.filter(kind="strategy-council-report:pdf").exists()


def test_small_numbers_are_suppressed_in_the_report(world, data):
    sections = council_report.build_sections(local_authority=world.la, as_of=TODAY, language="en-gb")
    outcomes = next(s for s in sections if s.title.startswith("Attendance"))
    table = next(b for b in outcomes.blocks if isinstance(b, council_report.Table))
    rows = {row[0]: row for row in table.rows}
    assert rows["Cyfarthfa"][1:4] == [6, "85.0", 6]
    assert rows["Cyfarthfa"][5] == "10.0"
    assert rows["Afon Taf"][1] == "*" and rows["Afon Taf"][2] == "*" and rows["Afon Taf"][5] == "*"
    assert rows["All schools"][1] == 8
    with translation.override("en-gb"):
        assert council_report.SUPPRESSED in str(rows["Afon Taf"])
    docx = council_report.write_docx(local_authority=world.la, as_of=TODAY,
                                     parts={"cy": council_report.build_sections(local_authority=world.la, as_of=TODAY, language="cy"),
                                            "en-gb": sections})
    cells = [[c.text for c in row.cells] for t in _docx(docx).tables for row in t.rows]
    afon = [r for r in cells if r[0] == "Afon Taf" and len(r) == 7]
    assert afon and all(r[1] == "*" and r[2] == "*" for r in afon)


def test_report_for_a_date_with_no_data_is_refused(world, data, client_for, django_capture_on_commit_callbacks):
    response = _produce(client_for("la_lead"), django_capture_on_commit_callbacks, as_of=datetime.date(2001, 1, 1))
    assert response.status_code == 200 and b"There are no figures for 01/01/2001" in response.content
    response = _produce(client_for("lead_other_la"), django_capture_on_commit_callbacks)
    assert response.status_code == 200 and b"There are no figures" in response.content
    future = _produce(client_for("la_lead"), django_capture_on_commit_callbacks, as_of=TODAY + datetime.timedelta(days=3))
    assert b"Choose today or a date in the past" in future.content
    assert not CouncilReport.objects.exists()


def test_a_report_that_finds_no_data_fails_cleanly_without_files(world, data):
    report = CouncilReport.objects.create(local_authority=world.la2, as_of=TODAY)
    build_council_report.call(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and not report.pdf and not report.docx and report.error


def test_progress_page_polls_with_htmx_and_is_scoped(world, data, client_for):
    report = CouncilReport.objects.create(local_authority=world.la, as_of=TODAY, status=ReportStatus.RUNNING, progress=40,
                                          created_by=world.users["la_lead"])
    lead = client_for("la_lead")
    partial = lead.get(f"/en-gb/strategy/council-reports/{report.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith("<div id=\"report-progress\"") and 'hx-trigger="every 2s"' in partial
    assert 'value="40"' in partial and 'role="status"' in partial
    assert lead.get(f"/en-gb/strategy/council-reports/{report.pk}/download.pdf").status_code == 404  # not ready yet
    for name in ("lead_other_la", "headteacher", "hub_coordinator"):
        assert client_for(name).get(f"/en-gb/strategy/council-reports/{report.pk}/").status_code in (403, 404)
    assert client_for("headteacher").get("/en-gb/strategy/council-reports/").status_code == 403
    assert lead.get("/en-gb/strategy/council-reports/").status_code == 200


def test_a_section_is_one_register_call(world, data):
    def funding(*, local_authority, as_of, language):
        return council_report.Section(title="Funding", blocks=[council_report.Table(header=["Grant", "£"], rows=[["FEO", 1000]])])

    council_report.register_section("funding", 35, funding)
    try:
        titles = [s.title for s in council_report.build_sections(local_authority=world.la, as_of=TODAY, language="en-gb")]
        assert titles.index("Funding") == 3
        assert b"%PDF" in council_report.build_files(local_authority=world.la, as_of=TODAY)[0][:5]
    finally:
        council_report._sections.pop("funding")


def test_funding_section_shows_grants_allocations_spend_and_claims(world):
    from .partnerships import add_partnerships

    add_partnerships(world)  # a £10,000 FEO grant, £4,000 to school A, £1,500 spent, a claim due in 7 days
    section = council_report.funding_section(local_authority=world.la, as_of=TODAY, language="en-gb")
    assert section.has_data
    tables = [b for b in section.blocks if isinstance(b, council_report.Table)]
    streams, allocations, claims = tables
    assert streams.rows[-1][2:] == ["£10,000", "£4,000", "£1,500"]
    assert allocations.rows == [["FEO grant", world.school_a.name, "£4,000", "£1,500", "37.5"]]
    assert claims.rows[0][3] == "Due soon"
    charts = [b for b in section.blocks if isinstance(b, council_report.Chart)]
    assert charts[0].series[1][1] == [1500.0]  # the chart has the table's figures


def test_funding_section_says_so_when_no_grant_was_running(world):
    from .partnerships import add_partnerships

    add_partnerships(world)
    section = council_report.funding_section(local_authority=world.la, as_of=TODAY - datetime.timedelta(days=400), language="en-gb")
    assert not section.has_data
