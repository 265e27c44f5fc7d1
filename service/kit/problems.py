"""RFC 9457 problem details: the one error tree and the one renderer every response goes through.

The tree (a domain's errors live in its own errors.py; a subclass changes only detail and headers)::

    HarborError                          500 internal-error         kit.problems
    +-- BadRequest                       400 bad-request            kit.problems
    |   +-- InvalidParameters            400 invalid-parameter      kit.problems
    |   +-- MalformedBody                400 malformed-body         kit.problems
    |   +-- InvalidCursor                400 invalid-cursor         kit.pagination
    +-- Unauthenticated                  401 unauthenticated        kit.problems
    |   +-- InvalidToken                 401 unauthenticated        auth.errors
    +-- Forbidden                        403 forbidden              kit.problems
    |   +-- CustomerMismatch             403 forbidden              orders.errors
    |   +-- PinForbidden                 403 forbidden              versions.errors
    +-- NotFound                         404 not-found              kit.problems
    |   +-- RouteNotFound                404 not-found              kit.problems
    |   +-- OrderNotFound                404 not-found              orders.errors
    |   +-- CustomerNotFound             404 not-found              orders.errors
    +-- MethodNotAllowed                 405 method-not-allowed     kit.problems
    +-- Conflict                         409 conflict               kit.problems
    |   +-- OrderNotCancellable          409 order-not-cancellable  orders.errors
    |   +-- IdempotencyKeyInFlight       409 idempotency-in-flight  idempotency.errors
    +-- ContentTooLarge                  413 content-too-large      kit.problems
    +-- UnsupportedMediaType             415 unsupported-media-type kit.problems
    +-- ValidationFailed                 422 validation-error       kit.problems
    |   +-- IdempotencyKeyReused         422 idempotency-key-reused idempotency.errors
    |   +-- UnknownApiVersion            422 unknown-api-version    versions.errors
    +-- TooManyRequests                  429 rate-limited           kit.problems
    +-- HeadersTooLarge                  431 headers-too-large      kit.problems
    +-- ServiceUnavailable               503 service-unavailable    kit.problems
        +-- DatabaseUnavailable          503 service-unavailable    kit.db
        +-- RequestTimedOut              503 service-unavailable    kit.problems
        +-- ConcurrencyLimited           503 service-unavailable    kit.problems
        +-- ShuttingDown                 503 service-unavailable    kit.problems
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, ClassVar, Literal
from urllib.parse import quote

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import Scope

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://harbor.example/problems/"

Location = Literal["body", "query", "path", "header", "cookie"]
_LOCATIONS: frozenset[str] = frozenset({"body", "query", "path", "header", "cookie"})


@dataclass(frozen=True, slots=True)
class FieldError:
    """One invalid field or parameter, as the spec's ProblemFieldError."""

    location: Location
    pointer: str
    message: str


class HarborError(Exception):
    """The root of every error the service answers with; the class fixes status, type and title."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal server error"
    default_detail: ClassVar[str] = "An unexpected error occurred; quote the request id to support."

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        errors: Sequence[FieldError] = (),
    ) -> None:
        self.detail = detail or self.default_detail
        self.headers: Mapping[str, str] = headers or {}
        self.errors = tuple(errors)
        super().__init__(self.detail)

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug


class BadRequest(HarborError):
    status, slug, title = 400, "bad-request", "Bad request"
    default_detail = "The request is malformed."


class InvalidParameters(BadRequest):
    slug, title = "invalid-parameter", "A parameter is invalid"


class MalformedBody(BadRequest):
    slug, title = "malformed-body", "The request body is malformed"
    default_detail = "The request body is not valid JSON."


class Unauthenticated(HarborError):
    status, slug, title = 401, "unauthenticated", "Authentication required"
    default_detail = "The request has no bearer token."

    def __init__(self, detail: str | None = None, *, headers: Mapping[str, str] | None = None):
        super().__init__(detail, headers=headers or {"WWW-Authenticate": "Bearer"})


class Forbidden(HarborError):
    status, slug, title = 403, "forbidden", "Forbidden"
    default_detail = "The caller may not do this."


class NotFound(HarborError):
    status, slug, title = 404, "not-found", "Not found"
    default_detail = "The resource was not found."


class RouteNotFound(NotFound):
    default_detail = "No operation is served at this path."


class MethodNotAllowed(HarborError):
    status, slug, title = 405, "method-not-allowed", "Method not allowed"
    default_detail = "This path does not accept this method."


class Conflict(HarborError):
    status, slug, title = 409, "conflict", "Conflict"
    default_detail = "The request conflicts with the resource's current state."


class ContentTooLarge(HarborError):
    status, slug, title = 413, "content-too-large", "Content too large"


class UnsupportedMediaType(HarborError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"
    default_detail = "The request body must be application/json."


class ValidationFailed(HarborError):
    status, slug, title = 422, "validation-error", "The request is invalid"
    default_detail = "The request body is invalid."


class TooManyRequests(HarborError):
    """A rate limit is spent; Retry-After says in how many seconds a request is allowed again."""

    status, slug, title = 429, "rate-limited", "Too many requests"
    default_detail = "Too many requests; retry after the given delay."

    def __init__(self, detail: str | None = None, *, retry_after_seconds: int = 1) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after_seconds)})


class HeadersTooLarge(HarborError):
    """The request line and headers exceed the server's limit (answered by the HTTP protocol)."""

    status, slug, title = 431, "headers-too-large", "Request header fields too large"
    default_detail = "The request's headers are too large."


