"""The delivery worker: outbox events fanned out to deliveries, claimed under a lease, sent, settled.

One loop per process, any number of processes on one database:

1. dispatch: claim a batch of pending outbox events (`FOR UPDATE SKIP LOCKED`), queue one
   delivery per subscribed endpoint with the payload rendered once, mark the events delivered,
   all in one transaction, so an event is fanned out exactly once or not at all;
2. claim: lock due deliveries (skipping locked ones), mark them `delivering` under a fresh
   lease (id and expiry) and count the attempt; a delivery whose lease ran out (its worker
   died) is due again, its lost attempt recorded as interrupted;
3. send each claimed delivery (sender.py), then in one transaction record the attempt and,
   if the lease is still this worker's, settle it: succeeded, pending again after a backoff,
   or failed after the last attempt.

A delivery is only ever sent again after its lease is lost, so duplicates are re-sends of the
same `webhook-id`. On SIGTERM the worker claims nothing more, lets attempts in flight finish
for a grace period, then cancels the rest and hands them back as due at once.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit
from uuid import UUID

import orjson
import structlog

from generated.version_changes import Versions
from service.kit.clock import Clock, IdGenerator
from service.kit.db import DatabaseUnavailable, Transactional
from service.kit.settings import Settings
from service.outbox.repository import OutboxRepository
from service.versions.repository import PinRepository
from service.webhooks.events import RenderedEvent, UndeliverableEvent, render
from service.webhooks.policy import RetryPolicy
from service.webhooks.repository import (
    AttemptRecord,
    EndpointRecord,
    NewDelivery,
    Settlement,
    WebhooksRepository,
)
from service.webhooks.secrets import SecretBox, SecretUnreadable
from service.webhooks.sender import Outcome, Sender

log = structlog.get_logger(__name__)

INTERRUPTED = "interrupted: the worker stopped before the attempt finished"
SHUT_DOWN = "interrupted: the worker shut down before the receiver answered"


class WorkerUnit(Protocol):
    @property
    def outbox(self) -> OutboxRepository: ...

    @property
    def webhooks(self) -> WebhooksRepository: ...

    @property
    def pins(self) -> PinRepository: ...


@dataclass(frozen=True, slots=True)
class Job:
    """A delivery this worker holds the lease of, and what it sends."""

    id: UUID
    endpoint_id: UUID
    event_type: str
    body: str
    url: str
    # Sealed, as stored: opened only for the attempt, so no plain secret waits in the queue.
    secrets: tuple[str, ...]
    attempt: int
    lease_id: UUID


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    lease: timedelta
    concurrency: int
    dispatch_batch: int
    poll_interval_seconds: float
    shutdown_grace_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> WorkerConfig:
        return cls(
            lease=timedelta(seconds=settings.webhooks_lease_seconds),
            concurrency=settings.webhooks_concurrency,
            dispatch_batch=settings.webhooks_dispatch_batch,
            poll_interval_seconds=settings.webhooks_poll_interval_seconds,
            shutdown_grace_seconds=settings.webhooks_shutdown_grace_seconds,
        )


def _ms(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() * 1000))


def _host(url: str) -> str:
    # Logs name the host only: a path or query may carry the partner's own tokens.
    return urlsplit(url).hostname or ""


class Worker:
    def __init__(
        self,
        units: Transactional[WorkerUnit],
        sender: Sender,
        *,
        clock: Clock,
        ids: IdGenerator,
        policy: RetryPolicy,
        config: WorkerConfig,
        box: SecretBox,
        rng: random.Random | None = None,
        versions: Versions | None = None,
    ) -> None:
        self._units = units
        self._box = box
        # Payloads go out in the version the customer is pinned to (docs/versioning.md).
        self._versions = versions
        self._sender = sender
        self._clock = clock
        self._ids = ids
        self._policy = policy
        self._config = config
        self._rng = rng or random.Random()

    async def dispatch(self) -> int:
        """Fan one batch of outbox events out into deliveries; how many events it took."""
        now = self._clock.now()
        async with self._units(write=True) as unit:
            events = await unit.outbox.claim_pending(now, self._config.dispatch_batch)
            subscribers: dict[str, list[EndpointRecord]] = {}
            handed_on: list[UUID] = []
            for event in events:
                try:
                    rendered = render(event)
                except UndeliverableEvent as exc:
                    log.error(
                        "webhooks.event_undeliverable", event_id=str(event.id), error=str(exc)
                    )
                    await unit.outbox.mark_failed(event.id, str(exc), now)
                    continue
                customer = rendered.customer_id
                if customer not in subscribers:
                    subscribers[customer] = await unit.webhooks.subscribers(customer)
                body = await self._in_pinned_version(unit, event.event_type, rendered)
                for endpoint in subscribers[customer]:
                    if event.event_type in endpoint.event_types:
                        await unit.webhooks.add_delivery(
                            NewDelivery(
                                id=self._ids.new_id(),
                                endpoint_id=endpoint.id,
                                event_id=event.id,
                                event_type=event.event_type,
                                body=body,
                                created_at=now,
                            )
                        )
                handed_on.append(event.id)
            await unit.outbox.mark_delivered(handed_on, now)
        if events:
            log.debug("webhooks.events_dispatched", events=len(events))
        return len(events)

    async def _in_pinned_version(
        self, unit: WorkerUnit, event_type: str, rendered: RenderedEvent
    ) -> str:
        """The payload as the customer's pinned version documents it; the newest without a pin."""
        if self._versions is None or not rendered.customer_id:
            return rendered.body
        version = await unit.pins.get(rendered.customer_id)
        if (
            version is None
            or version == self._versions.newest
            or not self._versions.served(version)
        ):
            return rendered.body
        payload = orjson.loads(rendered.body)
        old = self._versions.downgrade_payload(f"WEBHOOK POST {event_type}", version, payload)
        return orjson.dumps(old).decode()

    async def claim(self, limit: int) -> list[Job]:
        """Take the lease of up to `limit` due deliveries."""
        now = self._clock.now()
        lease_id = self._ids.new_id()
        jobs: list[Job] = []
        async with self._units(write=True) as unit:
            for due in await unit.webhooks.lock_due(now, limit):
                if due.status == "delivering":
                    # Its lease ran out: the worker that held it died or hung mid-attempt.
                    await unit.webhooks.add_attempt(
                        AttemptRecord(
                            id=self._ids.new_id(),
                            delivery_id=due.id,
                            number=due.attempts,
                            started_at=due.updated_at,
                            duration_ms=_ms(now - due.updated_at),
                            status_code=None,
                            error=INTERRUPTED,
                        )
                    )
                    log.warning(
                        "webhooks.attempt_interrupted",
                        delivery_id=str(due.id),
                        attempt=due.attempts,
                    )
                    if due.attempts >= self._policy.max_attempts:
                        await unit.webhooks.settle(
                            due.id, Settlement("failed", None, None, INTERRUPTED, now), now
                        )
                        log.error(
                            "webhooks.delivery_failed",
                            delivery_id=str(due.id),
                            endpoint_id=str(due.endpoint_id),
                            attempts=due.attempts,
                        )
                        continue
                jobs.append(
                    Job(
                        id=due.id,
                        endpoint_id=due.endpoint_id,
                        event_type=due.event_type,
                        body=due.body,
                        url=due.url,
                        secrets=due.secrets,
                        attempt=due.attempts + 1,
                        lease_id=lease_id,
                    )
                )
            await unit.webhooks.start_attempts(
                [job.id for job in jobs],
                lease_id=lease_id,
                lease_until=now + self._config.lease,
                now=now,
            )
        return jobs

    async def deliver(self, job: Job) -> None:
        """Send one claimed delivery and settle it."""
        started = self._clock.now()
        clock_start = time.monotonic()
        try:
            try:
                secrets = [self._box.open(sealed) for sealed in job.secrets]
            except SecretUnreadable as exc:
                # Retried like a failed send: restoring the key (settings) lets it through.
                log.error("webhooks.secret_unreadable", endpoint_id=str(job.endpoint_id))
                outcome = Outcome(None, f"not sent: {exc}")
            else:
                outcome = await self._sender.send(
                    delivery_id=job.id, url=job.url, secrets=secrets, body=job.body
                )
        except asyncio.CancelledError:
            # Shutting down past the grace period: hand it back now rather than at lease end.
            await asyncio.shield(
                self._settle(job, Outcome(None, SHUT_DOWN), started, clock_start, release=True)
            )
            raise
        await self._settle(job, outcome, started, clock_start, release=False)

    def _settlement(self, job: Job, outcome: Outcome, now: datetime, release: bool) -> Settlement:
        if outcome.succeeded:
            return Settlement("succeeded", None, outcome.status_code, None, now)
        delay = self._policy.delay(job.attempt, self._rng)
        if delay is None:
            return Settlement("failed", None, outcome.status_code, outcome.error, now)
        due = now if release else now + delay
        return Settlement("pending", due, outcome.status_code, outcome.error, None)

    async def _settle(
        self, job: Job, outcome: Outcome, started: datetime, clock_start: float, *, release: bool
    ) -> None:
        now = self._clock.now()
        duration_ms = int((time.monotonic() - clock_start) * 1000)
        settlement = self._settlement(job, outcome, now, release)
        fields = {
            "delivery_id": str(job.id),
            "endpoint_id": str(job.endpoint_id),
            "event_type": job.event_type,
            "host": _host(job.url),
            "attempt": job.attempt,
            "status_code": outcome.status_code,
            "duration_ms": duration_ms,
        }
        async with self._units(write=True) as unit:
            held = await unit.webhooks.lock_lease(job.id)
            if held is None:
                log.info("webhooks.delivery_dropped", reason="endpoint deleted", **fields)
                return
            await unit.webhooks.add_attempt(
                AttemptRecord(
                    id=self._ids.new_id(),
                    delivery_id=job.id,
                    number=job.attempt,
                    started_at=started,
                    duration_ms=duration_ms,
                    status_code=outcome.status_code,
                    error=outcome.error,
                )
            )
            if held[0] != job.lease_id:
                # Another worker took the delivery over after this lease ran out; it settles.
                log.warning("webhooks.lease_lost", error=outcome.error, **fields)
                return
            await unit.webhooks.settle(job.id, settlement, now)
        if settlement.status == "succeeded":
            log.info("webhooks.delivery_succeeded", **fields)
        elif settlement.status == "failed":
            log.error("webhooks.delivery_failed", error=outcome.error, **fields)
        else:
            due = settlement.next_attempt_at
            log.warning(
                "webhooks.attempt_failed",
                error=outcome.error,
                next_attempt_at=due.isoformat() if due else None,
                **fields,
            )

    async def _run_job(self, job: Job) -> None:
        try:
            await self.deliver(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The lease runs out and another attempt follows; nothing is lost.
            log.exception("webhooks.settle_failed", delivery_id=str(job.id))

    async def _step(self, free: int) -> tuple[list[Job], bool]:
        """One dispatch and one claim; the jobs, and whether more work is waiting already."""
        try:
            dispatched = await self.dispatch()
            jobs = await self.claim(free) if free > 0 else []
        except DatabaseUnavailable:
            log.warning("webhooks.database_unavailable")
            return [], False
        except Exception:
            log.exception("webhooks.worker_step_failed")
            return [], False
        more = dispatched >= self._config.dispatch_batch or len(jobs) == free
        return jobs, more

    async def run(self, stop: asyncio.Event, hurry: asyncio.Event | None = None) -> None:
        """Deliver until `stop` is set; then drain for the grace period (cut short by `hurry`)."""
        in_flight: set[asyncio.Task[None]] = set()
        stopping = asyncio.ensure_future(stop.wait())
        # With work waiting, claim again once half the slots are free: one claim per batch,
        # not one per finished attempt.
        low_water = self._config.concurrency // 2
        log.info("webhooks.worker_started", concurrency=self._config.concurrency)
        try:
            while not stop.is_set():
                jobs, more = await self._step(self._config.concurrency - len(in_flight))
                for job in jobs:
                    task = asyncio.create_task(self._run_job(job))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                if not more:
                    await asyncio.wait({stopping}, timeout=self._config.poll_interval_seconds)
                    continue
                while len(in_flight) > low_water and not stop.is_set():
                    done, _ = await asyncio.wait(
                        {stopping, *in_flight},
                        timeout=self._config.poll_interval_seconds,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    if not done:
                        break  # slow receivers: dispatch and claim for the free slots anyway
        finally:
            stopping.cancel()
            await self._drain(in_flight, hurry)
            log.info("webhooks.worker_stopped")

    async def _drain(self, in_flight: set[asyncio.Task[None]], hurry: asyncio.Event | None) -> None:
        hurrying = asyncio.ensure_future(hurry.wait() if hurry else asyncio.Event().wait())
        deadline = time.monotonic() + self._config.shutdown_grace_seconds
        if in_flight:
            log.info("webhooks.worker_draining", in_flight=len(in_flight))
        try:
            while in_flight and not hurrying.done():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                await asyncio.wait(
                    {hurrying, *in_flight}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                )
        finally:
            hurrying.cancel()
        left = list(in_flight)
        for task in left:
            task.cancel()
        if left:
            log.warning("webhooks.worker_released", deliveries=len(left))
            await asyncio.gather(*left, return_exceptions=True)


def build_worker(
    settings: Settings,
    units: Transactional[WorkerUnit],
    sender: Sender,
    *,
    clock: Clock,
    ids: IdGenerator,
    versions: Versions | None = None,
) -> Worker:
    return Worker(
        units,
        sender,
        clock=clock,
        ids=ids,
        policy=RetryPolicy.from_settings(settings),
        config=WorkerConfig.from_settings(settings),
        box=SecretBox(settings.webhooks_secret_key_values),
        versions=versions,
    )
