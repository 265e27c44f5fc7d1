"""Plain ASGI middleware (no BaseHTTPMiddleware): request ids, logs and deadlines, body limits,
CORS."""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import Collection

import structlog
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.kit.deadlines import Deadlines
from service.kit.logging import request_id_var
from service.kit.problems import (
    PROBLEM_MEDIA_TYPE,
    BadRequest,
    ContentTooLarge,
    HarborError,
    RequestTimedOut,
    ShuttingDown,
    problem_body,
    problem_response,
)
from service.kit.ratelimit import client_host_var

REQUEST_ID_HEADER = "X-Request-ID"
# Which version of the API a request is written for, and a response answered in (service/versions).
VERSION_HEADER = "Harbor-Version"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_HEADER_KEY = REQUEST_ID_HEADER.lower().encode()

log = structlog.get_logger("service.http")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class RequestContextMiddleware:
    """Outermost: picks the request id, binds it to every log line, echoes it, logs the request,
    holds the request to its deadline (503 when it overruns) and turns an exception nothing
    else handled into a generic 500 problem."""

    def __init__(
        self, app: ASGIApp, *, access_log: bool = True, timeout_seconds: float | None = None
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.deadlines = Deadlines(timeout_seconds) if timeout_seconds else None

    def _timed_out(self, scope: Scope) -> None:
        log.warning(
            "http.request_timeout",
            method=scope["method"],
            path=scope["path"],
            timeout_seconds=self.deadlines.seconds if self.deadlines else None,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = _header(scope, _HEADER_KEY)
        incoming = raw.decode("latin-1") if raw is not None else ""
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else os.urandom(16).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        header = (_HEADER_KEY, request_id.encode())
        status = 500
        started = False
        began = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = request_id_var.set(request_id)
        client = scope.get("client")
        client_token = client_host_var.set(client[0] if client else "")
        task = self.deadlines.enter() if self.deadlines is not None else None
        try:
            try:
                await self.app(scope, receive, send_with_id)
            except asyncio.CancelledError:
                if task is None or not self.deadlines or not self.deadlines.leave(task):
                    # Not the deadline: the server's shutdown grace ran out. An answer the
                    # client can act on beats uvicorn's text/plain 500; the task still ends.
                    if not started:
                        await problem_response(ShuttingDown(), scope)(scope, receive, send_with_id)
                    raise
                task = None
                self._timed_out(scope)
                if not started:
                    error = RequestTimedOut(
                        f"The request took longer than {self.deadlines.seconds:g} seconds."
                    )
                    await problem_response(error, scope)(scope, receive, send_with_id)
        except Exception:
            # The traceback goes to the log only; the client gets the generic problem.
            log.exception("http.unhandled_error", method=scope["method"], path=scope["path"])
            if not started:
                await problem_response(HarborError(), scope)(scope, receive, send_with_id)
        finally:
            if task is not None and self.deadlines is not None:
                self.deadlines.leave(task)
            if self.access_log:
                log.info(
                    "http.request",
                    method=scope["method"],
                    path=scope["path"],
                    client=client_host_var.get(),
                    status=status,
                    duration_ms=round((time.perf_counter() - began) * 1000, 3),
                )
            client_host_var.reset(client_token)
            request_id_var.reset(token)


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Reads at most `max_bytes` of a request body; more is a 413 before any handler runs."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        if declared is None and _header(scope, b"transfer-encoding") is None:
            await self.app(scope, receive, send)
            return
        # The body is small by construction, so buffering it is cheap and makes the limit exact
        # for chunked bodies and lying Content-Length headers alike.
        try:
            body = await self._read(receive)
        except _BodyTooLarge:
            await self._refuse(scope, receive, send)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise _BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = ContentTooLarge(f"The request body exceeds {self.max_bytes} bytes.")
        # The client may still be sending; closing the connection is the honest answer.
        response = problem_response(error, scope)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as problem+json like every error."""

    def __init__(self, app: ASGIApp, *, origins: Collection[str], allow_credentials: bool) -> None:
        super().__init__(
            app,
            allow_origins=origins,
            allow_credentials=allow_credentials,
            allow_methods=("GET", "POST", "OPTIONS"),
            allow_headers=(
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                REQUEST_ID_HEADER,
                VERSION_HEADER,
            ),
            expose_headers=(
                REQUEST_ID_HEADER,
                VERSION_HEADER,
                "Location",
                "Retry-After",
                "WWW-Authenticate",
            ),
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 400:
            return response
        error = BadRequest(bytes(response.body).decode())
        headers = {k: v for k, v in response.headers.items() if k.lower().startswith("access-")}
        body = problem_body(error, instance=None, request_id=None)
        return Response(body, 400, headers, media_type=PROBLEM_MEDIA_TYPE)
