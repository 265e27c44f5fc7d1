"""Mass assignment: every field a create body must not set (the read-only fields of what the
operation answers, the internal `risk_score`, another customer's `customer_id`) injected into
every operation's body, in every served API version, and into nested objects: a 422 naming the
field, and nothing stored. The same names inside `metadata` are the partner's own data: stored
as metadata, never as the order's fields."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

import httpx
import pytest
import yaml

from service.versions.changes import served_versions
from tests.long.attacks.refusal import FORBIDDEN, INVALID, Refusal, attack, family, problem_of
from tests.long.hostile.checker import Expect
from tests.long.hostile.operations import SPEC, Operation, operations
from tests.long.hostile.template import Template, case, template
from tests.long.hostile.wire import Response
from tests.long.hostile.world import World

pytestmark = pytest.mark.slow

INTERNAL = ("risk_score",)  # a column of orders that is no API field
# A value per name that an attacker would want stored; other names get a string.
VALUES: dict[str, Any] = {
    "id": "01900000-0000-7000-8000-000000000000",
    "status": "paid",
    "risk_score": 0,
    "created_at": "2000-01-01T00:00:00Z",
    "updated_at": "2000-01-01T00:00:00Z",
    "pinned_at": "2000-01-01T00:00:00Z",
    "secret": "whsec_" + "A" * 43,
}


@cache
def _document() -> dict[str, Any]:
    return dict(yaml.safe_load(SPEC.read_text()))


def _schema(node: Any) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = _document()
        for step in node["$ref"].removeprefix("#/").split("/"):
            target = target[step]
        node = target
    return dict(node)


def _properties(node: Any) -> dict[str, Any]:
    schema = _schema(node)
    found = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        found |= _properties(part)
    return found


def answered_fields(op: Operation) -> set[str]:
    """The properties of the operation's success answer (its first 2xx JSON response)."""
    for item in _document()["paths"].values():
        for spec_op in item.values():
            if isinstance(spec_op, dict) and spec_op.get("operationId") == op.operation_id:
                for status, response in sorted(spec_op["responses"].items()):
                    content = _schema(response).get("content", {}).get("application/json")
                    if str(status).startswith("2") and content:
                        return set(_properties(content["schema"]))
    raise AssertionError(f"{op.operation_id}: no JSON success response in the spec")


def injected(op: Operation, world: World) -> dict[str, Any]:
    """What the body must not set: answered but not accepted, internal, or the owner."""
    accepted = set(op.body_fields)
    names = (answered_fields(op) - accepted) | set(INTERNAL) | ({"customer_id"} - accepted)
    return {n: world.b.id if n == "customer_id" else VALUES.get(n, "injected") for n in names}


def nested_objects(op: Operation) -> list[str]:
    """Body members that are closed objects of their own (payment_method): inject there too."""
    assert op.body_schema is not None
    found = []
    for name, prop in op.body_schema.get("properties", {}).items():
        variants = [_schema(v) for v in _schema(prop).get("oneOf", [prop])]
        objects = [v for v in variants if v.get("type") != "null"]
        if objects and all(v.get("additionalProperties") is False for v in objects):
            found.append(name)
    return found


def _names(pointer: str) -> Callable[[Response], list[str]]:
    """The 422 must name the injected field (a refusal for another reason proves nothing)."""

    def check(response: Response) -> list[str]:
        errors = problem_of(response).get("errors")
        found = [e.get("pointer") for e in errors] if isinstance(errors, list) else []
        if any(isinstance(p, str) and p.startswith(pointer) for p in found):
            return []
        return [f"the 422 names {found}, not {pointer}"]

    return check


Injection = tuple[str, bytes, Refusal, Callable[[Response], list[str]] | None]


