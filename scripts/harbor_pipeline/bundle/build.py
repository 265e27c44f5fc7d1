"""Bundle a multi-file spec into one document, each `$ref` read relative to the file holding it.

Schemas from other files are hoisted into `components/schemas` (a schema may be recursive, and
the model generator names a class after its component); anything else (a path item, a
response, a parameter) is copied in where it is used. Names are chosen after every target is
known, so they do not depend on the order the files are met in: a schema keeps its own name
(`Error` from `common.yaml#/components/schemas/Error`, `animal` from `animal.yaml`) unless
the root file or another file has it too; then it is qualified by its file's path
(`schemas_common_Error`). A root component that is only a `$ref` to another file takes that
file's content under its own name.

Why not a library: those we know (prance, jsonref) inline every schema, which loops on a
recursive one and loses the names, and none says which file a node came from, which every
located error needs.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from .model import (
    SCHEMA_LIST,
    SCHEMA_MAP,
    SCHEMA_ONE,
    Bundle,
    BundleError,
    JSONObject,
    Origin,
    Source,
    Target,
    Tokens,
    is_data,
    to_pointer,
    to_tokens,
)

Reader = Callable[[str], str]  # location -> text; raises OSError
Parser = Callable[[str, str], JSONObject]  # (location, text) -> the document; raises its own errors

_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # a URI scheme (not a Windows drive: `C:`)
_TEMPLATE = re.compile(r"\{\{|\}\}|\{%|%\}|\$\{")  # Jinja, Mustache, Helm, shell
_SCHEMAS: Tokens = ("components", "schemas")
_NOT_IN_NAMES = re.compile(r"[^A-Za-z0-9._-]")  # what OpenAPI allows in a component's name
_MISSING = object()


def bundle(root: Source, read: Reader, parse: Parser) -> Bundle:
    """`root` with every file it refers to pulled in; BundleError for a ref that cannot be."""
    discovery = _Builder(root, read, parse, names=None)
    discovery.build()
    if not discovery.external:
        return Bundle(data=root.data, sources=(root,))
    names = _names(discovery.targets, discovery.aliases, root)
    final = _Builder(root, read, parse, names=names)
    final.sources, final.aliases = discovery.sources, discovery.aliases  # read files once
    data = final.build()
    files = (root, *sorted(discovery.sources.values(), key=lambda s: s.location))
    unique = tuple({s.location: s for s in files}.values())
    return Bundle(data=data, sources=unique, origins=tuple(final.origins))


class _Builder:
    """One pass over the spec. Without `names` it only discovers what is referred to.

    Each node is walked with its `source`, its `path` in that file and `at`, its place in the
    bundle; they differ once a `$ref` to another file has been followed.
    """

    def __init__(
        self, root: Source, read: Reader, parse: Parser, names: dict[Target, Tokens] | None
    ) -> None:
        self.root, self.read, self.parse, self.names = root, read, parse, names
        self.sources: dict[str, Source] = {}
        self.targets: dict[Target, None] = {}  # an ordered set
        self.aliases: dict[Target, list[str]] = {}
        self.origins: list[Origin] = []
        self.external = False
        self._inlining: list[Target] = []

    def build(self) -> JSONObject:
        data: JSONObject = self.node(self.root.data, self.root, (), (), schema=False)
        if self.names is None:
            done = 0
            while done < len(self.targets):  # hoisting a schema can find more
                location, tokens = list(self.targets)[done]
                source = self.sources[location]
                self.node(_at(source.data, tokens), source, tokens, (), schema=True)
                done += 1
            return data
        hoisted: JSONObject = {}
        for target, at in sorted(self.names.items(), key=lambda item: item[1]):
            if len(at) != 3 or at[2] in self.aliases.get(target, ()):
                continue  # inside another hoisted schema, or already in place as an alias
            source = self.sources[target[0]]
            self.origins.append(Origin(at, source, target[1]))
            node = _at(source.data, target[1])
            hoisted[at[2]] = self.node(node, source, target[1], at, schema=True)
        if hoisted:
            components = dict(data.get("components") or {})
            components["schemas"] = {**(components.get("schemas") or {}), **hoisted}
            data["components"] = components
        return data

    def node(self, node: Any, source: Source, path: Tokens, at: Tokens, *, schema: bool) -> Any:
        if isinstance(node, list):
            return [
                self.node(item, source, (*path, str(i)), (*at, str(i)), schema=schema)
                for i, item in enumerate(node)
            ]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            return self.ref(node, source, path, at, schema=schema)
        out: JSONObject = {}
        for key, value in node.items():
            here, there = (*path, str(key)), (*at, str(key))
            if schema:
                if key in SCHEMA_ONE or key in SCHEMA_LIST:
                    out[key] = self.node(value, source, here, there, schema=True)
                elif key in SCHEMA_MAP and isinstance(value, dict):
                    out[key] = {
                        k: self.node(v, source, (*here, str(k)), (*there, str(k)), schema=True)
                        for k, v in value.items()
                    }
                elif key == "discriminator" and isinstance(value, dict):
                    out[key] = self.discriminator(value, source, here, there)
                else:
                    out[key] = value  # data (default, enum, examples ...) or a plain keyword
            elif is_data(path, str(key)):
                out[key] = value
            else:
                into_schema = key == "schema" or path == _SCHEMAS
                out[key] = self.node(value, source, here, there, schema=into_schema)
        return out

    def ref(
        self, node: JSONObject, source: Source, path: Tokens, at: Tokens, *, schema: bool
    ) -> Any:
        ref: str = node["$ref"]
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        rest = self.node(siblings, source, path, at, schema=schema)
        target = self.target(ref, source, (*path, "$ref"))
        if target is None:  # inside the root file: the bundle keeps it as it is
            return {k: ref if k == "$ref" else rest[k] for k in node}
        if target[0] == self.root.location:
            return {"$ref": "#" + to_pointer(target[1]), **rest}
        self.external = True
        if not schema:
            inlined = self.inline(target, at, schema=False)
            # OpenAPI 3.1 lets a reference override the summary and description of its target.
            return {**inlined, **rest} if isinstance(inlined, dict) else inlined
        if self.names is None:
            self.targets.setdefault(target)
            if path[:2] == _SCHEMAS and len(path) == 3 and source is self.root and not siblings:
                self.aliases.setdefault(target, []).append(path[2])
            return {"$ref": "#", **rest}
        if self.names[target] == at and source is self.root:
            return self.inline(target, at, schema=True)  # an alias: the content in its place
        return {"$ref": "#" + to_pointer(self.names[target]), **rest}

    def inline(self, target: Target, at: Tokens, *, schema: bool) -> Any:
        location, tokens = target
        source = self.sources[location]
        if target in self._inlining:
            message = f"{location}#{to_pointer(tokens)} refers back to itself through $refs to other files"
            raise BundleError(source, tokens, message, "ref-cycle")
        self._inlining.append(target)
        if self.names is not None:
            self.origins.append(Origin(at, source, tokens))
        try:
            return self.node(_at(source.data, tokens), source, tokens, at, schema=schema)
        finally:
            self._inlining.pop()

    def target(self, ref: str, source: Source, where: Tokens) -> Target | None:
        """What `ref` (met at `where` in `source`) leads to; None for a ref inside the root."""
        if _TEMPLATE.search(ref):
            message = f"$ref {ref!r} holds a template placeholder; render the template first and use its output as the spec"
            raise BundleError(source, where, message, "ref-template")
        file, _, fragment = ref.partition("#")
        if _REMOTE.match(file):
            message = f"$ref {ref!r} is remote, and specs are read without network access: save the file next to the spec and refer to it by a relative path"
            raise BundleError(source, where, message, "ref-remote")
        if not file and source is self.root:
            return None
        fragment = unquote(fragment)
        if fragment and not fragment.startswith("/"):
            message = (
                f"$ref {ref!r}: only JSON-pointer fragments (`#/...`) can refer into another file"
            )
            raise BundleError(source, where, message, "ref-fragment")
        location = _join(source.location, unquote(file)) if file else source.location
        if location == _join(self.root.location, posixpath.basename(_path(self.root.location))):
            location = self.root.location  # the root file, named another way (`./spec.yaml`)
        target_source = self.load(location, source, where, ref)
        tokens = to_tokens(fragment)
        if _at(target_source.data, tokens) is _MISSING:
            message = f"$ref {ref!r} does not resolve: {location} has nothing at #{fragment}"
            raise BundleError(source, where, message, "ref-dangling")
        return location, tokens

    def load(self, location: str, by: Source, where: Tokens, ref: str) -> Source:
        if location == self.root.location:
            return self.root
        if location not in self.sources:
            try:
                text = self.read(location)
            except OSError as error:
                reason = "no such file" if isinstance(error, FileNotFoundError) else str(error)
                message = f"$ref {ref!r}: cannot read {location} ({reason}; a path is relative to the file holding the $ref)"
                raise BundleError(by, where, message, "ref-file") from None
            self.sources[location] = Source(location, text, self.parse(location, text))
        return self.sources[location]

    def discriminator(
        self, value: JSONObject, source: Source, path: Tokens, at: Tokens
    ) -> JSONObject:
        """A mapping's values may name a schema in another file (`dog.yaml`): rewrite those."""
        mapping = value.get("mapping")
        if not isinstance(mapping, dict):
            return value
        out = {}
        for key, ref in mapping.items():
            if isinstance(ref, str) and ("#" in ref or ref.endswith((".yaml", ".yml", ".json"))):
                here, there = (*path, "mapping", key), (*at, "mapping", key)
                ref = self.ref({"$ref": ref}, source, here, there, schema=True)["$ref"]
            out[key] = ref
        return {**value, "mapping": out}


