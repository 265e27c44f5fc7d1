"""The app factory: settings in, one FastAPI app out, with every generated router wired."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import TypedDict

import orjson
from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from generated import models
from generated._routing import CompiledDispatch
from generated.api_versions import create_api_versions_router
from generated.orders import create_orders_router
from generated.system import create_system_router
from generated.webhooks import create_webhooks_router
from service.auth.errors import InvalidToken
from service.auth.hooks import BearerAuth
from service.auth.tokens import TokenVerifier
from service.db.unit import Units
from service.idempotency.cleanup import purge_forever
from service.kit.asgi import LeanFastAPI
from service.kit.clock import Clock, IdGenerator, SystemClock, Uuid7Generator
from service.kit.db import Database, open_database
from service.kit.docs import install_docs, load_spec, served_contracts
from service.kit.logging import configure_logging
from service.kit.middleware import (
    BodyLimitMiddleware,
    ProblemCORSMiddleware,
    RequestContextMiddleware,
)
from service.kit.pagination import CursorCodec
from service.kit.problems import install_problem_handlers
from service.kit.ratelimit import Rate, Ticker, TokenBuckets
from service.kit.settings import Settings
from service.kit.shared_ratelimit import SharedTokenBuckets
from service.orders.handlers import OrdersHandlers
from service.orders.projection import check_projection
from service.orders.repository import PUBLIC_COLUMNS
from service.orders.service import OrdersService
from service.system.handlers import SystemHandlers
from service.versions.changes import served_versions
from service.versions.handlers import ApiVersionsHandlers
from service.versions.middleware import VersionMiddleware
from service.versions.pins import Pins
from service.versions.service import PinsService
from service.versions.usage import UsageCounter, deprecated_operations, flush_forever, flush_logged
from service.webhooks.handlers import WebhooksHandlers
from service.webhooks.secrets import SecretBox
from service.webhooks.service import WebhooksService

TITLE = "Harbor Payments Order API"
SPEC_PATH = Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml"


def create_app(
    settings: Settings,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    spec_path: Path = SPEC_PATH,
    ticker: Ticker | None = None,
    releases_path: Path | None = None,
) -> FastAPI:
    """Build the app; nothing connects until the lifespan starts. `ticker` is the rate
    limiter's monotonic clock (tests pass a fake) and the pin cache's. The operations whose
    calls are counted are those deprecated in `spec_path` or a release in `releases_path`
    (default: the spec's `releases/` folder)."""
    database = database or open_database(settings)
    clock = clock or SystemClock()
    units = Units(database)
    spec_json = load_spec(spec_path)
    releases = releases_path or spec_path.parent / "releases"
    deprecated = deprecated_operations(orjson.loads(spec_json), releases)
    usage = UsageCounter(units, clock) if deprecated else None

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await database.start()
        purger = None
        if settings.idempotency_cleanup_interval_seconds > 0:
            purger = asyncio.create_task(
                purge_forever(
                    units, clock, interval_seconds=settings.idempotency_cleanup_interval_seconds
                )
            )
        flusher = None
        if usage is not None:
            flusher = asyncio.create_task(
                flush_forever(usage, interval_seconds=settings.usage_flush_seconds)
            )
        try:
            yield
        finally:
            for task in (purger, flusher):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            if usage is not None:
                await flush_logged(usage)  # what this process counted since the last flush
            await database.stop()

    app = LeanFastAPI(
        title=TITLE,
        # The contract is the spec file, served as is; FastAPI's derived schema is not served.
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        telemetry=_telemetry(settings.opentelemetry),
    )
    install_problem_handlers(app)

    verifier = TokenVerifier(settings)
    security = BearerAuth(verifier, **rate_limits(settings, ticker, database))
    ids = ids or Uuid7Generator()
    cursors = CursorCodec(settings.cursor_key.get_secret_value().encode())
    # Refuses to build an app whose order SQL no longer matches the spec's Order.
    check_projection(models.Order, PUBLIC_COLUMNS)
    orders = OrdersService(
        clock=clock,
        ids=ids,
        cursors=cursors,
        idempotency_ttl=timedelta(seconds=settings.idempotency_ttl_seconds),
    )
    # The routes go straight onto the app's router: an included router costs a second route
    # match on every request.
    create_orders_router(OrdersHandlers(orders, units), security=security, router=app.router)
    webhooks = WebhooksService(
        clock=clock,
        ids=ids,
        cursors=cursors,
        allow_private=settings.webhooks_private_targets_allowed,
        max_endpoints=settings.webhooks_max_endpoints_per_customer,
        box=SecretBox(settings.webhooks_secret_key_values),
    )
    create_webhooks_router(WebhooksHandlers(webhooks, units), security=security, router=app.router)
    create_system_router(
        SystemHandlers(database, timeout_seconds=settings.ready_timeout_seconds),
        security=security,
        router=app.router,
    )
    pins = Pins(
        units,
        clock,
        ttl_seconds=settings.version_pin_cache_seconds,
        ticker=ticker or time.monotonic,
    )
    # Every release and the spec's own version, as generated from spec/releases/.
    versions = served_versions()
    create_api_versions_router(
        ApiVersionsHandlers(PinsService(pins, versions.versions)),
        security=security,
        router=app.router,
    )
    contracts = served_contracts(spec_json, releases, versions.versions)
    install_docs(app, spec_json, title=TITLE, contracts=contracts)

    # Added innermost first: the request context wraps everything, CORS answers preflights
    # before any body is read, the body limit guards the routes, and the version conversions
    # see only bodies the limit has bounded. Innermost of all, the generated routes' compiled
    # handlers run straight from the dispatch, under every one of those layers.
    app.add_middleware(CompiledDispatch, router=app.router)
    app.add_middleware(
        VersionMiddleware,
        versions=versions,
        pins=pins,
        identify=_identifier(verifier),
        usage=usage,
        deprecated=deprecated,
    )
    app.state.usage = usage
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            ProblemCORSMiddleware,
            origins=settings.cors_origins,
            allow_credentials=settings.cors_allow_credentials,
        )
    app.add_middleware(
        RequestContextMiddleware,
        access_log=settings.access_log,
        timeout_seconds=settings.request_timeout_seconds,
    )
    return app


