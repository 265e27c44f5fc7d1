"""N uvicorn workers on one port, each with its own listening socket (SO_REUSEPORT).

`uvicorn --workers N` shares one listening socket between its workers: when wrk opens its 32
connections at once, whichever worker wakes first may accept most of them, and a 2-worker run
measures that race (rounds of one server spread 3,752-5,691 req/s). With one socket per worker
the kernel spreads connections over the workers by a hash of their addresses, the same for
every server under test.

python -m bench.httpbench.reuseport FACTORY --port P --workers N   (uvloop, httptools, no access log)
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import time
from types import FrameType


def _child(factory: str, port: int) -> None:
    import uvicorn

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    # Bound, not listening: uvicorn listens once the app is loaded, so a connection never
    # waits in the queue of a worker that is still importing.
    listener.bind(("127.0.0.1", port))
    config = uvicorn.Config(
        factory, factory=True, loop="uvloop", http="httptools", access_log=False,
        log_level="warning", server_header=False, backlog=2048,
    )  # fmt: skip
    uvicorn.Server(config).run(sockets=[listener])


def _supervise(factory: str, port: int, workers: int) -> int:
    command = [sys.executable, "-m", "bench.httpbench.reuseport", factory, "--port", str(port)]
    children = [subprocess.Popen([*command, "--child"]) for _ in range(workers)]
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping and all(child.poll() is None for child in children):
        time.sleep(0.1)
    asked = stopping
    stop(signal.SIGTERM, None)  # or one worker died: take the others down too
    codes = [child.wait() for child in children]
    return 0 if asked and not any(codes) else max(1, *codes)


def listeners(port: int) -> int:
    """How many sockets listen on 127.0.0.1:`port` (each worker's, once it serves)."""
    local = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        return sum(1 for line in table if (f := line.split())[1:2] == [local] and f[3] == "0A")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("factory")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.factory, args.port)
        return 0
    return _supervise(args.factory, args.port, args.workers)


if __name__ == "__main__":
    sys.exit(main())
