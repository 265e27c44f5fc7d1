"""structlog, configured once: JSON lines in production, readable lines in development."""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from typing import Any

import orjson
import structlog
from structlog.typing import EventDict, Processor

from service.kit.settings import LogFormat, Settings


def _dumps(event: Any, **_: Any) -> str:
    return orjson.dumps(event, default=str).decode()


def _dumps_bytes(event: Any, **_: Any) -> bytes:
    return orjson.dumps(event, default=str)


# The request being served, set by the request middleware: one ContextVar is far cheaper per
# request than binding structlog's context variables.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def add_request_id(_: object, __: str, event: EventDict) -> EventDict:
    request_id = request_id_var.get()
    if request_id is not None:
        event["request_id"] = request_id
    return event


def configure_logging(settings: Settings) -> None:
    """structlog renders straight to stdout; the standard library (uvicorn, asyncpg) joins it."""
    level = logging.getLevelNamesMapping()[settings.log_level.upper()]
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        add_request_id,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    json = settings.log_format == LogFormat.JSON
    if json:
        # Tracebacks without the frames' locals: those hold the request scope, and with it the
        # Authorization header.
        shared.append(
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            )
        )
    std_renderer: Processor = (
        structlog.processors.JSONRenderer(serializer=_dumps)
        if json
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    # The fast path: bytes from orjson written once per line, without the logging module.
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.JSONRenderer(serializer=_dumps_bytes) if json else std_renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=(
            structlog.BytesLoggerFactory(sys.stdout.buffer)
            if json
            else structlog.PrintLoggerFactory(sys.stdout)
        ),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, std_renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # The middleware writes one access line per request, with the request id in it.
    logging.getLogger("uvicorn.access").disabled = True
