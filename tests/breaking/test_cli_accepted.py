"""The accepted-changes file: accepted findings pass, stale entries warn, bad files are exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from harbor_pipeline.breaking.__main__ import main
from tests.breaking.test_cli import BASE, _breaking, _write
from tests.breaking.test_release import _spec

POINTER = "#/paths/~1orders/post/requestBody/content/application~1json/schema/properties/note"
ENTRY = {
    "id": "request-property-became-required",
    "operation": "POST /orders",
    "pointer": POINTER,
    "reason": "a note was always stored; the server rejected none without one",
    "by": "jane",
    "date": "2026-12-07",
}


def _accepted(path: Path, *entries: dict[str, Any]) -> str:
    return _write(path, list(entries))


def test_an_accepted_break_passes_and_says_why(
    pair: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    accepted = _accepted(tmp_path / "accepted.yaml", ENTRY)
    assert main([*pair, "--accepted", accepted]) == 0
    out = capsys.readouterr().out
    assert (
        "accepted request-property-became-required: property 'note' became required "
        "(error, accepted: a note was always stored; the server rejected none without one "
        "(jane, 2026-12-07))"
    ) in out
    assert out.splitlines()[-1].startswith("compatible: 0 errors, 0 warnings, 0 info, 1 accepted")


def test_acceptance_survives_a_component_and_path_parameter_rename(tmp_path: Path) -> None:
    def spec(component: str, parameter: str, required: list[str]) -> dict[str, Any]:
        schema = {"type": "object", "required": required, "properties": {"a": {"type": "string"}}}
        ref = {"$ref": f"#/components/schemas/{component}"}
        return {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1.0.0"},
            "paths": {
                f"/orders/{{{parameter}}}": {
                    "put": {
                        "parameters": [
                            {"name": parameter, "in": "path", "required": True, "schema": {}}
                        ],
                        "requestBody": {"content": {"application/json": {"schema": ref}}},
                        "responses": {"204": {"description": "done"}},
                    }
                }
            },
            "components": {"schemas": {component: schema}},
        }

    base = _write(tmp_path / "base.yaml", spec("Order", "id", []))
    entry = {
        **ENTRY,
        "operation": "PUT /orders/{id}",
        "pointer": "#/components/schemas/Order/properties/a",
    }
    entry["id"] = "request-property-became-required"
    accepted = _accepted(tmp_path / "accepted.yaml", entry)
    narrowed = _write(tmp_path / "rev.yaml", spec("Order", "id", ["a"]))
    renamed = _write(tmp_path / "renamed.yaml", spec("OrderV2", "order_id", ["a"]))
    assert main([base, narrowed]) == 1
    assert main([base, narrowed, "--accepted", accepted]) == 0
    assert main([base, renamed, "--accepted", accepted]) == 0


def test_an_entry_accepts_only_its_operation(tmp_path: Path) -> None:
    base = _write(tmp_path / "base.yaml", BASE)
    revision = _write(tmp_path / "rev.yaml", _breaking())
    accepted = _accepted(tmp_path / "accepted.yaml", {**ENTRY, "operation": "PUT /orders"})
    assert main([base, revision, "--accepted", accepted]) == 1


def test_a_stale_entry_warns_and_fails_on_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path / "base.yaml", BASE)
    accepted = _accepted(tmp_path / "accepted.yaml", ENTRY)
    assert main([base, base, "--accepted", accepted]) == 0
    out = capsys.readouterr().out
    assert (
        f"stale   request-property-became-required at {POINTER} in POST /orders "
        f"({accepted}:1) matches nothing: remove the entry"
    ) in out
    assert main([base, base, "--accepted", accepted, "--fail-on", "warning"]) == 1


def test_the_gate_accepts_and_releases_need_no_major(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    releases = tmp_path / "releases"
    releases.mkdir()
    _spec(releases / "1.0.0.yaml")
    spec = _spec(tmp_path / "spec.yaml", "1.0.1", breaking=True)
    entry = {
        **ENTRY,
        "id": "request-parameter-became-required",
        "operation": "GET /orders",
        "pointer": "#/paths/~1orders/get/parameters/0",
    }
    accepted = _accepted(tmp_path / "accepted.yaml", entry)
    assert main(["gate", spec, str(releases)]) == 1
    assert main(["gate", spec, str(releases), "--accepted", accepted]) == 0
    assert main(["release", spec, str(releases), "1.0.1", "--accepted", accepted]) == 0
    assert "remove their entries" in capsys.readouterr().out
    assert main(["gate", spec, str(releases), "--accepted", accepted]) == 0  # stale: a warning
    assert main(["gate", spec, str(releases), "--accepted", accepted, "--fail-on", "warning"]) == 1
    assert "remove those entries" in capsys.readouterr().err


def _with(**fields: str) -> str:
    """One entry, ENTRY with `fields` replaced, one field a line from line 1."""
    return yaml.safe_dump([{**ENTRY, **fields}], sort_keys=False)


@pytest.mark.parametrize(
    ("content", "where", "what"),
    [
        ("id: x\n", "1:1", "expected a list of accepted changes"),
        ("- [a]\n", "1:3", "expected an entry with id, operation, pointer, reason, by, date"),
        ("- {id: request-property-became-required}\n", "1:3", "the entry lacks operation, "),
        (_with(id="nope"), "1:7", "unknown finding id 'nope'"),
        (_with(pointer="paths"), "3:12", "expected a JSON pointer"),
        (_with(reason=" "), "4:11", "expected reason as text"),
        (_with(date="2026-13-40"), "6:9", "'2026-13-40' is not a date YYYY-MM-DD"),
        (_with().replace("  by:", "  note: x\n  by:"), "5:3", "unknown field 'note'"),
        ("- [unclosed\n", "1:3", "invalid YAML: a flow sequence opened here is never closed"),
        (
            yaml.safe_dump([dict(ENTRY), dict(ENTRY)], sort_keys=False),
            "7:3",
            "accepts the same finding as the entry at line 1",
        ),
    ],
)
def test_a_malformed_file_is_a_located_error(
    pair: tuple[str, str],
    tmp_path: Path,
    content: str,
    where: str,
    what: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "accepted.yaml"
    path.write_text(content)
    assert main([*pair, "--accepted", str(path)]) == 2
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith(f"{path}:{where}: error: {what}")


def test_a_missing_file_is_exit_two(
    pair: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*pair, "--accepted", "no-such.yaml"]) == 2
    assert capsys.readouterr().err == "error: no-such.yaml: file: no such file\n"


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str]:
    return _write(tmp_path / "base.yaml", BASE), _write(tmp_path / "revision.yaml", _breaking())
