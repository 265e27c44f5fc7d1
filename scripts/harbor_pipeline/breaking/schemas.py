"""Compare schemas in the request direction (accept no less) or the response direction (send no more)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from harbor_pipeline.breaking.applicators import compare_keywords
from harbor_pipeline.breaking.constraints import constraints
from harbor_pipeline.breaking.findings import Change
from harbor_pipeline.breaking.graph import Direction, Pair, settle
from harbor_pipeline.breaking.model import ANY, Schema, Src
from harbor_pipeline.breaking.nodes import join
from harbor_pipeline.breaking.normalize import Normalizer
from harbor_pipeline.breaking.unions import compare_unions, overlap


class Collector:
    """Collects one pair's changes and child pairs, prefixing rule ids with the direction."""

    def __init__(
        self, comparer: SchemaComparer, direction: Direction, negated: bool = False
    ) -> None:
        self.comparer = comparer
        self.direction = direction
        self.negated = negated
        self.changes: list[Change] = []
        self.children: list[Pair] = []

    @property
    def request(self) -> bool:
        return self.direction is Direction.REQUEST

    def add(self, suffix: str, pointer: str, message: str) -> None:
        self.rule(f"{self.direction.value}-{suffix}", pointer, message)

    def rule(self, rule: str, pointer: str, message: str) -> None:
        # Under `not` the ids read the other way round; say why.
        shown = f"inside not, so judged the other way round: {message}" if self.negated else message
        self.changes.append(Change(rule, pointer, shown))

    def child(self, base: Schema, rev: Schema, *, flip: bool = False) -> None:
        direction = self.direction.flipped if flip else self.direction
        self.children.append(self.comparer.pair(base, rev, direction, self.negated != flip))

    def child_srcs(
        self, base: tuple[Src, ...], rev: tuple[Src, ...], *, flip: bool = False
    ) -> None:
        """A pair below this one, skipped when both sides are the same self-contained schema."""
        comparer = self.comparer
        if not comparer.same(base, rev):
            self.child(comparer.base.schema(base), comparer.rev.schema(rev), flip=flip)


class SchemaComparer:
    """Builds the pair graph lazily and reports, per set of roots, every change reachable."""

    def __init__(self, base: Normalizer, rev: Normalizer) -> None:
        self.base = base
        self.rev = rev
        self._pairs: dict[tuple[int, int, Direction, bool], Pair] = {}
        self._roots: list[Pair] = []
        self._reach: dict[int, frozenset[Change]] = {}
        self._derived: dict[tuple[int, str], tuple[Schema, Schema]] = {}
        self._settled = 0

    def root(
        self, base: tuple[Src, ...], rev: tuple[Src, ...], direction: Direction
    ) -> Pair | None:
        """Register the schemas of one request or response part; None when they cannot differ."""
        if self.same(base, rev):
            return None
        return self.root_schemas(self.base.schema(base), self.rev.schema(rev), direction)

    def root_schemas(self, base: Schema, rev: Schema, direction: Direction) -> Pair:
        """Register a pair of schemas already built (and perhaps derived) as a root."""
        pair = self.pair(base, rev, direction)
        self._roots.append(pair)
        return pair

    def same(self, base: tuple[Src, ...], rev: tuple[Src, ...]) -> bool:
        """True for one identical schema on each side with no `$ref` inside: nothing can differ.

        Most leaves (`type: string`, bounds, enums) are such; skipping them halves the work.
        """
        return (
            len(base) == 1 == len(rev)
            and base[0].node == rev[0].node
            and self.base.ref_free(base[0].node)
        )

    def pair(self, base: Schema, rev: Schema, direction: Direction, negated: bool = False) -> Pair:
        key = (id(base), id(rev), direction, negated)
        found = self._pairs.get(key)
        if found is None:
            found = self._pairs[key] = Pair(base, rev, direction, negated)
        return found

    def changes(self, roots: Iterable[Pair]) -> set[Change]:
        """Every change in the schemas reachable from `roots`."""
        if self._settled < len(self._roots):
            settle(self._roots[self._settled :], self.expand, self._reach)
            self._settled = len(self._roots)
        out: set[Change] = set()
        for root in roots:
            out |= self._reach[id(root)]
        return out

    def expand(self, pair: Pair) -> None:
        if pair.expanded:
            return
        pair.expanded = True  # before the work, so a cycle back here stops
        out = Collector(self, pair.direction, pair.negated)
        if pair.base.variants or pair.rev.variants:
            compare_unions(self, pair.base, pair.rev, out)
        else:
            _compare(pair.base, pair.rev, out)
        pair.changes = tuple(out.changes)
        pair.children = tuple(out.children)

    def derived(self, schema: Schema, make: Callable[[Schema], Schema], purpose: str) -> Schema:
        """A schema made from `schema` once per purpose and kept, so pairs of it are memoised."""
        key = (id(schema), purpose)
        found = self._derived.get(key)
        if found is None:
            found = self._derived[key] = (schema, make(schema))
        return found[1]


