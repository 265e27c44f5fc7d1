"""Resource groups (`client.orders.create`): which operations form one, and their short names.

A group is the operation's first tag, or its path's first static segment when it has none
(`/v1/orders/{id}` -> `orders`, version segments skipped). A member's short name is its flat
name with the group's noun taken out when it follows the verb (`create_order` -> `create`).
Whenever a short name is not a safe, unique identifier the member keeps its flat name, so the
outcome never depends on the order collisions are met in; the flat methods stay as they are.

A spec with signed `webhooks` gets `client.webhooks.unwrap`: on the `webhooks` group when one
exists (an operation there keeps its flat name rather than take `unwrap`), else on a group of
its own; the method is `unwrap_webhook` when even a flat name is `unwrap`.

An operation on a nested path, `/customers/{customer_id}/orders[/{order_id}]` (two static
segments, a parameter between), is also a member of a sub-resource, `client.customers.orders`,
named with both nouns taken out (`list_customer_orders` -> `list`). The parent is the group of
that name (made, without operations, if there is none); a sub-resource is made only when it
names one of its members more shortly than the flat name (so `/x/{id}/rotate-secret`, an
action, is none), and not when a member of its parent has its name or the parent's name is a
flat method. Its members' names are
resolved as a group's are. The operation keeps its place in its own group and its flat name.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable, Mapping

from ..names import pascal, snake
from . import ir
from .naming import camel

_VERSION = re.compile(r"v\d+(\.\d+)*|\d{4}-\d{2}-\d{2}")
# Attributes of the clients and the resource classes a group or member may not take, and
# `property`: the class bodies decorate with the builtin, which such an attribute would shadow.
RESERVED_GROUPS = frozenset(
    {"close", "aclose", "base_url", "with_options", "with_raw_response", "property"}
)
RESERVED_TS = frozenset({"raw", "constructor", "withOptions"})
WEBHOOKS = "webhooks"
_UNWRAP = ("unwrap", "unwrap_webhook", "unwrap_webhook_event")


def group_of(tags: object, path: str) -> str:
    """The group an operation belongs to: its first tag, else its path's first static segment."""
    if isinstance(tags, list) and tags and str(tags[0]).strip():
        return str(tags[0])
    for segment in path.strip("/").split("/"):
        if segment and not segment.startswith("{") and not _VERSION.fullmatch(segment):
            return segment
    return "default"


def resources(
    ops: Iterable[ir.Operation],
    groups: Mapping[str, str],
    docs: Mapping[str, str],
    webhooks: bool = False,
) -> tuple[ir.Resource, ...]:
    """The resource groups of `ops` (grouped by `groups[operation_id]`), sorted by name; with
    `webhooks`, the `webhooks` group (made if need be) also unwraps deliveries."""
    ops = tuple(ops)
    flat = {op.py_name for op in ops} | {op.pagination.iter_name for op in ops if op.pagination}
    ts_flat = {op.ts_name for op in ops} | {
        op.pagination.ts_iter_name for op in ops if op.pagination
    }
    by_name: dict[str, list[ir.Operation]] = {}
    tags: dict[str, str] = {}
    for op in ops:
        group = groups[op.operation_id]
        name = snake(group, fallback="default")
        by_name.setdefault(name, []).append(op)
        tags.setdefault(name, group)  # two tags of one snake name merge, the first names it
    if webhooks:
        by_name.setdefault(WEBHOOKS, [])
        tags.setdefault(WEBHOOKS, WEBHOOKS)
    nested = _nested(ops)
    for parent, by_child in nested.items():
        fresh = parent not in {*by_name, *flat, *RESERVED_GROUPS}
        if fresh and _children((parent, parent, camel(parent)), by_child, set()):
            by_name[parent] = []
            tags[parent] = parent
    found = []
    for name in sorted(by_name):
        attr = name + "_" if name in flat | RESERVED_GROUPS else name
        ts_attr = camel(attr)
        if ts_attr in ts_flat | RESERVED_TS:
            ts_attr += "_"
        unwraps = webhooks and name == WEBHOOKS
        members = _members(name, by_name[name], frozenset(_UNWRAP[:1] if unwraps else ()))
        taken = {n for m in members for n in (m.name, m.iter_name, m.ts_name, m.ts_iter_name)}
        unwrap = next((u for u in _UNWRAP if not {u, camel(u)} & taken), None) if unwraps else None
        found.append(
            ir.Resource(
                name=attr,
                ts_name=ts_attr,
                class_name=pascal(name, fallback="Default") + "Resource",
                # The tag's first paragraph: a docstring's summary, not the whole guide.
                description=docs.get(tags[name], "").strip().split("\n\n")[0]
                or (
                    "Verify and parse the webhook deliveries this API sends."
                    if unwraps and not by_name[name]
                    # A parent made only for nested paths (`customers`) holds sub-resources.
                    else f"The {tags[name]} operations."
                ),
                members=members,
                unwrap=unwrap,
                ts_unwrap=camel(unwrap) if unwrap else None,
                children=_children(
                    (name, attr, ts_attr),
                    nested.get(name, {}),
                    taken | set(_UNWRAP[:1] if unwrap else ()),
                ),
            )
        )
    return tuple(found)


