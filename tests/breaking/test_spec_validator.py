"""The set-backed validators find what openapi-spec-validator's own find, on every case spec."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_spec_validator.shortcuts import get_validator_cls

from harbor_pipeline.breaking.spec_validator import spec_validator

TESTS = Path(__file__).resolve().parents[1]
CANDIDATES = [
    *sorted((TESTS / "codegen/invalid").glob("*.yaml")),
    *sorted((TESTS / "codegen/golden").glob("*/spec.yaml")),
    TESTS.parent / "spec/openapi.yaml",
]


def _document(spec: Path) -> object:
    try:
        return yaml.safe_load(spec.read_text())
    except yaml.YAMLError:
        return None  # the invalid cases include broken YAML: nothing for a validator


# Only OpenAPI 3.x documents: the others never reach a spec validator.
SPECS = [
    spec
    for spec in CANDIDATES
    if isinstance(document := _document(spec), dict) and spec_validator(document) is not None
]


def _errors(validator: object) -> list[tuple[str, str]]:
    try:
        found = list(validator.iter_errors())  # type: ignore[attr-defined]
    except Exception as error:  # the library's own crash on some broken specs: the same one
        return [("crash", type(error).__name__)]
    return [(str(list(e.absolute_path)), e.message) for e in found]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.relative_to(TESTS.parent).as_posix())
def test_the_same_errors_as_the_library(spec: Path) -> None:
    document = _document(spec)
    assert isinstance(document, dict)
    assert _errors(spec_validator(document)) == _errors(get_validator_cls(document)(document))


def test_most_cases_are_compared_and_others_are_not_openapi_3() -> None:
    assert len(SPECS) >= len(CANDIDATES) - 4, "the comparison would cover too few specs"
    assert spec_validator({"swagger": "2.0", "info": {}, "paths": {}}) is None


def test_a_schema_reached_twice_is_checked_once() -> None:
    shared = {"type": "string", "default": 1}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"A": shared, "B": {"$ref": "#/components/schemas/A"}}},
    }
    validator = spec_validator(document)
    assert validator is not None
    assert [e.message for e in validator.iter_errors()] == ["1 is not of type 'string'"]
