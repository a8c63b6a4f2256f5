"""Benchmark: the LA and national (all-LA) attendance dashboards against a raw scan of the marks for the same figures.

Run with `make bench-dashboard` (a throwaway PostgreSQL, then this script). It loads the national-size generator
(``--scale``, default 1.0: about 1,500 schools and 470,000 learners, each with a year of attendance marks, and the
aggregates refreshed), warms up, then times ``--runs`` requests of the LA dashboard page and of the Wales page through
Django's test client (a whole request: middleware, access layer, selectors, template), and the same headline figures
(attendance and persistent absence for eFSM and other learners) computed by one raw SQL query over the stored marks
(``AttendanceYear`` arrays). Prints p50/p95 of each, the ratios, and whether the figures agree. Target: p95 < 150 ms.
A raw scan slower than a second (Wales at full scale) is timed three times rather than ``--runs / 4``, and says so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DJANGO_REQUIRE_2FA", "0")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from cymuned.accounts.models import Membership, User  # noqa: E402
from cymuned.accounts.roles import Role  # noqa: E402
from cymuned.core.demo.national import load_national  # noqa: E402
from cymuned.organisations.models import LocalAuthority  # noqa: E402
from cymuned.outcomes import dashboards  # noqa: E402
from cymuned.outcomes.models import AttendanceYear, OutcomeAggregate  # noqa: E402

#: Each learner's year summed from the stored weekly arrays in one pass (a LATERAL unnest, so PostgreSQL does not
#: re-evaluate a sub-select for every reference to it), joined to the learner for eFSM. Same figures as the page.
RAW_SQL = """
SELECT l.efsm, sum(m.p), sum(m.a), count(*) FILTER (WHERE m.p > 0), count(*) FILTER (WHERE m.p > 0 AND 10 * (m.p - m.a) >= m.p)
FROM (SELECT y.learner_id, s.p, s.a
      FROM outcomes_attendanceyear y JOIN organisations_organisation o ON o.id = y.school_id
      CROSS JOIN LATERAL (SELECT sum(w.p) AS p, sum(w.a) AS a FROM unnest(y.weekly_possible, y.weekly_attended) AS w(p, a)) s
      WHERE y.academic_year = %(year)s AND (%(la)s::int IS NULL OR o.local_authority_id = %(la)s::int)) m
JOIN families_learner l ON l.id = m.learner_id
GROUP BY l.efsm
"""
#: A raw scan slower than this is timed fewer times (the Wales one at national size takes seconds each).
SLOW_RAW_MS = 1000
SLOW_RAW_RUNS = 3


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def raw(year: int, la_id: int | None) -> dict[bool, tuple[float, float]]:
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, {"year": year, "la": la_id})
        return {efsm: (round(float(a) * 100 / float(p), 1), round(pa * 100 / n, 1)) for efsm, p, a, n, pa in cursor.fetchall()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", "1.0")))
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "40")))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL (make bench-dashboard does).")
    started = time.perf_counter()
    created = load_national(scale=args.scale, progress=True)
    print(f"generated {created} in {time.perf_counter() - started:.0f} s (scale {args.scale})")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    la = LocalAuthority.objects.filter(code="800").get()
    user, _ = User.objects.get_or_create(email="bench-dashboard@cymuned.invalid", defaults={"full_name": "Benchmark"})
    Membership.objects.get_or_create(user=user, organisation=la, role=Role.LA_LEAD)
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    year = dashboards.default_year()
    year = AttendanceYear.objects.order_by("-academic_year").values_list("academic_year", flat=True).first() or year
    with translation.override("en-gb"):
        url = reverse("outcomes:dashboard-attendance")
    pages = {"LA": {"area": f"la-{la.pk}", "year": year}, "Wales": {"area": "wales", "year": year}}
    print(f"years of marks: {AttendanceYear.objects.count():,}; aggregate rows: {OutcomeAggregate.objects.count():,}; "
          f"learners in the LA: {AttendanceYear.objects.filter(school__local_authority=la, academic_year=year).count():,}")
    for name, params in pages.items():
        for _ in range(3):  # warm up
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(url, params)
        times = timed(lambda params=params: client.get(url, params), args.runs)
        la_id = la.pk if name == "LA" else None
        first = timed(lambda la_id=la_id: raw(year, la_id), 1)[0]  # warms the cache, and says how long one takes
        raw_runs = SLOW_RAW_RUNS if first > SLOW_RAW_MS else max(5, args.runs // 4)
        raw_times = timed(lambda la_id=la_id: raw(year, la_id), raw_runs)
        area = next(a for a in dashboards.areas_for(user=user) if a.key == params["area"])
        board = dashboards.dashboard(user=user, page="attendance", area=area, year=year, suppress=False)
        mine = {True: (float(board.summary[0].efsm.value), float(board.summary[3].efsm.value)),
                False: (float(board.summary[0].other.value), float(board.summary[3].other.value))}
        scanned = raw(year, la_id)
        p50, p95 = statistics.median(times), percentile(times, 0.95)
        r50, r95 = statistics.median(raw_times), percentile(raw_times, 0.95)
        print(f"\n{name} dashboard page ({len(queries.captured_queries)} queries): p50 {p50:.1f} ms, p95 {p95:.1f} ms over {args.runs} "
              f"requests (target p95 < 150 ms: {'met' if p95 < 150 else 'NOT met'})")
        slow = f" (fewer runs: one took {first / 1000:.1f} s)" if raw_runs == SLOW_RAW_RUNS else ""
        print(f"{name} raw scan of the marks (one SQL query, figures only): p50 {r50:.1f} ms, p95 {r95:.1f} ms over "
              f"{len(raw_times)} runs{slow}")
        print(f"ratio raw scan / dashboard page: p50 {r50 / p50:.1f}x, p95 {r95 / p95:.1f}x")
        print(f"figures (attendance %, persistent absence %) eFSM / other: dashboard {mine[True]} / {mine[False]}; "
              f"raw {scanned[True]} / {scanned[False]}: {'agree' if mine == scanned else 'DISAGREE'}")


if __name__ == "__main__":
    main()
