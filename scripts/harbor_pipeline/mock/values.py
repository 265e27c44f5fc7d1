"""A deterministic value for a schema, for responses and headers the spec gives no example for.

The schema's own `const`, `examples`, `example`, `default` or `enum` come first; otherwise a
small value honouring `required`, bounds, lengths, formats and patterns. Branches of `oneOf` and
`anyOf` are tried in order and the first that validates against the whole schema wins; the
caller validates the result once more and says so when a schema defeats this.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping

from harbor_pipeline.breaking.nodes import Node, number

from .document import Document, child_pointer
from .patterns import matching

_NONE = object()  # no listed value fits
_DEPTH = 8  # deeper than this, optional members are left out (recursive schemas end)
_MAX_DEPTH = 32
_FORMATS: dict[str, str] = {
    "date-time": "2026-01-01T00:00:00Z",
    "date": "2026-01-01",
    "time": "00:00:00Z",
    "duration": "P1D",
    "email": "partner@example.com",
    "idn-email": "partner@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com/",
    "iri": "https://example.com/",
    "uri-reference": "/example",
    "iri-reference": "/example",
    "uri-template": "/example/{id}",
    "json-pointer": "/example",
    "relative-json-pointer": "0",
    "regex": ".*",
    "byte": "AAAA",
    "password": "password",
}
# Keywords whose value is one schema, found again through `allOf` (an array's items, say).
_SUBSCHEMAS = ("items", "additionalProperties")
_ORDER = ("object", "array", "string", "integer", "number", "boolean", "null")


def generate(document: Document, pointer: str) -> object:
    """A value for the schema at `pointer` (a `#/...` pointer into the document)."""
    return _Generator(document).value(pointer, 0, 0)


class _Generator:
    def __init__(self, document: Document) -> None:
        self.document = document

    def value(self, pointer: str, depth: int, salt: int) -> object:
        if depth > _MAX_DEPTH:
            return None  # a schema that requires itself: no finite value exists
        schema, pointer = self._schema(pointer)
        listed = self._listed(schema, pointer, salt)
        if listed is not _NONE:
            return listed
        for key in ("oneOf", "anyOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                return self._first_valid(pointer, key, len(branches), depth, salt)
        merged, pointers = self._merged(schema, pointer)
        listed = self._listed(merged, pointer, salt)  # an enum or const inside an allOf
        if listed is not _NONE:
            return listed
        value = self._made(merged, pointers, pointer, depth, salt)
        kinds = merged.get("type")
        if isinstance(kinds, list) and not self.document.is_valid(pointer, value):
            for kind in [k for k in _ORDER if k in kinds][1:]:  # `[string, "null"]`: then null
                value = self._made({**merged, "type": kind}, pointers, pointer, depth, salt)
                if self.document.is_valid(pointer, value):
                    return value
        parts = schema.get("allOf")
        if isinstance(parts, list) and not self.document.is_valid(pointer, value):
            # Merging keywords loses how bounds combine; one member's own value may fit all.
            for index in range(len(parts)):
                candidate = self.value(child_pointer(pointer, "allOf", str(index)), depth + 1, salt)
                if self.document.is_valid(pointer, candidate):
                    return candidate
        return value

    def _listed(self, schema: Mapping[str, object], pointer: str, salt: int) -> object:
        """The schema's own const, default, examples or enum value that validates, or _NONE;
        `salt` turns the list, so the items of a unique array differ."""
        candidates = [schema[key] for key in ("const", "default") if key in schema]
        listed = _listed(schema)
        candidates += listed[salt % len(listed) :] + listed[: salt % len(listed)] if listed else []
        for candidate in candidates:
            if self.document.is_valid(pointer, candidate):
                return candidate
        return _NONE

    def _made(
        self,
        merged: Mapping[str, object],
        pointers: Mapping[str, str],
        pointer: str,
        depth: int,
        salt: int,
    ) -> object:
        kind = _kind(merged)
        if kind == "object":
            return self._object(merged, pointers, pointer, depth)
        if kind == "array":
            return self._array(merged, pointers.get("items"), depth)
        if kind == "string":
            return _string(merged, pointer, salt)
        if kind in ("integer", "number"):
            return _number(merged, kind == "integer", salt)
        if kind == "boolean":
            return salt % 2 == 0
        return None

    def _schema(self, pointer: str) -> tuple[Node, str]:
        return self.document.deref({"$ref": pointer}, pointer)

    def _first_valid(self, pointer: str, key: str, count: int, depth: int, salt: int) -> object:
        tried: list[object] = []
        # Non-null branches first: `oneOf: [X, {type: null}]` reads better as an X.
        order = sorted(
            range(count), key=lambda i: self._is_null(child_pointer(pointer, key, str(i)))
        )
        for index in order:
            value = self.value(child_pointer(pointer, key, str(index)), depth + 1, salt)
            if self.document.is_valid(pointer, value):
                return value
            tried.append(value)
        return tried[0]

    def _is_null(self, pointer: str) -> bool:
        schema, _ = self._schema(pointer)
        return schema.get("type") == "null"

    def _merged(self, schema: Node, pointer: str) -> tuple[dict[str, object], dict[str, str]]:
        """`schema` with its `allOf` members' keywords folded in (properties and required
        joined), and where each property's (and `items`', `additionalProperties`') schema is."""
        merged: dict[str, object] = {k: v for k, v in schema.items() if k != "allOf"}
        pointers = {name: child_pointer(pointer, "properties", name) for name in _names(schema)}
        for key in _SUBSCHEMAS:
            if isinstance(schema.get(key), Mapping):
                pointers[key] = child_pointer(pointer, key)
        parts = schema.get("allOf")
        for index in range(len(parts) if isinstance(parts, list) else 0):
            part, part_pointer = self._schema(child_pointer(pointer, "allOf", str(index)))
            inner, inner_pointers = self._merged(part, part_pointer)
            pointers = {**inner_pointers, **pointers}
            required = [*_strings(inner.get("required")), *_strings(merged.get("required"))]
            merged = {**inner, **merged, "required": required}
        return merged, pointers

    def _object(
        self, schema: Mapping[str, object], pointers: Mapping[str, str], pointer: str, depth: int
    ) -> dict[str, object]:
        required = set(_strings(schema.get("required")))
        result: dict[str, object] = {}
        for name, where in pointers.items():
            if where.endswith(tuple(f"/{key}" for key in _SUBSCHEMAS)) and name in _SUBSCHEMAS:
                continue
            member, _ = self._schema(where)
            if member.get("writeOnly") is True and name not in required:
                continue
            if name in required:
                result[name] = self.value(where, depth + 1, 0)
            elif depth < _DEPTH:
                value = self.value(where, depth + 1, 0)
                if self.document.is_valid(where, value):  # an optional member may be left out
                    result[name] = value
        for name in sorted(required - set(result)):
            result[name] = "example"  # required but not declared: any value
        minimum = int(number(schema, "minProperties") or 0)
        extra = schema.get("additionalProperties")
        for index in range(len(result), minimum):
            key = matching(_pattern(schema.get("propertyNames"))) or "key"
            result[f"{key}{index}"] = (
                self.value(pointers["additionalProperties"], depth + 1, index)
                if isinstance(extra, Mapping) and "additionalProperties" in pointers
                else "example"
            )
        return result

    def _array(self, schema: Mapping[str, object], items: str | None, depth: int) -> list[object]:
        low = int(number(schema, "minItems") or 0)
        high = number(schema, "maxItems")
        count = max(low, 1 if high is None or high >= 1 else 0)
        if depth >= _DEPTH:
            count = low
        if items is None:
            return [f"example{i}" for i in range(count)]
        return [self.value(items, depth + 1, i) for i in range(count)]


