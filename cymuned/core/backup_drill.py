"""The backup and restore drill: dump the database, restore the dump into a new database and prove the copy is
whole and usable. ``manage.py backup_drill`` runs it; ``docs/operations.md`` says when and how.

What :func:`backup_drill_run` promises:

- The dump is ``pg_dump -Fc`` taken in a **snapshot** exported by a repeatable-read transaction that also computes
  the source's row counts and checksums, so both describe the very same moment even while the service is in use.
- The restore goes into a database created for the drill (``drill_<source>_<time>_<random>``, from ``template0``
  with the source's encoding and locale) with ``pg_restore --no-owner --exit-on-error``.
- Every table in the ``public`` schema of either database is compared: row count and an order-independent checksum,
  both computed by PostgreSQL in one pass (no rows come to Python). Every sequence that feeds a column must be at or
  past that column's largest value in the copy, or the first insert after a real restore would fail.
- A fresh process (``manage.py backup_drill --verify NAME``) boots Django on the copy exactly as the site does:
  no unapplied migrations, ``/health/`` and public pages answer 200 in English and Welsh, a user loads.
- The copy and the dump are removed afterwards, whatever happened, unless ``keep`` is set. The dump holds children's
  personal data: it is created readable by its owner only.

Connection details come from ``settings.DATABASES``; the password reaches ``pg_dump``/``pg_restore`` in ``PGPASSWORD``,
never on a command line. The tools are looked for in ``$PG_BIN`` (default ``/usr/lib/postgresql/15/bin``), then on
``PATH``. Failures of the tools raise :class:`BackupDrillError`; differences are reported, not raised.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend
from psycopg import sql

#: Pages the copy must serve to anonymous visitors (secure, as behind the load balancer).
SMOKE_PAGES = ("/health/", "/en-gb/", "/cy/", "/en-gb/programmes/", "/en-gb/premises/")

#: Session settings that fix how values print as text, so a row's text (and its checksum) is the same on both sides.
_TEXT_SETTINGS = (
    "SET TIME ZONE 'UTC'",
    "SET datestyle = 'ISO, YMD'",
    "SET intervalstyle = 'postgres'",
    "SET extra_float_digits = 3",
    "SET bytea_output = 'hex'",
)

#: Count and checksum of a table in one scan. Each row's text is hashed; the two 64-bit halves of the hashes are
#: summed as numerics, so the result does not depend on row order, needs no sort and no memory per row (unlike a
#: sorted ``string_agg`` of hashes, which holds every hash and hits the 1 GB text limit on a national database).
#: Duplicated rows count twice, and a changed row changes the sums unless another change cancels it exactly.
_CHECKSUM_SQL = sql.SQL(
    "SELECT count(*), md5(coalesce(sum(('x' || left(h, 16))::bit(64)::bigint::numeric), 0)::text || '/' || "
    "coalesce(sum(('x' || right(h, 16))::bit(64)::bigint::numeric), 0)::text) "
    "FROM (SELECT md5(t::text) AS h FROM {table} AS t) AS hashed"
)

#: Sequences in the public schema and the column each feeds (identity columns and owned serial sequences).
_SEQUENCES_SQL = """
    SELECT s.relname, t.relname, a.attname
    FROM pg_class s
    JOIN pg_namespace sn ON sn.oid = s.relnamespace
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
        AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
    JOIN pg_class t ON t.oid = d.refobjid
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
    WHERE s.relkind = 'S' AND sn.nspname = 'public'
    ORDER BY s.relname
