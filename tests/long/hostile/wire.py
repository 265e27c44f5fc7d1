"""A raw HTTP/1.1 client over a socket: sends exactly the bytes a case holds (invalid UTF-8,
bare CR/LF, lying Content-Length, oversized headers: everything httpx refuses to send) and reads
one response without interpreting more of it than the checker needs."""

from __future__ import annotations

import contextlib
import socket
import time
from dataclasses import dataclass, field

MAX_RESPONSE_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Request:
    method: bytes
    target: bytes  # the raw request target: path and query, percent-encoded or not
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes = b""
    # None: a correct Content-Length is added when there is a body; otherwise sent as given.
    content_length: bytes | None = None
    raw: bytes | None = None  # the whole request as is, for framing attacks

    def encode(self, host: bytes) -> bytes:
        if self.raw is not None:
            return self.raw
        lines = [self.method + b" " + self.target + b" HTTP/1.1", b"Host: " + host]
        lines += [name + b": " + value for name, value in self.headers]
        names = {name.lower() for name, _ in self.headers}
        if self.content_length is not None:
            lines.append(b"Content-Length: " + self.content_length)
        elif b"transfer-encoding" not in names and (self.body or self.method == b"POST"):
            lines.append(b"Content-Length: " + str(len(self.body)).encode())
        lines.append(b"Connection: close")
        return b"\r\n".join(lines) + b"\r\n\r\n" + self.body

    def text(self) -> str:
        """The request as text, for matching what a response reflects back."""
        return self.encode(b"127.0.0.1").decode("latin-1")


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    reason: bytes
    header_lines: tuple[bytes, ...]  # raw, as received, without the line ending
    body: bytes
    raw_head: bytes
    elapsed: float
    headers: dict[str, list[str]] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None


class NoResponse(Exception):
    """The server closed the connection or timed out without a complete response."""

    def __init__(self, message: str, *, closed: bool = False) -> None:
        super().__init__(message)
        self.closed = closed  # closed promptly (not a timeout) before any byte of a response


def _parse_head(head: bytes) -> tuple[int, bytes, tuple[bytes, ...], dict[str, list[str]]]:
    # Split on LF only: a CR left at a line's end is stripped, one elsewhere is kept, so a header
    # split by an injected bare LF shows up as an extra line and an injected CR stays visible.
    lines = [line.removesuffix(b"\r") for line in head.split(b"\n")]
    status_line, header_lines = lines[0], tuple(lines[1:])
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise NoResponse(f"not an HTTP/1.x status line: {status_line[:200]!r}")
    headers: dict[str, list[str]] = {}
    for line in header_lines:
        name, _, value = line.partition(b":")
        headers.setdefault(name.decode("latin-1").strip().lower(), []).append(
            value.decode("latin-1").strip()
        )
    reason = parts[2] if len(parts) > 2 else b""
    return int(parts[1]), reason, header_lines, headers


def _dechunk(data: bytes) -> bytes | None:
    """The body of a complete chunked message, or None while incomplete."""
    body, rest = b"", data
    while True:
        line, sep, rest = rest.partition(b"\r\n")
        if not sep:
            return None
        size = int(line.split(b";", 1)[0] or b"0", 16)
        if size == 0:
            return body
        if len(rest) < size + 2:
            return None
        body, rest = body + rest[:size], rest[size + 2 :]


def send(
    host: str, port: int, request: Request, *, timeout: float = 10.0, half_close: bool = False
) -> Response:
    """Send `request` on a new connection and read one response (Connection: close)."""
    began = time.monotonic()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        # The server may answer early (413) and close: then read what it sent.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(request.encode(f"{host}:{port}".encode()))
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        deadline = began + timeout
        while True:
            head, sep, rest = data.partition(b"\r\n\r\n")
            if sep:
                status, reason, lines, headers = _parse_head(head)
                body = _body(headers, rest, status, request.method)
                if body is not None:
                    return Response(
                        status, reason, lines, body, head, time.monotonic() - began, headers
                    )
            if len(data) > MAX_RESPONSE_BYTES:
                raise NoResponse("response larger than 4 MiB")
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except TimeoutError as exc:
                raise NoResponse(
                    f"no complete response within {timeout} s: {data[:300]!r}"
                ) from exc
            except ConnectionResetError as exc:
                raise NoResponse(f"connection reset after {data[:300]!r}", closed=not data) from exc
            if not chunk:
                head, sep, rest = data.partition(b"\r\n\r\n")
                if sep:
                    status, reason, lines, headers = _parse_head(head)
                    if "content-length" not in headers and "transfer-encoding" not in headers:
                        return Response(
                            status, reason, lines, rest, head, time.monotonic() - began, headers
                        )
                raise NoResponse(f"connection closed after {data[:300]!r}", closed=not data)
            data += chunk


def _body(headers: dict[str, list[str]], rest: bytes, status: int, method: bytes) -> bytes | None:
    if method == b"HEAD" or status in (204, 304) or 100 <= status < 200:
        return b""
    if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
        return _dechunk(rest)
    lengths = headers.get("content-length")
    if lengths is not None:
        size = int(lengths[0])
        return rest[:size] if len(rest) >= size else None
    return None  # read until close