def _compare(base: Schema, rev: Schema, out: Collector) -> None:
    """The changes at one level of a pair of non-union schemas, and the pairs below."""
    at = rev.pointer or base.pointer
    if not _types(base, rev, out, at):
        return  # nothing in common: the deeper differences add nothing
    _enums(base, rev, out, at)
    if out.request and base.default is not None and rev.default != base.default:
        _default(base.default, rev.default, out, at)
    constraints(base, rev, out.add, at)
    if _may_be(base, "object") or _may_be(rev, "object"):
        _properties(base, rev, out)
        _additional(base, rev, out, at)
    if base.items is not None or rev.items is not None:
        out.child_srcs(base.items or (), rev.items or ())
    compare_keywords(base, rev, out, at)


def _may_be(schema: Schema, kind: str) -> bool:
    return schema.types is None or kind in schema.types


def _show_types(types: frozenset[str] | None) -> str:
    return "any type" if types is None else " or ".join(sorted(types)) or "nothing"


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _types(base: Schema, rev: Schema, out: Collector, at: str) -> bool:
    """Report type changes; False when the two sides share no type at all."""
    old, new = base.types, rev.types
    if old == new:
        return True
    message = f"type changed from {_show_types(old)} to {_show_types(new)}"
    if old is None or new is None:
        out.add("type-narrowed" if old is None else "type-widened", at, message)
        return True
    if "null" in new and "null" not in old:
        out.add("became-nullable", at, "null is now allowed")
    elif "null" in old and "null" not in new:
        out.add("became-non-nullable", at, "null is no longer allowed")
    old, new = old - {"null"}, new - {"null"}
    wider, narrower = _covers(new, old), _covers(old, new)
    if wider and not narrower:
        out.add("type-widened", at, message)
    elif narrower and not wider:
        out.add("type-narrowed", at, message)
    elif not (wider and narrower):
        out.add("type-changed", at, message)
    return not old or not new or overlap(old, new)


def _enums(base: Schema, rev: Schema, out: Collector, at: str) -> None:
    old, new = base.enum, rev.enum
    if old == new:
        return
    if old is None:
        out.add("enum-added", at, f"values are now limited to {', '.join(sorted(new or ()))}")
    elif new is None:
        out.add("enum-removed", at, f"values are no longer limited to {', '.join(sorted(old))}")
    else:
        for value in sorted(old - new):
            out.add("enum-value-removed", at, f"enum value {value} was removed")
        for value in sorted(new - old):
            if base.extensible and not out.request:  # clients were told to expect new values
                message = f"enum value {value} was added to an extensible enum"
                out.rule("response-extensible-enum-value-added", at, message)
            else:
                out.add("enum-value-added", at, f"enum value {value} was added")


