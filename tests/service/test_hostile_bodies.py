"""Regressions found by the hostile-input suite (tests/long/test_hostile.py): JSON that
json.loads refuses with something other than JSONDecodeError was a 500, not a 400."""

from __future__ import annotations

import pytest

from tests.fixtures.service import order_body
from tests.service.test_errors import assert_problem


@pytest.fixture
def headers(auth, customer):
    return {**auth(customer), "Content-Type": "application/json"}


def member(customer: str, name: str, raw: str) -> bytes:
    """An order body with member `name` set to the raw JSON text `raw`."""
    import json

    text = json.dumps(order_body(customer, **{name: "\x01"}))
    return text.replace('"\\u0001"', raw).encode()


@pytest.mark.parametrize(
    ("label", "body"),
    [
        # RecursionError inside json.loads (nesting deeper than the interpreter's limit).
        ("array nested 1000 deep", b"[" * 1000 + b"]" * 1000),
        ("object nested 10000 deep", b'{"a":' * 10_000 + b"1" + b"}" * 10_000),
        # ValueError: an integer longer than Python's int/str digit limit (4300).
        ("integer of 5000 digits", b"9" * 5000),
    ],
)
async def test_json_the_parser_cannot_hold_is_a_400_not_a_500(client, headers, label, body):
    key = {"Idempotency-Key": f"deep-{label.replace(' ', '-')}"}
    response = await client.post("/v1/orders", content=body, headers={**headers, **key})

    assert_problem(response, 400, "bad-request")


@pytest.mark.parametrize(
    ("name", "raw"),
    [("amount_cents", "9" * 5000), ("metadata", "[" * 2000 + "]" * 2000)],
)
async def test_such_json_in_a_member_is_a_400_too(client, headers, customer, name, raw):
    key = {"Idempotency-Key": f"member-{name}"}
    response = await client.post(
        "/v1/orders", content=member(customer, name, raw), headers={**headers, **key}
    )

    assert_problem(response, 400, "bad-request")


async def test_the_webhook_endpoints_body_is_read_the_same_way(client, headers):
    response = await client.post("/v1/webhook-endpoints", content=b"[" * 5000, headers=headers)

    assert_problem(response, 400, "bad-request")


@pytest.mark.parametrize("raw", ["true", '"1234"', "12.5"])
async def test_an_integer_member_must_be_a_json_integer(client, headers, customer, raw):
    """Lax pydantic read `true` as 1: `"amount_cents": true` created a 1-cent order."""
    key = {"Idempotency-Key": f"strict-{raw.strip(chr(34))}"}
    response = await client.post(
        "/v1/orders", content=member(customer, "amount_cents", raw), headers={**headers, **key}
    )

    assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize("raw", ["2599", "2599.0", "2.599e3"])
async def test_an_integral_number_is_an_integer_as_json_schema_says(client, headers, customer, raw):
    key = {"Idempotency-Key": f"integral-{raw}"}
    response = await client.post(
        "/v1/orders", content=member(customer, "amount_cents", raw), headers={**headers, **key}
    )

    assert response.status_code == 201, response.text
    assert response.json()["amount_cents"] == 2599
