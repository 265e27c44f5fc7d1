"""`python -m scripts.lint`: what fails says `error`, and each place is printed once, as a JSON pointer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
SPEC = (ROOT / "spec" / "openapi.yaml").read_text(encoding="utf-8")


def _lint(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "scripts.lint", str(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    return done.returncode, done.stderr.splitlines()


def test_a_spectral_warning_fails_and_says_error(tmp_path: Path) -> None:
    untagged = SPEC.replace(
        "      tags: [orders]\n      summary: Create an order\n",
        "      summary: Create an order\n",
        1,
    )
    code, lines = _lint(tmp_path, untagged)
    assert code == 2
    assert lines[0].endswith(
        ': error: Operation must have non-empty "tags" array. [operation-tags] '
        "(at #/paths/~1v1~1orders/post)"
    )
    assert ": warning:" not in lines[0]
    assert "lint fails on every Spectral finding at warn level or above" in lines[-1]


def test_a_schema_error_is_reported_once(tmp_path: Path) -> None:
    broken = SPEC.replace(
        "          description: The order was created.", "          description: 5", 1
    )
    code, lines = _lint(tmp_path, broken)
    assert code == 2
    problems = lines[:-1]
    assert len(problems) == 1, problems
    assert problems[0].endswith("(at #/paths/~1v1~1orders/post/responses/201/description)")
