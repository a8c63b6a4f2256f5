"""A parent signs up to a course in Welsh; an FEO takes a register on a phone; a head reads the report. axe-core on every page."""

from __future__ import annotations

import pytest
from django.core import mail

from cymuned.programmes.models import Attendance, Enrolment, Programme

from .conftest import Visitor
from .test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_parent_signs_up_to_a_course_in_welsh(world, visitor):
    page = visitor.page
    visitor.goto("/cy/programmes/")
    assert "Mathemateg i'r teulu" in page.content()
    page.click(f"a[href$='/programmes/{world.programme.pk}/']")
    visitor.check()
    page.click(f"a[href$='/programmes/{world.programme.pk}/sign-up/']")
    visitor.check()
    page.click("main form[method=post] button[type=submit]")  # nothing filled in: the errors come back in Welsh
    page.wait_for_selector(".govuk-error-summary")
    visitor.check()
    assert "Enter your full name" not in page.content()
    page.fill("#id_participant_name", "Siân Prydderch")
    page.fill("#id_email", "sian@example.com")
    page.fill("#id_places", "1")
    page.check("#id_privacy")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector(".govuk-panel--confirmation")
    visitor.check()
    enrolment = Enrolment.objects.get(email="sian@example.com")
    assert enrolment.preferred_language == "cy" and enrolment.status == "enrolled"
    assert len(mail.outbox) == 1 and "Mathemateg i'r teulu" in mail.outbox[0].subject


def test_feo_takes_a_register_on_a_phone(world, browser, live_server):
    page = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True).new_page()
    feo = Visitor(page, live_server.url)
    sign_in(feo, world.user("feo"), language="en-gb")
    feo.goto(f"/en-gb/programmes/manage/{world.programme.pk}/")
    page.click(f"a[href$='/sessions/{world.session.pk}/register/']")
    feo.check()
    page.tap(f"label[for='mark-{world.enrolment.pk}-late']")
    page.wait_for_selector(f"#row-{world.enrolment.pk} [role=status]")
    feo.check()
    assert Attendance.objects.get(session=world.session, enrolment=world.enrolment).mark == "late"
    page.goto(live_server.url + f"/en-gb/programmes/sessions/{world.food_session.pk}/register/")
    feo.check()
    page.fill("#id_meals_served", "35")
    page.fill("#id_people_fed", "31")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector(".govuk-notification-banner--success")
    feo.check()
    world.food_session.refresh_from_db()
    assert world.food_session.meals_served == 35


def test_head_reads_the_report_and_sets_up_a_programme(world, visitor, attendance_summaries):
    page = visitor.page
    sign_in(visitor, world.user("headteacher"), language="cy")
    visitor.goto("/cy/programmes/report/")
    page.wait_for_selector("canvas[data-drawn]")
    visitor.check()
    for path in [
        "/cy/programmes/manage/",
        f"/cy/programmes/manage/{world.programme.pk}/",
        f"/cy/programmes/manage/{world.programme.pk}/edit/",
        f"/cy/programmes/manage/{world.programme.pk}/sessions/add/",
        f"/cy/programmes/manage/{world.programme.pk}/enrol/",
        f"/cy/programmes/enrolments/{world.enrolment.pk}/",
        f"/cy/programmes/enrolments/{world.enrolment.pk}/achievements/add/",
        f"/cy/programmes/enrolments/{world.enrolment.pk}/questionnaire/after/",
        f"/en-gb/programmes/manage/{world.food_programme.pk}/",
        f"/cy/families/households/{world.household.pk}/",
        f"/cy/families/households/{world.household.pk}/learners/link/",
        f"/cy/families/learners/{world.learner_a.pk}/",
        "/cy/outcomes/worklist/",
    ]:
        visitor.goto(path)
        assert page.locator("h1").count() == 1
    visitor.goto("/cy/programmes/manage/new/")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    visitor.check()
    assert not Programme.objects.filter(title_en="").exists()
