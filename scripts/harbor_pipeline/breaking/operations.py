"""The operations of a contract, keyed so that the same operation matches across versions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from harbor_pipeline.breaking.model import Src
from harbor_pipeline.breaking.nodes import EMPTY, Node, as_node, child, children, join, text
from harbor_pipeline.breaking.resolve import Resolver
from harbor_pipeline.breaking.stability import level_of

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PLACEHOLDER = re.compile(r"\{([^}/]*)\}")
# A path parameter in a label; `{$request.body#/url}` is a callback's runtime expression.
_LABEL_PLACEHOLDER = re.compile(r"\{[^}$/][^}/]*\}|\{\}")
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
    """An operation under `paths`, or one Harbor calls: a webhook (then `path` is its name) or
    a callback (then `path` is its URL expression and `owner` names it and its operation).
    """

    method: str
    path: str
    node: Node
    pointer: str
    params: Mapping[tuple[str, str], Param]
    webhook: bool = False
    level: str = "stable"
    owner: str = ""

    @property
    def outgoing(self) -> bool:
        """True when Harbor sends the request and the partner answers it."""
        return self.webhook or bool(self.owner)

    @property
    def label(self) -> str:
        if self.owner:
            return f"CALLBACK {self.method.upper()} {self.path} ({self.owner})"
        return f"{'WEBHOOK ' if self.webhook else ''}{self.method.upper()} {self.path}"


def key_of(label: str) -> str:
    """An operation's label as the gate matches it: path parameter names left out."""
    return _LABEL_PLACEHOLDER.sub("{}", label)


def operations(resolver: Resolver) -> dict[tuple[str, str], Operation]:
    """Operations keyed by method and path template, path parameter names left out.

    Each operation's callbacks follow it; webhooks (OpenAPI 3.1) come last, keyed by name.
    """
    out: dict[tuple[str, str], Operation] = {}
    for path in child(resolver.root, "paths"):
        raw = as_node(child(resolver.root, "paths").get(path)) or EMPTY
        item, item_at = resolver.deref(raw, join("#", "paths", path))
        template = _PLACEHOLDER.sub("{}", path)
        for method in METHODS:
            op = as_node(item.get(method))
            if op is None or (method, template) in out:
                continue
            at = join(item_at, method)
            params = _params(resolver, item, item_at, path)
            params.update(_params(resolver, op, at, path))
            level = level_of(op, at, resolver.source)
            found = Operation(method, path, op, at, params, level=level)
            out[(method, template)] = found
            out.update(_callbacks(resolver, found))
    for name in child(resolver.root, "webhooks"):
        raw = as_node(child(resolver.root, "webhooks").get(name)) or EMPTY
        item, item_at = resolver.deref(raw, join("#", "webhooks", name))
        for method in METHODS:
            op = as_node(item.get(method))
            if op is not None:
                at = join(item_at, method)
                level = level_of(op, at, resolver.source)
                out[(method, f"webhook {name}")] = Operation(method, name, op, at, {}, True, level)
    return out


def _callbacks(resolver: Resolver, owner: Operation) -> dict[tuple[str, str], Operation]:
    """An operation's callbacks, keyed by its key, the callback's expression and method: the
    name is the spec's alone (the receiver sees the URL and the method), so renaming one is no
    change; two callbacks with the same expression and method are told apart by name.

    A callback without a level of its own is as stable as the operation that registers it.
    """
    out: dict[tuple[str, str], Operation] = {}
    callbacks = child(owner.node, "callbacks")
    for name in callbacks:
        raw = as_node(callbacks.get(name)) or EMPTY
        callback, callback_at = resolver.deref(raw, join(owner.pointer, "callbacks", name))
        for expression in callback:
            if expression.startswith("x-") or (found := as_node(callback.get(expression))) is None:
                continue
            item, item_at = resolver.deref(found, join(callback_at, expression))
            for method in METHODS:
                op = as_node(item.get(method))
                if op is None:
                    continue
                at = join(item_at, method)
                level = level_of(op, at, resolver.source, owner.level)
                label = f"{name} of {owner.label}"
                key = (method, f"callback {key_of(owner.label)} {expression}")
                if key in out:
                    key = (method, f"{key[1]} ({name})")
                out[key] = Operation(method, expression, op, at, {}, level=level, owner=label)
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