"""

#: Database options that libpq also reads from the environment.
_LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupDrillError(Exception):
    """The drill could not run: not PostgreSQL, a tool missing, or a dump, restore or check that failed outright."""


@dataclass(frozen=True)
class TableCheck:
    """One table on both sides; ``None`` where the table is missing from that side."""

    name: str
    source_rows: int | None
    restored_rows: int | None
    source_checksum: str | None
    restored_checksum: str | None

    @property
    def matched(self) -> bool:
        return (
            self.source_rows is not None
            and self.source_rows == self.restored_rows
            and self.source_checksum == self.restored_checksum
        )

    @property
    def problem(self) -> str:
        if self.matched:
            return ""
        if self.restored_rows is None:
            return "missing from the restored database"
        if self.source_rows is None:
            return "only in the restored database"
        if self.source_rows != self.restored_rows:
            return f"{_rows(self.source_rows)} in the source, {self.restored_rows} restored"
        return f"same {_rows(self.source_rows)} but different contents (checksum)"


@dataclass
class SmokeResult:
    """What the fresh process found on the copy. Counts only: no personal data leaves the check."""

    unapplied_migrations: list[str] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)
    users: int = 0
    user_loaded: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.errors
            and not self.unapplied_migrations
            and bool(self.pages)
            and all(status == 200 for status in self.pages.values())
            and self.users > 0
            and self.user_loaded
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "unapplied_migrations": self.unapplied_migrations,
            "pages": self.pages,
            "users": self.users,
            "user_loaded": self.user_loaded,
            "errors": self.errors,
        }


@dataclass
class DrillReport:
    source_database: str
    restored_database: str
    dump_path: Path
    pg_dump_version: str = ""
    dump_bytes: int = 0
    #: Seconds: ``dump``, ``restore`` (create database + pg_restore), ``compare``, ``verify``, ``checks``, ``total``.
    timings: dict[str, float] = field(default_factory=dict)
    tables: list[TableCheck] = field(default_factory=list)
    sequences_checked: int = 0
    sequence_problems: list[str] = field(default_factory=list)
    smoke: SmokeResult | None = None
    kept: bool = False

    @property
    def mismatches(self) -> list[TableCheck]:
        return [table for table in self.tables if not table.matched]

    @property
    def rows_compared(self) -> int:
        return sum(table.source_rows or 0 for table in self.tables)

    @property
    def ok(self) -> bool:
        return bool(self.tables) and not self.mismatches and not self.sequence_problems and bool(self.smoke and self.smoke.ok)

    def table(self, name: str) -> TableCheck:
        return next(table for table in self.tables if table.name == name)


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


def pg_tool(name: str) -> str:
    """The absolute path of a PostgreSQL client program: ``$PG_BIN/<name>``, else the one on ``PATH``."""
    candidate = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")) / name
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupDrillError(f"{name} was not found in $PG_BIN or on PATH; install the PostgreSQL client programs.")
    return found


def backup_drill_run(
    *,
    using: str = "default",
    keep: bool = False,
    dump_dir: str | Path | None = None,
    jobs: int = 2,
    after_restore: Callable[[BaseDatabaseWrapper], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> DrillReport:
    """Dump the database of ``using``, restore it into a new database, compare and verify, then clean up.

    ``after_restore`` is called with a connection to the copy before anything is compared: the drill's own tests
    use it to damage the copy and see the drill notice. ``progress`` receives a line as each step starts.
    """
    base = connections[using]
    if base.vendor != "postgresql":
        raise BackupDrillError(
            f"The backup drill needs PostgreSQL; the {using!r} database is {base.vendor}. "
            "Set DATABASE_URL to the PostgreSQL database to drill (a SQLite file is backed up by copying it)."
        )
    if base.in_atomic_block:
        raise BackupDrillError("The backup drill sees only committed data: run it outside a transaction.")
    say = progress or (lambda line: None)
    pg_dump, pg_restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    version = _run([pg_dump, "--version"], env=os.environ.copy()).strip()
    source_name = str(base.settings_dict["NAME"])
    env = _libpq_env(base.settings_dict)
    started = time.monotonic()
    fd, dump_file = tempfile.mkstemp(prefix="cymuned-drill-", suffix=".dump", dir=dump_dir)  # readable by us only
    os.close(fd)
    report = DrillReport(
        source_database=source_name,
        restored_database=_restored_name(source_name),
        dump_path=Path(dump_file),
        pg_dump_version=version,
    )
    source: BaseDatabaseWrapper | None = None
    restored: BaseDatabaseWrapper | None = None
    created = False
    try:
        source = _open(base.settings_dict, source_name, "backup_drill_source")
        with source.cursor() as cursor:
            for statement in _TEXT_SETTINGS:
                cursor.execute(statement)
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]

            say(f"Dumping {source_name} ({report.pg_dump_version}) to {report.dump_path}")
            step = time.monotonic()
            _run(
                [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dump_file}"],
                env={**env, "PGDATABASE": source_name},
            )
            report.timings["dump"] = time.monotonic() - step
            report.dump_bytes = report.dump_path.stat().st_size

            say("Counting and checksumming the source tables in the dump's snapshot")
            step = time.monotonic()
            source_sums = _table_checksums(source)
            compare_seconds = time.monotonic() - step
            cursor.execute("COMMIT")
            cursor.execute(
                "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database WHERE datname = current_database()"
            )
            encoding, collate, ctype = cursor.fetchone()

            say(f"Restoring into a new database {report.restored_database} (pg_restore -j {jobs})")
            step = time.monotonic()
            try:
                cursor.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}")
                    .format(
                        sql.Identifier(report.restored_database), sql.Literal(encoding), sql.Literal(collate), sql.Literal(ctype)
                    )
                    .as_string(source.connection)
                )
            except DatabaseError as error:
                raise BackupDrillError(
                    f"Could not create the database to restore into ({error}). The drill needs a role allowed to "
                    "create databases (CREATEDB): run it against a copy of the live database, as docs/operations.md says."
                ) from error
            created = True
        _run(
            [
                pg_restore,
                "--no-owner",
                "--exit-on-error",
                "--no-password",
                f"--jobs={jobs}",
                f"--dbname={report.restored_database}",
                dump_file,
            ],
            env=env,
        )
        report.timings["restore"] = time.monotonic() - step

        restored = _open(base.settings_dict, report.restored_database, "backup_drill_restored")
        if after_restore is not None:
            after_restore(restored)
        say("Comparing every table (rows and checksums) and the sequences")
        step = time.monotonic()
        restored_sums = _table_checksums(restored)
        report.tables = [_table_check(name, source_sums, restored_sums) for name in sorted(source_sums | restored_sums)]
        report.sequences_checked, report.sequence_problems = _sequences_behind(restored)
        report.timings["compare"] = compare_seconds + time.monotonic() - step
        restored.close()

        say("Checking migrations and pages on the copy in a fresh process")
        step = time.monotonic()
        report.smoke = _verify_in_subprocess(report.restored_database)
        report.timings["verify"] = time.monotonic() - step
        report.timings["checks"] = report.timings["compare"] + report.timings["verify"]
    finally:
        if restored is not None:
            restored.close()
        try:
            if source is not None and created and not keep:
                say(f"Dropping {report.restored_database}")
                with source.cursor() as cursor:
                    cursor.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                        .format(sql.Identifier(report.restored_database))
                        .as_string(source.connection)
                    )
        finally:
            if source is not None:
                source.close()
            if not keep:
                report.dump_path.unlink(missing_ok=True)
    report.kept = keep
    report.timings["total"] = time.monotonic() - started
    return report


def database_smoke_test(*, using: str = "default") -> SmokeResult:
    """Check the database of ``using`` is usable by this code: every migration applied, pages served, a user loads.

    Meant for a fresh process pointed at a restored copy (``manage.py backup_drill --verify NAME``): the test client
    runs the whole middleware stack against it. Pages are asked for over HTTPS from ``testserver``, which is added to
    ``ALLOWED_HOSTS`` for the check only.
    """
    from django.db.migrations.executor import MigrationExecutor
    from django.test import Client
    from django.test.utils import override_settings

    from cymuned.accounts.models import User

    result = SmokeResult()
    try:
        executor = MigrationExecutor(connections[using])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        result.unapplied_migrations = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    except Exception as error:  # reported, not raised: the drill wants every finding at once
        result.errors.append(f"migrations: {type(error).__name__}: {error}")
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        client = Client(raise_request_exception=False)
        for path in SMOKE_PAGES:
            result.pages[path] = client.get(path, secure=True).status_code
    try:
        result.users = User.objects.using(using).count()
        first = User.objects.using(using).order_by("pk").first()
        result.user_loaded = first is not None and bool(User.objects.using(using).get(pk=first.pk).get_username())
    except Exception as error:
        result.errors.append(f"users: {type(error).__name__}: {error}")
    return result


def _restored_name(source_name: str) -> str:
    """``drill_<source>_<UTC time>_<random>``: unique, recognisable as a drill's, within PostgreSQL's 63 bytes."""
    stem = re.sub(r"[^a-z0-9_]+", "_", source_name.lower())[:30]
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")
    return f"drill_{stem}_{stamp}_{secrets.token_hex(2)}"


def _libpq_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment for the PostgreSQL programs: connection details as libpq variables, the password included."""
    env = os.environ.copy()
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    for option, variable in _LIBPQ_ENV.items():
        if settings_dict.get("OPTIONS", {}).get(option) is not None:
            env[variable] = str(settings_dict["OPTIONS"][option])
    return env


