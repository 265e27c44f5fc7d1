"""A deterministic string that a regular expression matches, for `pattern` in a schema.

Python's own regex parser (`re._parser`, stable since 3.0 as `sre_parse`) gives the tree; each
repeat is taken `reach` times within its bounds, so one pattern yields a short string or, with a
larger reach, a longer one for a `minLength`. Lookarounds and backreferences are not
honoured: the caller checks the result with `re.search` and the schema's validator.
"""

from __future__ import annotations

import re
import re._parser as sre  # type: ignore[import-not-found]
from collections.abc import Iterable
from typing import cast

# Preferred characters for a class, most readable first.
_PREFERRED = "a0A_-.b1cdexyz:~/ "
_PRINTABLE = "".join(chr(c) for c in range(33, 127))


def matching(pattern: str, *, min_length: int = 0, max_length: int | None = None) -> str | None:
    """A string `re.search(pattern, ...)` finds a match in, within the lengths, or None."""
    try:
        compiled = re.compile(pattern)
        tree = sre.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    # Every reach up to 16 (a length window can be narrow), then doubling.
    for reach in sorted({*range(1, 17), 32, 64, 128, max(1, min(min_length, 4096))}):
        text = "".join(_emit(tree, reach))
        if len(text) < min_length:
            continue
        if max_length is not None and len(text) > max_length:
            # Too long even once round: each optional repeat left out is the shortest form
            # (`^(ab)*c?$` within maxLength 1 is "").
            text = "".join(_emit(tree, 0))
            if not min_length <= len(text) <= max_length:
                return None
        return text if compiled.search(text) else None
    return None


def _emit(items: Iterable[tuple[object, object]], reach: int) -> Iterable[str]:
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            yield chr(arg)  # type: ignore[arg-type]
        elif name == "NOT_LITERAL":
            yield "a" if arg != ord("a") else "b"
        elif name == "ANY":
            yield "a"
        elif name == "IN":
            yield _member(arg)  # type: ignore[arg-type]
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, inner = cast(tuple[int, int, list[tuple[object, object]]], arg)
            count = max(low, min(reach, high))
            for _ in range(count):
                yield from _emit(inner, reach)
        elif name == "SUBPATTERN":
            yield from _emit(arg[-1], reach)  # type: ignore[index]
        elif name == "ATOMIC_GROUP":
            yield from _emit(arg, reach)  # type: ignore[arg-type]
        elif name == "BRANCH":
            yield from _emit(arg[1][0], reach)  # type: ignore[index]
        # AT (anchors), ASSERT, ASSERT_NOT, GROUPREF, GROUPREF_EXISTS: nothing to emit


def _member(items: list[tuple[object, object]]) -> str:
    """A character the class `items` matches, a readable one where it can."""
    negate = bool(items) and str(items[0][0]) == "NEGATE"
    if negate:
        items = items[1:]

    def inside(char: str) -> bool:
        code = ord(char)
        for op, arg in items:
            name = str(op)
            if name == "LITERAL" and arg == code:
                return True
            if name == "RANGE" and arg[0] <= code <= arg[1]:  # type: ignore[index]
                return True
            if name == "CATEGORY" and re.fullmatch(_category_regex(str(arg)), char):
                return True
        return False

    for char in _PREFERRED + _PRINTABLE:
        if inside(char) != negate:
            return char
    if not negate:
        op, arg = items[0]
        if str(op) == "RANGE":
            return chr(cast(tuple[int, int], arg)[0])
        if str(op) == "LITERAL":
            return chr(cast(int, arg))
    return "\u00e9"


def _category_regex(name: str) -> str:
    return {
        "CATEGORY_DIGIT": r"\d",
        "CATEGORY_NOT_DIGIT": r"\D",
        "CATEGORY_WORD": r"\w",
        "CATEGORY_NOT_WORD": r"\W",
        "CATEGORY_SPACE": r"\s",
        "CATEGORY_NOT_SPACE": r"\S",
    }.get(name, r"(?!)")
