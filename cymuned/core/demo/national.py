"""National-size synthetic data for benchmarks: about 1,500 schools and 470,000 learners.

Schools are few enough to create one by one (multi-table rows cannot be bulk
inserted); learners go in by bulk insertion in batches, with a progress bar.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from tqdm import tqdm

from cymuned.evaluation.demo import bulk_evaluations
from cymuned.evaluation.models import EvaluationStatus, academic_year_for, previous_academic_year
from cymuned.evaluation.services import framework_create_default
from cymuned.families.models import Learner
from cymuned.organisations.models import Cluster, LanguageMedium, LocalAuthority, OrganisationKind, Phase, School
from cymuned.outcomes.demo import year_patterns

from .borough import make_learners
from .names import PLACES

#: Wales has 22 local authorities; codes 660-681 are used for these synthetic ones (600s range, not the demo's 676).
NATIONAL_LA_COUNT = 22
NATIONAL_SCHOOLS = 1500
NATIONAL_LEARNERS = 470_000
BATCH_SIZE = 5000


def load_national(*, scale: float = 1.0, seed: int = 2026, progress: bool = True) -> dict[str, int]:
    """Generate ``scale`` × the national size. Skips LAs already present, so a rerun adds nothing."""
    rng = random.Random(seed)
    today = datetime.date.today()
    n_schools = max(NATIONAL_LA_COUNT, round(NATIONAL_SCHOOLS * scale))
    learners_per_school = max(1, round(NATIONAL_LEARNERS * scale / n_schools))
    base, extra = divmod(n_schools, NATIONAL_LA_COUNT)
    created = {"local_authorities": 0, "schools": 0, "learners": 0}
    bar = tqdm(total=n_schools * learners_per_school, unit="learners", disable=not progress, mininterval=1.0)
    for la_index in range(NATIONAL_LA_COUNT):
        code = f"{800 + la_index:03d}"
        if LocalAuthority.objects.filter(code=code).exists():
            continue
        with transaction.atomic():
            la = LocalAuthority.objects.create(
                kind=OrganisationKind.LOCAL_AUTHORITY,
                code=code,
                name_en=f"Synthetic Authority {la_index + 1}",
                name_cy=f"Awdurdod Synthetig {la_index + 1}",
            )
            created["local_authorities"] += 1
            schools = []
            clusters: list[Cluster] = []
            for s in range(base + (1 if la_index < extra else 0)):
                if s % 8 == 0:
                    place_en, place_cy = PLACES[(len(clusters) + la_index) % len(PLACES)]
                    clusters.append(
                        Cluster.objects.create(
                            local_authority=la,
                            name_en=f"{place_en} {len(clusters) + 1}",
                            name_cy=f"{place_cy} {len(clusters) + 1}",
                        )
                    )
                phase = Phase.SECONDARY if s % 8 == 0 else Phase.PRIMARY
                place_en, place_cy = PLACES[rng.randrange(len(PLACES))]
                schools.append(
                    School.objects.create(
                        kind=OrganisationKind.SCHOOL,
                        local_authority=la,
                        cluster=clusters[-1],
                        school_number=f"{code}{s + 1:04d}",
                        name_en=f"{place_en} {'High' if phase == Phase.SECONDARY else 'Primary'} School {s + 1}",
                        name_cy=f"Ysgol {'Uwchradd' if phase == Phase.SECONDARY else 'Gynradd'} {place_cy} {s + 1}",
                        phase=phase,
                        language_medium=rng.choice(LanguageMedium.values),
                        efsm_percentage=Decimal(f"{rng.uniform(5, 45):.1f}"),
                        number_on_roll=learners_per_school,
                    )
                )
            created["schools"] += len(schools)
            framework = framework_create_default(local_authority=la)
            year = academic_year_for(today)
            levels = bulk_evaluations(schools=schools, framework=framework, academic_year=previous_academic_year(year), rng=rng)
            bulk_evaluations(schools=schools, framework=framework, academic_year=year, rng=rng, base_levels=levels,
                             status=EvaluationStatus.SUBMITTED)
            serial = 1
            batch: list[Learner] = []
            for school in schools:
                batch += make_learners(
                    rng=rng, school=school, count=learners_per_school, la_code=code, serial_start=serial, today=today
                )
                serial += learners_per_school
                if len(batch) >= BATCH_SIZE:
                    Learner.objects.bulk_create(batch, batch_size=BATCH_SIZE)
                    created["learners"] += len(batch)
                    bar.update(len(batch))
                    batch = []
            if batch:
                Learner.objects.bulk_create(batch, batch_size=BATCH_SIZE)
                created["learners"] += len(batch)
                bar.update(len(batch))
    bar.close()
    if created["learners"]:
        created["attendance_years"] = load_national_attendance(rng=rng, today=today, progress=progress)
    return created


def load_national_attendance(*, rng: random.Random, today: datetime.date, progress: bool = True) -> int:
    """A year of attendance marks to date for every synthetic learner without one, written with COPY (each learner a
    pattern of 200 drawn per eFSM status, so eFSM learners attend less), then the aggregates refreshed."""
    from django.db import connection

    from cymuned.outcomes.aggregates import refresh_outcome_aggregates
    from cymuned.outcomes.importing import ARRAY_COLUMNS, WRITTEN_COLUMNS
    from cymuned.outcomes.models import AttendanceYear

    year, patterns = year_patterns(rng=rng, today=today, count=200)
    la_ids = list(LocalAuthority.objects.filter(code__in=[f"{800 + i:03d}" for i in range(NATIONAL_LA_COUNT)])
                  .values_list("pk", flat=True))
    schools = School.objects.filter(local_authority_id__in=la_ids)
    # Read first: no other query may run on the connection while its COPY is open.
    learners = list(Learner.objects.filter(school__in=schools).exclude(attendance_years__academic_year=year)
                    .values_list("pk", "school_id", "efsm").order_by("pk"))
    written = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor, cursor.copy(
                    f"COPY outcomes_attendanceyear ({', '.join(WRITTEN_COLUMNS)}) FROM STDIN") as copy:
                for learner_id, school_id, efsm in tqdm(learners, disable=not progress,
                                                        unit="years", mininterval=1.0):
                    p = rng.choice(patterns[efsm])
                    copy.write_row([learner_id, school_id, year, p.codes, *(getattr(p, c) for c in ARRAY_COLUMNS)])
                    written += 1
        else:
            rows = []
            for learner_id, school_id, efsm in learners:
                p = rng.choice(patterns[efsm])
                rows.append(AttendanceYear(learner_id=learner_id, school_id=school_id, academic_year=year, codes=p.codes,
                                           **{c: getattr(p, c) for c in ARRAY_COLUMNS}))
            AttendanceYear.objects.bulk_create(rows, batch_size=2000)
            written = len(rows)
        refresh_outcome_aggregates(school_ids=list(schools.values_list("pk", flat=True)), academic_years=[year])
    return written
