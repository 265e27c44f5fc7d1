"""The unit of work: one transaction and the repositories bound to it, for either database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from service.idempotency.repository import IdempotencyRepository, SqlIdempotencyRepository
from service.kit.db import Database
from service.orders.repository import OrdersRepository, SqlOrdersRepository
from service.outbox.repository import OutboxRepository, SqlOutboxRepository
from service.versions.repository import (
    PinRepository,
    SqlPinRepository,
    SqlUsageRepository,
    UsageRepository,
)
from service.webhooks.repository import SqlWebhooksRepository, WebhooksRepository
from service.webhooks.secrets_repository import SecretsRepository, SqlSecretsRepository


@dataclass(frozen=True, slots=True)
class Unit:
    """Every repository a request may use, all on the same transaction."""

    orders: OrdersRepository
    idempotency: IdempotencyRepository
    outbox: OutboxRepository
    webhooks: WebhooksRepository
    webhook_secrets: SecretsRepository
    pins: PinRepository
    usage: UsageRepository


class Units:
    """Implements Transactional[Unit]: `async with units(write=True) as unit: ...` commits on
    success and rolls back on any exception."""

    def __init__(self, database: Database) -> None:
        self._database = database

    @asynccontextmanager
    async def __call__(self, *, write: bool, single_statement: bool = False) -> AsyncIterator[Unit]:
        async with self._database.transaction(
            write=write, single_statement=single_statement
        ) as session:
            yield Unit(
                orders=SqlOrdersRepository(session),
                idempotency=SqlIdempotencyRepository(session),
                outbox=SqlOutboxRepository(session),
                webhooks=SqlWebhooksRepository(session),
                webhook_secrets=SqlSecretsRepository(session),
                pins=SqlPinRepository(session),
                usage=SqlUsageRepository(session),
            )
