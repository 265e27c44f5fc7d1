"""The rows of the webhook tables as the rest of the service sees them (no SQL here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from service.kit.pagination import Keyset

T = TypeVar("T")


def signing_secrets(
    secret: str, previous: str | None, previous_expires_at: datetime | None, now: datetime
) -> tuple[str, ...]:
    """The sealed secrets that sign what is sent at `now`: the current one first, then the one
    before the last rotation until its overlap ends."""
    if previous is None or previous_expires_at is None or previous_expires_at <= now:
        return (secret,)
    return (secret, previous)


@dataclass(frozen=True, slots=True)
class EndpointRecord:
    """A row of `webhook_endpoints`, its secret included (never shown after creation)."""

    id: UUID
    customer_id: str
    url: str
    event_types: tuple[str, ...]
    description: str | None
    # Sealed (service.webhooks.secrets); never shown after creation or rotation.
    secret: str
    created_at: datetime
    # The secret before the last rotation, sealed, and when it stops signing.
    previous_secret: str | None = None
    previous_secret_expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """An event queued for one endpoint, due at once."""

    id: UUID
    endpoint_id: UUID
    event_id: UUID
    event_type: str
    body: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """A delivery as the API shows it (the body and the lease stay inside)."""

    id: UUID
    endpoint_id: UUID
    event_id: UUID
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """A row of `webhook_attempts`: one try at one delivery."""

    id: UUID
    delivery_id: UUID
    number: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A delivery that is due (or whose lease ran out), with what sending it needs."""

    id: UUID
    endpoint_id: UUID
    event_type: str
    body: str
    # `delivering` here means the worker that held it stopped before it settled the attempt.
    status: str
    attempts: int
    updated_at: datetime
    url: str
    # Sealed, current first: the previous secret too while its rotation's overlap lasts.
    secrets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Settlement:
    """How an attempt leaves its delivery: pending again (with when), succeeded or failed."""

    status: str
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    # The position of the page's last item when more follow, else None.
    next_after: Keyset | None


@dataclass(frozen=True, slots=True)
class StoredSecrets:
    """An endpoint's secrets as stored (sealed, or plain from before sealing)."""

    id: UUID
    secret: str
    previous_secret: str | None
