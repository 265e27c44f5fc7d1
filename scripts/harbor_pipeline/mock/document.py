"""The spec as the mock reads it: `$ref`s followed, OpenAPI 3.0 schemas as Draft 2020-12, validators.

Every schema is validated where it stands in the document (a `$ref` to its JSON pointer in one
registered resource), so `#/components/...` references inside it resolve as the spec means them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from harbor_pipeline.breaking.load import Spec
from harbor_pipeline.breaking.nodes import EMPTY, Node, SpecError, escape
from harbor_pipeline.breaking.resolve import Resolver

# The spec's base URI inside the schema registry; never fetched.
BASE = "urn:harbor-mock:spec"
_SCHEMA_KEYS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_ONE = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid value: where it was (`body`, `query`, ...), a JSON pointer, and what is wrong.

    Pointers into the document (`#/components/...`) are the spec's; this `pointer` is into the
    value that was sent.
    """

    location: str
    pointer: str
    message: str


@dataclass(slots=True)
class Document:
    """A parsed spec with one cached validator per schema pointer."""

    name: str
    root: Node
    resolver: Resolver
    _registry: Registry[Any] = field(repr=False)
    _validators: dict[str, Any] = field(default_factory=dict, repr=False)

    def deref(self, node: Node, pointer: str) -> tuple[Node, str]:
        """`node` with its `$ref` chain followed, and the pointer of what it landed on."""
        return self.resolver.deref(node, pointer)

    def _validator(self, pointer: str) -> Any:
        validator = self._validators.get(pointer)
        if validator is None:
            validator = Draft202012Validator(
                {"$ref": BASE + pointer.replace("%", "%25")},
                registry=self._registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
            self._validators[pointer] = validator
        return validator

    def errors(self, pointer: str, instance: object, location: str) -> list[FieldError]:
        """What is wrong with `instance` against the schema at `pointer`, each with its pointer."""
        found: list[FieldError] = []
        ordered = sorted(
            self._validator(pointer).iter_errors(instance),
            key=lambda e: [str(p) for p in e.absolute_path],
        )
        for error in ordered:
            path = [str(part) for part in error.absolute_path]
            if error.validator == "required" and isinstance(error.instance, Mapping):
                path += [p for p in error.validator_value if repr(p) in error.message][:1]
            message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
            found.append(FieldError(location, "".join("/" + escape(p) for p in path), message))
        return found

    def is_valid(self, pointer: str, instance: object) -> bool:
        return bool(self._validator(pointer).is_valid(instance))


def open_document(spec: Spec) -> Document:
    """The mock's view of a loaded spec; 3.0 schemas are rewritten as 3.1 means them."""
    root: dict[str, object] = copy.deepcopy(dict(spec.root))
    for schema in _schemas(root):
        if not spec.is_31:
            _as_2020_12(schema)
        _drop_foreign_pattern(schema)
    resource: Resource[Any] = Resource.from_contents(root, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(BASE, resource)
    return Document(spec.name, root, Resolver(root, spec.name), registry)


def _drop_foreign_pattern(schema: dict[str, object]) -> None:
    """Leave out a `pattern` Python's `re` cannot compile (`\\p{L}`, `[\\d-_]`: other regex
    dialects): the mock then neither enforces nor follows it, as the generated server does not
    enforce it; keeping it would fail every request that reaches the schema."""
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError):
            del schema["pattern"]


def _schemas(root: Mapping[str, object]) -> Iterator[dict[str, object]]:
    """Every schema object of the document (components, parameters, bodies, responses)."""
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, is_schema = stack.pop()
        if isinstance(node, list):
            stack.extend((item, is_schema) for item in node)
            continue
        if not isinstance(node, dict):
            continue
        if is_schema:
            yield node
            for key in _SCHEMA_KEYS:
                value = node.get(key)
                if isinstance(value, dict):
                    stack.extend((item, True) for item in value.values())
            stack.extend((node.get(key), True) for key in (*_SCHEMA_LISTS, *_SCHEMA_ONE))
            continue
        for key, value in node.items():
            if key in ("example", "examples") or key.startswith("x-"):
                continue  # data, not schemas
            if key == "schema":
                stack.append((value, True))
            elif key == "schemas" and isinstance(value, dict):
                stack.extend((item, True) for item in value.values())
            else:
                stack.append((value, False))


def _as_2020_12(schema: dict[str, object]) -> None:
    """OpenAPI 3.0's `nullable` and boolean exclusive bounds, in 2020-12's spelling.

    An `enum` is left as it is: null is one of its values only if it lists null (OpenAPI 3.0.3's
    clarification, which schemathesis follows too).
    """
    if schema.pop("nullable", False) is True:
        kind = schema.get("type")
        if isinstance(kind, str):
            schema["type"] = [kind, "null"]
        if "$ref" in schema or "allOf" in schema or "oneOf" in schema or "anyOf" in schema:
            # 3.0 ignores siblings of $ref; wrapping keeps the reference and admits null.
            inner = {
                k: schema.pop(k) for k in list(schema) if k in ("$ref", "allOf", "oneOf", "anyOf")
            }
            schema["anyOf"] = [inner, {"type": "null"}]
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = schema.get(bound)
        if isinstance(value, bool):
            del schema[bound]
            if value and limit in schema:
                schema[bound] = schema.pop(limit)


def child_pointer(pointer: str, *tokens: str) -> str:
    return pointer + "".join("/" + escape(token) for token in tokens)


def mapping(node: Node, key: str) -> Node:
    value = node.get(key)
    return value if isinstance(value, Mapping) else EMPTY


__all__ = [
    "BASE",
    "Document",
    "FieldError",
    "SpecError",
    "child_pointer",
    "mapping",
    "open_document",
]
