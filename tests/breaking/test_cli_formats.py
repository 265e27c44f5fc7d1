"""The CI formats: GitHub workflow commands, the Markdown summary and JSON fingerprints."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from harbor_pipeline.breaking.__main__ import main
from tests.breaking.test_cli import _write

_OK = {
    "200": {
        "description": "ok",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}},
    }
}
BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1.0.0"},
    "paths": {
        "/a": {"get": {"operationId": "getA", "responses": _OK}},
        "/b": {"get": {"responses": _OK}},
        "/c": {"get": {"responses": {"200": {"description": "ok"}}}, "post": {"responses": _OK}},
    },
    "components": {
        "schemas": {
            "Order": {"type": "object", "properties": {"total": {"type": "integer", "maximum": 10}}}
        }
    },
}


def _revision(component: str = "Order") -> dict[str, Any]:
    """A shared bound widened (error, two operations), POST /c removed (error and warning),
    an operationId renamed (warning); the component optionally renamed."""
    revision = copy.deepcopy(BASE)
    revision["components"]["schemas"]["Order"]["properties"]["total"]["maximum"] = 20
    revision["paths"]["/a"]["get"]["operationId"] = "fetchA"
    del revision["paths"]["/c"]["post"]
    text = json.dumps(revision).replace("schemas/Order", f"schemas/{component}")
    renamed: dict[str, Any] = json.loads(text)
    schemas = renamed["components"]["schemas"]
    schemas[component] = schemas.pop("Order")
    return renamed


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str]:
    return _write(tmp_path / "base.yaml", BASE), _write(tmp_path / "re,v.yaml", _revision())


def _line(path: str, text: str) -> int:
    return Path(path).read_text().splitlines().index(text) + 1


def test_github_annotates_each_change_once_on_the_revision(
    pair: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*pair, "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    file = pair[1].replace(",", "%2C")
    # A removed operation is annotated where its path still is in the revision.
    total, c_path = _line(pair[1], "        total:"), _line(pair[1], "  /c:")
    assert lines[:-1] == [
        f"::error file={file},line={total},title=response-bounds-widened::maximum 10 became "
        "maximum 20 (in GET /a, GET /b) at #/components/schemas/Order/properties/total",
        f"::warning file={file},line={_line(pair[1], '      operationId: fetchA')},"
        "title=operation-id-changed::operationId getA became fetchA (in GET /a) "
        "at #/paths/~1a/get/operationId",
        f"::error file={file},line={c_path},title=operation-removed::POST /c was removed "
        "(in POST /c) at #/paths/~1c/post",
        f"::warning file={file},line={c_path},title=operation-removed-without-deprecation::"
        "POST /c was removed without being deprecated first (in POST /c) at #/paths/~1c/post",
    ]
    assert lines[-1].startswith("BREAKING: 2 errors, 2 warnings, 0 info")


def test_github_notices_accepted_and_warns_stale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "base.yaml", BASE)
    revision = copy.deepcopy(BASE)
    del revision["paths"]["/c"]["get"]
    entries = [
        {
            "id": "operation-removed",
            "operation": "GET /c",
            "pointer": "#/paths/~1c/get",
            "reason": "never routed",
            "by": "jane",
            "date": "2026-12-07",
        },
        {
            "id": "operation-removed",
            "operation": "GET /a",
            "pointer": "#/paths/~1a/get",
            "reason": "gone",
            "by": "jane",
            "date": "2026-12-07",
        },
    ]
    accepted = _write(tmp_path / "accepted.yaml", entries)
    rev = _write(tmp_path / "rev.yaml", revision)
    assert main([base, rev, "--format", "github", "--accepted", accepted]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        f"::notice file={rev},line={_line(rev, '  /c:')},title=operation-removed::GET /c was "
        "removed (error, accepted: never routed (jane, 2026-12-07))"
    )
    assert lines[2] == (
        f"::warning file={accepted},line=7,title=stale accepted change::operation-removed at "
        f"#/paths/~1a/get in GET /a ({accepted}:7) matches nothing: remove the entry"
    )


def test_markdown_is_one_row_per_change_listing_its_operations(
    pair: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*pair, "--format", "markdown"]) == 1
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("| ")]
    assert rows[0] == "| level | rule | change | operations | where |"
    assert len(rows) == 1 + 1 + 4  # header, rule, one per change
    shared = [row for row in rows if "response-bounds-widened" in row]
    assert shared == [
        "| error | `response-bounds-widened` | maximum 10 became maximum 20 | `GET /a`, `GET /b` "
        f"| `{pair[1]}:{_line(pair[1], '        total:')} "
        "(#/components/schemas/Order/properties/total)` |"
    ]


def test_json_fingerprints_survive_a_component_rename(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "base.yaml", BASE)

    def fingerprints(revision: dict[str, Any]) -> dict[str, dict[str, str]]:
        assert main([base, _write(tmp_path / "rev.yaml", revision), "--format", "json"]) == 1
        findings = json.loads(capsys.readouterr().out)["findings"]
        return {f["id"]: f["fingerprints"] for f in findings}

    before, after = fingerprints(_revision()), fingerprints(_revision("Purchase"))
    assert before == after
    shared = before["response-bounds-widened"]
    assert list(shared) == ["GET /a", "GET /b"] and shared["GET /a"] != shared["GET /b"]
    assert (
        before["operation-removed"]["POST /c"]
        != (before["operation-removed-without-deprecation"]["POST /c"])
    )


def test_json_names_the_stability_level(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marked = copy.deepcopy(BASE)
    marked["paths"]["/c"]["post"]["x-stability-level"] = "alpha"
    revision = copy.deepcopy(marked)
    del revision["paths"]["/c"]["post"]
    base, rev = _write(tmp_path / "base.yaml", marked), _write(tmp_path / "rev.yaml", revision)
    assert main([base, rev, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    levels = {(f["id"], f["level"], f["stability"]) for f in document["findings"]}
    assert levels == {
        ("operation-removed", "info", "alpha"),
        ("operation-removed-without-deprecation", "info", "alpha"),
    }


def test_json_documents_are_located_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = tmp_path / "base.json"
    base.write_text(json.dumps(BASE, indent=2))
    revision = tmp_path / "rev.json"
    revision.write_text(json.dumps(_revision(), indent=2))
    assert main([str(base), str(revision), "--format", "github"]) == 1
    lines = {
        line.split("title=")[1].split("::")[0]: line
        for line in capsys.readouterr().out.splitlines()[:-1]
    }
    total, c_path = (
        _line(str(revision), '          "total": {'),
        _line(str(revision), '    "/c": {'),
    )
    assert f"file={revision},line={total}," in lines["response-bounds-widened"]
    assert f"file={revision},line={c_path}," in lines["operation-removed"]
