"""Calls of deprecated operations: counted in each worker's memory, added to `api_usage` in one
statement per flush (HARBOR_USAGE_FLUSH_SECONDS, and at shutdown), and exported for the breaking
gate: `python -m service.versions.usage export --days 30 > usage.json` (docs/versioning.md).

Which operations count is read once at start-up from the spec and every release: an operation
marked `deprecated: true` in any of them, since removing it removes it for every version.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import re
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol

import orjson
import structlog
import yaml

from service.kit.clock import Clock
from service.kit.db import Transactional, open_database
from service.kit.docs import read_document
from service.kit.problems import HarborError
from service.kit.settings import settings_for_cli
from service.versions.repository import SqlUsageRepository, UsageCount, UsageRepository

FORMAT = "harbor-api-usage/1"
SPEC_DIR = Path(__file__).resolve().parent.parent.parent / "spec"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PLACEHOLDER = re.compile(r"\{[^}/]*\}")

log = structlog.get_logger(__name__)

# (HTTP method, path template of the newest spec) -> the operation's id.
Deprecated = Mapping[tuple[str, str], str]


class UsageUnit(Protocol):
    @property
    def usage(self) -> UsageRepository: ...


def _operations(document: object) -> dict[tuple[str, str], tuple[str, str, bool]]:
    """(METHOD, template with its parameter names left out) -> (template, id, deprecated)."""
    out: dict[tuple[str, str], tuple[str, str, bool]] = {}
    paths = document.get("paths") if isinstance(document, dict) else None
    for path, item in (paths or {}).items() if isinstance(paths, dict) else ():
        for method in _METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            if not isinstance(op, dict):
                continue
            name = op.get("operationId")
            label = f"{method.upper()} {path}"
            out[(method.upper(), _PLACEHOLDER.sub("{}", str(path)))] = (
                str(path),
                name if isinstance(name, str) and name else label,
                op.get("deprecated") is True,
            )
    return out


@functools.lru_cache(maxsize=64)
def _flagged(path: Path, _mtime_ns: int) -> frozenset[tuple[str, str]]:
    """A release's deprecated operations; releases never change, so each is parsed once per
    process (the modification time keys the cache all the same)."""
    return frozenset(key for key, (*_, flag) in _operations(read_document(path)).items() if flag)


def deprecated_operations(spec: object, releases: Path | None) -> dict[tuple[str, str], str]:
    """The newest spec's operations marked deprecated there or in any release, keyed as the
    router names them (method, path template), each with its operationId. `spec` is the
    parsed newest spec, or its file."""
    newest = _operations(read_document(spec) if isinstance(spec, Path) else spec)
    flagged = {key for key, (_, _, deprecated) in newest.items() if deprecated}
    for release in sorted(releases.glob("*.yaml")) if releases and releases.is_dir() else ():
        flagged |= _flagged(release, release.stat().st_mtime_ns)
    return {(key[0], newest[key][0]): newest[key][1] for key in sorted(flagged) if key in newest}


class UsageCounter:
    """The calls since the last flush, in this process. `record` is a dict update; `flush`
    writes them all in one statement. At most `max_entries` distinct (operation, customer,
    version, day) wait at once: while the database is down, calls beyond are dropped (logged)."""

    def __init__(
        self, units: Transactional[UsageUnit], clock: Clock, *, max_entries: int = 100_000
    ) -> None:
        self._units = units
        self._clock = clock
        self._max_entries = max_entries
        self._counts: dict[tuple[str, str, str, date], tuple[int, datetime]] = {}
        self.dropped = 0

    def record(self, operation_id: str, customer_id: str, version: str) -> None:
        now = self._clock.now()
        self._add((operation_id, customer_id, version, now.date()), 1, now)

    def _add(self, key: tuple[str, str, str, date], calls: int, last: datetime) -> None:
        seen = self._counts.get(key)
        if seen is not None:
            self._counts[key] = (seen[0] + calls, max(seen[1], last))
        elif len(self._counts) < self._max_entries:
            self._counts[key] = (calls, last)
        else:
            self.dropped += calls

    async def flush(self) -> int:
        """Write what was counted since the last flush; how many rows. On failure the counts
        are kept for the next flush and the error is raised."""
        if not self._counts:
            return 0
        pending, self._counts = self._counts, {}
        batch = [UsageCount(*key, calls, last) for key, (calls, last) in pending.items()]
        try:
            async with self._units(write=True) as unit:
                await unit.usage.add(batch)
        except BaseException:
            for key, (calls, last) in pending.items():
                self._add(key, calls, last)
            raise
        return len(batch)


async def flush_forever(
    counter: UsageCounter,
    *,
    interval_seconds: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Every server process runs this; a failed flush keeps its counts for the next one."""
    while True:
        await sleep(interval_seconds)
        await flush_logged(counter)


