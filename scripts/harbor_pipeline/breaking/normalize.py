"""Build Schema values: `$ref`s followed, `allOf` merged, unions flattened, `nullable` as a type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from harbor_pipeline.breaking.merge import Merged
from harbor_pipeline.breaking.model import ANY, Schema, Src, enum_text
from harbor_pipeline.breaking.nodes import Node, children, join, text
from harbor_pipeline.breaking.resolve import Resolver

# A schema whose composition multiplies out to more alternatives than this is
# cut there: past it, matching branches costs more than it tells.
MAX_VARIANTS = 64


@dataclass(frozen=True, slots=True)
class _Conj:
    """The parts that must all hold, and the union branch they came from."""

    parts: tuple[Src, ...]
    branch: str | None
    one_of: tuple[tuple[str, int], ...] = ()  # (oneOf pointer, alternative) it sits in


def _product(left: list[_Conj], right: list[_Conj]) -> list[_Conj]:
    if len(left) == 1 and not left[0].parts and left[0].branch is None:
        return right  # the common start: nothing yet to combine with
    out = [
        _Conj(
            a.parts + b.parts,
            b.branch if b.branch is not None else a.branch,
            a.one_of + b.one_of,
        )
        for a in left
        for b in right
    ]
    return out[:MAX_VARIANTS]


class Normalizer:
    """Builds `Schema` values for one document, memoised on the raw nodes' identity."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        # The sources are kept with the schema so the ids in the key stay unique.
        self._memo: dict[tuple[int, ...], tuple[tuple[Src, ...], Schema]] = {}
        self._ref_free: dict[int, bool] = {}

    def schema(self, srcs: tuple[Src, ...]) -> Schema:
        """The conjunction of `srcs` (one, or several merged from `allOf`s) as a Schema."""
        if not srcs:
            return ANY
        key = (id(srcs[0].node),) if len(srcs) == 1 else tuple(id(src.node) for src in srcs)
        hit = self._memo.get(key)
        if hit is not None:
            return hit[1]
        # Every `$ref` to a schema shares its one Schema, so comparisons of it are
        # memoised once. And the same schema merged twice is itself: without that,
        # a property that allOf parts each declare as a $ref to their own schema
        # would merge two, then four, then eight copies, never meeting the memo.
        unique = self._unique(srcs)
        if unique != srcs:
            built = self.schema(unique)
            self._memo[key] = (srcs, built)
            return built
        dnf = [_Conj((), None)]
        for src in srcs:
            dnf = _product(dnf, self._expand(src.node, src.pointer, frozenset()))
        pointer = self._resolver.deref(srcs[0].node, srcs[0].pointer)[1]
        if len(dnf) == 1:
            built = self._merge(dnf[0].parts, pointer)
        else:
            variants = _fold(
                tuple(self._merge(c.parts, c.branch or pointer, c.one_of) for c in dnf)
            )
            built = variants[0] if len(variants) == 1 else Schema(pointer, variants=variants)
        self._memo[key] = (srcs, built)
        return built

    def _unique(self, srcs: tuple[Src, ...]) -> tuple[Src, ...]:
        """`srcs` with bare `$ref`s followed and repeats dropped."""
        out: dict[int, Src] = {}
        for src in srcs:
            node, pointer = src.node, src.pointer
            if len(node) == 1 and "$ref" in node:
                node, pointer = self._resolver.deref(node, pointer)
            out.setdefault(id(node), Src(node, pointer))
        return tuple(out.values())

    def flag(self, srcs: tuple[Src, ...], keyword: str) -> bool:
        """A boolean keyword (readOnly, writeOnly, deprecated), read without normalising if it can be."""
        if len(srcs) == 1 and _COMPOSITION.isdisjoint(srcs[0].node):
            return srcs[0].node.get(keyword) is True
        return bool(getattr(self.schema(srcs), _FLAG_FIELDS[keyword]))

    def canonical(self, node: Node) -> str:
        """`node` as JSON text with its `$ref`s inlined: a renamed component reads the same."""
        return enum_text(self._inline(node, frozenset()))

    def _inline(self, value: object, stack: frozenset[str]) -> object:
        if isinstance(value, list):
            return [self._inline(item, stack) for item in value]
        if not isinstance(value, Mapping):
            return value
        ref = value.get("$ref")
        if isinstance(ref, str):
            target, at = self._resolver.target(ref, "")
            if at in stack:
                return {"$cycle": at}  # a recursive schema: the loop back, not its text again
            rest = {k: v for k, v in value.items() if k != "$ref"}
            inlined = self._inline(target, stack | {at})
            return [inlined, self._inline(rest, stack)] if rest else inlined
        return {key: self._inline(item, stack) for key, item in value.items()}

    def ref_free(self, node: Node) -> bool:
        """True when no `$ref` occurs anywhere inside `node`."""
        found = self._ref_free.get(id(node))
        if found is None:
            found = "$ref" not in node and all(
                _ref_free_value(self, value) for value in node.values()
            )
            self._ref_free[id(node)] = found
        return found

    def _expand(self, node: Node, pointer: str, stack: frozenset[str]) -> list[_Conj]:
        """`node` in disjunctive normal form: alternatives, each a list of parts."""
        ref = text(node, "$ref")
        if ref is not None:
            target, target_pointer = self._resolver.target(ref, pointer)
            if target_pointer in stack:
                # Composition that loops back on itself: stop, accepting anything there.
                return [_Conj((), None)]
            dnf = self._expand(target, target_pointer, stack | {target_pointer})
            if len(node) == 1:
                return dnf
            # 3.1 allows keywords beside $ref; 3.0 documents use them (nullable) too.
            dnf = _product(dnf, [_Conj((Src(node, pointer),), None)])
        else:
            dnf = [_Conj((Src(node, pointer),), None)]
        for i, member in enumerate(children(node, "allOf")):
            dnf = _product(dnf, self._expand(member, join(pointer, "allOf", i), stack))
        for keyword in ("oneOf", "anyOf"):
            members = children(node, keyword)
            if not members:
                continue
            union: list[_Conj] = []
            for i, member in enumerate(members):
                member_pointer = join(pointer, keyword, i)
                label = self._resolver.deref(member, member_pointer)[1]
                # Alternatives of one oneOf exclude each other; of an anyOf they do not.
                place = ((join(pointer, keyword), i),) if keyword == "oneOf" else ()
                for conj in self._expand(member, member_pointer, stack):
                    union.append(_Conj(conj.parts, conj.branch or label, place + conj.one_of))
            dnf = _product(dnf, union)
        return dnf

    def _merge(
        self, parts: tuple[Src, ...], pointer: str, one_of: tuple[tuple[str, int], ...] = ()
    ) -> Schema:
        """One schema that accepts what every part accepts."""
        m = Merged()
        for part in parts:
            m.add(part.node, part.pointer)
        return m.build(pointer, one_of)


