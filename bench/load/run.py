"""Load test: the demo borough behind gunicorn on 127.0.0.1, a bounded crowd of locust users, then the numbers.

Run with `make load-test` (a throwaway PostgreSQL from scripts/with-postgres.sh, then this script), or by hand with
DATABASE_URL pointing at a PostgreSQL database you may wipe:

    scripts/with-postgres.sh .venv/bin/python bench/load/run.py

It migrates, loads the demo borough (seed_demo --force), creates an account for every simulated person
(bench/load/world.py), starts gunicorn with config.settings.production on a free loopback port, runs locust headless
(bench/load/locustfile.py) for a fixed time, stops the server and prints requests, requests per second, p50/p95/p99
overall and per group, failures by kind, the expected conflicts apart, the burst on one slot, the server's peak
memory, and whether any two bookings holding one space overlap in the database. It exits non-zero on any unexpected
failure, any overlap, a burst with other than one winner, or an error in the server's log.

Production settings are used unchanged. Sign-in throttling (django-axes) need not be relaxed: it locks an
(account, address) pair after failed sign-ins, every simulated person has an account of their own and signs in right
first time, so a lockout here would be a real failure. DRF's throttles only cover /api/, which no user calls.
Only the environment differs: a random secret key, 127.0.0.1 as the allowed host, and email to the dummy backend
(no SMTP server: nothing may leave the machine).

Tunable through the environment: LOAD_USERS (40), LOAD_SPAWN_RATE (10 a second), LOAD_DURATION (60 seconds),
LOAD_WORKERS (3 gunicorn workers), LOAD_WORKER_CLASS (sync), LOAD_THREADS (1), LOAD_BURST (10 hirers on one slot).
"""

from __future__ import annotations

import collections
import json
import math
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

