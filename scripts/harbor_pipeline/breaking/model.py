"""Schemas as comparable values: what one schema object accepts, one level deep."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from harbor_pipeline.breaking.nodes import Node


@dataclass(frozen=True, slots=True)
class Src:
    """One raw schema object and its canonical JSON pointer."""

    node: Node
    pointer: str


@dataclass(frozen=True, slots=True)
class Bound:
    value: float
    exclusive: bool


_NO_PROPS: Mapping[str, tuple[Src, ...]] = MappingProxyType({})
_NO_VALUES: Mapping[str, frozenset[str]] = MappingProxyType({})
# The JSON Schema `false`: nothing matches it. Compared by identity.
FALSE: Node = MappingProxyType({"not": {}})


@dataclass(frozen=True, slots=True)
class Discriminator:
    """A discriminator: the property that names the alternative, and its value -> `$ref` mapping."""

    pointer: str
    property: str | None
    mapping: Mapping[str, str]


@dataclass(frozen=True, slots=True, eq=False)
class Schema:
    """What one schema accepts, one level deep; subschemas stay raw until they are compared.

    `types` None means any type; "null" is one of the types. `variants` is set
    for a union (`oneOf`/`anyOf`, with `allOf` distributed over it) and then the
    other fields are unused. Identity matters: comparisons are memoised on it.
    """

    pointer: str
    types: frozenset[str] | None = None
    enum: frozenset[str] | None = None
    minimum: Bound | None = None
    maximum: Bound | None = None
    multiple_of: float | None = None
    min_length: int = 0
    max_length: int | None = None
    patterns: frozenset[str] = frozenset()
    format: str | None = None
    min_items: int = 0
    max_items: int | None = None
    unique_items: bool = False
    min_properties: int = 0
    max_properties: int | None = None
    properties: Mapping[str, tuple[Src, ...]] = field(default_factory=lambda: _NO_PROPS)
    required: frozenset[str] = frozenset()
    additional: tuple[Src, ...] | bool = True
    items: tuple[Src, ...] | None = None
    variants: tuple[Schema, ...] = ()
    # The 2020-12 applicators, each a conjunction of sources keyed by where it sits
    # relative to the schema (`contains`, `prefixItems/0`, `patternProperties/^x-`);
    # `if` is kept here too but never compared as a pair (see applicators).
    subschemas: Mapping[str, tuple[Src, ...]] = field(default_factory=lambda: _NO_PROPS)
    min_contains: int = 1
    max_contains: int | None = None
    dependent_required: frozenset[tuple[str, str]] = frozenset()
    content_encoding: str | None = None
    content_media_type: str | None = None
    # Keywords the gate does not understand: keyword -> the canonical JSON of each value.
    unknown: Mapping[str, frozenset[str]] = field(default_factory=lambda: _NO_VALUES)
    default: str | None = None
    extensible: bool = False
    discriminator: Discriminator | None = None
    # The `oneOf`s this alternative sits in, each with its place: (pointer, index).
    one_of: tuple[tuple[str, int], ...] = ()
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False


ANY = Schema("")


def exclusive(a: Schema, b: Schema) -> bool:
    """True when `a` and `b` are different alternatives of one `oneOf`: no value may fit both."""
    places = dict(a.one_of)
    return any(group in places and places[group] != i for group, i in b.one_of)


def enum_text(value: object) -> str:
    """The canonical JSON text of an enum value, so 1, "1" and true stay distinct."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
