"""Every webhook payload is what the spec's webhook says it is: validated by the spec's own schema,
so a null where the schema forbids one (an unset optional property) fails here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import yaml
from jsonschema import Draft202012Validator

from service.orders.service import public_fields, render
from service.webhooks.events import render as render_event
from tests.fixtures.service import order_body

SPEC = yaml.safe_load((Path(__file__).resolve().parents[2] / "spec/openapi.yaml").read_text())
WEBHOOKS = sorted(SPEC["webhooks"])


def _validator(event_type: str) -> Draft202012Validator:
    content = SPEC["webhooks"][event_type]["post"]["requestBody"]["content"]
    schema = content["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": SPEC["components"]})


def _order(**changes: object) -> str:
    from service.orders.repository import OrderRecord

    now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    body = order_body("cus_1")
    record = OrderRecord(
        id=uuid.uuid4(), customer_id="cus_1", amount_cents=body["amount_cents"],
        currency=body["currency"], status="pending",
        statement_descriptor=body["statement_descriptor"], metadata=body["metadata"],
        payment_method=body["payment_method"], risk_score=0, created_at=now, updated_at=now,
    )  # fmt: skip
    return render({**public_fields(record), **changes}).decode()


def _event(event_type: str, payload: str):
    from service.outbox.repository import OutboxEvent

    return OutboxEvent(
        id=uuid.uuid4(),
        event_type=event_type,
        aggregate_id=uuid.uuid4(),
        payload=payload,
        created_at=datetime(2026, 12, 6, 10, 0, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize("event_type", WEBHOOKS)
@pytest.mark.parametrize(
    "changes", [{}, {"statement_descriptor": None, "payment_method": None}], ids=["full", "nulls"]
)
def test_each_payload_validates_against_its_webhook_schema(event_type, changes):
    body = orjson.loads(render_event(_event(event_type, _order(**changes))).body)
    errors = [e.message for e in _validator(event_type).iter_errors(body)]
    assert not errors, errors


def test_the_check_catches_a_null_the_schema_forbids():
    body = orjson.loads(render_event(_event(WEBHOOKS[0], _order())).body)
    body["data"]["amount_cents"] = None
    assert not _validator(WEBHOOKS[0]).is_valid(body)