def _identifier(verifier: TokenVerifier) -> Callable[[str], str | None]:
    def identify(token: str) -> str | None:
        try:
            return verifier.verify(token).customer_id
        except InvalidToken:
            return None

    return identify


def _telemetry(enabled: bool) -> TelemetryConfig:
    return {"tracing": enabled, "metrics": enabled, "logs": enabled, "operation_spans": enabled}


class RateLimits(TypedDict, total=False):
    """BearerAuth's limits, by its keyword names."""

    principals: TokenBuckets
    failures: TokenBuckets
    shared: SharedTokenBuckets


def rate_limits(
    settings: Settings, ticker: Ticker | None = None, database: Database | None = None
) -> RateLimits:
    """The buckets BearerAuth takes: none when HARBOR_RATE_LIMIT_PER_SECOND is 0."""
    if not settings.rate_limit_per_second:
        return {}
    now = ticker or time.monotonic
    rate = Rate(settings.rate_limit_per_second, settings.rate_limit_burst)
    limits: RateLimits = {}
    if settings.rate_limit_store == "database" and database is not None:
        limits["shared"] = SharedTokenBuckets(database, rate)
    else:
        limits["principals"] = TokenBuckets(rate, max_keys=settings.rate_limit_max_keys, now=now)
    if settings.auth_failure_rate_per_second:
        limits["failures"] = TokenBuckets(
            Rate(settings.auth_failure_rate_per_second, settings.auth_failure_burst),
            max_keys=settings.rate_limit_max_keys,
            now=now,
        )
    return limits


def create_app_from_env() -> FastAPI:
    """The uvicorn factory: each worker process reads its settings once and logs as configured."""
    settings = Settings()
    configure_logging(settings)
    return create_app(settings)
