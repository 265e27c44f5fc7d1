"""The unit of work: one transaction and the repositories bound to it, for either database."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import TypeVar

from service.idempotency.repository import IdempotencyRepository, SqlIdempotencyRepository
from service.kit.db import Database, Session
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

R = TypeVar("R")


class Unit:
    """Every repository a request may use, all on the same transaction. Each is built when it
    is first used: a request touches one or two of the seven, and it costs nothing to leave
    the rest unbuilt."""

    __slots__ = ("_built", "_session")

    def __init__(self, session: Session) -> None:
        self._session = session
        self._built: dict[object, object] = {}

    def _repository(self, kind: Callable[[Session], R]) -> R:
        found = self._built.get(kind)
        if found is None:
            found = self._built[kind] = kind(self._session)
        return found  # type: ignore[return-value]

    @property
    def orders(self) -> OrdersRepository:
        return self._repository(SqlOrdersRepository)

    @property
    def idempotency(self) -> IdempotencyRepository:
        return self._repository(SqlIdempotencyRepository)

    @property
    def outbox(self) -> OutboxRepository:
        return self._repository(SqlOutboxRepository)

    @property
    def webhooks(self) -> WebhooksRepository:
        return self._repository(SqlWebhooksRepository)

    @property
    def webhook_secrets(self) -> SecretsRepository:
        return self._repository(SqlSecretsRepository)

    @property
    def pins(self) -> PinRepository:
        return self._repository(SqlPinRepository)

    @property
    def usage(self) -> UsageRepository:
        return self._repository(SqlUsageRepository)


class Units:
    """Implements Transactional[Unit]: `async with units(write=True) as unit: ...` commits on
    success and rolls back on any exception."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def __call__(self, *, write: bool, single_statement: bool = False) -> _UnitOfWork:
        return _UnitOfWork(
            self._database.transaction(write=write, single_statement=single_statement)
        )


class _UnitOfWork:
    """The database's transaction, handing out a Unit on it: a plain context manager rather
    than a generator-based one around the database's (one coroutine frame fewer per request)."""

    __slots__ = ("_transaction",)

    def __init__(self, transaction: AbstractAsyncContextManager[Session]) -> None:
        self._transaction = transaction

    async def __aenter__(self) -> Unit:
        return Unit(await self._transaction.__aenter__())

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> bool | None:
        return await self._transaction.__aexit__(kind, error, trace)
