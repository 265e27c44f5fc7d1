"""Command line: `harbor docs SPEC [--host 127.0.0.1] [--port 4020]`.

Serves Swagger UI and ReDoc for SPEC from assets installed with Harbor (no CDN), follows every
save of SPEC and of the files its `$ref`s pull in, and shows the problems `harbor lint` finds
in the page. A save that cannot be read shows its error and keeps the last good version.
/openapi.json is the bundled spec. Ctrl-C stops. Exit 2: no SPEC, or the port is taken.
"""

from __future__ import annotations

import argparse
import errno
import socket
import sys
from pathlib import Path

import uvicorn

from .app import build_app
from .preview import Preview
from .watch import Watcher
from .worker import LatestJobWorker

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def _port(text: str) -> int:
    port = int(text)
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"{text} is not a TCP port (1-65535)")
    return port


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port before uvicorn starts, so a taken port is our message, not
    uvicorn's log line; OSError when it cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # Restart at once after Ctrl-C (TIME_WAIT); a port another server listens on is still refused.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _cannot_listen(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        why = "the port is in use (another `harbor docs`?); stop that server or pass --port"
    else:
        why = f"{error.strerror or error}; pass another --host"
    return f"harbor docs: error: cannot listen on {host}:{port}: {why}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="harbor docs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("spec", type=Path, help="the spec file (YAML or JSON)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument("--port", type=_port, default=4020, help="port to listen on (%(default)s)")
    args = parser.parse_args(argv)
    spec: Path = args.spec
    if not spec.is_file():
        what = "is a directory, not a spec file" if spec.is_dir() else "no such file"
        print(f"{spec}: error: {what}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        sock = listen(args.host, args.port)
    except OSError as error:
        print(_cannot_listen(args.host, args.port, error), file=sys.stderr)
        return EXIT_BAD_INPUT
    preview = Preview(spec, run=LatestJobWorker())
    # The watcher first: it takes the files' state before the read, so a save made meanwhile
    # is not missed (at worst the files are read once more, to no change).
    watcher = Watcher(preview, report=lambda line: print(line, flush=True))
    preview.reload()
    url = f"http://{args.host}:{args.port}"
    print(f"docs of {spec} on {url} (Swagger UI {url}/swagger, ReDoc {url}/redoc); Ctrl-C stops")
    print(preview.summary(), flush=True)
    config = uvicorn.Config(
        build_app(preview, watcher),
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=1,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it shut down on
        pass
    finally:
        sock.close()
    print("harbor docs: stopped", flush=True)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
