"""Where a finding's JSON pointer sits as `file:line`: in the revision, else in the base."""

from __future__ import annotations

from collections.abc import Callable

from scripts.breaking.load import read_bundle
from scripts.breaking.nodes import SpecError
from scripts.bundle import Bundle
from scripts.bundle.lines import place
from scripts.bundle.model import to_tokens
from scripts.codegen.load import resolve


def _document(source: str) -> Bundle | None:
    try:
        return read_bundle(source)
    except SpecError:
        return None  # a source made in memory (tests) has no text to point into


def locator(base: str, revision: str) -> Callable[[str], str]:
    """`pointer -> "file:line"`; a pointer to something removed exists only in the base.

    In a multi-file spec, the file is the one that holds the node (scripts.bundle)."""
    documents = [d for s in (revision, base) if (d := _document(s)) is not None]
    cache: dict[str, str] = {}

    def where(pointer: str) -> str:
        if pointer not in cache:
            cache[pointer] = ""
            for bundled in documents:
                try:
                    resolve(bundled.data, pointer)
                except (KeyError, IndexError, ValueError, TypeError):
                    continue
                source, tokens = bundled.origin(to_tokens(pointer.removeprefix("#")))
                cache[pointer] = place(source, tokens)
                break
        return cache[pointer]

    return where
