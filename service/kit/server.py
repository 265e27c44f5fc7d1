"""uvicorn with Harbor's connection limits: bounded request heads, problem+json protocol errors.

uvicorn's httptools protocol puts no bound on the request line and headers (llhttp has none,
and uvicorn buffers whatever arrives), and answers a malformed request or its own
`limit_concurrency` with a text/plain body. This protocol counts the bytes of each request
head as they arrive and the header lines as they are parsed, answers 431 beyond either limit
before the app sees anything, and renders those answers, uvicorn's 400 and its concurrency
503 as problem+json like every other error.
"""

from __future__ import annotations

import os
from typing import Any

import structlog
import uvicorn
from starlette.types import Receive, Scope, Send
from uvicorn.config import STARTUP_FAILURE
from uvicorn.protocols.http.flow_control import service_unavailable
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState
from uvicorn.supervisors import Multiprocess

from service.kit.problems import (
    PROBLEM_MEDIA_TYPE,
    BadRequest,
    ConcurrencyLimited,
    HarborError,
    HeadersTooLarge,
    problem_body,
    problem_response,
)

log = structlog.get_logger("service.http")

_HEAD_END = b"\r\n\r\n"
_READING_BODY = -1


class HarborServerConfig(uvicorn.Config):
    """uvicorn's Config plus the head limits; pickled into each worker process with the rest."""

    def __init__(self, app: str, *, max_header_bytes: int, max_headers: int, **kwargs: Any) -> None:
        self.max_header_bytes = max_header_bytes
        self.max_headers = max_headers
        super().__init__(app, http=LimitedHttpToolsProtocol, **kwargs)


class _TooManyHeaders(Exception):
    pass


async def _concurrency_limited(scope: Scope, receive: Receive, send: Send) -> None:
    """Instead of uvicorn's text/plain 503; the app (and its request id middleware) never runs."""
    request_id = os.urandom(16).hex()
    scope.setdefault("state", {})["request_id"] = request_id
    response = problem_response(ConcurrencyLimited(), scope)
    response.headers["Connection"] = "close"
    response.headers["X-Request-ID"] = request_id
    await response(scope, receive, send)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bound on each request head (bytes and header lines)."""

    def __init__(
        self, config: uvicorn.Config, server_state: ServerState, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(config, server_state, *args, **kwargs)
        limits = config if isinstance(config, HarborServerConfig) else None
        # Without a HarborServerConfig (uvicorn --http pointing here): the settings' defaults.
        self._max_head_bytes = limits.max_header_bytes if limits else 16_384
        self._max_headers = limits.max_headers if limits else 100
        self._head_bytes = 0  # of the head being read; _READING_BODY once it is complete
        self._tail = b""  # the last bytes seen, for a head end split across two reads
        self._header_count = 0
        self._refusal: HarborError | None = None

    def data_received(self, data: bytes) -> None:
        if self._head_bytes != _READING_BODY:
            # The bytes of this read that belong to the head: up to its blank line, if it is here.
            end = data.find(_HEAD_END)
            seen = len(data) if end < 0 else end + len(_HEAD_END)
            if end < 0 and self._tail:
                split = (self._tail + data[:3]).find(_HEAD_END)
                if split >= 0:
                    seen = split + len(_HEAD_END) - len(self._tail)
            self._head_bytes += seen
            if self._head_bytes > self._max_head_bytes:
                self._refuse(HeadersTooLarge(self._too_large_detail()))
                return
            self._tail = data[-3:]
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_count = 0

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self._max_headers:
            self._refusal = HeadersTooLarge(
                f"The request has more than {self._max_headers} header lines."
            )
            # httptools turns this into HttpParserError; uvicorn then calls send_400_response.
            raise _TooManyHeaders
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_bytes = _READING_BODY
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_bytes = 0
        self._tail = b""

    def send_400_response(self, msg: str) -> None:
        self._refuse(self._refusal or BadRequest("The request is not valid HTTP/1.1."))

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        # uvicorn picks its own text/plain 503 app when limit_concurrency is exceeded.
        if app is service_unavailable:
            app = _concurrency_limited
        super()._start_asgi_task(cycle, app)

    def _too_large_detail(self) -> str:
        return f"The request line and headers exceed {self._max_head_bytes} bytes."

    def _refuse(self, error: HarborError) -> None:
        """Answer `error` and close: the rest of what the client sends is not worth reading."""
        request_id = os.urandom(16).hex()
        body = problem_body(error, instance=None, request_id=request_id)
        log.warning(
            "http.protocol_refused",
            status=error.status,
            detail=error.detail,
            client=self.client[0] if self.client else None,
        )
        head = (
            f"HTTP/1.1 {error.status} {error.title}\r\n"
            f"content-type: {PROBLEM_MEDIA_TYPE}\r\n"
            f"content-length: {len(body)}\r\n"
            f"x-request-id: {request_id}\r\n"
            "connection: close\r\n\r\n"
        )
        if not self.transport.is_closing():
            self.transport.write(head.encode("ascii") + body)
            self.transport.close()


def serve(config: HarborServerConfig) -> int:
    """What `uvicorn.run` does with a Config it did not build: one process, or a supervisor of
    `config.workers` processes. The exit code: 3 (uvicorn's) when a single process never
    started."""
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return 0
    server = uvicorn.Server(config)
    if config.should_reload:  # development: a supervisor restarts the server when code changes
        from uvicorn.supervisors import ChangeReload

        ChangeReload(config, target=server.run, sockets=[config.bind_socket()]).run()
        return 0
    server.run()
    return 0 if server.started else STARTUP_FAILURE
