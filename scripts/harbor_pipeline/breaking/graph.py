"""The graph of compared schema pairs, and the changes reachable from each of its nodes."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator

from harbor_pipeline.breaking.findings import Change
from harbor_pipeline.breaking.model import Schema

_NOTHING: frozenset[Change] = frozenset()


class Direction(enum.Enum):
    """Requests must accept no less than before; responses must send no more."""

    REQUEST = "request"
    RESPONSE = "response"

    @property
    def flipped(self) -> Direction:
        """The other direction: inside `not`, accepting more means rejecting more."""
        return Direction.RESPONSE if self is Direction.REQUEST else Direction.REQUEST


class Pair:
    """A base schema and a revision schema compared in one direction.

    Pairs form a graph (recursive schemas make cycles); each is expanded once,
    into the changes found at its own level and the pairs below it.
    """

    __slots__ = ("base", "changes", "children", "direction", "expanded", "negated", "rev")

    def __init__(
        self, base: Schema, rev: Schema, direction: Direction, negated: bool = False
    ) -> None:
        self.base = base
        self.rev = rev
        self.direction = direction
        self.negated = negated  # under an odd number of `not`s: the direction was flipped
        self.changes: tuple[Change, ...] = ()
        self.children: tuple[Pair, ...] = ()
        self.expanded = False


def settle(
    roots: Iterable[Pair], expand: Callable[[Pair], None], reach: dict[int, frozenset[Change]]
) -> None:
    """Expand every pair reachable from `roots` and record in `reach` the changes below each.

    Tarjan's algorithm, iterative (schema graphs run deeper than Python's stack):
    the members of a cycle share one set, and a set is reused, not copied, when
    a pair adds nothing to its only child's. So a thousand operations over one
    large, recursive schema graph cost one walk, not a thousand.
    """
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[Pair] = []
    on_stack: set[int] = set()

    def visit(pair: Pair) -> tuple[Pair, Iterator[Pair]]:
        expand(pair)
        index[id(pair)] = low[id(pair)] = len(index)
        stack.append(pair)
        on_stack.add(id(pair))
        return pair, iter(pair.children)

    for root in roots:
        if id(root) in reach or id(root) in index:
            continue
        work = [visit(root)]
        while work:
            pair, kids = work[-1]
            for kid in kids:
                if id(kid) in reach:
                    continue
                if id(kid) not in index:
                    work.append(visit(kid))
                    break
                if id(kid) in on_stack:
                    low[id(pair)] = min(low[id(pair)], index[id(kid)])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[id(parent)] = min(low[id(parent)], low[id(pair)])
                if low[id(pair)] == index[id(pair)]:
                    _close(pair, stack, on_stack, reach)


def _close(
    head: Pair, stack: list[Pair], on_stack: set[int], reach: dict[int, frozenset[Change]]
) -> None:
    """Pop the cycle headed by `head` and give all its members one set of changes."""
    members: list[Pair] = []
    while True:
        member = stack.pop()
        on_stack.discard(id(member))
        members.append(member)
        if member is head:
            break
    inside = {id(m) for m in members}
    own = [c for m in members for c in m.changes]
    below = {
        id(s): s for m in members for k in m.children if id(k) not in inside and (s := reach[id(k)])
    }
    if not own and len(below) <= 1:
        found = next(iter(below.values()), _NOTHING)
    else:
        found = frozenset(own).union(*below.values())
    for member in members:
        reach[id(member)] = found
