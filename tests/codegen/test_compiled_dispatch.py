"""CompiledDispatch: compiled routes run straight from the app's innermost middleware; FastAPI
keeps everything else (docs, overrides, hand-added routes, 405s, third-party middleware)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.codegen.test_generated_behaviour import AUTH, PET, Hooks, pets_impl

PET_PATH = "/pets/4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e6f"


@pytest.fixture
def features(golden_package: Callable[[str], ModuleType]) -> ModuleType:
    return golden_package("all_features")


@pytest.fixture
def through_fastapi(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the requests that went down FastAPI's own stack (its ExceptionMiddleware)."""
    seen: list[str] = []
    original = ExceptionMiddleware.__call__

    async def spy(self: ExceptionMiddleware, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            seen.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(ExceptionMiddleware, "__call__", spy)
    return seen


class Stamp:
    """A third-party middleware: stamps every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def stamped(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (b"x-stamp", b"1")]
            await send(message)

        await self.app(scope, receive, stamped)


def build(features: ModuleType, calls: list[Any]) -> FastAPI:
    app = FastAPI()
    features.pets.create_pets_router(
        pets_impl(features, calls), security=Hooks(), router=app.router
    )
    app.add_middleware(features._routing.CompiledDispatch, router=app.router)
    app.add_middleware(Stamp)
    return app


@pytest.fixture
async def served(
    features: ModuleType,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, list[Any]]]:
    calls: list[Any] = []
    app = build(features, calls)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        yield app, http, calls


async def test_a_compiled_route_skips_fastapis_stack_and_others_do_not(served, through_fastapi):
    _, http, calls = served
    got = await http.get(PET_PATH, headers=AUTH)
    assert got.status_code == 200 and calls[-1][0] == "get_pet"
    created = await http.post("/pets", json=PET, headers={**AUTH, "Idempotency-Key": "k"})
    assert created.status_code == 201
    assert through_fastapi == []
    # /pets GET takes sequences (tags): not compiled, so FastAPI serves it.
    listed = await http.get("/pets", headers=AUTH)
    assert listed.status_code == 200
    assert through_fastapi == ["/pets"]


async def test_third_party_middleware_wraps_compiled_routes_too(served):
    _, http, _ = served
    assert (await http.get(PET_PATH, headers=AUTH)).headers["x-stamp"] == "1"
    assert (await http.get("/openapi.json")).headers["x-stamp"] == "1"


async def test_docs_are_served_by_fastapi(served, through_fastapi):
    _, http, _ = served
    spec = await http.get("/openapi.json")
    assert spec.status_code == 200 and "/pets/{pet_id}" in spec.json()["paths"]
    assert (await http.get("/docs")).status_code == 200
    assert through_fastapi == ["/openapi.json", "/docs"]


async def test_overridden_dependencies_go_down_fastapis_stack(served, through_fastapi):
    app, http, calls = served
    route = next(
        r for r in app.router.routes if getattr(r, "path", "") == "/pets" and "POST" in r.methods
    )
    authenticator = route.dependant.dependencies[-1].call

    async def as_tester() -> str:
        return "tester"

    key = {"Idempotency-Key": "k"}
    app.dependency_overrides[authenticator] = as_tester
    assert (await http.post("/pets", json=PET, headers=key)).status_code == 201
    assert calls[-1][1]["principal"] == "tester"
    assert through_fastapi == ["/pets"]
    app.dependency_overrides.clear()
    assert (await http.post("/pets", json=PET, headers=key)).status_code == 401
    assert through_fastapi == ["/pets"]


async def test_a_route_added_earlier_for_the_same_path_still_wins(features):
    app = FastAPI()

    @app.get("/pets/{pet_id}")
    async def mine(pet_id: str) -> PlainTextResponse:
        return PlainTextResponse(f"mine {pet_id}")

    features.pets.create_pets_router(pets_impl(features, []), security=Hooks(), router=app.router)
    app.add_middleware(features._routing.CompiledDispatch, router=app.router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        got = await http.get("/pets/abc", headers=AUTH)
    assert (got.status_code, got.text) == (200, "mine abc")


async def test_a_method_not_allowed_is_fastapis_405(served):
    _, http, _ = served
    refused = await http.patch(PET_PATH, headers=AUTH)
    assert refused.status_code == 405
    assert "GET" in refused.headers["allow"]


async def test_not_innermost_it_never_shortcuts(features, through_fastapi):
    app = FastAPI()
    features.pets.create_pets_router(pets_impl(features, []), security=Hooks(), router=app.router)
    app.add_middleware(Stamp)  # innermost now: the dispatch wraps it, not FastAPI's layer
    app.add_middleware(features._routing.CompiledDispatch, router=app.router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        assert (await http.get(PET_PATH, headers=AUTH)).status_code == 200
        assert (await http.get(PET_PATH, headers=AUTH)).status_code == 200
    assert through_fastapi == [PET_PATH, PET_PATH]


async def test_a_route_added_after_the_first_request_is_matched_in_its_place(features):
    app = FastAPI()
    features.pets.create_pets_router(pets_impl(features, []), security=Hooks(), router=app.router)
    app.add_middleware(features._routing.CompiledDispatch, router=app.router)

    async def mine(request: Any) -> PlainTextResponse:
        return PlainTextResponse("mine")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as http:
        assert (await http.get(PET_PATH, headers=AUTH)).status_code == 200
        # Put first, as a route included before the generated ones would be.
        app.router.add_route("/pets/{pet_id}", mine, methods=["GET"])
        app.router.routes.insert(0, app.router.routes.pop())
        got = await http.get(PET_PATH, headers=AUTH)
    assert (got.status_code, got.text) == (200, "mine")
