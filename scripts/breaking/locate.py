"""Where a finding's JSON pointer sits as `file:line`: in the revision, else in the base."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import yaml

from scripts.breaking.load import read_source
from scripts.breaking.nodes import SpecError
from scripts.breaking.positions import JsonLines

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Document:
    """One source's YAML node tree, composed once on first use: findings ask it many times."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._root: yaml.Node | None = None
        self._json: JsonLines | None = None
        self._read = False

    def _tree(self) -> yaml.Node | None:
        if not self._read:
            self._read = True
            # A source made in memory (tests) has no text to point into.
            with contextlib.suppress(SpecError, yaml.YAMLError):
                content = read_source(self.source)
                if content.lstrip().startswith("{"):
                    self._json = JsonLines(content)  # seconds faster than YAML on large files
                else:
                    self._root = yaml.compose(content, Loader=_Loader)
        return self._root

    def line(self, pointer: str) -> tuple[int, bool] | None:
        """The 1-based line of `pointer`'s deepest part present, and whether all of it is."""
        node = self._tree()
        if self._json is not None:
            try:
                return self._json.line(pointer)
            except ValueError:  # text that opens like JSON but is not: no line to give
                return None
        if node is None:
            return None
        mark = node.start_mark
        for token in (t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]):
            found: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if k.value == token), None)
                if pair is not None:
                    found, mark = pair[1], pair[0].start_mark  # the key's line reads best
            elif (
                isinstance(node, yaml.SequenceNode)
                and token.isdigit()
                and int(token) < len(node.value)
            ):
                found = node.value[int(token)]
                mark = found.start_mark
            if found is None:
                return mark.line + 1, False
            node = found
        return mark.line + 1, True


def locator(base: str, revision: str) -> Callable[[str], str]:
    """`pointer -> "file:line"`; a pointer to something removed exists only in the base."""
    documents = [_Document(revision), _Document(base)]
    cache: dict[str, str] = {}

    def where(pointer: str) -> str:
        if pointer not in cache:
            cache[pointer] = ""
            for document in documents:
                found = document.line(pointer)
                if found is not None and found[1]:
                    cache[pointer] = f"{document.source}:{found[0]}"
                    break
        return cache[pointer]

    return where


def anchor(revision: str) -> Callable[[str], tuple[str, int] | None]:
    """`pointer -> (file, line)` in the revision: for something removed, where it was.

    That is its nearest part still there (the operation of a removed parameter), so an
    annotation on the pull request's diff lands on the file that changed.
    """
    document = _Document(revision)

    def place(pointer: str) -> tuple[str, int] | None:
        found = document.line(pointer)
        return None if found is None else (revision, found[0])

    return place