def _bodies(op: Operation, t: Template, world: World) -> list[Injection]:
    """(label, body, refusal, extra check) for each injection into `op`'s body: a 422 naming
    the field; B's id where the body takes a customer_id is the caller's mismatch, a 403."""
    assert t.body is not None
    doc = json.loads(t.body)
    found: list[Injection] = [
        (
            f"{name}={value!r}",
            json.dumps({**doc, name: value}).encode(),
            INVALID,
            _names(f"/{name}"),
        )
        for name, value in sorted(injected(op, world).items())
    ]
    for member in nested_objects(op):
        if isinstance(doc.get(member), dict):
            inner = {**doc[member], "risk_score": 0}
            body = json.dumps({**doc, member: inner}).encode()
            found.append((f"{member}.risk_score", body, INVALID, _names(f"/{member}")))
    if "customer_id" in doc:
        body = json.dumps({**doc, "customer_id": world.b.id}).encode()
        found.append(("customer_id of B", body, FORBIDDEN, None))
    return found


def _required_only(op: Operation, t: Template) -> Template:
    assert t.body is not None and op.body_schema is not None
    required = set(op.body_schema.get("required", ()))
    doc = {k: v for k, v in json.loads(t.body).items() if k in required}
    return t.with_body(json.dumps(doc).encode())


async def test_no_create_body_sets_a_read_only_internal_or_foreign_field(world: World) -> None:
    fam = family("mass assignment: every body")
    before = await _stored(world)
    bodied = [op for op in operations() if op.body_schema is not None]
    assert bodied, "the spec has no operation with a body"
    for op in bodied:
        versions = served_versions()
        for version in versions.versions:
            t = template(op, world).with_header(b"Harbor-Version", version.encode())
            if version != versions.newest:
                t = _required_only(op, t)  # optional fields may have had other names then
            for label, body, refusal, check in _bodies(op, t, world):
                attempt = case(
                    t.with_body(body), world, "mass", f"{version} {label}", Expect.REJECT
                )
                attack(world, fam, attempt, refusal, also=check)
    assert await _stored(world) == before, "a refused body changed what A has stored"
    fam.verdict()


async def test_fields_named_inside_metadata_stay_metadata(world: World) -> None:
    fam = family("mass assignment: inside metadata (ignored)")
    op = next(op for op in operations() if "metadata" in op.body_fields)
    t = template(op, world)
    assert t.body is not None
    hidden = {k: str(v) for k, v in injected(op, world).items()}
    body = json.dumps({**json.loads(t.body), "metadata": hidden}).encode()
    response = attack(
        world, fam, case(t.with_body(body), world, "mass", "metadata", Expect.SUCCESS), None
    )
    assert response is not None and response.status == 201, response
    created = problem_of(response)
    async with httpx.AsyncClient(base_url=f"http://{world.host}:{world.port}") as client:
        read = await client.get(
            f"/v1/orders/{created['id']}",
            headers={"Authorization": f"Bearer {world.token(world.a)}"},
        )
    stored = read.json()
    problems = [f"{n} is {stored[n]!r}" for n, v in hidden.items() if stored.get(n) == v]
    if stored.get("customer_id") != world.a.id or stored.get("status") != "pending":
        problems.append(f"stored as {stored.get('customer_id')} / {stored.get('status')}")
    if stored.get("metadata") != hidden or "risk_score" in stored:
        problems.append(
            f"metadata {stored.get('metadata')!r}, risk_score shown: {'risk_score' in stored}"
        )
    fam.record("metadata read back", problems)
    fam.verdict()


async def _stored(world: World) -> dict[str, object]:
    """All A has: orders, endpoints, pin (each list's first 100 is all of it here)."""
    auth = {"Authorization": f"Bearer {world.token(world.a)}"}
    paths = (
        f"/v1/customers/{world.a.id}/orders?limit=100",
        "/v1/webhook-endpoints?limit=100",
        f"/v1/customers/{world.a.id}/api-version",
    )
    async with httpx.AsyncClient(base_url=f"http://{world.host}:{world.port}") as client:
        return {path: (await client.get(path, headers=auth)).json() for path in paths}
