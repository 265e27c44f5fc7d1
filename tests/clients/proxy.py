"""A TCP proxy on 127.0.0.1 that drops the first connection after the server has answered.

The request reaches the server (which acts on it), the answer never reaches the client: what a
client sees when a connection breaks at the worst moment.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class DroppingProxy:
    target: tuple[str, int]
    drops: int = 1
    dropped: list[bytes] = field(default_factory=list)  # the answers the client never saw
    connections: int = 0

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # accept() does not wake up when another thread closes it
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def serve(self) -> None:
        while not self._stopped.is_set():
            try:
                downstream, _ = self._listener.accept()
            except TimeoutError:
                continue
            downstream.settimeout(None)
            threading.Thread(target=self._relay, args=(downstream,), daemon=True).start()
        self._listener.close()

    def _relay(self, downstream: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            drop = self.drops > 0
            self.drops -= drop
        upstream = socket.create_connection(self.target)
        threading.Thread(target=_pipe, args=(downstream, upstream), daemon=True).start()
        if drop:
            self.dropped.append(_answer(upstream))  # the server has acted: it is answering
            for sock in (downstream, upstream):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            return
        _pipe(upstream, downstream)

    def close(self) -> None:
        self._stopped.set()


def _answer(upstream: socket.socket) -> bytes:
    """One whole HTTP answer with a Content-Length, as the server sent it."""
    data = b""
    while b"\r\n\r\n" not in data or len(data) < _length(data):
        chunk = upstream.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _length(data: bytes) -> int:
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    return len(data)


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


@contextlib.contextmanager
def dropping_proxy(target_url: str, drops: int = 1) -> Iterator[DroppingProxy]:
    host, port = target_url.removeprefix("http://").split(":")
    proxy = DroppingProxy((host, int(port)), drops)
    thread = threading.Thread(target=proxy.serve, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.close()
        thread.join(timeout=5)