def _open(settings_dict: dict[str, Any], name: str, alias: str) -> BaseDatabaseWrapper:
    """A connection of our own (not in ``connections``) to database ``name`` on the same server, autocommitting."""
    options = copy.deepcopy(settings_dict)
    options["NAME"] = name
    wrapper: BaseDatabaseWrapper = load_backend(options["ENGINE"]).DatabaseWrapper(options, alias)
    wrapper.ensure_connection()
    return wrapper


def _run(command: list[str], *, env: dict[str, str]) -> str:
    """Run a PostgreSQL program (an absolute path, arguments without secrets); its error output if it fails."""
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed program, no shell
    if completed.returncode != 0:
        raise BackupDrillError(f"{Path(command[0]).name} failed ({completed.returncode}): {completed.stderr.strip()[-2000:]}")
    return completed.stdout


def _table_checksums(wrapper: BaseDatabaseWrapper) -> dict[str, tuple[int, str]]:
    """Rows and checksum of every table in the public schema, by name."""
    sums: dict[str, tuple[int, str]] = {}
    with wrapper.cursor() as cursor:
        for statement in _TEXT_SETTINGS:
            cursor.execute(statement)
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        for (name,) in cursor.fetchall():
            cursor.execute(_CHECKSUM_SQL.format(table=sql.Identifier("public", name)).as_string(wrapper.connection))
            rows, checksum = cursor.fetchone()
            sums[name] = (int(rows), str(checksum))
    return sums