def _nested(ops: tuple[ir.Operation, ...]) -> dict[str, dict[str, list[ir.Operation]]]:
    """Operations on `/parent/{id}/child[/{id}]` paths, by parent then child (snake names)."""
    found: dict[str, dict[str, list[ir.Operation]]] = {}
    for op in ops:
        segments = [s for s in op.path.strip("/").split("/") if not _VERSION.fullmatch(s)]
        shape = ["{" if s.startswith("{") else s for s in segments]
        if len(shape) in (3, 4) and shape[1] == "{" and shape[0] != "{" and shape[2] != "{":
            if len(shape) == 4 and shape[3] != "{":
                continue
            parent, child = snake(segments[0], fallback=""), snake(segments[2], fallback="")
            if parent and child and parent != child:
                found.setdefault(parent, {}).setdefault(child, []).append(op)
    return found


def _children(
    names: tuple[str, str, str], by_child: Mapping[str, list[ir.Operation]], taken: set[str]
) -> tuple[ir.Resource, ...]:
    """The sub-resources of the group `names` (its snake name, Python and TypeScript attributes)."""
    parent, attr, ts_attr = names
    children = []
    for child in sorted(by_child):
        if not _safe(child) or child in taken or camel(child) in taken:
            continue
        noun = f"{_singular(parent)}_{child}"
        members = _members(noun, by_child[child], frozenset())
        if all(m.name == m.operation.py_name for m in members):
            continue  # nesting names nothing better: `/x/{id}/rotate-secret` is an action
        children.append(
            ir.Resource(
                name=child,
                ts_name=camel(child),
                class_name=pascal(f"{parent}_{child}", fallback="Default") + "Resource",
                description=f"The {child} of one of the {parent}.",
                members=members,
                parent=attr,
                ts_parent=ts_attr,
            )
        )
    return tuple(children)


def _members(
    group: str, ops: list[ir.Operation], reserved: frozenset[str]
) -> tuple[ir.Member, ...]:
    short = {op.operation_id: _short(group, op.py_name) for op in ops}
    short = {i: _flat(ops, i) if name in reserved else name for i, name in short.items()}
    while True:  # terminates: flat names are unique (parse.check_names), so fallbacks end it
        claims: dict[str, list[str]] = {}
        for op in ops:
            name = short[op.operation_id]
            names = (name, f"iter_{name}") if op.pagination else (name,)
            ts = camel(name)
            for claim in (*names, "ts:" + ts, *(("ts:iter_" + ts,) if op.pagination else ())):
                claims.setdefault(claim, []).append(op.operation_id)
        clashing = {i for ids in claims.values() if len(ids) > 1 for i in ids}
        clashing = {i for i in clashing if short[i] != _flat(ops, i)}
        if not clashing:
            break
        for operation_id in clashing:
            short[operation_id] = _flat(ops, operation_id)
    members = []
    for op in ops:
        name = short[op.operation_id]
        ts_name = op.ts_name if name == op.py_name else camel(name)
        members.append(
            ir.Member(
                name=name,
                ts_name=ts_name,
                iter_name=f"iter_{name}",
                ts_iter_name="iter" + pascal(name, fallback="Operation"),
                operation=op,
            )
        )
    return tuple(members)


def _flat(ops: list[ir.Operation], operation_id: str) -> str:
    return next(op.py_name for op in ops if op.operation_id == operation_id)


def _short(group: str, flat: str) -> str:
    """`create_order` in `orders` -> `create`; the flat name when no safe short one exists."""
    words = flat.split("_")
    noun = group.split("_")
    for form in (noun, [*noun[:-1], _singular(noun[-1])]):
        for start in (1, 0):
            if words[start : start + len(form)] == form:
                rest = words[:start] + words[start + len(form) :]
                name = "_".join(rest)
                if _safe(name):
                    return name
    return flat


def _safe(name: str) -> bool:
    return (
        name.isidentifier()
        and not name.startswith("_")
        and not name.endswith("_")
        and not keyword.iskeyword(name)
        and not keyword.issoftkeyword(name)
        and name not in RESERVED_GROUPS
        and name not in RESERVED_TS
        and camel(name) not in RESERVED_TS
    )


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 3:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
