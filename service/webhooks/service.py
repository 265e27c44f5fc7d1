"""The endpoint rules: who owns what, the URL policy, secrets sealed and shown once (at creation
and at each rotation), keyset listing."""

# Services never commit: the handler's unit of work does.

from __future__ import annotations

from datetime import timedelta
from typing import Protocol
from uuid import UUID

from generated import models
from service.kit.clock import Clock, IdGenerator
from service.kit.pagination import CursorCodec, Keyset
from service.webhooks.errors import (
    WebhookDeliveryNotFound,
    WebhookEndpointLimitReached,
    WebhookEndpointNotFound,
    WebhookUrlRefused,
)
from service.webhooks.repository import (
    AttemptRecord,
    DeliveryRecord,
    EndpointRecord,
    WebhooksRepository,
)
from service.webhooks.secrets import SecretBox
from service.webhooks.secrets_repository import SecretsRepository
from service.webhooks.signing import new_secret
from service.webhooks.urls import UnsafeUrl, check_url


class WebhooksUnit(Protocol):
    @property
    def webhooks(self) -> WebhooksRepository: ...

    @property
    def webhook_secrets(self) -> SecretsRepository: ...


def _endpoint(record: EndpointRecord) -> models.WebhookEndpoint:
    return models.WebhookEndpoint(
        id=record.id,
        url=record.url,
        event_types=[models.WebhookEventType(t) for t in record.event_types],
        description=record.description,
        created_at=record.created_at,
    )


def _attempt(record: AttemptRecord) -> models.WebhookAttempt:
    return models.WebhookAttempt(
        number=record.number,
        started_at=record.started_at,
        duration_ms=record.duration_ms,
        status_code=record.status_code,
        error=record.error,
    )


def _delivery(record: DeliveryRecord, attempts: list[AttemptRecord]) -> models.WebhookDelivery:
    return models.WebhookDelivery(
        id=record.id,
        endpoint_id=record.endpoint_id,
        event_id=record.event_id,
        event_type=models.WebhookEventType(record.event_type),
        status=models.WebhookDeliveryStatus(record.status),
        attempt_count=record.attempts,
        next_attempt_at=record.next_attempt_at,
        last_status_code=record.last_status_code,
        last_error=record.last_error,
        created_at=record.created_at,
        completed_at=record.completed_at,
        attempts=[_attempt(a) for a in attempts],
    )


class WebhooksService:
    def __init__(
        self,
        *,
        clock: Clock,
        ids: IdGenerator,
        cursors: CursorCodec,
        allow_private: bool,
        max_endpoints: int,
        box: SecretBox,
    ) -> None:
        self._box = box
        self._clock = clock
        self._ids = ids
        self._cursors = cursors
        self._allow_private = allow_private
        self._max_endpoints = max_endpoints

    def _after(self, cursor: str | None, scope: str) -> Keyset | None:
        # A cursor is bound to its list: one from another list fails its signature (400).
        return None if cursor is None else self._cursors.decode(cursor, scope=scope)

    def _next(self, after: Keyset | None, scope: str) -> str | None:
        return None if after is None else self._cursors.encode(after, scope=scope)

    async def create_endpoint(
        self, unit: WebhooksUnit, *, caller: str, body: models.WebhookEndpointCreate
    ) -> models.WebhookEndpointWithSecret:
        try:
            check_url(body.url, allow_private=self._allow_private)
        except UnsafeUrl as exc:
            raise WebhookUrlRefused(str(exc)) from None
        # A soft limit: two registrations racing can both pass it, which bounds nothing
        # that matters (it exists to keep one customer's fan-out in proportion).
        if await unit.webhooks.count_endpoints(caller) >= self._max_endpoints:
            raise WebhookEndpointLimitReached(self._max_endpoints)
        secret = new_secret()
        record = EndpointRecord(
            id=self._ids.new_id(),
            customer_id=caller,
            url=body.url,
            event_types=tuple(dict.fromkeys(t.value for t in body.event_types)),
            description=body.description,
            secret=self._box.seal(secret),
            created_at=self._clock.now(),
        )
        await unit.webhooks.insert_endpoint(record)
        public = _endpoint(record)
        return models.WebhookEndpointWithSecret(**public.model_dump(), secret=secret)

    async def rotate_secret(
        self,
        unit: WebhooksUnit,
        *,
        caller: str,
        endpoint_id: UUID,
        body: models.WebhookSecretRotation,
    ) -> models.WebhookSecretRotated:
        secret = new_secret()
        overlap = body.previous_secret_valid_seconds
        expires = self._clock.now() + timedelta(seconds=overlap) if overlap > 0 else None
        rotated = await unit.webhook_secrets.rotate(
            endpoint_id, caller, secret=self._box.seal(secret), previous_expires_at=expires
        )
        if rotated is None:
            raise WebhookEndpointNotFound(endpoint_id)
        return models.WebhookSecretRotated(
            endpoint_id=endpoint_id, secret=secret, previous_secret_expires_at=expires
        )

    async def list_endpoints(
        self, unit: WebhooksUnit, *, caller: str, limit: int, cursor: str | None
    ) -> models.WebhookEndpointPage:
        scope = f"webhook-endpoints:{caller}"
        page = await unit.webhooks.page_endpoints(
            caller, after=self._after(cursor, scope), limit=limit
        )
        return models.WebhookEndpointPage(
            data=[_endpoint(e) for e in page.items], next_cursor=self._next(page.next_after, scope)
        )

    async def _owned(self, unit: WebhooksUnit, caller: str, endpoint_id: UUID) -> EndpointRecord:
        found = await unit.webhooks.get_endpoint(endpoint_id, caller)
        if found is None:
            raise WebhookEndpointNotFound(endpoint_id)
        return found

    async def get_endpoint(
        self, unit: WebhooksUnit, *, caller: str, endpoint_id: UUID
    ) -> models.WebhookEndpoint:
        return _endpoint(await self._owned(unit, caller, endpoint_id))

    async def delete_endpoint(self, unit: WebhooksUnit, *, caller: str, endpoint_id: UUID) -> None:
        if not await unit.webhooks.delete_endpoint(endpoint_id, caller):
            raise WebhookEndpointNotFound(endpoint_id)

    async def list_deliveries(
        self,
        unit: WebhooksUnit,
        *,
        caller: str,
        endpoint_id: UUID,
        status: models.WebhookDeliveryStatus | None,
        limit: int,
        cursor: str | None,
    ) -> models.WebhookDeliveryPage:
        await self._owned(unit, caller, endpoint_id)
        state = None if status is None else status.value
        scope = f"webhook-deliveries:{endpoint_id}:{state or ''}"
        page = await unit.webhooks.page_deliveries(
            endpoint_id, status=state, after=self._after(cursor, scope), limit=limit
        )
        attempts = await unit.webhooks.attempts_of([d.id for d in page.items])
        return models.WebhookDeliveryPage(
            data=[_delivery(d, attempts[d.id]) for d in page.items],
            next_cursor=self._next(page.next_after, scope),
        )

    async def get_delivery(
        self, unit: WebhooksUnit, *, caller: str, endpoint_id: UUID, delivery_id: UUID
    ) -> models.WebhookDelivery:
        found = await unit.webhooks.get_delivery(delivery_id, endpoint_id, caller)
        if found is None:
            raise WebhookDeliveryNotFound(delivery_id)
        attempts = await unit.webhooks.attempts_of([found.id])
        return _delivery(found, attempts[found.id])
