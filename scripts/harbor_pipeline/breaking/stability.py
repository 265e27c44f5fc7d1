"""`x-stability-level` on operations (oasdiff's extension): draft < alpha < beta < stable."""

from __future__ import annotations

from harbor_pipeline.breaking.nodes import Node, SpecError, join

LEVELS = ("draft", "alpha", "beta", "stable")
KEY = "x-stability-level"
# As oasdiff: draft and alpha operations may change freely, beta and stable are judged.
DEFAULT_THRESHOLD = "beta"


def rank(level: str) -> int:
    return LEVELS.index(level)


def level_of(node: Node, pointer: str, source: str, inherited: str = "stable") -> str:
    """The operation's level; none means `inherited` (stable, or a callback's operation's).

    An unknown level is bad input: guessing would either wave breaks through or fail for
    nothing.
    """
    value = node.get(KEY)
    if value is None:
        return inherited
    if not isinstance(value, str) or value not in LEVELS:
        raise SpecError(
            source,
            join(pointer, KEY),
            f"unknown stability level {value!r}: expected one of {', '.join(LEVELS)}",
        )
    return value


def below(level: str, threshold: str) -> bool:
    """True when an operation at `level` is not judged under `threshold`."""
    return rank(level) < rank(threshold)
