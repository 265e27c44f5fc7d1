"""Errors of the webhooks domain."""

from __future__ import annotations

from uuid import UUID

from service.kit.problems import Conflict, FieldError, NotFound, ValidationFailed


class WebhookEndpointNotFound(NotFound):
    """No such endpoint for this caller: unknown and foreign ids answer alike."""

    def __init__(self, endpoint_id: UUID) -> None:
        super().__init__(f"Webhook endpoint {endpoint_id} was not found.")


class WebhookDeliveryNotFound(NotFound):
    def __init__(self, delivery_id: UUID) -> None:
        super().__init__(f"Webhook delivery {delivery_id} was not found.")


class WebhookUrlRefused(ValidationFailed):
    """A well-formed URL this server will not send to (scheme, or a non-public address)."""

    slug, title = "webhook-url-refused", "The webhook URL is refused"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The webhook URL is refused: {reason}.",
            errors=[FieldError("body", "/url", reason)],
        )


class WebhookEndpointLimitReached(Conflict):
    slug, title = "webhook-endpoint-limit", "Too many webhook endpoints"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"A customer may register at most {limit} webhook endpoints; delete one first."
        )
