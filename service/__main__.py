"""`python -m service`: serve the API with uvicorn, one or several worker processes."""

from __future__ import annotations

import argparse

from service.kit.logging import configure_logging
from service.kit.server import HarborServerConfig, serve
from service.kit.settings import settings_for_cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    # Validated here too, so a bad setting stops the launcher, not each worker in turn.
    settings = settings_for_cli("service")
    configure_logging(settings)
    config = HarborServerConfig(
        "service.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
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


if __name__ == "__main__":
    raise SystemExit(main())
