#!/usr/bin/env python3
"""Audit the pinned Python dependencies for known vulnerabilities with pip-audit.

Fails (exit 1) on a vulnerability that is not triaged in requirements/audit-triage.txt, and on a triage entry whose
review date has passed. Packages the vulnerability service does not know are listed, not hidden. When the service
cannot be reached at all the audit is reported as not done (exit 0, or 1 with CYMUNED_AUDIT_STRICT=1), so that an
offline machine can still run the rest of the suite.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIAGE = ROOT / "requirements" / "audit-triage.txt"


def read_triage(path: Path, today: datetime.date) -> tuple[dict[str, str], list[str]]:
    """Triaged ids with their reasons, and problems with the file (bad lines, passed review dates)."""
    accepted: dict[str, str] = {}
    problems: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 3)
        if len(parts) < 4:
            problems.append(f"{path.name}:{number}: needs an id, a package, a review date and a reason")
            continue
        vuln_id, package, review_by, reason = parts
        try:
            due = datetime.date.fromisoformat(review_by)
        except ValueError:
            problems.append(f"{path.name}:{number}: review date {review_by!r} is not YYYY-MM-DD")
            continue
        if due < today:
            problems.append(f"{path.name}:{number}: the triage of {vuln_id} ({package}) was due for review on {review_by}")
        accepted[vuln_id] = f"{package}: {reason}"
    return accepted, problems


def judge(report: dict, accepted: dict[str, str]) -> tuple[list[str], list[str], list[str], int]:
    """(untriaged findings, triaged findings, packages not audited, packages audited) from pip-audit's JSON."""
    untriaged, triaged, skipped, audited = [], [], [], 0
    for dependency in report.get("dependencies", []):
        if "skip_reason" in dependency:
            skipped.append(dependency["name"])
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            line = f"{dependency['name']} {dependency.get('version', '')}: {vuln['id']} (fixed in {', '.join(vuln.get('fix_versions', [])) or 'no release yet'})"
            (triaged if ids & accepted.keys() else untriaged).append(line)
    return untriaged, triaged, skipped, audited


def main() -> int:
    accepted, problems = read_triage(TRIAGE, datetime.date.today())
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = [str(pip_audit), "--format", "json", "--progress-spinner", "off"]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=300)  # noqa: S603 - our own venv's pip-audit
        report = json.loads(run.stdout or "{}")
    except (subprocess.TimeoutExpired, json.JSONDecodeError, FileNotFoundError) as error:
        print(f"Dependency audit NOT DONE: pip-audit could not run or reach its vulnerability service ({error}).")
        return 1 if os.environ.get("CYMUNED_AUDIT_STRICT") == "1" else 0
    untriaged, triaged, skipped, audited = judge(report, accepted)
    print(f"Dependency audit: {audited} packages audited, {len(skipped)} unknown to the vulnerability service, "
          f"{len(triaged)} triaged finding(s), {len(untriaged)} untriaged.")
    if skipped:
        print("  Not audited (the service has no record of these versions): " + ", ".join(sorted(skipped)))
    for line in triaged:
        print(f"  triaged: {line}")
    for line in untriaged:
        print(f"  VULNERABLE: {line}")
    for line in problems:
        print(f"  TRIAGE: {line}")
    return 1 if untriaged or problems else 0


if __name__ == "__main__":
    sys.exit(main())
