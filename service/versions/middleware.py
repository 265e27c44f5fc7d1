"""Answer each request in its version: upgrade an old request body, downgrade the response.

The version is the `Harbor-Version` header, else the customer's pin, else the newest
(docs/versioning.md). It is decided once per request, as late as possible: when the route
first reads the body, or when the response starts, by which time the security hook has said
who the caller is. A request in the newest version costs a header check and one response
header; only an older version's JSON bodies are buffered and converted.

Once the version is decided, a call of a deprecated operation by a known customer is counted
(service/versions/usage.py); any other request pays one dict lookup, none without deprecations.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Protocol

import orjson
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from generated.version_changes import Versions
from service.kit.callers import Caller, caller_var
from service.kit.middleware import VERSION_HEADER
from service.kit.problems import FieldError, HarborError, InvalidParameters, problem_response

HEADER = VERSION_HEADER
_HEADER_KEY = HEADER.lower().encode()
_AUTHORIZATION = b"authorization"
_JSON_SUFFIXES = (b"/json", b"+json")

log = structlog.get_logger("service.versions")


class PinStore(Protocol):
    """The customers' pinned versions (service/versions/pins.py)."""

    def cached(self, customer_id: str) -> str | None: ...

    async def pinned(self, customer_id: str) -> str | None: ...

    async def ensure(self, customer_id: str, version: str) -> str: ...


class UsageRecorder(Protocol):
    """Counts calls of deprecated operations (service/versions/usage.UsageCounter)."""

    def record(self, operation_id: str, customer_id: str, version: str) -> None: ...


