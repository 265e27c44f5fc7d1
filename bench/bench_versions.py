"""What serving every version costs: CPU per request in process, on the bench database.

For GET by id, the list and POST: the app without the version middleware, the newest version
without a header, the newest named by `Harbor-Version`, and 1.1.0 (converted both ways).
Batches are interleaved and the least CPU per request of each is kept (the machine drifts).
Then what those figures cannot resolve (their spread is a few per cent): the middleware alone
around an app that only authenticates and answers, per request, without and with a header, and
the conversion alone: downgrading one order and a page of 20 to 1.1.0.

.venv/bin/python -m bench.bench_versions [--requests 2000] [--batches 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

import orjson
import uvloop
from fastapi import FastAPI

from bench.httpbench.data import database_argument, set_up
from bench.httpbench.inprocess import drive, requests_for, started
from bench.httpbench.servers import ROOT
from generated.version_changes import NEWEST, bind
from service.kit.callers import authenticated
from service.versions.middleware import VersionMiddleware

VARIANTS = (
    ("no version middleware", "bench.bench_versions:unversioned_app", None),
    ("newest, no header", "service.app:create_app_from_env", None),
    (f"newest, Harbor-Version: {NEWEST}", "service.app:create_app_from_env", NEWEST.encode()),
    ("1.1.0, converted", "service.app:create_app_from_env", b"1.1.0"),
)
ORDER = {
    "id": "0193a5b2-7c4e-7d1a-9f3b-2c4d5e6f7a8b", "customer_id": "cus_bench",
    "amount_cents": 2599, "currency": "EUR", "status": "pending",
    "statement_descriptor": "Annual subscription", "metadata": {"invoice": "INV-1"},
    "payment_method": {"type": "card", "token": "tok_4242abcd"},
    "created_at": "2026-11-25T10:15:00Z", "updated_at": "2026-11-25T10:15:00Z",
}  # fmt: skip


def unversioned_app() -> FastAPI:
    """Harbor's app with the version middleware taken out: the baseline of its cost."""
    from service.app import create_app_from_env
    from service.versions.middleware import VersionMiddleware

    app = create_app_from_env()
    app.user_middleware = [m for m in app.user_middleware if m.cls is not VersionMiddleware]
    return app


def _with_version(make: Any, version: bytes | None) -> Any:
    if version is None:
        return make

    def versioned(i: int) -> Any:
        method, path, headers, tail = make(i)
        if method == "POST" and version < b"2":  # a 1.x partner names the field as 1.x does
            tail = tail.replace(b'"statement_descriptor"', b'"description"')
            length = str(len(tail)).encode()
            headers = [(k, length if k == b"content-length" else v) for k, v in headers]
        return method, path, [*headers, (b"harbor-version", version)], tail

    return versioned


async def _cost(factory: str, make: Any, count: int) -> float:
    async with started(factory) as app:
        await drive(app, make, min(count, 300), 10)  # warm up
        cpu = time.process_time()
        await drive(app, make, count, 10)
        return (time.process_time() - cpu) / count * 1e6


class _CachedPins:
    """The steady state: every customer already pinned, the pin in the process's cache."""

    def __init__(self, version: str) -> None:
        self.version = version

    def cached(self, customer_id: str) -> str | None:
        return self.version

    async def pinned(self, customer_id: str) -> str | None:
        return self.version

    async def ensure(self, customer_id: str, version: str) -> str:
        return self.version


async def _authenticating_app(scope: Any, receive: Any, send: Any) -> None:
    """What every route does around the middleware: name the caller, read the body of a
    POST, answer with JSON."""
    authenticated("cus_bench")
    if scope["method"] == "POST":
        await receive()
    await send({"type": "http.response.start", "status": 200, "headers": _ANSWER_HEADERS})
    await send({"type": "http.response.body", "body": _ANSWER, "more_body": False})


