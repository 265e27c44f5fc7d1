"""No response carries a field the spec does not declare, internal columns above all.

The fuzz run checks this on every response it sees (`no_undeclared_fields` in
scripts/harbor_pipeline/fuzz/hooks.py, stateful phase included); this test walks one request of every kind
through the app in process, on both databases, with the same rule, and also names the columns
that exist only behind the API (risk_score ...) so their absence is asserted by name.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from harbor_pipeline.fuzz.undeclared import response_schema, undeclared
from service.app import SPEC_PATH
from service.db.schema import metadata
from tests.fixtures.service import order_body


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return document


def declared_names(spec: dict[str, Any]) -> set[str]:
    """Every property name any schema of the spec declares."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                names.update(properties)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return names


def internal_columns(spec: dict[str, Any]) -> set[str]:
    """Columns of the database that no schema of the spec declares."""
    columns = {column.name for table in metadata.tables.values() for column in table.columns}
    return columns - declared_names(spec)


def keys_outside_open_maps(value: Any) -> Iterator[str]:
    """Every object key, except inside `metadata` (the partner's own keys, echoed back)."""
    if isinstance(value, dict):
        for key, member in value.items():
            yield key
            if key != "metadata":
                yield from keys_outside_open_maps(member)
    elif isinstance(value, list):
        for member in value:
            yield from keys_outside_open_maps(member)


def test_the_internal_columns_are_known(spec):
    assert "risk_score" in internal_columns(spec)


async def test_no_response_carries_an_undeclared_or_internal_field(client, auth, customer, spec):
    internal = internal_columns(spec)
    headers = auth(customer)
    key = secrets.token_hex(8)
    seen: list[tuple[str, httpx.Response]] = []

    async def call(template: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await client.request(method, url, **kwargs)
        seen.append((template, response))
        return response

    body = order_body(customer)
    created = await call(
        "/v1/orders", "POST", "/v1/orders", json=body, headers={**headers, "Idempotency-Key": key}
    )
    order_id = created.json()["id"]
    await call(  # the idempotent replay: 200 with the stored body
        "/v1/orders", "POST", "/v1/orders", json=body, headers={**headers, "Idempotency-Key": key}
    )
    await call(  # the same key with another body: 422
        "/v1/orders",
        "POST",
        "/v1/orders",
        json={**body, "amount_cents": 1},
        headers={**headers, "Idempotency-Key": key},
    )
    await call(  # another customer's id in the body: 403
        "/v1/orders",
        "POST",
        "/v1/orders",
        json=order_body("cus_other"),
        headers={**headers, "Idempotency-Key": secrets.token_hex(8)},
    )
    await call("/v1/orders", "POST", "/v1/orders", json=body)  # no token: 401
    one = "/v1/orders/{order_id}"
    await call(one, "GET", f"/v1/orders/{order_id}", headers=headers)
    await call(one, "GET", f"/v1/orders/{uuid.uuid4()}", headers=headers)  # 404
    await call(one, "GET", "/v1/orders/not-a-uuid", headers=headers)  # 400
    cancel = "/v1/orders/{order_id}/cancel"
    await call(cancel, "POST", f"/v1/orders/{order_id}/cancel", headers=headers)
    await call(cancel, "POST", f"/v1/orders/{order_id}/cancel", headers=headers)  # 409
    listing = "/v1/customers/{customer_id}/orders"
    await create_more(call, headers, customer)
    first = await call(listing, "GET", f"/v1/customers/{customer}/orders?limit=1", headers=headers)
    cursor = first.json()["next_cursor"]
    await call(listing, "GET", f"/v1/customers/{customer}/orders?cursor={cursor}", headers=headers)
    await call(listing, "GET", f"/v1/customers/{customer}/orders?cursor=AAAA", headers=headers)
    await call(listing, "GET", "/v1/customers/cus_other/orders", headers=headers)  # 404
    await call("/health", "GET", "/health")
    await call("/ready", "GET", "/ready")

    statuses = sorted({response.status_code for _, response in seen})
    assert statuses == [200, 201, 400, 401, 403, 404, 409, 422]
    for template, response in seen:
        where = f"{response.request.method} {response.request.url} -> {response.status_code}"
        document = response.json()
        schema = response_schema(
            spec,
            template,
            response.request.method,
            response.status_code,
            response.headers["content-type"],
        )
        assert schema is not None, f"{where}: the spec declares no body for this response"
        assert undeclared(spec, schema, document) == [], where
        assert internal.isdisjoint(keys_outside_open_maps(document)), where


async def create_more(call: Any, headers: dict[str, str], customer: str) -> None:
    for _ in range(2):
        await call(
            "/v1/orders",
            "POST",
            "/v1/orders",
            json=order_body(customer),
            headers={**headers, "Idempotency-Key": secrets.token_hex(8)},
        )
