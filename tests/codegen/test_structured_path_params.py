"""An array in a path segment (`style: simple`) is valid OpenAPI that FastAPI cannot bind: the
generator passes the text on with a warning instead of failing as an internal error (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.codegen.test_cli import codegen

SPEC = """\
openapi: 3.1.0
info: {title: Codes, version: 1.0.0}
paths:
  /codes/{code}:
    get:
      operationId: getCodes
      parameters:
        - name: code
          in: path
          required: true
          schema: {type: array, items: {type: string, enum: ['01', '02']}}
      responses:
        '200': {description: The codes.}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def test_the_server_takes_the_segment_as_text_and_says_so(spec: Path) -> None:
    result = codegen("verify", str(spec))
    assert result.returncode == 0, result.stderr
    assert "path parameter 'code' is an array" in result.stderr
    assert "[path-parameter-structured]" in result.stderr


def test_the_client_of_such_a_spec_generates(spec: Path, tmp_path: Path) -> None:
    result = codegen("client", str(spec), str(tmp_path / "client"), "--lang", "python")
    assert result.returncode == 0, result.stderr
