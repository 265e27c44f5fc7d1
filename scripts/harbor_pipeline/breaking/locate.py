"""Where a finding's JSON pointer sits as `file:line`: in the revision, else in the base.

In a multi-file spec the file is the one that holds the node (harbor_pipeline.bundle). Each file's
text is parsed once, on its first lookup, however many findings point into it: composing a
large spec as YAML takes seconds, and JSON text is read with the C scanner instead.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import yaml

from harbor_pipeline.breaking.load import read_bundle
from harbor_pipeline.breaking.nodes import SpecError
from harbor_pipeline.breaking.positions import JsonLines
from harbor_pipeline.bundle import Bundle
from harbor_pipeline.bundle.model import Source, Tokens, to_pointer, to_tokens
from harbor_pipeline.codegen.load import resolve

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Lines:
    """One file's text, parsed for line lookups once, on first use."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._root: yaml.Node | None = None
        self._json: JsonLines | None = None
        self._read = False

    def _tree(self) -> yaml.Node | None:
        if not self._read:
            self._read = True
            if self._text.lstrip().startswith("{"):
                self._json = JsonLines(self._text)
            else:
                with contextlib.suppress(yaml.YAMLError):
                    self._root = yaml.compose(self._text, Loader=_Loader)
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
        for token in to_tokens(pointer):
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


def _bundle(source: str) -> Bundle | None:
    try:
        return read_bundle(source)
    except SpecError:
        return None  # a source made in memory (tests) has no text to point into


class _Places:
    """Lines in the files of the bundles given, each file parsed once."""

    def __init__(self, *sources: str) -> None:
        self.bundles = [b for s in sources if (b := _bundle(s)) is not None]
        self._files: dict[str, _Lines] = {}

    def origin(self, bundled: Bundle, pointer: str) -> tuple[Source, Tokens]:
        return bundled.origin(to_tokens(pointer.removeprefix("#")))

    def line(self, source: Source, tokens: Tokens) -> tuple[int, bool] | None:
        lines = self._files.get(source.location)
        if lines is None:
            lines = self._files[source.location] = _Lines(source.text)
        return lines.line(to_pointer(tokens))


def _present(bundled: Bundle, pointer: str) -> bool:
    try:
        resolve(bundled.data, pointer)
    except (KeyError, IndexError, ValueError, TypeError):
        return False
    return True


def locator(base: str, revision: str) -> Callable[[str], str]:
    """`pointer -> "file:line"`; a pointer to something removed exists only in the base."""
    places = _Places(revision, base)
    cache: dict[str, str] = {}

    def where(pointer: str) -> str:
        if pointer not in cache:
            cache[pointer] = ""
            for bundled in places.bundles:
                if not _present(bundled, pointer):
                    continue
                source, tokens = places.origin(bundled, pointer)
                found = places.line(source, tokens)
                cache[pointer] = f"{source.location}:{found[0]}" if found else source.location
                break
        return cache[pointer]

    return where


def anchor(revision: str) -> Callable[[str], tuple[str, int] | None]:
    """`pointer -> (file, line)` in the revision: for something removed, where it was.

    That is its nearest part still there (the operation of a removed parameter), so an
    annotation on the pull request's diff lands on the file that changed.
    """
    places = _Places(revision)

    def place(pointer: str) -> tuple[str, int] | None:
        if not places.bundles:
            return None
        bundled = places.bundles[0]
        tokens = to_tokens(pointer.removeprefix("#"))
        while tokens and not _present(bundled, "#" + to_pointer(tokens)):
            tokens = tokens[:-1]
        source, inner = places.origin(bundled, "#" + to_pointer(tokens))
        found = places.line(source, inner)
        return None if found is None else (source.location, found[0])

    return place
