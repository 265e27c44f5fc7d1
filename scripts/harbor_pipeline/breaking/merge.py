"""Merge the keywords of `allOf` parts into one Schema, keeping the tightest of each."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from harbor_pipeline.breaking.model import FALSE, Bound, Discriminator, Schema, Src, enum_text
from harbor_pipeline.breaking.nodes import Node, child, escape, flag, join, number, text

_TYPE_KEYS = frozenset({"type", "nullable"})
_ENUM_KEYS = frozenset({"enum", "const", "x-extensible-enum"})
_NUMERIC_KEYS = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
)
_COUNT_KEYS = frozenset(
    {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}
)
_OBJECT_KEYS = frozenset({"properties", "required", "additionalProperties"})
_FLAG_KEYS = frozenset({"uniqueItems", "readOnly", "writeOnly", "deprecated"})
_OTHER_KEYS = frozenset({"pattern", "format", "items", "default", "discriminator"})
# JSON Schema 2020-12 keywords beyond OpenAPI 3.0's (`not` is in both).
_APPLICATOR_KEYS = frozenset(
    {
        "contains", "minContains", "maxContains", "contentEncoding", "contentMediaType",
        "contentSchema", "dependentRequired", "dependentSchemas", "if", "then", "else",
        "patternProperties", "prefixItems", "propertyNames", "unevaluatedItems",
        "unevaluatedProperties", "not",
    }
)  # fmt: skip
_KEYWORDS = (
    _TYPE_KEYS | _ENUM_KEYS | _NUMERIC_KEYS | _COUNT_KEYS | _OBJECT_KEYS | _FLAG_KEYS | _OTHER_KEYS
) | _APPLICATOR_KEYS
# Keywords that change nothing on the wire, or that normalize has already followed.
_IGNORED = frozenset(
    {
        "title", "description", "example", "examples", "externalDocs", "xml", "$comment",
        "$id", "$schema", "$anchor", "$dynamicAnchor", "$defs", "definitions", "$vocabulary",
        "$ref", "allOf", "oneOf", "anyOf",
    }
)  # fmt: skip
# Subschemas that several allOf parts may each hold and that all apply to one place.
_CONJOINED = ("propertyNames", "contentSchema", "unevaluatedProperties", "unevaluatedItems")
# Subschemas that each stand alone: two `contains` need two items, not one matching both.
_CLAUSES = (("contains",), ("not",), ("if", "then", "else"))
# Patterns that match every string: writing one restricts nothing.
_TRIVIAL_PATTERNS = frozenset({"", ".*", "^.*$", "^.*", ".*$"})
# 3.0 discriminator mappings may name a schema instead of referring to it.
_COMPONENT = "#/components/schemas/"


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
        self.subschemas: dict[str, list[Src]] = {}
        self.contains_counts: tuple[int, int | None] | None = None
        self.dependent_required: set[tuple[str, str]] = set()
        self.content: dict[str, str] = {}
        self.unknown: dict[str, set[str]] = {}
        self.default: str | None = None
        self.extensible = False
        self.discriminator: Discriminator | None = None

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
        pattern = text(node, "pattern") if "pattern" in present else None
        if pattern is not None and pattern not in _TRIVIAL_PATTERNS:
            self.patterns.add(pattern)
        if "format" in present:
            self.format = self.format or text(node, "format")
        if "items" in present and isinstance(items := node["items"], Mapping):
            self.items.append(Src(items, pointer + "/items"))
        elif "items" in present:
            self._sub("items", node["items"], pointer + "/items")  # 2020-12: a closed tuple
        if not present.isdisjoint(_FLAG_KEYS):
            self.unique_items = self.unique_items or flag(node, "uniqueItems")
            self.read_only = self.read_only or flag(node, "readOnly")
            self.write_only = self.write_only or flag(node, "writeOnly")
            self.deprecated = self.deprecated or flag(node, "deprecated")
        if not present.isdisjoint(_APPLICATOR_KEYS):
            self._add_applicators(node, pointer)
        if "default" in present and self.default is None:
            self.default = enum_text(node["default"])
        if "discriminator" in present and self.discriminator is None:
            self.discriminator = _discriminator(child(node, "discriminator"), pointer)
        if len(present) < len(node):
            for key in node:
                if key not in _KEYWORDS and key not in _IGNORED and not key.startswith("x-"):
                    self.unknown.setdefault(key, set()).add(enum_text(node[key]))

    def _add_applicators(self, node: Node, pointer: str) -> None:
        for key in _CONJOINED:
            self._sub(key, node.get(key), join(pointer, key))
        for clause in _CLAUSES:
            if clause[0] not in node:
                continue
            seen = sum(1 for key in self.subschemas if key.partition("#")[0] == clause[0])
            suffix = f"#{seen + 1}" if seen else ""
            for key in clause:
                self._sub(key + suffix, node.get(key), join(pointer, key))
            if clause[0] == "contains" and self.contains_counts is None:
                low, high = number(node, "minContains"), number(node, "maxContains")
                self.contains_counts = (1 if low is None else int(low), _int(high))
        for key in ("patternProperties", "dependentSchemas"):
            for name, sub in child(node, key).items():
                self._sub(f"{key}/{name}", sub, join(pointer, key, name))
        prefix = node.get("prefixItems")
        for i, sub in enumerate(prefix if isinstance(prefix, list) else []):
            self._sub(f"prefixItems/{i}", sub, join(pointer, "prefixItems", i))
        for name, deps in child(node, "dependentRequired").items():
            if isinstance(deps, list):
                self.dependent_required.update((name, d) for d in deps if isinstance(d, str))
        for key in ("contentEncoding", "contentMediaType"):
            if (value := text(node, key)) is not None:
                self.content.setdefault(key, value)

    def _sub(self, key: str, value: object, pointer: str) -> None:
        """One subschema under `key`; `true` constrains nothing, `false` everything."""
        if value is False:
            self.subschemas.setdefault(key, []).append(Src(FALSE, pointer))
        elif isinstance(value, Mapping):
            self.subschemas.setdefault(key, []).append(Src(value, pointer))

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
        # `x-extensible-enum`: true beside an enum, or the list of values itself (Zalando's).
        open_values = node.get("x-extensible-enum")
        self.extensible = self.extensible or open_values is True or isinstance(open_values, list)
        values = node.get("enum")
        if isinstance(values, list):
            listed = values
        elif "const" in node:
            listed = [node["const"]]
        elif isinstance(open_values, list):
            listed = open_values
        else:
            return
        # null is tracked as a type, so 3.0 `nullable` and 3.1 `enum: [.., null]` agree.
        found = frozenset(enum_text(v) for v in listed if v is not None)
        self.enum = found if self.enum is None else self.enum & found

    def build(self, pointer: str, one_of: tuple[tuple[str, int], ...] = ()) -> Schema:
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
            subschemas=MappingProxyType({k: tuple(v) for k, v in self.subschemas.items()}),
            min_contains=(self.contains_counts or (1, None))[0],
            max_contains=(self.contains_counts or (1, None))[1],
            dependent_required=frozenset(self.dependent_required),
            content_encoding=self.content.get("contentEncoding"),
            content_media_type=self.content.get("contentMediaType"),
            unknown=MappingProxyType({k: frozenset(v) for k, v in self.unknown.items()}),
            default=self.default,
            extensible=self.extensible,
            discriminator=self.discriminator,
            one_of=one_of,
        )


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _discriminator(node: Node, pointer: str) -> Discriminator:
    mapping: dict[str, str] = {}
    for value, target in child(node, "mapping").items():
        if isinstance(target, str):
            mapping[value] = target if "/" in target else _COMPONENT + target
    at = join(pointer, "discriminator")
    return Discriminator(at, text(node, "propertyName"), MappingProxyType(mapping))


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
