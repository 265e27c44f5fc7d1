"""The command line: exit codes, the output formats, git sources and one-line errors."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from harbor_pipeline.breaking.__main__ import main

BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1.0.0"},
    "paths": {
        "/orders": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "properties": {"note": {"type": "string"}}}
                        }
                    },
                },
                "responses": {"201": {"description": "made"}},
            },
            "get": {"responses": {"200": {"description": "ok"}}},
        }
    },
}


def _write(path: Path, document: object) -> str:
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return str(path)


def _breaking() -> dict[str, Any]:
    revision = copy.deepcopy(BASE)
    schema = revision["paths"]["/orders"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    schema["required"] = ["note"]
    return revision


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str]:
    return _write(tmp_path / "base.yaml", BASE), _write(tmp_path / "revision.yaml", _breaking())


def test_compatible_exits_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _write(tmp_path / "base.yaml", BASE)
    assert main([base, base]) == 0
    assert capsys.readouterr().out.startswith("compatible:")


def test_breaking_exits_one_and_names_operation_and_change(
    pair: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(list(pair)) == 1
    out = capsys.readouterr().out
    assert "POST /orders" in out
    assert "request-property-became-required: property 'note' became required" in out
    assert "\033[" not in out  # not a terminal: no colour


def test_fail_on_warning(tmp_path: Path) -> None:
    revision = copy.deepcopy(BASE)
    revision["paths"]["/orders"]["get"]["operationId"] = "renamed"
    BASE_WITH_ID = copy.deepcopy(BASE)
    BASE_WITH_ID["paths"]["/orders"]["get"]["operationId"] = "listOrders"
    base = _write(tmp_path / "base.yaml", BASE_WITH_ID)
    rev = _write(tmp_path / "rev.yaml", revision)
    assert main([base, rev]) == 0
    assert main([base, rev, "--fail-on", "warning"]) == 1


def test_json_format(pair: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*pair, "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["verdict"] == "breaking"
    assert document["counts"] == {"error": 1, "warning": 0, "info": 0}
    printed = document["findings"][0].pop("fingerprints")
    assert list(printed) == ["POST /orders"] and re.fullmatch(
        r"[0-9a-f]{16}", printed["POST /orders"]
    )
    assert document["findings"] == [
        {
            "id": "request-property-became-required",
            "level": "error",
            "operations": ["POST /orders"],
            "pointer": "#/paths/~1orders/post/requestBody/content/application~1json/schema/properties/note",
            "location": f"{pair[1]}:15",
            "message": "property 'note' became required",
            "stability": None,
            "accepted": None,
        }
    ]
    assert (document["accepted"], document["stale"]) == (0, [])


def test_a_shared_schema_change_is_one_change_listing_its_operations(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = {"type": "object", "properties": {"total": {"type": "integer", "maximum": 10000000}}}
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}}
    ok = {"200": {"description": "ok", **body}}
    base = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1.0.0"},
        "paths": {"/a": {"get": {"responses": ok}}, "/b": {"get": {"responses": ok}}},
        "components": {"schemas": {"Order": schema}},
    }
    revision = copy.deepcopy(base)
    revision["components"]["schemas"]["Order"]["properties"]["total"]["maximum"] = 20000000
    old, new = _write(tmp_path / "base.yaml", base), _write(tmp_path / "rev.yaml", revision)
    assert main([old, new]) == 1
    out = capsys.readouterr().out
    assert out.count("response-bounds-widened") == 1
    assert "maximum 10000000 became maximum 20000000" in out
    assert f"at {new}:" in out and "in GET /a, GET /b" in out
    assert out.splitlines()[-1].startswith("BREAKING: 1 error, 0 warnings")


def test_markdown_format(pair: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*pair, "--format", "markdown"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("### API contract check\n")
    assert "| error | `request-property-became-required` |" in out


def test_changelog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    revision = _breaking()
    revision["info"]["version"] = "2.0.0"
    revision["paths"]["/orders"]["get"]["deprecated"] = True
    revision["paths"]["/refunds"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    base = _write(tmp_path / "base.yaml", BASE)
    assert main(["changelog", base, _write(tmp_path / "rev.yaml", revision)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "## 2.0.0"
    assert "### Breaking changes" in out and "### Added" in out and "### Deprecated" in out
    assert "- GET /refunds was added" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.yaml", "missing.yaml"], "error: missing.yaml: file: no such file"),
        (["git:no-such-ref:spec.yaml", "x"], "error: git:no-such-ref:spec.yaml: git: "),
        (["git:HEAD", "x"], "error: git:HEAD: source: expected git:REF:PATH"),
    ],
)
def test_bad_input_exits_two(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert len(err.strip().splitlines()) == 1


def test_invalid_spec_names_the_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = copy.deepcopy(BASE)
    broken["paths"]["/orders"]["get"]["responses"] = {"200": {"description": 5}}
    base = _write(tmp_path / "base.yaml", BASE)
    assert main([base, _write(tmp_path / "bad.yaml", broken)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        f"error: {tmp_path}/bad.yaml: #/paths/~1orders/get/responses/200/description: "
    )


@pytest.mark.parametrize("earlier", [True, 1.0])
def test_an_invalid_default_is_placed_by_its_path_not_by_its_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], earlier: object
) -> None:
    """`default: 1` of a string is reported at that default, not at an earlier value equal to
    1 in Python (`readOnly: true`, `maximum: 1.0`), even inside a schema."""
    broken = copy.deepcopy(BASE)
    note = broken["paths"]["/orders"]["post"]["requestBody"]["content"]["application/json"]
    note["schema"]["properties"]["note"]["x-earlier"] = earlier
    broken["paths"]["/orders"]["get"]["parameters"] = [
        {"name": "q", "in": "query", "schema": {"type": "string", "default": 1}}
    ]
    assert main([_write(tmp_path / "base.yaml", BASE), _write(tmp_path / "bad.yaml", broken)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        f"error: {tmp_path}/bad.yaml: #/paths/~1orders/get/parameters/0/schema/default: "
    ), err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n",
            "#/openapi: only OpenAPI 3.0 and 3.1",
        ),
        ("- a list\n", "document: expected a mapping"),
        (
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
            "      parameters: [{name: f, in: query, schema: {type: boolean, default: 'no'}}]\n"
            "      responses: {'200': {description: ok}}\n",
            "#/paths/~1a/get/parameters/0/schema/default: 'no' is not of type 'boolean'",
        ),
        (
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
            "      responses:\n        '200': {$ref: '#/components/responses/Gone'}\n",
            "#/paths/~1a/get/responses/200/$ref: $ref '#/components/responses/Gone' points at nothing",
        ),
    ],
)
def test_unreadable_specs(
    tmp_path: Path, content: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(content)
    assert main([str(path), str(path)]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "first", "excerpt"),
    [
        (
            "openapi: 3.1.0\ninfo: [unclosed\n",
            ":2:7: error: invalid YAML: a flow sequence opened here is never closed",
            [" 2 | info: [unclosed", "   |       ^"],
        ),
        (
            "openapi: 3.1.0\ninfo:\n  title: t\n version: 1\n",
            ":4:2: error: invalid YAML: did not find expected key",
            [" 4 |  version: 1", "   |  ^"],
        ),
        (
            '{"openapi": "3.1.0",\n "info" {}}\n',
            ":2:9: error: invalid JSON: Expecting ':' delimiter",
            [' 2 |  "info" {}}', "   |         ^"],
        ),
    ],
)
def test_a_syntax_error_gives_line_column_and_a_caret(
    tmp_path: Path, content: str, first: str, excerpt: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(content)
    assert main([str(path), str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith(f"{path}{first}")
    assert lines[1:] == excerpt


def test_git_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    _write(tmp_path / "spec.yaml", BASE)
    git("add", "spec.yaml")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "base")
    _write(tmp_path / "spec.yaml", _breaking())
    monkeypatch.chdir(tmp_path)
    assert main(["git:HEAD:spec.yaml", "spec.yaml"]) == 1
    assert "request-property-became-required" in capsys.readouterr().out
    assert main(["git:HEAD:nope.yaml", "spec.yaml"]) == 2
    assert "git:HEAD:nope.yaml: git: " in capsys.readouterr().err


def test_runs_as_a_module(pair: tuple[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "harbor_pipeline.breaking", *pair],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[2],
    )
    assert done.returncode == 1
    assert "BREAKING" in done.stdout


def test_a_multi_file_spec_is_read_relative_to_each_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = Path(__file__).resolve().parents[1] / "codegen/golden/multifile"
    revision = tmp_path / "revision"
    shutil.copytree(case, revision, ignore=shutil.ignore_patterns("expected"))
    common = revision / "schemas/common.yaml"
    common.write_text(common.read_text().replace("minimum: 1", "minimum: 2"))

    assert main([str(case / "spec.yaml"), str(revision / "spec.yaml")]) == 1
    out = capsys.readouterr().out
    lines = common.read_text().splitlines()
    assert f"at {common}:{lines.index('      schema:') + 1} " in out  # the parameter's schema


def test_an_error_in_a_pulled_in_file_names_that_file_and_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    invalid = Path(__file__).resolve().parents[1] / "codegen/invalid"
    spec = str(invalid / "bad_type_in_other_file.yaml")

    assert main([spec, spec]) == 2
    where = f"error: {invalid / 'parts/thing.yaml'}:12: #/components/schemas/Bad/type: "
    assert capsys.readouterr().err.startswith(where)


def test_a_remote_ref_is_refused_at_its_line(capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(Path(__file__).resolve().parents[1] / "codegen/invalid/remote_ref.yaml")

    assert main([spec, spec]) == 2
    assert capsys.readouterr().err.startswith(f"error: {spec}:15: ")
