"""Follow local `$ref`s to their targets, memoised and safe against reference cycles."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote

from harbor_pipeline.breaking.nodes import EMPTY, Node, SpecError


class Resolver:
    """Resolves `#/...` references inside one document.

    Targets are returned with their own pointer, so a finding names the place a
    designer edits, whichever reference led there.
    """

    def __init__(self, root: Node, source: str) -> None:
        self.root = root
        self.source = source
        self._targets: dict[str, tuple[Node, str]] = {}

    def deref(self, node: Node, pointer: str) -> tuple[Node, str]:
        """`node` with any chain of `$ref`s followed; a cycle of bare refs is the empty schema."""
        seen: set[str] = set()
        while True:
            ref = node.get("$ref")
            if not isinstance(ref, str):
                return node, pointer
            if ref in seen:
                return EMPTY, pointer
            seen.add(ref)
            node, pointer = self.target(ref, pointer)

    def target(self, ref: str, used_at: str) -> tuple[Node, str]:
        """The mapping `ref` points at, and its canonical pointer."""
        found = self._targets.get(ref)
        if found is None:
            found = self._walk(ref, used_at)
            self._targets[ref] = found
        return found

    def exists(self, ref: str, used_at: str) -> None:
        """Raise unless `ref` points at something (of any type)."""
        if ref not in self._targets:
            self._follow(ref, used_at)

    def _walk(self, ref: str, used_at: str) -> tuple[Node, str]:
        node = self._follow(ref, used_at)
        if not isinstance(node, Mapping):
            raise SpecError(self.source, used_at, f"$ref {ref!r} does not point at an object")
        return node, ref

    def _follow(self, ref: str, used_at: str) -> object:
        if not ref.startswith("#"):
            raise SpecError(
                self.source,
                used_at,
                f"external $ref {ref!r} is not supported; bundle the spec into one file first",
            )
        node: object = self.root
        for raw in ref[1:].split("/")[1:]:
            token = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping):
                node = node.get(token)
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                node = None
            if node is None:
                raise SpecError(self.source, used_at, f"$ref {ref!r} points at nothing")
        return node
