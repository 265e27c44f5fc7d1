"""LeanFastAPI: FastAPI's idle telemetry and body-limit layers are left out, everything else
stays in FastAPI's order, and each comes back when it has something to do."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi._body_limit import AppBodyLimitMiddleware
from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware

from generated._routing import CompiledDispatch
from service.app import create_app
from service.kit.asgi import LeanFastAPI
from service.kit.middleware import BodyLimitMiddleware, RequestContextMiddleware
from service.versions.middleware import VersionMiddleware
from tests.fixtures.service import make_settings

_OFF: Any = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def layers(app: FastAPI) -> list[type]:
    found, node = [], app.build_middleware_stack()
    while node is not app.router:
        found.append(type(node))
        node = node.app
    return found


def test_harbor_keeps_every_layer_that_acts_and_drops_the_idle_ones(database_url):
    app = create_app(make_settings(database_url))
    assert layers(app) == [
        ServerErrorMiddleware,
        RequestContextMiddleware,
        BodyLimitMiddleware,
        VersionMiddleware,
        CompiledDispatch,
        ExceptionMiddleware,
        AsyncExitStackMiddleware,
    ]


def test_telemetry_turned_on_keeps_its_exception_layer(database_url):
    app = create_app(make_settings(database_url, opentelemetry=True))
    assert ExceptionTelemetryMiddleware in layers(app)
    assert AppBodyLimitMiddleware not in layers(app)


def test_the_same_app_on_plain_fastapi_has_both_layers():
    plain, lean = FastAPI(telemetry=_OFF), LeanFastAPI(telemetry=_OFF)
    assert {ExceptionTelemetryMiddleware, AppBodyLimitMiddleware} <= set(layers(plain))
    assert layers(lean) == [
        t for t in layers(plain) if t not in (ExceptionTelemetryMiddleware, AppBodyLimitMiddleware)
    ]


async def _post(app: FastAPI, path: str, size: int) -> int:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post(path, content=b"x" * size)
    return response.status_code


async def test_a_route_body_limit_keeps_fastapis_body_limit_layer_and_is_enforced():
    app = LeanFastAPI(telemetry=_OFF)

    @app.post("/small", max_body_size=10)
    async def small(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    assert AppBodyLimitMiddleware in layers(app)
    assert await _post(app, "/small", 5) == 200
    assert await _post(app, "/small", 50) == 413


async def test_an_app_body_limit_keeps_the_layer_and_is_enforced():
    app = LeanFastAPI(telemetry=_OFF, max_body_size=10)

    @app.post("/any")
    async def any_(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    assert AppBodyLimitMiddleware in layers(app)
    assert await _post(app, "/any", 50) == 413
