"""`python -m tests.fuzz` (`make fuzz`): schemathesis, every check, against the app on a free port."""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import threading
import time

import uvicorn

from service.app import create_app

TOKEN = "fuzz-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    port = free_port()
    config = uvicorn.Config(create_app(frozenset({TOKEN})), port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", "schemathesis.toml",
        "run", "spec/openapi.yaml",
        "--url", f"http://127.0.0.1:{port}",
        "--header", f"Authorization: Bearer {TOKEN}",
        "--checks", "all",
        "--max-examples", str(args.max_examples),
        "--seed", str(args.seed),
        "--no-color",
    ]  # fmt: skip
    try:
        return subprocess.run(command, check=False).returncode
    finally:
        server.should_exit = True
        thread.join()


if __name__ == "__main__":
    sys.exit(main())
