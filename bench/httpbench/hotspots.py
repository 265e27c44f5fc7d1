"""Where a server's CPU goes under load: py-spy samples one uvicorn worker while wrk drives one
endpoint; prints the functions with the largest share, inclusive and self.

.venv/bin/python -m bench.httpbench.hotspots [--server harbor] [--endpoint get] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import tempfile
import threading
from collections import Counter
from pathlib import Path

from bench.httpbench.data import database_argument, set_up
from bench.httpbench.load import ENDPOINTS, run_wrk
from bench.httpbench.servers import CANDIDATES, ROOT, serve


def top(collapsed: Path, count: int) -> str:
    """The `count` largest frames by inclusive and by self share of the samples."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, weight = line.rpartition(" ")
        frames = [_short(f) for f in stack.split(";")]
        n = int(weight)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    lines = [f"{total} samples", "", "inclusive:"]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(count)]
    lines += ["", "self:"]
    lines += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(count)]
    return "\n".join(lines)


def _short(frame: str) -> str:
    # "function (path/to/module.py:123)" -> "function (module.py)"
    name, _, where = frame.partition(" (")
    return f"{name} ({Path(where.rstrip(')').rsplit(':', 1)[0]).name})" if where else name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_argument(parser)
    parser.add_argument("--server", default="harbor", choices=[c.key for c in CANDIDATES])
    parser.add_argument("--endpoint", default="get", choices=[e.key for e in ENDPOINTS])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--out", type=Path, help="keep the collapsed stacks here")
    parser.add_argument("--native", action="store_true", help="C frames too (py-spy --native)")
    args = parser.parse_args()
    candidate = next(c for c in CANDIDATES if c.key == args.server)
    endpoint = next(e for e in ENDPOINTS if e.key == args.endpoint)
    with tempfile.TemporaryDirectory(prefix="harbor-profile-") as tmp:
        workdir = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        fixture = asyncio.run(set_up(args.database_url, 1_000_000, workdir, env))
        collapsed = args.out or workdir / "profile.txt"
        with serve(candidate, workers=1, env=fixture.env, log=workdir / "server.log") as server:
            run_wrk(server.url, endpoint, fixture, workdir, seconds=2, connections=32)
            load = threading.Thread(
                target=run_wrk,
                args=(server.url, endpoint, fixture, workdir),
                kwargs={"seconds": args.seconds + 2, "connections": 32},
            )
            load.start()
            subprocess.run(
                [str(Path(os.sys.executable).with_name("py-spy")), "record", "--pid", str(server.pid),
                 "--duration", str(args.seconds), "--rate", "500", "--format", "raw",
                 "--output", str(collapsed), "--nonblocking", *(["--native"] if args.native else [])],
                check=True, capture_output=True,
            )  # fmt: skip
            load.join()
        print(top(collapsed, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
