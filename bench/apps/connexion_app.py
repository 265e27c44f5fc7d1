"""3: the order API served by connexion 3 from spec/openapi.yaml at run time.

Connexion routes, checks the bearer token through `x-bearerInfoFunc`, and validates parameters
and the body against the spec's JSON Schemas; the handlers then do the same work as the others.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml
from connexion import AsyncApp, request
from connexion.exceptions import OAuthProblem
from connexion.resolver import Resolver
from starlette.responses import Response

from bench.apps.common import JSON, ApiError, Toolkit, problem
from bench.apps.store import OrderStore, serving

SPEC = Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"

tools = Toolkit.from_env()
state: dict[str, OrderStore] = {}


def token_info(token: str) -> dict[str, str]:
    """Connexion's bearer hook: the verified token's claims, or 401."""
    try:
        return {"sub": tools.customer_of(token)}
    except ApiError as error:
        raise OAuthProblem(error.detail) from None


async def create_order(body: dict[str, Any], user: str) -> Response:
    try:
        done = await state["orders"].create(user, request.headers["idempotency-key"], body)
    except ApiError as error:
        return problem(error)
    headers = {"Location": done.location} if done.location else None
    return Response(done.body, done.status, headers, media_type=JSON)


async def get_order(order_id: str, user: str) -> Response:
    try:
        return Response(await state["orders"].get(UUID(order_id), user), media_type=JSON)
    except ApiError as error:
        return problem(error)


async def list_customer_orders(
    customer_id: str, user: str, limit: int = 20, cursor: str | None = None
) -> Response:
    try:
        page = await state["orders"].page(customer_id, user, limit, cursor)
    except ApiError as error:
        return problem(error)
    return Response(page, media_type=JSON)


async def get_health() -> Response:
    return Response(b'{"status":"ok"}', media_type=JSON)


HANDLERS: dict[str, Callable[..., Any]] = {
    "createOrder": create_order,
    "getOrder": get_order,
    "listCustomerOrders": list_customer_orders,
    "getHealth": get_health,
}


def _unserved(operation_id: str) -> Callable[..., Any]:
    async def unserved() -> Response:
        return Response(status_code=501)

    return HANDLERS.get(operation_id, unserved)


def as_openapi_30(node: Any) -> Any:
    """The spec in the OpenAPI 3.0 dialect connexion 3 reads (it refuses 3.1): nullable types,
    `const` as a one-value enum, one example; what 3.0 cannot say (`propertyNames`, webhooks)
    goes, as JSON Schema draft 4 would ignore it anyway."""
    if isinstance(node, list):
        return [as_openapi_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: as_openapi_30(v) for k, v in node.items() if k not in ("propertyNames", "examples")}
    if isinstance(node.get("examples"), list) and node["examples"]:
        out["example"] = node["examples"][0]
    elif "examples" in node:
        out["examples"] = as_openapi_30(node["examples"])
    if isinstance(out.get("type"), list):
        kinds = [t for t in out["type"] if t != "null"]
        out["type"], out["nullable"] = kinds[0], True
    if "const" in out:
        out["enum"] = [out.pop("const")]
    for combinator in ("oneOf", "anyOf"):
        choices = out.get(combinator)
        if isinstance(choices, list) and {"type": "null"} in choices:
            out[combinator] = [c for c in choices if c != {"type": "null"}]
            out["nullable"] = True
    return out


def create_app() -> AsyncApp:
    spec = as_openapi_30(yaml.safe_load(SPEC.read_text()))
    spec["openapi"] = "3.0.3"
    spec.pop("webhooks", None)
    spec["info"].pop("summary", None)
    spec["info"].get("license", {}).pop("identifier", None)
    scheme = spec["components"]["securitySchemes"]["bearerAuth"]
    scheme["x-bearerInfoFunc"] = f"{__name__}.token_info"

    @asynccontextmanager
    async def lifespan(_: object) -> AsyncIterator[None]:
        async with serving(tools, state):
            yield

    app = AsyncApp(__name__, lifespan=lifespan)
    app.add_api(spec, resolver=Resolver(_unserved), strict_validation=True, pythonic_params=True)
    return app