async def flush_logged(counter: UsageCounter) -> None:
    try:
        await counter.flush()
    except Exception:
        log.exception("versions.usage_flush_failed")
    if counter.dropped:
        log.warning("versions.usage_dropped", calls=counter.dropped)
        counter.dropped = 0


def export(
    counts: Sequence[UsageCount],
    deprecated: Deprecated,
    *,
    now: datetime,
    days: int,
) -> dict[str, object]:
    """The document `export` prints: per operation, its distinct customers since `days` days
    before today, when each last called, and the last call (docs/versioning.md)."""
    since = now.astimezone(UTC).date() - timedelta(days=days)
    names = {
        operation_id: f"{method} {path}" for (method, path), operation_id in deprecated.items()
    }
    last_day: dict[str, dict[str, date]] = {name: {} for name in names}
    calls: dict[str, dict[str, int]] = {name: {} for name in names}
    last_call: dict[str, datetime] = {}
    for count in counts:
        if count.day < since:
            continue
        customers = last_day.setdefault(count.operation_id, {})
        customers[count.customer_id] = max(customers.get(count.customer_id, count.day), count.day)
        versions = calls.setdefault(count.operation_id, {})
        versions[count.api_version] = versions.get(count.api_version, 0) + count.calls
        seen = last_call.get(count.operation_id)
        last_call[count.operation_id] = max(seen or count.last_called_at, count.last_called_at)
    operations: dict[str, object] = {}
    for operation_id in sorted(last_day):
        by_day: dict[str, int] = {}
        for day in last_day[operation_id].values():
            by_day[day.isoformat()] = by_day.get(day.isoformat(), 0) + 1
        entry: dict[str, object] = {}
        if operation_id in names:
            entry["operation"] = names[operation_id]
        last = last_call.get(operation_id)
        entry |= {
            "customers": len(last_day[operation_id]),
            "calls": sum(calls[operation_id].values()),
            "last_called_at": None if last is None else _timestamp(last),
            "customers_by_last_day": dict(sorted(by_day.items())),
            "calls_by_version": dict(sorted(calls[operation_id].items())),
        }
        operations[operation_id] = entry
    return {
        "format": FORMAT,
        "generated_at": _timestamp(now),
        "days": days,
        "since": since.isoformat(),
        "operations": operations,
    }


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def _export(days: int, spec: Path, releases: Path) -> dict[str, object]:
    settings = settings_for_cli("python -m service.versions.usage")
    deprecated = deprecated_operations(spec, releases)
    now = datetime.now(UTC)
    database = open_database(settings)
    await database.start()
    try:
        async with database.transaction(write=False) as session:
            counts = await SqlUsageRepository(session).since(now.date() - timedelta(days=days))
    finally:
        await database.stop()
    return export(counts, deprecated, now=now, days=days)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m service.versions.usage",
        description="Print the calls of deprecated operations as the breaking gate reads them "
        "(make breaking USAGE=usage.json).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("export", help="JSON on stdout, see docs/versioning.md")
    command.add_argument("--days", type=int, default=30, help="how far back (default 30)")
    command.add_argument("--spec", type=Path, default=SPEC_DIR / "openapi.yaml")
    command.add_argument("--releases", type=Path, default=SPEC_DIR / "releases")
    args = parser.parse_args(argv)
    if not 1 <= args.days <= 3660:
        parser.error(f"--days {args.days}: expected a number of days from 1 to 3660")
    for path in (args.spec,):
        if not path.is_file():
            parser.error(f"--spec {path}: no such file")
    try:
        document = asyncio.run(_export(args.days, args.spec, args.releases))
    except (HarborError, OSError, yaml.YAMLError) as error:
        sys.stderr.write(f"python -m service.versions.usage: {error}\n")
        return 2
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
