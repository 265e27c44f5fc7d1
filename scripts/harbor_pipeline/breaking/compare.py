"""Compare two contracts operation by operation: parameters, bodies, responses and security."""

from __future__ import annotations

from harbor_pipeline.breaking.findings import Change, Comparison, Finding, finding
from harbor_pipeline.breaking.graph import Direction, Pair
from harbor_pipeline.breaking.load import Spec
from harbor_pipeline.breaking.model import Src
from harbor_pipeline.breaking.nodes import EMPTY, Node, as_node, child, flag, join, text
from harbor_pipeline.breaking.normalize import Normalizer
from harbor_pipeline.breaking.operations import Operation, Param, operations, schema_of
from harbor_pipeline.breaking.resolve import Resolver
from harbor_pipeline.breaking.schemas import SchemaComparer
from harbor_pipeline.breaking.security import security_changes
from harbor_pipeline.breaking.stability import DEFAULT_THRESHOLD, KEY, below, rank
from harbor_pipeline.breaking.wire import wire_pair

# Defaults from the OpenAPI spec, so an explicit default is no change.
_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def compare_specs(base: Spec, revision: Spec, *, threshold: str = DEFAULT_THRESHOLD) -> Comparison:
    """Every finding between two contracts, grouped by operation in document order.

    The findings of an operation whose `x-stability-level` (the base's: what partners were
    promised) is below `threshold` are info, naming the level; lowering a level is an error.
    """
    old_resolver, new_resolver = (
        Resolver(base.root, base.name),
        Resolver(revision.root, revision.name),
    )
    schemas = SchemaComparer(Normalizer(old_resolver), Normalizer(new_resolver))
    old_ops, new_ops = operations(old_resolver), operations(new_resolver)
    work: list[tuple[str, str | None, list[Change], list[Pair]]] = []
    always: list[Finding] = []
    for key in [*old_ops, *(k for k in new_ops if k not in old_ops)]:
        old, new = old_ops.get(key), new_ops.get(key)
        either = old or new
        level = either.level if either is not None else "stable"
        stability = level if below(level, threshold) else None
        if new is None and old is not None:
            work.append((old.label, stability, _removed(old), []))
        elif old is None and new is not None:
            rule = _ADDED[new.webhook, bool(new.owner)]
            work.append(
                (new.label, stability, [Change(rule, new.pointer, f"{new.label} was added")], [])
            )
        elif old is not None and new is not None:
            op = _OperationCompare(schemas, old_resolver, new_resolver, old, new)
            work.append(
                (new.label, stability, op.outgoing() if new.outgoing else op.run(), op.roots)
            )
            if rank(new.level) < rank(old.level):
                at = join(new.pointer, KEY) if KEY in new.node else new.pointer
                message = f"x-stability-level {old.level} became {new.level}"
                change = Change("operation-stability-decreased", at, message)
                always.append(finding(new.label, change))
    findings: list[Finding] = []
    for label, stability, direct, roots in work:
        changes = dict.fromkeys([*direct, *schemas.changes(roots)])
        ordered = sorted((finding(label, c, stability) for c in changes), key=_order)
        findings.extend(ordered)
    findings.extend(always)
    return Comparison(base.name, revision.name, base.version, revision.version, tuple(findings))


# (webhook, callback) -> the rule for one added.
_ADDED = {
    (False, False): "operation-added",
    (True, False): "webhook-added",
    (False, True): "callback-added",
}


def _order(f: Finding) -> tuple[int, str, str, str]:
    return (-f.level.rank, f.pointer, f.id, f.message)


def _removed(op: Operation) -> list[Change]:
    if op.outgoing:
        rule = "webhook-removed" if op.webhook else "callback-removed"
        return [Change(rule, op.pointer, f"{op.label} is no longer sent")]
    changes = [Change("operation-removed", op.pointer, f"{op.label} was removed")]
    if not flag(op.node, "deprecated"):
        message = f"{op.label} was removed without being deprecated first"
        changes.append(Change("operation-removed-without-deprecation", op.pointer, message))
    return changes


def _media(old: Node, new: Node) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """Pairs of media types, then those removed and those added.

    A key matches itself first (parameters such as `version=2` can tell two
    apart), then its type without parameters, then a wildcard of its kind.
    """
    exact = {_media_key(k): k for k in new}
    by_type: dict[str, str] = {}
    for key in new:
        by_type.setdefault(_media_type(key), key)
    matched: list[tuple[str, str]] = []
    removed: list[str] = []
    for key in old:
        kind = _media_type(key)
        candidates = (
            exact.get(_media_key(key)),
            by_type.get(kind),
            by_type.get(kind.split("/")[0] + "/*"),
        )
        found = next((c for c in candidates if c is not None), by_type.get("*/*"))
        if found is None:
            removed.append(key)
        else:
            matched.append((key, found))
    old_types = {_media_type(k) for k in old}
    added = [k for k in new if _media_type(k) not in old_types]
    return matched, removed, added


