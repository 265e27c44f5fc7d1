"""Random edits to a real contract, for timing the breaking-change gate on it (bench_breaking).

Each edit is one a designer makes: a property added, a string's maxLength set, an enum value
added (else a property made required), a property made required, a required query parameter
added, an operation removed. Each changes something the gate reports.
"""

from __future__ import annotations

import copy
import random
from typing import Any

JSON = dict[str, Any]
METHODS = ("get", "put", "post", "delete", "patch")


def _objects(spec: JSON) -> list[JSON]:
    """Every component schema that lists properties, nested ones included."""
    found: list[JSON] = []
    stack: list[Any] = list(spec.get("components", {}).get("schemas", {}).values())
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("properties"), dict) and node["properties"]:
                found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def edited(spec: JSON, count: int, seed: int = 13) -> JSON:
    """`spec` with `count` random edits, the same for the same seed."""
    rng = random.Random(seed)
    revision = copy.deepcopy(spec)
    objects = _objects(revision)
    operations = [
        op
        for item in revision.get("paths", {}).values()
        for method, op in item.items()
        if method in METHODS and isinstance(op, dict)
    ]
    for i in range(count):
        kind = i % 6
        target = rng.choice(objects)
        props = target["properties"]
        strings = sorted(
            n for n, p in props.items() if isinstance(p, dict) and p.get("type") == "string"
        )
        optional = sorted(set(props) - set(target.get("required", [])))
        if kind == 0 or (kind == 1 and not strings) or (kind in (2, 3) and not optional):
            props[f"bench_added_{i}"] = {"type": "string"}
        elif kind == 1:
            props[rng.choice(strings)]["maxLength"] = rng.randrange(1, 100)
        elif kind == 2 and (
            enums := [
                p for p in props.values() if isinstance(p, dict) and isinstance(p.get("enum"), list)
            ]
        ):
            enum = rng.choice(enums)
            enum["enum"] = [*enum["enum"], f"bench_{i}"]
        elif kind in (2, 3):
            target["required"] = [*target.get("required", []), rng.choice(optional)]
        elif kind == 4:
            op = rng.choice(operations)
            op.setdefault("parameters", []).append(
                {
                    "name": f"bench_{i}",
                    "in": "query",
                    "required": True,
                    "schema": {"type": "string"},
                }
            )
        else:
            path = rng.choice(sorted(revision["paths"]))
            item = revision["paths"][path]
            method = next((m for m in METHODS if m in item), None)
            if method is not None:
                operations.remove(item.pop(method))
    return revision
