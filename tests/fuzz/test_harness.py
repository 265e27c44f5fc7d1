"""Breaking the server on purpose makes the fuzz harness fail, naming the check that caught it.

Each case serves the real app wrapped by one fault of tests/fuzz/faults.py and runs the
harness bounded to the operations and phases that reach the fault (a few seconds each); the
control runs the same against the unbroken app and must pass, so a failure is the fault's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def fuzz(*args: str) -> subprocess.CompletedProcess[str]:
    # SQLite only: the faults are about HTTP, not storage.
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "harbor_pipeline.fuzz", "--max-examples", "5", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def broken(case_id: str, name: str, operations: list[str], phases: str, *expected: str) -> Any:
    """One broken server: the harness run that reaches the fault, and what its output names."""
    scope = [*(arg for op in operations for arg in ("--operation", op)), "--phases", phases]
    return pytest.param(name, scope, list(expected), id=case_id)


FAULTS = [
    broken("500-for-one-input", "server_error", ["listCustomerOrders"], "coverage",
          "ST101 Server error"),
    broken("400-for-a-valid-limit", "valid_limit_refused", ["listCustomerOrders"], "coverage",
          "positive_400_is_a_foreign_cursor", "(https://harbor.example/problems/invalid-parameter)"),
    broken("no-location-header", "no_location", ["createOrder"], "examples",
          "ST107 Missing required response headers", "Location"),
    broken("undeclared-field", "undeclared_field", ["createOrder"], "examples",
          "no_undeclared_fields", "`risk_score` at /risk_score"),
    broken("undeclared-field-stateful", "undeclared_field_on_read", ["createOrder", "getOrder"],
          "stateful", "Stateful tests", "no_undeclared_fields", "`risk_score` at /risk_score"),
]  # fmt: skip


@pytest.mark.parametrize(("fault", "scope", "expected"), FAULTS)
def test_a_broken_server_fails_the_run(fault: str, scope: list[str], expected: list[str]) -> None:
    result = fuzz("--app", f"tests.fuzz.faults:{fault}", *scope)
    assert result.returncode == 1, result.stdout + result.stderr
    for text in expected:
        assert text in result.stdout, result.stdout
    assert "FAILED (schemathesis exited 1)" in result.stdout


def test_the_unbroken_server_passes_the_same_runs() -> None:
    result = fuzz(
        *("--operation", "createOrder", "--operation", "getOrder"),
        *("--operation", "listCustomerOrders", "--phases", "examples,coverage,stateful"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fuzz: SQLite: passed" in result.stdout
