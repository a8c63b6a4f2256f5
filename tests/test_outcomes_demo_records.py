"""Demo incidents, exclusions and results: realistic, with the eFSM gap visible, and deterministic.

(The demo borough calls the loader too: ``tests/test_outcomes_demo.py`` loads the borough whole.)"""

from __future__ import annotations

import datetime
import random
import statistics

import pytest

from cymuned.families.models import Learner
from cymuned.organisations.models import Phase
from cymuned.outcomes.demo_records import INCIDENT_TYPES, load_demo_records
from cymuned.outcomes.models import AssessmentResult, BehaviourIncident, Exclusion

from .factories import ClusterFactory, SchoolFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def la():
    cluster = ClusterFactory()
    schools = [SchoolFactory(cluster=cluster, phase=Phase.SECONDARY), SchoolFactory(cluster=cluster, phase=Phase.PRIMARY)]
    pick = random.Random(3)
    Learner.objects.bulk_create([
        Learner(school=school, upn=f"A{index:011d}{school.pk % 10}", given_name=f"L{index}", family_name="Demo",
                date_of_birth=datetime.date(2012, 1, 1), year_group=pick.choice(range(7, 12) if school.phase == Phase.SECONDARY
                                                                                else range(0, 7)),
                efsm=pick.random() < 0.3)
        for school in schools for index in range(school.pk * 1000, school.pk * 1000 + 250)
    ])
    return cluster.local_authority


def rows() -> list[tuple]:
    return [*BehaviourIncident.objects.order_by("learner__upn", "occurred_on", "incident_type", "severity").values_list(
                "learner__upn", "occurred_on", "incident_type", "severity"),
            *Exclusion.objects.order_by("learner__upn", "start_date").values_list("learner__upn", "start_date", "kind", "days"),
            *AssessmentResult.objects.order_by("learner__upn", "subject").values_list("learner__upn", "subject", "grade", "points")]


def test_demo_records_are_realistic(la):
    written = load_demo_records(local_authority=la, rng=random.Random(5), today=TODAY)
    incidents = BehaviourIncident.objects.select_related("learner")
    assert incidents.count() == written["behaviour"] > 100
    assert set(incidents.values_list("incident_type", flat=True)) <= {name for name, *_rest in INCIDENT_TYPES}
    assert all(i.occurred_on < TODAY and i.occurred_on.weekday() < 5 for i in incidents)
    assert Exclusion.objects.filter(kind="fixed_term").count() >= 3
    assert Exclusion.objects.filter(kind="permanent").count() == 1
    gcse = AssessmentResult.objects.filter(assessment="GCSE").select_related("learner")
    primary = AssessmentResult.objects.exclude(assessment="GCSE").select_related("learner")
    assert set(gcse.values_list("grade", flat=True)) <= {"A*", "A", "B", "C", "D", "E", "F", "G", "U"}
    assert set(gcse.values_list("learner__year_group", flat=True)) == {11}
    assert set(primary.values_list("learner__year_group", flat=True)) == {3, 4, 5, 6}
    for results in (gcse, primary):
        efsm = [float(r.points) for r in results if r.learner.efsm]
        others = [float(r.points) for r in results if not r.learner.efsm]
        assert statistics.mean(efsm) < statistics.mean(others)  # the gap the dashboards show
    per_learner = {}
    for incident in incidents:
        per_learner.setdefault(incident.learner.efsm, []).append(incident.learner_id)
    efsm_learners, other_learners = (Learner.objects.filter(efsm=flag).count() for flag in (True, False))
    assert len(per_learner[True]) / efsm_learners > len(per_learner[False]) / other_learners


def test_demo_records_are_deterministic(la):
    load_demo_records(local_authority=la, rng=random.Random(7), today=TODAY)
    first = rows()
    for model in (BehaviourIncident, Exclusion, AssessmentResult):
        model.objects.all()._raw_delete("default")  # no per-row audit signals: the test is about the loader
    load_demo_records(local_authority=la, rng=random.Random(7), today=TODAY)
    assert rows() == first and first
