"""The dependency audit's verdicts: untriaged findings fail, triaged ones pass until their review date."""

from __future__ import annotations

import datetime
import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

REPORT = {"dependencies": [
    {"name": "django", "version": "5.2.1", "vulns": [{"id": "PYSEC-2025-1", "aliases": ["CVE-2025-0001"], "fix_versions": ["5.2.2"]}]},
    {"name": "segno", "version": "1.6.6", "vulns": []},
    {"name": "tqdm", "skip_reason": "Dependency not found on PyPI"},
]}


def test_an_untriaged_vulnerability_fails():
    untriaged, triaged, skipped, audited = audit.judge(REPORT, {})
    assert untriaged == ["django 5.2.1: PYSEC-2025-1 (fixed in 5.2.2)"] and not triaged
    assert skipped == ["tqdm"] and audited == 2


def test_a_finding_triaged_by_id_or_alias_passes():
    for key in ("PYSEC-2025-1", "CVE-2025-0001"):
        untriaged, triaged, _skipped, _audited = audit.judge(REPORT, {key: "django: not used"})
        assert not untriaged and len(triaged) == 1


def test_triage_entries_need_reasons_and_expire(tmp_path):
    triage = tmp_path / "audit-triage.txt"
    triage.write_text("# comment\nCVE-2025-0001 django 2026-01-31 only affects the MySQL backend\nBAD-LINE\n", encoding="utf-8")
    accepted, problems = audit.read_triage(triage, datetime.date(2026, 1, 1))
    assert accepted == {"CVE-2025-0001": "django: only affects the MySQL backend"}
    assert len(problems) == 1 and "BAD-LINE" not in accepted
    _accepted, problems = audit.read_triage(triage, datetime.date(2026, 2, 1))
    assert any("due for review" in p for p in problems)


def test_the_projects_triage_file_is_valid():
    _accepted, problems = audit.read_triage(audit.TRIAGE, datetime.date.today())
    assert problems == []
