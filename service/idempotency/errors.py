"""Errors of idempotent requests."""

from __future__ import annotations

from service.kit.problems import Conflict, ValidationFailed


class IdempotencyKeyInFlight(Conflict):
    slug, title = "idempotency-key-in-flight", "Request in flight"
    default_detail = (
        "A request with this Idempotency-Key is still being processed; retry after it completes."
    )


class IdempotencyKeyReused(ValidationFailed):
    slug, title = "idempotency-key-reused", "Idempotency key reused"
    default_detail = (
        "This Idempotency-Key was already used with a different request body; "
        "use a new key for a new request."
    )