USERS = int(os.environ.get("LOAD_USERS", "40"))
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "10"))
DURATION = int(os.environ.get("LOAD_DURATION", "60"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "3"))
WORKER_CLASS = os.environ.get("LOAD_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("LOAD_THREADS", "1"))
BURST = int(os.environ.get("LOAD_BURST", "10"))
#: Hard limits, whatever the environment says: this is a bounded test on one machine.
MAX_USERS, MAX_DURATION = 200, 600


def _mix(users: int, burst: int) -> dict[str, int]:
    """Simulated people per kind; the public visitors are whoever is left (at least a quarter of the crowd)."""
    share = {"hirer": 0.10, "staff": 0.20, "feo": 0.10, "lettings_manager": 0.05}
    mix = {kind: max(1, round(users * part)) for kind, part in share.items()}
    mix["burst_hirer"] = burst
    if users - sum(mix.values()) < max(1, users // 4):
        raise SystemExit(f"{users} users are too few for a burst of {burst} and the other kinds: raise LOAD_USERS or lower LOAD_BURST.")
    mix["public_visitor"] = users - sum(mix.values())
    return mix


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]  # nearest rank


class MemoryWatch(threading.Thread):
    """Samples the resident memory of the gunicorn master and its workers four times a second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_total, self.peak_process, self.running = pid, 0, 0, True

    def run(self) -> None:
        import psutil  # comes with locust

        try:
            master = psutil.Process(self.pid)
        except psutil.Error:
            return
        while self.running:
            try:
                sizes = [p.memory_info().rss for p in [master, *master.children(recursive=True)]]
            except psutil.Error:
                sizes = []
            if sizes:
                self.peak_total = max(self.peak_total, sum(sizes))
                self.peak_process = max(self.peak_process, max(sizes))
            time.sleep(0.25)


def _prepare(env: dict[str, str], mix: dict[str, int]) -> dict[str, Any]:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.load import world

    if not (ROOT / "locale/cy/LC_MESSAGES/django.mo").exists():
        call_command("compilemessages", ignore_patterns=[".venv", "node_modules"], verbosity=0)
    if not (ROOT / "staticfiles/staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)
    plan = world.prepare(mix=mix)
    connection.close()
    print(f"Prepared in {time.monotonic() - started:.1f} s: {len(plan['slots'])} free slots, {len(plan['programmes'])} public programmes, "
          f"{sum(len(f.get('episodes', [])) for f in plan['feo'])} open episodes for the FEOs.")
    return plan


def _start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS),
               "--worker-class", WORKER_CLASS, "--threads", str(THREADS), "--timeout", "30", "--graceful-timeout", "10",
               "--log-level", "warning"]
    # Our own interpreter with fixed arguments; its own session, so that stopping it stops its workers too.
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603


def _wait_healthy(server: subprocess.Popen, port: int, deadline: float = 30) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/health/", headers={"X-Forwarded-Proto": "https"})
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode} before answering.")
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:  # noqa: S310 - a fixed loopback URL
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /health/ within 30 s.")


#: Pages fetched before the test so every worker has loaded its URLs, templates and translations (not counted).
WARM_UP = ["/en-gb/", "/cy/", "/en-gb/accounts/sign-in/", "/cy/accounts/sign-in/", "/en-gb/premises/", "/cy/premises/",
           "/en-gb/programmes/", "/cy/programmes/"]


def _warm_up(port: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def fetch(path: str) -> None:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - a fixed loopback URL
            answer.read()

    with ThreadPoolExecutor(max_workers=WORKERS * 2) as pool:
        list(pool.map(fetch, WARM_UP * WORKERS))


def _busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (every process, ours or not)."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0)


def _postgres_cpu_seconds() -> float | None:
    """CPU seconds of the PostgreSQL server of DATABASE_URL, if its postmaster names the port on its command line
    (scripts/with-postgres.sh starts it so): the postmaster, its live backends, and the backends it has reaped. The whole
    server: on a shared one, other databases' work is counted too."""
    import psutil

    port = str(urlsplit(os.environ["DATABASE_URL"]).port or 5432)
    for process in psutil.process_iter(["name", "cmdline"]):
        cmdline = process.info["cmdline"] or []
        if (process.info["name"] or "").startswith("postgres") and "-p" in cmdline and port in cmdline:
            try:
                total = process.cpu_times()
                seconds = total.user + total.system + total.children_user + total.children_system
                for child in process.children():
                    times = child.cpu_times()
                    seconds += times.user + times.system
                return seconds
            except psutil.Error:
                return None
    return None


def _stop(process: subprocess.Popen | None, grace: float = 15) -> None:
    """SIGTERM the process group (gunicorn's master and workers), then SIGKILL whatever is left after ``grace`` seconds."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def _children_cpu() -> float:
    """CPU seconds of every child process reaped so far, and of the children they reaped (gunicorn's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _table(rows: list[list[Any]], header: list[str]) -> str:
    cells = [header, *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))) for row in cells]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def _latency_rows(records: list[list[Any]], key: int, seconds: float) -> list[list[Any]]:
    groups: dict[str, list[list[Any]]] = collections.defaultdict(list)
    for record in records:
        groups[record[key]].append(record)
    rows = []
    for name, items in sorted(groups.items(), key=lambda item: -len(item[1])):
        times = sorted(r[3] for r in items)
        rows.append([name, len(items), f"{len(items) / seconds:.1f}", f"{_percentile(times, 50):.0f}", f"{_percentile(times, 95):.0f}",
                     f"{_percentile(times, 99):.0f}", f"{times[-1]:.0f}", sum(r[4] == "fail" for r in items),
                     sum(r[4] == "conflict" for r in items)])
    return rows