_ANSWER = orjson.dumps(ORDER)
_ANSWER_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_ANSWER)).encode()),
]


def middleware_alone(method: str, path: str, requests: int = 50_000) -> dict[str, float]:
    """µs per request through VersionMiddleware alone, and through nothing."""
    versions = bind()
    middleware = VersionMiddleware(
        _authenticating_app,
        versions=versions,
        pins=_CachedPins(versions.newest),
        identify=lambda token: None,
    )
    base = [(b"host", b"bench"), (b"authorization", b"Bearer x")]
    variants = {
        "no middleware": (_authenticating_app, base),
        "newest, no header": (middleware, base),
        f"newest, Harbor-Version: {NEWEST}": (
            middleware,
            [*base, (b"harbor-version", NEWEST.encode())],
        ),
    }

    body = orjson.dumps({"customer_id": "cus_bench", "amount_cents": 2599, "currency": "EUR"})

    async def receive() -> Any:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Any) -> None:
        return None

    async def one(app: Any, headers: list[tuple[bytes, bytes]]) -> float:
        scope = {"type": "http", "method": method, "path": path}
        for _ in range(1000):  # warm up
            await app({**scope, "headers": headers}, receive, send)
        cpu = time.process_time()
        for _ in range(requests):
            await app({**scope, "headers": headers}, receive, send)
        return (time.process_time() - cpu) / requests * 1e6

    async def interleaved() -> dict[str, float]:
        best = {name: float("inf") for name in variants}
        for _ in range(5):
            for name, (app, headers) in variants.items():
                best[name] = min(best[name], await one(app, headers))
        return best

    return uvloop.run(interleaved())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_argument(parser)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="harbor-versions-") as tmp:
        fixture = asyncio.run(set_up(args.database_url, 1_000_000, Path(tmp), dict(os.environ)))
        os.environ.update(fixture.env)
        lines = ["| endpoint | " + " | ".join(name for name, _, _ in VARIANTS) + " |"]
        lines.append("| --- |" + " --- |" * len(VARIANTS))
        for endpoint in ("get", "list", "post"):
            best = {name: float("inf") for name, _, _ in VARIANTS}
            for _ in range(args.batches):
                for name, factory, version in VARIANTS:
                    make = _with_version(requests_for(endpoint, fixture), version)
                    cost = uvloop.run(_cost(factory, make, args.requests))
                    best[name] = min(best[name], cost)
            base = best[VARIANTS[0][0]]
            cells = [
                f"{best[name]:.0f} µs ({best[name] / base - 1:+.1%})" for name, _, _ in VARIANTS
            ]
            lines.append(f"| {endpoint} | " + " | ".join(cells) + " |")
        print("CPU per request, least of each variant's batches (change against no middleware):")
        print("\n".join(lines))
    print("the version middleware alone, over an app that only authenticates and answers:")
    for method, path in (("GET", f"/v1/orders/{ORDER['id']}"), ("POST", "/v1/orders")):
        alone = middleware_alone(method, path)
        bare = alone.pop("no middleware")
        costs = ", ".join(f"{name} +{cost - bare:.2f} µs" for name, cost in alone.items())
        print(f"  {method} {path}: {costs} ({bare:.2f} µs without it)")
    versions = bind()
    page = {"data": [dict(ORDER) for _ in range(20)], "next_cursor": None}
    one = (
        timeit.timeit(
            lambda: versions.downgrade("GET /v1/orders/{order_id}", "1.1.0", 200, ORDER),
            number=20000,
        )
        / 20000
    )
    twenty = (
        timeit.timeit(
            lambda: versions.downgrade(
                "GET /v1/customers/{customer_id}/orders", "1.1.0", 200, page
            ),
            number=5000,
        )
        / 5000
    )
    print(
        f"downgrade to 1.1.0 alone: {one * 1e6:.1f} µs per order, {twenty * 1e6:.1f} µs per page of 20"
    )
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    raise SystemExit(main())
