"""Compare the in-process CPU per request of two checkouts (e.g. `git worktree add /tmp/base
HEAD` against the working tree), in interleaved batches.

On a shared machine, CPU speed drifts by tens of percent over minutes, more than most single
changes are worth; two runs made one after the other compare the drift as much as the code.
Here both apps are loaded, in one process per checkout, and take turns: batch A, batch B, A,
B ... Each pair runs under nearly the same conditions; the median of the pairs' ratios is the
figure.

.venv/bin/python -m bench.httpbench.compare --base /tmp/base [--endpoint list] [--pairs 20]
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

from bench.httpbench.data import database_argument, set_up
from bench.httpbench.servers import CANDIDATES, ROOT

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_argument(parser)
    parser.add_argument("--base", type=Path, required=True, help="the checkout to compare with")
    parser.add_argument("--server", default="harbor")
    parser.add_argument("--endpoint", default="list", help="get, list or post")
    parser.add_argument("--requests", type=int, default=1000, help="per batch")
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=10)
    args = parser.parse_args()
    factory = next((c.factory for c in CANDIDATES if c.key == args.server), args.server)
    with tempfile.TemporaryDirectory(prefix="harbor-compare-") as tmp:
        fixture = asyncio.run(set_up(args.database_url, 1_000_000, Path(tmp), dict(os.environ)))
        payload = pickle.dumps((fixture, factory, args.endpoint, args.requests, args.concurrency))
        env = {**os.environ, "PYTHONPATH": ""}
        base, this = Checkout(args.base.resolve(), payload, env), Checkout(ROOT, payload, env)
        try:
            ratios, costs = [], {"base": [], "this": []}
            for pair in range(args.pairs):
                # Who goes first alternates, so neither always runs in the other's wake.
                order = [("base", base), ("this", this)][:: 1 if pair % 2 == 0 else -1]
                spent = {name: checkout.batch() / args.requests * 1e6 for name, checkout in order}
                for name, value in spent.items():
                    costs[name].append(value)
                ratios.append(spent["this"] / spent["base"])
        finally:
            base.close()
            this.close()
    median = statistics.median(ratios)
    quartiles = statistics.quantiles(ratios, n=4)
    print(
        f"{args.server} {args.endpoint}: this / base = {median:.3f} (quartiles {quartiles[0]:.3f}"
        f"-{quartiles[2]:.3f}, {args.pairs} pairs of {args.requests} requests); µs CPU per "
        f"request, medians: base {statistics.median(costs['base']):.0f}, this "
        f"{statistics.median(costs['this']):.0f}"
    )
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
