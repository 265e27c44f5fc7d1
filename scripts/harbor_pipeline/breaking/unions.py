"""Match the alternatives of `oneOf`/`anyOf` schemas across two versions of a contract."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from harbor_pipeline.breaking.findings import RULES, Level
from harbor_pipeline.breaking.model import Schema, exclusive

if TYPE_CHECKING:
    from harbor_pipeline.breaking.normalize import Normalizer
    from harbor_pipeline.breaking.schemas import Collector, SchemaComparer


def compare_unions(comparer: SchemaComparer, base: Schema, rev: Schema, out: Collector) -> None:
    """Each alternative that must keep working is matched to one on the other side.

    Requests: every base alternative must still be accepted by some revision
    alternative. Responses: every revision alternative must have been sendable
    under some base alternative. A plain schema counts as a union of one. Null
    is judged for the union as a whole, so it does not matter which alternative
    carries it.
    """
    bases, revs = base.variants or (base,), rev.variants or (rev,)
    at = rev.pointer or base.pointer
    was, now = _nullable(bases), _nullable(revs)
    if now and not was:
        out.add("became-nullable", at, "null is now allowed")
    elif was and not now:
        out.add("became-non-nullable", at, "null is no longer allowed")
    bases, revs = _strip_null(comparer, bases), _strip_null(comparer, revs)
    must, candidates = (bases, revs) if out.request else (revs, bases)
    matched: dict[int, Schema] = {}
    used: set[int] = set()
    for schema in must:  # the same alternative, by the place it is defined, first
        same = [c for c in candidates if schema.pointer and c.pointer == schema.pointer]
        # `oneOf: [A, A]` happens: pair the copies up rather than leave one over.
        found = next((c for c in same if id(c) not in used), same[0] if same else None)
        if found is not None:
            matched[id(schema)] = found
            used.add(id(found))
    for schema in must:
        if id(schema) not in matched:
            found = _best(comparer, schema, candidates, used, out)
            if found is not None:
                matched[id(schema)] = found
                used.add(id(found))
    for schema in must:
        found = matched.get(id(schema))
        if found is None:
            suffix = "variant-removed" if out.request else "variant-added"
            verb = "is no longer accepted" if out.request else "may now be sent"
            out.add(suffix, schema.pointer, f"alternative {_name(schema)} {verb}")
        elif out.request:
            out.child(schema, found)
        else:
            out.child(found, schema)
    for schema in candidates:
        if id(schema) not in used:
            suffix = "variant-added" if out.request else "variant-removed"
            verb = "is now accepted" if out.request else "is no longer sent"
            out.add(suffix, schema.pointer, f"alternative {_name(schema)} {verb}")
    _exclusive(comparer, must, candidates, matched, out)


def _exclusive(
    comparer: SchemaComparer,
    must: tuple[Schema, ...],
    candidates: tuple[Schema, ...],
    matched: dict[int, Schema],
    out: Collector,
) -> None:
    """A value must match exactly one `oneOf` alternative: one that fits two is rejected.

    Requests: a value the base accepted that fits the matched revision alternative and
    also another alternative of the same `oneOf` is now rejected. Responses: a value the
    revision may send that fits two of the base's `oneOf` alternatives was never sent.
    Unless the other side's `oneOf` already set the same two apart.
    """
    own, other = (comparer.base, comparer.rev) if out.request else (comparer.rev, comparer.base)
    back = {id(found): schema for schema in must if (found := matched.get(id(schema)))}
    for schema in must:
        found = matched.get(id(schema))
        if found is None or not found.one_of:
            continue
        for rival in candidates:
            if not exclusive(found, rival):
                continue
            twin = back.get(id(rival))
            if twin is not None and exclusive(schema, twin):
                continue  # this side's oneOf set the two apart already
            if _may_match(own, schema, other, rival):
                if out.request:
                    message = (
                        f"a value valid under {_name(schema)} fits {_name(found)} and may fit "
                        f"{_name(rival)} too: oneOf rejects a value that fits two"
                    )
                    out.rule("request-variants-made-exclusive", rival.pointer, message)
                else:
                    message = (
                        f"{_name(schema)} may now send a value that also matches "
                        f"{_name(rival)}, which the base's oneOf ruled out"
                    )
                    out.rule("response-variants-no-longer-exclusive", schema.pointer, message)


def _may_match(own: Normalizer, value: Schema, other: Normalizer, rival: Schema) -> bool:
    """Whether a value of `value`, written with its documented properties, may fit `rival`.

    A property `rival` requires that `value` never documents, or a property both require
    with disjoint enums (a discriminator), tells them apart.
    """
    if not overlap(value.types, rival.types):
        return False
    if value.enum is not None and rival.enum is not None and value.enum.isdisjoint(rival.enum):
        return False
    if not rival.required <= value.properties.keys() | value.required:
        return False
    if rival.additional is False and not value.required <= rival.properties.keys():
        return False
    for name in rival.required & value.properties.keys() & rival.properties.keys():
        mine, theirs = own.schema(value.properties[name]), other.schema(rival.properties[name])
        if mine.enum is not None and theirs.enum is not None and mine.enum.isdisjoint(theirs.enum):
            return False
        if not overlap(mine.types, theirs.types):
            return False
    return True


def _best(
    comparer: SchemaComparer,
    schema: Schema,
    candidates: tuple[Schema, ...],
    used: set[int],
    out: Collector,
) -> Schema | None:
    """The candidate that fits best: a perfect fit may serve twice, an imperfect one once."""
    scored: list[tuple[tuple[int, int, int], Schema]] = []
    for i, candidate in enumerate(candidates):
        if overlap(schema.types, candidate.types) and _similar(schema, candidate):
            old, new = (schema, candidate) if out.request else (candidate, schema)
            scored.append(((*_score(comparer, old, new, out), i), candidate))
    scored.sort(key=lambda item: item[0])
    for score, candidate in scored:
        if score[0] == 0 or id(candidate) not in used:
            return candidate
    return None


def _score(comparer: SchemaComparer, old: Schema, new: Schema, out: Collector) -> tuple[int, int]:
    """(errors, changes) two levels deep: enough to tell which alternative is which."""
    pair = comparer.pair(old, new, out.direction, out.negated)
    comparer.expand(pair)
    pairs = [pair]
    for kid in pair.children:
        if not (kid.base.variants or kid.rev.variants):  # their matching would recurse
            comparer.expand(kid)
            pairs.append(kid)
    changes = [c for p in pairs for c in p.changes]
    errors = sum(1 for c in changes if RULES[c.rule].level is Level.ERROR)
    return errors, len(changes)


def _similar(a: Schema, b: Schema) -> bool:
    """Objects that share no property name are different things, not one thing changed."""
    return not (a.properties and b.properties) or not a.properties.keys().isdisjoint(b.properties)


def overlap(a: frozenset[str] | None, b: frozenset[str] | None) -> bool:
    """True when some value could have both types (every integer is a number)."""
    if a is None or b is None:
        return True
    return bool(a & b) or ("integer" in a and "number" in b) or ("number" in a and "integer" in b)


def _nullable(variants: tuple[Schema, ...]) -> bool:
    return any(v.types is None or "null" in v.types for v in variants)


def _strip_null(comparer: SchemaComparer, variants: tuple[Schema, ...]) -> tuple[Schema, ...]:
    out: list[Schema] = []
    for variant in variants:
        if variant.types is None or "null" not in variant.types:
            out.append(variant)
        elif len(variant.types) > 1:
            out.append(
                comparer.derived(
                    variant,
                    lambda v: replace(v, types=(v.types or frozenset()) - {"null"}),
                    "without null",
                )
            )
    return tuple(out)


def _name(schema: Schema) -> str:
    """A component's name, or `oneOf/1` for an inline alternative."""
    tokens = schema.pointer.split("/")
    if not schema.pointer:
        return "(any)"
    return "/".join(tokens[-2:]) if tokens[-1].isdigit() else tokens[-1]
