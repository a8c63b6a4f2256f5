"""Programmes: public sign-up with a waiting list, staff enrolment, registers, quantities, outcomes, scoping."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from cymuned.programmes import selectors, services
from cymuned.programmes.models import Attendance, Enrolment, EnrolmentStatus, Programme, Session

pytestmark = pytest.mark.django_db

SIGN_UP = {"participant_name": "Rhian Morgan", "email": "rhian@example.com", "places": "1", "privacy": "on"}


def _url(name: str, *args: object, lang: str = "en-gb") -> str:
    with translation.override(lang):
        return reverse(name, args=args)


# Public pages -------------------------------------------------------------------------------


def test_public_list_shows_published_programmes_only(world):
    Programme.objects.filter(pk=world.food_programme.pk).update(is_published=False)
    response = Client().get(_url("programmes:public-list"))
    assert response.status_code == 200
    assert "Family maths" in response.text
    assert "Breakfast club" not in response.text


def test_public_list_in_welsh_uses_welsh_titles(world):
    response = Client().get(_url("programmes:public-list", lang="cy"))
    assert "Mathemateg i&#x27;r teulu" in response.text or "Mathemateg i'r teulu" in response.text


def test_unpublished_programme_is_404_to_the_public(world):
    response = Client().get(_url("programmes:public-detail", world.food_programme.pk))
    assert response.status_code == 404
    assert Client().get(_url("programmes:public-sign-up", world.food_programme.pk)).status_code == 404


def test_public_sign_up_books_a_place_and_emails_in_welsh(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(_url("programmes:public-sign-up", world.programme.pk, lang="cy"), SIGN_UP)
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(email="rhian@example.com")
    assert enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.preferred_language == "cy"
    assert enrolment.source == "public"
    assert len(mail.outbox) == 1
    assert "Mathemateg i'r teulu" in mail.outbox[0].subject
    assert "Rhian Morgan" in mail.outbox[0].body
    page = Client().get(response["Location"])
    assert page.status_code == 200


def test_public_sign_up_past_capacity_joins_the_waiting_list_in_order(world, django_capture_on_commit_callbacks):
    # One place left (capacity 2, learner A enrolled).
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("programmes:public-sign-up", world.programme.pk), SIGN_UP)
        client.post(_url("programmes:public-sign-up", world.programme.pk), {**SIGN_UP, "participant_name": "Dai Jones", "email": "dai@example.com"})
        response = client.post(_url("programmes:public-sign-up", world.programme.pk),
                               {**SIGN_UP, "participant_name": "Ann Hughes", "email": "ann@example.com"})
    statuses = dict(Enrolment.objects.filter(source="public").values_list("participant_name", "status"))
    assert statuses == {"Rhian Morgan": "enrolled", "Dai Jones": "waiting", "Ann Hughes": "waiting"}
    page = client.get(response["Location"])
    assert "number 2" in page.text
    assert "waiting list" in mail.outbox[-1].subject


def test_withdrawal_gives_the_place_to_the_first_on_the_waiting_list(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.enrolment_sign_up_public(programme=world.programme, data={**SIGN_UP, "places": 1}, language="en")
        first = services.enrolment_sign_up_public(programme=world.programme, data={**SIGN_UP, "participant_name": "Dai", "email": "d@example.com", "places": 1}, language="en")
        services.enrolment_sign_up_public(programme=world.programme, data={**SIGN_UP, "participant_name": "Ann", "email": "a@example.com", "places": 1}, language="cy")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.enrolment_withdraw(by=world.user("headteacher"), enrolment=world.enrolment)
    assert [e.pk for e in promoted] == [first.pk]
    first.refresh_from_db()
    assert first.status == EnrolmentStatus.ENROLLED
    assert Enrolment.objects.get(participant_name="Ann").status == EnrolmentStatus.WAITING
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["d@example.com"]


def test_public_sign_up_errors_are_specific_and_change_nothing(world):
    before = Enrolment.objects.count()
    response = Client().post(_url("programmes:public-sign-up", world.programme.pk), {"participant_name": "", "email": "not-an-email", "places": "0"})
    assert response.status_code == 200
    assert "Enter your full name" in response.text
    assert "Enter an email address in the correct format" in response.text
    assert "Confirm that you have read how your details will be used" in response.text
    assert Enrolment.objects.count() == before


def test_public_sign_up_errors_in_welsh(world):
    response = Client().post(_url("programmes:public-sign-up", world.programme.pk, lang="cy"), {"participant_name": ""})
    assert response.status_code == 200
    assert "Enter your full name" not in response.text


def test_honeypot_refuses_robots(world):
    response = Client().post(_url("programmes:public-sign-up", world.programme.pk), {**SIGN_UP, "website": "http://spam"})
    assert response.status_code == 200
    assert not Enrolment.objects.filter(source="public").exists()


def test_programme_without_public_sign_up_refuses_it(world):
    Programme.objects.filter(pk=world.programme.pk).update(public_sign_up=False)
    with pytest.raises(ValidationError) as error:
        services.enrolment_sign_up_public(programme=world.programme, data={**SIGN_UP, "places": 1}, language="en")
    assert error.value.error_list[0].code == "no_public_sign_up"


def test_the_same_person_cannot_sign_up_twice(world):
    services.enrolment_sign_up_public(programme=world.programme, data={**SIGN_UP, "places": 1}, language="en")
    with pytest.raises(ValidationError) as error:
        services.enrolment_sign_up_public(programme=world.programme, data={**SIGN_UP, "places": 1}, language="en")
    assert "already signed up" in str(error.value)


# Staff enrolment ----------------------------------------------------------------------------


def test_staff_enrolment_past_capacity_is_refused_unless_waiting_list_chosen(world, client_for):
    client = client_for("headteacher")
    url = _url("programmes:enrol", world.programme.pk)
    client.post(url, {"participant_name": "Adult One", "places": "1"})
    before = Enrolment.objects.count()
    response = client.post(url, {"participant_name": "Adult Two", "places": "1"})
    assert response.status_code == 200
    assert "The programme is full (2 of 2 places taken)" in response.text
    assert Enrolment.objects.count() == before
    response = client.post(url, {"participant_name": "Adult Two", "places": "1", "waiting_list_if_full": "on"})
    assert response.status_code == 302
    assert Enrolment.objects.get(participant_name="Adult Two").status == EnrolmentStatus.WAITING


def test_staff_cannot_enrol_a_learner_they_cannot_see(world, client_for):
    client = client_for("head_other_cluster")
    Programme.objects.filter(pk=world.programme.pk).update(venue_school=world.school_c, lead_organisation=world.school_c)
    response = client.post(_url("programmes:enrol", world.programme.pk), {"upn": world.learner_a.upn, "places": "1"})
    assert response.status_code == 200
    assert "No learner of your schools has this unique pupil number." in response.text


def test_a_learner_cannot_be_enrolled_twice(world):
    with pytest.raises(ValidationError) as error:
        services.enrolment_add(by=world.user("headteacher"), programme=world.programme, learner=world.learner_a)
    assert "already on this programme" in str(error.value)


def test_enrolling_on_a_finished_programme_is_refused(world):
    Programme.objects.filter(pk=world.programme.pk).update(
        starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2020, 2, 1)
    )
    world.programme.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.enrolment_add(by=world.user("headteacher"), programme=world.programme, participant_name="Late comer")
    assert error.value.error_list[0].code == "programme_finished"


def test_other_schools_staff_cannot_run_the_programme(world):
    with pytest.raises(PermissionDenied):
        services.enrolment_add(by=world.user("head_other_cluster"), programme=world.programme, participant_name="X")


# Registers -----------------------------------------------------------------------------------


def test_register_marks_with_htmx_and_returns_the_row(world, client_for):
    client = client_for("feo")
    url = _url("programmes:register", world.session.pk)
    response = client.post(url, {"enrolment": world.enrolment.pk, f"mark-{world.enrolment.pk}": "late"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Saved" in response.text
    assert f'id="row-{world.enrolment.pk}"' in response.text
    assert Attendance.objects.get(session=world.session, enrolment=world.enrolment).mark == "late"


def test_register_without_javascript_saves_every_mark(world, client_for):
    client = client_for("headteacher")
    response = client.post(_url("programmes:register", world.session.pk), {f"mark-{world.enrolment.pk}": "absent"})
    assert response.status_code == 302
    assert Attendance.objects.get(session=world.session, enrolment=world.enrolment).mark == "absent"


def test_register_for_a_session_that_does_not_exist_is_404(world, client_for):
    response = client_for("headteacher").post(_url("programmes:register", 999999), {f"mark-{world.enrolment.pk}": "present"})
    assert response.status_code == 404


def test_register_of_a_future_session_is_refused(world):
    soon = timezone.now() + datetime.timedelta(days=3)
    session = Session.objects.create(programme=world.programme, starts_at=soon, ends_at=soon + datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as error:
        services.register_mark(by=world.user("headteacher"), session=session, enrolment=world.enrolment, mark="present")
    assert error.value.error_list[0].code == "session_not_started"
    assert not Attendance.objects.filter(session=session).exists()


def test_register_refuses_someone_not_on_the_programme(world):
    other = Enrolment.objects.create(programme=world.food_programme, participant_name="Someone")
    with pytest.raises(ValidationError):
        services.register_mark(by=world.user("headteacher"), session=world.session, enrolment=other, mark="present")


def test_food_provision_records_quantities_not_names(world, client_for):
    client = client_for("csm")
    url = _url("programmes:register", world.food_session.pk)
    page = client.get(url)
    assert "Meals served" in page.text
    response = client.post(url, {"meals_served": "42", "people_fed": "40"})
    assert response.status_code == 302
    world.food_session.refresh_from_db()
    assert (world.food_session.meals_served, world.food_session.people_fed) == (42, 40)
    response = client.post(url, {"meals_served": "", "people_fed": ""})
    assert response.status_code == 422
    assert "Enter at least one number" in response.text


def test_register_page_runs_a_constant_number_of_queries(world, client_for, django_assert_max_num_queries):
    client = client_for("headteacher")
    Programme.objects.filter(pk=world.programme.pk).update(capacity=None)
    url = _url("programmes:register", world.session.pk)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    Enrolment.objects.bulk_create([Enrolment(programme=world.programme, participant_name=f"Adult {n}") for n in range(30)])
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# Outcomes ------------------------------------------------------------------------------------


def test_confidence_questionnaire_before_and_after(world, client_for):
    client = client_for("feo")
    url = reverse("programmes:confidence", args=[world.enrolment.pk, "after"])
    response = client.post(url, {"answered_on": timezone.localdate().isoformat(), "supporting_learning": "4", "skills": "5",
                                 "talking_to_school": "4", "wellbeing": "4"})
    assert response.status_code == 302
    page = client.get(reverse("programmes:enrolment", args=[world.enrolment.pk]))
    assert page.status_code == 200
    bad = client.post(url, {"answered_on": timezone.localdate().isoformat(), "supporting_learning": "9"})
    assert bad.status_code == 200
    assert "Choose an answer from 1 to 5" in bad.text or "Select a valid choice" in bad.text


def test_achievement_in_the_future_is_refused(world):
    with pytest.raises(ValidationError):
        services.achievement_record(by=world.user("headteacher"), enrolment=world.enrolment,
                                    data={"title": "ESOL Entry 3", "awarding_body": "", "level": "", "awarded_on": timezone.localdate() + datetime.timedelta(days=2)})


# Scoping -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["head_other_cluster", "partner_other", "lead_other_la", "governor", "public"])
def test_outsiders_cannot_see_who_is_on_a_programme(world, client_for, name):
    client = client_for(name)
    assert client.get(_url("programmes:manage", world.programme.pk)).status_code in (403, 404)
    assert client.get(_url("programmes:enrolment", world.enrolment.pk)).status_code in (403, 404)
    assert client.get(_url("programmes:register", world.session.pk)).status_code in (403, 404)
    response = client.get("/api/v1/enrolments/")
    assert response.status_code in (401, 403) or response.json()["count"] == 0


def test_the_learners_school_sees_their_enrolment(world, client_for):
    assert client_for("school_staff").get(_url("programmes:enrolment", world.enrolment.pk)).status_code == 200


def test_api_programmes_are_public_but_unpublished_ones_are_not(world):
    response = Client().get("/api/v1/programmes/")
    assert response.status_code == 200
    titles = {p["title_en"] for p in response.json()["results"]}
    assert titles == {"Family maths"}
    assert Client().get(f"/api/v1/programmes/{world.food_programme.pk}/").status_code == 404


def test_api_marks_attendance_with_the_same_checks(world, client_for):
    client = client_for("headteacher")
    response = client.post("/api/v1/programme-attendances/", {"session": world.session.pk, "enrolment": world.enrolment.pk, "mark": "late"},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    outsider = client_for("head_other_cluster").post(
        "/api/v1/programme-attendances/", {"session": world.session.pk, "enrolment": world.enrolment.pk, "mark": "late"},
        content_type="application/json",
    )
    assert outsider.status_code in (400, 403, 404)


def test_create_programme_through_the_form(world, client_for):
    client = client_for("csm")
    today = timezone.localdate()
    response = client.post(_url("programmes:create"), {
        "kind": "adult_learning", "topic": "digital_skills", "title_en": "Computers for beginners", "title_cy": "Cyfrifiaduron i ddechreuwyr",
        "description_en": "Email, online forms and staying safe.", "description_cy": "E-bost, ffurflenni ar-lein a chadw'n ddiogel.",
        "lead_organisation": world.school_a.pk, "venue_en": "ICT suite", "delivery_language": "bilingual", "capacity": "12",
        "cost_pence": "0", "starts_on": today.isoformat(), "is_published": "on", "public_sign_up": "on",
    })
    assert response.status_code == 302, response.text
    programme = Programme.objects.get(title_en="Computers for beginners")
    assert programme.local_authority_id == world.la.pk
    bad = client.post(_url("programmes:create"), {"kind": "adult_learning", "lead_organisation": world.school_c.pk})
    assert bad.status_code == 200
    assert "Choose an organisation from the list" in bad.text


def test_schedule_adds_weekly_sessions_at_the_same_local_time(world, client_for):
    client = client_for("headteacher")
    first = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(_url("programmes:schedule", world.programme.pk),
                           {"first_date": first.isoformat(), "start_time": "09:30", "duration_minutes": "90", "count": "4", "every_days": "7"})
    assert response.status_code == 302
    added = world.programme.sessions.filter(starts_at__date__gte=first).order_by("starts_at")
    assert added.count() == 4
    assert {timezone.localtime(s.starts_at).strftime("%H:%M") for s in added} == {"09:30"}


class TestPlacesNeverOverbooked(HypothesisTestCase):
    """Whatever order people sign up and withdraw in, enrolled places never exceed capacity and the queue is served in order."""

    @settings(max_examples=25, deadline=None)
    @given(capacity=st.integers(min_value=1, max_value=5),
           steps=st.lists(st.one_of(st.tuples(st.just("sign"), st.integers(min_value=1, max_value=3)),
                                    st.tuples(st.just("withdraw"), st.integers(min_value=0, max_value=10))), max_size=15))
    def test_capacity_holds(self, capacity, steps):
        from tests.factories import LocalAuthorityFactory, MembershipFactory, SchoolFactory, UserFactory

        la = LocalAuthorityFactory()
        school = SchoolFactory(cluster__local_authority=la)
        head = UserFactory()
        MembershipFactory(user=head, organisation=school, role="headteacher")
        programme = Programme.objects.create(
            local_authority=la, lead_organisation=school, kind="adult_learning", title_en="T", title_cy="T", description_en="D",
            description_cy="D", venue_en="V", capacity=capacity, starts_on=timezone.localdate(), is_published=True, public_sign_up=True,
        )
        for n, (step, value) in enumerate(steps):
            if step == "sign":
                services.enrolment_sign_up_public(programme=programme, data={"participant_name": f"P{n}", "email": f"p{n}@example.com",
                                                                             "places": value}, language="en")
            else:
                active = list(programme.enrolments.active().order_by("pk"))
                if active:
                    services.enrolment_withdraw(by=head, enrolment=active[value % len(active)])
            assert services.places_taken(programme) <= capacity
            waiting = list(programme.enrolments.waiting())
            if waiting:
                # Nobody waits while their places are free.
                assert waiting[0].places > services.places_left(programme)


def test_manage_list_runs_a_constant_number_of_queries(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("headteacher")
    url = _url("programmes:manage-list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(10):
        Programme.objects.create(local_authority=world.la, lead_organisation=world.school_a, kind="community_activity", title_en=f"P{n}",
                                 title_cy=f"P{n}", description_en="D", description_cy="D", venue_en="V", starts_on=timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "P9" in response.text
    assert len(many) == len(few)


def test_selectors_count_places(world):
    row = selectors.programmes_run_by(user=world.user("headteacher")).get(pk=world.programme.pk)
    assert (row.places_taken, row.places_left, row.waiting_count) == (1, 1, 0)


# Data protection -----------------------------------------------------------------------------


def test_subject_access_export_includes_programmes(world):
    from cymuned.families.subject_access import subject_access_for

    report = subject_access_for(user=world.user("headteacher"), household=world.household)
    titles = [str(section.title) for section in report.sections]
    assert "Courses and activities" in titles
    assert "Qualifications and questionnaire answers" in titles


def test_retention_anonymises_finished_public_sign_ups_but_keeps_the_figures(world):
    from cymuned.families.retention import ANONYMISE, retention_apply

    old = Enrolment.objects.create(programme=world.programme, participant_name="Rhian Morgan", email="rhian@example.com",
                                   telephone="07700 900123", school=world.school_a)
    Attendance.objects.create(session=world.session, enrolment=old, mark="present")
    Programme.objects.filter(pk=world.programme.pk).update(starts_on=datetime.date(2015, 1, 1), ends_on=datetime.date(2015, 3, 1))
    before = Attendance.objects.filter(session=world.session).count()
    retention_apply(mode=ANONYMISE)
    old.refresh_from_db()
    assert (old.participant_name, old.email, old.telephone) == ("—", "", "")
    assert old.school_id == world.school_a.pk and old.status == "enrolled"
    assert Attendance.objects.filter(session=world.session).count() == before
    world.enrolment.refresh_from_db()
    assert world.enrolment.learner_id == world.learner_a.pk


def test_list_reads_are_audited_with_the_reader(world, client_for):
    from auditlog.models import LogEntry

    client_for("headteacher").get(_url("programmes:register", world.session.pk))
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(world.enrolment.pk),
                                    content_type__model="enrolment").latest("timestamp")
    assert entry.actor == world.user("headteacher")


def test_learner_page_lists_their_programmes(world, client_for):
    response = client_for("school_staff").get(_url("families:learner-detail", world.learner_a.pk))
    assert "Family maths" in response.text


def test_register_flags_learners_without_photograph_consent(world, client_for):
    from cymuned.families.models import Consent

    client = client_for("headteacher")
    url = _url("programmes:register", world.session.pk)
    assert "No photographs" in client.get(url).text
    Consent.objects.create(household=world.household, purpose="photographs", given_by=world.carer, method="written",
                           given_on=timezone.localdate() - datetime.timedelta(days=30))
    assert "No photographs" not in client.get(url).text
    row = client.post(url, {"enrolment": world.enrolment.pk, f"mark-{world.enrolment.pk}": "present"}, HTTP_HX_REQUEST="true")
    assert "No photographs" not in row.text
