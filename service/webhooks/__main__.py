"""`python -m service.webhooks`: the webhook delivery worker (`make worker`); run one or several.

SIGTERM or SIGINT stops claiming and lets attempts in flight finish for
HARBOR_WEBHOOKS_SHUTDOWN_GRACE_SECONDS; a second signal hands them back at once.

  python -m service.webhooks            run the worker
  python -m service.webhooks new-key    print a new key for HARBOR_WEBHOOKS_SECRET_KEYS
  python -m service.webhooks rekey      seal every stored signing secret under the first key
                                        (after adding a key, or upgrading from before 0005)
  python -m service.webhooks rekey --unseal
                                        store them plain again (before a downgrade past 0005)
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from service.db.unit import Units
from service.kit.clock import SystemClock, Uuid7Generator
from service.kit.db import open_database
from service.kit.logging import configure_logging
from service.kit.settings import Settings, settings_for_cli
from service.versions.changes import served_versions
from service.webhooks.rekey import rekey
from service.webhooks.secrets import SecretBox, SecretUnreadable, new_key
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


async def run_rekey(settings: Settings, *, unseal: bool) -> int:
    database = open_database(settings)
    await database.start()
    try:
        report = await rekey(
            Units(database), SecretBox(settings.webhooks_secret_key_values), unseal=unseal
        )
    except SecretUnreadable as exc:
        sys.stderr.write(f"webhooks rekey: {exc}; nothing of that batch was written\n")
        return 1
    finally:
        await database.stop()
    what = "stored plain" if unseal else "sealed under the first key"
    sys.stderr.write(
        f"webhooks rekey: {report.rewritten} endpoints {what}, {report.unchanged} already were"
        + (f", {report.missed} changed meanwhile (run rekey again)" if report.missed else "")
        + "\n"
    )
    return 1 if report.missed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m service.webhooks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("new-key", help="print a new key for HARBOR_WEBHOOKS_SECRET_KEYS")
    rekeying = commands.add_parser("rekey", help="seal every stored secret under the first key")
    rekeying.add_argument("--unseal", action="store_true", help="store them plain instead")
    args = parser.parse_args(argv)
    if args.command == "new-key":
        sys.stdout.write(new_key() + "\n")
        return 0
    settings = settings_for_cli("webhooks")
    configure_logging(settings)
    if args.command == "rekey":
        return asyncio.run(run_rekey(settings, unseal=args.unseal))
    asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
