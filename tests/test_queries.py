"""List pages and API lists run a constant number of queries, however many rows there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .factories import LearnerFactory, MembershipFactory, PartnerFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("la_lead", "/en-gb/organisations/schools/"),
    ("la_lead", "/en-gb/organisations/clusters/"),
    ("la_lead", "/en-gb/organisations/partners/"),
    ("la_lead", "/en-gb/accounts/people/"),
    ("la_lead", "/en-gb/audit/"),
    ("la_lead", "/en-gb/dashboard/"),
    ("headteacher", "/en-gb/families/learners/"),
    ("headteacher", "/en-gb/dashboard/"),
    ("la_lead", "/api/v1/schools/"),
    ("la_lead", "/api/v1/organisations/"),
    ("la_lead", "/api/v1/partners/"),
    ("la_lead", "/api/v1/memberships/"),
    ("la_lead", "/api/v1/clusters/"),
]


def grow(world, n: int) -> None:
    for _ in range(n):
        school = SchoolFactory(cluster=world.cluster_x)
        PartnerFactory(local_authority=world.la)
        MembershipFactory(user=UserFactory(), organisation=school, role="school_staff")
        LearnerFactory(school=world.school_a)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize(("role", "url"), PAGES)
def test_query_count_does_not_grow_with_rows(world, client_for, role, url):
    client = client_for(role)
    grow(world, 3)
    count_queries(client, url)  # warm process-wide caches (content types) first
    few = count_queries(client, url)
    grow(world, 12)
    many = count_queries(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with many"


EVALUATION_PAGES = [
    ("la_lead", "/en-gb/self-evaluation/heatmap/?academic_year=2026-27"),
    ("la_lead", "/en-gb/self-evaluation/"),
    ("la_lead", "/en-gb/self-evaluation/actions/"),
    ("la_lead", "/en-gb/self-evaluation/export.xlsx"),
    ("la_lead", "/api/v1/evaluations/"),
    ("la_lead", "/api/v1/ratings/"),
    ("la_lead", "/api/v1/actions/"),
    ("la_lead", "/api/v1/frameworks/"),
    ("headteacher", "/en-gb/notifications/"),
]


def grow_evaluations(world, n: int) -> None:
    import datetime
    import random

    from cymuned.core.models import Notification
    from cymuned.evaluation.demo import bulk_evaluations
    from cymuned.evaluation.models import Action, Evaluation

    schools = [SchoolFactory(cluster=world.cluster_x) for _ in range(n)]
    bulk_evaluations(schools=schools, framework=world.framework, academic_year="2026-27", rng=random.Random(n), status="published")
    for evaluation in Evaluation.objects.filter(school__in=schools):
        Action.objects.create(evaluation=evaluation, cell=world.cell, title="A", owner=world.user("la_lead"),
                              due_on=datetime.date(2026, 1, 1), success_measure="B")
        Notification.objects.create(user=world.user("headteacher"), message="M")


@pytest.mark.parametrize(("role", "url"), EVALUATION_PAGES)
def test_evaluation_pages_run_constant_queries(world, client_for, role, url):
    client = client_for(role)
    grow_evaluations(world, 2)
    count_queries(client, url)
    few = count_queries(client, url)
    grow_evaluations(world, 8)
    many = count_queries(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with many"


FAMILY_PAGES = [
    ("feo", "/en-gb/families/caseload/"),
    ("feo", "/en-gb/families/households/"),
    ("headteacher", "/en-gb/families/caseload/"),
    ("feo", "/api/v1/households/"),
    ("feo", "/api/v1/contacts/"),
    ("feo", "/api/v1/episodes/"),
]


def grow_families(world, n: int) -> None:
    import datetime

    from cymuned.families.models import Carer, Consent, Contact, Episode, Household

    today = datetime.date.today()
    for i in range(n):
        household = Household.objects.create(reference=f"Family {i}")
        LearnerFactory(school=world.school_a, household=household)
        carer = Carer.objects.create(household=household, given_name="A", family_name="B", relationship="mother")
        Consent.objects.create(household=household, purpose="feo_contact", given_by=carer, method="verbal", given_on=today)
        episode = Episode.objects.create(household=household, school=world.school_a, officer=world.user("feo"), reasons=["food"],
                                         goals="G", opened_on=today)
        Contact.objects.create(episode=episode, happened_on=today, kind="phone")


@pytest.mark.parametrize(("role", "url"), FAMILY_PAGES)
def test_family_pages_run_constant_queries(world, client_for, role, url):
    client = client_for(role)
    grow_families(world, 2)
    count_queries(client, url)
    few = count_queries(client, url)
    grow_families(world, 8)
    many = count_queries(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with many"


OUTCOME_PAGES = [
    ("feo", "/en-gb/outcomes/worklist/"),
    ("csm", "/en-gb/outcomes/worklist/"),
    ("feo", "/en-gb/outcomes/worklist/?band=severe&without_open_episode=on"),
    ("feo", "/api/v1/attendance-summaries/"),
    ("feo", "/api/v1/attendance-summaries/?latest=true"),
]


def grow_attendance(world, n: int) -> None:
    """Learners under the thresholds with earlier figures too: a third with an open episode, a third with a family only, a third alone."""
    import datetime

    from cymuned.families.models import Episode, Household

    from .conftest import add_attendance_summary

    today = datetime.date.today()
    for i in range(n):
        household = Household.objects.create(reference=f"Family {i}") if i % 3 else None
        learner = LearnerFactory(school=world.school_a, household=household)
        if i % 3 == 1:
            Episode.objects.create(household=household, school=world.school_a, officer=world.user("feo"), reasons=["attendance"],
                                   goals="G", opened_on=today)
        add_attendance_summary(world, learner, attended=150, period_end=today - datetime.timedelta(days=7))
        add_attendance_summary(world, learner, attended=140 + i)


@pytest.mark.parametrize(("role", "url"), OUTCOME_PAGES)
def test_outcome_pages_run_constant_queries(world, client_for, role, url):
    client = client_for(role)
    grow_attendance(world, 3)
    count_queries(client, url)
    few = count_queries(client, url)
    grow_attendance(world, 12)
    many = count_queries(client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with many"
