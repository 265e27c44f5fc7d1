"""Find the members of a JSON value that its OpenAPI schema does not declare.

The spec leaves response objects open (no `additionalProperties: false`) so that adding a field
is not a breaking change for partners' clients. The server's side of the contract is stricter:
it sends only what the spec declares. This module is that rule, applied to one response body;
the fuzz hooks run it on every response schemathesis sees and tests run it over the app.

An object member is declared when the object's schema names it in `properties`, matches a
`patternProperties` pattern, or the schema says `additionalProperties: true` or gives it a
schema (an open map such as `Metadata`). A missing `additionalProperties` counts as closed
here. `allOf` merges its parts; `oneOf`/`anyOf` take the branch that explains the value best.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

JSONObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Undeclared:
    """One member the schema does not declare: where it is (a JSON pointer) and its name."""

    pointer: str

    @property
    def name(self) -> str:
        return self.pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")


def undeclared(spec: JSONObject, schema: Any, value: Any) -> list[Undeclared]:
    """Every member of `value` that `schema` (resolved against `spec`) does not declare."""
    return list(_walk(spec, schema, value, "", depth=0))


def response_schema(
    spec: JSONObject, path: str, method: str, status: int, media_type: str
) -> Any | None:
    """The schema the spec gives this operation's response, or None when it declares none."""
    operation = _resolve(spec, spec.get("paths", {}).get(path, {})).get(method.lower())
    if not isinstance(operation, Mapping):
        return None
    responses = operation.get("responses", {})
    declared = (
        responses.get(str(status))
        or responses.get(f"{str(status)[0]}XX")
        or responses.get("default")
    )
    if declared is None:
        return None
    content = _resolve(spec, declared).get("content", {})
    bare = media_type.split(";", 1)[0].strip().lower()
    entry = content.get(bare)
    return None if entry is None else entry.get("schema")


def _resolve(spec: JSONObject, node: Any) -> Any:
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        ref: str = node["$ref"]
        if not ref.startswith("#/") or seen > 64:
            raise ValueError(f"cannot resolve {ref!r}: only local references are supported")
        target: Any = spec
        for token in ref[2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
        seen += 1
    return node


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _walk(
    spec: JSONObject, schema: Any, value: Any, pointer: str, *, depth: int
) -> Iterator[Undeclared]:
    schema = _resolve(spec, schema)
    if not isinstance(schema, Mapping) or depth > 64:
        return
    branches = [*schema.get("oneOf", ()), *schema.get("anyOf", ())]
    # Of the branches whose `type` admits the value, the one with the fewest undeclared members
    # is the one the value was meant to be.
    branches = [b for b in branches if _admits(_resolve(spec, b), value)] or branches
    if branches:
        yield from min(
            (list(_walk(spec, branch, value, pointer, depth=depth + 1)) for branch in branches),
            key=len,
        )
    parts = [schema, *(_resolve(spec, part) for part in schema.get("allOf", ()))]
    if isinstance(value, Mapping):
        yield from _walk_object(spec, parts, value, pointer, depth=depth)
    elif isinstance(value, list):
        for part in parts:
            prefix = part.get("prefixItems", ())
            items = part.get("items")
            for index, item in enumerate(value):
                item_schema = prefix[index] if index < len(prefix) else items
                if item_schema is not None:
                    yield from _walk(spec, item_schema, item, f"{pointer}/{index}", depth=depth + 1)


def _walk_object(
    spec: JSONObject, parts: list[Any], value: JSONObject, pointer: str, *, depth: int
) -> Iterator[Undeclared]:
    objectish = [p for p in parts if isinstance(p, Mapping) and _describes_object(p)]
    if not objectish:
        return  # A branch-only schema (oneOf/anyOf) or no object keywords: nothing to say here.
    for name, member in value.items():
        where = f"{pointer}/{_escape(name)}"
        schemas = [s for part in objectish for s in _member_schemas(part, name)]
        if not schemas:
            yield Undeclared(where)
            continue
        for member_schema in schemas:
            if member_schema is not True:
                yield from _walk(spec, member_schema, member, where, depth=depth + 1)


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _admits(schema: Any, value: Any) -> bool:
    """Whether the schema's `type` (if it has one) allows the value's JSON type."""
    kinds = schema.get("type") if isinstance(schema, Mapping) else None
    if kinds is None:
        return True
    names = [kinds] if isinstance(kinds, str) else list(kinds)
    if isinstance(value, bool):  # a bool is an int to Python, never to JSON
        return "boolean" in names
    return any(isinstance(value, _JSON_TYPES.get(name, ())) for name in names)


def _describes_object(schema: JSONObject) -> bool:
    kinds = schema.get("type")
    names_object = kinds == "object" or (isinstance(kinds, list) and "object" in kinds)
    return names_object or any(
        key in schema for key in ("properties", "additionalProperties", "patternProperties")
    )


def _member_schemas(schema: JSONObject, name: str) -> list[Any]:
    """The schemas that declare member `name` in this object schema (empty: undeclared)."""
    properties = schema.get("properties", {})
    if name in properties:
        return [properties[name]]
    patterns = [s for p, s in schema.get("patternProperties", {}).items() if re.search(p, name)]
    if patterns:
        return patterns
    additional = schema.get("additionalProperties", False)
    if additional is True or isinstance(additional, Mapping):
        return [additional]
    return []
