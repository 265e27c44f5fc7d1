"""Fault test on PostgreSQL: three worker processes SIGKILLed at random and restarted while 500
events flow; the receiver counts deliveries by webhook-id.

Every event must arrive at least once, and the only duplicates allowed are re-sends of the same
webhook-id (a killed worker's lease running out). Run alone with the figures printed:
`TEST_DATABASE_URL=... pytest -m slow tests/webhooks -s`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
from standardwebhooks import Webhook

from service.app import create_app
from service.kit.db import Sql, open_database
from tests.fixtures.server import ROOT
from tests.fixtures.service import make_settings, order_body, serve, token
from tests.webhooks.conftest import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

EVENTS = 500
WORKERS = 3
WORKER_ENV = {
    "HARBOR_ENVIRONMENT": "test",
    "HARBOR_LOG_LEVEL": "info",
    "HARBOR_LOG_FORMAT": "json",
    "HARBOR_WEBHOOKS_LEASE_SECONDS": "2",
    "HARBOR_WEBHOOKS_TIMEOUT_SECONDS": "1",
    "HARBOR_WEBHOOKS_CONNECT_TIMEOUT_SECONDS": "0.5",
    "HARBOR_WEBHOOKS_BACKOFF_BASE_SECONDS": "0.05",
    "HARBOR_WEBHOOKS_BACKOFF_MAX_SECONDS": "0.5",
    "HARBOR_WEBHOOKS_POLL_INTERVAL_SECONDS": "0.05",
    "HARBOR_WEBHOOKS_CONCURRENCY": "8",
    "HARBOR_WEBHOOKS_DISPATCH_BATCH": "25",
    # Every kill costs the deliveries it held an attempt; the limit must not be what ends them.
    "HARBOR_WEBHOOKS_MAX_ATTEMPTS": "50",
}


class Workers:
    """WORKERS `python -m service.webhooks` processes, each killable and restartable."""

    def __init__(self, database_url: str, logs: Path) -> None:
        self._env = {**os.environ, **WORKER_ENV, "HARBOR_DATABASE_URL": database_url}
        self._logs = logs
        self.processes: list[asyncio.subprocess.Process | None] = [None] * WORKERS
        self.outputs: list[Path | None] = [None] * WORKERS
        self.started = 0

    async def start(self, slot: int) -> None:
        self.started += 1
        self.outputs[slot] = self._logs / f"worker-{slot}-{self.started}.log"
        with self.outputs[slot].open("wb") as sink:
            self.processes[slot] = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "service.webhooks",
                cwd=ROOT,
                env=self._env,
                stdout=sink,
                stderr=asyncio.subprocess.STDOUT,
            )

    async def kill(self, slot: int) -> None:
        process = self.processes[slot]
        assert process is not None
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
        await process.wait()

    async def all_running(self) -> bool:
        """Every worker has started its loop (and so handles SIGTERM)."""
        return all(
            output is not None and b"webhooks.worker_started" in output.read_bytes()
            for output in self.outputs
        )

    async def kill_all(self) -> None:
        """Whatever happened, no worker outlives the test (a failed run left two polling)."""
        for slot, process in enumerate(self.processes):
            if process is not None and process.returncode is None:
                await self.kill(slot)

    async def stop_all(self) -> list[int | None]:
        for process in self.processes:
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGTERM)
        codes = []
        for process in self.processes:
            if process is not None:
                try:
                    codes.append(await asyncio.wait_for(process.wait(), 15))
                except TimeoutError:
                    process.kill()
                    codes.append(await process.wait())
        return codes


@pytest.fixture
async def workers(pg_database_url: str, tmp_path: Path) -> AsyncIterator[Workers]:
    started = Workers(pg_database_url, tmp_path)
    try:
        yield started
    finally:
        await started.kill_all()


async def test_sigkilled_workers_lose_no_event_and_resend_only_the_same_webhook_id(
    pg_database_url, receiver, workers
):
    settings = make_settings(pg_database_url)
    customer = f"cus_fault_{uuid.uuid4().hex[:8]}"
    headers = {"Authorization": f"Bearer {token(settings, customer)}"}
    path = f"t/fault-{uuid.uuid4().hex[:6]}/jitter-30"
    kills = 0
    started = time.monotonic()

    async with serve(create_app(settings)) as client:
        created = await client.post(
            "/v1/webhook-endpoints",
            json={"url": receiver.url(path), "event_types": ["order.created"]},
            headers=headers,
        )
        secret = created.json()["secret"]
        for slot in range(WORKERS):
            await workers.start(slot)

        async def produce() -> None:
            gate = asyncio.Semaphore(8)

            async def one() -> None:
                async with gate:
                    response = await client.post(
                        "/v1/orders",
                        json=order_body(customer),
                        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
                    )
                    assert response.status_code == 201

            await asyncio.gather(*(one() for _ in range(EVENTS)))

        async def kill_at_random() -> None:
            nonlocal kills
            rng = random.Random(20261125)
            while True:
                await asyncio.sleep(rng.uniform(0.2, 0.8))
                slot = rng.randrange(WORKERS)
                await workers.kill(slot)
                kills += 1
                await workers.start(slot)

        killer = asyncio.create_task(kill_at_random())
        try:
            await produce()

            async def all_arrived() -> bool:
                return len(receiver.by_webhook_id(path)) >= EVENTS

            await eventually(all_arrived, within=120, every=0.1)
        finally:
            killer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await killer
        # Unharmed workers finish what the last kills left behind (leases run out in 2 s).
        for slot, process in enumerate(workers.processes):
            if process is not None and process.returncode is not None:
                await workers.start(slot)

        database = open_database(settings)
        await database.start()

        async def all_settled() -> bool:
            async with database.transaction(write=False) as session:
                row = await session.fetch_one(
                    Sql.portable(
                        "SELECT count(*) AS n FROM webhook_deliveries WHERE status <> 'succeeded'"
                    )
                )
            return row is not None and row["n"] == 0

        await eventually(all_settled, within=30, every=0.1)
        await eventually(workers.all_running, within=30, every=0.1)
        exit_codes = await workers.stop_all()
        async with database.transaction(write=False) as session:
            rows = await session.fetch_all(
                Sql.portable("SELECT id, event_id, status, attempts FROM webhook_deliveries")
            )
            pending_events = await session.fetch_one(
                Sql.portable("SELECT count(*) AS n FROM outbox_events WHERE status <> 'delivered'")
            )
        await database.stop()

    elapsed = time.monotonic() - started
    received = receiver.by_webhook_id(path)
    requests = sum(len(r) for r in received.values())
    duplicates = requests - len(received)
    deliveries = {str(row["id"]): row for row in rows}
    print(
        f"\nfault test: {EVENTS} events, {WORKERS} workers, {kills} SIGKILLs in {elapsed:.1f}s; "
        f"{requests} requests for {len(received)} webhook-ids: {duplicates} duplicates "
        f"(re-sends of {sum(1 for r in received.values() if len(r) > 1)} webhook-ids); "
        f"attempts per delivery: {dict(sorted(Counter(r['attempts'] for r in rows).items()))}"
    )

    assert kills >= 5
    assert pending_events is not None and pending_events["n"] == 0
    assert len(deliveries) == EVENTS  # one delivery per event: the fan-out never repeated
    assert {row["status"] for row in rows} == {"succeeded"}
    assert set(received) == set(deliveries)  # every event arrived; nothing unknown did
    event_ids = set()
    for webhook_id, copies in received.items():
        assert len({c.body for c in copies}) == 1  # a duplicate is the same delivery re-sent
        payload = Webhook(secret).verify(copies[0].body, copies[0].headers)
        assert payload["id"] == str(deliveries[webhook_id]["event_id"])
        event_ids.add(payload["id"])
        assert orjson.loads(copies[0].body)["data"]["customer_id"] == customer
    assert len(event_ids) == EVENTS
    assert exit_codes == [0] * WORKERS  # SIGTERM: a clean, graceful stop
