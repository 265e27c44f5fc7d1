"""X-Request-ID in and out, and in every log line; JSON logs through structlog."""

from __future__ import annotations

import re

import httpx
import orjson
import pytest

from tests.fixtures.server import running_server

GENERATED = re.compile(r"[0-9a-f]{32}")


async def test_a_valid_request_id_is_echoed(client):
    response = await client.get("/health", headers={"X-Request-ID": "abc.DEF_123-x"})

    assert response.headers["x-request-id"] == "abc.DEF_123-x"


@pytest.mark.parametrize("sent", ["", "has space", "x" * 129, "semi;colon", "ünï"])
async def test_an_invalid_request_id_is_replaced(client, sent):
    response = await client.get("/health", headers={"X-Request-ID": sent.encode()})

    assert GENERATED.fullmatch(response.headers["x-request-id"])


async def test_a_request_id_is_generated_and_unique(client):
    first = (await client.get("/health")).headers["x-request-id"]
    second = (await client.get("/health")).headers["x-request-id"]

    assert GENERATED.fullmatch(first)
    assert first != second


async def test_errors_carry_the_request_id_too(client):
    response = await client.get("/v1/orders/x", headers={"X-Request-ID": "err-1"})

    assert response.headers["x-request-id"] == "err-1"
    assert response.json()["request_id"] == "err-1"


async def test_every_log_line_of_a_request_has_its_id(database_url, tmp_path):
    unauthenticated = {"X-Request-ID": "log-1", "Authorization": "Bearer secret-token"}
    async with (
        running_server(database_url, tmp_path, log_format="json") as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        await client.get("/v1/orders/x", headers=unauthenticated)
        await client.get("/health", headers={"X-Request-ID": "log-2"})

    lines = [orjson.loads(line) for line in server.log_lines()]
    requests = [
        line for line in lines if line["event"] == "http.request" and line["path"] != "/ready"
    ]
    assert [(r["request_id"], r["path"], r["status"]) for r in requests] == [
        ("log-1", "/v1/orders/x", 401),
        ("log-2", "/health", 200),
    ]
    assert all(r["level"] == "info" and r["timestamp"].endswith("Z") for r in requests)
    assert "secret-token" not in server.output.read_text()


@pytest.mark.parametrize(
    ("trusted", "logged"), [("127.0.0.1", "203.0.113.7"), ("", "127.0.0.1")], ids=["proxy", "none"]
)
async def test_the_client_address_comes_from_a_trusted_proxy_only(
    database_url, tmp_path, trusted, logged
):
    async with (
        running_server(
            database_url, tmp_path, log_format="json", forwarded_allow_ips=trusted
        ) as server,
        httpx.AsyncClient(base_url=server.base_url) as client,
    ):
        await client.get("/health", headers={"X-Forwarded-For": "203.0.113.7"})

    lines = [orjson.loads(line) for line in server.log_lines()]
    [health] = [line for line in lines if line.get("path") == "/health"]
    assert health["client"] == logged