def _listed(schema: Node) -> list[object]:
    listed: list[object] = []
    examples = schema.get("examples")
    if isinstance(examples, list):
        listed.extend(examples)
    if "example" in schema:
        listed.append(schema["example"])
    enum = schema.get("enum")
    if isinstance(enum, list):
        listed.extend(sorted(enum, key=lambda v: v is None))
    return listed


def _kind(schema: Mapping[str, object]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in _ORDER if k in kind]
        return kinds[0] if kinds else "null"
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return "string"


def _names(schema: Node) -> list[str]:
    properties = schema.get("properties")
    return list(properties) if isinstance(properties, Mapping) else []


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _pattern(schema: object) -> str:
    pattern = schema.get("pattern") if isinstance(schema, Mapping) else None
    return pattern if isinstance(pattern, str) else "^[a-z]+$"


def _string(schema: Mapping[str, object], pointer: str, salt: int) -> str:
    low = int(number(schema, "minLength") or 0)
    high_number = number(schema, "maxLength")
    high = None if high_number is None else int(high_number)
    pattern = schema.get("pattern")
    if isinstance(pattern, str):
        found = matching(pattern, min_length=low, max_length=high)
        if found is not None:
            return found
    kind = schema.get("format")
    if kind == "uuid":
        # A stable id per place in the spec (and per item of a list), never a random one.
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{pointer}#{salt}"))
    text = _FORMATS.get(kind, "") if isinstance(kind, str) else ""
    text = text or ("example" if salt == 0 else f"example{salt}")
    if len(text) < low:
        text += "a" * (low - len(text))
    return text if high is None else text[:high]


def _number(schema: Mapping[str, object], integer: bool, salt: int) -> int | float:
    """The smallest value within every bound (a multiple of `multipleOf`), `salt` steps up."""
    nudge = 1.0 if integer else 0.5
    lows = [v for v in (number(schema, "minimum"),) if v is not None]
    lows += [v + nudge for v in (number(schema, "exclusiveMinimum"),) if v is not None]
    highs = [v for v in (number(schema, "maximum"),) if v is not None]
    highs += [v - nudge for v in (number(schema, "exclusiveMaximum"),) if v is not None]
    step = number(schema, "multipleOf") or (1.0 if integer else None)
    start = max(lows) if lows else 0.0
    ceiling = min(highs) if highs else None
    if ceiling is not None and start > ceiling and not integer:
        low = number(schema, "exclusiveMinimum")
        high = number(schema, "exclusiveMaximum")
        start = ((low if low is not None else start) + (high if high is not None else start)) / 2
    if step:
        start = math.ceil(start / step) * step
        if ceiling is None or start + salt * step <= ceiling:
            start += salt * step
    return math.ceil(start) if integer else start
