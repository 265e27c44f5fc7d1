"""Query, header, path and cookie parameters as the strings they accept on the wire.

A parameter given by `schema` arrives as text: `?x=5` is as much a string as an
integer, and one value is a one-item array. So a plain string accepts every
integer, number and boolean, and a scalar that became an array (of one item or
more) still accepts the single value it did. Parameters given by `content` are
JSON and are compared as bodies.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from harbor_pipeline.breaking.model import Schema

if TYPE_CHECKING:
    from harbor_pipeline.breaking.schemas import SchemaComparer

# What a string without constraints accepts besides strings, written out.
_AS_TEXT = frozenset({"integer", "number", "boolean"})
_SCALARS = frozenset({"string", "integer", "number", "boolean", "null"})


def wire_pair(comparer: SchemaComparer, base: Schema, rev: Schema) -> tuple[Schema, Schema]:
    """`base` and `rev` as the sets of strings they accept; the single value is kept."""
    base, rev = _off_the_wire(comparer, base), _off_the_wire(comparer, rev)
    if _scalar(base) and _takes_one(rev) and rev.items is not None:
        rev = _off_the_wire(comparer, comparer.rev.schema(rev.items))  # `?x=5` is `["5"]`
    return _as_text(comparer, base, rev), _as_text(comparer, rev, base)


def _off_the_wire(comparer: SchemaComparer, schema: Schema) -> Schema:
    """`schema` without JSON null: text has no null of its own (an absent parameter is not
    sent, `?x=` is the empty string), so allowing it or not changes nothing on the wire."""
    types = schema.types
    if schema.variants or types is None or "null" not in types or types == {"null"}:
        return schema
    return comparer.derived(schema, lambda s: replace(s, types=types - {"null"}), "off the wire")


def _scalar(schema: Schema) -> bool:
    return not schema.variants and schema.types is not None and schema.types <= _SCALARS


def _takes_one(schema: Schema) -> bool:
    return not schema.variants and schema.types == frozenset({"array"}) and schema.min_items <= 1


def _as_text(comparer: SchemaComparer, schema: Schema, other: Schema) -> Schema:
    """A free string also takes the integers, numbers and booleans `other` allows, written out.

    Only those: the types are then equal where the wire is, and no wider than the
    other side needs, so a free string against a stricter one stays a format change.
    """
    types = schema.types
    if schema.variants or types is None or "string" not in types or not _free(schema):
        return schema
    extra = (other.types or frozenset()) & _AS_TEXT
    if extra <= types:
        return schema
    purpose = "as text " + " ".join(sorted(extra))
    return comparer.derived(schema, lambda s: replace(s, types=types | extra), purpose)


def _free(schema: Schema) -> bool:
    return (
        schema.enum is None
        and not schema.patterns
        and schema.format is None
        and schema.max_length is None
        and schema.min_length <= 1
    )
