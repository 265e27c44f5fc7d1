"""Compare the scalar constraints of two schemas: bounds, lengths, counts, patterns, formats."""

from __future__ import annotations

import re

# The stdlib's own regex parser (sre_parse before 3.11, deprecated there): the width a pattern
# can match. Private, so untyped; nothing else here needs it.
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Callable, Iterable
from functools import cache

from harbor_pipeline.breaking.model import Bound, Schema

# (rule suffix without the direction, pointer, message)
Add = Callable[[str, str, str], None]

# In practice these name the full JSON range, so adding them restricts nothing.
_UNRESTRICTIVE_FORMATS = frozenset({"int64", "double"})
# int32 restricts nothing either where the schema's own minimum and maximum lie inside it.
_INT32 = (-(2**31), 2**31 - 1)
# (rule family, keyword noun, lower-limit field, upper-limit field)
_COUNTS = (
    ("length", "Length", "min_length", "max_length"),
    ("item-count", "Items", "min_items", "max_items"),
    ("property-count", "Properties", "min_properties", "max_properties"),
)


def _applies(base: Schema, rev: Schema, kinds: frozenset[str]) -> bool:
    """Whether a keyword for values of `kinds` can constrain either side: `maxItems` on a
    string schema, say, constrains nothing, so changing it is no change."""
    return any(s.types is None or s.types & kinds for s in (base, rev))


_KINDS = {
    "length": frozenset({"string"}),
    "item-count": frozenset({"array"}),
    "property-count": frozenset({"object"}),
}
_NUMBERS = frozenset({"integer", "number"})


def constraints(base: Schema, rev: Schema, add: Add, at: str) -> None:
    """Report every constraint that got stricter (narrowed) or looser (widened)."""
    if _applies(base, rev, _NUMBERS):
        _bound("minimum", base.minimum, rev.minimum, 1, add, at)
        _bound("maximum", base.maximum, rev.maximum, -1, add, at)
        _multiple_of(base.multiple_of, rev.multiple_of, add, at)
    for family, noun, low, high in _COUNTS:
        if not _applies(base, rev, _KINDS[family]):
            continue
        old, new = (
            (getattr(base, low), getattr(base, high)),
            (getattr(rev, low), getattr(rev, high)),
        )
        if family == "length":
            # A length bound that a pattern both sides keep already enforces changes nothing
            # (a pattern added or dropped is judged as a pattern, below).
            kept = base.patterns & rev.patterns
            old, new = _lengths(old, kept), _lengths(new, kept)
        counts(family, noun, old, new, add, at)
    if base.unique_items != rev.unique_items:
        now = "must now be unique" if rev.unique_items else "need no longer be unique"
        add(
            "unique-items-narrowed" if rev.unique_items else "unique-items-widened",
            at,
            f"items {now}",
        )
    _patterns(base.patterns, rev.patterns, add, at)
    _format(base, rev, add, at)


@cache
def anchored_width(pattern: str) -> tuple[int, int | None] | None:
    """The shortest and longest string (None: no limit) a pattern anchored at both ends lets
    through, or None when it is not anchored so (a search then matches inside longer text)."""
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None
    items = list(parsed)
    if (
        len(items) < 2
        or items[0] != (sre.AT, sre.AT_BEGINNING)
        or items[-1] != (sre.AT, sre.AT_END)
    ):
        return None
    low, high = parsed.getwidth()
    return int(low), None if high >= sre.MAXREPEAT else int(high)


def _lengths(
    written: tuple[int | None, int | None], patterns: Iterable[str]
) -> tuple[int | None, int | None]:
    low, high = written
    for width in filter(None, map(anchored_width, patterns)):
        if width[0] > 0:
            low = width[0] if low is None else max(low, width[0])
        if width[1] is not None:
            high = width[1] if high is None else min(high, width[1])
    return low, high


def _show(bound: Bound | None, name: str) -> str:
    if bound is None:
        return f"no {name}"
    return f"{'exclusive ' if bound.exclusive else ''}{name} {_number(bound.value)}"


def _number(value: float) -> str:
    # `:g` prints 10000000 as 1e+07; the spec wrote the number out, so do we.
    return str(int(value)) if value.is_integer() else repr(value)


def _bound(name: str, old: Bound | None, new: Bound | None, sign: int, add: Add, at: str) -> None:
    """`sign` is 1 for a lower bound (higher is stricter) and -1 for an upper one."""
    if old == new:
        return
    if _stricter(new, old, sign):
        kind = "narrowed"
    elif _stricter(old, new, sign):
        kind = "widened"
    else:
        return  # the same bound, spelled 3.0 or 3.1 style
    add(f"bounds-{kind}", at, f"{_show(old, name)} became {_show(new, name)}")


def _stricter(a: Bound | None, b: Bound | None, sign: int) -> bool:
    if a is None:
        return False
    if b is None:
        return True
    if a.value != b.value:
        return (a.value - b.value) * sign > 0
    return a.exclusive and not b.exclusive


def _multiple_of(old: float | None, new: float | None, add: Add, at: str) -> None:
    if old == new:
        return
    message = f"multipleOf {_number(old) if old is not None else 'none'} became {_number(new) if new is not None else 'none'}"
    if new is not None and (old is None or _divides(old, new)):
        add("multiple-of-narrowed", at, message)  # every multiple of new is one of old
    elif old is not None and (new is None or _divides(new, old)):
        add("multiple-of-widened", at, message)
    else:
        add("multiple-of-changed", at, message)


def _divides(small: float, big: float) -> bool:
    ratio = big / small
    return abs(ratio - round(ratio)) < 1e-9


def counts(
    family: str,
    noun: str,
    old: tuple[int, int | None],
    new: tuple[int, int | None],
    add: Add,
    at: str,
) -> None:
    (old_min, old_max), (new_min, new_max) = old, new
    if old_min != new_min:
        kind = "narrowed" if new_min > old_min else "widened"
        add(f"{family}-{kind}", at, f"min{noun} {old_min} became {new_min}")
    if old_max != new_max:
        stricter = new_max is not None and (old_max is None or new_max < old_max)
        kind = "narrowed" if stricter else "widened"
        shown = ["none" if v is None else str(v) for v in (old_max, new_max)]
        add(f"{family}-{kind}", at, f"max{noun} {shown[0]} became {shown[1]}")


def _patterns(old: frozenset[str], new: frozenset[str], add: Add, at: str) -> None:
    if old == new:
        return
    message = f"pattern {_show_patterns(old)} became {_show_patterns(new)}"
    if old < new:
        add("pattern-narrowed", at, message)
    elif new < old:
        add("pattern-widened", at, message)
    else:
        add("pattern-changed", at, message)  # a regex's language cannot be compared cheaply


def _show_patterns(patterns: frozenset[str]) -> str:
    return " and ".join(f"'{p}'" for p in sorted(patterns)) or "none"


def _restricting_format(schema: Schema) -> str | None:
    """The schema's format where it restricts what its other keywords allow, else None."""
    if schema.format in _UNRESTRICTIVE_FORMATS:
        return None
    low, high = schema.minimum, schema.maximum
    if (
        schema.format == "int32"
        and low is not None
        and high is not None
        and _INT32[0] <= low.value
        and high.value <= _INT32[1]
    ):
        return None
    return schema.format


def _format(base: Schema, rev: Schema, add: Add, at: str) -> None:
    old, new = base.format, rev.format
    a, b = _restricting_format(base), _restricting_format(rev)
    if a == b:
        return
    kind = "narrowed" if a is None else "widened" if b is None else "changed"
    add(f"format-{kind}", at, f"format {old or 'none'} became {new or 'none'}")
