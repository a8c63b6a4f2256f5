"""A hirer books the hall in Welsh and the community school manager approves it; axe-core on every page."""

from __future__ import annotations

import pytest

from cymuned.premises.models import BookingSeries

from ..conftest import next_weekday
from .test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_hirer_books_a_hall_in_welsh_and_the_manager_approves(world, visitor):
    page = visitor.page
    visitor.goto("/cy/premises/")
    assert "Prif neuadd" in page.content()
    visitor.goto(f"/cy/premises/spaces/{world.space.pk}/?week={next_weekday(0, 2).isoformat()}")
    sign_in(visitor, world.user("public"), language="cy")
    day = next_weekday(2, 2)
    visitor.goto(f"/cy/premises/spaces/{world.space.pk}/book/?day={day.isoformat()}&from=18:00")
    page.click("main form[method=post] button[type=submit]")  # nothing filled in: errors in Welsh
    page.wait_for_selector(".govuk-error-summary")
    visitor.check()
    assert "Say what the booking is for" not in page.content()
    page.fill("#id_activity", "Côr Meibion")
    page.fill("#id_expected_people", "25")
    page.fill("#id_first_day", day.isoformat())
    page.fill("#id_starts", "18:00")
    page.fill("#id_ends", "20:00")
    page.check("#id_terms_accepted")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector(".govuk-notification-banner--success")
    visitor.check()
    series = BookingSeries.objects.get(activity="Côr Meibion")
    assert series.status == "requested"
    visitor.page.context.clear_cookies()
    sign_in(visitor, world.user("csm"), language="en-gb")
    visitor.goto("/en-gb/premises/requests/")
    page.click(f"a[href$='/premises/requests/{series.pk}/']")
    visitor.check()
    page.check("input[name=decision][value=approve]")
    page.click("main form[action$='/decide/'] button[type=submit]")
    page.wait_for_selector(".govuk-notification-banner--success")
    visitor.check()
    series.refresh_from_db()
    assert series.status == "approved"


def test_lettings_pages_are_accessible(world, visitor):
    from cymuned.premises import services

    services.booking_approve(by=world.user("csm"), series=world.series)  # issues an invoice too
    invoice = world.series.invoices.first()
    sign_in(visitor, world.user("csm"), language="cy")
    for path in [
        "/cy/premises/manage/",
        f"/cy/premises/manage/spaces/{world.space.pk}/",
        f"/cy/premises/manage/spaces/{world.space.pk}/edit/",
        f"/cy/premises/manage/spaces/{world.space.pk}/opening-times/",
        f"/cy/premises/manage/spaces/{world.space.pk}/prices/",
        f"/cy/premises/manage/spaces/{world.space.pk}/unavailable/",
        f"/cy/premises/manage/caretaker-cover/?school={world.school_a.pk}",
        f"/cy/premises/manage/closures/?school={world.school_a.pk}",
        f"/cy/premises/manage/costs/?school={world.school_a.pk}",
        "/cy/premises/manage/capital-projects/",
        "/cy/premises/manage/calendars/",
        f"/cy/premises/manage/spaces/{world.space.pk}/calendar/",
        f"/cy/premises/manage/spaces/{world.space.pk}/calendar/?month=2026-11",
        f"/cy/premises/manage/schools/{world.school_a.pk}/calendar/",
        "/cy/premises/manage/feeds/",
        "/cy/premises/invoices/",
        f"/cy/premises/invoices/{invoice.pk}/",
        "/cy/premises/finance/true-cost/",
        "/cy/premises/reports/utilisation/",
        f"/cy/premises/requests/{world.series.pk}/",
    ]:
        visitor.goto(path)
        assert visitor.page.locator("h1").count() == 1, path
    visitor.page.context.clear_cookies()
    sign_in(visitor, world.user("public"), language="cy")
    for path in ["/cy/premises/my-bookings/", f"/cy/premises/my-bookings/{world.series.pk}/", "/cy/premises/my-invoices/",
                 "/cy/premises/my-feeds/", "/cy/premises/account/", "/cy/premises/register/"]:
        visitor.goto(path)
    visitor.page.context.clear_cookies()
    sign_in(visitor, world.user("la_lead"), language="en-gb")
    for path in ["/en-gb/premises/manage/terms/", "/en-gb/premises/manage/capital-projects/new/", "/en-gb/premises/manage/spaces/new/",
                 "/en-gb/premises/requests/?status=approved"]:
        visitor.goto(path)
