"""The client names its contract version on every request (Harbor-Version), overridable per client."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import yaml
from harbor_client import AsyncHarborClient, HarborClient

from tests.clients.mock import ORDER, Script

ORDER_ID = uuid.UUID(str(ORDER["id"]))
with open("spec/openapi.yaml", encoding="utf-8") as spec:
    SPEC_VERSION = str(yaml.safe_load(spec)["info"]["version"])


def _answers() -> Script:
    """A health answer, then an order (repeated)."""
    return Script([httpx.Response(200, json={"status": "ok"}), httpx.Response(200, json=ORDER)])


def test_every_request_carries_the_spec_version() -> None:
    script = _answers()
    with HarborClient("http://h.test", token="t", transport=script.transport) as client:
        client.get_health()
        client.get_order(ORDER_ID)
    assert [r.headers["Harbor-Version"] for r in script.requests] == [SPEC_VERSION] * 2


def test_the_async_client_sends_it_too() -> None:
    script = Script([httpx.Response(200, json=ORDER)])

    async def run() -> None:
        async with AsyncHarborClient(
            "http://h.test", token="t", transport=script.async_transport
        ) as client:
            await client.get_order(ORDER_ID)

    asyncio.run(run())
    assert script.requests[0].headers["Harbor-Version"] == SPEC_VERSION


def test_api_version_overrides_it_for_one_client() -> None:
    script = Script([httpx.Response(200, json=ORDER)])
    with HarborClient(
        "http://h.test", token="t", transport=script.transport, api_version="1.1.0"
    ) as client:
        client.get_order(ORDER_ID)
    assert script.requests[0].headers["Harbor-Version"] == "1.1.0"
