"""`python -m harbor_pipeline.audit` against fake `uv`, `npm` and `pip_audit`: its verdicts and exit codes.

The fakes print what the real tools print (the offline outputs were captured from pip-audit and
npm 11 pointed at a closed local port) and log how they were called. They come first on PATH and
PYTHONPATH, and the real tools' registries point at a closed local port besides, so nothing here
can reach the network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLOSED = "http://127.0.0.1:9"  # discard port: nothing listens, so a real tool fails at once

FAKE = """
import json, os, sys
from pathlib import Path
name = {name!r}
scenario = Path(os.environ["FAKE_TOOLS"])
with (scenario / "calls.log").open("a") as log:
    log.write(json.dumps([name, *sys.argv[1:]]) + "\\n")
for suffix, stream in (("stdout", sys.stdout), ("stderr", sys.stderr)):
    path = scenario / f"{{name}}.{{suffix}}"
    if path.exists():
        stream.write(path.read_text())
code = scenario / f"{{name}}.exit"
sys.exit(int(code.read_text()) if code.exists() else 0)
"""

EXPORT = "anyio==4.6.0\nhttpx==0.27.2\njinja2==3.1.4\n-e ./clients/python\n"


def pip_report(vulnerable: bool = False, skipped: bool = False) -> str:
    def dependency(name: str, version: str) -> dict[str, object]:
        if skipped:
            return {"name": name, "skip_reason": "Dependency not found on PyPI"}
        vulns: list[dict[str, object]] = []
        if vulnerable and name == "jinja2":
            vulns = [
                {
                    "id": "GHSA-q2x7-8rv6-6q7h",
                    "fix_versions": ["3.1.5"],
                    "aliases": ["CVE-2024-56201"],
                    "description": "Jinja has a sandbox breakout through malicious filenames",
                }
            ]
        return {"name": name, "version": version, "vulns": vulns}

    pins = [line.split("==") for line in EXPORT.splitlines() if "==" in line]
    return json.dumps({"dependencies": [dependency(n, v) for n, v in pins], "fixes": []})


PIP_OFFLINE = (
    "Traceback (most recent call last):\n  ...\nrequests.exceptions.ConnectionError: "
    "HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded with url: "
    "/pypi/anyio/4.6.0/json (Caused by NameResolutionError(\"Failed to resolve 'pypi.org'\"))\n"
)


def npm_report(vulnerable: bool = False) -> str:
    found = (
        {"braces": {"name": "braces", "severity": "high", "range": "<3.0.3", "isDirect": False}}
        if vulnerable
        else {}
    )
    severities = {"info": 0, "low": 0, "moderate": 0, "high": len(found), "critical": 0}
    return json.dumps(
        {
            "auditReportVersion": 2,
            "vulnerabilities": found,
            "metadata": {
                "vulnerabilities": {**severities, "total": len(found)},
                "dependencies": {"prod": 1, "dev": 311, "optional": 3, "total": 312},
            },
        }
    )


# What npm 11 prints with --json when the registry cannot be reached (captured).
NPM_OFFLINE = json.dumps(
    {
        "message": "request to https://registry.npmjs.org/-/npm/v1/security/advisories/bulk "
        "failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org",
        "error": {"summary": "", "detail": ""},
    }
)


@dataclass
class Audit:
    code: int
    out: str
    err: str
    calls: list[list[str]]


RunAudit = Callable[..., Audit]


@pytest.fixture
def audit(tmp_path: Path) -> RunAudit:
    """Run the audit with the fake tools told what to print: {tool: (stdout, stderr, exit)}."""
    tools = tmp_path / "tools"
    (tools / "bin").mkdir(parents=True)
    (tools / "python" / "pip_audit").mkdir(parents=True)
    (tools / "python" / "pip_audit" / "__init__.py").write_text("")
    (tools / "python" / "pip_audit" / "__main__.py").write_text(FAKE.format(name="pip-audit"))
    for name in ("uv", "npm"):
        executable = tools / "bin" / name
        executable.write_text(f"#!{sys.executable}\n" + FAKE.format(name=name))
        executable.chmod(0o755)
    repo = tmp_path / "repo"  # the audit reads uv.lock and package-lock.json from its cwd
    repo.mkdir()
    (repo / "uv.lock").write_text("")
    (repo / "package-lock.json").write_text("{}")

    def run(*args: str, **outputs: tuple[str, str, int]) -> Audit:
        scenario = tmp_path / "scenario"
        scenario.mkdir(exist_ok=True)
        for old in scenario.iterdir():
            old.unlink()
        for tool, (stdout, stderr, code) in {"uv": (EXPORT, "", 0), **outputs}.items():
            name = tool.replace("_", "-")
            (scenario / f"{name}.stdout").write_text(stdout)
            (scenario / f"{name}.stderr").write_text(stderr)
            (scenario / f"{name}.exit").write_text(str(code))
        env = {
            **os.environ,
            "FAKE_TOOLS": str(scenario),
            "PATH": f"{tools / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": f"{tools / 'python'}{os.pathsep}{ROOT}",
            "npm_config_registry": CLOSED,
            "PIP_INDEX_URL": CLOSED,
            "HTTP_PROXY": CLOSED,
            "HTTPS_PROXY": CLOSED,
        }
        done = subprocess.run(
            [sys.executable, "-m", "harbor_pipeline.audit", *args],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        log = scenario / "calls.log"
        calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        return Audit(done.returncode, done.stdout, done.stderr, calls)

    return run


def verdict(result: Audit, ecosystem: str) -> str:
    return next(line for line in result.out.splitlines() if line.startswith(f"audit: {ecosystem}"))


CLEAN = {"pip_audit": (pip_report(), "", 0), "npm": (npm_report(), "", 0)}


def test_clean_is_clean(audit: RunAudit) -> None:
    result = audit(**CLEAN)
    assert result.code == 0, result
    assert verdict(result, "Python") == (
        "audit: Python (uv.lock): clean: 3 packages, no known vulnerability (0 not auditable)"
    )
    assert verdict(result, "npm") == (
        "audit: npm (package-lock.json): clean: 312 packages, no known vulnerability"
    )
    assert result.err == ""


def test_the_tools_are_asked_the_right_questions(audit: RunAudit) -> None:
    calls = audit(**CLEAN).calls
    assert [call[0] for call in calls] == ["uv", "pip-audit", "npm"]
    assert calls[0][1:3] == ["export", "--frozen"]
    # pip-audit gets the exported pins without our local client package, and installs nothing.
    requirements = calls[1][calls[1].index("-r") + 1]
    assert {"--no-deps", "--disable-pip", "json"} <= set(calls[1])
    assert requirements.endswith(".txt")
    # npm audits the lock file only: no node_modules needed, no install scripts run.
    assert calls[2][1:] == ["audit", "--json", "--package-lock-only"]


def test_a_vulnerable_python_package_fails_and_is_named(audit: RunAudit) -> None:
    result = audit(pip_audit=(pip_report(vulnerable=True), "", 1), npm=CLEAN["npm"])
    assert result.code == 1
    assert verdict(result, "Python") == (
        "audit: Python (uv.lock): vulnerable: jinja2 3.1.4: GHSA-q2x7-8rv6-6q7h"
    )


def test_a_vulnerable_npm_package_fails_and_is_named(audit: RunAudit) -> None:
    result = audit(pip_audit=CLEAN["pip_audit"], npm=(npm_report(vulnerable=True), "", 1))
    assert result.code == 1
    assert verdict(result, "npm") == (
        "audit: npm (package-lock.json): vulnerable: braces (high, <3.0.3) (high: 1)"
    )


def test_vulnerable_wins_over_not_checked_even_when_not_strict(audit: RunAudit) -> None:
    result = audit(pip_audit=(pip_report(vulnerable=True), "", 1), npm=(NPM_OFFLINE, "", 1))
    assert result.code == 1
    assert "NOT CHECKED" in verdict(result, "npm")


@pytest.mark.parametrize(
    ("outputs", "ecosystem", "reason"),
    [
        pytest.param(
            {"pip_audit": ("", PIP_OFFLINE, 1), "npm": CLEAN["npm"]},
            "Python",
            "pip-audit gave no report: ",
            id="pypi-unreachable",
        ),
        pytest.param(
            {"pip_audit": (pip_report(skipped=True), "", 0), "npm": CLEAN["npm"]},
            "Python",
            "the advisory service could not be reached for any of 3 packages "
            "(Dependency not found on PyPI)",
            id="pypi-nothing-audited",
        ),
        pytest.param(
            {"pip_audit": CLEAN["pip_audit"], "npm": (NPM_OFFLINE, "", 1)},
            "npm",
            "the advisory service could not be reached (request to https://registry.npmjs.org/",
            id="npm-registry-unreachable",
        ),
        pytest.param(
            {"pip_audit": CLEAN["pip_audit"], "npm": ("", "npm error code ENOTFOUND\n", 1)},
            "npm",
            "the advisory service could not be reached (npm error code ENOTFOUND)",
            id="npm-no-json",
        ),
        pytest.param(
            {"uv": ("", "error: uv.lock needs to be updated\n", 2), **CLEAN},
            "Python",
            "uv export failed: error: uv.lock needs to be updated",
            id="uv-export-fails",
        ),
    ],
)
def test_unreachable_is_not_checked_tolerated_unless_strict(
    audit: RunAudit, outputs: dict[str, tuple[str, str, int]], ecosystem: str, reason: str
) -> None:
    result = audit(**outputs)
    line = verdict(result, ecosystem)
    assert ": NOT CHECKED: " in line
    assert line.split(": NOT CHECKED: ", 1)[1].startswith(reason), line
    assert result.code == 0
    assert "WARNING: not every dependency could be checked" in result.err
    other = "npm" if ecosystem == "Python" else "Python"
    assert ": clean: " in verdict(result, other)

    strict = audit("--strict", **outputs)
    assert strict.code == 3
    assert strict.out == result.out


def test_make_passes_audit_strict_as_strict() -> None:
    def command(*args: str) -> str:
        # Run from `make test`, a child make would inherit the parent's flags and level, and
        # print "Leaving directory" after the command.
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
        done = subprocess.run(
            ["make", "--no-print-directory", "-n", "audit", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip().splitlines()[-1]

    assert command().endswith("-m harbor_pipeline.audit")
    assert command("AUDIT_STRICT=1").endswith("-m harbor_pipeline.audit --strict")


def test_outside_the_repository_root_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "harbor_pipeline.audit"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "run from the repository root" in done.stderr
