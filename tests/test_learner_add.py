"""Adding a learner to a school's roll, and linking a brother or sister to a family."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cymuned.families import services
from cymuned.families.models import Household, Learner

from .factories import LearnerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
ADD = "/en-gb/families/learners/add/"


def learner_data(world, **overrides):
    return {"school": world.school_a.pk, "upn": " b123456789012 ", "given_name": " Elin ", "family_name": "Hughes",
            "date_of_birth": "2016-09-01", "year_group": "3", "efsm": "on", "welsh_additional_language": "on", **overrides}


@pytest.mark.parametrize(
    ("name", "status"),
    [("headteacher", 200), ("school_staff", 200), ("feo", 403), ("csm", 403), ("governor", 403), ("la_lead", 403), ("partner_worker", 403),
     ("public", 403)],
)
def test_who_may_open_the_form(world, client_for, name, status):
    assert client_for(name).get(ADD).status_code == status


def test_anonymous_are_sent_to_sign_in(world, client_for):
    response = client_for(None).get(ADD)
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_add_a_learner_with_every_field(world, client_for):
    response = client_for("school_staff").post(ADD, learner_data(world))
    learner = Learner.objects.get(upn="B123456789012")  # stripped and in capitals
    assert response.status_code == 302 and response["Location"] == f"/en-gb/families/learners/{learner.pk}/"
    assert (learner.school, learner.given_name, learner.family_name, learner.date_of_birth, learner.year_group) == (
        world.school_a, "Elin", "Hughes", datetime.date(2016, 9, 1), 3)
    assert learner.efsm and learner.welsh_additional_language and not learner.looked_after and not learner.young_carer
    assert learner.created_by == world.user("school_staff") and learner.household is None


def test_only_the_users_schools_are_offered(world, client_for):
    body = client_for("headteacher").get(ADD).content.decode()
    assert "Alpha School" in body and "Gamma School" not in body and "Beta School" not in body
    response = client_for("headteacher").post(ADD, learner_data(world, school=world.school_c.pk))
    assert response.status_code == 200 and "Choose a school from the list" in response.content.decode()
    assert not Learner.objects.filter(upn="B123456789012").exists()


def test_duplicate_upn_of_a_learner_the_user_can_see_names_them(world, client_for):
    before = Learner.objects.count()
    upn = f"  {world.learner_a.upn.lower()} "
    response = client_for("headteacher").post(ADD, learner_data(world, upn=upn))
    body = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in body
    assert "Alys Jones at Alpha School already has this unique pupil number" in body
    assert Learner.objects.count() == before


def test_duplicate_upn_elsewhere_does_not_say_where(world, client_for):
    before = Learner.objects.count()
    response = client_for("headteacher").post(ADD, learner_data(world, upn=world.learner_c.upn))
    body = response.content.decode()
    assert "already recorded for a learner at a school you do not work with" in body
    assert "Gamma School" not in body and "Carys" not in body
    assert Learner.objects.count() == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"upn": "12345"}, "Enter a unique pupil number of 13 characters"),
     ({"upn": ""}, "Enter the unique pupil number"),
     ({"date_of_birth": (TODAY + datetime.timedelta(days=1)).isoformat()}, "The date of birth must be in the past"),
     ({"given_name": ""}, "Enter the first name"),
     ({"year_group": ""}, "Choose the year group")],
)
def test_bad_learners_are_refused_and_nothing_is_written(world, client_for, overrides, message):
    before = Learner.objects.count()
    response = client_for("headteacher").post(ADD, learner_data(world, **overrides))
    assert response.status_code == 200 and message in response.content.decode()
    assert Learner.objects.count() == before


def test_the_service_checks_the_school_and_normalises(world):
    data = {"upn": "c1234 5678 9012", "given_name": "Twm", "family_name": "Siôn", "date_of_birth": datetime.date(2014, 1, 2), "year_group": 5}
    with pytest.raises(PermissionDenied):
        services.learner_create(by=world.user("headteacher"), school=world.school_c, data=data)
    with pytest.raises(PermissionDenied):
        services.learner_create(by=world.user("feo"), school=world.school_a, data=data)
    learner = services.learner_create(by=world.user("headteacher"), school=world.school_a, data=data)
    assert learner.upn == "C123456789012"
    with pytest.raises(ValidationError) as error:
        services.learner_create(by=world.user("head_other_cluster"), school=world.school_c, data=data)
    assert error.value.error_dict["upn"][0].code == "duplicate_upn_elsewhere"


def test_learner_list_offers_adding_to_those_who_may(world, client_for):
    assert "Add a learner" in client_for("school_staff").get("/en-gb/families/learners/").content.decode()
    assert "Add a learner" not in client_for("feo").get("/en-gb/families/learners/").content.decode()


# --- Linking a brother or sister ---------------------------------------------------------------------------------


def link_url(world) -> str:
    return f"/en-gb/families/households/{world.household.pk}/learners/link/"


def test_link_a_sibling_after_seeing_who_they_are(world, client_for):
    sibling = LearnerFactory(school=world.school_b, given_name="Osian", upn="A000000009990")
    feo = client_for("feo")  # works across the cluster, so sees school B's learners
    confirm = feo.post(link_url(world), {"upn": " a000000009990"})
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "Link Osian Jones to this family?" in body and "Beta School" in body
    sibling.refresh_from_db()
    assert sibling.household is None  # nothing saved before confirming
    done = feo.post(link_url(world), {"upn": "A000000009990", "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == f"/en-gb/families/households/{world.household.pk}/"
    sibling.refresh_from_db()
    assert sibling.household == world.household


def test_a_learner_the_user_cannot_see_is_not_found(world, client_for):
    hidden = LearnerFactory(school=world.school_b, given_name="Osian", upn="A000000009991")
    response = client_for("headteacher").post(link_url(world), {"upn": hidden.upn, "confirm": "1"})
    body = response.content.decode()
    assert response.status_code == 200 and "No learner you can see has this unique pupil number" in body and "Osian" not in body
    hidden.refresh_from_db()
    assert hidden.household is None


def test_learners_already_in_a_family_are_not_moved(world, client_for):
    other = Household.objects.create(reference="The Evans family")
    elsewhere = LearnerFactory(school=world.school_a, given_name="Gwen", household=other, upn="A000000009992")
    client = client_for("headteacher")
    assert "already linked to this family" in client.post(link_url(world), {"upn": world.learner_a.upn}).content.decode()
    body = client.post(link_url(world), {"upn": elsewhere.upn, "confirm": "1"}).content.decode()
    assert "Gwen Jones is already linked to another family" in body
    elsewhere.refresh_from_db()
    assert elsewhere.household == other
    with pytest.raises(ValidationError):
        services.household_link_learner(by=world.user("headteacher"), household=world.household, learner=elsewhere)


@pytest.mark.parametrize(("name", "status"), [("head_other_cluster", 404), ("staff_other_la", 404), ("school_staff", 404), ("governor", 404),
                                              ("headteacher", 200), ("feo", 200)])
def test_who_may_link(world, client_for, name, status):
    assert client_for(name).get(link_url(world)).status_code == status
