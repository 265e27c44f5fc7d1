"""The webhook delivery worker beside a live server, and a receiver on 127.0.0.1, for the smoke
scenarios: a delivery the service signs reaches the receiver, which keeps it to unwrap."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from harbor_pipeline.fuzz.server import LiveServer
from harbor_pipeline.fuzz.server import _stop as stop  # SIGTERM, then SIGKILL after a grace


@contextlib.contextmanager
def webhook_worker(server: LiveServer) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m service.webhooks` on the server's database, polling often; SIGTERM at the end."""
    env = {**server.environment, "HARBOR_WEBHOOKS_POLL_INTERVAL_SECONDS": "0.05"}
    process = subprocess.Popen(
        [sys.executable, "-m", "service.webhooks"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        stop(process)


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: Mapping[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records every POST and answers 204; `wait(path, count)` blocks until that many arrived."""

    url: str = ""
    deliveries: list[Delivery] = field(default_factory=list)
    _arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait(self, path: str, count: int = 1, within: float = 30.0) -> list[Delivery]:
        deadline = time.monotonic() + within
        with self._arrived:
            while len(found := [d for d in self.deliveries if d.path == path]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{len(found)} of {count} deliveries to {path} in {within}s"
                    )
                self._arrived.wait(left)
        return found

    def record(self, delivery: Delivery) -> None:
        with self._arrived:
            self.deliveries.append(delivery)
            self._arrived.notify_all()


@contextlib.contextmanager
def receiver() -> Iterator[Receiver]:
    """A receiver on a free port of 127.0.0.1, served by a thread for the block."""
    found = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {key.lower(): value for key, value in self.headers.items()}
            found.record(Delivery(self.path, headers, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: pytest shows stderr of failing tests

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