def _report(results: dict[str, Any], checked: dict[str, Any], memory: MemoryWatch, cpu: dict[str, float], server_log: Path,
            mix: dict[str, int]) -> bool:
    records = results["records"]
    if not records:
        print("No request was made.")
        return False
    first = min(r[0] for r in records)
    last = max(r[0] + r[3] / 1000 for r in records)
    seconds = max(last - first, 1e-9)
    times = sorted(r[3] for r in records)
    failures = collections.Counter(r[5] for r in records if r[4] == "fail")
    conflicts = collections.Counter(r[5] for r in records if r[4] == "conflict")
    header = ["", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "failed", "conflicts"]

    print(f"\n== Load test: {USERS} users ({', '.join(f'{k} {v}' for k, v in mix.items())}), spawn {SPAWN_RATE:g}/s, {DURATION} s; "
          f"gunicorn {WORKERS} {WORKER_CLASS} workers x {THREADS} thread(s); {os.cpu_count()} CPUs shared by server, database and locust")
    print(f"Total: {len(records)} requests in {seconds:.1f} s = {len(records) / seconds:.1f} req/s; "
          f"p50 {_percentile(times, 50):.0f} ms, p95 {_percentile(times, 95):.0f} ms, p99 {_percentile(times, 99):.0f} ms, "
          f"max {times[-1]:.0f} ms")
    signed_in = [r[0] + r[3] / 1000 for r in records if r[1] == "sign-in"]
    if signed_in:
        steady = sorted(r[3] for r in records if r[0] >= max(signed_in))
        if steady:
            span = max(last - max(signed_in), 1e-9)
            print(f"After the last sign-in ({max(signed_in) - first:.0f} s in; every password check is a full PBKDF2 hash): "
                  f"{len(steady)} requests = {len(steady) / span:.1f} req/s; p50 {_percentile(steady, 50):.0f} ms, "
                  f"p95 {_percentile(steady, 95):.0f} ms, p99 {_percentile(steady, 99):.0f} ms")
    print("\nBy group:")
    print(_table(_latency_rows(records, 1, seconds), header))
    print("\nBy request:")
    print(_table(_latency_rows(records, 2, seconds), header))

    print(f"\nUnexpected failures: {sum(failures.values())}")
    for kind, count in failures.most_common():
        where = collections.Counter(r[2] for r in records if r[4] == "fail" and r[5] == kind).most_common(3)
        print(f"  {count:5d}  {kind}  ({', '.join(f'{n} x{c}' for n, c in where)})")
    print(f"Expected conflicts (the application's clear refusal): {sum(conflicts.values())}")
    for kind, count in conflicts.most_common():
        print(f"  {count:5d}  {kind}")

    burst = [r for r in records if r[2] == "burst: booking request"]
    won = sum(r[4] == "ok" for r in burst)
    burst_ok = won == 1 and len(burst) == mix["burst_hirer"]
    if burst:
        spread = max(r[0] for r in burst) - min(r[0] for r in burst)
        burst_times = sorted(r[3] for r in burst)
        print(f"\nBurst on one slot: {len(burst)} of {mix['burst_hirer']} hirers asked within {spread * 1000:.0f} ms: {won} won, "
              f"{sum(r[4] == 'conflict' for r in burst)} refused ("
              f"{', '.join(f'{n} {k}' for k, n in collections.Counter(r[5] for r in burst if r[4] == 'conflict').items()) or 'none'}), "
              f"{sum(r[4] == 'fail' for r in burst)} failed; "
              f"answered in {burst_times[0]:.0f}-{burst_times[-1]:.0f} ms. Holders in the database: {checked['contested_holders']}")
    else:
        print(f"\nBurst on one slot: no request was made ({results['burst']['arrived']} of {mix['burst_hirer']} hirers arrived).")
    burst_ok = burst_ok and len(checked["contested_holders"]) == 1

    print(f"\nDatabase: {checked['holding_bookings']} bookings hold their slot (requested or approved); "
          f"{checked['load_requests']} requests made by the load test, {checked['load_requests_approved']} approved during it.")
    if checked["overlaps"]:
        print(f"OVERLAPS: {len(checked['overlaps'])} pairs of holding bookings of one space overlap:")
        for row in checked["overlaps"][:10]:
            print("  ", " ".join(row))
    else:
        print("Overlap check: no two requested/approved bookings of the same space overlap.")

    if memory.peak_total:
        print(f"\nServer peak RSS: {memory.peak_total / 2**20:.0f} MiB in all (master and {WORKERS} workers), "
              f"largest process {memory.peak_process / 2**20:.0f} MiB.")
    cores = os.cpu_count() or 1
    print(f"CPU over the {cpu['seconds']:.0f} s of load: gunicorn {cpu['server']:.0f} s ({cpu['server'] / cpu['seconds'] / cores:.0%} of "
          f"{cores} cores, start-up and warm-up included; {cpu['server'] * 1000 / len(records):.0f} ms a request), "
          f"locust {cpu['locust']:.0f} s ({cpu['locust'] / cpu['seconds'] / cores:.0%}).")
    others = cpu["machine"] - cpu["server"] - cpu["locust"]
    if "postgres" in cpu:
        print(f"PostgreSQL {cpu['postgres']:.0f} s ({cpu['postgres'] / cpu['seconds'] / cores:.0%}).")
        others -= cpu["postgres"]
    print(f"The whole machine was busy {cpu['machine'] / cpu['seconds'] / cores:.0%} of the time; other work on it used {others:.0f} "
          f"CPU s ({others / cpu['seconds'] / cores:.0%}), load average {cpu['load_before']:.1f} before, {cpu['load_after']:.1f} after"
          f"{': the figures are pessimistic' if others > 0.1 * cpu['seconds'] * cores else ''}.")
    log = server_log.read_text(errors="replace")
    tracebacks = log.count("Traceback (most recent call last)")
    errors = sum(" ERROR " in line or "[ERROR]" in line for line in log.splitlines())
    print(f"Server log: {tracebacks} tracebacks, {errors} ERROR lines.")
    if tracebacks or errors:
        print("\n".join(log.splitlines()[-30:]))
    passed = not failures and not checked["overlaps"] and burst_ok and not tracebacks and not errors
    print(f"\n{'PASSED' if passed else 'FAILED'}")
    return passed


