"""The hand-picked cases: every family applied to every operation the spec has, wherever the
operation has the part the family attacks (a path parameter, a query, a body, a token ...).
The families that attack headers, tokens and framing are in `messages`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from urllib.parse import quote

from tests.long.hostile.checker import Case, Expect
from tests.long.hostile.messages import framing, headers, oversized_headers, tokens
from tests.long.hostile.operations import Operation
from tests.long.hostile.template import (
    Template,
    body_expectation,
    case,
    template,
    with_member,
)
from tests.long.hostile.values import (
    BAD_BODIES,
    BAD_LIMITS,
    INJECTION_STRINGS,
    JSON_FRAGMENTS,
    ODD_LIMITS,
    PATH_SEGMENTS,
)
from tests.long.hostile.world import World

Family = Callable[[Operation, World], Iterator[Case]]


def baseline(op: Operation, world: World) -> Iterator[Case]:
    yield case(template(op, world), world, "baseline", "valid request", Expect.SUCCESS)


def path_parameters(op: Operation, world: World) -> Iterator[Case]:
    t = template(op, world)
    for p in op.parameter("path"):
        for label, segment in PATH_SEGMENTS:
            yield case(
                t.with_path(p.name, segment), world, "path", f"{p.name}={label}", Expect.REJECT
            )
        # Traversal towards B's resources: the path a naive join would resolve to B's list.
        escape = b"..%2f" * 4 + b"v1%2fcustomers%2f" + world.b.id.encode() + b"%2forders"
        yield case(
            t.with_path(p.name, escape), world, "path", f"{p.name}=traversal-to-B", Expect.REJECT
        )


def cross_customer(op: Operation, world: World) -> Iterator[Case]:
    """A's token with B's ids in the path, body or cursor; B's token on A's resources."""
    if not op.secured:
        return
    a, b = template(op, world), template(op, world, world.b)
    for p in op.parameter("path"):
        yield case(
            a.with_path(p.name, b.path[p.name]),
            world,
            "cross-customer",
            f"B's {p.name}",
            Expect.REJECT,
        )
    if len(op.parameter("path")) > 1:
        yield case(
            replace_path(a, b.path), world, "cross-customer", "all of B's path", Expect.REJECT
        )
    if a.body is not None and b"customer_id" in a.body:
        doc = json.loads(a.body)
        yield case(
            a.with_body(json.dumps({**doc, "customer_id": world.b.id}).encode()),
            world,
            "cross-customer",
            "B's customer_id in the body",
            Expect.REJECT,
        )
    if op.operation_id in world.b.cursors:
        cursor = world.b.cursors[op.operation_id].encode()
        yield case(
            a.with_query((b"cursor", cursor)), world, "cross-customer", "B's cursor", Expect.REJECT
        )
    own = template(op, world, world.b)  # B's token, A's resources
    if op.parameter("path"):
        yield case(
            replace_path(own, a.path),
            world,
            "cross-customer",
            "B's token on A's path",
            Expect.REJECT,
            caller=world.b,
        )


def replace_path(t: Template, values: dict[str, bytes]) -> Template:
    for name, value in values.items():
        t = t.with_path(name, value)
    return t


def query_parameters(op: Operation, world: World) -> Iterator[Case]:
    t = template(op, world)
    for p in op.parameter("query"):
        name = p.name.encode()
        if p.schema.get("type") == "integer":
            for value in BAD_LIMITS:
                yield case(
                    t.with_query((name, value.encode())),
                    world,
                    "query",
                    f"{p.name}={value[:20]}",
                    Expect.REJECT,
                )
            for value in ODD_LIMITS:
                yield case(
                    t.with_query((name, value.encode())),
                    world,
                    "query",
                    f"{p.name}={value}",
                    Expect.ANY,
                )
            yield case(
                t.with_query((name, b"1"), (name, b"1000")),
                world,
                "query",
                f"{p.name} twice, last invalid",
                Expect.ANY,
            )
        else:
            for label, value in INJECTION_STRINGS:
                encoded = quote(value, safe="").encode()
                yield case(
                    t.with_query((name, encoded)),
                    world,
                    "query",
                    f"{p.name}={label}",
                    Expect.REJECT,
                )
            for label, raw in (
                ("raw-invalid-utf8", b"\xff\xfe"),
                ("encoded-invalid-utf8", b"%ff%fe"),
                ("empty", b""),
                ("encoded-nul", b"%00"),
            ):
                yield case(
                    t.with_query((name, raw)), world, "query", f"{p.name}={label}", Expect.REJECT
                )
    for label, pair in (
        ("undeclared B customer_id", (b"customer_id", world.b.id.encode())),
        ("undeclared proto", (b"__proto__%5Badmin%5D", b"1")),
        ("undeclared sql", (b"debug", quote("' OR 1=1 --").encode())),
        ("bracketed limit", (b"limit%5B%5D", b"1")),
        ("query 8k", (b"q", b"x" * 8000)),
    ):
        yield case(t.with_query(pair), world, "query", label, Expect.ANY)


def cursors(op: Operation, world: World) -> Iterator[Case]:
    if op.operation_id not in world.a.cursors:
        if any(p.name == "cursor" for p in op.parameter("query")):
            raise AssertionError(f"{op.operation_id} takes a cursor but the world seeded none")
        return
    t = template(op, world)
    real = world.a.cursors[op.operation_id]
    raw = base64.urlsafe_b64decode(real + "=" * (-len(real) % 4))

    def encode(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    tampered: list[tuple[str, bytes]] = []
    for index in range(len(raw)):
        flipped = bytearray(raw)
        flipped[index] ^= 1 << (index % 8)
        tampered.append((f"bit flip in byte {index}", encode(bytes(flipped))))
    for keep in (1, 4, len(raw) // 2, len(raw) - 1):
        tampered.append((f"truncated to {keep} bytes", encode(raw[:keep])))
    tampered.append(("one character dropped", real[:-1].encode()))
    tampered.append(("byte appended", encode(raw + b"\x00")))
    tampered.append(("padding added", real.encode() + b"=="))
    tampered.append(("standard base64", base64.b64encode(raw)))
    tampered.append(("base64 junk", b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
    tampered.append(("max length junk", b"A" * 512))
    tampered.append(("over max length", b"A" * 513))
    tampered.append(("not base64", b"%21%40%23%24"))
    tampered.append(("encoded nul", real.encode() + b"%00"))
    tampered.append(("sql", quote("' OR 1=1 --").encode()))
    tampered.append(("json", quote('{"created_at":0,"id":"x"}').encode()))
    for other, cursor in world.a.cursors.items():
        if other != op.operation_id:
            tampered.append((f"A's cursor of {other}", cursor.encode()))
    for label, value in tampered:
        yield case(t.with_query((b"cursor", value)), world, "cursor", label, Expect.REJECT)


def bodies(op: Operation, world: World) -> Iterator[Case]:
    t = template(op, world)
    if t.body is None:
        # A body where none is declared: ignored or refused, never a crash.
        for label, body in (("json", b'{"customer_id": "x"}'), ("binary", bytes(range(256)))):
            yield case(
                t.with_header(b"Content-Type", b"application/json").with_body(body),
                world,
                "body",
                f"unexpected {label} body",
                Expect.ANY,
            )
        return
    for label, body in BAD_BODIES:
        yield case(t.with_body(body), world, "body", label, Expect.REJECT)
    doc = json.loads(t.body)
    for name in op.body_fields:
        for label, fragment in JSON_FRAGMENTS:
            body = with_member(doc, name, fragment)
            yield case(
                t.with_body(body),
                world,
                "body-field",
                f"{name}={label}",
                body_expectation(op, body),
            )
        body = with_member(doc, name, "[" * 100_000 + "]" * 100_000)
        yield case(t.with_body(body), world, "body-field", f"{name}=nested-100k", Expect.REJECT)
        body = with_member(doc, name, '{"a":' * 20_000 + "1" + "}" * 20_000)
        yield case(
            t.with_body(body), world, "body-field", f"{name}=nested-object-20k", Expect.REJECT
        )
        rest = {k: v for k, v in doc.items() if k != name}
        body = json.dumps(rest).encode()
        yield case(
            t.with_body(body), world, "body-field", f"{name} missing", body_expectation(op, body)
        )
    extra = with_member(doc, "risk_score", "0")
    yield case(
        t.with_body(extra), world, "body-field", "undeclared member risk_score", Expect.REJECT
    )
    # Duplicate keys: the last wins (as in every json.loads server); what counts is that the
    # server acts on the value it validated, so B's id never wins a success for A.
    first = next(iter(doc))
    for label, value in (("B's id", world.b.id), ("injection", "' OR 1=1 --")):
        valid = json.dumps(doc[first])
        dup_last = json.dumps(doc)[:-1] + f', "{first}": {json.dumps(value)}}}'
        dup_first = "{" + f'"{first}": {json.dumps(value)}, ' + json.dumps(doc)[1:]
        yield case(
            t.with_body(dup_last.encode()),
            world,
            "duplicate-keys",
            f"{first} then {label}",
            Expect.ANY,
        )
        yield case(
            t.with_body(dup_first.encode()),
            world,
            "duplicate-keys",
            f"{label} then {first} ({valid[:20]})",
            Expect.ANY,
        )
    for label, content_type, expect in (
        ("text/plain", b"text/plain", Expect.REJECT),
        ("form", b"application/x-www-form-urlencoded", Expect.REJECT),
        ("multipart", b"multipart/form-data; boundary=x", Expect.REJECT),
        ("xml", b"application/xml", Expect.REJECT),
        ("text/json", b"text/json", Expect.REJECT),
        ("json suffix", b"application/merge-patch+json", Expect.REJECT),
        ("jsonx", b"application/jsonx", Expect.REJECT),
        ("empty", b"", Expect.REJECT),
        ("wildcard", b"*/*", Expect.REJECT),
        ("list", b"text/html, application/json", Expect.REJECT),
        ("nul", b"application/json\x00", Expect.ANY),
        ("invalid utf-8", b"application/\xffjson", Expect.REJECT),
        ("missing", None, Expect.REJECT),
        ("upper case", b"APPLICATION/JSON", Expect.ANY),
        ("charset utf-16 with utf-8 body", b"application/json; charset=utf-16", Expect.ANY),
        ("odd parameters", b'application/json;;;a="b"', Expect.ANY),
        ("sql", b"' OR 1=1 --", Expect.REJECT),
    ):
        yield case(
            t.with_header(b"Content-Type", content_type), world, "content-type", label, expect
        )


FAMILIES: tuple[Family, ...] = (
    baseline,
    path_parameters,
    cross_customer,
    query_parameters,
    cursors,
    headers,
    oversized_headers,
    tokens,
    bodies,
    framing,
)


def corpus(op: Operation, world: World) -> list[Case]:
    """Every hand-picked case for `op`, the valid baseline first."""
    return [c for family in FAMILIES for c in family(op, world)]
