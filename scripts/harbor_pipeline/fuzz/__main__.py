"""Command line: `harbor fuzz [--url URL --header H ...] [--max-examples N] [--seed S] ...`.

With --url, fuzzes the server already running there against --spec (any API: send its
credentials with --header), with every schemathesis check and ./schemathesis.toml when present.
Without it (this repository's `make fuzz`), starts the real server on a free port with a fresh database (SQLite, or a new PostgreSQL
database when TEST_DATABASE_URL is set) and throwaway signing keys, mints a token, runs
schemathesis with every check and schemathesis.toml against the hand-written spec, stops the
server, prints a summary and exits with schemathesis's status.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harbor_pipeline.breaking.load import load_spec
from harbor_pipeline.breaking.nodes import SpecError

from .server import DEFAULT_APP, fresh_database, live_server, mint_token, throwaway_keys
from .summary import read_counts, render_summary

CUSTOMER = "cus_fuzz"
CONFIG = Path("schemathesis.toml")
SPEC = Path("spec/openapi.yaml")
RELEASES = Path("spec/releases")


def spec_version(spec: Path) -> str:
    """The spec's info.version: the version its requests are answered in."""
    try:
        return load_spec(str(spec), check=False).version
    except SpecError:
        return ""  # schemathesis then reports the spec itself; pins are left as generated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="harbor fuzz",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--spec",
        type=Path,
        help="the contract to fuzz (default: spec/openapi.yaml, or the release)",
    )
    parser.add_argument(
        "--api-version",
        metavar="X.Y.Z",
        help="fuzz this served version: spec/releases/X.Y.Z.yaml, every request sent with "
        "Harbor-Version: X.Y.Z (docs/versioning.md)",
    )
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
    parser.add_argument(
        "--app", default=DEFAULT_APP, help="the uvicorn app factory to serve (harness tests)"
    )
    parser.add_argument(
        "--operation",
        action="append",
        default=[],
        metavar="OPERATION_ID",
        help="fuzz only this operation (repeatable; default: every operation)",
    )
    parser.add_argument(
        "--counts", type=Path, help="also keep the per-phase, per-operation status counts (JSON)"
    )
    parser.add_argument(
        "--url",
        help="fuzz the server already running at this base URL instead of starting Harbor's",
    )
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="send this header with every request (with --url; repeatable)",
    )
    args = parser.parse_args(argv)
    if args.url is not None:
        return _fuzz_running(args)
    if args.header:
        parser.error("--header goes with --url (the started server's token is minted for you)")
    if args.spec is None:
        args.spec = RELEASES / f"{args.api_version}.yaml" if args.api_version else SPEC
    for path in (args.spec, CONFIG):
        if not path.is_file():
            print(f"{path}: error: file not found (run from the repository root)", file=sys.stderr)
            return 2
    database = "PostgreSQL" if args.postgres else "SQLite"
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="harbor-fuzz-") as tmp,
        fresh_database(args.postgres) as database_url,
        live_server(database_url, app=args.app, extra_env=throwaway_keys()) as server,
    ):
        token = mint_token(server, CUSTOMER)
        counts = Path(tmp) / "counts.json"
        headers = [f"Authorization: Bearer {token}"]
        if args.api_version:
            headers.append(f"Harbor-Version: {args.api_version}")
        command = _schemathesis(args.spec, server.url, headers, args)
        print(
            f"fuzz: {args.spec}{f' as Harbor-Version {args.api_version}' if args.api_version else ''}, "
            f"{database}, {args.max_examples} examples per operation, seed {args.seed}, "
            f"server {server.url}",
            flush=True,
        )
        env = {
            **os.environ,
            "HARBOR_FUZZ_CUSTOMER": CUSTOMER,
            "HARBOR_FUZZ_COUNTS": str(counts),
            "HARBOR_FUZZ_API_VERSION": spec_version(args.spec),
        }
        status = subprocess.run(command, env=env, check=False).returncode
        rows = read_counts(counts)
        if args.counts is not None and counts.is_file():
            args.counts.write_bytes(counts.read_bytes())
    elapsed = time.monotonic() - started
    print(render_summary(rows, database=database, status=status, seconds=elapsed), flush=True)
    return status


def _fuzz_running(args: argparse.Namespace) -> int:
    """schemathesis against a server someone else started: the adopter's `harbor fuzz --url`."""
    spec = args.spec or SPEC
    if not spec.is_file():
        print(f"{spec}: error: file not found (pass the contract with --spec)", file=sys.stderr)
        return 2
    bad = [header for header in args.header if ":" not in header]
    if bad:
        print(f"error: --header {bad[0]!r} is not 'NAME: VALUE'", file=sys.stderr)
        return 2
    command = _schemathesis(spec, args.url, args.header, args)
    print(f"fuzz: {spec} against {args.url}, {args.max_examples} examples per operation, "
          f"seed {args.seed}", flush=True)  # fmt: skip
    return subprocess.run(command, check=False).returncode


def _schemathesis(spec: Path, url: str, headers: list[str], args: argparse.Namespace) -> list[str]:
    """The schemathesis run both modes make: every check, ./schemathesis.toml when present."""
    return [
        sys.executable, "-m", "schemathesis.cli",
        *(["--config-file", str(CONFIG)] if CONFIG.is_file() else []),
        "run", str(spec), "--url", url,
        *(part for header in headers for part in ("--header", header)),
        "--checks", "all",
        "--max-examples", str(args.max_examples),
        "--seed", str(args.seed),
        "--phases", args.phases,
        "--no-color",
        *(f"--include-operation-id={operation}" for operation in args.operation),
    ]  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
