"""`python -m service`: serve the API with uvicorn, one or several worker processes."""

from __future__ import annotations

import argparse
import sys

from service.kit.logging import configure_logging
from service.kit.server import HarborServerConfig, serve
from service.kit.settings import settings_for_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--reload",
        action="store_true",
        help="development: restart when service/, generated/ or spec/ change (one worker)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="assemble the app and say what stops it (a missing handler, with its stub); serve nothing",
    )
    args = parser.parse_args(argv)
    if args.reload and args.workers != 1:
        parser.error("--reload runs one worker; leave out --workers")
    # Validated here too, so a bad setting stops the launcher, not each worker in turn.
    settings = settings_for_cli("service")
    configure_logging(settings)
    refused = startup_refusal()
    if refused is not None:
        print(f"harbor: the server cannot start: {refused}", file=sys.stderr)  # noqa: T201
        return 2
    if args.check:
        print("harbor: every operation of the spec has a handler; the app assembles")  # noqa: T201
        return 0
    config = HarborServerConfig(
        "service.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        reload_dirs=["service", "generated", "spec"] if args.reload else None,
        reload_includes=["*.py", "*.yaml"] if args.reload else None,
        log_config=None,
        access_log=False,
        server_header=False,
        # The connection limits (README "Limits"); the rest are the app's, in create_app.
        max_header_bytes=settings.max_header_bytes,
        max_headers=settings.max_headers,
        limit_concurrency=settings.limit_concurrency,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        backlog=settings.backlog,
        timeout_keep_alive=settings.keep_alive_seconds,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        # uvicorn's 5 s default kills a worker still importing on a loaded machine, again and
        # again; a slow start is not a hang.
        timeout_worker_healthcheck=30,
    )
    return serve(config)


def startup_refusal() -> str | None:
    """Why the app cannot be assembled (a handler missing for an operation of the spec, the
    order SQL behind the spec's Order), before any banner or worker: None when it can."""
    from generated._runtime import MissingHandlers
    from service.app import create_app_from_env
    from service.orders.projection import ProjectionMismatch

    try:
        create_app_from_env()
    except (MissingHandlers, ProjectionMismatch) as error:
        return str(error)
    return None


if __name__ == "__main__":
    raise SystemExit(main())
