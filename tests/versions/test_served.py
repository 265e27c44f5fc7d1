"""One server, every version: a request is answered as its version's spec says (docs/versioning.md)."""

from __future__ import annotations

import secrets

from generated.version_changes import NEWEST, VERSIONS
from tests.fixtures.service import order_body

OLD_ORDER = {"description": "Gym membership"}


def _old_body(customer: str, **fields):
    body = order_body(customer)
    body.pop("statement_descriptor")
    return {**body, **OLD_ORDER, **fields}


async def test_without_a_header_or_pin_the_newest_answers(create_order, customer):
    response = await create_order(customer, statement_descriptor="Gym membership")
    assert response.status_code == 201, response.text
    assert response.headers["harbor-version"] == NEWEST
    assert response.json()["statement_descriptor"] == "Gym membership"
    assert "description" not in response.json()


async def test_an_old_version_is_answered_in_its_own_shape(client, auth, customer):
    headers = {**auth(customer), "Harbor-Version": "1.1.0"}
    created = await client.post(
        "/v1/orders",
        json=_old_body(customer),
        headers={**headers, "Idempotency-Key": secrets.token_hex(8)},
    )
    assert created.status_code == 201, created.text
    assert created.headers["harbor-version"] == "1.1.0"
    order = created.json()
    assert order["description"] == "Gym membership" and "statement_descriptor" not in order
    assert int(created.headers["content-length"]) == len(created.content)

    fetched = await client.get(f"/v1/orders/{order['id']}", headers=headers)
    assert fetched.json() == order
    listed = await client.get(f"/v1/customers/{customer}/orders", headers=headers)
    assert [o["description"] for o in listed.json()["data"]] == ["Gym membership"]
    cancelled = await client.post(f"/v1/orders/{order['id']}/cancel", headers=headers)
    assert cancelled.json()["description"] == "Gym membership"

    # The same order, asked for in the newest version.
    newest = await client.get(
        f"/v1/orders/{order['id']}", headers={**auth(customer), "Harbor-Version": NEWEST}
    )
    assert newest.headers["harbor-version"] == NEWEST
    assert newest.json()["statement_descriptor"] == "Gym membership"


async def test_a_replay_in_an_old_version_is_the_same_order_in_its_shape(client, auth, customer):
    headers = {**auth(customer), "Harbor-Version": "1.0.0", "Idempotency-Key": secrets.token_hex(8)}
    first = await client.post("/v1/orders", json=_old_body(customer), headers=headers)
    again = await client.post("/v1/orders", json=_old_body(customer), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json() and again.json()["description"] == "Gym membership"


async def test_an_old_validation_error_names_the_field_as_the_old_version_does(
    client, auth, customer
):
    headers = {**auth(customer), "Harbor-Version": "1.1.0", "Idempotency-Key": secrets.token_hex(8)}
    response = await client.post(
        "/v1/orders", json=_old_body(customer, description="x" * 501), headers=headers
    )
    assert response.status_code == 422
    assert [e["pointer"] for e in response.json()["errors"]] == ["/description"]
    assert response.headers["harbor-version"] == "1.1.0"


async def test_an_unknown_version_is_a_400_naming_the_served_ones(client, auth, customer):
    response = await client.get(
        f"/v1/customers/{customer}/orders", headers={**auth(customer), "Harbor-Version": "9.9.9"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert ", ".join(VERSIONS) in response.json()["detail"]
    assert response.json()["errors"][0]["location"] == "header"


async def test_operations_without_bodies_to_convert_carry_the_version(client):
    response = await client.get("/health", headers={"Harbor-Version": "1.0.0"})
    assert response.status_code == 200
    assert response.headers["harbor-version"] == "1.0.0"
    assert (await client.get("/health")).headers["harbor-version"] == NEWEST


async def test_the_first_request_pins_the_customer_and_the_pin_then_applies(client, auth, customer):
    path = f"/v1/customers/{customer}/orders"
    first = await client.get(path, headers={**auth(customer), "Harbor-Version": "1.0.0"})
    assert first.headers["harbor-version"] == "1.0.0"
    # No header now: the pin made by the first request answers.
    assert (await client.get(path, headers=auth(customer))).headers["harbor-version"] == "1.0.0"
    pin = await client.get(f"/v1/customers/{customer}/api-version", headers=auth(customer))
    assert pin.json()["version"] == "1.0.0"
    # A header still wins for its own request, without moving the pin.
    named = await client.get(path, headers={**auth(customer), "Harbor-Version": "2.0.0"})
    assert named.headers["harbor-version"] == "2.0.0"
    assert (await client.get(path, headers=auth(customer))).headers["harbor-version"] == "1.0.0"


async def test_moving_the_pin_moves_what_a_caller_without_a_header_gets(client, auth, customer):
    path = f"/v1/customers/{customer}/api-version"
    moved = await client.put(path, json={"version": "1.1.0"}, headers=auth(customer))
    assert moved.status_code == 200, moved.text
    order = await client.post(
        "/v1/orders",
        json=_old_body(customer),
        headers={**auth(customer), "Idempotency-Key": secrets.token_hex(8)},
    )
    assert order.status_code == 201, order.text
    assert order.headers["harbor-version"] == "1.1.0"
    assert order.json()["description"] == "Gym membership"


async def test_an_old_request_using_the_new_name_is_refused_as_its_version_would(
    client, auth, customer
):
    body = {**order_body(customer), "statement_descriptor": "Gym membership"}
    response = await client.post(
        "/v1/orders",
        json=body,
        headers={
            **auth(customer),
            "Harbor-Version": "1.1.0",
            "Idempotency-Key": secrets.token_hex(8),
        },
    )
    assert response.status_code == 422, response.text
    assert response.headers["harbor-version"] == "1.1.0"
    pointers = [e["pointer"] for e in response.json()["errors"]]
    assert pointers == ["/statement_descriptor"], response.text
    assert "\\u0000" not in response.text and "\x00" not in response.text
