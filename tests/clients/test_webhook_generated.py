"""`client.webhooks.unwrap` comes from the spec's `webhooks`: another spec's events (told apart by
another property, without a `webhooks` tag) get the same, a spec without webhooks none."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from harbor_pipeline.codegen.client.parse import parse_client
from harbor_pipeline.codegen.load import load
from standardwebhooks import Webhook

from tests.clients.test_generate import PETSTORE, WEBHOOK_EVENTS, generate, import_client

SECRET = "whsec_" + base64.b64encode(os.urandom(24)).decode()
USAGE = """
from bell_client import BellClient, WebhookEvent
from bell_client.models import BellBroke, BellRang


def times(body: bytes, headers: dict[str, str]) -> int:
    event: WebhookEvent = BellClient("http://127.0.0.1:9").webhooks.unwrap(body, headers, secret="whsec_")
    if isinstance(event, BellRang):  # its `kind` is a one-value open enum, so not `==` here
        return event.times
    broke: BellBroke = event
    assert broke.kind == "broke"
    return len(broke.reason or "")
"""


def signed(payload: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload)
    sent = datetime.now(UTC)
    return body.encode(), {
        "webhook-id": "msg_9",
        "webhook-timestamp": str(int(sent.timestamp())),
        "webhook-signature": Webhook(SECRET).sign("msg_9", sent, body),
    }


def test_another_specs_events_unwrap_by_their_own_discriminator(tmp_path: Path) -> None:
    bell = import_client(generate(WEBHOOK_EVENTS, tmp_path / "bell"))
    with bell.BellClient("http://127.0.0.1:9") as client:
        rang = client.webhooks.unwrap(*signed({"kind": "rang", "times": 3}), secret=SECRET)
        assert type(rang) is bell.models.BellRang and rang.times == 3
        broke = client.webhooks.unwrap(*signed({"kind": "broke"}), secret=SECRET)
        assert type(broke) is bell.models.BellBroke
        # The unsigned webhook is not an event unwrap returns.
        with pytest.raises(bell.WebhookUnknownEventError, match="unsigned"):
            client.webhooks.unwrap(*signed({"kind": "unsigned"}), secret=SECRET)
        with pytest.raises(bell.WebhookPayloadError, match="BellRang"):
            client.webhooks.unwrap(*signed({"kind": "rang", "times": 0}), secret=SECRET)
        assert callable(client.unwrap)  # the operation of that name is still the flat method


def test_the_generated_event_union_narrows_under_mypy_strict(tmp_path: Path) -> None:
    out = generate(WEBHOOK_EVENTS, tmp_path / "bell")
    (out / "usage.py").write_text(USAGE)
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "bell_client", "usage.py"],
        cwd=out, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout


def test_a_spec_without_webhooks_has_no_webhooks_group_or_module(tmp_path: Path) -> None:
    petstore = import_client(generate(PETSTORE, tmp_path / "petstore"))
    assert not hasattr(petstore.SwaggerPetstoreClient("http://x.test"), "webhooks")
    assert not (tmp_path / "petstore/swagger_petstore_client/webhooks.py").exists()
    assert "WebhookVerificationError" not in petstore.__all__


def groups(spec: Path) -> dict[str, tuple[str | None, str | None, list[str]]]:
    api, _, _ = parse_client(load(spec), None)
    return {r.name: (r.unwrap, r.ts_unwrap, [m.name for m in r.members]) for r in api.resources}


def test_unwrap_joins_the_webhooks_tag_or_makes_the_group() -> None:
    ROOT = WEBHOOK_EVENTS.parents[3]
    assert groups(ROOT / "spec/openapi.yaml")["webhooks"][:2] == ("unwrap", "unwrap")
    assert "create_endpoint" in groups(ROOT / "spec/openapi.yaml")["webhooks"][2]
    assert groups(WEBHOOK_EVENTS)["webhooks"] == ("unwrap", "unwrap", [])
    assert all(
        unwrap is None
        for name, (unwrap, _, _) in groups(WEBHOOK_EVENTS).items()
        if name != "webhooks"
    )


@pytest.mark.parametrize(
    ("operation_id", "member", "method"),
    [("unwrapWebhooks", "unwrap_webhooks", "unwrap"), ("unwrap", "unwrap", "unwrap_webhook")],
)
def test_an_operation_in_the_way_of_unwrap_keeps_its_flat_name_or_moves_unwrap(
    tmp_path: Path, operation_id: str, member: str, method: str
) -> None:
    spec = yaml.safe_load(WEBHOOK_EVENTS.read_text())
    spec["paths"] = {
        "/v1/x": {
            "post": {
                "operationId": operation_id,
                "tags": ["webhooks"],
                "responses": {"204": {"description": "done"}},
            }
        }
    }
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))
    assert groups(tmp_path / "spec.yaml")["webhooks"] == (
        method,
        method.replace("_webhook", "Webhook"),
        [member],
    )
