"""Every local `$ref` of a spec must lead somewhere, and a schema's `$ref` to a schema.

The OpenAPI validator either skips a reference it cannot follow or crashes on it, and the
model generator then types the body `Any`: a dangling `$ref` would pass silently. So the refs
are checked first, each fault located at the `$ref` that has it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from harbor_pipeline.bundle.model import SCHEMA_LIST as _LIST
from harbor_pipeline.bundle.model import SCHEMA_MAP as _MAP
from harbor_pipeline.bundle.model import SCHEMA_ONE as _ONE
from harbor_pipeline.bundle.model import is_data

from .problems import pointer as make_pointer

Fault = tuple[str, str, str]  # (pointer of the $ref, message, rule)


def ref_faults(data: dict[str, Any]) -> list[Fault]:
    """Each local `$ref` that does not resolve, a schema's `$ref` to something that is not a
    schema, and each chain of `$ref`s that only leads back to itself."""
    schemas = set(_schema_pointers(data))
    faults: list[Fault] = []
    for where, ref, in_schema in _refs(data, (), in_schema=False, schemas=schemas):
        if not ref.startswith("#"):
            continue  # an external document: not ours to follow
        target = _target(data, ref)
        if target is _MISSING:
            faults.append(
                (where, f"$ref {ref!r} does not resolve: nothing is there", "ref-dangling")
            )
            continue
        chain = _chain_end(data, ref)
        if chain is None:
            faults.append(
                (
                    where,
                    f"$ref {ref!r} leads into a cycle of $refs that never reaches a definition",
                    "ref-cycle",
                )
            )
            continue
        if (
            in_schema
            and unquote(chain) not in schemas
            and not isinstance(_target(data, chain), bool)
        ):
            faults.append(
                (
                    where,
                    f"$ref {ref!r} is used as a schema but points at {chain!r}, which is not a schema",
                    "ref-not-schema",
                )
            )
    return faults + _inheritance_cycles(data)


def _inheritance_cycles(data: dict[str, Any]) -> list[Fault]:
    """Components whose `allOf` refers back to themselves: each would be its own base class.

    One fault per cycle, at the `$ref` in its first member (by name) that starts it.
    """
    schemas = (data.get("components") or {}).get("schemas") or {}
    bases: dict[str, list[tuple[int, str]]] = {}
    for name, schema in schemas.items():
        parts = schema.get("allOf") if isinstance(schema, dict) else None
        for index, part in enumerate(parts if isinstance(parts, list) else []):
            ref = part.get("$ref") if isinstance(part, dict) else None
            if isinstance(ref, str) and ref.startswith(_SCHEMA_REF):
                bases.setdefault(name, []).append((index, unquote(ref[len(_SCHEMA_REF) :])))
    faults: list[Fault] = []
    reported: set[frozenset[str]] = set()
    for start in sorted(bases):
        for index, base in bases[start]:
            path = _path_back(base, start, bases, [start])
            if path is None or frozenset(path) in reported:
                continue
            reported.add(frozenset(path))
            where = make_pointer("components", "schemas", start, "allOf", index, "$ref")
            chain = " -> ".join([*path, start])
            message = f"allOf makes {start!r} inherit from itself ({chain}); break the cycle, e.g. with a $ref in a property"
            faults.append((where, message, "allof-cycle"))
    return faults


def _path_back(
    node: str, goal: str, bases: dict[str, list[tuple[int, str]]], path: list[str]
) -> list[str] | None:
    """The names from `path` through `node` back to `goal` along allOf bases, or None."""
    if node == goal:
        return path
    if node in path:
        return None
    for _, base in bases.get(node, []):
        found = _path_back(base, goal, bases, [*path, node])
        if found is not None:
            return found
    return None


_SCHEMA_REF = "#/components/schemas/"
_MISSING = object()


def _target(data: Any, ref: str) -> Any:
    from .load import resolve

    try:
        return resolve(data, ref)
    except (KeyError, IndexError, ValueError, TypeError):
        return _MISSING


def _chain_end(data: Any, ref: str) -> str | None:
    """The `#/pointer` a chain of `$ref`-only objects ends at, or None when it loops."""
    seen = {ref}
    while True:
        node = _target(data, ref)
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return ref
        ref = node["$ref"]
        if not ref.startswith("#"):
            return ref
        if ref in seen:
            return None
        seen.add(ref)


def _refs(
    node: Any, path: tuple[str | int, ...], *, in_schema: bool, schemas: set[str]
) -> Iterator[tuple[str, str, bool]]:
    if isinstance(node, dict):
        here = _fragment(path)
        in_schema = in_schema or here in schemas
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield make_pointer(*path, "$ref"), ref, here in schemas
        for key, value in node.items():
            if key == "$ref" or is_data(path, key):
                continue
            yield from _refs(value, (*path, key), in_schema=in_schema, schemas=schemas)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _refs(item, (*path, index), in_schema=in_schema, schemas=schemas)


def _fragment(path: tuple[str | int, ...]) -> str:
    return "#" + make_pointer(*path)


def _schema_pointers(data: dict[str, Any]) -> Iterator[str]:
    """The `#/pointer` of every Schema Object the document holds where OpenAPI expects one."""
    components = data.get("components")
    if isinstance(components, dict) and isinstance(components.get("schemas"), dict):
        for name, schema in components["schemas"].items():
            yield from _schema_tree(schema, ("components", "schemas", name))
    yield from _schema_slots(data, ())


def _schema_slots(node: Any, path: tuple[str | int, ...]) -> Iterator[str]:
    """Schemas outside components/schemas: the value of every `schema` key (parameters,
    headers, media types), wherever they sit."""
    if isinstance(node, dict):
        for key, value in node.items():
            if path[:2] == ("components", "schemas"):
                return
            if key == "schema" and isinstance(value, dict | bool):
                yield from _schema_tree(value, (*path, key))
            else:
                yield from _schema_slots(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _schema_slots(item, (*path, index))


def _schema_tree(schema: Any, path: tuple[str | int, ...]) -> Iterator[str]:
    if not isinstance(schema, dict):
        return
    yield _fragment(path)
    for key in _ONE:
        if key in schema:
            value = schema[key]
            if isinstance(value, list):  # `items` as a list (OpenAPI 3.0's JSON Schema draft)
                for index, item in enumerate(value):
                    yield from _schema_tree(item, (*path, key, index))
            else:
                yield from _schema_tree(value, (*path, key))
    for key in _LIST:
        if isinstance(schema.get(key), list):
            for index, item in enumerate(schema[key]):
                yield from _schema_tree(item, (*path, key, index))
    for key in _MAP:
        if isinstance(schema.get(key), dict):
            for name, item in schema[key].items():
                yield from _schema_tree(item, (*path, key, name))
