"""Command line: `python -m scripts.fuzz [--max-examples N] [--seed S] [--phases ...]`.

Starts the real server on a free port with a fresh database (SQLite, or a new PostgreSQL
database when TEST_DATABASE_URL is set), mints a token, runs schemathesis with every check
against the hand-written spec, stops the server and exits with schemathesis's status.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from .server import fresh_database, live_server, mint_token

CUSTOMER = "cus_fuzz"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.fuzz",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--spec", type=Path, default=Path("spec/openapi.yaml"))
    parser.add_argument(
        "--max-examples", type=int, default=25, help="test cases per operation and phase"
    )
    parser.add_argument(
        "--seed", type=int, default=20261125, help="fix the random seed to reproduce a run"
    )
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_DATABASE_URL"),
        help="PostgreSQL server URL (default: $TEST_DATABASE_URL; SQLite when unset)",
    )
    args = parser.parse_args(argv)
    if not args.spec.is_file():
        print(f"{args.spec}: error: file not found", file=sys.stderr)
        return 2
    database = "PostgreSQL" if args.postgres else "SQLite"
    started = time.monotonic()
    with fresh_database(args.postgres) as database_url, live_server(database_url) as server:
        token = mint_token(server, CUSTOMER)
        command = [
            sys.executable, "-m", "schemathesis.cli", "run", str(args.spec),
            "--url", server.url,
            "--header", f"Authorization: Bearer {token}",
            "--checks", "all",
            "--max-examples", str(args.max_examples),
            "--seed", str(args.seed),
            "--phases", args.phases,
            "--no-color",
            "--generation-database", "none",
        ]  # fmt: skip
        print(
            f"fuzz: {database}, {args.max_examples} examples per operation, seed {args.seed}, server {server.url}",
            flush=True,
        )
        status = subprocess.run(command, check=False).returncode
    print(f"fuzz: {database}: schemathesis exited {status} after {time.monotonic() - started:.0f}s")
    return status


if __name__ == "__main__":
    sys.exit(main())
