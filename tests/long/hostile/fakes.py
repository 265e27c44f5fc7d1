"""For the harness's own tests: a world of made-up ids, and a raw HTTP server that answers
every request the way one deliberate regression would (a 500, a traceback, SQL text, another
customer's data, a request id reflected with its CR/LF)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator

from tests.long.hostile.tokens import hs_issuer
from tests.long.hostile.world import Customer, World

Answer = Callable[[bytes, World], bytes]


def fake_world(port: int = 9) -> World:
    """A world whose ids are made up: enough to build every case without a server."""

    def customer(name: str) -> Customer:
        c = Customer(f"cus_fake_{name}", f"marker-{name}-{os.urandom(4).hex()}")
        c.order_ids = [str(uuid.uuid4()) for _ in range(3)]
        c.cancelled_order_id = str(uuid.uuid4())
        c.endpoint_ids = [str(uuid.uuid4()) for _ in range(3)]
        c.endpoint_urls = [f"http://127.0.0.1:9/{c.marker}/hook{n}" for n in range(3)]
        c.spare_endpoint_ids = [str(uuid.uuid4())]
        c.deliveries = {e: [str(uuid.uuid4())] for e in c.endpoint_ids}
        for op in ("listCustomerOrders", "listWebhookEndpoints", "listWebhookDeliveries"):
            c.cursors[op] = base64.urlsafe_b64encode(os.urandom(41)).rstrip(b"=").decode()
        return c

    issuer = hs_issuer(b"s" * 32, "https://auth.harbor.example", "harbor-payments-api")
    world = World("127.0.0.1", port, issuer, customer("a"), customer("b"))
    world.tokens = {c.id: issuer.valid(c.id) for c in (world.a, world.b)}
    return world


def problem(
    status: int, extra_headers: bytes = b"", body: dict[str, object] | None = None
) -> bytes:
    document = body or {"type": "about:blank", "title": "t", "status": status, "request_id": "r1"}
    payload = json.dumps(document).encode()
    return (
        b"HTTP/1.1 %d X\r\ncontent-type: application/problem+json\r\nx-request-id: r1\r\n" % status
        + extra_headers
        + b"content-length: %d\r\nconnection: close\r\n\r\n" % len(payload)
        + payload
    )


@contextlib.contextmanager
def raw_server(answer: Answer, world: World) -> Iterator[int]:
    """A one-thread HTTP server on 127.0.0.1 that answers every request with `answer`; its port."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                data = b""
                with contextlib.suppress(OSError):
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    conn.sendall(answer(data, world))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def request_id_of(head: bytes) -> bytes:
    """The raw X-Request-ID value, up to the next CRLF: what a careless server would echo."""
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"x-request-id:"):
            return line.split(b":", 1)[1].strip()
    return b"generated"
