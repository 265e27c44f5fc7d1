"""Two customers, A (the caller) and B (the victim), seeded through the API with orders, webhook
endpoints, deliveries and cursors; everything of B's that must never reach A is listed."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

import httpx

from service.db.unit import Units
from service.kit.clock import SystemClock, Uuid7Generator
from service.kit.db import open_database
from service.webhooks.sender import Outcome
from service.webhooks.worker import build_worker
from tests.fixtures.service import make_settings
from tests.long.hostile.tokens import Issuer

ORDERS = 3
ENDPOINTS = 3


@dataclass
class Customer:
    id: str
    marker: str  # a unique string in every description and metadata value of this customer
    order_ids: list[str] = field(default_factory=list)
    cancelled_order_id: str = ""
    endpoint_ids: list[str] = field(default_factory=list)
    endpoint_urls: list[str] = field(default_factory=list)
    deliveries: dict[str, list[str]] = field(default_factory=dict)  # endpoint id -> its deliveries
    spare_endpoint_ids: list[str] = field(default_factory=list)  # for DELETE's valid baseline
    cursors: dict[str, str] = field(default_factory=dict)  # operationId -> a real next_cursor

    @property
    def ids(self) -> list[str]:
        """Identifiers that may appear in a response to A only when A's request named them."""
        return [
            self.id,
            *self.order_ids,
            self.cancelled_order_id,
            *self.endpoint_ids,
            *(d for ids in self.deliveries.values() for d in ids),
            *self.spare_endpoint_ids,
            *self.cursors.values(),
        ]

    @property
    def data(self) -> list[str]:
        """Values that must never appear in a response to anyone else, whatever was asked."""
        return [self.marker, *self.endpoint_urls]


@dataclass
class World:
    host: str
    port: int
    issuer: Issuer
    a: Customer
    b: Customer
    tokens: dict[str, str] = field(default_factory=dict)  # customer id -> a valid token

    def token(self, customer: Customer) -> str:
        return self.tokens[customer.id]

    def endpoint(self) -> str:
        return self.a.endpoint_ids[0]

    def spare_endpoint(self) -> str:
        return self.a.spare_endpoint_ids[0]


class _NoSend:
    async def send(
        self, *, delivery_id: UUID, url: str, secrets: Sequence[str], body: str
    ) -> Outcome:
        raise AssertionError("the hostile suite never delivers webhooks")


async def seed(base_url: str, database_url: str, issuer: Issuer) -> World:
    """Customers A and B with orders (one cancelled), endpoints, deliveries and cursors."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    run = secrets.token_hex(4)
    a = Customer(f"cus_hostile_a_{run}", f"marker-a-{secrets.token_hex(8)}")
    b = Customer(f"cus_hostile_b_{run}", f"marker-b-{secrets.token_hex(8)}")
    world = World(host, int(port), issuer, a, b)
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        for customer in (a, b):
            world.tokens[customer.id] = issuer.valid(customer.id)
            auth = {"Authorization": f"Bearer {world.tokens[customer.id]}"}
            for n in range(ENDPOINTS + 1):
                url = f"http://127.0.0.1:9/{customer.marker}/hook{n}"
                response = await client.post(
                    "/v1/webhook-endpoints",
                    headers=auth,
                    json={
                        "url": url,
                        "event_types": ["order.created", "order.cancelled"],
                        "description": f"{customer.marker} endpoint {n}",
                    },
                )
                assert response.status_code == 201, response.text
                if n < ENDPOINTS:
                    customer.endpoint_ids.append(response.json()["id"])
                    customer.endpoint_urls.append(url)
                else:
                    customer.spare_endpoint_ids.append(response.json()["id"])
            for n in range(ORDERS + 1):
                response = await client.post(
                    "/v1/orders",
                    headers={**auth, "Idempotency-Key": f"seed-{run}-{customer.id}-{n}"},
                    json={
                        "customer_id": customer.id,
                        "amount_cents": 1000 + n,
                        "currency": "EUR",
                        "statement_descriptor": f"{customer.marker} order {n}",
                        "metadata": {"owner": customer.marker},
                        "payment_method": {"type": "card", "token": "tok_4242abcd"},
                    },
                )
                assert response.status_code == 201, response.text
                customer.order_ids.append(response.json()["id"])
            customer.cancelled_order_id = customer.order_ids.pop()
            response = await client.post(
                f"/v1/orders/{customer.cancelled_order_id}/cancel", headers=auth
            )
            assert response.status_code == 200, response.text
        await _dispatch(database_url)
        for customer in (a, b):
            auth = {"Authorization": f"Bearer {world.tokens[customer.id]}"}
            endpoint = customer.endpoint_ids[0]
            pages = {
                "listCustomerOrders": f"/v1/customers/{customer.id}/orders?limit=1",
                "listWebhookEndpoints": "/v1/webhook-endpoints?limit=1",
                "listWebhookDeliveries": f"/v1/webhook-endpoints/{endpoint}/deliveries?limit=1",
            }
            for operation, url in pages.items():
                response = await client.get(url, headers=auth)
                assert response.status_code == 200, response.text
                cursor = response.json()["next_cursor"]
                assert cursor, f"{operation}: seeding left a single page"
                customer.cursors[operation] = cursor
            for endpoint in customer.endpoint_ids:
                response = await client.get(
                    f"/v1/webhook-endpoints/{endpoint}/deliveries", headers=auth
                )
                assert response.status_code == 200, response.text
                customer.deliveries[endpoint] = [item["id"] for item in response.json()["data"]]
                assert customer.deliveries[endpoint], "seeding made no deliveries"
    return world


async def _dispatch(database_url: str) -> None:
    """Fan the seeded outbox events out into deliveries, as the worker would (nothing is sent)."""
    settings = make_settings(database_url)
    database = open_database(settings)
    await database.start()
    try:
        worker = build_worker(
            settings, Units(database), _NoSend(), clock=SystemClock(), ids=Uuid7Generator()
        )
        while await worker.dispatch():
            pass
    finally:
        await database.stop()
