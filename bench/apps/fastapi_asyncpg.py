"""2b: the order API as a plain FastAPI app over raw asyncpg, written by hand.

Pydantic validates the body and the parameters; the store (bench/apps/store.py) runs Harbor's
statements and renders the public JSON with orjson, so responses go out as bytes without a
response model.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations at run time,
# and `Caller` is local to create_app.
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

from fastapi import Depends, FastAPI, Path, Query
from fastapi.responses import Response

from bench.apps.common import (
    JSON,
    TELEMETRY_OFF,
    Toolkit,
    caller_dependency,
    install_problem_handlers,
)
from bench.apps.schemas import CursorParam, CustomerId, IdempotencyKey, OrderCreate
from bench.apps.store import OrderStore, serving


def create_app() -> FastAPI:
    """2b as compared: the create is Harbor's one statement."""
    return _app(one_statement=True)


def create_app_in_transaction() -> FastAPI:
    """2b with the create most teams write: a transaction of seven round trips (an extra,
    labelled row of the comparison, not a peer's figure)."""
    return _app(one_statement=False)


def _app(*, one_statement: bool) -> FastAPI:
    tools = Toolkit.from_env()
    state: dict[str, OrderStore] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        async with serving(tools, state, one_statement=one_statement):
            yield

    app = FastAPI(
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        telemetry=TELEMETRY_OFF,
    )
    install_problem_handlers(app)
    Caller = Annotated[str, Depends(caller_dependency(tools))]

    @app.get("/health")
    async def health() -> Response:
        return Response(b'{"status":"ok"}', media_type=JSON)

    @app.post("/v1/orders", status_code=201)
    async def create_order(order: OrderCreate, caller: Caller, key: IdempotencyKey) -> Response:
        done = await state["orders"].create(caller, key, order.model_dump(mode="json"))
        headers = {"Location": done.location} if done.location else None
        return Response(done.body, done.status, headers, media_type=JSON)

    @app.get("/v1/orders/{order_id}")
    async def get_order(order_id: UUID, caller: Caller) -> Response:
        return Response(await state["orders"].get(order_id, caller), media_type=JSON)

    @app.get("/v1/customers/{customer_id}/orders")
    async def list_orders(
        customer_id: Annotated[CustomerId, Path()],
        caller: Caller,
        limit: Annotated[int, Query(ge=1, le=100)] = 20,
        cursor: CursorParam = None,
    ) -> Response:
        page = await state["orders"].page(customer_id, caller, limit, cursor)
        return Response(page, media_type=JSON)

    return app
