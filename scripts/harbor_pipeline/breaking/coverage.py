"""Which breaking findings a version change can answer: renames, conversions to write, or none.

Between two consecutive versions the server converts bodies: a request written for the older
version is upgraded before the handler sees it, a response is downgraded after. A finding
inside a component schema that the operation's body reaches can be answered that way; a
finding about anything else (security, statuses, parameters, inline schemas) cannot, and the
gate goes on refusing it. docs/versioning.md is the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from harbor_pipeline.breaking.findings import Comparison, Finding, Level
from harbor_pipeline.breaking.load import Spec
from harbor_pipeline.breaking.nodes import Node, as_node, child, children, text

RENAMED_FROM = "x-harbor-renamed-from"
_COMPONENT = "#/components/schemas/"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# What a rename may change besides the name: the prose around the property.
_PROSE = frozenset({"description", "example", "examples", "title", RENAMED_FROM})

# A place in a body: property names, `*` for every item of an array.
Path = tuple[str, ...]
# Where each component schema sits in one operation's bodies: slot ("request" or a status) ->
# (path, schema name) pairs, outermost first.
Slots = dict[str, tuple[tuple[Path, str], ...]]


@dataclass(frozen=True, slots=True)
class Conversion:
    """A conversion a person writes: `upgrade_x` for requests, `downgrade_x` for responses."""

    direction: str  # "upgrade" or "downgrade"
    schema: str
    findings: tuple[Finding, ...]

    @property
    def method(self) -> str:
        return f"{self.direction}_{snake(self.schema)}"


@dataclass(frozen=True, slots=True)
class Coverage:
    """The breaking findings between two versions, sorted by what answers them."""

    previous: str
    version: str
    renamed: Mapping[str, tuple[tuple[str, str], ...]]  # schema -> (new name, old name)
    by_rename: tuple[Finding, ...]
    conversions: tuple[Conversion, ...]
    uncovered: tuple[Finding, ...]

    def answer(self, finding: Finding) -> str | None:
        """How the version change answers `finding`, or None when nothing can."""
        if finding in self.by_rename:
            return "renamed (x-harbor-renamed-from)"
        for conversion in self.conversions:
            if finding in conversion.findings:
                return f"{conversion.method} (written in service/versions/)"
        return None


def snake(name: str) -> str:
    """`OrderCreate` -> `order_create`; anything not a letter or digit becomes `_`."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return re.sub(r"[^0-9a-zA-Z]+", "_", spaced).strip("_").lower() or "schema"


def coverage(comparison: Comparison, base: Spec, revision: Spec) -> Coverage:
    """Sort `comparison`'s errors by what answers them in the change `base` -> `revision`."""
    renamed = renames(base, revision)
    places = locations(revision.root)
    by_rename: list[Finding] = []
    needed: dict[tuple[str, str], list[Finding]] = {}
    uncovered: list[Finding] = []
    for finding in comparison.findings:
        if finding.level is not Level.ERROR or not finding.counts:
            continue
        schema, prop = _component(finding.pointer)
        if schema is None:
            uncovered.append(finding)
        elif prop is not None and any(prop in pair for pair in renamed.get(schema, ())):
            by_rename.append(finding)
        elif (direction := _direction(finding, schema, places)) is None:
            uncovered.append(finding)
        else:
            needed.setdefault((direction, schema), []).append(finding)
    conversions = tuple(
        Conversion(direction, schema, tuple(found))
        for (direction, schema), found in sorted(needed.items())
    )
    return Coverage(
        base.version, revision.version, renamed, tuple(by_rename), conversions, tuple(uncovered)
    )


def renames(base: Spec, revision: Spec) -> dict[str, tuple[tuple[str, str], ...]]:
    """Pure renames: the property marked `x-harbor-renamed-from` in the revision, whose old
    property existed with the same schema and the same required-ness. A rename that also
    changes the schema is not mechanical, and is left to a written conversion."""
    old_schemas = child(child(base.root, "components"), "schemas")
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for name, node in sorted(child(child(revision.root, "components"), "schemas").items()):
        schema, old = as_node(node), as_node(old_schemas.get(name))
        if schema is None or old is None:
            continue
        pairs = []
        for prop, sub in sorted(child(schema, "properties").items()):
            source = text(as_node(sub) or {}, RENAMED_FROM)
            before = as_node(child(old, "properties").get(source or ""))
            if (
                source
                and before is not None
                and _same_property((schema, prop, as_node(sub) or {}), (old, source, before))
            ):
                pairs.append((prop, source))
        if pairs:
            found[name] = tuple(pairs)
    return found


