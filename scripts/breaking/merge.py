"""Merge the keywords of `allOf` parts into one Schema, keeping the tightest of each."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from scripts.breaking.model import Bound, Schema, Src, enum_text
from scripts.breaking.nodes import Node, child, escape, flag, number, text

_TYPE_KEYS = frozenset({"type", "nullable"})
_ENUM_KEYS = frozenset({"enum", "const"})
_NUMERIC_KEYS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
)
_COUNT_KEYS = frozenset(
    {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}
)
_OBJECT_KEYS = frozenset({"properties", "required", "additionalProperties"})
_FLAG_KEYS = frozenset({"uniqueItems", "readOnly", "writeOnly", "deprecated"})
_OTHER_KEYS = frozenset({"pattern", "format", "items"})
_KEYWORDS = (
    _TYPE_KEYS | _ENUM_KEYS | _NUMERIC_KEYS | _COUNT_KEYS | _OBJECT_KEYS | _FLAG_KEYS | _OTHER_KEYS
)


class Merged:
    """Accumulates the keywords of `allOf` parts, keeping the tightest of each."""

    def __init__(self) -> None:
        self.types: frozenset[str] | None = None
        self.null_beside_ref = False
        self.enum: frozenset[str] | None = None
        self.minimum: Bound | None = None
        self.maximum: Bound | None = None
        self.multiple_of: float | None = None
        self.lengths = [0, None]
        self.items_counts = [0, None]
        self.property_counts = [0, None]
        self.patterns: set[str] = set()
        self.format: str | None = None
        self.unique_items = False
        self.properties: dict[str, list[Src]] = {}
        self.required: set[str] = set()
        self.closed = False
        self.additional: list[Src] = []
        self.items: list[Src] = []
        self.read_only = self.write_only = self.deprecated = False

    def add(self, node: Node, pointer: str) -> None:
        # Most schema objects use three or four keywords: look only at those.
        present = _KEYWORDS.intersection(node)
        if not present.isdisjoint(_TYPE_KEYS):
            self._add_types(node)
        if not present.isdisjoint(_ENUM_KEYS):
            self._add_enum(node)
        if not present.isdisjoint(_NUMERIC_KEYS):
            self._add_numeric(node)
        if not present.isdisjoint(_COUNT_KEYS):
            _counts(self.lengths, node, "minLength", "maxLength")
            _counts(self.items_counts, node, "minItems", "maxItems")
            _counts(self.property_counts, node, "minProperties", "maxProperties")
        if not present.isdisjoint(_OBJECT_KEYS):
            self._add_object(node, pointer)
        if "pattern" in present and (pattern := text(node, "pattern")) is not None:
            self.patterns.add(pattern)
        if "format" in present:
            self.format = self.format or text(node, "format")
        if "items" in present and isinstance(items := node["items"], Mapping):
            self.items.append(Src(items, pointer + "/items"))
        if not present.isdisjoint(_FLAG_KEYS):
            self.unique_items = self.unique_items or flag(node, "uniqueItems")
            self.read_only = self.read_only or flag(node, "readOnly")
            self.write_only = self.write_only or flag(node, "writeOnly")
            self.deprecated = self.deprecated or flag(node, "deprecated")

    def _add_numeric(self, node: Node) -> None:
        self.minimum = _tighter(self.minimum, _bound(node, "minimum", "exclusiveMinimum"), 1)
        self.maximum = _tighter(self.maximum, _bound(node, "maximum", "exclusiveMaximum"), -1)
        step = number(node, "multipleOf")
        if step is not None:
            self.multiple_of = step if self.multiple_of is None else max(step, self.multiple_of)

    def _add_object(self, node: Node, pointer: str) -> None:
        properties = child(node, "properties")
        for name, prop in properties.items():
            if isinstance(prop, Mapping):
                src = Src(prop, f"{pointer}/properties/{escape(name)}")
                self.properties.setdefault(name, []).append(src)
        required = node.get("required")
        if isinstance(required, list):
            self.required.update(name for name in required if isinstance(name, str))
        extra = node.get("additionalProperties")
        if extra is False:
            self.closed = True
        elif isinstance(extra, Mapping):
            self.additional.append(Src(extra, pointer + "/additionalProperties"))

    def _add_types(self, node: Node) -> None:
        declared = node.get("type")
        if isinstance(declared, str):
            found = {declared}
        elif isinstance(declared, list):
            found = {t for t in declared if isinstance(t, str)}
        else:
            # 3.0's `allOf: [$ref], nullable: true` idiom means "nullable ref".
            self.null_beside_ref = self.null_beside_ref or flag(node, "nullable")
            return
        if flag(node, "nullable"):
            found.add("null")
        self.types = _intersect(self.types, frozenset(found))

    def _add_enum(self, node: Node) -> None:
        values = node.get("enum")
        listed = values if isinstance(values, list) else [node.get("const")]
        # null is tracked as a type, so 3.0 `nullable` and 3.1 `enum: [.., null]` agree.
        found = frozenset(enum_text(v) for v in listed if v is not None)
        self.enum = found if self.enum is None else self.enum & found

    def build(self, pointer: str) -> Schema:
        types = self.types
        if types is None:
            if self.properties or self.required or self.closed or self.additional:
                types = frozenset({"object"})
            elif self.items:
                types = frozenset({"array"})
        if types is not None and self.null_beside_ref:
            types = types | {"null"}
        additional: tuple[Src, ...] | bool = (
            False if self.closed else (tuple(self.additional) if self.additional else True)
        )
        return Schema(
            pointer,
            types=types,
            enum=self.enum,
            minimum=self.minimum,
            maximum=self.maximum,
            multiple_of=self.multiple_of,
            min_length=self.lengths[0] or 0,
            max_length=self.lengths[1],
            patterns=frozenset(self.patterns),
            format=self.format,
            min_items=self.items_counts[0] or 0,
            max_items=self.items_counts[1],
            unique_items=self.unique_items,
            min_properties=self.property_counts[0] or 0,
            max_properties=self.property_counts[1],
            properties=MappingProxyType({k: tuple(v) for k, v in self.properties.items()}),
            required=frozenset(self.required),
            additional=additional,
            items=tuple(self.items) if self.items else None,
            read_only=self.read_only,
            write_only=self.write_only,
            deprecated=self.deprecated,
        )


def _intersect(a: frozenset[str] | None, b: frozenset[str]) -> frozenset[str]:
    if a is None:
        return b
    out = set(a & b)
    # Every integer is a number, so {number} and {integer} meet at {integer}.
    if ("integer" in a and "number" in b) or ("number" in a and "integer" in b):
        out.add("integer")
    return frozenset(out)


def _bound(node: Node, inclusive_key: str, exclusive_key: str) -> Bound | None:
    value = number(node, inclusive_key)
    exclusive = node.get(exclusive_key)
    if isinstance(exclusive, bool):  # 3.0: a flag on the inclusive keyword
        return Bound(value, exclusive) if value is not None else None
    exclusive_value = number(node, exclusive_key)  # 3.1: a bound of its own
    if exclusive_value is None:
        return Bound(value, False) if value is not None else None
    if value is None:
        return Bound(exclusive_value, True)
    sign = 1 if inclusive_key == "minimum" else -1
    return _tighter(Bound(value, False), Bound(exclusive_value, True), sign)


def _tighter(a: Bound | None, b: Bound | None, sign: int) -> Bound | None:
    """The stricter of two lower (sign 1) or upper (sign -1) bounds."""
    if a is None or b is None:
        return a or b
    if a.value != b.value:
        return a if (a.value - b.value) * sign > 0 else b
    return a if a.exclusive else b


def _counts(pair: list[int | None], node: Node, low_key: str, high_key: str) -> None:
    low, high = number(node, low_key), number(node, high_key)
    if low is not None:
        pair[0] = max(pair[0] or 0, int(low))
    if high is not None:
        pair[1] = int(high) if pair[1] is None else min(pair[1], int(high))