class ServiceUnavailable(HarborError):
    status, slug, title = 503, "service-unavailable", "Service unavailable"
    default_detail = "The service cannot serve requests right now; retry later."
    # A short, fixed hint: an outage's length is unknown, and clients back off on their own.
    retry_after_seconds: ClassVar[int] = 1

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"Retry-After": str(self.retry_after_seconds)})


class RequestTimedOut(ServiceUnavailable):
    default_detail = "The request took longer than the server allows; retry later."


class ConcurrencyLimited(ServiceUnavailable):
    default_detail = "The server is at its concurrency limit; retry later."


class ShuttingDown(ServiceUnavailable):
    default_detail = "The server stopped before the request finished; retry later."


# RFC 3986 path characters, and `%` so that what the client encoded stays encoded once.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_PHRASES = {status.value: status.phrase for status in HTTPStatus}
_BY_STATUS: dict[int, type[HarborError]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: RouteNotFound,
    405: MethodNotAllowed,
    409: Conflict,
    413: ContentTooLarge,
    415: UnsupportedMediaType,
    422: ValidationFailed,
    429: TooManyRequests,
    431: HeadersTooLarge,
    503: ServiceUnavailable,
}


def request_id_of(scope: Scope) -> str | None:
    """The request id the middleware stored in the scope, if it ran."""
    state = scope.get("state")
    return state.get("request_id") if isinstance(state, dict) else None


def problem_body(error: HarborError, *, instance: str | None, request_id: str | None) -> bytes:
    body: dict[str, Any] = {
        "type": error.type,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
    }
    if instance is not None:
        body["instance"] = instance
    if request_id is not None:
        body["request_id"] = request_id
    if error.errors:
        body["errors"] = [
            {"location": e.location, "pointer": e.pointer, "message": e.message}
            for e in error.errors
        ]
    return orjson.dumps(body)


def instance_of(scope: Scope) -> str:
    """The request path as a URI reference: as sent (percent-encoded), never decoded."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else scope.get("path", "")
    # Some servers (and test transports) leave the query string in raw_path.
    return quote(path.partition("?")[0], safe=_PATH_SAFE)


def problem_response(error: HarborError, scope: Scope) -> Response:
    body = problem_body(error, instance=instance_of(scope), request_id=request_id_of(scope))
    return Response(body, error.status, dict(error.headers), media_type=PROBLEM_MEDIA_TYPE)


def from_http_exception(exc: HTTPException) -> HarborError:
    """Starlette's and the generated code's HTTPExceptions, in the one shape."""
    cls = _BY_STATUS.get(exc.status_code, HarborError)
    # Starlette's default detail is the bare reason phrase; our default says more.
    generic = exc.detail == _PHRASES.get(exc.status_code)
    detail = exc.detail if isinstance(exc.detail, str) and not generic else None
    error = cls(detail)
    if exc.headers:
        error.headers = {**error.headers, **exc.headers}
    return error


_MISSING = object()


def _child(value: object, step: int | str) -> object:
    if isinstance(value, dict):
        return value.get(step, _MISSING)
    if isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value):
        return value[step]
    return _MISSING


def _json_pointer(loc: Sequence[int | str], document: object) -> str:
    """A JSON pointer into the submitted document.

    Pydantic puts union tags and validator names into `loc`; a step the document does not
    have is such a tag and is skipped, unless it is the last (a missing field).
    """
    tokens: list[int | str] = []
    current = document
    for index, step in enumerate(loc):
        child = _child(current, step)
        if child is _MISSING and index < len(loc) - 1:
            continue
        current = child
        tokens.append(step)
    return _pointer(tokens)


def from_validation_error(exc: RequestValidationError) -> HarborError:
    """FastAPI's validation errors: 400 for parameters and unparsable JSON, 422 for the body."""
    raw = exc.errors()
    if any(err.get("type") == "json_invalid" for err in raw):
        return MalformedBody()
    errors: list[FieldError] = []
    for err in raw:
        loc = tuple(err.get("loc", ()))
        where = str(loc[0]) if loc else "body"
        location: Location = where if where in _LOCATIONS else "body"  # type: ignore[assignment]
        pointer = _json_pointer(loc[1:], exc.body) if location == "body" else _pointer(loc[1:])
        errors.append(FieldError(location, pointer, str(err.get("msg", "is invalid"))))
    params = [e for e in errors if e.location != "body"]
    if params:
        noun = "parameter is" if len(params) == 1 else "parameters are"
        return InvalidParameters(f"{len(params)} {noun} invalid.", errors=errors)
    noun = "field of the request body is" if len(errors) == 1 else "fields of the request body are"
    return ValidationFailed(f"{len(errors)} {noun} invalid.", errors=errors)


def _pointer(steps: Sequence[int | str]) -> str:
    """RFC 6901: `~` and `/` escaped; the empty pointer is the whole document."""
    return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in steps)


def allowed_methods(app: FastAPI, path: str) -> str:
    """The `Allow` value for a path: the methods of every route that serves it."""
    methods: set[str] = set()
    for route in iter_route_contexts(app.routes):
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(path):
            methods.update(route.methods or ())
    return ", ".join(sorted(methods))


def install_problem_handlers(app: FastAPI) -> None:
    """Route every handled exception through the one renderer."""

    async def on_harbor(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HarborError)
        return problem_response(exc, request.scope)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        error = from_http_exception(exc)
        if exc.status_code == 405:
            # Starlette names only the methods of the first route that matched the path; a path
            # served by several routes (GET and POST apart) allows all of theirs.
            error.headers = {**error.headers, "Allow": allowed_methods(app, request.url.path)}
        return problem_response(error, request.scope)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return problem_response(from_validation_error(exc), request.scope)

    app.add_exception_handler(HarborError, on_harbor)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
