"""A valid request for each operation, made by customer A against A's own seeded resources; every
hostile case is this template with one part replaced."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from service.versions.changes import served_versions
from tests.long.hostile.checker import Case, Expect
from tests.long.hostile.operations import SPEC, Operation
from tests.long.hostile.wire import Request
from tests.long.hostile.world import Customer, World

Headers = tuple[tuple[bytes, bytes], ...]
GENERATED_KEY = re.compile(rb"hostile-[0-9a-f]{24}")


@dataclass(frozen=True)
class Template:
    op: Operation
    path: dict[str, bytes]
    query: tuple[tuple[bytes, bytes], ...]
    headers: Headers
    body: bytes | None

    def with_path(self, name: str, value: bytes) -> Template:
        return replace(self, path={**self.path, name: value})

    def with_header(self, name: bytes, value: bytes | None) -> Template:
        kept = tuple((k, v) for k, v in self.headers if k.lower() != name.lower())
        return replace(self, headers=kept if value is None else (*kept, (name, value)))

    def with_query(self, *pairs: tuple[bytes, bytes]) -> Template:
        return replace(self, query=(*self.query, *pairs))

    def with_body(self, body: bytes | None) -> Template:
        return replace(self, body=body)

    def target(self) -> bytes:
        path = self.op.path.encode()
        for name, value in self.path.items():
            path = path.replace(b"{" + name.encode() + b"}", value)
        if self.query:
            path += b"?" + b"&".join(k + b"=" + v for k, v in self.query)
        return path

    def request(self, **overrides: Any) -> Request:
        return Request(
            method=self.op.method.encode(),
            target=self.target(),
            headers=self.headers,
            body=self.body or b"",
            **overrides,
        )


def path_values(op: Operation, customer: Customer) -> dict[str, bytes]:
    endpoint = customer.endpoint_ids[0]
    if op.method == "DELETE":
        endpoint = customer.spare_endpoint_ids[0]
    values = {
        "customer_id": customer.id,
        "order_id": customer.order_ids[1] if op.path.endswith("/cancel") else customer.order_ids[0],
        "endpoint_id": endpoint,
        "delivery_id": customer.deliveries[customer.endpoint_ids[0]][0],
    }
    missing = {p.name for p in op.parameter("path")} - set(values)
    assert not missing, f"{op.operation_id}: no seeded value for path parameters {missing}"
    return {p.name: values[p.name].encode() for p in op.parameter("path")}


def body_document(op: Operation, customer: Customer) -> dict[str, Any] | None:
    if op.body_schema is None:
        return None
    fields = set(op.body_fields)
    if {"customer_id", "amount_cents", "currency"} <= fields:
        return {
            "customer_id": customer.id,
            "amount_cents": 1234,
            "currency": "EUR",
            "statement_descriptor": "hostile suite",
            "metadata": {"k": "v"},
            "payment_method": {"type": "card", "token": "tok_4242abcd"},
        }
    if {"url", "event_types"} <= fields:
        return {
            "url": "http://127.0.0.1:9/hostile",
            "event_types": ["order.created"],
            "description": "hostile suite",
        }
    if fields == {"previous_secret_valid_seconds"}:
        return {"previous_secret_valid_seconds": 3600}
    if fields == {"version"}:
        # The newest served version: moving a pin to it must succeed from any pin.
        return {"version": served_versions().newest}
    raise AssertionError(f"{op.operation_id}: the suite has no valid body for fields {fields}")


def header_values(op: Operation) -> Headers:
    values = {"Idempotency-Key": lambda: f"hostile-{secrets.token_hex(12)}"}
    headers: list[tuple[bytes, bytes]] = []
    for p in op.parameter("header"):
        if p.name not in values:
            raise AssertionError(f"{op.operation_id}: the suite has no value for header {p.name}")
        headers.append((p.name.encode(), values[p.name]().encode()))
    return tuple(headers)


def template(op: Operation, world: World, customer: Customer | None = None) -> Template:
    customer = customer or world.a
    headers: list[tuple[bytes, bytes]] = [*header_values(op)]
    if op.secured:
        headers.append((b"Authorization", b"Bearer " + world.token(customer).encode()))
    doc = body_document(op, customer)
    body = None
    if doc is not None:
        headers.append((b"Content-Type", b"application/json"))
        body = json.dumps(doc).encode()
    return Template(op, path_values(op, customer), (), tuple(headers), body)


def fresh_key(t: Template) -> Template:
    """A new Idempotency-Key where the template's own is still there, so no two cases share one
    (a case that puts its own value there keeps it)."""
    for name, value in t.headers:
        if name == b"Idempotency-Key" and GENERATED_KEY.fullmatch(value):
            return t.with_header(name, f"hostile-{secrets.token_hex(12)}".encode())
    return t


@cache
def _validator(operation_id: str) -> Draft202012Validator | None:
    document = yaml.safe_load(SPEC.read_text())
    for item in document["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                content = op.get("requestBody", {}).get("content", {}).get("application/json")
                if content is None:
                    return None
                schema = {**content["schema"], "components": document["components"]}
                return Draft202012Validator(schema)
    return None


def body_expectation(op: Operation, body: bytes) -> Expect:
    """REJECT when the body is no JSON document the schema accepts, ANY otherwise."""
    validator = _validator(op.operation_id)
    if validator is None:
        return Expect.ANY
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return Expect.REJECT
    if not _finite(document):
        return Expect.REJECT  # NaN, Infinity, 1e400: not JSON numbers
    try:
        return Expect.ANY if validator.is_valid(document) else Expect.REJECT
    except RecursionError:
        return Expect.REJECT


def parameter_expectation(schema: dict[str, Any], value: str) -> Expect:
    """REJECT when the parameter's schema refuses `value` (as the server reads it), ANY otherwise."""
    return Expect.ANY if Draft202012Validator(schema).is_valid(value) else Expect.REJECT


def _finite(document: Any) -> bool:
    """No NaN or infinity anywhere; iterative, since a document json.loads just managed to nest
    leaves too little stack for a recursive walk."""
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, float) and (value != value or value in (_INF, -_INF)):
            return False
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return True


_INF = float("inf")


def case(
    t: Template,
    world: World,
    category: str,
    label: str,
    expect: Expect,
    *,
    caller: Customer | str | None = "A",
    request: Request | None = None,
    half_close: bool = False,
    may_close: bool = False,
) -> Case:
    """A case against `t`; the caller's counterpart is the victim whose data must not show."""
    who = world.a if caller == "A" else caller
    assert who is None or isinstance(who, Customer)
    victim = world.b if who is not world.b else world.a
    if who is None:  # anonymous or forged: neither customer's data may show
        victims = (*world.a.ids, *world.b.ids)
        secrets_ = (*world.a.data, *world.b.data)
    else:
        victims, secrets_ = tuple(victim.ids), tuple(victim.data)
    return Case(
        operation=t.op.operation_id,
        category=category,
        label=label,
        request=request or fresh_key(t).request(),
        expect=expect,
        caller=who.id if who is not None else None,
        victims=victims,
        secrets=secrets_,
        half_close=half_close,
        may_close=may_close,
    )


def with_member(doc: dict[str, Any], name: str, fragment: str) -> bytes:
    """`doc` as JSON with member `name` set to the raw JSON text `fragment` (NaN, 1e400 ...)."""
    marker = "\x01HOSTILE\x01"
    text = json.dumps({**doc, name: marker})
    return text.replace(json.dumps(marker), fragment).encode("utf-8", "surrogatepass")
