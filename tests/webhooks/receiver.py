"""A webhook receiver on 127.0.0.1 (uvicorn, in the caller's event loop) that records every request.

What it answers is chosen by the URL's last path segment, so one receiver serves many tests:

    ok          204
    fail        500, always
    fail-N      500 for the first N requests of each webhook-id, then 204
    slow-MS     204 after MS milliseconds
    jitter-MS   204 after a random 0..MS milliseconds
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def webhook_id(self) -> str:
        return self.headers.get("webhook-id", "")


@dataclass
class Receiver:
    base_url: str = ""
    requests: list[Received] = field(default_factory=list)
    _seen: Counter[tuple[str, str]] = field(default_factory=Counter)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def at(self, path: str) -> list[Received]:
        """Every request to `path`, in arrival order."""
        return [r for r in self.requests if r.path == "/" + path.lstrip("/")]

    def by_webhook_id(self, path: str | None = None) -> dict[str, list[Received]]:
        grouped: dict[str, list[Received]] = defaultdict(list)
        for request in self.requests if path is None else self.at(path):
            grouped[request.webhook_id].append(request)
        return dict(grouped)

    async def wait_for(self, path: str, count: int, within: float = 15.0) -> list[Received]:
        """Wait until `path` has had `count` requests; they, or AssertionError on timeout."""
        deadline = time.monotonic() + within
        while len(self.at(path)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{path}: {len(self.at(path))} of {count} requests arrived")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), min(remaining, 0.2))
        return self.at(path)

    async def _status(self, path: str, webhook_id: str) -> int:
        behaviour = path.rsplit("/", 1)[-1]
        kind, _, number = behaviour.partition("-")
        self._seen[(path, webhook_id)] += 1
        if kind == "fail":
            return 500 if not number or self._seen[(path, webhook_id)] <= int(number) else 204
        if kind == "slow":
            await asyncio.sleep(int(number) / 1000)
        elif kind == "jitter":
            await asyncio.sleep(random.uniform(0, int(number) / 1000))
        return 204

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the sender went away mid-request: nothing arrived
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        path = scope["path"]
        received = Received(path, headers, b"".join(chunks), time.monotonic())
        # Recorded on arrival: the whole body is here, whatever becomes of the answer.
        self.requests.append(received)
        self._arrived.set()
        status = await self._status(path, received.webhook_id)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@contextlib.asynccontextmanager
async def running_receiver() -> AsyncIterator[Receiver]:
    """A Receiver listening on a free port of 127.0.0.1 until the block ends."""
    receiver = Receiver()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    receiver.base_url = f"http://127.0.0.1:{port}"
    config = uvicorn.Config(
        receiver, log_level="warning", lifespan="off", access_log=False, backlog=2048
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        await task
        sock.close()
