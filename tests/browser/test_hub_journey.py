"""The closed loop in a browser: an FEO (in Welsh) refers a family to the hub, the hub coordinator allocates it to a
partner, the partner's worker accepts and closes it, and the FEO sees the outcome. axe-core on every page."""

from __future__ import annotations

import pytest
from django.utils import translation

from cymuned.hub.models import Outcome, Referral, Status

from ..hub_helpers import consent
from .conftest import Visitor
from .test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _as(browser: object, live_server: object, user: object, language: str = "en-gb") -> Visitor:
    visitor = Visitor(browser.new_context(viewport={"width": 1280, "height": 900}).new_page(), live_server.url)
    sign_in(visitor, user, language=language)
    return visitor


def test_feo_refers_hub_allocates_partner_accepts_and_closes(world, browser, live_server):
    hub_consent = consent(world, "share_hub")
    consent(world, "share_housing")

    feo = _as(browser, live_server, world.user("feo"), language="cy")
    feo.goto(f"/cy/families/households/{world.household.pk}/")
    feo.page.click(f"a[href$='/hub/referrals/new/?household={world.household.pk}']")
    feo.check()
    feo.page.select_option("#id_learner", str(world.learner_a.pk))
    feo.page.check("input[name=needs][value=housing]")
    feo.page.check("input[name=urgency][value=soon]")
    feo.page.fill("#id_details", "Ôl-ddyledion rhent ers yr haf")
    feo.page.fill("#id_family_knows", "Mam a ofynnodd am help")
    feo.page.click("main button[type=submit]")  # no consent chosen and no lawful basis: refused, in place
    feo.check()
    assert feo.page.locator(".govuk-error-summary").count() == 1
    feo.page.fill("#id_family_wants", "Cyngor a chynllun talu")
    feo.page.select_option("#id_consent", str(hub_consent.pk))
    feo.page.click("main button[type=submit]")
    feo.check()
    referral = Referral.objects.get()
    assert referral.status == Status.SUBMITTED and "/cy/hub/referrals/" in feo.page.url

    hub = _as(browser, live_server, world.user("hub_coordinator"))
    hub.goto("/en-gb/hub/")
    hub.page.click(f"text={referral.reference}")
    hub.check()
    hub.page.click("#form-allocate >> xpath=ancestor::details/summary")
    hub.page.select_option("#id_allocate-partner", str(world.partner_p.pk))
    hub.page.click("#form-allocate button[type=submit]")
    hub.check()
    referral.refresh_from_db()
    assert referral.status == Status.ALLOCATED and referral.partner == world.partner_p

    partner = _as(browser, live_server, world.user("partner_worker"))
    partner.goto("/en-gb/hub/partner/")
    assert referral.reference in partner.page.content()
    partner.page.click(f"text={referral.reference}")
    partner.check()
    assert "Cyngor a chynllun talu" in partner.page.content()  # what the family wants: shared under their consent
    assert "Do not call after 6pm" not in partner.page.content()  # the household's safe-contact notes are not
    partner.page.click("#form-partner_accept >> xpath=ancestor::details/summary")
    partner.page.click("#form-partner_accept button[type=submit]")
    partner.check()
    partner.page.click("#form-close >> xpath=ancestor::details/summary")
    partner.page.check("#form-close input[name=close-outcome][value=supported]")
    partner.page.fill("#id_close-notes", "Payment plan agreed with the family")
    partner.page.click("#form-close button[type=submit]")
    partner.check()
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED and referral.outcome == "supported"

    feo.goto("/cy/hub/referrals/")
    feo.page.click(f"text={referral.reference}")
    feo.check()
    with translation.override("cy"):
        supported = str(Outcome.SUPPORTED.label)
    assert supported in feo.page.content() and "Payment plan agreed with the family" in feo.page.content()
    feo.goto("/cy/notifications/")
    assert referral.reference in feo.page.content()