def _names(targets: dict[Target, None], aliases: dict[Target, list[str]], root: Source) -> dict[
    Target, Tokens]:  # fmt: skip
    """The bundle pointer of every target: its own component, or a place inside another's."""
    top = [t for t in targets if not any(_inside(t, other) for other in targets)]
    schemas = (root.data.get("components") or {}).get("schemas") or {}
    assigned = {t: min(aliases[t]) for t in top if t in aliases}
    taken = set(schemas) | set(assigned.values())
    pending = sorted(t for t in top if t not in assigned)
    bases = [_base(t) for t in pending]
    for target, base in zip(pending, bases, strict=True):
        name = base if bases.count(base) == 1 and base not in taken else _qualified(target, root)
        unique, n = name, 2
        while unique in taken:
            unique, n = f"{name}{n}", n + 1
        assigned[target] = unique
        taken.add(unique)
    names: dict[Target, Tokens] = {t: (*_SCHEMAS, assigned[t]) for t in top}
    for target in targets:
        if target not in names:
            parent = max((t for t in top if _inside(target, t)), key=lambda t: len(t[1]))
            names[target] = names[parent] + target[1][len(parent[1]) :]
    return names


def _inside(target: Target, other: Target) -> bool:
    """Whether `target` is a proper part of `other` (the same file, under its pointer)."""
    return (
        target[0] == other[0]
        and len(target[1]) > len(other[1])
        and target[1][: len(other[1])] == other[1]
    )


def _base(target: Target) -> str:
    location, tokens = target
    return _NOT_IN_NAMES.sub("_", tokens[-1] if tokens else _stem(location))


def _qualified(target: Target, root: Source) -> str:
    relative = posixpath.relpath(_path(target[0]), posixpath.dirname(_path(root.location)) or ".")
    parts = [p for p in posixpath.splitext(relative)[0].split("/") if p not in ("", ".", "..")]
    return _NOT_IN_NAMES.sub("_", "_".join([*parts, *(target[1][-1:])]))


def _stem(location: str) -> str:
    return posixpath.splitext(posixpath.basename(_path(location)))[0]


def _path(location: str) -> str:
    """The path part of a location (`git:REF:PATH` names a file in a git revision)."""
    return location.split(":", 2)[2] if location.startswith("git:") else location


def _join(location: str, relative: str) -> str:
    """`relative`, read from the folder of the file at `location`, as a location."""
    prefix = location[: len(location) - len(_path(location))]
    folder = posixpath.dirname(_path(location))
    return prefix + posixpath.normpath(posixpath.join(folder, relative))


def _at(data: Any, tokens: Tokens) -> Any:
    node = data
    for token in tokens:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return _MISSING
    return node
