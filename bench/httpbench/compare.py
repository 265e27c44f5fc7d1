"""Compare the in-process CPU per request of two checkouts (e.g. `git worktree add /tmp/base
HEAD` against the working tree), in interleaved batches.

On a shared machine, CPU speed drifts by tens of percent over minutes, more than most single
changes are worth; two runs made one after the other compare the drift as much as the code.
Here both apps are loaded, in one process per checkout, and take turns: batch A, batch B, A,
B ... Each pair runs under nearly the same conditions; the figure is base's median CPU per request
over this one's (above 1: this one is cheaper), with a bootstrap interval over the pairs.
`--against floor` compares two servers of one checkout instead (Harbor against the floor).

.venv/bin/python -m bench.httpbench.compare --base /tmp/base [--endpoint list] [--pairs 20]
.venv/bin/python -m bench.httpbench.compare --against floor --endpoint get,list,post
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.httpbench.data import Fixture, database_argument, set_up
from bench.httpbench.servers import CANDIDATES, ROOT
from bench.httpbench.stats import paired_ratio

# What one checkout's process runs: its own bench package, fed the fixture on stdin, then one
# batch per line it reads, answering with the batch's CPU seconds.
_WORKER = """
import asyncio, os, pickle, sys, time
import uvloop
sys.path.insert(0, os.getcwd())
from bench.httpbench.inprocess import drive, requests_for, started
fixture, factory, endpoint, count, concurrency = pickle.loads(sys.stdin.buffer.read(int(sys.argv[1])))
os.environ.update(fixture.env)

async def main():
    async with started(factory) as app:
        make = requests_for(endpoint, fixture)
        await drive(app, make, min(count, 500), concurrency)
        print("ready", flush=True)
        for _ in sys.stdin:
            cpu = time.process_time()
            await drive(app, make, count, concurrency)
            print(time.process_time() - cpu, flush=True)

uvloop.run(main())
"""


class Checkout:
    """One checkout's worker process."""

    def __init__(self, root: Path, payload: bytes, env: dict[str, str]) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(len(payload))],
            cwd=root,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=False,
        )
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None
        assert stdout is not None
        self._stdin, self._stdout = stdin, stdout
        stdin.write(payload)
        stdin.flush()
        line = stdout.readline()
        if line.strip() != b"ready":
            self.process.kill()
            raise SystemExit(f"{root}: the app did not start ({line!r}); its errors are above")

    def batch(self) -> float:
        """One batch; the CPU seconds it took."""
        self._stdin.write(b"go\n")
        self._stdin.flush()
        return float(self._stdout.readline())

    def close(self) -> None:
        self._stdin.close()
        self.process.wait(timeout=60)


def paired_costs(
    fixture: Fixture,
    base: tuple[Path, str],
    this: tuple[Path, str],
    endpoint: str,
    *,
    requests: int,
    pairs: int,
    concurrency: int,
) -> tuple[list[float], list[float]]:
    """CPU µs per request of `base` and of `this` (each a checkout and a factory), batch by
    batch in turns; element i of both lists is pair i."""
    payloads = [
        pickle.dumps((fixture, factory, endpoint, requests, concurrency))
        for _, factory in (base, this)
    ]
    env = {**os.environ, "PYTHONPATH": ""}
    first = Checkout(base[0].resolve(), payloads[0], env)
    second = Checkout(this[0].resolve(), payloads[1], env)
    costs: dict[str, list[float]] = {"base": [], "this": []}
    try:
        for pair in range(pairs):
            # Who goes first alternates, so neither always runs in the other's wake.
            order = [("base", first), ("this", second)][:: 1 if pair % 2 == 0 else -1]
            for name, checkout in order:
                costs[name].append(checkout.batch() / requests * 1e6)
    finally:
        first.close()
        second.close()
    return costs["base"], costs["this"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_argument(parser)
    parser.add_argument("--base", type=Path, help="the checkout to compare with (default: this)")
    parser.add_argument("--server", default="harbor")
    parser.add_argument(
        "--against",
        help="the base's server (key or factory), by default --server: `--against floor` "
        "compares Harbor with the floor in this checkout",
    )
    parser.add_argument("--endpoint", default="list", help="get, list or post (comma-separated)")
    parser.add_argument("--requests", type=int, default=1000, help="per batch")
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    if args.base is None and args.against is None:
        parser.error("give --base (another checkout), --against (another server), or both")
    this = (ROOT, factory_of(args.server))
    base = (args.base or ROOT, factory_of(args.against or args.server))
    with tempfile.TemporaryDirectory(prefix="harbor-compare-") as tmp:
        fixture = asyncio.run(set_up(args.database_url, 1_000_000, Path(tmp), dict(os.environ)))
        for endpoint in args.endpoint.split(","):
            base_costs, costs = paired_costs(
                fixture, base, this, endpoint,
                requests=args.requests, pairs=args.pairs, concurrency=args.concurrency,
            )  # fmt: skip
            print(
                summary(
                    args.server, args.against or "base", endpoint, base_costs, costs, args.requests
                )
            )
    return 0


def factory_of(server: str) -> str:
    return next((c.factory for c in CANDIDATES if c.key == server), server)


def summary(
    server: str,
    base: str,
    endpoint: str,
    base_costs: list[float],
    costs: list[float],
    requests: int,
) -> str:
    """One line: base's CPU / this one's (above 1: this one is cheaper), with its interval."""
    speed = paired_ratio(base_costs, costs)
    return (
        f"{server} {endpoint}: {base} CPU / {server} CPU = {speed.text()} (95% bootstrap "
        f"interval, {len(costs)} pairs of {requests} requests); µs CPU per request, medians: "
        f"{base} {statistics.median(base_costs):.1f}, {server} {statistics.median(costs):.1f}"
    )


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
