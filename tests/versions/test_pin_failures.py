"""When the customer's pin cannot be read, no success goes out in a version it may not be pinned to."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service.kit.callers import authenticated
from service.kit.db import DatabaseUnavailable
from service.versions.changes import served_versions
from service.versions.middleware import VersionMiddleware

ORDER = {"id": "o1", "statement_descriptor": "Gym"}


class FailingPins:
    def __init__(self, *, read: bool, write: bool) -> None:
        self.read_fails, self.write_fails = read, write
        self.ensured: list[tuple[str, str]] = []

    def cached(self, customer_id: str) -> str | None:
        return None  # nothing cached: every request asks the (failing) store

    async def pinned(self, customer_id: str) -> str | None:
        if self.read_fails:
            raise DatabaseUnavailable()
        return "1.1.0"

    async def ensure(self, customer_id: str, version: str) -> str:
        if self.write_fails:
            raise DatabaseUnavailable()
        self.ensured.append((customer_id, version))
        return version


async def _order(request: Request) -> JSONResponse:
    authenticated("cus_1")  # what the bearer hook does
    return JSONResponse(ORDER, status_code=int(request.query_params.get("status", "200")))


def _client(pins: FailingPins) -> httpx.AsyncClient:
    app = Starlette(routes=[Route("/v1/orders/{order_id}", _order)])
    wrapped = VersionMiddleware(app, versions=served_versions(), pins=pins, identify=lambda _: None)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=wrapped), base_url="http://t")


async def test_a_success_becomes_a_503_when_the_pin_cannot_be_read() -> None:
    async with _client(FailingPins(read=True, write=True)) as client:
        response = await client.get("/v1/orders/o1")
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "statement_descriptor" not in response.text


@pytest.mark.parametrize("status", [404, 500])
async def test_a_problem_passes_unchanged_when_the_pin_cannot_be_read(status: int) -> None:
    async with _client(FailingPins(read=True, write=True)) as client:
        response = await client.get(f"/v1/orders/o1?status={status}")
    assert response.status_code == status
    assert response.json() == ORDER


async def test_a_pin_that_cannot_be_recorded_does_not_fail_the_request() -> None:
    pins = FailingPins(read=False, write=True)
    async with _client(pins) as client:
        response = await client.get("/v1/orders/o1")
    assert response.status_code == 200
    assert response.headers["harbor-version"] == "1.1.0"
    assert response.json() == {"id": "o1", "description": "Gym"}


async def test_a_named_version_is_answered_though_the_pin_cannot_be_read() -> None:
    async with _client(FailingPins(read=True, write=False)) as client:
        response = await client.get("/v1/orders/o1", headers={"Harbor-Version": "2.0.0"})
    assert response.status_code == 200 and response.json() == ORDER
