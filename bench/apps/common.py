"""What the hand-written apps share: settings, the token check, errors as problem+json, and the
order rules (risk score, idempotency fingerprint).

The token verifier and the cursor codec are the service's own classes, used as a library: the
same checks (signature, exp, iss, aud, sub), the same verified-token cache and the same HMAC
cursors, so every server in the comparison does the same work per request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, ClassVar

import orjson
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.telemetry import TelemetryConfig
from starlette.responses import Response

from service.auth.errors import InvalidToken
from service.auth.tokens import TokenVerifier
from service.kit.pagination import CursorCodec
from service.kit.settings import Settings

JSON = "application/json"
PROBLEM = "application/problem+json"
ORDER_FIELDS = (
    "customer_id",
    "amount_cents",
    "currency",
    "statement_descriptor",
    "metadata",
    "payment_method",
)


@dataclass(frozen=True, slots=True)
class Toolkit:
    settings: Settings
    verifier: TokenVerifier
    cursors: CursorCodec
    idempotency_ttl: timedelta

    @classmethod
    def from_env(cls) -> Toolkit:
        settings = Settings()
        return cls(
            settings=settings,
            verifier=TokenVerifier(settings),
            cursors=CursorCodec(settings.cursor_key.get_secret_value().encode()),
            idempotency_ttl=timedelta(seconds=settings.idempotency_ttl_seconds),
        )

    def customer_of(self, token: str) -> str:
        """The customer a bearer token acts for; Unauthorized unless it verifies."""
        try:
            return self.verifier.verify(token).customer_id
        except InvalidToken as exc:
            raise Unauthorized(exc.detail) from None


class ApiError(Exception):
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal server error"

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail or self.title

    def body(self) -> bytes:
        return orjson.dumps(
            {
                "type": "https://harbor.example/problems/" + self.title.lower().replace(" ", "-"),
                "title": self.title,
                "status": self.status,
                "detail": self.detail,
            }
        )

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"} if self.status == 401 else {}


def _error(status: int, title: str) -> type[ApiError]:
    return type(title.title().replace(" ", ""), (ApiError,), {"status": status, "title": title})


BadRequest = _error(400, "Bad request")
Unauthorized = _error(401, "Authentication required")
Forbidden = _error(403, "Forbidden")
NotFound = _error(404, "Not found")
Conflict = _error(409, "Conflict")
UnsupportedMediaType = _error(415, "Unsupported media type")
Unprocessable = _error(422, "The request is invalid")


def problem(error: ApiError) -> Response:
    """An error as application/problem+json."""
    return Response(error.body(), error.status, error.headers, media_type=PROBLEM)


# FastAPI's native OpenTelemetry, off as in Harbor (service/app.py `_telemetry`, unless
# HARBOR_OPENTELEMETRY): without it, every request asks whether a provider has appeared.
TELEMETRY_OFF: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}

_BEARER = HTTPBearer(auto_error=False)


def caller_dependency(tools: Toolkit) -> Callable[..., Awaitable[str]]:
    """A FastAPI dependency: the customer the request's bearer token acts for, or 401."""

    async def caller(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
    ) -> str:
        if credentials is None:
            raise Unauthorized("The request has no bearer token.")
        return tools.customer_of(credentials.credentials)

    return caller


def install_problem_handlers(app: FastAPI) -> None:
    """The FastAPI apps' errors, and FastAPI's validation errors (400 for parameters, 422 for
    the body), as problem+json."""

    async def on_api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return problem(exc)

    async def on_invalid(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        in_body = any(e["loc"][0] == "body" for e in exc.errors())
        return problem(Unprocessable() if in_body else BadRequest("A parameter is invalid."))

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_invalid)


_COMMON_CURRENCIES = frozenset({"EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN"})


def risk_score(order: dict[str, Any]) -> int:
    """The internal risk score of a new order (0..100): stored, never shown."""
    amount = order["amount_cents"]
    method = order.get("payment_method")
    parts = (
        40 if amount >= 1_000_000 else 15 if amount >= 100_000 else 0,
        20 if method is None else 10 if method["type"] == "bank_transfer" else 0,
        0 if order["currency"] in _COMMON_CURRENCIES else 15,
        5 if order.get("statement_descriptor") is None else 0,
    )
    return min(sum(parts), 100)


def fingerprint(order: dict[str, Any]) -> str:
    """The body's meaning: key order, whitespace and explicit nulls do not count."""
    canonical = {name: order.get(name) for name in ORDER_FIELDS}
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()
