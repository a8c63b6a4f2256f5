"""Benchmark: importing an LA's year of attendance marks against a bare PostgreSQL COPY of the same file.

Run with `make bench-import` (a throwaway PostgreSQL, then this script). It makes an LA of schools of 250 learners
(BENCH_LEARNERS learners in all, 9,500 by default), writes their last academic year of marks as one CSV (one row per
learner per session, 380 sessions each: 3.6 million rows, about 135 MB, dates as 03/09/2025 as SIMS exports them),
then times in the same run:

  (a) COPY of the file into an unindexed table of five text columns: the floor for getting it into PostgreSQL;
  (b) the full import (``services.attendance_marks_import``): parse and check every row, pack into one row of
      codes per learner per year with its weekly and termly figures, store with COPY, refresh the year-to-date
      summaries;

and prints both, the ratio (the issue's target: no more than 1) and the peak memory of this process (its RSS
high-water mark, which includes Django and the file generation: the target is under 1 GiB). Then it re-imports the
same file, which must change nothing, and times that too. BENCH_DIR sets where the CSV is written (default: a
temporary directory, removed afterwards).
"""

from __future__ import annotations

import datetime
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from cymuned.families.models import Learner  # noqa: E402
from cymuned.organisations.models import Cluster, LocalAuthority, OrganisationKind, School  # noqa: E402
from cymuned.outcomes.demo import school_weeks  # noqa: E402
from cymuned.outcomes.marks import academic_year_of  # noqa: E402
from cymuned.outcomes.models import AttendanceSummary, AttendanceYear  # noqa: E402
from cymuned.outcomes.services import attendance_marks_import  # noqa: E402

LEARNERS = int(os.environ.get("BENCH_LEARNERS", "9500"))
PER_SCHOOL = 250
DAYS = 190
LA_CODE = "990"
#: Morning codes drawn for a mark (most present; a tail of lateness, approved activities and absences of each kind).
AM_CODES = ["/"] * 88 + list("LLUBVPCEHIIMNOGR#")
BACKSLASH = "\\"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def school_days(year: int) -> list[datetime.date]:
    days = []
    for start, friday, _taught in school_weeks(year):
        day = start
        while day <= friday and len(days) < DAYS:
            days.append(day)
            day += datetime.timedelta(days=1)
    return days


def ensure_learners() -> list[tuple[str, str]]:
    """(school number, UPN) of every bench learner, made in bulk the first time."""
    la, _ = LocalAuthority.objects.get_or_create(
        code=LA_CODE, defaults={"kind": OrganisationKind.LOCAL_AUTHORITY, "name_en": "Bench Borough", "name_cy": "Bwrdeistref Mainc"}
    )
    cluster, _ = Cluster.objects.get_or_create(local_authority=la, name_en="Bench cluster", defaults={"name_cy": "Clwstwr mainc"})
    schools = []
    for n in range(-(-LEARNERS // PER_SCHOOL)):
        school, _ = School.objects.get_or_create(
            school_number=f"{LA_CODE}{n + 1:04d}",
            defaults={"kind": OrganisationKind.SCHOOL, "local_authority": la, "cluster": cluster, "phase": "secondary",
                      "language_medium": "english", "name_en": f"Bench School {n + 1}", "name_cy": f"Ysgol Mainc {n + 1}"},
        )
        schools.append(school)
    have = set(Learner.objects.filter(school__in=schools).values_list("upn", flat=True))
    rows = [(schools[i // PER_SCHOOL], f"B{990_000_000_00 + i:011d}0") for i in range(LEARNERS)]
    new = [Learner(school=s, upn=upn, given_name="Bench", family_name=f"Learner {i}", date_of_birth=datetime.date(2012, 1, 1),
                   year_group=7, efsm=i % 5 == 0) for i, (s, upn) in enumerate(rows) if upn not in have]
    with transaction.atomic():
        Learner.objects.bulk_create(new, batch_size=5000)
    return [(s.school_number, upn) for s, upn in rows]


def write_file(path: Path, learners: list[tuple[str, str]], days: list[datetime.date]) -> None:
    rng = random.Random(10)
    shown = [d.strftime("%d/%m/%Y") for d in days]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("School,UPN,Date,Session,Mark\n")
        for number, upn in learners:
            lines = []
            for day in shown:
                am = rng.choice(AM_CODES)
                pm = rng.choice(AM_CODES).replace("/", BACKSLASH)  # the afternoon's present mark
                lines.append(f"{number},{upn},{day},AM,{am}\n{number},{upn},{day},PM,{pm}\n")
            handle.write("".join(lines))


def bare_copy(path: Path) -> float:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_marks")
        cursor.execute("CREATE TABLE bench_bare_marks (school text, upn text, day text, session text, code text)")
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        open(path, "rb") as handle,
        cursor.copy("COPY bench_bare_marks FROM STDIN (FORMAT csv, HEADER true)") as copy,
    ):
        while block := handle.read(1 << 20):
            copy.write(block)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_bare_marks")
        count = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_bare_marks")
    print(f"  bare COPY: {count:,} rows in {elapsed:.2f} s")
    return elapsed


def clear_marks(schools: list[str]) -> None:
    with transaction.atomic():
        for model in (AttendanceSummary, AttendanceYear):
            model.objects.filter(school__school_number__in=schools).delete()


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL (make bench-import does).")
    year = academic_year_of(timezone.localdate()) - 1  # the last full academic year: no date is in the future
    started = time.perf_counter()
    learners = ensure_learners()
    days = school_days(year)
    workdir = Path(os.environ.get("BENCH_DIR") or tempfile.mkdtemp(prefix="cymuned-bench-"))
    path = workdir / "attendance.csv"
    write_file(path, learners, days)
    schools = sorted({number for number, _upn in learners})
    clear_marks(schools)
    rows = len(learners) * len(days) * 2
    print(f"{len(learners):,} learners at {len(schools)} schools, {len(days) * 2} sessions each: {rows:,} marks, "
          f"{path.stat().st_size / 1e6:.0f} MB of CSV (made in {time.perf_counter() - started:.1f} s)")
    print(f"peak memory before timing: {peak_mib():.0f} MiB")
    try:
        copy_before = bare_copy(path)
        started = time.perf_counter()
        result = attendance_marks_import(source=path, academic_year=year)
        imported = time.perf_counter() - started
        if not result.ok:
            for error in result.errors[:10]:
                print(f"  row {error.row} [{error.column}]: {error.message}")
            sys.exit("The import refused the file.")
        record = result.record
        assert record is not None
        print(f"  full import: {imported:.2f} s ({record.years_written:,} learners' years written)")
        peak = peak_mib()
        copy_after = bare_copy(path)
        started = time.perf_counter()
        again = attendance_marks_import(source=path, academic_year=year)
        reimported = time.perf_counter() - started
        assert again.record is not None
        print(f"  re-import of the same file: {reimported:.2f} s ({again.record.years_written} years written, "
              f"{again.record.years_deleted} removed)")
        copy = (copy_before + copy_after) / 2
        print(f"\nbare COPY (mean of two): {copy:.2f} s; full import: {imported:.2f} s; "
              f"ratio import / COPY: {imported / copy:.2f} (target: at most 1.00)")
        print(f"peak memory (RSS high-water of this process): {peak:.0f} MiB (target: under 1024 MiB)")
        print(f"years stored: {AttendanceYear.objects.count():,}; summaries: {AttendanceSummary.objects.count():,}")
    finally:
        if not os.environ.get("BENCH_DIR"):
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
