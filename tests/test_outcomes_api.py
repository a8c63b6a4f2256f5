"""The outcome figures API: the pages' figures, scoping and small-number suppression, and its OpenAPI description."""

from __future__ import annotations

import pytest

from cymuned.outcomes import aggregates, dashboards

from .test_outcomes_dashboards import YEAR, cohort  # noqa: F401 - the fixture

URL = "/api/v1/outcome-figures/"


def _summary(data: dict, key: int = 0) -> dict:
    return data["summary"][key]


def test_headteacher_gets_their_schools_figures_unsuppressed(cohort, client_for):  # noqa: F811
    response = client_for("headteacher").get(URL, {"area": f"school-{cohort.school_a.pk}", "year": YEAR})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["area"] == {"key": f"school-{cohort.school_a.pk}", "kind": "school", "name": "Alpha School"}
    assert not data["suppressed"]
    attendance, persistent = _summary(data, 0), _summary(data, 3)
    assert attendance["efsm"] == {"value": "88.9", "suppressed": False} and attendance["other"]["value"] == "97.8"
    assert persistent["gap"]["value"] == "30.0"


def test_la_figures_match_the_page_with_the_same_suppression(cohort, client_for):  # noqa: F811
    lead = cohort.users["la_lead"]
    area = next(a for a in dashboards.areas_for(user=lead) if a.kind == "la")
    response = client_for("la_lead").get(URL, {"area": area.key, "year": YEAR, "dashboard": "attendance"})
    assert response.status_code == 200
    data = response.json()
    board = dashboards.dashboard(user=lead, page="attendance", area=area, year=YEAR)
    assert data["suppressed"] and data["suppression_threshold"] == 5
    assert _summary(data)["efsm"] == {"value": None, "suppressed": True}  # 4 eFSM learners in the LA
    assert _summary(data)["gap"] == {"value": None, "suppressed": True}
    assert _summary(data)["other"]["value"] == f"{board.summary[0].other.value:.1f}"
    by_school = {line["label"]: line for line in data["breakdown"]}
    assert by_school["Alpha School"]["efsm"]["suppressed"] and by_school["Alpha School"]["other"]["value"] is not None
    assert [line["label"] for line in data["terms"]] == [str(line.label) for line in board.terms]


def test_another_schools_headteacher_is_refused_this_school(cohort, client_for):  # noqa: F811
    client = client_for("head_other_cluster")
    assert client.get(URL, {"area": f"school-{cohort.school_a.pk}"}).status_code == 404
    assert client.get(URL, {"area": f"la-{cohort.la.pk}"}).status_code == 404
    own = client.get(URL)
    assert own.status_code == 200 and own.json()["area"]["key"] == f"school-{cohort.school_c.pk}"


@pytest.mark.parametrize("name", ["partner_worker", "partner_other"])
def test_partners_are_refused(cohort, client_for, name):  # noqa: F811
    assert client_for(name).get(URL).status_code == 403


def test_anonymous_is_refused(cohort, client):  # noqa: F811
    assert client.get(URL).status_code in (401, 403)


def test_bad_filters_get_clear_errors(cohort, client_for):  # noqa: F811
    response = client_for("headteacher").get(URL, {"group": "shoe_size-12", "dashboard": "behaviour", "measure": "attendance"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose a group of learners from the list." in body


def test_the_threshold_setting_applies_to_the_api(cohort, client_for, settings):  # noqa: F811
    settings.CYMUNED_SUPPRESSION_THRESHOLD = 3
    response = client_for("la_lead").get(URL, {"area": f"la-{cohort.la.pk}", "year": YEAR})
    assert _summary(response.json())["efsm"]["suppressed"] is False


def test_queries_do_not_grow_with_learners(cohort, client_for, django_assert_max_num_queries):  # noqa: F811
    from .factories import LearnerFactory
    from .test_outcomes_dashboards import _year

    client = client_for("la_lead")
    client.get(URL, {"area": f"la-{cohort.la.pk}"})
    with django_assert_max_num_queries(15) as first:
        client.get(URL, {"area": f"la-{cohort.la.pk}"})
    for _n in range(10):
        _year(LearnerFactory(school=cohort.school_b, efsm=True), attended=5, missed=5)
    aggregates.refresh_outcome_aggregates(school_ids=[cohort.school_b.pk], academic_years=[YEAR])
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(URL, {"area": f"la-{cohort.la.pk}"})


def test_the_endpoint_is_in_the_openapi_schema(client_for):
    response = client_for("la_lead").get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/outcome-figures/" in text and "suppression_threshold" in text
