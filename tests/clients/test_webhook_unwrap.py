"""`client.webhooks.unwrap`: the typed event of a signed delivery, and a typed error for each way
one fails; on the sync and the async client alike (it sends nothing)."""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime, timedelta

import pytest
from harbor_client import (
    AsyncHarborClient,
    HarborClient,
    WebhookPayloadError,
    WebhookSignatureError,
    WebhookTimestampError,
    WebhookUnknownEventError,
    WebhookVerificationError,
)
from harbor_client.models import OrderCancelledEvent, OrderCreatedEvent
from standardwebhooks import Webhook

from tests.clients.test_webhook_signature import ORDER

SECRET = "whsec_" + base64.b64encode(os.urandom(24)).decode()
CLIENTS = [HarborClient("http://127.0.0.1:9"), AsyncHarborClient("http://127.0.0.1:9")]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def signed(
    payload: object, *secrets: str, sent: datetime | None = None
) -> tuple[str, dict[str, str]]:
    body = payload if isinstance(payload, str) else json.dumps(payload)
    sent = sent or datetime.now(UTC)
    signature = " ".join(Webhook(s).sign("msg_1", sent, body) for s in secrets or (SECRET,))
    return body, {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(int(sent.timestamp())),
        "webhook-signature": signature,
    }


def event(event_type: str, **changes: object) -> dict[str, object]:
    return {
        "id": "0193a5b3-0a1b-7c2d-9e3f-4a5b6c7d8e9f",
        "type": event_type,
        "timestamp": "2026-11-25T10:20:00Z",
        "data": ORDER,
        **changes,
    }


@pytest.mark.parametrize("client", CLIENTS, ids=["sync", "async"])
@pytest.mark.parametrize(
    ("event_type", "model"),
    [("order.created", OrderCreatedEvent), ("order.cancelled", OrderCancelledEvent)],
)
def test_a_signed_delivery_unwraps_into_its_typed_event(
    client: HarborClient | AsyncHarborClient, event_type: str, model: type
) -> None:
    body, headers = signed(event(event_type))
    unwrapped = client.webhooks.unwrap(body.encode(), headers, secret=SECRET)
    assert type(unwrapped) is model
    assert unwrapped.type == event_type and str(unwrapped.data.id) == ORDER["id"]
    assert type(client.webhooks.unwrap(body, headers, secret=SECRET)) is model  # the text too


@pytest.mark.parametrize("client", CLIENTS, ids=["sync", "async"])
def test_during_a_rotation_any_of_the_secrets_verifies(
    client: HarborClient | AsyncHarborClient,
) -> None:
    old, new = new_secret(), new_secret()
    body, headers = signed(event("order.created"), old)
    assert client.webhooks.unwrap(body, headers, secrets=[new, old]).type == "order.created"
    with pytest.raises(WebhookSignatureError, match="no signature matches"):
        client.webhooks.unwrap(body, headers, secrets=[new])


def test_a_bad_signature_a_tampered_body_and_missing_headers_are_signature_errors() -> None:
    webhooks = HarborClient("http://127.0.0.1:9").webhooks
    body, headers = signed(event("order.created"), new_secret())
    with pytest.raises(WebhookSignatureError, match="no signature matches"):
        webhooks.unwrap(body, headers, secret=SECRET)
    body, headers = signed(event("order.created"))
    with pytest.raises(WebhookSignatureError):
        webhooks.unwrap(body.replace("2599", "9999"), headers, secret=SECRET)
    del headers["webhook-signature"]
    with pytest.raises(WebhookSignatureError, match="missing"):
        webhooks.unwrap(body, headers, secret=SECRET)


@pytest.mark.parametrize(
    ("shift", "words"),
    [(-timedelta(minutes=10), "s old"), (timedelta(minutes=10), "in the future")],
)
def test_an_old_or_a_future_timestamp_is_a_timestamp_error(shift: timedelta, words: str) -> None:
    sent = datetime.now(UTC) + shift
    body, headers = signed(event("order.created"), sent=sent)
    with pytest.raises(WebhookTimestampError, match=words) as caught:
        HarborClient("http://127.0.0.1:9").webhooks.unwrap(body, headers, secret=SECRET)
    assert caught.value.timestamp == int(sent.timestamp())
    assert abs(caught.value.now - caught.value.timestamp - int(-shift.total_seconds())) <= 2
    # A wider tolerance accepts it.
    assert (
        HarborClient("http://127.0.0.1:9")
        .webhooks.unwrap(body, headers, secret=SECRET, tolerance_seconds=900)
        .type
        == "order.created"
    )


def test_a_signed_event_of_an_unknown_type_is_an_unknown_event_error_with_its_payload() -> None:
    payload = event("order.refunded")
    body, headers = signed(payload)
    with pytest.raises(WebhookUnknownEventError, match=r"order\.refunded") as caught:
        AsyncHarborClient("http://127.0.0.1:9").webhooks.unwrap(body, headers, secret=SECRET)
    assert caught.value.event_type == "order.refunded"
    assert caught.value.payload == payload
    assert isinstance(caught.value, WebhookPayloadError)


@pytest.mark.parametrize(
    "payload", ["not json", event("order.created", data={"id": "not an order"}), json.dumps([1])]
)
def test_a_signed_body_that_does_not_fit_is_a_payload_error(payload: object) -> None:
    body, headers = signed(payload)
    with pytest.raises(WebhookPayloadError):
        HarborClient("http://127.0.0.1:9").webhooks.unwrap(body, headers, secret=SECRET)


def test_every_error_is_a_verification_error_and_one_secret_form_is_required() -> None:
    for error in (
        WebhookSignatureError,
        WebhookTimestampError,
        WebhookPayloadError,
        WebhookUnknownEventError,
    ):
        assert issubclass(error, WebhookVerificationError)
    body, headers = signed(event("order.created"))
    webhooks = HarborClient("http://127.0.0.1:9").webhooks
    with pytest.raises(TypeError, match="either secret= or secrets="):
        webhooks.unwrap(body, headers)
    with pytest.raises(TypeError, match="either secret= or secrets="):
        webhooks.unwrap(body, headers, secret=SECRET, secrets=[SECRET])
    with pytest.raises(WebhookVerificationError, match="no secret"):
        webhooks.unwrap(body, headers, secrets=[])
