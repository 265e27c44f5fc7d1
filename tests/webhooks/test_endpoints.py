"""The webhook-endpoints resource: the secret shown once, ownership, the URL policy, paging."""

from __future__ import annotations

import uuid

import pytest

from service.app import create_app
from tests.fixtures.service import make_settings, serve


def body(url: str = "https://hooks.partner.example/harbor", **fields):
    return {"url": url, "event_types": ["order.created"], **fields}


async def test_create_returns_201_with_location_and_the_secret_once(client, auth, customer):
    response = await client.post(
        "/v1/webhook-endpoints",
        json=body(description="Ledger sync", event_types=["order.created", "order.created"]),
        headers=auth(customer),
    )

    assert response.status_code == 201
    created = response.json()
    assert response.headers["location"] == f"/v1/webhook-endpoints/{created['id']}"
    assert created["secret"].startswith("whsec_")
    assert created["event_types"] == ["order.created"]  # listed twice, stored once
    assert created["description"] == "Ledger sync"

    shown = await client.get(response.headers["location"], headers=auth(customer))
    assert shown.status_code == 200
    assert shown.json() == {k: v for k, v in created.items() if k != "secret"}
    listed = await client.get("/v1/webhook-endpoints", headers=auth(customer))
    assert "secret" not in listed.text
    assert "whsec_" not in listed.text


async def test_two_endpoints_have_different_secrets(client, auth, customer):
    first = await client.post("/v1/webhook-endpoints", json=body(), headers=auth(customer))
    second = await client.post("/v1/webhook-endpoints", json=body(), headers=auth(customer))

    assert first.json()["secret"] != second.json()["secret"]


async def test_another_customers_endpoint_is_404_everywhere(client, auth, customer):
    created = (
        await client.post("/v1/webhook-endpoints", json=body(), headers=auth(customer))
    ).json()
    intruder = auth(f"{customer}_x")
    base = f"/v1/webhook-endpoints/{created['id']}"

    assert (await client.get(base, headers=intruder)).status_code == 404
    assert (await client.delete(base, headers=intruder)).status_code == 404
    assert (await client.get(f"{base}/deliveries", headers=intruder)).status_code == 404
    one = f"{base}/deliveries/{uuid.uuid4()}"
    assert (await client.get(one, headers=intruder)).status_code == 404
    listed = await client.get("/v1/webhook-endpoints", headers=intruder)
    assert listed.json() == {"data": [], "next_cursor": None}
    # ... and it is still there for its owner.
    assert (await client.get(base, headers=auth(customer))).status_code == 200


async def test_delete_is_204_then_404(client, auth, customer):
    created = (
        await client.post("/v1/webhook-endpoints", json=body(), headers=auth(customer))
    ).json()
    path = f"/v1/webhook-endpoints/{created['id']}"

    first = await client.delete(path, headers=auth(customer))
    assert first.status_code == 204
    assert first.content == b""
    assert (await client.delete(path, headers=auth(customer))).status_code == 404
    assert (await client.get(path, headers=auth(customer))).status_code == 404


async def test_pages_walk_every_endpoint_newest_first(client, auth, customer):
    ids = []
    for _ in range(5):
        response = await client.post("/v1/webhook-endpoints", json=body(), headers=auth(customer))
        ids.append(response.json()["id"])

    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get("/v1/webhook-endpoints", params=params, headers=auth(customer))
        ).json()
        seen += [e["id"] for e in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == list(reversed(ids))


async def test_a_cursor_from_another_list_is_400(client, auth, customer):
    for _ in range(2):
        await client.post("/v1/webhook-endpoints", json=body(), headers=auth(customer))
    page = (
        await client.get("/v1/webhook-endpoints", params={"limit": 1}, headers=auth(customer))
    ).json()

    foreign = await client.get(
        "/v1/webhook-endpoints",
        params={"cursor": page["next_cursor"]},
        headers=auth(f"{customer}_x"),
    )
    assert foreign.status_code == 400
    assert foreign.json()["type"].endswith("/invalid-cursor")


async def test_an_unknown_delivery_is_404(client, auth, customer):
    created = (
        await client.post("/v1/webhook-endpoints", json=body(), headers=auth(customer))
    ).json()

    response = await client.get(
        f"/v1/webhook-endpoints/{created['id']}/deliveries/{uuid.uuid4()}", headers=auth(customer)
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "url", ["ftp://hooks.example/x", "https://hooks.example/x#frag", "https://u:p@hooks.example/"]
)
async def test_urls_outside_the_contract_are_422(client, auth, customer, url):
    response = await client.post("/v1/webhook-endpoints", json=body(url), headers=auth(customer))

    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/url"


async def test_the_endpoint_limit_is_409(database_url, customer, auth):
    app = create_app(make_settings(database_url, webhooks_max_endpoints_per_customer=2))
    async with serve(app) as client:
        for _ in range(2):
            ok = await client.post("/v1/webhook-endpoints", json=body(), headers=auth(customer))
            assert ok.status_code == 201
        refused = await client.post("/v1/webhook-endpoints", json=body(), headers=auth(customer))

    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/webhook-endpoint-limit")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.partner.example/harbor", "https"),
        ("https://127.0.0.1/hook", "public"),
        ("https://10.1.2.3/hook", "public"),
        ("https://169.254.169.254/latest/meta-data", "public"),
        ("https://localhost:8443/hook", "localhost"),
        ("https://api.localhost/hook", "localhost"),
    ],
)
async def test_production_settings_refuse_private_and_plain_http_targets(
    database_url, customer, auth, url, reason
):
    app = create_app(make_settings(database_url, webhooks_allow_private=False))
    async with serve(app) as client:
        refused = await client.post("/v1/webhook-endpoints", json=body(url), headers=auth(customer))
        allowed = await client.post("/v1/webhook-endpoints", json=body(), headers=auth(customer))

    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/webhook-url-refused")
    assert problem["errors"][0]["pointer"] == "/url"
    assert reason in problem["errors"][0]["message"]
    assert allowed.status_code == 201
