"""A school rates and submits in Welsh, the LA moderates, and both see the heatmap; axe-core on every page."""

from __future__ import annotations

import pytest

from cymuned.evaluation import services
from cymuned.evaluation.models import EvaluationStatus

from .conftest import Visitor
from .test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_rate_submit_moderate_and_see_the_heatmap_in_welsh(world, browser, live_server):
    cells = list(world.framework.cells.all())
    for cell in cells[1:]:
        services.rating_save(by=world.user("headteacher"), evaluation=world.evaluation, cell=cell, stage=world.stages[2], rationale="Tystiolaeth")

    school = Visitor(browser.new_context(viewport={"width": 1280, "height": 900}).new_page(), live_server.url)
    sign_in(school, world.user("headteacher"), language="cy")
    school.goto(f"/cy/self-evaluation/{world.evaluation.pk}/")
    school.page.click(f"a[href$='/rate/{cells[0].pk}/']")
    school.check()
    assert "Dechreuol" in school.page.content()
    school.page.click("main button[type=submit]")  # nothing chosen: errors in Welsh
    school.check()
    assert "Mae problem wedi codi" in school.page.locator(".govuk-error-summary").inner_text()
    school.page.check(f"input[name=stage][value='{world.stages[3].pk}']")
    school.page.fill("#id_rationale", "Mae cofnodion y fforwm rhieni yn dangos hyn.")
    school.page.click("main button[type=submit]")
    school.check()
    school.page.click("form[action$='/submit/'] button")
    school.check()
    world.evaluation.refresh_from_db()
    assert world.evaluation.status == EvaluationStatus.SUBMITTED

    officer = Visitor(browser.new_context(viewport={"width": 1280, "height": 900}).new_page(), live_server.url)
    sign_in(officer, world.user("la_officer"))
    officer.goto("/en-gb/self-evaluation/")
    officer.page.click(f"a[href$='/{world.evaluation.pk}/moderate/']")
    officer.check()
    officer.page.select_option(f"#id_stage_{cells[0].pk}", str(world.stages[2].pk))
    officer.page.click("main form button[type=submit]")  # changed without a comment: refused
    officer.check()
    assert officer.page.locator(".govuk-error-summary").is_visible()
    officer.page.fill(f"#id_comment_{cells[0].pk}", "The evidence supports Developing for now.")
    officer.page.click("main form button[type=submit]")
    officer.check()
    world.evaluation.refresh_from_db()
    assert world.evaluation.status == EvaluationStatus.MODERATED
    officer.goto("/en-gb/self-evaluation/heatmap/?academic_year=2026-27")
    assert "Alpha School" in officer.page.locator("#heatmap-results").inner_text()
    assert officer.page.locator("canvas[data-drawn='1']").count() == 1  # Chart.js drew the chart beside its table

    school.goto(f"/cy/self-evaluation/{world.evaluation.pk}/")
    assert "The evidence supports Developing for now." in school.page.content()
    school.goto("/cy/self-evaluation/heatmap/?academic_year=2026-27")
    assert "Ysgol Alffa" in school.page.locator("#heatmap-results").inner_text()
    school.goto(f"/cy/self-evaluation/schools/{world.school_a.pk}/")
    school.goto(f"/cy/self-evaluation/questionnaire/{world.survey.token}/")
