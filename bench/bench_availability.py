"""Benchmark: the availability search for one week (free_slots_by_space), for every space of one LA and for every
space in Wales, against one raw SQL query computing the same free windows with PostgreSQL multiranges.

Run with `make bench-availability` (a throwaway PostgreSQL, then this script). At national size it makes about
1,500 schools (unless they are there already, e.g. from `seed_demo --scale national`), three spaces each with
weekly opening windows, term dates, a week of bookings and some closures, all by bulk insertion, then prints the
median wall time of each search, their ratio, and the number of queries the search ran.
BENCH_SCALE (default 1.0) shrinks the data; BENCH_RUNS (default 7) sets the repetitions.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from cymuned.accounts.models import User  # noqa: E402
from cymuned.organisations.models import Cluster, LocalAuthority, OrganisationKind, School  # noqa: E402
from cymuned.premises.availability import free_slots_by_space, local_slot  # noqa: E402
from cymuned.premises.models import Block, Booking, BookingSeries, Hirer, OpeningWindow, Space, TermDate  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
SCALE = float(os.environ.get("BENCH_SCALE", "1.0"))
LA_COUNT = 22
SCHOOLS = max(LA_COUNT, round(1500 * SCALE))
SPACES_PER_SCHOOL = 3

#: The same free windows as free_slots_by_space in one statement: each space's opening windows on each day of the
#: week (term or holiday by its LA's term dates, Europe/London wall-clock time), as one multirange per space, less
#: the multirange of its holding bookings and of the blocks of the space or its whole school.
FREE_SQL = """
WITH days AS (
    SELECT %(start)s::date + i AS day FROM unnest(ARRAY[0, 1, 2, 3, 4, 5, 6]) AS i  -- seven rows the planner can count
), spaces AS (
    SELECT s.id, s.school_id, o.local_authority_id FROM premises_space s JOIN organisations_organisation o ON o.id = s.school_id
    WHERE s.id = ANY(%(ids)s)
), windows AS (
    SELECT sp.id AS space_id,
           tstzrange((days.day + w.opens_at) AT TIME ZONE %(zone)s, (days.day + w.closes_at) AT TIME ZONE %(zone)s) AS r
    FROM spaces sp JOIN premises_openingwindow w ON w.space_id = sp.id
    JOIN days ON w.weekday = EXTRACT(ISODOW FROM days.day)::int - 1
    WHERE w.season = CASE WHEN EXISTS (SELECT 1 FROM premises_termdate t WHERE t.local_authority_id = sp.local_authority_id
                                       AND days.day BETWEEN t.starts_on AND t.ends_on) THEN 'term' ELSE 'holiday' END
), busy AS (
    SELECT b.space_id, tstzrange(b.starts_at, b.ends_at) AS r FROM premises_booking b
    WHERE b.space_id = ANY(%(ids)s) AND b.status IN ('requested', 'approved') AND b.starts_at < %(hi)s AND b.ends_at > %(lo)s
    UNION ALL
    SELECT sp.id, tstzrange(bl.starts_at, bl.ends_at) FROM premises_block bl
    JOIN spaces sp ON bl.space_id = sp.id OR (bl.space_id IS NULL AND bl.school_id = sp.school_id)
    WHERE bl.starts_at < %(hi)s AND bl.ends_at > %(lo)s
), busy_by_space AS (
    SELECT space_id, range_agg(r) AS m FROM busy GROUP BY space_id
), open_by_space AS (
    SELECT space_id, range_agg(r) AS m FROM windows GROUP BY space_id
)
SELECT o.space_id, lower(r), upper(r)
FROM open_by_space o LEFT JOIN busy_by_space b USING (space_id), unnest(o.m - COALESCE(b.m, '{}')) AS r
ORDER BY 1, 2
"""


def raw_free(ids: list[int], week_start: datetime.date) -> list[tuple[int, datetime.datetime, datetime.datetime]]:
    zone = timezone.get_default_timezone()
    lo = datetime.datetime.combine(week_start, datetime.time.min).replace(tzinfo=zone)
    hi = lo.replace(tzinfo=None) + datetime.timedelta(days=7)
    with connection.cursor() as cursor:
        cursor.execute(FREE_SQL, {"start": week_start, "ids": ids, "zone": settings.TIME_ZONE, "lo": lo, "hi": hi.replace(tzinfo=zone)})
        return cursor.fetchall()


def ensure_schools() -> None:
    """Synthetic LAs (codes 900-921) with schools, unless enough schools are there already."""
    missing = SCHOOLS - School.objects.count()
    if missing <= 0:
        return
    per_la = -(-missing // LA_COUNT)
    started = time.perf_counter()
    with transaction.atomic():
        for la_index in range(LA_COUNT):
            code = f"{900 + la_index}"
            la, _ = LocalAuthority.objects.get_or_create(code=code, defaults={"kind": OrganisationKind.LOCAL_AUTHORITY,
                                                                              "name_en": f"Bench Authority {la_index + 1}",
                                                                              "name_cy": f"Awdurdod Mainc {la_index + 1}"})
            cluster = Cluster.objects.create(local_authority=la, name_en=f"Bench cluster {la_index + 1}", name_cy=f"Clwstwr {la_index + 1}")
            first = School.objects.filter(local_authority=la).count() + 1
            for s in range(first, first + per_la):
                School.objects.create(kind=OrganisationKind.SCHOOL, local_authority=la, cluster=cluster, school_number=f"{code}{s:04d}",
                                      name_en=f"Bench School {code}-{s}", name_cy=f"Ysgol Mainc {code}-{s}", phase="primary",
                                      language_medium="welsh")
    print(f"made {per_la * LA_COUNT} schools in {time.perf_counter() - started:.1f} s")


def ensure_premises(week_start: datetime.date) -> None:
    """Three spaces per school with opening windows, a term around the week, bookings in the week and some closures."""
    started = time.perf_counter()
    schools = list(School.objects.filter(spaces__isnull=True).values_list("pk", "local_authority_id"))
    if not schools:
        return
    kinds = ["hall", "classroom", "sports_hall"]
    with transaction.atomic():
        spaces = Space.objects.bulk_create([
            Space(school_id=pk, kind=kinds[n], name_en=f"Space {n + 1}", name_cy=f"Gofod {n + 1}", capacity=30 + 30 * n)
            for pk, _la in schools for n in range(SPACES_PER_SCHOOL)
        ], batch_size=2000)
        windows = []
        for space in spaces:
            for season in ("term", "holiday"):
                windows += [OpeningWindow(space=space, weekday=d, season=season, opens_at=datetime.time(17), closes_at=datetime.time(22))
                            for d in range(5)]
                windows.append(OpeningWindow(space=space, weekday=5, season=season, opens_at=datetime.time(9), closes_at=datetime.time(17)))
        OpeningWindow.objects.bulk_create(windows, batch_size=5000)
        las = {la for _pk, la in schools}
        TermDate.objects.bulk_create([TermDate(local_authority_id=la, name_en="Bench term", name_cy="Tymor mainc",
                                               starts_on=week_start - datetime.timedelta(days=30), ends_on=week_start + datetime.timedelta(days=3))
                                      for la in las])  # the week's Friday onwards is a holiday: both seasons are exercised
        hirers = {}
        for la in las:
            user = User.objects.create_user(email=f"bench-hirer-{la}@cymuned.invalid", password=None, full_name="Bench hirer")
            hirers[la] = Hirer.objects.create(user=user, local_authority_id=la, kind="community_group", organisation_name=f"Bench group {la}")
        la_of = dict(schools)
        now = timezone.now()
        series = BookingSeries.objects.bulk_create([
            BookingSeries(reference=f"B-BENCH{space.pk:08d}", space=space, hirer=hirers[la_of[space.school_id]], activity="Bench",
                          expected_people=20, tier="community", status="approved", terms_accepted_on=now)
            for space in spaces], batch_size=2000)
        bookings = []
        for s in series:
            for offset, start, end in ((0, 18, 20), (2, 17, 19), (5, 10, 12)):
                slot = local_slot(week_start + datetime.timedelta(days=offset), datetime.time(start), datetime.time(end))
                bookings.append(Booking(series=s, space_id=s.space_id, starts_at=slot.starts_at, ends_at=slot.ends_at, status="approved"))
        Booking.objects.bulk_create(bookings, batch_size=5000)
        closure = local_slot(week_start + datetime.timedelta(days=3), datetime.time(16), datetime.time(23))
        Block.objects.bulk_create([Block(school_id=pk, kind="closure", starts_at=closure.starts_at, ends_at=closure.ends_at, reason="Bench")
                                   for pk, _la in schools[::10]])
    print(f"made {len(spaces)} spaces, {len(windows)} opening windows, {len(bookings)} bookings in {time.perf_counter() - started:.1f} s")


def median_seconds(fn) -> float:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def compare(label: str, spaces_qs, week_start: datetime.date) -> None:
    def search() -> dict[int, list]:
        return free_slots_by_space(spaces=list(spaces_qs), week_start=week_start)

    ids = list(spaces_qs.values_list("pk", flat=True))

    def raw() -> list:
        return raw_free(ids, week_start)

    orm_result, raw_result = search(), raw()
    with CaptureQueriesContext(connection) as queries:
        search()
    orm_slots = sorted((sid, a, b) for sid, free in orm_result.items() for a, b in free)
    t_search, t_raw = median_seconds(search), median_seconds(raw)
    print(f"\n{label}: {len(ids)} spaces, {len(orm_slots)} free windows")
    print(f"  queries per search, the spaces included: {len(queries.captured_queries)}")
    print(f"  free_slots_by_space (ORM + Python): median {t_search * 1000:.1f} ms over {RUNS} runs")
    print(f"  single raw SQL query (multiranges):  median {t_raw * 1000:.1f} ms over {RUNS} runs")
    print(f"  ratio search / raw SQL: {t_search / t_raw:.2f}")
    if orm_slots != sorted(raw_result):
        print(f"  MISMATCH: the search found {len(orm_slots)} windows and the raw query {len(raw_result)}")


def main() -> None:
    today = timezone.localdate()
    week_start = today + datetime.timedelta(days=7 - today.weekday())
    ensure_schools()
    ensure_premises(week_start)
    spaces = Space.objects.public().with_related().order_by("pk")
    la_id = spaces.values_list("school__local_authority_id", flat=True).first()
    print(f"schools: {School.objects.count()}, spaces: {Space.objects.count()}, bookings: {Booking.objects.count()}, week of {week_start}")
    compare("LA-wide", spaces.filter(school__local_authority_id=la_id), week_start)
    compare("National", spaces, week_start)


if __name__ == "__main__":
    main()
