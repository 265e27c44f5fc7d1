"""Database faults: PostgreSQL stopped and started twice under load, on a cluster of our own.

The real service (`python -m service`, 2 workers) runs on a throwaway cluster
(tests/long/pgcluster.py); an asyncio client drives creates (with replays of the same key),
gets, lists and /ready probes while the cluster is stopped once with `fast` shutdown (sessions
are terminated mid-query) and once with `immediate` (a crash: connections just die, crash
recovery at the next start), each time staying down for a few seconds.

It holds when: while down every request (and /ready) is answered 503 problem+json with
Retry-After, quickly; no request anywhere gets a 500 or no answer; within 5 seconds of the
cluster's return every request succeeds; afterwards every 201-acknowledged order is stored
under its key and no key made two orders.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from dataclasses import asdict, dataclass

import asyncpg
import httpx
import pytest

from tests.fixtures.databases import migrated
from tests.fixtures.server import running_server
from tests.fixtures.service import make_settings, token
from tests.long import faults
from tests.long.faultload import Load, timed
from tests.long.faults import Window
from tests.long.pgcluster import available, pg_cluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(available() is not None, reason=str(available())),
]

CUSTOMER = "cus_dbfaults"
CONCURRENCY = 8
DOWN_SECONDS = 4.0
UP_SECONDS = 8.0
# The service's bound on waiting for a connection; a request while down must not wait longer
# than this plus a margin for the machine (and far less than the client's timeout).
CONNECT_TIMEOUT = 2.0
DOWN_LATENCY_LIMIT = CONNECT_TIMEOUT + 1.0
CLIENT_TIMEOUT = 15.0
RECOVERY_LIMIT = 5.0


@dataclass(frozen=True)
class Restart:
    mode: str
    stopping: tuple[float, float]  # pg_ctl stop ran from .. to
    starting: tuple[float, float]  # pg_ctl start ran from .. to (back at the end)

    @property
    def down(self) -> Window:
        """Certainly down: from the end of the stop to the beginning of the start."""
        return Window(self.stopping[1], self.starting[0])

    @property
    def back(self) -> float:
        return self.starting[1]


async def test_requests_get_503_while_postgres_is_down_and_nothing_is_lost(tmp_path):
    with pg_cluster() as cluster:
        await migrated(cluster.url)
        # Fault 0: the service starts while PostgreSQL is down (its pool cannot be created).
        cluster.stop()
        server_settings = {
            "rate_limit_per_second": "0",
            "db_connect_timeout_seconds": str(CONNECT_TIMEOUT),
            "db_statement_timeout_seconds": "5",
            "access_log": "false",
        }
        async with running_server(
            cluster.url, tmp_path, workers=2, wait_ready=False, **server_settings
        ) as server:
            bearer = token(make_settings(cluster.url), CUSTOMER)
            limits = httpx.Limits(max_connections=CONCURRENCY + 2)
            async with httpx.AsyncClient(
                base_url=server.base_url, timeout=CLIENT_TIMEOUT, limits=limits
            ) as client:
                load = Load(client, CUSTOMER, bearer)
                stop = asyncio.Event()
                began = time.monotonic()
                runner = asyncio.create_task(load.run(stop, concurrency=CONCURRENCY))
                await asyncio.sleep(DOWN_SECONDS)
                restarts = [Restart("cold start", (began, began), await timed(cluster.start))]
                await asyncio.sleep(UP_SECONDS)
                # Faults 1 and 2: sessions terminated mid-query, then a crash.
                for mode in ("fast", "immediate"):
                    stopping = await timed(functools.partial(cluster.stop, mode))
                    await asyncio.sleep(DOWN_SECONDS)
                    starting = await timed(cluster.start)
                    restarts.append(Restart(mode, stopping, starting))
                    await asyncio.sleep(UP_SECONDS)
                stop.set()
                await runner
                ended = time.monotonic()
                await load.settle()

        conn = await asyncpg.connect(cluster.url)
        try:
            rows = await conn.fetch(
                "SELECT id::text AS id, description FROM orders WHERE customer_id = $1", CUSTOMER
            )
            events = await conn.fetch(
                "SELECT aggregate_id::text AS id, event_type FROM outbox_events"
            )
        finally:
            await conn.close()

    outcomes = load.outcomes
    # Every request with its timing, for whoever has to explain a failure.
    record = {"outcomes": [asdict(o) for o in outcomes], "restarts": [asdict(r) for r in restarts]}
    (tmp_path / "outcomes.json").write_text(json.dumps(record))
    stored = [(r["id"], r["description"]) for r in rows]
    acked = faults.acknowledged(outcomes)
    violations: list[str] = []
    violations += faults.check_no_server_errors(outcomes)
    recoveries: list[float | None] = []
    for number, restart in enumerate(restarts):
        label = f"fault {number} ({restart.mode})"
        down = faults.in_window(outcomes, restart.down)
        violations += [
            f"{label}: {v}" for v in faults.check_unavailable_answers(outcomes, restart.down)
        ]
        if not [o for o in down if o.op == "ready"]:
            violations.append(f"{label}: /ready was not probed while down")
        violations += [
            f"{label}: {v}" for v in faults.check_latency_bounded(down, DOWN_LATENCY_LIMIT)
        ]
        following = restarts[number + 1].stopping[0] if number + 1 < len(restarts) else ended
        seconds = faults.recovery_seconds(outcomes, restart.back, following)
        recoveries.append(seconds)
        violations += faults.check_recovered_within(seconds, RECOVERY_LIMIT, label=label)
    violations += faults.check_replays_agree(outcomes)
    violations += faults.check_acknowledged_stored(acked, stored)
    violations += faults.check_one_order_per_key(stored)
    violations += faults.check_outbox_consistent(
        [i for i, _ in stored], [(e["id"], e["event_type"]) for e in events]
    )
    violations += [f"key {k} never got an answer" for k in sorted(load.unanswered)]

    _report(outcomes, restarts, recoveries, began, ended, acked, stored)
    assert not violations, "\n".join(violations[:40])


def _report(outcomes, restarts, recoveries, began, ended, acked, stored) -> None:
    print(
        f"\n== database faults: {len(outcomes)} requests in {ended - began:.1f}s "
        f"({CONCURRENCY} clients + a /ready probe every 100 ms; 2 workers; own PostgreSQL)"
    )
    edges: list[float] = []
    names: list[str] = []
    for number, restart in enumerate(restarts):
        if restart.stopping[1] > restart.stopping[0]:
            edges += [restart.stopping[0], restart.stopping[1]]
            names += [f"stopping {number}", f"down {number}"]
        else:
            edges.append(restart.stopping[0])
            names.append(f"down {number}")
        edges += [restart.starting[0], restart.back]
        names += [f"starting {number}", f"back {number}"]
    edges.append(float("inf"))
    print("   statuses by phase (by the time each request was sent):")
    for name, start, end in zip(names, edges, edges[1:], strict=False):
        phase = faults.in_window(outcomes, Window(start, end))
        print(f"   {name:<12} {len(phase):>6} requests  {faults.status_counts(phase)}")
    for number, (restart, seconds) in enumerate(zip(restarts, recoveries, strict=True)):
        down = faults.in_window(outcomes, restart.down)
        shown = "never" if seconds is None else f"{seconds:.2f}s"
        print(
            f"   fault {number} ({restart.mode}): down {restart.down.end - restart.down.start:.1f}s,"
            f" max latency while down {faults.max_latency(down):.3f}s over {len(down)} requests,"
            f" recovered {shown} after PostgreSQL was back"
        )
        if seconds is None or seconds > 1:  # what kept it failing, for whoever reads a failure
            window = Window(restart.back, restart.back + 30)
            late = [o for o in faults.in_window(outcomes, window) if not o.ok]
            for o in late[-5:]:
                print(f"      late failure: {o.describe()} +{o.started - restart.back:.2f}s")
    keys = {o.key for o in outcomes if o.key is not None}
    print(
        f"   orders checked: {len(acked)} acknowledged with 201, {len(stored)} stored, "
        f"{len(keys)} idempotency keys used"
    )
