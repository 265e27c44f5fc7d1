"""The Python client's `verify_webhook` against the server's signer (the standardwebhooks package)."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from harbor_client import WebhookVerificationError, verify_webhook
from harbor_client.models import OrderCancelledEvent, OrderCreatedEvent

SECRET = "whsec_" + base64.b64encode(os.urandom(24)).decode()
ORDER = {
    "id": "4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e6f",
    "customer_id": "cus_123",
    "amount_cents": 2599,
    "currency": "EUR",
    "status": "cancelled",
    "statement_descriptor": None,
    "metadata": {},
    "payment_method": None,
    "created_at": "2026-11-25T10:15:00Z",
    "updated_at": "2026-11-25T10:20:00Z",
}


def delivery(
    event_type: str, *, secret: str = SECRET, sent: datetime | None = None
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(
        {
            "id": "0193a5b3-0a1b-7c2d-9e3f-4a5b6c7d8e9f",
            "type": event_type,
            "timestamp": "2026-11-25T10:20:00Z",
            "data": ORDER,
        }
    )
    sent = sent or datetime.now(UTC)
    signature = Webhook(secret).sign("msg_1", sent, body)
    headers = {
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": str(int(sent.timestamp())),
        "Webhook-Signature": signature,
    }
    return body.encode(), headers


@pytest.mark.parametrize(
    ("event_type", "model"),
    [("order.created", OrderCreatedEvent), ("order.cancelled", OrderCancelledEvent)],
)
def test_a_signed_delivery_verifies_and_parses_into_its_event(event_type: str, model: type) -> None:
    body, headers = delivery(event_type)
    event = verify_webhook(SECRET, body, headers)
    assert isinstance(event, model)
    assert str(event.data.id) == ORDER["id"]


def test_another_secret_is_refused() -> None:
    body, headers = delivery(
        "order.created", secret="whsec_" + base64.b64encode(os.urandom(24)).decode()
    )
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify_webhook(SECRET, body, headers)


def test_a_tampered_body_is_refused() -> None:
    body, headers = delivery("order.created")
    with pytest.raises(WebhookVerificationError):
        verify_webhook(SECRET, body.replace(b"2599", b"9999"), headers)


def test_an_old_delivery_is_refused_as_a_replay() -> None:
    body, headers = delivery("order.created", sent=datetime.now(UTC) - timedelta(minutes=10))
    with pytest.raises(WebhookVerificationError, match="too far from now"):
        verify_webhook(SECRET, body, headers)


def test_missing_headers_are_refused() -> None:
    body, headers = delivery("order.created")
    del headers["Webhook-Signature"]
    with pytest.raises(WebhookVerificationError, match="missing"):
        verify_webhook(SECRET, body, headers)


def test_during_a_rotation_either_secret_verifies_a_delivery_signed_with_both() -> None:
    new = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    body, headers = delivery("order.created")
    sent = datetime.fromtimestamp(int(headers["Webhook-Timestamp"]), UTC)
    # The server's header during an overlap: one signature per secret, space-separated.
    headers["Webhook-Signature"] += " " + Webhook(new).sign("msg_1", sent, body.decode())

    assert isinstance(verify_webhook(SECRET, body, headers), OrderCreatedEvent)
    assert isinstance(verify_webhook(new, body, headers), OrderCreatedEvent)


def test_a_receiver_holding_both_secrets_verifies_either_signature() -> None:
    new = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    old_only, old_headers = delivery("order.created")
    new_only, new_headers = delivery("order.created", secret=new)

    assert isinstance(verify_webhook([new, SECRET], old_only, old_headers), OrderCreatedEvent)
    assert isinstance(verify_webhook((new, SECRET), new_only, new_headers), OrderCreatedEvent)
    stranger = "whsec_" + base64.b64encode(os.urandom(24)).decode()
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify_webhook([stranger], old_only, old_headers)
    with pytest.raises(WebhookVerificationError, match="no secret"):
        verify_webhook([], old_only, old_headers)