def main() -> int:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("DATABASE_URL must name a PostgreSQL database the test may wipe: run `make load-test`.")
    if not (0 < USERS <= MAX_USERS and 0 < DURATION <= MAX_DURATION):
        raise SystemExit(f"LOAD_USERS must be 1-{MAX_USERS} and LOAD_DURATION 1-{MAX_DURATION} seconds.")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the finally below stops the server
    mix = _mix(USERS, BURST)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    work = Path(tempfile.mkdtemp(prefix="cymuned-load-"))
    plan_file, results_file, server_log, locust_log = (work / name for name in ("plan.json", "results.json", "server.log", "locust.log"))
    plan_file.write_text(json.dumps(_prepare(env, mix)))
    port = _free_port()
    server = locust = None
    memory: MemoryWatch | None = None
    cpu = {"base": _children_cpu()}
    try:
        server = _start_server(env, port, server_log)
        _wait_healthy(server, port)
        _warm_up(port)
        memory = MemoryWatch(server.pid)
        memory.start()
        print(f"gunicorn on http://127.0.0.1:{port}/ (pid {server.pid}); locust for {DURATION} s ...", flush=True)
        cpu["started"], cpu["machine"], load_before = time.monotonic(), _busy_cpu_seconds(), os.getloadavg()[0]
        postgres_before = _postgres_cpu_seconds()
        locust = subprocess.Popen(  # noqa: S603 - our own interpreter with fixed arguments
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench/load/locustfile.py"), "--headless", "--host", f"http://127.0.0.1:{port}",
             "-u", str(USERS), "-r", str(SPAWN_RATE), "-t", f"{DURATION}s", "--stop-timeout", "10", "--only-summary",
             "--loglevel", "WARNING", "--exit-code-on-error", "0"],
            cwd=ROOT, env={**os.environ, "LOAD_PLAN": str(plan_file), "LOAD_RESULTS": str(results_file)},
            stdout=locust_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            locust.wait(timeout=DURATION + 120)
        except subprocess.TimeoutExpired:
            print("locust did not stop in time: killed.")
        cpu["seconds"], cpu["machine"] = time.monotonic() - cpu["started"], _busy_cpu_seconds() - cpu["machine"]
        cpu["load_before"], cpu["load_after"] = load_before, os.getloadavg()[0]
        postgres_after = _postgres_cpu_seconds()  # before the server stops and its backends exit
        if postgres_before is not None and postgres_after is not None:
            cpu["postgres"] = postgres_after - postgres_before
        if locust.returncode not in (0, None) or not results_file.exists():
            print(f"locust exited with status {locust.returncode}:\n{locust_log.read_text(errors='replace')[-3000:]}")
            return 1
    finally:
        _stop(locust, grace=5)
        if memory is not None:
            memory.running = False
        cpu["locust"] = _children_cpu() - cpu["base"]
        _stop(server)
        cpu["server"] = _children_cpu() - cpu["base"] - cpu["locust"]
    from bench.load import world

    passed = _report(json.loads(results_file.read_text()), world.check(json.loads(plan_file.read_text())), memory, cpu,
                     server_log, mix)
    if passed:
        shutil.rmtree(work)
    else:
        print(f"(plan, raw results and logs kept in {work})")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