def _default(old: str, new: str | None, out: Collector, at: str) -> None:
    """A caller who leaves the value out gets another behaviour: the request is accepted, the
    result differs (another currency, another page size)."""
    if new is None:
        message = f"the default {old} was removed: what an omitted value means is unsaid"
        out.rule("request-default-removed", join(at, "default"), message)
    else:
        out.rule("request-default-changed", join(at, "default"), f"default {old} became {new}")


def _properties(base: Schema, rev: Schema, out: Collector) -> None:
    comparer = out.comparer
    hidden = "readOnly" if out.request else "writeOnly"  # never on the wire this way
    old = _visible(base, comparer.base, hidden)
    new = _visible(rev, comparer.rev, hidden)
    for name, (old_srcs, old_at) in old.items():
        found = new.get(name)
        if found is None:
            prop = comparer.base.schema(old_srcs)
            _one_sided(name, prop, old_at, base, rev, out, removed=True)
            continue
        new_srcs, new_at = found
        out.child_srcs(old_srcs, new_srcs)
        was, now = name in base.required, name in rev.required
        if was != now:
            suffix = "property-became-required" if now else "property-became-optional"
            out.add(suffix, new_at, f"property '{name}' became {'required' if now else 'optional'}")
        if comparer.rev.flag(new_srcs, "deprecated") and not comparer.base.flag(
            old_srcs, "deprecated"
        ):
            out.rule("property-deprecated", new_at, f"property '{name}' is deprecated")
    for name, (new_srcs, new_at) in new.items():
        if name not in old:
            prop = comparer.rev.schema(new_srcs)
            _one_sided(name, prop, new_at, base, rev, out, removed=False)


def _visible(
    schema: Schema, norm: Normalizer, hidden: str
) -> dict[str, tuple[tuple[Src, ...], str]]:
    """Each property's sources and pointer, without those that do not travel this way."""
    out: dict[str, tuple[tuple[Src, ...], str]] = {}
    for name in [*schema.properties, *sorted(schema.required - schema.properties.keys())]:
        srcs = schema.properties.get(name, ())
        if not norm.flag(srcs, hidden):
            out[name] = (srcs, srcs[0].pointer if srcs else join(schema.pointer, "required"))
    return out


def _one_sided(
    name: str, prop: Schema, at: str, base: Schema, rev: Schema, out: Collector, *, removed: bool
) -> None:
    """A property declared on one side only; the other side's additionalProperties decides."""
    other = rev if removed else base
    required = name in (base.required if removed else rev.required)
    if isinstance(other.additional, tuple):
        norm = out.comparer.rev if removed else out.comparer.base
        extra = norm.schema(other.additional)
        if removed:
            out.child(prop, extra)
        else:
            out.child(extra, prop)
    if out.request and removed:
        if other.additional is False:
            out.rule("request-property-rejected", at, f"property '{name}' is no longer accepted")
        else:
            out.rule("request-property-removed", at, f"property '{name}' was removed")
    elif out.request:
        if required:
            out.rule("request-required-property-added", at, f"new required property '{name}'")
        else:
            out.add("property-added", at, f"new optional property '{name}'")
    elif removed:
        kind = "required" if required else "optional"
        out.rule(f"response-{kind}-property-removed", at, f"{kind} property '{name}' was removed")
    elif other.additional is False:
        message = f"new property '{name}', which the base schema did not allow"
        out.rule("response-property-added-to-closed-schema", at, message)
    else:
        out.add("property-added", at, f"new property '{name}'")


def _additional(base: Schema, rev: Schema, out: Collector, at: str) -> None:
    old, new = base.additional, rev.additional
    if old is False and new is not False:
        out.add("additional-properties-widened", at, "additionalProperties is no longer false")
    elif new is False and old is not False:
        out.add("additional-properties-narrowed", at, "additionalProperties is now false")
    elif isinstance(old, tuple) or isinstance(new, tuple):
        comparer = out.comparer
        old_schema = comparer.base.schema(old) if isinstance(old, tuple) else ANY
        new_schema = comparer.rev.schema(new) if isinstance(new, tuple) else ANY
        out.child(old_schema, new_schema)
