"""The backup and restore drill against the test database, loaded with the demo borough.

pg_dump sees only committed data, so these tests are transactional: the demo is committed, and the database is
flushed after each test as pytest-django does for every transactional test (they run after all the others).
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from cymuned.core import backup_drill as drill
from cymuned.core.demo.borough import load_demo_borough


def _has_pg_tools() -> bool:
    try:
        drill.pg_tool("pg_dump")
        drill.pg_tool("pg_restore")
    except drill.BackupDrillError:
        return False
    return True


needs_pg_tools = pytest.mark.skipif(not _has_pg_tools(), reason="pg_dump and pg_restore are not installed")

KEY_TABLES = (
    "accounts_user",
    "families_learner",
    "families_episode",
    "outcomes_attendancesummary",
    "premises_booking",
    "programmes_enrolment",
    "evaluation_rating",
    "auditlog_logentry",
)


@pytest.fixture
def demo_database(transactional_db) -> None:
    """The demo borough, committed."""
    load_demo_borough()


def _databases() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database")
        return {name for (name,) in cursor.fetchall()}


@needs_pg_tools
def test_the_restored_copy_matches_table_for_table_and_works(demo_database: None) -> None:
    report = drill.backup_drill_run()

    assert report.restored_database not in _databases()  # dropped afterwards

    assert report.ok, [(table.name, table.problem) for table in report.mismatches]
    assert not report.mismatches
    names = {table.name for table in report.tables}
    assert len(report.tables) > 50 and {"django_migrations", *KEY_TABLES} <= names
    for name in KEY_TABLES:
        assert report.table(name).restored_rows > 0, name
    assert report.sequences_checked > 0 and not report.sequence_problems
    assert report.smoke is not None and report.smoke.ok
    assert report.smoke.unapplied_migrations == []
    assert set(report.smoke.pages.values()) == {200} and "/cy/" in report.smoke.pages
    assert report.smoke.users > 0 and report.smoke.user_loaded
    assert report.dump_bytes > 0 and not report.dump_path.exists()  # the dump holds children's data: deleted
    assert {"dump", "restore", "compare", "verify", "checks", "total"} <= report.timings.keys()
    assert report.restored_database.startswith("drill_")


@needs_pg_tools
def test_a_changed_or_lost_row_fails_the_drill(demo_database: None, monkeypatch, capsys) -> None:
    """Damage the copy after the restore (one learner's name changed, one attendance summary lost, the bookings'
    sequence wound back): the command names exactly those two tables and that sequence, and exits non-zero."""

    def damage(restored) -> None:
        with restored.cursor() as cursor:
            cursor.execute(
                "UPDATE families_learner SET given_name = given_name || 'x' WHERE id = (SELECT min(id) FROM families_learner)"
            )
            cursor.execute("DELETE FROM outcomes_attendancesummary WHERE id = (SELECT max(id) FROM outcomes_attendancesummary)")
            cursor.execute("SELECT setval(pg_get_serial_sequence('premises_booking', 'id'), 1)")

    reports: list[drill.DrillReport] = []
    run = drill.backup_drill_run

    def run_and_damage(**kwargs):
        reports.append(run(after_restore=damage, **kwargs))
        return reports[-1]

    monkeypatch.setattr(drill, "backup_drill_run", run_and_damage)
    with pytest.raises(CommandError, match="FAILED"):
        call_command("backup_drill")

    (report,) = reports
    assert not report.ok
    # The damage itself went through the audit triggers, so the copy's database audit trail differs too.
    assert {table.name for table in report.mismatches} == {"families_learner", "outcomes_attendancesummary", "audit_rowchange"}
    learners = report.table("families_learner")
    assert learners.source_rows == learners.restored_rows and learners.source_checksum != learners.restored_checksum
    summaries = report.table("outcomes_attendancesummary")
    assert summaries.restored_rows == summaries.source_rows - 1
    (sequence,) = report.sequence_problems
    assert sequence.startswith("premises_booking_id_seq would next give 2")
    output = capsys.readouterr().out
    assert f"families_learner: same {learners.source_rows} rows but different contents" in output
    assert "outcomes_attendancesummary:" in output and "3 mismatched" in output and "1 behind" in output
    assert report.restored_database not in _databases()
    assert not report.dump_path.exists()


def test_refused_on_sqlite(monkeypatch) -> None:
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    with pytest.raises(drill.BackupDrillError, match="needs PostgreSQL"):
        drill.backup_drill_run()
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("backup_drill")


def test_pg_tool_prefers_pg_bin_then_path(tmp_path, monkeypatch) -> None:
    tool = tmp_path / "pg_dump"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PG_BIN", str(tmp_path))
    assert drill.pg_tool("pg_dump") == str(tool)
    monkeypatch.setenv("PG_BIN", str(tmp_path / "missing"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert drill.pg_tool("pg_dump") == str(tool)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(drill.BackupDrillError, match="pg_restore was not found"):
        drill.pg_tool("pg_restore")
