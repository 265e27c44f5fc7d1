"""A write the request deadline interrupts still finishes, and the request answers what it did.

The database here waits after each write statement has run, past the deadline: today's write
is then done (PostgreSQL, one statement) or about to commit (SQLite, at the unit's end), the
moment a cancel would leave the client with a 503 and no way to know."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx

from service.app import create_app
from service.kit.db import Database, Session, Sql, open_database
from service.webhooks.secrets import SecretBox
from tests.fixtures.service import make_settings, order_body, serve, token

DEADLINE = 0.2
PAST_IT = 0.5


# The writes under test; others (a customer's first request pins its API version) stay quick.
_SLOW = ("orders", "webhook_endpoints")


def _slow(sql: Sql) -> bool:
    return any(f"INSERT INTO {t} " in sql.pg or f"UPDATE {t} " in sql.pg for t in _SLOW)


class _SlowSession:
    def __init__(self, inner: Session) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def fetch_one(self, sql: Sql, *args: object) -> Any:
        row = await self._inner.fetch_one(sql, *args)
        if _slow(sql):
            await asyncio.sleep(PAST_IT)
        return row

    async def execute(self, sql: Sql, *args: object) -> int:
        changed = await self._inner.execute(sql, *args)
        if _slow(sql):
            await asyncio.sleep(PAST_IT)
        return changed


class SlowWrites:
    """A Database whose write units pause after each write of an order or an endpoint."""

    def __init__(self, inner: Database) -> None:
        self._inner = inner
        self.slow = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @contextlib.asynccontextmanager
    async def transaction(
        self, *, write: bool, single_statement: bool = False
    ) -> AsyncIterator[Any]:
        async with self._inner.transaction(write=write, single_statement=single_statement) as s:
            yield _SlowSession(s) if write and self.slow else s


@contextlib.asynccontextmanager
async def slow_app(database_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Any, SlowWrites]]:
    settings = make_settings(database_url, request_timeout_seconds=DEADLINE)
    database = SlowWrites(open_database(settings))
    async with serve(create_app(settings, database=database)) as client:
        yield client, settings, database


def auth(settings: Any, customer: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(settings, customer)}", **headers}


async def test_a_create_past_the_deadline_answers_201_and_its_replay_the_same_order(database_url):
    customer = f"cus_{uuid.uuid4().hex[:12]}"
    key = uuid.uuid4().hex
    async with slow_app(database_url) as (client, settings, database):
        database.slow = True
        created = await client.post(
            "/v1/orders",
            json=order_body(customer),
            headers=auth(settings, customer, **{"Idempotency-Key": key}),
        )
        database.slow = False
        replayed = await client.post(
            "/v1/orders",
            json=order_body(customer),
            headers=auth(settings, customer, **{"Idempotency-Key": key}),
        )
        listed = await client.get(
            f"/v1/customers/{customer}/orders", headers=auth(settings, customer)
        )

    assert created.status_code == 201, created.text
    assert (replayed.status_code, replayed.json()) == (200, created.json())
    assert [order["id"] for order in listed.json()["data"]] == [created.json()["id"]]


async def test_a_cancel_past_the_deadline_answers_the_cancelled_order(database_url):
    customer = f"cus_{uuid.uuid4().hex[:12]}"
    async with slow_app(database_url) as (client, settings, database):
        order = await client.post(
            "/v1/orders",
            json=order_body(customer),
            headers=auth(settings, customer, **{"Idempotency-Key": "k1"}),
        )
        database.slow = True
        cancelled = await client.post(
            f"/v1/orders/{order.json()['id']}/cancel", headers=auth(settings, customer)
        )
        database.slow = False
        shown = await client.get(
            f"/v1/orders/{order.json()['id']}", headers=auth(settings, customer)
        )

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == shown.json()["status"] == "cancelled"


async def test_an_endpoint_created_or_rotated_past_the_deadline_shows_the_secret_that_signs(
    database_url,
):
    customer = f"cus_{uuid.uuid4().hex[:12]}"
    body = {"url": "http://127.0.0.1:9/hook", "event_types": ["order.created"]}
    async with slow_app(database_url) as (client, settings, database):
        database.slow = True
        created = await client.post(
            "/v1/webhook-endpoints", json=body, headers=auth(settings, customer)
        )
        endpoint_id = created.json()["id"]
        rotated = await client.post(
            f"/v1/webhook-endpoints/{endpoint_id}/rotate-secret", headers=auth(settings, customer)
        )
        database.slow = False
        async with database.transaction(write=False) as session:
            row = await session.fetch_one(
                Sql.portable("SELECT secret, previous_secret FROM webhook_endpoints WHERE id = $1"),
                uuid.UUID(endpoint_id),
            )

    assert (created.status_code, rotated.status_code) == (201, 200), rotated.text
    box = SecretBox(settings.webhooks_secret_key_values)
    assert box.open(row["secret"]) == rotated.json()["secret"]
    assert box.open(row["previous_secret"]) == created.json()["secret"]
