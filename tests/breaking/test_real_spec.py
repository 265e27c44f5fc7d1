"""Refactors of Harbor's own contract keep the wire, so the gate must call them compatible."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harbor_pipeline.breaking import Spec, compare_specs, load_spec

SPEC = Path(__file__).parents[2] / "spec" / "openapi.yaml"
pytestmark = pytest.mark.skipif(not SPEC.exists(), reason="spec/openapi.yaml not written yet")


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec(str(SPEC))


def _rewritten(spec: Spec, edit: Any) -> Spec:
    return Spec("rewritten", json.loads(edit(json.dumps(spec.root))))


def _renamed_components(text: str) -> str:
    """Every schema component renamed, every reference with it."""
    root = json.loads(text)
    schemas = root["components"]["schemas"]
    root["components"]["schemas"] = {f"Renamed{name}": schema for name, schema in schemas.items()}
    text = json.dumps(root)
    for name in schemas:
        text = text.replace(
            f'"#/components/schemas/{name}"', f'"#/components/schemas/Renamed{name}"'
        )
    return text


def _renamed_path_parameters(text: str) -> str:
    """Every path template placeholder and its path parameter renamed alike."""
    root = json.loads(text)
    root["paths"] = {
        re.sub(r"\{(\w+)\}", r"{p_\1}", path): item for path, item in root["paths"].items()
    }
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("in") == "path" and isinstance(node.get("name"), str):
                node["name"] = "p_" + node["name"]
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return json.dumps(root)


def _reversed_keys(text: str) -> str:
    def flip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: flip(node[k]) for k in reversed(node)}
        return [flip(v) for v in node] if isinstance(node, list) else node

    return json.dumps(flip(json.loads(text)))


@pytest.mark.parametrize("edit", [_renamed_components, _renamed_path_parameters, _reversed_keys])
def test_refactor_is_compatible(spec: Spec, edit: Any) -> None:
    comparison = compare_specs(spec, _rewritten(spec, edit))
    assert [f.id for f in comparison.findings] == []


def test_the_spec_is_compatible_with_itself_both_ways(spec: Spec) -> None:
    assert compare_specs(spec, spec).findings == ()


def test_a_spec_the_generator_reads_the_gate_reads_too() -> None:
    # Patterns in other regex dialects (the generator drops them with a warning) used to fail
    # the gate's full validation with the schema's JSON as its message.
    realworld = Path(__file__).parents[1] / "codegen" / "golden" / "realworld" / "spec.yaml"
    spec = load_spec(str(realworld))
    assert compare_specs(spec, spec).findings == ()
