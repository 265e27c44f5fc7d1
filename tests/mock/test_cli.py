"""`python -m harbor_pipeline.mock`: a spec it cannot serve is one line naming the file, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import PETS, ROOT
from .live import running_mock


def _mock(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harbor_pipeline.mock", *args, "--port", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_a_missing_spec_file(tmp_path: Path) -> None:
    done = _mock(str(tmp_path / "nope.yaml"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"{tmp_path / 'nope.yaml'}: file: error: no such file"]


@pytest.mark.parametrize(
    ("content", "where", "what"),
    [
        ("openapi: 3.1.0\npaths: {}\n", ": #: error: ", "'info' is a required property"),
        ("openapi: [3.1.0\n", ":1:", "invalid YAML"),
    ],
    ids=["invalid", "not-yaml"],
)
def test_a_spec_it_cannot_serve(tmp_path: Path, content: str, where: str, what: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(content)
    done = _mock(str(spec))
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()  # one line, never a traceback
    assert line.startswith(f"{spec}{where}") and what in line


def test_it_serves_the_spec_it_is_given() -> None:
    with running_mock(PETS) as url:
        response = httpx.get(f"{url}/pets/3", headers={"X-API-Key": "k"})
    assert response.status_code == 200
    assert response.json()["id"] == 1 and response.json()["owner_email"] == "partner@example.com"
