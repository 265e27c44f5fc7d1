"""Resource groups, body fields as keywords, with_options, extras and raw responses (#20)."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from pathlib import Path

import httpx
import pytest
from harbor_client import AsyncHarborClient, HarborClient, RawResponse, models

from tests.clients.mock import ORDER, Script

ORDER_ID = uuid.UUID(str(ORDER["id"]))
CREATED = httpx.Response(201, json=ORDER, headers={"X-Request-ID": "req_1", "Location": "/x"})
ENDPOINT = {
    "id": "4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e60",
    "url": "https://hooks.partner.example/harbor",
    "event_types": ["order.created"],
    "description": None,
    "created_at": "2026-11-25T10:15:00Z",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
}


def client(script: Script, **kwargs: object) -> HarborClient:
    return HarborClient("http://h.test", transport=script.transport, max_retries=0, **kwargs)  # type: ignore[arg-type]


def test_a_resource_method_sends_what_its_flat_method_sends() -> None:
    script = Script([httpx.Response(200, json=ORDER)])
    harbor = client(script)
    assert harbor.orders.get(ORDER_ID) == harbor.get_order(ORDER_ID)
    flat, grouped = script.requests
    assert (grouped.method, grouped.url) == (flat.method, flat.url)
    assert harbor.orders.get.__doc__ == harbor.get_order.__doc__


def test_body_fields_as_keywords_build_the_model() -> None:
    script = Script([CREATED])
    created = client(script).orders.create(
        customer_id="cus_1", amount_cents=500, currency="EUR", metadata={"k": "v"}
    )
    assert created.data.customer_id == "cus_123"
    sent = json.loads(script.requests[0].content)
    # Optional fields left out are not sent (exclude_unset), not sent as null.
    assert sent == {
        "customer_id": "cus_1",
        "amount_cents": 500,
        "currency": "EUR",
        "metadata": {"k": "v"},
    }
    assert script.requests[0].headers["Idempotency-Key"]


def test_the_resource_method_still_takes_the_model() -> None:
    script = Script([CREATED])
    body = models.OrderCreate(customer_id="cus_2", amount_cents=7, currency="USD")
    client(script).orders.create(body, idempotency_key="k1")
    assert json.loads(script.requests[0].content)["customer_id"] == "cus_2"
    assert script.requests[0].headers["Idempotency-Key"] == "k1"


def test_keywords_are_validated_by_the_model() -> None:
    with pytest.raises(ValueError, match="amount_cents"):
        client(Script([CREATED])).orders.create(customer_id="c", amount_cents=0, currency="EUR")


def test_extra_headers_query_and_body_reach_the_wire() -> None:
    script = Script([CREATED])
    client(script).create_order(
        models.OrderCreate(customer_id="c", amount_cents=1, currency="EUR"),
        extra_headers={"X-Trace": "t"},
        extra_query={"beta": True},
        extra_body={"undeclared": 1},
    )
    sent = script.requests[0]
    assert sent.headers["X-Trace"] == "t" and sent.url.params["beta"] == "true"
    assert (
        json.loads(sent.content)["undeclared"] == 1
        and json.loads(sent.content)["amount_cents"] == 1
    )


def test_extra_body_on_an_operation_without_one_is_sent_as_json() -> None:
    script = Script([httpx.Response(200, json=ORDER)])
    client(script).orders.cancel(ORDER_ID, extra_body={"reason": "x"})
    assert script.requests[0].headers["Content-Type"] == "application/json"
    assert json.loads(script.requests[0].content) == {"reason": "x"}


def test_with_options_copies_the_settings_and_shares_the_pool() -> None:
    script = Script([httpx.Response(503), httpx.Response(200, json=ORDER)])
    harbor = HarborClient("http://h.test", transport=script.transport, max_retries=0)
    patient = harbor.with_options(max_retries=1, timeout=3.0)
    assert patient._http is harbor._http and type(patient) is HarborClient
    with pytest.raises(Exception, match="503"):
        harbor.get_order(ORDER_ID)
    script.requests.clear()
    script.answers[:] = [
        httpx.Response(503, headers={"Retry-After": "0"}),
        httpx.Response(200, json=ORDER),
    ]
    assert patient.orders.get(ORDER_ID).id == ORDER_ID and len(script.requests) == 2
    assert script.requests[0].extensions["timeout"]["read"] == 3.0
    patient.close()  # the copy does not close the pool it shares
    assert not harbor._http.is_closed
    harbor.close()
    assert harbor._http.is_closed


def test_the_raw_response_has_status_headers_request_id_and_body() -> None:
    script = Script([httpx.Response(200, json=ORDER, headers={"X-Request-ID": "req_9"})])
    harbor = client(script)
    raw = harbor.with_raw_response.orders.get(ORDER_ID)
    assert isinstance(raw, RawResponse)
    assert (raw.status_code, raw.request_id, raw.headers["x-request-id"]) == (200, "req_9", "req_9")
    assert raw.parse() == raw.data and raw.data.id == ORDER_ID
    assert harbor.with_raw_response.get_order(ORDER_ID).http_response.status_code == 200
    # Stainless's spelling too: the group's own `with_raw_response`.
    assert harbor.orders.with_raw_response.get(ORDER_ID).request_id == "req_9"


def test_a_paginator_has_no_raw_form() -> None:
    with pytest.raises(AttributeError, match="no raw form"):
        client(Script([])).with_raw_response.orders.iter_list_customer_orders  # noqa: B018


def test_the_async_client_has_the_same_groups_and_raw_responses() -> None:
    async def run() -> tuple[object, RawResponse[models.WebhookEndpointWithSecret]]:
        script = Script([httpx.Response(200, json=ORDER), httpx.Response(201, json=ENDPOINT)])
        async with AsyncHarborClient("http://h.test", transport=script.async_transport) as harbor:
            order = await harbor.with_options(timeout=2.0).orders.get(ORDER_ID)
            raw = await harbor.with_raw_response.webhooks.create_endpoint(
                url="https://hooks.partner.example/harbor", event_types=["order.created"]
            )
            return order, raw

    order, raw = asyncio.run(run())
    assert isinstance(order, models.Order) and raw.status_code == 201
    assert raw.data.secret.startswith("whsec_")


def test_every_group_and_member_has_a_docstring() -> None:
    harbor = HarborClient("http://h.test")
    groups = [n for n, v in vars(HarborClient).items() if isinstance(v, property)]
    assert {"orders", "webhooks", "system", "api_versions", "with_raw_response"} <= set(groups)
    for name in groups:
        group = getattr(harbor, name)
        assert type(group).__doc__ and getattr(HarborClient, name).__doc__, name
        raw = name == "with_raw_response"  # its paginators raise: they have no raw form
        for member in (m for m in dir(group) if not m.startswith(("_", "iter_" if raw else "_"))):
            assert getattr(group, member).__doc__, f"{name}.{member}"


def test_a_keywords_method_documents_the_body_fields() -> None:
    doc = HarborClient("http://h.test").orders.create.__doc__ or ""
    assert doc.startswith("`POST /v1/orders`: Create an order")
    assert "Keywords:" in doc and "amount_cents: The amount in the currency's minor units" in doc


def test_every_typescript_method_has_tsdoc() -> None:
    source = (
        (Path(__file__).parents[2] / "clients/typescript/src/index.ts").read_text().splitlines()
    )
    method = re.compile(r"^  (async )?[a-zA-Z_]\w*\(.*\)(: .+)? \{$")
    undocumented = [
        line.strip()
        for before, line in zip(source, source[1:], strict=False)
        if method.match(line) and not line.lstrip().startswith("constructor(")
        if not before.strip().endswith("*/")
    ]
    assert not undocumented, undocumented
    assert sum(1 for line in source if method.match(line)) > 40
