"""Demo behaviour incidents, exclusions and assessment results for the learners of the demo borough.

Incidents fall on school days of last year and this year so far: most learners have none, some a few, a handful
many; eFSM learners a little more on average. A few learners with serious incidents get a fixed-term exclusion.
Results are last year's: primary teacher assessments (working towards, expected, above expected) for learners now
in Years 3 to 6, and GCSEs (A* to G with the Welsh points scale, A* 58 to G 16) for learners now in Year 11, dated
on results day. eFSM learners do a little worse on average, so the gap shows on the dashboards.
Deterministic for a given random generator; written in bulk, as the importers write.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from cymuned.families.models import Learner
from cymuned.organisations.models import LocalAuthority, Phase

from .demo import school_weeks
from .marks import academic_year_of
from .models import AssessmentResult, BehaviourIncident, Exclusion, ExclusionKind

#: Type of incident, how often it happens (weight) and its usual severities.
INCIDENT_TYPES = [
    ("Disruption in class", 30, (1, 1, 2)),
    ("Defiance", 18, (1, 2, 2)),
    ("Inappropriate language", 14, (1, 2)),
    ("Lateness to lessons", 12, (1,)),
    ("Mobile phone misuse", 8, (1, 2)),
    ("Bullying", 5, (2, 3, 3)),
    ("Physical aggression", 5, (3, 3, 4)),
    ("Damage to property", 4, (2, 3)),
    ("Truancy from lessons", 4, (2, 3)),
    ("Verbal abuse of staff", 3, (3, 4)),
]
EXCLUSION_REASONS = ["Persistent disruptive behaviour", "Physical assault against a pupil", "Verbal abuse against an adult",
                     "Damage to property", "Bullying"]
GCSE_SUBJECTS = ["English Language", "Mathematics", "Mathematics – Numeracy", "Science (Double Award)", "Welsh Second Language",
                 "History", "Geography", "Art and Design", "Religious Studies", "Physical Education"]
GCSE_GRADES = [("A*", 58), ("A", 52), ("B", 46), ("C", 40), ("D", 34), ("E", 28), ("F", 22), ("G", 16), ("U", 0)]
PRIMARY_SUBJECTS = ["English", "Mathematics", "Science"]
PRIMARY_GRADES = [("Working towards", 1), ("Expected", 2), ("Above expected", 3)]


def _school_days(start_year: int, until: datetime.date) -> list[datetime.date]:
    days = []
    for first, friday, _count in school_weeks(start_year):
        day = first
        while day <= friday and day < until:
            days.append(day)
            day += datetime.timedelta(days=1)
    return days


def _results_day(year: int) -> datetime.date:
    """The third Thursday of August at the end of the academic year."""
    day = datetime.date(year + 1, 8, 15)
    return day + datetime.timedelta(days=(3 - day.weekday()) % 7)


def load_demo_records(*, local_authority: LocalAuthority, rng: random.Random, today: datetime.date) -> dict[str, int]:
    """Incidents, exclusions and results for every learner of the LA's demo schools. Returns the rows written by kind."""
    this_year = academic_year_of(today)
    last_year = this_year - 1
    days = {year: _school_days(year, today) for year in (last_year, this_year)}
    learners = list(Learner.objects.filter(school__local_authority=local_authority).select_related("school").order_by("upn"))
    types = [name for name, weight, _s in INCIDENT_TYPES for _n in range(weight)]
    severities = {name: severities for name, _w, severities in INCIDENT_TYPES}
    incidents: list[BehaviourIncident] = []
    exclusions: list[Exclusion] = []
    results: list[AssessmentResult] = []
    for learner in learners:
        secondary = learner.school.phase == Phase.SECONDARY
        # A yearly rate: most none, a tail with many; eFSM learners and secondary schools a little more.
        tendency = rng.choice([0, 0, 0, 0.3, 0.6, 1, 2, 4, 8]) * (1.5 if learner.efsm else 1.0) * (1.6 if secondary else 0.6)
        for year, school_days in days.items():
            if not school_days:
                continue
            count = sum(rng.random() < tendency / 6 for _n in range(6)) * (2 if tendency >= 4 else 1)
            serious = []
            for _n in range(count):
                kind = rng.choice(types)
                severity = rng.choice(severities[kind])
                occurred = rng.choice(school_days)
                incidents.append(BehaviourIncident(learner=learner, school=learner.school, occurred_on=occurred, academic_year=year,
                                                   incident_type=kind, severity=severity))
                if severity >= 3:
                    serious.append(occurred)
            if serious and secondary and rng.random() < 0.35 * len(serious):
                start = max(serious)
                exclusions.append(Exclusion(
                    learner=learner, school=learner.school, start_date=start, academic_year=year, kind=ExclusionKind.FIXED_TERM,
                    days=Decimal(rng.choice(["0.5", "1", "1", "2", "3", "5"])), reason=rng.choice(EXCLUSION_REASONS)))
        ability = rng.gauss(0, 1) - (0.7 if learner.efsm else 0) - (0.3 if learner.additional_learning_needs else 0)
        if secondary and learner.year_group == 11:
            on = _results_day(last_year)
            for subject in rng.sample(GCSE_SUBJECTS, k=rng.randint(7, 10)):
                index = min(max(round(3.2 - ability * 1.6 + rng.gauss(0, 1.0)), 0), len(GCSE_GRADES) - 1)
                grade, points = GCSE_GRADES[index]
                results.append(AssessmentResult(learner=learner, school=learner.school, subject=subject, assessment="GCSE",
                                                grade=grade, points=Decimal(points), assessed_on=on, academic_year=last_year))
        elif not secondary and 3 <= learner.year_group <= 6:
            on = datetime.date(last_year + 1, 6, 27)
            for subject in PRIMARY_SUBJECTS:
                index = min(max(round(1.1 + ability * 0.7 + rng.gauss(0, 0.5)), 0), len(PRIMARY_GRADES) - 1)
                grade, points = PRIMARY_GRADES[index]
                results.append(AssessmentResult(learner=learner, school=learner.school, subject=subject,
                                                assessment=f"Teacher assessment, Year {learner.year_group - 1}", grade=grade,
                                                points=Decimal(points), assessed_on=on, academic_year=last_year))
    if learners and any(learner.school.phase == Phase.SECONDARY for learner in learners):
        # One permanent exclusion in the borough last year, of the secondary learner with the most serious incidents.
        worst: dict[int, int] = {}
        for incident in incidents:
            if incident.academic_year == last_year and incident.severity == 4 and incident.school.phase == Phase.SECONDARY:
                worst[incident.learner.pk] = worst.get(incident.learner.pk, 0) + 1
        if worst:
            pupil = next(i.learner for i in incidents if i.learner.pk == max(worst, key=lambda pk: (worst[pk], -pk)))
            last_serious = max(i.occurred_on for i in incidents if i.learner.pk == pupil.pk and i.academic_year == last_year)
            if not any(e.learner.pk == pupil.pk and e.start_date == last_serious for e in exclusions):
                exclusions.append(Exclusion(learner=pupil, school=pupil.school, start_date=last_serious, academic_year=last_year,
                                            kind=ExclusionKind.PERMANENT, days=Decimal("0"), reason="Physical assault against a pupil"))
    BehaviourIncident.objects.bulk_create(incidents, batch_size=1000)
    Exclusion.objects.bulk_create(exclusions, batch_size=1000)
    AssessmentResult.objects.bulk_create(results, batch_size=1000)
    return {"behaviour": len(incidents), "exclusions": len(exclusions), "results": len(results)}
