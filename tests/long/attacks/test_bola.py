"""Broken object-level authorisation: customer B on every operation of the spec with A's order,
endpoint and delivery ids, A's customer id and A's cursors. Each is the refusal the spec
documents for it (404, 403 for a customer's pin, 400 for a cursor of another list), shows
nothing of A's beyond what B sent, and changes nothing of A's (read back at the end)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache

import httpx
import pytest
import yaml

from tests.long.attacks.refusal import (
    FORBIDDEN,
    INVALID_CURSOR,
    NOT_FOUND,
    Refusal,
    attack,
    family,
)
from tests.long.hostile.checker import Case, Expect
from tests.long.hostile.corpus import replace_path
from tests.long.hostile.operations import SPEC, Operation, operations
from tests.long.hostile.template import Template, case, template
from tests.long.hostile.world import World

pytestmark = pytest.mark.slow

# The path parameters that name a customer's resources; an operation with another one fails
# the suite until this module knows whose value to put there.
OWNED = {"customer_id", "order_id", "endpoint_id", "delivery_id"}


@cache
def documented(operation_id: str) -> frozenset[str]:
    """The response statuses the spec documents for the operation."""
    for item in yaml.safe_load(SPEC.read_text())["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return frozenset(str(status) for status in op["responses"])
    raise AssertionError(f"{operation_id} is not in the spec")


def refusal_for(op: Operation, what: str) -> Refusal:
    """Another customer's resource is absent (404), unless the spec answers 403 for it."""
    statuses = documented(op.operation_id)
    if what == "customer_id" and "403" in statuses and "404" not in statuses:
        expected = FORBIDDEN
    elif what == "cursor":
        expected = INVALID_CURSOR
    elif what == "body customer_id":
        expected = FORBIDDEN
    else:
        expected = NOT_FOUND
    assert str(expected.status) in statuses, (
        f"{op.operation_id}: the spec does not document {expected.status} for another "
        f"customer's {what}"
    )
    return expected


def bola(op: Operation, world: World) -> Iterator[tuple[Case, Refusal | None]]:
    """B's request with A's identifiers, one at a time and all together; B's own request when
    the operation takes nothing that names A (its answer must still show nothing of A's)."""
    a, b = template(op, world), template(op, world, world.b)
    names = [p.name for p in op.parameter("path")]
    unknown = set(names) - OWNED
    assert not unknown, f"{op.operation_id}: no BOLA attack for path parameters {unknown}"

    def by_b(t: Template, label: str, what: str | None) -> tuple[Case, Refusal | None]:
        """B's case; `what` names A's part in it (None: B's own request, which must succeed)."""
        if what is None:
            return case(t, world, "bola", label, Expect.SUCCESS, caller=world.b), None
        return case(t, world, "bola", label, Expect.REJECT, caller=world.b), refusal_for(op, what)

    attacks = [by_b(b.with_path(name, a.path[name]), f"A's {name}", name) for name in names]
    if len(names) > 1:
        attacks.append(by_b(replace_path(b, a.path), "all of A's path", names[0]))
    if "order_id" in names:
        cancelled = b.with_path("order_id", world.a.cancelled_order_id.encode())
        attacks.append(by_b(cancelled, "A's cancelled order", "order_id"))
    if op.operation_id in world.a.cursors:
        cursor = (b"cursor", world.a.cursors[op.operation_id].encode())
        attacks.append(by_b(b.with_query(cursor), "A's cursor", "cursor"))
        if names:
            every = replace_path(b, a.path).with_query(cursor)
            attacks.append(by_b(every, "A's path and cursor", names[0]))
    if b.body is not None and "customer_id" in json.loads(b.body):
        body = json.dumps({**json.loads(b.body), "customer_id": world.a.id}).encode()
        attacks.append(by_b(b.with_body(body), "A's customer_id in the body", "body customer_id"))
    yield from attacks
    if not attacks or op.operation_id in world.a.cursors:
        # Nothing names A, or a list: B's own answer shows B's items only (the checker looks).
        yield by_b(b, "B's own request", None)


async def test_customer_b_gets_nothing_of_a_on_every_operation(world: World) -> None:
    fam = family("bola: every operation")
    before = await _snapshot(world)
    covered = set()
    for op in operations():
        for attempt, refusal in bola(op, world):
            attack(world, fam, attempt, refusal)
            covered.add(op.operation_id)
    missing = {op.operation_id for op in operations()} - covered
    assert not missing, f"operations without a BOLA case: {sorted(missing)}"
    assert await _snapshot(world) == before, "B's attacks changed A's data"
    fam.verdict()


async def _snapshot(world: World) -> dict[str, object]:
    """A's orders, endpoints (the spare one DELETE aims at too), deliveries and pin, as A sees
    them."""
    a = world.a
    paths = [f"/v1/orders/{o}" for o in (*a.order_ids, a.cancelled_order_id)]
    paths += [f"/v1/webhook-endpoints/{e}" for e in (*a.endpoint_ids, *a.spare_endpoint_ids)]
    paths += [f"/v1/webhook-endpoints/{e}/deliveries" for e in a.endpoint_ids]
    paths += [f"/v1/customers/{a.id}/orders?limit=100", f"/v1/customers/{a.id}/api-version"]
    seen: dict[str, object] = {}
    auth = {"Authorization": f"Bearer {world.token(a)}"}
    async with httpx.AsyncClient(base_url=f"http://{world.host}:{world.port}") as client:
        for path in paths:
            response = await client.get(path, headers=auth)
            assert response.status_code == 200, f"{path}: {response.status_code} for A"
            seen[path] = response.json()
    return seen
