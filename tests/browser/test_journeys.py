"""Main journeys of each role in a real browser, in English and Welsh, with axe-core on every page."""

from __future__ import annotations

import pytest

from ..conftest import HOME_USERS, PASSWORD
from .conftest import Visitor, current_code

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(visitor: Visitor, user: object, language: str = "en-gb") -> None:
    visitor.goto(f"/{language}/accounts/sign-in/")
    visitor.page.fill("#id_username", user.email)
    visitor.page.fill("#id_password", PASSWORD)
    visitor.page.click("main button[type=submit]")
    visitor.check()
    if "two-factor" in visitor.page.url:
        visitor.page.fill("#id_token", current_code(user))
        visitor.page.click("main button[type=submit]")
        visitor.check()
    assert "/dashboard/" in visitor.page.url


# Pages each role is expected to reach from its dashboard.
ROLE_PAGES = {
    "la_lead": [
        "/organisations/schools/",
        "/organisations/clusters/",
        "/organisations/partners/",
        "/accounts/people/",
        "/accounts/people/add/",
        "/audit/",
        "/accounts/profile/",
        "/organisations/partners/add/",
    ],
    "la_officer": ["/organisations/schools/", "/organisations/clusters/"],
    "hub_coordinator": ["/organisations/partners/", "/organisations/partners/add/"],
    "headteacher": ["/accounts/people/", "/families/learners/", "/families/learners/add/", "/organisations/schools/",
                    "/programmes/manage/", "/programmes/report/", "/outcomes/worklist/"],
    "school_staff": ["/families/learners/"],
    "feo": ["/families/learners/", "/families/caseload/", "/outcomes/worklist/", "/programmes/manage/"],
    "csm": ["/families/learners/", "/families/households/", "/programmes/manage/new/"],
    "governor": ["/organisations/schools/"],
    "partner_worker": ["/organisations/partners/"],
}


@pytest.mark.parametrize("role", list(HOME_USERS))
def test_each_role_signs_in_and_reaches_its_pages_in_both_languages(world, visitor, role):
    user = world.user(role)
    sign_in(visitor, user)
    heading = visitor.page.locator("h1").inner_text()
    assert user.full_name.split(" ")[0] in heading
    for path in ROLE_PAGES[role]:
        visitor.goto(f"/en-gb{path}")
        assert visitor.page.locator("h1").count() == 1
    # Switch to Welsh on the page we are on, and back.
    here = visitor.page.url
    visitor.page.click(".govuk-language-navigation a[hreflang=cy]")
    visitor.check()
    assert visitor.page.url == here.replace("/en-gb/", "/cy/")
    assert visitor.page.locator("html").get_attribute("lang") == "cy"
    visitor.page.click(".govuk-language-navigation a[hreflang=en]")
    visitor.check()
    assert visitor.page.url == here


def test_public_pages_and_error_pages_are_accessible(world, visitor):
    for path in [
        "/en-gb/",
        "/cy/",
        "/en-gb/accessibility/",
        "/cy/privacy/",
        "/en-gb/cookies/",
        "/en-gb/api-docs/",
        "/cy/accounts/password-reset/",
    ]:
        visitor.goto(path)
    visitor.expected_errors.append("404 (Not Found)")
    visitor.goto("/cy/no-such-page/")
    assert visitor.page.locator("h1").inner_text() == "Heb ddod o hyd i'r dudalen"


def test_sign_in_errors_are_shown_in_welsh_and_accessible(world, visitor):
    visitor.goto("/cy/accounts/sign-in/")
    visitor.page.click("main button[type=submit]")
    visitor.check()
    summary = visitor.page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Mae problem wedi codi" in summary.inner_text()


def test_la_lead_gives_a_role_and_the_audit_log_shows_it(world, visitor):
    sign_in(visitor, world.user("la_lead"), language="cy")
    visitor.goto("/cy/accounts/people/add/")
    visitor.page.click("main button[type=submit]")  # empty form: errors, still accessible
    visitor.check()
    visitor.page.fill("#id_email", "newfeo@example.org")
    visitor.page.fill("#id_full_name", "Elin Newydd")
    visitor.page.select_option("#id_organisation", str(world.school_a.pk))
    visitor.page.select_option("#id_role", "feo")
    visitor.page.click("main button[type=submit]")
    visitor.check()
    assert "/cy/accounts/people/" in visitor.page.url
    assert "Elin Newydd" in visitor.page.content()
    visitor.goto("/cy/audit/?actor=la_lead")
    assert "newfeo@example.org" in visitor.page.content() or "Elin Newydd" in visitor.page.content()


def test_headteacher_edits_school_with_a_mistake_first(world, visitor):
    sign_in(visitor, world.user("headteacher"))
    visitor.goto(f"/en-gb/organisations/schools/{world.school_a.pk}/edit/")
    visitor.page.fill("#id_efsm_percentage", "150")
    visitor.page.click("main button[type=submit]")
    visitor.check()
    assert visitor.page.locator(".govuk-error-summary").is_visible()
    visitor.page.fill("#id_efsm_percentage", "27.5")
    visitor.page.click("main button[type=submit]")
    visitor.check()
    assert f"/schools/{world.school_a.pk}/" in visitor.page.url
    world.school_a.refresh_from_db()
    assert str(world.school_a.efsm_percentage) == "27.5"


def test_phone_sized_dashboard_menu(world, browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    visitor = Visitor(page, live_server.url)
    sign_in(visitor, world.user("feo"))
    toggle = page.locator(".govuk-service-navigation__toggle")
    assert toggle.is_visible()
    toggle.click()
    visitor.check()
    assert page.locator("#navigation a", has_text="Learners").is_visible()
    context.close()


def test_school_filter_updates_in_place_with_htmx(world, visitor):
    sign_in(visitor, world.user("la_lead"))
    visitor.goto("/en-gb/organisations/schools/")
    with visitor.page.expect_response(lambda r: "cluster=" in r.url):
        visitor.page.select_option("#id_cluster", str(world.cluster_y.pk))
    visitor.page.wait_for_function("!document.querySelector('#school-results').textContent.includes('Alpha School')")
    assert "Gamma School" in visitor.page.locator("#school-results").inner_text()
    assert f"cluster={world.cluster_y.pk}" in visitor.page.url
    visitor.check()
