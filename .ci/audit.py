"""Dependency audit for CI: pip-audit on the pinned requirements, npm audit on production packages.

A finding fails the run unless .ci/audit-ignore lists its id with a reason. A vulnerability
service that does not answer (no network to it) is reported and skipped, not counted as clean.
Run with the project's venv: .venv/bin/python .ci/audit.py
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / ".ci" / "audit-ignore"


def ignored() -> dict[str, str]:
    """{advisory id: reason} from the ignore file; a line without a reason is refused."""
    entries = {}
    for number, line in enumerate(IGNORE_FILE.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        advisory, _, reason = line.partition(" ")
        if not reason.strip():
            sys.exit(f"{IGNORE_FILE.name}:{number}: {advisory} needs a reason after it")
        entries[advisory] = reason.strip()
    return entries


def pip_findings() -> list[str] | None:
    command = [sys.executable, "-m", "pip_audit", "--no-deps", "--progress-spinner", "off", "-f", "json"]
    for requirements in ["requirements.txt", "requirements-dev.txt"]:
        command += ["-r", str(ROOT / requirements)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr.strip()[-2000:])
        return None
    dependencies = report["dependencies"]
    if dependencies and all("skip_reason" in d for d in dependencies):
        return None  # PyPI's vulnerability data did not answer for any package
    return [
        f"{d['name']} {d['version']}: {v['id']} (aliases {', '.join(v.get('aliases', [])) or 'none'})"
        for d in dependencies
        for v in d.get("vulns", [])
    ]


def npm_findings() -> list[str] | None:
    result = subprocess.run(
        ["npm", "audit", "--omit=dev", "--json"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        return None
    if "error" in report or "vulnerabilities" not in report:
        return None  # the registry's audit endpoint did not answer
    findings = []
    for name, vulnerability in report["vulnerabilities"].items():
        for via in vulnerability.get("via", []):
            if isinstance(via, dict):
                advisory = via.get("url", "").rsplit("/", 1)[-1] or str(via.get("source"))
                findings.append(f"{name}: {advisory} ({via.get('title', '')})")
    return findings


def main():
    allowed = ignored()
    failed = False
    for tool, findings in [("pip-audit", pip_findings()), ("npm audit --omit=dev", npm_findings())]:
        if findings is None:
            print(f"{tool}: SKIPPED - the vulnerability service did not answer from this machine")
            continue
        open_findings = [f for f in findings if not any(advisory in f for advisory in allowed)]
        for finding in findings:
            print(f"{tool}: {'ignored' if finding not in open_findings else 'FOUND'} {finding}")
        if open_findings:
            failed = True
        else:
            print(f"{tool}: no unlisted findings ({len(findings)} listed in {IGNORE_FILE.name})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
