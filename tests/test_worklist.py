"""The FEO worklist: learners whose latest attendance is in a band, scoped by the access layer, with the next step."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from cymuned.families.models import Episode, Household
from cymuned.outcomes import selectors
from cymuned.outcomes.checks import check_attendance_bands

from .conftest import add_attendance_summary
from .factories import LearnerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
URL = "/en-gb/outcomes/worklist/"


def learner_at(world, percent_of_200: int, *, school=None, household=None, **kwargs):
    """A learner whose latest figures are ``percent_of_200`` sessions attended of 200 (so half that, as a percentage)."""
    learner = LearnerFactory(school=school or world.school_a, household=household, **kwargs)
    add_attendance_summary(world, learner, attended=percent_of_200, possible=200)
    return learner


def names(response) -> list[str]:
    assert response.status_code == 200
    body = response.content.decode()
    rows = body.split('<tbody class="govuk-table__body">')[1].split("</tbody>")[0]
    return re.findall(r'/families/learners/\d+/">([^<]+)</a>', rows)


def label(learner) -> str:
    return f"{learner.family_name}, {learner.given_name}"


def test_latest_figures_in_a_band_worst_first(world, client_for, attendance_summaries):
    severe = learner_at(world, 150, given_name="Severe")  # 75%
    persistent = learner_at(world, 178, given_name="Persistent")  # 89%
    learner_at(world, 190, given_name="Fine")  # 95%
    recovered = LearnerFactory(school=world.school_a, given_name="Recovered")
    add_attendance_summary(world, recovered, attended=120, possible=200, period_end=TODAY - datetime.timedelta(days=30))
    add_attendance_summary(world, recovered, attended=190, possible=200)
    slipped = LearnerFactory(school=world.school_a, given_name="Slipped")
    add_attendance_summary(world, slipped, attended=195, possible=200, period_end=TODAY - datetime.timedelta(days=30))
    add_attendance_summary(world, slipped, attended=170, possible=200)  # 85%
    archived = learner_at(world, 100, given_name="Archived")
    archived.archived_on = datetime.datetime.now(datetime.UTC)
    archived.save()
    shown = names(client_for("feo").get(URL))
    assert shown == [label(severe), label(world.learner_a), label(slipped), label(persistent)]


def test_boundaries_follow_persistent_absence(world):
    at = learner_at(world, 180)  # exactly 90%: missed 10% of sessions
    above = LearnerFactory(school=world.school_a)
    add_attendance_summary(world, above, attended=9001, possible=10000)  # 90.01%
    severe_edge = learner_at(world, 160)  # exactly 80%
    rows = {s.learner_id: s for s in selectors.worklist_for(user=world.user("feo"))}
    assert at.pk in rows and above.pk not in rows
    assert rows[at.pk].band == "persistent"
    assert rows[severe_edge.pk].band == "severe"


def test_bands_and_school_filters(world, client_for, attendance_summaries):
    severe = learner_at(world, 150)
    at_b = learner_at(world, 170, school=world.school_b)
    client = client_for("feo")
    assert names(client.get(URL + "?band=severe")) == [label(severe)]
    assert set(names(client.get(URL + "?band=persistent"))) == {label(world.learner_a), label(at_b)}
    assert names(client.get(URL + f"?school={world.school_b.pk}")) == [label(at_b)]
    assert names(client.get(URL + "?without_open_episode=on")) == [
        label(severe),
        label(at_b),
    ]  # learner A's family has an episode
    assert client.get(URL + "?school=999999&band=nonsense").status_code == 200  # a bad filter shows errors, not a failure


@pytest.mark.parametrize(
    ("name", "status", "sees_a"),
    [
        ("feo", 200, True),
        ("headteacher", 200, True),
        ("csm", 200, True),
        ("head_other_cluster", 200, False),
        ("school_staff", 403, False),
        ("governor", 403, False),
        ("la_lead", 403, False),
        ("partner_worker", 403, False),
        ("lead_other_la", 403, False),
        ("public", 403, False),
    ],
)
def test_who_gets_the_worklist(world, client_for, attendance_summaries, name, status, sees_a):
    response = client_for(name).get(URL)
    assert response.status_code == status
    if status == 200:
        assert (label(world.learner_a) in names(response)) is sees_a


def test_anonymous_is_sent_to_sign_in(world, client_for):
    response = client_for(None).get(URL)
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_each_user_sees_only_their_schools(world, attendance_summaries):
    at_b = learner_at(world, 150, school=world.school_b)
    at_c = learner_at(world, 150, school=world.school_c)
    seen = {
        name: {s.learner_id for s in selectors.worklist_for(user=world.user(name))}
        for name in ("feo", "headteacher", "head_other_cluster")
    }
    assert seen["feo"] == {world.learner_a.pk, at_b.pk}  # the FEO serves the whole cluster X
    assert seen["headteacher"] == {world.learner_a.pk}  # the head of school A, not B
    assert seen["head_other_cluster"] == {at_c.pk}  # learner C is at 97%, above the thresholds


def test_the_next_step_for_each_family(world, client_for, attendance_summaries):
    family = Household.objects.create(reference="The Price family")
    with_family = learner_at(world, 150, household=family, given_name="Withfamily")
    alone = learner_at(world, 150, given_name="Alone")
    body = client_for("feo").get(URL).content.decode()
    with translation.override("en-gb"):
        assert reverse("families:episode-detail", args=[world.episode.pk]) in body  # learner A's family already has one
        assert reverse("families:episode-open", args=[family.pk]) in body
        assert reverse("families:household-create", args=[alone.pk]) in body
    csm_body = client_for("csm").get(URL).content.decode()
    with translation.override("en-gb"):
        assert reverse("families:household-create", args=[alone.pk]) not in csm_body  # a manager cannot record households
    assert "No household recorded." in csm_body
    assert with_family.pk


def test_an_episode_elsewhere_that_the_user_cannot_see_is_not_linked(world, client_for):
    family = Household.objects.create(reference="The Rees family")
    learner = learner_at(world, 150, household=family, school=world.school_a)
    LearnerFactory(school=world.school_c, household=family)
    hidden = Episode.objects.create(
        household=family, school=world.school_c, officer=world.user("feo"), reasons=["attendance"], goals="G", opened_on=TODAY
    )
    rows = {s.learner_id: s for s in selectors.worklist_for(user=world.user("headteacher"))}
    assert rows[learner.pk].open_episode_id is None
    assert hidden.pk


def test_thresholds_come_from_settings(world, settings, attendance_summaries):
    learner_at(world, 186)  # 93%
    settings.CYMUNED_ATTENDANCE_BANDS = {"persistent": "95", "severe": "85"}
    rows = list(selectors.worklist_for(user=world.user("feo")))
    assert [r.band for r in rows] == ["severe", "persistent"]  # learner A at 84.21% is severe now
    assert check_attendance_bands() == []
    settings.CYMUNED_ATTENDANCE_BANDS = {"persistent": "80", "severe": "90"}
    assert [e.id for e in check_attendance_bands()] == ["outcomes.E002"]
    settings.CYMUNED_ATTENDANCE_BANDS = {"persistent": "ninety", "severe": "80"}
    assert [e.id for e in check_attendance_bands()] == ["outcomes.E001"]


def test_pages(world, client_for, monkeypatch):
    from cymuned.outcomes import views

    monkeypatch.setattr(views, "WORKLIST_PAGE_SIZE", 2)
    for attended in (150, 155, 160, 165, 170):
        learner_at(world, attended)
    client = client_for("feo")
    assert len(names(client.get(URL))) == 2
    last = client.get(URL + "?page=3")
    assert len(names(last)) == 1
    assert "Page 3 of 3" in last.content.decode()


def test_welsh_page_and_navigation(world, client_for, attendance_summaries):
    response = client_for("feo").get("/cy/outcomes/worklist/")
    assert response.status_code == 200
    assert 'lang="cy"' in response.content.decode()
    assert 'href="/en-gb/outcomes/worklist/"' in client_for("csm").get("/en-gb/dashboard/").content.decode()
    assert 'href="/en-gb/outcomes/worklist/"' not in client_for("school_staff").get("/en-gb/dashboard/").content.decode()


def test_latest_attendance_for_the_learner_page(world, attendance_summaries):
    older = add_attendance_summary(
        world, world.learner_a, attended=100, possible=190, period_end=TODAY - datetime.timedelta(days=7)
    )
    latest = selectors.latest_attendance_for(user=world.user("school_staff"), learner=world.learner_a)
    assert latest == attendance_summaries["a"] and latest != older
    assert selectors.latest_attendance_for(user=world.user("governor"), learner=world.learner_a) is None
    assert selectors.latest_attendance_for(user=world.user("head_other_cluster"), learner=world.learner_a) is None
    assert selectors.latest_attendance_for(user=world.user("feo"), learner=LearnerFactory(school=world.school_a)) is None
