"""Where a validator's error sits in the document it validated, as a JSON pointer.

The validator checks each Schema Object, and each schema's `default` value, on its own and
reports paths relative to that schema or value. Such an error is placed through the schema
it names (found by identity, not by value), so it lands on the schema or `default` at fault.
Values are compared with their types, since in Python `True == 1`: a search by value would put
`default: 1` of a string at the first `required: true`.

Shared by `harbor_pipeline.codegen.load` and `harbor_pipeline.breaking.load`, which validate with the same
library and must point at the same place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import to_pointer

Path = tuple[str | int, ...]


def pointer(*tokens: str | int) -> str:
    return to_pointer(tuple(str(token) for token in tokens))


class ErrorLocator:
    """Places the validator's errors in `data`, the very document it validated."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self._places: dict[int, Path] | None = None

    def pointer(self, error: Any) -> str:
        path: Path = tuple(error.absolute_path)
        instance = error.instance
        if _leads_to(self.data, path, instance):
            return pointer(*path)
        schema = getattr(error, "schema", None)
        at = self.places().get(id(schema)) if isinstance(schema, dict) else None
        if at is not None:
            # A `default` is validated as a value of its own against its schema: the error's
            # path starts in the value, its schema is that one or one nested in it.
            for depth in range(len(at), -1, -1):
                holder = _follow(self.data, at[:depth])
                if (
                    isinstance(holder, dict)
                    and "default" in holder
                    and _leads_to(holder["default"], path, instance)
                ):
                    return pointer(*at[:depth], "default", *path)
            if _leads_to(schema, path, instance):
                return pointer(*at, *path)
        found = self._search(path, instance)
        return pointer(*(found if found is not None else path))

    def places(self) -> dict[int, Path]:
        """The path of every mapping and list in the document, by identity."""
        if self._places is None:
            self._places = {}
            stack: list[tuple[Path, object]] = [((), self.data)]
            while stack:
                prefix, node = stack.pop()
                if isinstance(node, dict | list):
                    self._places.setdefault(id(node), prefix)
                    items = node.items() if isinstance(node, dict) else enumerate(node)
                    stack.extend(((*prefix, key), child) for key, child in items)
        return self._places

    def _search(self, path: Path, instance: object) -> Path | None:
        """The first place, in document order, from which `path` leads to `instance`."""
        stack: list[tuple[Path, object]] = [((), self.data)]
        while stack:
            prefix, node = stack.pop()
            if prefix and _leads_to(node, path, instance):
                return (*prefix, *path)
            children = (
                node.items()
                if isinstance(node, dict)
                else enumerate(node)
                if isinstance(node, list)
                else ()
            )
            stack.extend(((*prefix, key), child) for key, child in reversed(list(children)))
        return None


_MISSING = object()


def _follow(node: object, path: Path) -> object:
    for token in path:
        in_list = isinstance(node, list) and isinstance(token, int) and token < len(node)
        if not (in_list or (isinstance(node, dict) and token in node)):
            return _MISSING
        node = node[token]  # type: ignore[index]
    return node


def _leads_to(node: object, path: Path, instance: object) -> bool:
    found = _follow(node, path)
    return found is not _MISSING and _same(found, instance)


def _same(a: object, b: object) -> bool:
    """Equal, and of the same types all the way down (`1` is not `True`, nor `1.0`)."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b
