"""A parent searches the public services directory in Welsh, by need and postcode, and opens a service. axe-core on every page."""

from __future__ import annotations

import pytest

from .conftest import Visitor

pytestmark = pytest.mark.django_db(transaction=True)


def test_parent_finds_a_service_near_them_in_welsh(world, visitor: Visitor):
    page = visitor.page
    visitor.goto("/cy/directory/")
    assert page.locator("html").get_attribute("lang") == "cy"
    page.fill("#id_postcode", "ZZ99")  # not a Welsh district: the error comes back on the page
    page.click("main form.cymuned-filters button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    visitor.check()
    page.fill("#id_postcode", "CF47 8AN")
    page.select_option("#id_need", "housing")
    page.select_option("#id_language", "cy")
    page.click("main form.cymuned-filters button[type=submit]")
    page.wait_for_selector(".cymuned-results")
    visitor.check()
    results = page.locator(".cymuned-results > li h3 a")
    assert results.count() == 1 and results.first.inner_text() == "Cymorth tenantiaeth"
    assert "km" in page.locator(".cymuned-results").inner_text()
    results.first.click()
    page.wait_for_selector("h1")
    visitor.check()
    assert page.locator("h1").inner_text() == "Cymorth tenantiaeth"
    assert "Redhouse" in page.content()
