"""Sensitive fields are left out of pages, forms, the API and exports for roles that may not see them,
and cannot be written by them."""

from __future__ import annotations

import pytest

from cymuned.access.fields import hidden_fields, may_see_field
from cymuned.families.models import Household, Learner

from .factories import LearnerFactory

pytestmark = pytest.mark.django_db

NOTES = "Father must not be told the address"
NEEDS = "Dyslexia: reading support three mornings a week"


@pytest.fixture
def family(world):
    household = Household.objects.create(reference="The Evans family", safe_contact_notes=NOTES)
    learner = LearnerFactory(school=world.school_a, household=household, aln_detail=NEEDS, additional_learning_needs=True)
    return household, learner


@pytest.mark.parametrize(("name", "sees_notes", "sees_needs"), [
    ("headteacher", True, True),
    ("feo", True, True),
    ("csm", True, False),
    ("school_staff", False, True),
])
def test_pages_show_sensitive_fields_only_to_those_allowed(world, client_for, family, name, sees_notes, sees_needs):
    household, learner = family
    client = client_for(name)
    household_page = client.get(f"/en-gb/families/households/{household.pk}/")
    assert household_page.status_code == 200
    assert (NOTES in household_page.content.decode()) is sees_notes
    learner_page = client.get(f"/en-gb/families/learners/{learner.pk}/")
    assert learner_page.status_code == 200
    assert (NEEDS in learner_page.content.decode()) is sees_needs


@pytest.mark.parametrize(("name", "sees_notes", "sees_needs"), [
    ("headteacher", True, True),
    ("csm", True, False),
    ("school_staff", False, True),
])
def test_the_api_leaves_the_fields_out(world, client_for, family, name, sees_notes, sees_needs):
    household, learner = family
    client = client_for(name)
    learner_json = client.get(f"/api/v1/learners/{learner.pk}/").json()
    assert ("aln_detail" in learner_json) is sees_needs
    listing = client.get("/api/v1/learners/").json()
    assert all(("aln_detail" in row) is sees_needs for row in listing["results"])
    response = client.get(f"/api/v1/households/{household.pk}/")
    if response.status_code == 200:
        assert ("safe_contact_notes" in response.json()) is sees_notes
        assert (NOTES in response.content.decode()) is sees_notes


def test_a_role_that_may_not_see_a_field_cannot_write_it(world):
    from cymuned.access.fields import without_hidden
    from cymuned.families.forms import HouseholdForm, LearnerForm
    from cymuned.families.services import household_create_for_learner, learner_create
    from cymuned.organisations.models import School

    # The forms do not offer the field ...
    assert "safe_contact_notes" not in HouseholdForm(user=world.user("school_staff")).fields
    assert "safe_contact_notes" in HouseholdForm(user=world.user("feo")).fields
    assert "aln_detail" not in LearnerForm(schools=School.objects.none(), user=world.user("csm")).fields
    assert "aln_detail" in LearnerForm(schools=School.objects.none(), user=world.user("school_staff")).fields
    # ... and the services drop it whatever is posted.
    assert without_hidden(world.user("csm"), Learner, {"given_name": "Ann", "aln_detail": NEEDS}) == {"given_name": "Ann"}
    learner = learner_create(by=world.user("school_staff"), school=world.school_a,
                             data={"upn": "A123456789012", "given_name": "Ann", "family_name": "Evans",
                                   "date_of_birth": LearnerFactory.build().date_of_birth, "year_group": 3, "aln_detail": NEEDS})
    assert learner.aln_detail == NEEDS
    household = household_create_for_learner(by=world.user("feo"), learner=learner,
                                              data={"reference": "The Evans family", "safe_contact_notes": NOTES})
    assert household.safe_contact_notes == NOTES


def test_subject_access_export_follows_the_same_rule(world, family):
    from cymuned.families.subject_access import household_section, learners_section

    household, _learner = family
    for name, sees in (("headteacher", True), ("school_staff", False)):
        section = household_section(household=household, user=world.user(name))
        labels = [entry.value for entry in section.records[0]]
        assert (NOTES in labels) is sees
    needs = learners_section(household=household, user=world.user("csm"))
    assert all(entry.value != NEEDS for record in needs.records for entry in record)


def test_the_rules_live_in_one_place(world):
    assert hidden_fields(world.user("school_staff"), Household) == {"safe_contact_notes"}
    assert hidden_fields(world.user("csm"), Learner) == {"aln_detail"}
    assert may_see_field(world.user("feo"), Learner, "aln_detail")
    assert not may_see_field(None, Household, "safe_contact_notes")
    assert may_see_field(world.user("school_staff"), Learner, "given_name")
