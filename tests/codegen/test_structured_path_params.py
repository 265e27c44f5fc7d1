"""An array in a path segment (`style: simple`), or an array of arrays in the query, is valid
OpenAPI that FastAPI cannot bind: the
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


NESTED_QUERY = """\
openapi: 3.0.0
info: {title: Routes, version: 1.0.0}
paths:
  /route:
    get:
      operationId: getRoute
      parameters:
        - name: connections
          in: query
          style: form
          explode: false
          schema:
            type: array
            maxItems: 100
            items: {type: array, items: {type: integer}, minItems: 2, maxItems: 2}
      responses:
        '200': {description: The route.}
"""


@pytest.mark.parametrize("command", ["verify", "client"])
def test_an_array_of_arrays_in_the_query_is_text_with_a_warning(
    command: str, tmp_path: Path
) -> None:
    """evetech.net's `connections` was FastAPI's AssertionError, an exit 3 (internal error)."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(NESTED_QUERY, encoding="utf-8")
    extra = [str(tmp_path / "client"), "--lang", "python"] if command == "client" else []
    result = codegen(command, str(spec), *extra)
    assert result.returncode == 0, result.stderr
    assert "query parameter 'connections' is an array of arrays" in result.stderr
    assert "[parameter-nested-array]" in result.stderr