def _same_property(new: tuple[Node, str, Node], old: tuple[Node, str, Node]) -> bool:
    def required(owner: Node, prop: str) -> bool:
        listed = owner.get("required")
        return isinstance(listed, list) and prop in listed

    def bare(node: Node) -> dict[str, object]:
        return {k: v for k, v in node.items() if k not in _PROSE}

    return required(new[0], new[1]) == required(old[0], old[1]) and bare(new[2]) == bare(old[2])


def _component(pointer: str) -> tuple[str | None, str | None]:
    """The component schema a pointer is in, and the property it names right below it."""
    if not pointer.startswith(_COMPONENT):
        return None, None
    tokens = [
        t.replace("~1", "/").replace("~0", "~") for t in pointer[len(_COMPONENT) :].split("/")
    ]
    prop = tokens[2] if len(tokens) >= 3 and tokens[1] == "properties" else None
    return tokens[0], prop


def _direction(finding: Finding, schema: str, places: Mapping[str, Slots]) -> str | None:
    """`upgrade` for a request finding whose schema the operation's request body reaches,
    `downgrade` for a response finding whose schema one of its response bodies reaches."""
    slots = places.get(finding.operation, {})
    if finding.id.startswith("request-"):
        reached = any(name == schema for _, name in slots.get("request", ()))
        return "upgrade" if reached else None
    if finding.id.startswith("response-"):
        reached = any(
            name == schema
            for slot, pairs in slots.items()
            if slot != "request"
            for _, name in pairs
        )
        return "downgrade" if reached else None
    return None


def locations(root: Node) -> dict[str, Slots]:
    """For every operation (`POST /v1/orders`, `WEBHOOK POST order.created`), where each
    component schema sits in its JSON request body and in each response's JSON body.

    A webhook's payload is a request Harbor sends, so it is a response here: the slot is the
    payload's, named `payload`.
    """
    found: dict[str, Slots] = {}
    schemas = child(child(root, "components"), "schemas")
    for section, prefix in (("paths", ""), ("webhooks", "WEBHOOK ")):
        for path, item in sorted(child(root, section).items()):
            for method in _METHODS:
                operation = as_node(child(as_node(item) or {}, method))
                if not operation:
                    continue
                slots = _slots(root, operation, schemas, webhook=bool(prefix))
                if slots:
                    found[f"{prefix}{method.upper()} {path}"] = slots
    return found


def _slots(root: Node, operation: Node, schemas: Node, *, webhook: bool) -> Slots:
    slots: Slots = {}
    body = _deref(root, child(operation, "requestBody"))
    request = tuple(_walk(root, schemas, _json_schema(body), (), frozenset()))
    if request:
        slots["payload" if webhook else "request"] = request
    if webhook:
        return slots
    for status, response in sorted(child(operation, "responses").items()):
        pairs = tuple(
            _walk(
                root, schemas, _json_schema(_deref(root, as_node(response) or {})), (), frozenset()
            )
        )
        if pairs:
            slots[str(status)] = pairs
    return slots


def _json_schema(holder: Node) -> Node:
    for media, content in sorted(child(holder, "content").items()):
        if media.split(";")[0].strip().endswith("json"):
            return child(as_node(content) or {}, "schema")
    return {}


def _deref(root: Node, node: Node) -> Node:
    ref = text(node, "$ref")
    while ref and ref.startswith("#/"):
        target: object = root
        for token in ref[2:].split("/"):
            step = as_node(target)
            target = step.get(token.replace("~1", "/").replace("~0", "~")) if step else None
        node = as_node(target) or {}
        ref = text(node, "$ref")
    return node


def _walk(
    root: Node, schemas: Node, node: Node, path: Path, seen: frozenset[str]
) -> Iterator[tuple[Path, str]]:
    """Each component schema reached from `node`, with the body path it sits at."""
    ref = text(node, "$ref")
    if ref and ref.startswith(_COMPONENT):
        name = ref[len(_COMPONENT) :]
        if name in seen:
            return
        yield path, name
        seen = seen | {name}
        node = as_node(schemas.get(name)) or {}
    for key in ("allOf", "oneOf", "anyOf"):
        for part in children(node, key):
            yield from _walk(root, schemas, part, path, seen)
    for prop, sub in sorted(child(node, "properties").items()):
        yield from _walk(root, schemas, as_node(sub) or {}, (*path, prop), seen)
    items = as_node(node.get("items"))
    if items is not None:
        yield from _walk(root, schemas, items, (*path, "*"), seen)
