"""Typed access to parsed JSON/YAML values, so `Any` stays out of the comparison code."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

Node = Mapping[str, object]
EMPTY: Node = MappingProxyType({})


class SpecError(Exception):
    """A document that cannot be read or compared: `source: where: what`."""

    def __init__(self, source: str, where: str, what: str) -> None:
        super().__init__(f"{source}: {where}: {what}")
        self.source = source
        self.where = where
        self.what = what


def as_node(value: object) -> Node | None:
    """The value as a mapping, or None when it is anything else."""
    return value if isinstance(value, Mapping) else None


def child(node: Node, key: str) -> Node:
    """The mapping under `key`, empty when it is absent or not a mapping."""
    value = node.get(key)
    return value if isinstance(value, Mapping) else EMPTY


def children(node: Node, key: str) -> list[Node]:
    """The mappings in the list under `key`; other entries are skipped."""
    value = node.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def text(node: Node, key: str) -> str | None:
    value = node.get(key)
    return value if isinstance(value, str) else None


def flag(node: Node, key: str) -> bool:
    return node.get(key) is True


def number(node: Node, key: str) -> float | None:
    value = node.get(key)
    # bool is an int subclass; `exclusiveMinimum: true` is not a bound.
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def escape(token: str) -> str:
    """One JSON-pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def join(pointer: str, *tokens: str | int) -> str:
    """`pointer` extended by `tokens`, each escaped."""
    return pointer + "".join("/" + escape(str(token)) for token in tokens)
