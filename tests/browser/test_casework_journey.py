"""An FEO logs a home visit on a phone-sized screen; axe-core on every page."""

from __future__ import annotations

import pytest

from cymuned.families.models import Contact

from .conftest import Visitor
from .test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_feo_logs_a_home_visit_on_a_phone(world, browser, live_server):
    page = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True).new_page()
    feo = Visitor(page, live_server.url)
    sign_in(feo, world.user("feo"), language="cy")
    feo.goto("/cy/families/caseload/")
    assert "The Jones family" in page.content()
    page.click(f"a[href$='/episodes/{world.episode.pk}/']")
    feo.check()
    page.check("input[name=kind][value=home_visit]")
    page.fill("#id_duration_minutes", "")
    page.click("#contact-panel button[type=submit]")  # no length given: the error comes back in place
    page.wait_for_selector("#contact-panel .govuk-error-summary")
    feo.check()
    page.fill("#id_duration_minutes", "40")
    page.fill("#id_present", "Mam a Nain")
    page.fill("#id_notes", "Siarad am y bore; clwb brecwast yn helpu.")
    page.click("#contact-panel button[type=submit]")
    page.wait_for_selector("#contact-panel .govuk-notification-banner--success")
    feo.check()
    assert Contact.objects.filter(episode=world.episode, kind="home_visit", duration_minutes=40).exists()
    assert "Mam a Nain" in page.locator("#contact-panel").inner_text()
    feo.goto(f"/cy/families/households/{world.household.pk}/")
