"""Mixed load for the fault suites: creates (with replays of the same key), gets, lists, /ready.

Every request is recorded as a `faults.Outcome`. Like a careful client, the load retries a
create whose answer it did not get (or that was a 503) later with the same key and body, so
the database must end up with exactly one order per key whatever happened in between.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from tests.long.faults import Outcome


def order_body(customer: str, key: str) -> dict[str, Any]:
    # The key travels in the description, so the database tells which key made which order.
    return {
        "customer_id": customer,
        "amount_cents": 1999,
        "currency": "EUR",
        "statement_descriptor": key,
    }


class Load:
    """Requests for one customer against one server, recorded in `outcomes`."""

    def __init__(
        self, client: httpx.AsyncClient, customer: str, token: str, *, seed: int = 10
    ) -> None:
        self.client = client
        self.customer = customer
        self.headers = {"Authorization": f"Bearer {token}"}
        self.outcomes: list[Outcome] = []
        self.random = random.Random(seed)
        self.created: dict[str, str] = {}  # key -> order id, once any create answered 2xx
        self.unanswered: set[str] = set()  # keys whose every attempt so far failed
        self.reads_only = False  # only gets and lists (while the orders table is locked)

    async def _send(
        self, op: str, method: str, url: str, *, key: str | None = None, **kwargs: Any
    ) -> Outcome:
        started = time.monotonic()
        try:
            response = await self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            outcome = Outcome(
                op, started, time.monotonic() - started, None, error=type(exc).__name__, key=key
            )
        else:
            latency = time.monotonic() - started
            content_type = response.headers.get("content-type", "")
            body: Any = None
            if "json" in content_type:
                try:
                    body = response.json()
                except ValueError:
                    body = None
            outcome = Outcome(
                op,
                started,
                latency,
                response.status_code,
                content_type=content_type,
                retry_after=response.headers.get("retry-after"),
                problem_type=body.get("type") if isinstance(body, dict) else None,
                key=key,
                order_id=body.get("id")
                if key is not None and response.is_success and isinstance(body, dict)
                else None,
            )
        self.outcomes.append(outcome)
        return outcome

    async def create(self, key: str, *, op: str = "create") -> Outcome:
        outcome = await self._send(
            op,
            "POST",
            "/v1/orders",
            key=key,
            json=order_body(self.customer, key),
            headers={**self.headers, "Idempotency-Key": key},
        )
        if outcome.ok and outcome.order_id is not None:
            self.created[key] = outcome.order_id
            self.unanswered.discard(key)
        elif outcome.status != 409:  # 409: the same key is in flight elsewhere; it will answer
            self.unanswered.add(key)
        return outcome

    async def get(self, order_id: str) -> Outcome:
        return await self._send("get", "GET", f"/v1/orders/{order_id}", headers=self.headers)

    async def list(self) -> Outcome:
        url = f"/v1/customers/{self.customer}/orders"
        return await self._send("list", "GET", url, params={"limit": 10}, headers=self.headers)

    async def ready(self) -> Outcome:
        return await self._send("ready", "GET", "/ready")

    async def step(self) -> Outcome:
        """One request of the mix: 40% new creates, 20% replays (retries of failed keys
        first), 25% gets, 15% lists."""
        roll = self.random.random()
        if self.reads_only and self.created:
            roll = 0.60 + roll * 0.40
        if roll < 0.40 or not self.created:
            return await self.create(str(uuid.uuid4()))
        if roll < 0.60:
            pending = sorted(self.unanswered)
            key = self.random.choice(pending or sorted(self.created))
            return await self.create(key, op="replay")
        if roll < 0.85:
            return await self.get(self.random.choice(list(self.created.values())))
        return await self.list()

    async def run(self, stop: asyncio.Event, *, concurrency: int) -> None:
        """`concurrency` clients stepping until `stop`, and a /ready probe every 100 ms."""

        async def client() -> None:
            while not stop.is_set():
                await self.step()

        async def prober() -> None:
            while not stop.is_set():
                await self.ready()
                await asyncio.sleep(0.1)

        await asyncio.gather(prober(), *(client() for _ in range(concurrency)))

    async def settle(self, *, deadline_seconds: float = 30) -> None:
        """Retry every key that never got an answer until each has one (the careful client)."""
        deadline = time.monotonic() + deadline_seconds
        while self.unanswered and time.monotonic() < deadline:
            for key in sorted(self.unanswered):
                await self.create(key, op="settle")
            if self.unanswered:
                await asyncio.sleep(0.2)


async def timed(action: Callable[[], Any]) -> tuple[float, float]:
    """Run a blocking action off the loop; (monotonic start, monotonic end)."""
    started = time.monotonic()
    await asyncio.to_thread(action)
    return started, time.monotonic()
