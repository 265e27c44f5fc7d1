"""Test-only uvicorn factories: the real app, broken in one way each, for the harness's tests.

Served by `python -m harbor_pipeline.fuzz --app tests.fuzz.faults:<name>`; nothing in service/ knows
about them. Each wraps `service.app.create_app_from_env` in a plain ASGI layer that changes
one response, so the fuzz run against it must fail with the check that guards that promise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.app import create_app_from_env

Rewrite = Callable[[Scope, Message, bytes], tuple[Message, bytes]]

ORDER_PATH = re.compile(r"/v1/orders/[^/]+")


class _Fault:
    """Buffers the responses `applies` selects and passes them through `rewrite`."""

    def __init__(self, app: ASGIApp, applies: Callable[[Scope], bool], rewrite: Rewrite) -> None:
        self.app = app
        self.applies = applies
        self.rewrite = rewrite

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.applies(scope):
            await self.app(scope, receive, send)
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def buffer(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            new_start, body = self.rewrite(scope, start, b"".join(chunks))
            headers = [(k, v) for k, v in new_start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**new_start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, buffer)


def _listing_with_limit_100(scope: Scope) -> bool:
    return scope["path"].endswith("/orders") and b"limit=100" in scope["query_string"].split(b"&")


def _answer(status: int, slug: str) -> Rewrite:
    """Replace the response with a well-formed problem the spec declares for the operation."""

    def rewrite(scope: Scope, start: Message, body: bytes) -> tuple[Message, bytes]:
        headers = [(k, v) for k, v in start["headers"] if k != b"content-type"]
        headers.append((b"content-type", b"application/problem+json"))
        problem = {
            "type": f"https://harbor.example/problems/{slug}",
            "title": "Injected",
            "status": status,
            "detail": "Injected by tests/fuzz/faults.py.",
        }
        return {**start, "status": status, "headers": headers}, json.dumps(problem).encode()

    return rewrite


def server_error() -> ASGIApp:
    """A 500 for one input: listing with `limit=100`."""
    return _Fault(create_app_from_env(), _listing_with_limit_100, _answer(500, "internal-error"))


def valid_limit_refused() -> ASGIApp:
    """A 400 for a valid `limit=100`: inside the 400 that schemathesis.toml allows paginated
    lists (for foreign cursors), so only the check that narrows that exception can catch it."""
    return _Fault(create_app_from_env(), _listing_with_limit_100, _answer(400, "invalid-parameter"))


def _creating_an_order(scope: Scope) -> bool:
    return (scope["method"], scope["path"]) == ("POST", "/v1/orders")


def no_location() -> ASGIApp:
    """A created order without its `Location` header."""

    def rewrite(scope: Scope, start: Message, body: bytes) -> tuple[Message, bytes]:
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"location"]
        return {**start, "headers": headers}, body

    return _Fault(create_app_from_env(), _creating_an_order, rewrite)


def _with_risk_score(scope: Scope, start: Message, body: bytes) -> tuple[Message, bytes]:
    if start["status"] >= 300:
        return start, body
    document = json.loads(body)
    document["risk_score"] = 17  # the internal column DESIGN.md says never leaves the server
    return start, json.dumps(document).encode()


def undeclared_field() -> ASGIApp:
    """Created orders carry an internal field the spec does not declare."""
    return _Fault(create_app_from_env(), _creating_an_order, _with_risk_score)


def undeclared_field_on_read() -> ASGIApp:
    """Only reading an order back leaks the field: only the stateful phase reaches that."""

    def applies(scope: Scope) -> bool:
        return scope["method"] == "GET" and ORDER_PATH.fullmatch(scope["path"]) is not None

    return _Fault(create_app_from_env(), applies, _with_risk_score)