def _table_check(name: str, source: dict[str, tuple[int, str]], restored: dict[str, tuple[int, str]]) -> TableCheck:
    source_rows, source_checksum = source.get(name, (None, None))
    restored_rows, restored_checksum = restored.get(name, (None, None))
    return TableCheck(name, source_rows, restored_rows, source_checksum, restored_checksum)


def _sequences_behind(wrapper: BaseDatabaseWrapper) -> tuple[int, list[str]]:
    """How many sequences were checked, and those whose next value would collide with a row already there."""
    problems = []
    with wrapper.cursor() as cursor:
        cursor.execute(_SEQUENCES_SQL)
        sequences = cursor.fetchall()
        for sequence, table, column in sequences:
            cursor.execute(
                sql.SQL("SELECT (SELECT max({column}) FROM {table}), last_value, is_called FROM {sequence}")
                .format(
                    column=sql.Identifier(column),
                    table=sql.Identifier("public", table),
                    sequence=sql.Identifier("public", sequence),
                )
                .as_string(wrapper.connection)
            )
            largest, last_value, is_called = cursor.fetchone()
            next_value = last_value + 1 if is_called else last_value
            if largest is not None and next_value <= largest:
                problems.append(f"{sequence} would next give {next_value} but {table}.{column} already has {largest}")
    return len(sequences), problems


def _verify_in_subprocess(database: str) -> SmokeResult:
    """Run :func:`database_smoke_test` against ``database`` in a new process with this process's settings."""
    # Inside override_settings (tests) settings.SETTINGS_MODULE is None: the environment still names the module.
    module = getattr(settings, "SETTINGS_MODULE", None) or os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": module}
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "backup_drill", "--verify", database]
    completed = subprocess.run(  # noqa: S603 - this interpreter and manage.py, no shell
        command, env=env, capture_output=True, text=True, check=False, timeout=600, cwd=settings.BASE_DIR
    )
    lines = completed.stdout.strip().splitlines()
    try:
        found = json.loads(lines[-1])
    except (IndexError, ValueError):
        return SmokeResult(errors=[f"the check process failed ({completed.returncode}): {completed.stderr.strip()[-2000:]}"])
    return SmokeResult(
        unapplied_migrations=found["unapplied_migrations"],
        pages=found["pages"],
        users=found["users"],
        user_loaded=found["user_loaded"],
        errors=found["errors"],
    )
