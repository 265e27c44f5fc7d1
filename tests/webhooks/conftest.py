"""Webhook fixtures: a receiver on 127.0.0.1, endpoints registered through the API, workers."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio

from service.db.unit import Units
from service.kit.clock import Clock, SystemClock, Uuid7Generator
from service.versions.changes import served_versions
from service.webhooks.sender import HttpxSender, create_client
from service.webhooks.worker import Worker, build_worker
from tests.fixtures.service import make_settings
from tests.webhooks.receiver import Receiver, running_receiver

# Retries within a test's patience: backoff of tens of milliseconds, short leases.
FAST = {
    "webhooks_backoff_base_seconds": 0.02,
    "webhooks_backoff_max_seconds": 0.1,
    "webhooks_poll_interval_seconds": 0.02,
    "webhooks_lease_seconds": 5,
    "webhooks_timeout_seconds": 2,
    "webhooks_connect_timeout_seconds": 1,
    "webhooks_shutdown_grace_seconds": 2,
}


@pytest_asyncio.fixture(scope="session")
async def receiver() -> AsyncIterator[Receiver]:
    async with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def hook(receiver: Receiver) -> Callable[[str], str]:
    """A receiver path of the test's own with the given behaviour (`ok`, `fail-3`, ...)."""
    prefix = f"t/{secrets.token_hex(6)}"

    def path(behaviour: str = "ok") -> str:
        return f"{prefix}/{behaviour}"

    return path


@pytest.fixture
def register(
    client: httpx.AsyncClient, auth: Callable[[str], dict[str, str]], receiver: Receiver
) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Register a receiver path as a webhook endpoint of `customer`; the 201 body."""

    async def create(
        customer: str, path: str, event_types: list[str] | None = None
    ) -> dict[str, Any]:
        body = {
            "url": receiver.url(path),
            "event_types": event_types or ["order.created", "order.cancelled"],
        }
        response = await client.post("/v1/webhook-endpoints", json=body, headers=auth(customer))
        assert response.status_code == 201, response.text
        return dict(response.json())

    return create


def worker_for(
    database_url: str,
    units: Units,
    http: httpx.AsyncClient,
    clock: Clock | None = None,
    **overrides: Any,
) -> Worker:
    settings = make_settings(database_url, **{**FAST, **overrides})
    clock = clock or SystemClock()
    sender = HttpxSender(
        http,
        clock=clock,
        allow_private=settings.webhooks_private_targets_allowed,
        timeout_seconds=settings.webhooks_timeout_seconds,
    )
    return build_worker(
        settings, units, sender, clock=clock, ids=Uuid7Generator(), versions=served_versions()
    )


@pytest.fixture
def running_worker(
    database_url: str, units: Units
) -> Callable[..., contextlib.AbstractAsyncContextManager[Worker]]:
    """`async with running_worker(**settings) as worker:` a worker loop for the block."""

    @contextlib.asynccontextmanager
    async def run(**overrides: Any) -> AsyncIterator[Worker]:
        settings = make_settings(database_url, **{**FAST, **overrides})
        async with create_client(settings) as http:
            worker = worker_for(database_url, units, http, **overrides)
            stop = asyncio.Event()
            task = asyncio.create_task(worker.run(stop))
            try:
                yield worker
            finally:
                stop.set()
                await asyncio.wait_for(task, 10)

    return run


async def eventually(
    probe: Callable[[], Awaitable[Any]], *, within: float = 15.0, every: float = 0.05
) -> Any:
    """Call `probe` until it returns something truthy; that, or AssertionError on timeout."""
    deadline = time.monotonic() + within
    while True:
        found = await probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s; last: {found!r}")
        await asyncio.sleep(every)
