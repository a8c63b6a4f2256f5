"""Benchmark: the LA heatmap at national size against one raw SQL query for the same figures.

Run with `make bench-heatmap` (a throwaway PostgreSQL, the national generator, then the timings).
Prints the median wall time of each, their ratio, and the number of queries the heatmap ran.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cymuned.accounts.models import Membership, User  # noqa: E402
from cymuned.accounts.roles import Role  # noqa: E402
from cymuned.evaluation import selectors  # noqa: E402
from cymuned.evaluation.models import Evaluation, academic_year_for  # noqa: E402
from cymuned.organisations.models import LocalAuthority, School  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def bench_user() -> User:
    user, _ = User.objects.get_or_create(email="bench@cymuned.invalid", defaults={"full_name": "Benchmark"})
    for la in LocalAuthority.objects.all():
        Membership.objects.get_or_create(user=user, organisation=la, role=Role.LA_LEAD)
    return User.objects.get(pk=user.pk)


def median_seconds(fn) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    import datetime

    year = academic_year_for(datetime.date.today())
    user = bench_user()
    schools_count = School.objects.count()
    la_ids = list(LocalAuthority.objects.values_list("pk", flat=True))

    def heatmap() -> int:
        fresh = User.objects.get(pk=user.pk)  # a new request: the principal is worked out again
        schools = selectors.heatmap_schools(user=fresh)
        _page, rows = selectors.heatmap(user=fresh, academic_year=year, schools=schools, per_page=max(schools_count, 1))
        selectors.stage_distribution(user=fresh, academic_year=year, schools=schools)
        return sum(len(r.levels) for r in rows)

    def raw() -> int:
        return len(selectors.heatmap_raw_sql(local_authority_ids=la_ids, academic_year=year))

    cells_heatmap, cells_raw = heatmap(), raw()
    with CaptureQueriesContext(connection) as queries:
        heatmap()
    t_heatmap = median_seconds(heatmap)
    t_raw = median_seconds(raw)
    print(f"schools: {schools_count}, evaluations this year: {Evaluation.objects.filter(academic_year=year).count()}")
    print(f"rated cells: heatmap {cells_heatmap}, raw SQL {cells_raw}")
    print(f"queries per heatmap (schools, evaluations, ratings, distribution, principal): {len(queries.captured_queries)}")
    print(f"heatmap (ORM, access-scoped, with distribution): median {t_heatmap * 1000:.1f} ms over {RUNS} runs")
    print(f"single raw SQL query for the same figures:       median {t_raw * 1000:.1f} ms over {RUNS} runs")
    print(f"ratio heatmap / raw SQL: {t_heatmap / t_raw:.2f}")
    if cells_heatmap != cells_raw:
        print("MISMATCH: the heatmap and the raw query disagree")
        sys.exit(1)


if __name__ == "__main__":
    main()
