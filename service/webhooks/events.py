"""The events partners can subscribe to, and their payloads as the spec's `webhooks` section
documents them: `{id, type, timestamp, data}` with the public resource as `data`."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ValidationError

from generated import models
from service.outbox.repository import OutboxEvent

# Each event type with its payload model; the payload's `data` is always the public Order.
PAYLOADS: dict[str, type[BaseModel]] = {
    models.WebhookEventType.ORDER_CREATED.value: models.OrderCreatedEvent,
    models.WebhookEventType.ORDER_CANCELLED.value: models.OrderCancelledEvent,
}


class UndeliverableEvent(ValueError):
    """An outbox event no payload model describes (an unknown type, or data not an Order)."""


@dataclass(frozen=True, slots=True)
class RenderedEvent:
    """An event as its receivers get it: whose it is, and the exact JSON body to sign and send."""

    customer_id: str
    body: str


def render(event: OutboxEvent) -> RenderedEvent:
    """The payload of `event`. The order is validated into the public model on the way, so a
    field the spec does not declare (an internal column) cannot reach a partner."""
    payload_model = PAYLOADS.get(event.event_type)
    if payload_model is None:
        raise UndeliverableEvent(f"no webhook payload is defined for {event.event_type!r}")
    try:
        order = models.Order.model_validate_json(event.payload)
        payload = payload_model.model_validate(
            {
                "id": event.id,
                "type": event.event_type,
                "timestamp": event.created_at,
                "data": order,
            }
        )
    except ValidationError as exc:
        raise UndeliverableEvent(f"the {event.event_type} payload is invalid: {exc}") from exc
    # Unset optional properties stay out, as in the responses: absent, never a forbidden null.
    return RenderedEvent(order.customer_id, payload.model_dump_json(exclude_unset=True))
