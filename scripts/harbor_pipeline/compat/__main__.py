"""`python -m harbor_pipeline.compat [--releases N] [--out DIR] [--uv UV]`: the SDK compatibility matrix.

Builds the Python client of every `spec/releases/*.yaml` (or the newest N) with today's generator,
each in its own venv, starts today's server once (SQLite), and runs tests/compat/scenario.py with
each client: as the server answers, and with every response fuzzed (unknown fields, unknown enum
values). Prints the matrix (also written to OUT/matrix.md); exit 1 when any cell failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from harbor_pipeline.fuzz.server import LiveServer, fresh_database, live_server, mint_token

from .build import Built, build, build_typescript, lock_constraints
from .matrix import render

RELEASES = Path("spec/releases")
SCENARIO = Path("tests/compat/scenario.py")
SERVERS: dict[str, list[str]] = {
    "server (head)": [],
    "server (head), fuzzed responses": ["--fuzz"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harbor_pipeline.compat", description=__doc__)
    parser.add_argument("--releases", type=int, help="only the newest N releases")
    parser.add_argument("--out", type=Path, default=Path("var/compat"))
    parser.add_argument("--uv", default="uv")
    parser.add_argument("--tsc", default="node_modules/.bin/tsc")
    parser.add_argument(
        "--typescript-releases", type=int, default=2, help="the newest N also in TypeScript"
    )
    args = parser.parse_args(argv)
    specs = sorted(RELEASES.glob("*.yaml"), key=lambda p: tuple(int(x) for x in p.stem.split(".")))
    specs = specs[-args.releases :] if args.releases else specs
    constraints = lock_constraints(args.out / "constraints.txt", args.uv)
    try:
        # Two at a time: generation and installs are mostly waiting on processes and the disk.
        with ThreadPoolExecutor(max_workers=2) as pool:
            clients = list(
                pool.map(lambda s: build(s, args.out / s.stem, constraints, args.uv), specs)
            )
            ts_specs = specs[-args.typescript_releases :] if args.typescript_releases else []
            scripts = list(
                pool.map(lambda s: build_typescript(s, args.out / s.stem, args.tsc), ts_specs)
            )
    except RuntimeError as error:
        print(f"make compat: {error}", file=sys.stderr)
        return 1
    cells: dict[tuple[str, str], str | None] = {}
    with fresh_database(None) as url, live_server(url) as server:
        for client in clients:
            typescript = {s.stem: script for s, script in zip(ts_specs, scripts, strict=True)}
            for column, flags in SERVERS.items():
                cells[(f"{client.version} Python", column)] = _scenario(client, server, flags)
                if client.version in typescript:
                    cells[(f"{client.version} TypeScript", column)] = _typescript(
                        client, typescript[client.version], server, flags
                    )
    table = render(list(SERVERS), cells)
    (args.out / "matrix.md").write_text(table, encoding="utf-8")
    print(table, end="")
    return 1 if any(failure is not None for failure in cells.values()) else 0


def _scenario(client: Built, server: LiveServer, flags: list[str]) -> str | None:
    """None when the Python scenario passed, else its first line of failure."""
    customer = f"cus_compat_{uuid.uuid4().hex[:10]}"
    token = mint_token(server, customer)
    command = [str(client.python), str(SCENARIO), client.package, server.url, token, customer]
    return _outcome(subprocess.run([*command, *flags], capture_output=True, text=True, check=False))


def _typescript(client: Built, script: Path, server: LiveServer, flags: list[str]) -> str | None:
    """None when the TypeScript scenario passed, else its first line of failure."""
    described = subprocess.run(
        [str(client.python), str(SCENARIO), "--describe", client.package],
        capture_output=True,
        text=True,
        check=False,
    )
    if described.returncode:
        return _outcome(described)
    customer = f"cus_compat_{uuid.uuid4().hex[:10]}"
    token = mint_token(server, customer)
    command = ["node", str(script), server.url, token, customer, described.stdout.strip()]
    return _outcome(subprocess.run([*command, *flags], capture_output=True, text=True, check=False))


def _outcome(completed: subprocess.CompletedProcess[str]) -> str | None:
    """None for a run that passed, else its last line of output (the scenario's one line)."""
    if completed.returncode == 0:
        return None
    lines = (completed.stderr.strip() or completed.stdout.strip() or "no output").splitlines()
    return f"{lines[-1]} (exit {completed.returncode})"


if __name__ == "__main__":
    sys.exit(main())