_COMPOSITION = frozenset({"$ref", "allOf", "oneOf", "anyOf"})
_FLAG_FIELDS = {"readOnly": "read_only", "writeOnly": "write_only", "deprecated": "deprecated"}


def _ref_free_value(norm: Normalizer, value: object) -> bool:
    if isinstance(value, Mapping):
        return norm.ref_free(value)
    if isinstance(value, list):
        return all(_ref_free_value(norm, item) for item in value)
    return True


def _fold(variants: tuple[Schema, ...]) -> tuple[Schema, ...]:
    """Variants that only name a type become one, and a null-only variant makes the rest nullable.

    So `oneOf: [X, {type: "null"}]` equals a nullable X and `anyOf` of plain types
    equals a `type` list: the same wire, written another way.
    """
    plain = [v for v in variants if v.types is not None and _is_type_only(v)]
    if not plain:
        return variants
    types = frozenset().union(*(v.types or () for v in plain))
    rest = [v for v in variants if not any(v is p for p in plain)]
    if "null" in types and rest:
        rest = [v if v.types is None else replace(v, types=v.types | {"null"}) for v in rest]
        types = types - {"null"}
    if types:
        rest.insert(0, replace(plain[0], types=types))
    return tuple(rest)


def _is_type_only(schema: Schema) -> bool:
    return all(
        getattr(schema, f.name) == getattr(ANY, f.name)
        for f in fields(Schema)
        if f.name not in ("pointer", "types", "one_of")
    )
