"""Deliberate regressions for the soak's own end-to-end test, never part of the service.

tests/long/test_soak_regression.py puts this directory first on the server's PYTHONPATH, so
Python imports this module at start-up in the server's processes (and nowhere else). It wraps
the app factory uvicorn loads in plain ASGI that keeps 8 MiB more for every second the process
has lived (RSS grows), makes each request wait longer as the process ages (p99 drifts), and
answers one request in 997 with a 500. The service's code is untouched: this is the only place the regressions exist.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import service.app

_factory = service.app.create_app_from_env
_kept: list[bytes] = []
_served = 0
_born = time.monotonic()


def _regressed() -> Any:
    app = _factory()

    async def regressed(scope: Any, receive: Any, send: Any) -> None:
        global _served
        if scope["type"] == "http":
            _served += 1
            age = time.monotonic() - _born
            while len(_kept) < age * 8:  # 8 MiB more every second of the process's life
                _kept.append(b"\x01" * (1 << 20))  # written, so the pages are resident
            # Doubling every 6 s of the process's life (1 ms at birth, 0.3 s after 50 s).
            await asyncio.sleep(min(1.0, 0.001 * 2 ** (age / 6)))
            if _served % 997 == 0:
                await send({"type": "http.response.start", "status": 500, "headers": []})
                await send({"type": "http.response.body", "body": b""})
                return
        await app(scope, receive, send)

    return regressed


service.app.create_app_from_env = _regressed
