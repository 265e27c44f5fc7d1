"""A small multi-file spec in a temporary folder, and the preview of it, linted inline."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from harbor_pipeline.docs.app import build_app
from harbor_pipeline.docs.preview import Job, Preview

ROOT = Path(__file__).resolve().parents[2]
SPEC = """\
openapi: 3.1.0
info:
  title: Pets
  version: 1.0.0
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
      responses:
        '200':
          description: The pet.
          content:
            application/json:
              schema:
                $ref: 'schemas/pet.yaml'
"""
PET = """\
type: object
required: [name]
properties:
  name: {type: string}
"""


class FakeLinter:
    """Spectral's part of the lint, as lines `harbor lint` would print; counts its calls."""

    def __init__(self, lines: list[str] | None = None) -> None:
        self.lines = lines or []
        self.calls = 0

    def __call__(self, spec: Path, seen: frozenset[str]) -> list[str]:
        self.calls += 1
        return [line.format(spec=spec) for line in self.lines]


def inline(job: Job) -> None:
    job()


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "pet.yaml").write_text(PET, encoding="utf-8")
    path = tmp_path / "openapi.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture
def linter() -> FakeLinter:
    return FakeLinter()


@pytest.fixture
def preview(spec: Path, linter: FakeLinter) -> Preview:
    preview = Preview(spec, lint=linter, run=inline)
    preview.reload()
    return preview


@pytest.fixture
async def client(preview: Preview) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(preview))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


def save(path: Path, edit: Callable[[str], str]) -> None:
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
