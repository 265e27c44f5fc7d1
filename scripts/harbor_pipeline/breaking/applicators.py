"""Compare the JSON Schema 2020-12 keywords: contains, if/then/else, not, prefixItems and the rest.

Each subschema keyword is a constraint beside the others, so one added narrows
what is accepted and one removed widens it; the subschemas of both sides are
compared in the same direction, except under `not`, where it flips (a `not`
that matches more rejects more). An `if` that changed makes its `then`/`else`
apply to other values: that is `constraint-changed`, not compared further.
Keywords the gate does not know are never passed over in silence: a change to
one is a warning that names it. And the discriminator: the value -> schema
mapping a client dispatches on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harbor_pipeline.breaking.constraints import counts
from harbor_pipeline.breaking.model import FALSE, Discriminator, Schema, Src
from harbor_pipeline.breaking.nodes import SpecError, join

if TYPE_CHECKING:
    from harbor_pipeline.breaking.normalize import Normalizer
    from harbor_pipeline.breaking.schemas import Collector


def compare_keywords(base: Schema, rev: Schema, out: Collector, at: str) -> None:
    """Report the changes in the 2020-12 keywords of one pair and queue their subschemas."""
    if base.subschemas or rev.subschemas:
        _subschemas(base, rev, out)
    if "contains" in base.subschemas and "contains" in rev.subschemas:
        old, new = (base.min_contains, base.max_contains), (rev.min_contains, rev.max_contains)
        counts("item-count", "Contains", old, new, out.add, at)
    _dependent_required(base, rev, out, at)
    for key, old_value, new_value in (
        ("contentEncoding", base.content_encoding, rev.content_encoding),
        ("contentMediaType", base.content_media_type, rev.content_media_type),
    ):
        if old_value != new_value:
            kind = (
                "narrowed" if old_value is None else "widened" if new_value is None else "changed"
            )
            message = f"{key} {old_value or 'none'} became {new_value or 'none'}"
            out.add(f"constraint-{kind}", join(at, key), message)
    if base.discriminator is not None and rev.discriminator is not None:
        _discriminator(base.discriminator, rev.discriminator, out)
    for key in sorted(base.unknown.keys() | rev.unknown.keys()):
        if base.unknown.get(key) != rev.unknown.get(key):
            message = f"keyword '{key}' changed; the gate does not compare it: check it by hand"
            out.add("keyword-not-compared", join(at, key), message)


def _subschemas(base: Schema, rev: Schema, out: Collector) -> None:
    old, new, comparer = base.subschemas, rev.subschemas, out.comparer
    changed_ifs: set[str] = set()
    for key in (k for k in old if k in new and k.partition("#")[0] == "if"):
        if comparer.base.canonical(_node(old[key])) != comparer.rev.canonical(_node(new[key])):
            changed_ifs.add(key.partition("#")[2])
            message = f"'{key}' changed, so its then/else now apply to other values"
            out.add("constraint-changed", new[key][0].pointer, message)
    for key in [*old, *(k for k in new if k not in old)]:
        head, _, clause = key.partition("#")
        if head == "if" or (head in ("then", "else") and clause in changed_ifs):
            continue  # an `if` alone constrains nothing; its then/else do
        was, now = old.get(key), new.get(key)
        if was is not None and now is not None:
            _both(key, was, now, out)
        elif now is not None:
            kind = "widened" if _opens(rev, key) else "narrowed"
            out.add(f"constraint-{kind}", now[0].pointer, f"{_show(key)} was added")
        elif was is not None:
            kind = "narrowed" if _opens(base, key) else "widened"
            out.add(f"constraint-{kind}", was[0].pointer, f"{_show(key)} was removed")


def _both(key: str, was: tuple[Src, ...], now: tuple[Src, ...], out: Collector) -> None:
    old_false, new_false = _is_false(was), _is_false(now)
    if old_false and new_false:
        return
    if new_false:
        out.add("constraint-narrowed", now[0].pointer, f"{_show(key)} is now false")
    elif old_false:
        out.add("constraint-widened", now[0].pointer, f"{_show(key)} is no longer false")
    else:
        out.child_srcs(was, now, flip=key.partition("#")[0] == "not")


def _opens(schema: Schema, key: str) -> bool:
    """True when adding `key` admits more: a pattern or a tuple slot where the rest is closed."""
    if key.startswith("patternProperties/"):
        return schema.additional is False
    if key.startswith("prefixItems/"):
        return _is_false(schema.subschemas.get("items", ()))
    return False


def _dependent_required(base: Schema, rev: Schema, out: Collector, at: str) -> None:
    old, new = base.dependent_required, rev.dependent_required
    for name, needed in sorted(new - old):
        message = f"property '{needed}' is now required when '{name}' is present"
        out.add("constraint-narrowed", join(at, "dependentRequired", name), message)
    for name, needed in sorted(old - new):
        message = f"property '{needed}' is no longer required when '{name}' is present"
        out.add("constraint-widened", join(at, "dependentRequired", name), message)


def _discriminator(old: Discriminator, new: Discriminator, out: Collector) -> None:
    if old.property != new.property:
        message = f"discriminator property {old.property} became {new.property}"
        out.add("discriminator-property-changed", new.pointer, message)
    for value, target in old.mapping.items():
        found = new.mapping.get(value)
        if found is None:
            message = f"discriminator value '{value}' no longer maps to {target}"
            out.add("discriminator-mapping-removed", join(old.pointer, "mapping", value), message)
        elif found != target and _target(out.comparer.base, target) != _target(
            out.comparer.rev, found
        ):
            message = f"discriminator value '{value}' maps to {found}, not {target}"
            out.add("discriminator-mapping-changed", join(new.pointer, "mapping", value), message)
    for value in new.mapping.keys() - old.mapping.keys():
        message = f"discriminator value '{value}' was added, for {new.mapping[value]}"
        out.add("discriminator-mapping-added", join(new.pointer, "mapping", value), message)


def _target(norm: Normalizer, ref: str) -> str:
    """A mapping's target as canonical JSON, so a component renamed with it is the same target."""
    try:
        return norm.canonical({"$ref": ref})
    except SpecError:
        return ref  # a mapping to nothing: only its text can be compared


def _is_false(srcs: tuple[Src, ...]) -> bool:
    return any(src.node is FALSE for src in srcs)


def _node(srcs: tuple[Src, ...]) -> dict[str, object]:
    """The conjunction of `srcs` as one raw schema, for canonical comparison."""
    return {"allOf": [src.node for src in srcs]} if len(srcs) > 1 else dict(srcs[0].node)


def _show(key: str) -> str:
    """`prefixItems/0` -> `prefixItems[0]`, `patternProperties/^x-` -> `patternProperties '^x-'`."""
    head, sep, name = key.partition("/")
    if not sep:
        return key
    return f"{head}[{name}]" if head == "prefixItems" else f"{head} '{name}'"
