"""What each of Harbor's own ASGI layers costs per request alone, around a trivial app that
answers 200 (least of 5 runs of 20,000 calls): the guarantees the floor lacks, measured.

var/bench/venv/bin/python -m bench.httpbench.layers
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from service.app import create_app
from tests.fixtures.service import make_settings

MEASURED = ("ServerErrorMiddleware", "RequestContextMiddleware", "BodyLimitMiddleware", "VersionMiddleware")  # fmt: skip


async def _inner(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def _send(_: Any) -> None:
    return None


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def _scope() -> dict[str, Any]:
    return {
        "type": "http", "method": "GET", "path": "/v1/orders/x", "raw_path": b"/v1/orders/x",
        "root_path": "", "query_string": b"", "client": ("127.0.0.1", 1),
        "headers": [(b"host", b"bench"), (b"authorization", b"Bearer x.y.z")],
        "server": ("127.0.0.1", 80), "state": {},
    }  # fmt: skip


async def _cost(app: Any, calls: int = 20_000) -> float:
    best = float("inf")
    for _ in range(5):
        began = time.process_time()
        for _ in range(calls):
            await app(_scope(), _receive, _send)
        best = min(best, (time.process_time() - began) / calls * 1e6)
    return best


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(
            f"sqlite+aiosqlite:///{Path(tmp) / 'layers.db'}",
            request_timeout_seconds=30,
            access_log=False,
        )
        app = create_app(settings)
        layers: dict[str, Any] = {}
        node: Any = app.build_middleware_stack()
        while node is not app.router:
            layers[type(node).__name__] = node
            node = node.app
        bare = await _cost(_inner)
        print(f"the trivial app alone: {bare:.2f} µs per request")
        for name in MEASURED:
            layer = layers[name]
            inner, layer.app = layer.app, _inner
            print(f"{name}: +{await _cost(layer) - bare:.2f} µs")
            layer.app = inner


if __name__ == "__main__":
    asyncio.run(main())
