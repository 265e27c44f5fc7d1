"""CPU per request of one app, in process: requests go straight to the ASGI app (no sockets, no
HTTP parsing), against the bench database, so the app's own cost stands out. With --profile,
cProfile's top functions too.

.venv/bin/python -m bench.httpbench.inprocess [--server harbor] [--endpoint get] [--requests 5000]
    [--batches 10]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib
import io
import os
import pstats
import random
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvloop

from bench.bench_deep_pages import CUSTOMER
from bench.httpbench.data import ORDER_BODY, Fixture, database_argument, set_up
from bench.httpbench.load import ENDPOINTS
from bench.httpbench.servers import CANDIDATES, ROOT

Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


def requests_for(
    endpoint: str, fixture: Fixture
) -> Callable[[int], tuple[str, str, list[tuple[bytes, bytes]], bytes]]:
    ids = fixture.ids_file.read_text().split()
    run = os.urandom(6).hex()

    def make(i: int) -> tuple[str, str, list[tuple[bytes, bytes]], bytes]:
        if endpoint == "get":
            auth = [(b"authorization", f"Bearer {fixture.reader_token}".encode())]
            return "GET", f"/v1/orders/{random.choice(ids)}", auth, b""
        if endpoint == "list":
            auth = [(b"authorization", f"Bearer {fixture.reader_token}".encode())]
            return "GET", f"/v1/customers/{CUSTOMER}/orders", auth, b"limit=20"
        headers = [
            (b"authorization", f"Bearer {fixture.writer_token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(ORDER_BODY)).encode()),
            (b"idempotency-key", f"inproc-{run}-{i}".encode()),
        ]
        return "POST", "/v1/orders", headers, ORDER_BODY.encode()

    return make


async def call(
    app: Asgi, method: str, path: str, headers: list[tuple[bytes, bytes]], tail: bytes
) -> int:
    body = tail if method == "POST" else b""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": tail if method == "GET" else b"", "headers": [(b"host", b"bench"), *headers],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def drive(app: Asgi, make: Any, count: int, concurrency: int) -> None:
    counter = iter(range(count))

    async def worker() -> None:
        for i in counter:
            status = await call(app, *make(i))
            if status >= 300:
                raise RuntimeError(f"status {status}")

    await asyncio.gather(*(worker() for _ in range(concurrency)))


@asynccontextmanager
async def started(factory: str) -> AsyncIterator[Asgi]:
    """The app `factory` (module:function) makes, through its lifespan's startup and, on the
    way out, its shutdown."""
    module, _, name = factory.partition(":")
    app = getattr(importlib.import_module(module), name)()
    messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await messages.put({"type": "lifespan.startup"})
    done = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"].startswith("lifespan.startup"):
            done.set()

    life = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, messages.get, send)
    )
    await done.wait()
    try:
        yield app
    finally:
        await messages.put({"type": "lifespan.shutdown"})
        await life


async def measure(
    factory: str,
    endpoint: str,
    fixture: Fixture,
    count: int,
    concurrency: int,
    profile: bool,
    batches: int = 1,
) -> None:
    async with started(factory) as app:
        make = requests_for(endpoint, fixture)
        await drive(app, make, min(count, 500), concurrency)  # warm up
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        # CPU per request of each batch; on a shared machine the least is the steadiest figure.
        costs = []
        for _ in range(batches):
            cpu, wall = time.process_time(), time.perf_counter()
            await drive(app, make, count, concurrency)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            costs.append((cpu / count * 1e6, count / wall))
        if profiler:
            profiler.disable()
        costs.sort()
        least, median = costs[0], costs[len(costs) // 2]
        spread = f" (least of {batches} batches; median {median[0]:.0f} µs)" if batches > 1 else ""
        print(
            f"{factory} {endpoint}: {least[0]:.0f} µs CPU per request, {least[1]:,.0f} req/s in process{spread}"
        )
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)
            print(out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_argument(parser)
    parser.add_argument("--server", default="harbor", help="comma-separated keys or factories")
    parser.add_argument("--endpoint", default="get", help="comma-separated: get,post,list")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--batches", type=int, default=1, help="runs of --requests; the least is shown"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="harbor-inproc-") as tmp:
        fixture = asyncio.run(set_up(args.database_url, 1_000_000, Path(tmp), dict(os.environ)))
        os.environ.update(fixture.env)
        for key in args.server.split(","):
            # A server's key, or any uvicorn factory (module:function) to try a variant.
            factory = next((c.factory for c in CANDIDATES if c.key == key), key)
            for endpoint in args.endpoint.split(","):
                assert endpoint in {e.key for e in ENDPOINTS}
                uvloop.run(
                    measure(
                        factory,
                        endpoint,
                        fixture,
                        args.requests,
                        args.concurrency,
                        args.profile,
                        args.batches,
                    )
                )
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
