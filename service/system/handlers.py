"""Implements generated.system.SystemApi: /health (the process is up), /ready (the database answers)."""

from __future__ import annotations

import asyncio

from generated import models
from generated.system import GetHealthOk, GetReadinessOk
from service.kit.db import Database, DatabaseUnavailable


class SystemHandlers:
    def __init__(self, database: Database, *, timeout_seconds: float) -> None:
        self._database = database
        self._timeout = timeout_seconds

    async def get_health(self) -> GetHealthOk:
        return GetHealthOk(body=models.Health(status="ok"))

    async def get_readiness(self) -> GetReadinessOk:
        try:
            async with asyncio.timeout(self._timeout):
                await self._database.ping()
        except TimeoutError as exc:
            raise DatabaseUnavailable("The database did not answer in time.") from exc
        return GetReadinessOk(body=models.Readiness(status="ready", database="ok"))
