"""`python -m service`: serve the API with uvicorn, one or several worker processes."""

from __future__ import annotations

import argparse

import uvicorn

from service.kit.logging import configure_logging
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
    uvicorn.run(
        "service.app:create_app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        access_log=False,
        server_header=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
