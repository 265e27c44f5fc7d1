"""Where a finding's JSON pointer sits as `file:line`: in the revision, else in the base."""

from __future__ import annotations

from collections.abc import Callable

from scripts.breaking.load import parse, read_source
from scripts.breaking.nodes import Node, SpecError
from scripts.codegen.load import line_of, resolve


def _document(source: str) -> tuple[str, Node] | None:
    try:
        content = read_source(source)
        return content, parse(source, content)
    except SpecError:
        return None  # a source made in memory (tests) has no text to point into


def locator(base: str, revision: str) -> Callable[[str], str]:
    """`pointer -> "file:line"`; a pointer to something removed exists only in the base."""
    documents = [(s, d) for s in (revision, base) if (d := _document(s)) is not None]
    cache: dict[str, str] = {}

    def where(pointer: str) -> str:
        if pointer not in cache:
            cache[pointer] = ""
            for source, (content, root) in documents:
                try:
                    resolve(root, pointer)
                except (KeyError, IndexError, ValueError, TypeError):
                    continue
                line = line_of(content, pointer)
                cache[pointer] = f"{source}:{line}" if line else source
                break
        return cache[pointer]

    return where
