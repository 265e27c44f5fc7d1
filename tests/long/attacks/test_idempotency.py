"""Idempotency keys are the customer's own: B sending the Idempotency-Key A used never replays A's
response nor shows A's order; B gets an order of its own under it, and A's replay is intact."""

from __future__ import annotations

import dataclasses
import json
import secrets
from collections.abc import Callable

import pytest

from tests.long.attacks.refusal import FORBIDDEN, KEY_REUSED, attack, family, problem_of
from tests.long.hostile.checker import Case, Expect
from tests.long.hostile.operations import operations
from tests.long.hostile.template import Template, case, template
from tests.long.hostile.wire import Response
from tests.long.hostile.world import Customer, World

pytestmark = pytest.mark.slow


def _answer(
    status: int, owner: str, *, same_as: str | None = None, not_as: str = ""
) -> Callable[[Response], list[str]]:
    """The create's answer: its status, the owner of the order, which order it is."""

    def check(response: Response) -> list[str]:
        body = problem_of(response)
        problems = []
        if response.status != status:
            problems.append(f"status {response.status}, not {status}")
        if body.get("customer_id") != owner:
            problems.append(f"the order is {body.get('customer_id')!r}'s, not {owner}'s")
        if same_as is not None and body.get("id") != same_as:
            problems.append(f"order {body.get('id')}, not the replayed {same_as}")
        if body.get("id") == not_as:
            problems.append("B got A's order")
        return problems

    return check


async def test_another_customers_idempotency_key_replays_nothing_of_theirs(world: World) -> None:
    fam = family("idempotency: another customer's key")
    create = next(op for op in operations() if op.operation_id == "createOrder")
    key = f"attack-{secrets.token_hex(8)}".encode()

    def request(customer: Customer, **changes: object) -> Template:
        t = template(create, world, customer).with_header(b"Idempotency-Key", key)
        assert t.body is not None
        return t.with_body(json.dumps({**json.loads(t.body), **changes}).encode())

    first = attack(
        world,
        fam,
        case(request(world.a), world, "idempotency", "A creates", Expect.SUCCESS),
        None,
        also=_answer(201, world.a.id),
    )
    assert first is not None and first.status == 201, "A's order was not created"
    a_order = str(problem_of(first)["id"])

    def as_b(label: str, t: Template, expect: Expect) -> Case:
        made = case(t, world, "idempotency", label, expect, caller=world.b)
        # A's new order is as secret from B as the seeded ones.
        return dataclasses.replace(made, victims=(*made.victims, a_order))

    a_body = request(world.b, customer_id=world.a.id)
    attack(world, fam, as_b("B, A's key and A's body", a_body, Expect.REJECT), FORBIDDEN)
    created = attack(
        world,
        fam,
        as_b("B, A's key, B's body", request(world.b), Expect.SUCCESS),
        None,
        also=_answer(201, world.b.id, not_as=a_order),
    )
    b_order = str(problem_of(created)["id"]) if created is not None else ""
    attack(
        world,
        fam,
        as_b("B replays under A's key", request(world.b), Expect.SUCCESS),
        None,
        also=_answer(200, world.b.id, same_as=b_order, not_as=a_order),
    )
    other = request(world.b, amount_cents=4321)
    attack(world, fam, as_b("B, A's key, another body", other, Expect.REJECT), KEY_REUSED)
    attack(
        world,
        fam,
        case(request(world.a), world, "idempotency", "A replays", Expect.SUCCESS),
        None,
        also=_answer(200, world.a.id, same_as=a_order),
    )
    fam.verdict()
