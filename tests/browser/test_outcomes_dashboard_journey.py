"""A headteacher reads the attendance dashboard, changes a filter, and reads it again in Welsh; axe-core on each page."""

from __future__ import annotations

import pytest

from cymuned.outcomes import aggregates

from ..factories import LearnerFactory
from ..test_outcomes_dashboards import YEAR, _year
from .conftest import Visitor
from .test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_headteacher_reads_the_attendance_dashboard_in_both_languages(world, browser, live_server):
    for n in range(6):
        _year(LearnerFactory(school=world.school_a, efsm=n < 3), attended=8, missed=2 if n % 2 else 0)
    aggregates.refresh_outcome_aggregates(school_ids=[world.school_a.pk], academic_years=[YEAR])

    head = Visitor(browser.new_context(viewport={"width": 1280, "height": 900}).new_page(), live_server.url)
    sign_in(head, world.user("headteacher"))
    head.goto(f"/en-gb/outcomes/dashboard/attendance/?area=school-{world.school_a.pk}")
    assert head.page.locator("canvas[data-drawn='1']").count() >= 2  # Chart.js drew the charts beside their tables
    assert "Persistent absence" in head.page.locator("table").first.inner_text()

    head.page.select_option("#id_measure", "persistent")
    head.page.click("form.cymuned-filters button[type=submit]")
    head.check()
    assert "measure=persistent" in head.page.url
    assert "Persistent absence (missing 10% or more) (%) by term" in head.page.locator("main").inner_text()
    assert head.page.locator("canvas[data-drawn='1']").count() >= 2

    head.goto(f"/cy/outcomes/dashboard/attendance/?area=school-{world.school_a.pk}&measure=persistent")
    assert head.page.locator("html").get_attribute("lang") == "cy"
    assert "Presenoldeb" in head.page.locator("main nav").inner_text()
    assert head.page.locator("canvas[data-drawn='1']").count() >= 2
