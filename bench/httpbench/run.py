"""Run the HTTP comparison: every server, every endpoint, 1 and 2 workers, several shuffled rounds.

.venv/bin/python -m bench.httpbench.run [--rounds 5] [--seconds 4] [--only harbor,floor] ...
Every server takes every position in the rounds equally often (a Latin square), wrk runs on
its own core where it can (taskset), and every ratio gets a bootstrap interval (stats.py).
Writes bench/results/http.md and http.png, and every sample to bench/results/raw/.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.httpbench import check, compare, report
from bench.httpbench.data import Fixture, database_argument, set_up, settle
from bench.httpbench.load import ENDPOINTS, run_wrk, wrk_binary
from bench.httpbench.servers import (
    CANDIDATES,
    ROOT,
    Candidate,
    database_cpu,
    pinning,
    serve,
    tree_cpu,
    version_candidates,
)
from bench.httpbench.stats import balanced_orders
from generated.version_changes import bind

RESULTS = ROOT / "bench" / "results"


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def measure_server(
    candidate: Candidate, workers: int, fixture: Fixture, workdir: Path, args: argparse.Namespace,
    reference: dict[str, Any],
) -> list[dict[str, Any]]:  # fmt: skip
    samples = []
    database = fixture.database_url.rsplit("/", 1)[1]
    log = workdir / f"{candidate.key}.log"
    server_cpus, wrk_cpus = pinning(workers) if args.pin else (None, None)
    with serve(candidate, workers=workers, env=fixture.env, log=log, cpus=server_cpus) as server:
        answers = check.answers(server.url, fixture)
        if reference:
            check.same_answers(candidate.key, reference, answers)
        else:
            reference.update(answers)
        for endpoint in (e for e in ENDPOINTS if e.key in candidate.endpoints):
            run_wrk(
                server.url,
                endpoint,
                fixture,
                workdir,
                seconds=args.warmup,
                connections=args.connections,
                headers=candidate.headers,
                cpus=wrk_cpus,
            )
            cpu, db_cpu = tree_cpu(server.pid), database_cpu(database)
            result = run_wrk(
                server.url,
                endpoint,
                fixture,
                workdir,
                seconds=args.seconds,
                connections=args.connections,
                headers=candidate.headers,
                cpus=wrk_cpus,
            )
            cpu, db_cpu = tree_cpu(server.pid) - cpu, database_cpu(database) - db_cpu
            requests = int(result["requests"])  # type: ignore[call-overload]
            latency: dict[str, int] = result["latency_us"]  # type: ignore[assignment]
            errors: dict[str, int] = result["errors"]  # type: ignore[assignment]
            sample = {
                "server": candidate.key,
                "workers": workers,
                "endpoint": endpoint.key,
                "requests": requests,
                "rps": requests / (int(result["duration_us"]) / 1e6),  # type: ignore[call-overload]
                "p50_ms": latency["p50"] / 1000,
                "p99_ms": latency["p99"] / 1000,
                "cpu_us": cpu / max(requests, 1) * 1e6,
                "db_cpu_us": db_cpu / max(requests, 1) * 1e6,
                "errors": errors,
                "load": _load(),
            }
            if any(errors.values()):
                raise SystemExit(
                    f"bench: {candidate.key} {endpoint.key}: errors {errors}; see {log}"
                )
            print(
                f"  {candidate.key:16} {workers}w {endpoint.key:4} {sample['rps']:9,.0f} req/s  "
                f"p50 {sample['p50_ms']:6.2f} ms  p99 {sample['p99_ms']:6.2f} ms  "
                f"cpu {sample['cpu_us']:5.0f} µs/req  db {sample['db_cpu_us']:4.0f} µs/req",
                flush=True,
            )
            samples.append(sample)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    database_argument(parser)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=0,
        help="rounds per worker count, raised to a multiple of the servers so that each takes "
        "every position equally often (default: one per server)",
    )
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--only", default="", help="server keys, comma-separated (default: all)")
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="do not pin wrk to the last core (and a 1-worker server to the others) with taskset",
    )
    parser.add_argument(
        "--inprocess-pairs",
        type=int,
        default=20,
        help="pairs of in-process batches of Harbor against the floor, per endpoint, reported "
        "beside the wrk figures (bench.httpbench.compare; 0: none)",
    )
    parser.add_argument("--inprocess-requests", type=int, default=500, help="per batch")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where http.md and http.png go")
    parser.add_argument(
        "--base",
        type=Path,
        help="another checkout (`git worktree add /tmp/base HEAD`): its Harbor runs too, as "
        "harbor-base, to measure a change in the same rounds",
    )
    parser.add_argument(
        "--versions",
        action="store_true",
        help="also run Harbor with a Harbor-Version header on every request and Harbor without "
        "the version middleware: the cost of serving every version, in the same rounds",
    )
    args = parser.parse_args()
    wrk_binary()
    chosen = [c for c in CANDIDATES if not args.only or c.key in args.only.split(",")]
    if args.base:
        root = args.base.resolve()
        chosen.append(
            Candidate(
                "harbor-base", f"Harbor at {_commit(root)} ({root})", CANDIDATES[0].factory, root
            )
        )
    if args.versions:
        chosen.extend(version_candidates(bind().newest))
    worker_counts = [int(w) for w in args.workers.split(",")]
    began, load_start = time.monotonic(), _load()
    samples: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="harbor-bench-") as tmp:
        workdir = Path(tmp)
        base_env = {**os.environ, "PYTHONPATH": str(ROOT)}
        fixture = asyncio.run(set_up(args.database_url, args.rows, workdir, base_env))
        reference: dict[str, Any] = {}
        by_key = {c.key: c for c in chosen}
        schedules = {w: balanced_orders(list(by_key), args.rounds) for w in worker_counts}
        rounds = len(schedules[worker_counts[0]])
        for round_ in range(1, rounds + 1):
            for workers in worker_counts:
                order = [by_key[key] for key in schedules[workers][round_ - 1]]
                print(
                    f"round {round_}/{rounds}, {workers} worker(s): {', '.join(c.key for c in order)}",
                    flush=True,
                )
                for candidate in order:
                    for sample in measure_server(
                        candidate, workers, fixture, workdir, args, reference
                    ):
                        samples.append({**sample, "round": round_})
                    asyncio.run(settle(fixture.database_url))
        inprocess = _inprocess(fixture, args) if "harbor" in by_key else {}
    meta = {
        "finished": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "rounds": rounds,
        "pinned": args.pin and pinning(1) != (None, None),
        "seconds": args.seconds,
        "warmup": args.warmup,
        "connections": args.connections,
        "orders": args.rows,
        "cores": os.cpu_count(),
        "load_start": load_start,
        "load_end": _load(),
        "elapsed_s": round(time.monotonic() - began),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    raw = args.out / "raw"
    raw.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (raw / f"http-{stamp}.json").write_text(
        json.dumps({"meta": meta, "samples": samples, "inprocess": inprocess}, indent=1)
    )
    try:
        report.chart(samples, args.out / "http.png", chosen)
    except ModuleNotFoundError as missing:  # run outside the bench venv (make bench-http)
        print(f"bench: no chart ({missing.name} is not installed; make bench-http has it)")
    (args.out / "http.md").write_text(report.markdown(samples, meta, "http.png", chosen, inprocess))
    print(f"\nwrote {args.out / 'http.md'} and http.png in {meta['elapsed_s']} s", flush=True)
    print((args.out / "http.md").read_text())
    return 0


def _inprocess(fixture: Fixture, args: argparse.Namespace) -> dict[str, dict[str, list[float]]]:
    """Harbor against the floor in process, per endpoint: CPU µs per request of each, pair by
    pair (`compare`), which cancels the machine's drift that wrk's rounds cannot."""
    if args.inprocess_pairs <= 0:
        return {}
    found = {}
    for endpoint in ENDPOINTS:
        floor, harbor = compare.paired_costs(
            fixture,
            (ROOT, compare.factory_of("floor")),
            (ROOT, compare.factory_of("harbor")),
            endpoint.key,
            requests=args.inprocess_requests,
            pairs=args.inprocess_pairs,
            concurrency=10,
        )
        found[endpoint.key] = {"floor": floor, "harbor": harbor}
        print(
            compare.summary("harbor", "floor", endpoint.key, floor, harbor, args.inprocess_requests)
        )
    return found


def _commit(root: Path = ROOT) -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() or "unknown"


if __name__ == "__main__":
    sys.exit(main())
