"""What both Python scenarios check: the 422's field errors, and the deliveries unwrapped."""

from __future__ import annotations

import uuid
from typing import assert_type

import pytest
from harbor_client import UnprocessableContentError, WebhookSignatureError, models
from harbor_client.client import AsyncWebhooksResource, WebhooksResource

from tests.clients.webhook_worker import Delivery

# What the models accept but the server refuses, sent with extra_body.
INVALID = {"amount_cents": 0, "currency": "euro"}


def check_invalid(error: UnprocessableContentError) -> None:
    """The 422 names both fields, typed and in its message."""
    assert sorted(e.pointer for e in error.errors) == ["/amount_cents", "/currency"]
    assert "/amount_cents" in str(error)


def check_deliveries(
    webhooks: WebhooksResource | AsyncWebhooksResource,
    deliveries: list[Delivery],
    secret: str,
    cancelled_id: uuid.UUID,
) -> None:
    """Every delivery unwraps into its typed event (unwrap sends nothing, so the async client's
    is not awaited); the cancellation is the cancelled order's."""
    events = [webhooks.unwrap(d.body, d.headers, secret=secret) for d in deliveries]
    assert sorted(e.type for e in events) == ["order.cancelled", *["order.created"] * 3]
    (cancelled,) = [e for e in events if e.type == "order.cancelled"]
    if cancelled.type == "order.cancelled":  # narrows the union: type is a Literal
        assert_type(cancelled, models.OrderCancelledEvent)
    assert cancelled.data.id == cancelled_id
    assert cancelled.data.status == models.OrderStatus.CANCELLED
    other = "whsec_" + "A" * 32
    with pytest.raises(WebhookSignatureError, match="no signature matches"):
        webhooks.unwrap(deliveries[0].body, deliveries[0].headers, secret=other)
