"""The floor: the order API on raw Starlette routes, with nothing between the request and the
work but what the work needs (the same token check, body validation and statements)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from uuid import UUID

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.apps import common
from bench.apps.common import JSON, ApiError, Toolkit, problem
from bench.apps.schemas import OrderCreate
from bench.apps.store import OrderStore, serving

_KEY = re.compile(r"[A-Za-z0-9._~:-]{1,255}")
_CUSTOMER = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,512}")

Endpoint = Callable[[Request], Awaitable[Response]]


def create_app() -> Starlette:
    tools = Toolkit.from_env()
    state: dict[str, OrderStore] = {}

    def caller_of(request: Request) -> str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise common.Unauthorized("The request has no bearer token.")
        return tools.customer_of(token)

    def problems(endpoint: Endpoint) -> Endpoint:
        async def guarded(request: Request) -> Response:
            try:
                return await endpoint(request)
            except ApiError as error:
                return problem(error)

        return guarded

    @problems
    async def create_order(request: Request) -> Response:
        caller = caller_of(request)
        key = request.headers.get("idempotency-key", "")
        if not _KEY.fullmatch(key):
            raise common.BadRequest("The Idempotency-Key header is missing or invalid.")
        if request.headers.get("content-type", JSON).split(";")[0].strip() != JSON:
            raise common.UnsupportedMediaType("The request body must be application/json.")
        try:
            order = OrderCreate.model_validate_json(await request.body())
        except ValidationError:
            raise common.Unprocessable() from None
        done = await state["orders"].create(caller, key, order.model_dump(mode="json"))
        headers = {"Location": done.location} if done.location else None
        return Response(done.body, done.status, headers, media_type=JSON)

    @problems
    async def get_order(request: Request) -> Response:
        caller = caller_of(request)
        try:
            order_id = UUID(request.path_params["order_id"])
        except ValueError:
            raise common.BadRequest("order_id is not a UUID.") from None
        return Response(await state["orders"].get(order_id, caller), media_type=JSON)

    @problems
    async def list_orders(request: Request) -> Response:
        caller = caller_of(request)
        customer_id = request.path_params["customer_id"]
        query = request.query_params
        limit = query.get("limit", "20")
        cursor = query.get("cursor")
        if (
            not _CUSTOMER.fullmatch(customer_id)
            or not limit.isdigit()
            or not 1 <= int(limit) <= 100
            or (cursor is not None and not _CURSOR.fullmatch(cursor))
        ):
            raise common.BadRequest("A parameter is invalid.")
        page = await state["orders"].page(customer_id, caller, int(limit), cursor)
        return Response(page, media_type=JSON)

    async def health(_: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type=JSON)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with serving(tools, state):
            yield

    return Starlette(
        routes=[
            Route("/health", health),
            Route("/v1/orders", create_order, methods=["POST"]),
            Route("/v1/orders/{order_id}", get_order),
            Route("/v1/customers/{customer_id}/orders", list_orders),
        ],
        lifespan=lifespan,
    )
