"""Load the case pairs in `cases/*.yaml` and build full OpenAPI 3.0 and 3.1 documents from them.

A case is written once, in either dialect; `as_version` rewrites `nullable`,
type lists, `const` and exclusive bounds, so each runs under 3.0 and 3.1.
Schema cases (`kind: request` or `response`) also run nested: behind a `$ref`,
inside `allOf`, `oneOf`, an array and an object property.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CASES = Path(__file__).parent / "cases"
NESTINGS = ("direct", "ref", "allOf", "oneOf", "array", "property")


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    kind: str
    base: Any
    revision: Any
    verdict: str
    findings: tuple[str, ...]
    oas: tuple[str, ...] = ("3.0", "3.1")
    base_oas: str | None = None
    nest: dict[str, tuple[str, ...]] = field(default_factory=dict)


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text()):
            kind = raw.get("kind", "document")
            findings = tuple(raw.get("findings", ()))
            nest: dict[str, tuple[str, ...]] = {}
            if kind in ("request", "response"):
                override = raw.get("nest", {})
                for nesting in NESTINGS:
                    if override.get(nesting, findings) is not None:
                        nest[nesting] = tuple(override.get(nesting, findings))
            cases.append(
                Case(
                    file=path.stem,
                    name=raw["name"],
                    kind=kind,
                    base=raw["base"],
                    revision=raw["revision"],
                    verdict=raw["verdict"],
                    findings=findings,
                    oas=tuple(str(v) for v in raw.get("oas", ("3.0", "3.1"))),
                    base_oas=str(raw["base_oas"]) if "base_oas" in raw else None,
                    nest=nest,
                )
            )
    return cases


def _wrap_schema(kind: str, schema: Any, nesting: str) -> dict[str, Any]:
    components: dict[str, Any] = {}
    if isinstance(schema, dict) and "components" in schema and "schema" in schema:
        components = dict(schema["components"])
        schema = schema["schema"]
    if nesting == "ref":
        components["Thing"] = schema
        schema = {"$ref": "#/components/schemas/Thing"}
    elif nesting == "allOf":
        schema = {"allOf": [schema, {"description": "wrapped"}]}
    elif nesting == "oneOf":
        other = {
            "type": "object",
            "required": ["zz_other"],
            "properties": {"zz_other": {"type": "boolean"}},
        }
        schema = {"oneOf": [schema, other]}
    elif nesting == "array":
        schema = {"type": "array", "items": schema}
    elif nesting == "property":
        schema = {"type": "object", "required": ["inner"], "properties": {"inner": schema}}
    content = {"application/json": {"schema": schema}}
    if kind == "request":
        operation = {
            "requestBody": {"required": True, "content": content},
            "responses": {"204": {"description": "done"}},
        }
        method = "post"
    else:
        operation = {"responses": {"200": {"description": "ok", "content": content}}}
        method = "get"
    document: dict[str, Any] = {"paths": {"/things": {method: operation}}}
    if components:
        document["components"] = {"schemas": components}
    return document


def document(case: Case, side: str, oas: str, nesting: str = "direct") -> dict[str, Any]:
    """The full document for one side of a case, in OpenAPI `oas` (3.0 or 3.1)."""
    fragment = copy.deepcopy(case.base if side == "base" else case.revision)
    if case.kind != "document":
        fragment = _wrap_schema(case.kind, fragment, nesting)
    version = "3.0.3" if oas == "3.0" else "3.1.0"
    body = {"openapi": version, "info": {"title": case.name, "version": "1.0.0"}}
    body.update(fragment)
    body.setdefault("paths", {})
    converted: dict[str, Any] = as_version(body, oas)
    return converted


def as_version(node: Any, oas: str) -> Any:
    """`node` with the schema keywords that differ between 3.0 and 3.1 spelled for `oas`."""
    if isinstance(node, list):
        return [as_version(item, oas) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: as_version(value, oas) for key, value in node.items()}
    if oas == "3.0":
        kinds = out.get("type")
        if isinstance(kinds, list):
            real = [k for k in kinds if k != "null"]
            if len(real) == 1:
                out["type"] = real[0]
                if "null" in kinds:
                    out["nullable"] = True
        if "const" in out:
            out["enum"] = [out.pop("const")]
        for key, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if isinstance(out.get(key), int | float) and not isinstance(out.get(key), bool):
                out[inclusive] = out[key]
                out[key] = True
    else:
        if out.pop("nullable", False) is True and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        for key, inclusive in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if out.get(key) is True and inclusive in out:
                out[key] = out.pop(inclusive)
            elif out.get(key) is False:
                del out[key]
    return out
