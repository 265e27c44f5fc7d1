"""The operations of a contract, keyed so that the same operation matches across versions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from scripts.breaking.model import Src
from scripts.breaking.nodes import EMPTY, Node, as_node, child, children, join, text
from scripts.breaking.resolve import Resolver

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PLACEHOLDER = re.compile(r"\{([^}/]*)\}")
# Header parameters the spec says to ignore: they are set by content negotiation and auth.
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    node: Node
    pointer: str
    schema: tuple[Src, ...]


@dataclass(frozen=True, slots=True)
class Operation:
    """An operation under `paths`, or one a webhook receives (then `path` is its name)."""

    method: str
    path: str
    node: Node
    pointer: str
    params: Mapping[tuple[str, str], Param]
    webhook: bool = False

    @property
    def label(self) -> str:
        return f"{'WEBHOOK ' if self.webhook else ''}{self.method.upper()} {self.path}"


def operations(resolver: Resolver) -> dict[tuple[str, str], Operation]:
    """Operations keyed by method and path template, path parameter names left out.

    Webhooks (OpenAPI 3.1) follow, keyed by their name.
    """
    out: dict[tuple[str, str], Operation] = {}
    for path in child(resolver.root, "paths"):
        raw = as_node(child(resolver.root, "paths").get(path)) or EMPTY
        item, item_at = resolver.deref(raw, join("#", "paths", path))
        template = _PLACEHOLDER.sub("{}", path)
        for method in METHODS:
            op = as_node(item.get(method))
            if op is None:
                continue
            at = join(item_at, method)
            params = _params(resolver, item, item_at, path)
            params.update(_params(resolver, op, at, path))
            out.setdefault((method, template), Operation(method, path, op, at, params))
    for name in child(resolver.root, "webhooks"):
        raw = as_node(child(resolver.root, "webhooks").get(name)) or EMPTY
        item, item_at = resolver.deref(raw, join("#", "webhooks", name))
        for method in METHODS:
            op = as_node(item.get(method))
            if op is not None:
                out[(method, f"webhook {name}")] = Operation(
                    method, name, op, join(item_at, method), {}, True
                )
    return out


def _params(resolver: Resolver, owner: Node, at: str, path: str) -> dict[tuple[str, str], Param]:
    """Parameters keyed by location and name; path ones by their position in the template."""
    placeholders = _PLACEHOLDER.findall(path)
    out: dict[tuple[str, str], Param] = {}
    for i, raw in enumerate(children(owner, "parameters")):
        node, pointer = resolver.deref(raw, join(at, "parameters", i))
        name, where = text(node, "name") or "", text(node, "in") or ""
        if where == "header":
            if name.lower() in _IGNORED_HEADERS:
                continue
            key = name.lower()
        elif where == "path" and name in placeholders:
            key = str(placeholders.index(name))
        else:
            key = name
        out[(where, key)] = Param(name, node, pointer, schema_of(node, pointer))
    return out


def schema_of(node: Node, pointer: str) -> tuple[Src, ...]:
    """A parameter's or header's schema, given directly or through `content`."""
    schema = as_node(node.get("schema"))
    if schema is not None:
        return (Src(schema, join(pointer, "schema")),)
    for media in child(node, "content"):
        found = as_node(child(child(node, "content"), media).get("schema"))
        if found is not None:
            return (Src(found, join(pointer, "content", media, "schema")),)
    return ()
