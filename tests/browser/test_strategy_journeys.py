"""A resident answers a consultation in Welsh on a phone; the LA lead produces the report to Council. axe-core on every page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cymuned.strategy.models import CouncilReport, ReportStatus, Response
from cymuned.strategy.tasks import build_council_report

from ..strategy_world import build_plan
from .conftest import Visitor
from .test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_resident_answers_a_consultation_in_welsh_on_a_phone(world, browser, live_server, settings):
    settings.CYMUNED_CONSULTATION_MIN_SECONDS = 0  # a browser fills the form faster than a person; the time check has its own tests
    sp = build_plan(world)
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, locale="cy-GB")
    page = context.new_page()
    resident = Visitor(page, live_server.url)
    resident.goto(f"/cy/strategy/have-your-say/{sp.questionnaire.token}/")
    assert "Beth mae cymuned yn ei olygu i chi?" in page.content() and "Ble mae eich cymuned?" in page.content()
    page.tap("main form button[type=submit]")  # nothing chosen: the error summary links to each question
    page.wait_for_selector(".govuk-error-summary")
    resident.check()
    assert page.locator(".govuk-error-summary__list a").count() == 2
    single, multiple, scale, text = (sp.questions[k].pk for k in ("single", "multiple", "scale", "text"))
    page.tap(f"label[for='id_q{single}_1']")  # Fy nhref
    page.tap(f"label[for='id_q{multiple}_1']")  # Chwaraeon
    page.tap(f"label[for='id_q{scale}_3']")  # 4
    page.fill(f"#id_q{text}", "Pobl sy'n helpu ei gilydd")
    page.tap("main form button[type=submit]")
    page.wait_for_selector(".govuk-panel--confirmation")
    resident.check()
    response = Response.objects.get(questionnaire=sp.questionnaire)
    assert response.language == "cy"
    assert {(a.question_id, a.choice) for a in response.answers.exclude(choice=None)} == {(single, 1), (multiple, 1), (scale, 4)}
    context.close()


def test_la_lead_produces_the_report_to_council(world, visitor):
    build_plan(world)
    page = visitor.page
    sign_in(visitor, world.user("la_lead"))
    # A report being written: the page shows its progress and swaps in the download links when it is ready.
    running = CouncilReport.objects.create(local_authority=world.la, as_of=timezone.localdate(), status=ReportStatus.RUNNING, progress=30,
                                           created_by=world.user("la_lead"))
    visitor.goto(f"/en-gb/strategy/council-reports/{running.pk}/")
    assert page.locator("progress#report-progress-bar").get_attribute("value") == "30"
    build_council_report.call(report_id=running.pk)
    page.wait_for_selector("text=Download the report as PDF", timeout=15000)
    visitor.check()
    # One click from the reports page.
    visitor.goto("/en-gb/strategy/")
    page.click("a[href$='/strategy/council-reports/']")
    visitor.check()
    page.fill("#id_as_of", timezone.localdate().isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=Download the report as a Word document")
    visitor.check()
    with page.expect_download() as download:
        page.click("text=Download the report as PDF")
    assert download.value.suggested_filename.endswith(".pdf")
    assert CouncilReport.objects.filter(status=ReportStatus.DONE).count() == 2