class VersionMiddleware:
    """Innermost: the body limit has already bounded what it buffers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        versions: Versions,
        pins: PinStore | None,
        identify: Callable[[str], str | None],
        usage: UsageRecorder | None = None,
        deprecated: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        self.app = app
        self.versions = versions
        self.pins = pins
        # A bearer token -> its customer, for a route that reads its body before the security
        # hook runs (FastAPI's own path, taken when a dependency is overridden).
        self.identify = identify
        self._newest_header = (_HEADER_KEY, versions.newest.encode())
        # (method, route path template) -> operation id, for the routes to count.
        self.usage = usage
        self.deprecated = dict(deprecated or {}) if usage is not None else {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        explicit = _header(scope, _HEADER_KEY)
        if explicit is not None and not self.versions.served(explicit):
            await self._refuse(explicit, scope, receive, send)
            return
        call = _Call(self, scope, explicit)
        token = caller_var.set(call.caller)
        try:
            await self.app(scope, call.receive(receive), call.send(send))
        finally:
            caller_var.reset(token)

    async def _refuse(self, given: str, scope: Scope, receive: Receive, send: Send) -> None:
        served = ", ".join(self.versions.versions)
        error = InvalidParameters(
            f"Harbor-Version {given[:40]!r} is not a version this server answers in; "
            f"it answers in {served}.",
            errors=[FieldError("header", "", f"must be one of {served}")],
        )
        response = problem_response(error, scope)
        response.headers[HEADER] = self.versions.newest
        await response(scope, receive, send)


class _Call:
    """One request's version, decided once, and the wrappers that apply it."""

    def __init__(self, middleware: VersionMiddleware, scope: Scope, explicit: str | None) -> None:
        self.m = middleware
        self.scope = scope
        self.explicit = explicit
        self.caller = Caller()
        self.version: str | None = None

    @functools.cached_property
    def operation(self) -> str | None:
        """The spec's operation, matched only for a version that needs converting."""
        return self.m.versions.operation(self.scope["method"], self.scope["path"])

    def decided(self) -> str | None:
        """The version, decided now if that needs no query (no customer, or its pin cached:
        the steady state); None when only `decide` can tell."""
        if self.version is not None:
            return self.version
        customer = self.caller.customer_id
        pins = self.m.pins
        pinned = None
        if pins is not None and customer is not None:
            pinned = pins.cached(customer)
            if pinned is None:
                return None
        # With a pin cached, `decide` would find the same: an explicit version wins, and
        # `ensure` would answer the cached pin without recording anything.
        return self._settle(self.explicit or pinned, customer)

    async def decide(self) -> str:
        """The version, asking the pin store; call `decided` first for the steady state."""
        if self.version is not None:
            return self.version
        versions, pins = self.m.versions, self.m.pins
        customer = self.caller.customer_id
        version = self.explicit
        if pins is not None and customer is not None:
            pinned = await pins.pinned(customer) if version is None else None
            if pinned is not None:
                version = pinned  # pinned already: nothing to record
            else:
                # A customer's first authenticated request pins it to the version it got. Failing
                # to record that is no reason to fail the request: the next request tries again.
                try:
                    await pins.ensure(customer, version or versions.newest)
                except HarborError as error:
                    log.warning("versions.pin_not_recorded", customer_id=customer, error=error.slug)
        return self._settle(version, customer)

    def _settle(self, version: str | None, customer: str | None) -> str:
        self.version = self.caller.version = version or self.m.versions.newest
        if customer is not None and self.m.deprecated:
            self._count(customer, self.version)
        return self.version

    def _count(self, customer: str, version: str) -> None:
        # The router has matched by now (the route reads its body, or the response starts) and
        # left its route in the scope: its path template names the operation.
        route = self.scope.get("route")
        path = getattr(route, "path", None)
        operation = self.m.deprecated.get((self.scope["method"], path)) if path else None
        if operation is not None and self.m.usage is not None:
            self.m.usage.record(operation, customer, version)

    def _old(self) -> bool:
        return self.version != self.m.versions.newest and self.operation is not None

    def receive(self, receive: Receive) -> Receive:
        if self.scope["method"] in ("GET", "HEAD", "DELETE") or self.operation is None:
            return receive
        chunks: list[bytes] = []
        replay: list[Message] = []

        async def upgrading() -> Message:
            if replay:
                return replay.pop()
            if self.version is not None and not self._old() and not chunks:
                return await receive()
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunks.append(message.get("body", b""))
            while message.get("more_body", False):
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
            if self.caller.customer_id is None:
                self._identify()
            if self.decided() is None:
                await self.decide()
            body = b"".join(chunks)
            if self._old() and body:
                body = self._upgrade(body)
            return {"type": "http.request", "body": body, "more_body": False}

        return upgrading

    def _identify(self) -> None:
        raw = _header(self.scope, _AUTHORIZATION)
        if raw is not None and raw[:7].lower() == "bearer ":
            customer = self.m.identify(raw[7:].strip())
            if customer is not None:
                self.caller.customer_id = customer

    def _upgrade(self, body: bytes) -> bytes:
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            return body  # the route answers a malformed body with its own problem
        assert self.operation is not None
        assert self.version is not None
        upgraded = self.m.versions.upgrade(self.operation, self.version, document)
        return orjson.dumps(upgraded)

    def send(self, send: Send) -> Send:
        start: Message | None = None
        chunks: list[bytes] = []

        refused: HarborError | None = None

        async def downgrading(message: Message) -> None:
            nonlocal start, refused
            if refused is not None:
                return  # the answer was replaced by the problem below; drop the original body
            if message["type"] == "http.response.start":
                try:
                    version = self.decided() or await self.decide()
                except HarborError as error:  # the pin could not be read (the database is down)
                    if message["status"] < 400:
                        # A success in a version the caller may not be pinned to would break it.
                        refused = error
                        response = problem_response(error, self.scope)
                        response.headers[HEADER] = self.explicit or self.m.versions.newest
                        await response(self.scope, _no_body, send)
                        return
                    # A problem has one shape in every version: pass it on as it is.
                    version = self.version = self.explicit or self.m.versions.newest
                headers = [
                    *message.get("headers", ()),
                    (_HEADER_KEY, version.encode())
                    if version != self.m.versions.newest
                    else self.m._newest_header,
                ]
                message = {**message, "headers": headers}
                if not (self._old() and _is_json(headers)):
                    await send(message)
                    return
                start = message
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = self._downgrade(start["status"], b"".join(chunks))
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        return downgrading

    def _downgrade(self, status: int, body: bytes) -> bytes:
        if not body:
            return body
        try:
            document = orjson.loads(body)
        except orjson.JSONDecodeError:
            log.error("versions.unreadable_response", operation=self.operation, status=status)
            return body
        assert self.operation is not None
        assert self.version is not None
        versions = self.m.versions
        if status == 422 and isinstance(document, dict):
            document = self._rename_pointers(document)
        return orjson.dumps(versions.downgrade(self.operation, self.version, status, document))

    def _rename_pointers(self, problem: dict[str, object]) -> dict[str, object]:
        """A validation problem names the fields as the caller's version names them."""
        errors = problem.get("errors")
        if not isinstance(errors, list):
            return problem
        assert self.operation is not None
        assert self.version is not None
        renamed = []
        for error in errors:
            if isinstance(error, dict) and error.get("location") == "body":
                pointer = error.get("pointer")
                if isinstance(pointer, str):
                    old = self.m.versions.downgrade_pointer(self.operation, self.version, pointer)
                    error = {**error, "pointer": old}
            renamed.append(error)
        return {**problem, "errors": renamed}


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1").strip()
    return None


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    for key, value in headers:
        if key == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media.endswith(_JSON_SUFFIXES)
    return False
