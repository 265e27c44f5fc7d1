"""`python -m service.webhooks`: the webhook delivery worker (`make worker`); run one or several.

SIGTERM or SIGINT stops claiming and lets attempts in flight finish for
HARBOR_WEBHOOKS_SHUTDOWN_GRACE_SECONDS; a second signal hands them back at once.
"""

from __future__ import annotations

import argparse
import asyncio
import signal

from service.db.unit import Units
from service.kit.clock import SystemClock, Uuid7Generator
from service.kit.db import open_database
from service.kit.logging import configure_logging
from service.kit.settings import Settings, settings_for_cli
from service.versions.changes import served_versions
from service.webhooks.sender import HttpxSender, create_client
from service.webhooks.worker import build_worker


async def serve(settings: Settings) -> None:
    stop, hurry = asyncio.Event(), asyncio.Event()

    def on_signal() -> None:
        (hurry if stop.is_set() else stop).set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal)
    database = open_database(settings)
    await database.start()
    clock = SystemClock()
    try:
        async with create_client(settings) as client:
            sender = HttpxSender(
                client,
                clock=clock,
                allow_private=settings.webhooks_private_targets_allowed,
                timeout_seconds=settings.webhooks_timeout_seconds,
            )
            worker = build_worker(
                settings,
                Units(database),
                sender,
                clock=clock,
                ids=Uuid7Generator(),
                versions=served_versions(),
            )
            await worker.run(stop, hurry)
    finally:
        await database.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m service.webhooks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)
    settings = settings_for_cli("webhooks")
    configure_logging(settings)
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