def _media_type(key: str) -> str:
    return key.split(";")[0].strip().lower()


def _media_key(key: str) -> str:
    return key.replace(" ", "").lower()


def _status_match(code: str, responses: Node) -> str | None:
    """The response documenting `code`: itself, its range (2XX), then `default` for failures."""
    if code in responses:
        return code
    for key in responses:
        if key.upper() == f"{code[:1]}XX":
            return key
    return "default" if "default" in responses and not code.startswith("2") else None


class _OperationCompare:
    """The findings of one operation present on both sides."""

    def __init__(
        self,
        schemas: SchemaComparer,
        old_res: Resolver,
        new_res: Resolver,
        old: Operation,
        new: Operation,
    ) -> None:
        self.schemas = schemas
        self.old_res, self.new_res = old_res, new_res
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.roots: list[Pair] = []

    def add(self, rule: str, pointer: str, message: str) -> None:
        self.changes.append(Change(rule, pointer, message))

    def schema(self, old: tuple[Src, ...], new: tuple[Src, ...], direction: Direction) -> None:
        pair = self.schemas.root(old, new, direction)
        if pair is not None:
            self.roots.append(pair)

    def run(self) -> list[Change]:
        old, new = self.old, self.new
        if flag(new.node, "deprecated") and not flag(old.node, "deprecated"):
            self.add("operation-deprecated", new.pointer, f"{new.label} is deprecated")
        old_id, new_id = text(old.node, "operationId"), text(new.node, "operationId")
        if old_id and new_id and old_id != new_id:
            self.add(
                "operation-id-changed",
                join(new.pointer, "operationId"),
                f"operationId {old_id} became {new_id}",
            )
        self._parameters()
        self._body()
        self._responses()
        self.changes += security_changes(
            self.old_res, old.node, self.new_res, new.node, new.pointer
        )
        return self.changes

    def outgoing(self) -> list[Change]:
        """A webhook or callback: Harbor sends the request and the partner's receiver answers.

        The roles swap, so the directions do: the payload is judged like a response (receivers
        validate what arrives: it must be what they were promised), and the replies of a
        status both document like requests (Harbor must still accept what receivers send).
        """
        old_body = as_node(self.old.node.get("requestBody"))
        new_body = as_node(self.new.node.get("requestBody"))
        if old_body is not None and new_body is not None:
            old, old_at = self.old_res.deref(old_body, join(self.old.pointer, "requestBody"))
            new, new_at = self.new_res.deref(new_body, join(self.new.pointer, "requestBody"))
            self._content(old, old_at, new, new_at, Direction.RESPONSE)
        old_at, new_at = join(self.old.pointer, "responses"), join(self.new.pointer, "responses")
        old_replies, new_replies = (
            child(self.old.node, "responses"),
            child(self.new.node, "responses"),
        )
        for code in old_replies:
            found = _status_match(code, new_replies)
            if found is not None:
                old, old_ptr = self.old_res.deref(child(old_replies, code), join(old_at, code))
                new, new_ptr = self.new_res.deref(child(new_replies, found), join(new_at, found))
                self._content(old, old_ptr, new, new_ptr, Direction.REQUEST)
        return self.changes

    def _parameters(self) -> None:
        old, new = self.old.params, self.new.params
        for key, param in old.items():
            if key not in new:
                self.add(
                    "request-parameter-removed",
                    param.pointer,
                    f"{key[0]} parameter '{param.name}' was removed",
                )
                continue
            self._parameter(key[0], param, new[key])
        for key, param in new.items():
            if key not in old:
                required = flag(param.node, "required") or key[0] == "path"
                rule = "request-required-parameter-added" if required else "request-parameter-added"
                kind = "required" if required else "optional"
                self.add(rule, param.pointer, f"new {kind} {key[0]} parameter '{param.name}'")

    def _parameter(self, where: str, old: Param, new: Param) -> None:
        label = f"{where} parameter '{new.name}'"
        was, now = flag(old.node, "required"), flag(new.node, "required")
        if where != "path" and was != now:
            rule = (
                "request-parameter-became-required" if now else "request-parameter-became-optional"
            )
            self.add(rule, new.pointer, f"{label} became {'required' if now else 'optional'}")
        if flag(new.node, "deprecated") and not flag(old.node, "deprecated"):
            self.add("request-parameter-deprecated", new.pointer, f"{label} is deprecated")
        if _serialization(old.node, where) != _serialization(new.node, where):
            self.add(
                "request-parameter-serialization-changed",
                new.pointer,
                f"{label} is serialised differently",
            )
        if "schema" in old.node and "schema" in new.node:  # text on the wire, not JSON
            self._wire_schema(old.schema, new.schema)
        else:
            self.schema(old.schema, new.schema, Direction.REQUEST)

    def _wire_schema(self, old: tuple[Src, ...], new: tuple[Src, ...]) -> None:
        schemas = self.schemas
        if not schemas.same(old, new):
            base, rev = wire_pair(schemas, schemas.base.schema(old), schemas.rev.schema(new))
            self.roots.append(schemas.root_schemas(base, rev, Direction.REQUEST))

    def _body(self) -> None:
        old_raw, new_raw = (
            as_node(self.old.node.get("requestBody")),
            as_node(self.new.node.get("requestBody")),
        )
        old_at, new_at = (
            join(self.old.pointer, "requestBody"),
            join(self.new.pointer, "requestBody"),
        )
        if old_raw is None and new_raw is None:
            return
        if old_raw is None:
            node, at = self.new_res.deref(new_raw or EMPTY, new_at)
            required = flag(node, "required")
            rule = "request-required-body-added" if required else "request-body-added"
            self.add(rule, at, f"a {'required' if required else 'optional'} request body was added")
            return
        old, old_at = self.old_res.deref(old_raw, old_at)
        if new_raw is None:
            self.add("request-body-removed", old_at, "the request body was removed")
            return
        new, new_at = self.new_res.deref(new_raw, new_at)
        was, now = flag(old, "required"), flag(new, "required")
        if was != now:
            rule = "request-body-became-required" if now else "request-body-became-optional"
            self.add(rule, new_at, f"the request body became {'required' if now else 'optional'}")
        self._content(old, old_at, new, new_at, Direction.REQUEST)

    def _content(
        self, old: Node, old_at: str, new: Node, new_at: str, direction: Direction
    ) -> None:
        old_content, new_content = child(old, "content"), child(new, "content")
        matched, removed, added = _media(old_content, new_content)
        side = direction.value
        for key in removed:
            self.add(
                f"{side}-media-type-removed",
                join(old_at, "content", key),
                f"{side} media type '{key}' was removed",
            )
        for key in added:
            self.add(
                f"{side}-media-type-added",
                join(new_at, "content", key),
                f"{side} media type '{key}' was added",
            )
        for old_key, new_key in matched:
            self.schema(
                _media_schema(old_content, old_key, join(old_at, "content", old_key)),
                _media_schema(new_content, new_key, join(new_at, "content", new_key)),
                direction,
            )

    def _responses(self) -> None:
        old_at, new_at = join(self.old.pointer, "responses"), join(self.new.pointer, "responses")
        old, new = child(self.old.node, "responses"), child(self.new.node, "responses")
        for code in old:
            found = _status_match(code, new)
            success = code.startswith("2")
            if found is None:
                rule = "response-success-status-removed" if success else "response-status-removed"
                self.add(rule, join(old_at, code), f"response status {code} was removed")
                continue
            old_node, old_ptr = self.old_res.deref(child(old, code), join(old_at, code))
            new_node, new_ptr = self.new_res.deref(child(new, found), join(new_at, found))
            self._headers(old_node, old_ptr, new_node, new_ptr)
            self._content(old_node, old_ptr, new_node, new_ptr, Direction.RESPONSE)
        for code in new:
            if _status_match(code, old) is None:
                success = code.startswith("2")
                rule = "response-success-status-added" if success else "response-status-added"
                self.add(rule, join(new_at, code), f"response status {code} was added")

    def _headers(self, old: Node, old_at: str, new: Node, new_at: str) -> None:
        old_headers = _headers(self.old_res, old, old_at)
        new_headers = _headers(self.new_res, new, new_at)
        for name, (node, at) in old_headers.items():
            found = new_headers.get(name)
            if found is None:
                self.add("response-header-removed", at, f"response header {name} was removed")
                continue
            new_node, new_header_at = found
            if flag(node, "required") and not flag(new_node, "required"):
                self.add(
                    "response-header-became-optional",
                    new_header_at,
                    f"response header {name} became optional",
                )
            self.schema(schema_of(node, at), schema_of(new_node, new_header_at), Direction.RESPONSE)
        for name, (_, at) in new_headers.items():
            if name not in old_headers:
                self.add("response-header-added", at, f"response header {name} was added")


def _headers(resolver: Resolver, response: Node, at: str) -> dict[str, tuple[Node, str]]:
    """Response headers by lower-case name (HTTP header names ignore case)."""
    out: dict[str, tuple[Node, str]] = {}
    for name, raw in child(response, "headers").items():
        if name.lower() != "content-type" and (node := as_node(raw)) is not None:
            out[name.lower()] = resolver.deref(node, join(at, "headers", name))
    return out


def _media_schema(content: Node, key: str, at: str) -> tuple[Src, ...]:
    schema = as_node(child(content, key).get("schema"))
    return (Src(schema, join(at, "schema")),) if schema is not None else ()


def _serialization(node: Node, where: str) -> tuple[str, bool]:
    style = text(node, "style") or _STYLE.get(where, "form")
    explode = node.get("explode")
    return style, explode if isinstance(explode, bool) else style == "form"
