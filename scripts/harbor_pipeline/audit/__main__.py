"""Command line: `python -m harbor_pipeline.audit [--strict]`.

Audits `uv.lock` with pip-audit and `package-lock.json` with `npm audit`. Each ecosystem ends
in one verdict line: clean, vulnerable (exit 1), or NOT CHECKED when its advisory service cannot
be reached — never a silent pass. Without --strict (as in `make test`), NOT CHECKED is reported
and tolerated; with --strict it fails (exit 3).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CLEAN, VULNERABLE, UNCHECKED = "clean", "vulnerable", "NOT CHECKED"


def python_audit() -> tuple[str, str]:
    exported = subprocess.run(
        ["uv", "export", "--frozen", "--all-groups", "--no-hashes", "--no-emit-project", "--format", "requirements-txt"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if exported.returncode != 0:
        return UNCHECKED, f"uv export failed: {exported.stderr.strip()[:200]}"
    # Local path packages (our own client) are not on PyPI; there is nothing to look up.
    requirements = "\n".join(
        line for line in exported.stdout.splitlines() if not line.startswith(("-e", "./", "."))
    )
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as handle:
        handle.write(requirements)
        handle.flush()
        done = subprocess.run(
            [sys.executable, "-m", "pip_audit", "-r", handle.name, "--no-deps", "--disable-pip", "--progress-spinner", "off", "--format", "json"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        return UNCHECKED, f"pip-audit gave no report: {done.stderr.strip()[-200:]}"
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    if not audited:
        reason = dependencies[0]["skip_reason"] if dependencies else "no dependencies listed"
        return (
            UNCHECKED,
            f"the advisory service could not be reached for any of {len(dependencies)} packages ({reason})",
        )
    found = [f"{d['name']} {d['version']}: {v['id']}" for d in audited for v in d.get("vulns", [])]
    if found:
        return VULNERABLE, "; ".join(found)
    return (
        CLEAN,
        f"{len(audited)} packages, no known vulnerability ({len(dependencies) - len(audited)} not auditable)",
    )


def npm_audit() -> tuple[str, str]:
    done = subprocess.run(
        ["npm", "audit", "--json", "--package-lock-only"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(done.stdout or "{}")
    except json.JSONDecodeError:
        return UNCHECKED, f"npm audit gave no report: {done.stderr.strip()[-200:]}"
    if "metadata" not in report:
        return (
            UNCHECKED,
            f"the advisory service could not be reached ({str(report.get('message', done.stderr.strip()))[:160]})",
        )
    counts = report["metadata"].get("vulnerabilities", {})
    total = sum(v for k, v in counts.items() if k != "total" and isinstance(v, int))
    if total:
        # Name the packages (npm's report keys them by name), not only the severity counts.
        named = sorted(
            f"{name} ({found.get('severity', '?')}, {found.get('range', '?')})"
            for name, found in report.get("vulnerabilities", {}).items()
        )
        severities = ", ".join(f"{k}: {v}" for k, v in counts.items() if v and k != "total")
        return VULNERABLE, f"{'; '.join(named) or 'packages not named'} ({severities})"
    return (
        CLEAN,
        f"{report['metadata'].get('dependencies', {}).get('total', '?')} packages, no known vulnerability",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m harbor_pipeline.audit",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--strict", action="store_true", help="fail when an advisory service cannot be reached"
    )
    args = parser.parse_args(argv)
    if not Path("uv.lock").is_file() or not Path("package-lock.json").is_file():
        print(
            "audit: run from the repository root (uv.lock and package-lock.json)", file=sys.stderr
        )
        return 2
    verdicts = {"Python (uv.lock)": python_audit(), "npm (package-lock.json)": npm_audit()}
    for ecosystem, (verdict, detail) in verdicts.items():
        print(f"audit: {ecosystem}: {verdict}: {detail}")
    if any(verdict == VULNERABLE for verdict, _ in verdicts.values()):
        return 1
    if any(verdict == UNCHECKED for verdict, _ in verdicts.values()):
        print(
            "audit: WARNING: not every dependency could be checked; the verdicts above say which",
            file=sys.stderr,
        )
        return 3 if args.strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
