"""The operations the suite must cover, read from spec/openapi.yaml (never listed by hand)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SPEC = Path(__file__).resolve().parents[3] / "spec" / "openapi.yaml"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: str  # path, query, header, cookie
    required: bool
    schema: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    method: str  # upper case
    path: str  # the template, e.g. /v1/orders/{order_id}
    parameters: tuple[Parameter, ...]
    body_schema: dict[str, Any] | None  # the resolved application/json schema, if any
    body_required: bool
    secured: bool

    def parameter(self, location: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == location)

    @property
    def body_fields(self) -> tuple[str, ...]:
        if self.body_schema is None:
            return ()
        return tuple(sorted(self.body_schema.get("properties", {})))


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"].removeprefix("#/").split("/")
        target: Any = document
        for step in pointer:
            target = target[step.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


@cache
def operations(spec: Path = SPEC) -> tuple[Operation, ...]:
    """Every operation under `paths` (the `webhooks` section is sent by Harbor, not served)."""
    document = yaml.safe_load(spec.read_text())
    default_security = document.get("security", [])
    found: list[Operation] = []
    for path, item in sorted(document.get("paths", {}).items()):
        item = _resolve(document, item)
        shared = item.get("parameters", [])
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            params = {}
            for raw in [*shared, *op.get("parameters", [])]:
                p = _resolve(document, raw)
                params[(p["name"], p["in"])] = Parameter(
                    p["name"], p["in"], bool(p.get("required")), _resolve(document, p["schema"])
                )
            body = _resolve(document, op.get("requestBody"))
            schema = None
            if body:
                media = body.get("content", {}).get("application/json")
                schema = _resolve(document, media["schema"]) if media else {}
            security = op.get("security", default_security)
            found.append(
                Operation(
                    operation_id=op["operationId"],
                    method=method.upper(),
                    path=path,
                    parameters=tuple(params.values()),
                    body_schema=schema,
                    body_required=bool(body and body.get("required")),
                    # An empty requirement ({}) makes authentication optional.
                    secured=bool(security) and all(security),
                )
            )
    return tuple(found)
