"""The run's numbers as a Markdown table and a PNG chart (bench/results/)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.httpbench.load import ENDPOINTS
from bench.httpbench.servers import CANDIDATES, Candidate
from bench.httpbench.stats import paired_ratio

BASELINES = ("fastapi-asyncpg", "fastapi-orm", "connexion", "floor")
# Issue #22's targets for Harbor / each peer, judged with 1 worker (2 workers: information).
TARGETS = {"floor": 0.9, "fastapi-asyncpg": 1.0, "fastapi-orm": 3.0, "connexion": 2.0}
# Rows shown for information only: the create most teams write.
EXTRAS = ("fastapi-asyncpg-tx",)


def ratio_rows(samples: Sequence[dict[str, Any]], workers: int, endpoint: str) -> list[str]:
    """One table row per peer: Harbor / peer in server CPU per request (peer's CPU over
    Harbor's) and in req/s, each with its 95% bootstrap interval over the rounds and the
    verdict against the target."""
    by_round: dict[tuple[str, int], dict[str, Any]] = {
        (s["server"], s["round"]): s
        for s in samples
        if s["workers"] == workers and s["endpoint"] == endpoint
    }
    rows = []
    for peer in (*BASELINES, *EXTRAS):
        rounds = sorted(r for server, r in by_round if server == peer and ("harbor", r) in by_round)
        if not rounds:
            continue
        harbor = [by_round["harbor", r] for r in rounds]
        other = [by_round[peer, r] for r in rounds]
        cpu = paired_ratio([o["cpu_us"] for o in other], [h["cpu_us"] for h in harbor])
        rps = paired_ratio([h["rps"] for h in harbor], [o["rps"] for o in other])
        target = TARGETS.get(peer)
        if target is None:
            judged = ("information", "information")
        elif workers != 1:
            judged = ("information (2 workers)",) * 2
        else:
            judged = (cpu.verdict(target), rps.verdict(target))
        rows.append(
            f"| `{endpoint}` | {workers} | {peer} | {'-' if target is None else f'{target:g}'} | "
            f"{cpu.text()} | {judged[0]} | {rps.text()} | {judged[1]} | {len(rounds)} |"
        )
    return rows


def inprocess_lines(found: dict[str, dict[str, list[float]]]) -> list[str]:
    """The in-process comparison of Harbor with the floor (`compare`), per endpoint."""
    if not found:
        return []
    lines = [
        "",
        "## In process: Harbor against the floor (primary figure: CPU per request)",
        "",
        "`bench.httpbench.compare`: both apps loaded, batches of requests straight into the ASGI "
        "app taking turns (floor, Harbor, Harbor, floor ...), so the machine's drift cancels "
        "pair by pair. Ratio: the floor's CPU per request over Harbor's, 95% bootstrap interval "
        "over the pairs; target 0.9.",
        "",
        "| endpoint | floor µs/req | Harbor µs/req | floor / Harbor | verdict | pairs |",
        "| --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for endpoint, costs in found.items():
        ratio = paired_ratio(costs["floor"], costs["harbor"])
        lines.append(
            f"| `{endpoint}` | {statistics.median(costs['floor']):.1f} | "
            f"{statistics.median(costs['harbor']):.1f} | {ratio.text()} | "
            f"{ratio.verdict(TARGETS['floor'])} | {ratio.rounds} |"
        )
    return lines


@dataclass(frozen=True, slots=True)
class Cell:
    """One server on one endpoint with one worker count, over every round."""

    rps: list[float]
    p50_ms: float
    p99_ms: float
    cpu_us: float
    db_cpu_us: float

    @property
    def median(self) -> float:
        return statistics.median(self.rps)


def cells(samples: Sequence[dict[str, Any]]) -> dict[tuple[int, str, str], Cell]:
    grouped: dict[tuple[int, str, str], list[dict[str, Any]]] = {}
    for s in samples:
        grouped.setdefault((s["workers"], s["endpoint"], s["server"]), []).append(s)
    return {
        key: Cell(
            rps=[s["rps"] for s in group],
            p50_ms=statistics.median(s["p50_ms"] for s in group),
            p99_ms=statistics.median(s["p99_ms"] for s in group),
            cpu_us=statistics.median(s["cpu_us"] for s in group),
            db_cpu_us=statistics.median(s["db_cpu_us"] for s in group),
        )
        for key, group in grouped.items()
    }


def markdown(
    samples: Sequence[dict[str, Any]],
    meta: dict[str, Any],
    chart: str,
    candidates: Sequence[Candidate] = CANDIDATES,
    inprocess: dict[str, dict[str, list[float]]] | None = None,
) -> str:
    table = cells(samples)
    workers = sorted({w for w, _, _ in table})
    lines = [
        "# HTTP benchmark: Harbor against hand-written servers",
        "",
        f"Written by `make bench-http` on {meta['finished']} (commit `{meta['commit']}`): "
        f"{meta['rounds']} rounds, every server in every position equally often (a Latin square), "
        f"{meta['seconds']:g} s of `wrk -t1 -c{meta['connections']}` per endpoint after "
        f"{meta['warmup']:g} s of warm-up"
        f"{', wrk pinned to its own core (taskset)' if meta.get('pinned') else ''}; "
        f"uvicorn with uvloop and httptools, access log off; {meta['orders']:,} orders in "
        f"PostgreSQL. {meta['cores']} cores; load average {meta['load_start']} at the start, "
        f"{meta['load_end']} at the end. Chart: [{Path(chart).name}]({Path(chart).name}).",
        "",
        "req/s is the median of the rounds (min-max beside it); latency and CPU are medians too. "
        "CPU per request is the server's processes (all workers) and, apart, the PostgreSQL "
        "backends of the bench database, over the timed run.",
        "",
        "## Harbor / each, with 95% bootstrap intervals",
        "",
        "Primary figure: server CPU per request (the peer's over Harbor's, so above 1 means "
        "Harbor is cheaper); req/s beside it. The interval resamples the rounds (each round "
        "measured every server); a target is met when the whole interval is at or above it, "
        "missed when all of it is below, and otherwise not shown. Targets (#22) are judged with "
        "1 worker; `fastapi-asyncpg-tx` is information (2b with a create of seven round trips).",
        "",
        "| endpoint | workers | peer | target | CPU ratio | verdict | req/s ratio | verdict | rounds |",
        "| --- | ---: | --- | ---: | ---: | --- | ---: | --- | ---: |",
    ]
    for endpoint in ENDPOINTS:
        for w in workers:
            lines += ratio_rows(samples, w, endpoint.key)
    lines += inprocess_lines(inprocess or {})
    lines += [
        "",
        "## Harbor / each, req/s medians",
        "",
        "| endpoint | workers | / 2b asyncpg | / 2a ORM | / connexion | / floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for endpoint in ENDPOINTS:
        for w in workers:
            harbor = table.get((w, endpoint.key, "harbor"))
            ratios = []
            for other in BASELINES:
                cell = table.get((w, endpoint.key, other))
                ratios.append(f"{harbor.median / cell.median:.2f}" if harbor and cell else "-")
            lines.append(f"| `{endpoint.label}` | {w} | {' | '.join(ratios)} |")
    for w in workers:
        lines += ["", f"## {w} worker{'s' if w > 1 else ''}", ""]
        lines += [
            "| endpoint | server | req/s | min-max | p50 ms | p99 ms | server CPU µs/req | DB CPU µs/req |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for endpoint in ENDPOINTS:
            for candidate in candidates:
                cell = table.get((w, endpoint.key, candidate.key))
                if cell is None:
                    continue
                lines.append(
                    f"| `{endpoint.label}` | {candidate.label} | {cell.median:,.0f} | "
                    f"{min(cell.rps):,.0f}-{max(cell.rps):,.0f} | {cell.p50_ms:.2f} | "
                    f"{cell.p99_ms:.2f} | {cell.cpu_us:.0f} | {cell.db_cpu_us:.0f} |"
                )
    return "\n".join(lines) + "\n"


def chart(
    samples: Sequence[dict[str, Any]], path: Path, candidates: Sequence[Candidate] = CANDIDATES
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = cells(samples)
    workers = sorted({w for w, _, _ in table})
    figure, axes = plt.subplots(1, len(workers), figsize=(7 * len(workers), 4.8), squeeze=False)
    width = 0.8 / len(candidates)
    for ax, w in zip(axes[0], workers, strict=True):
        for i, candidate in enumerate(candidates):
            xs, heights, low, high = [], [], [], []
            for j, endpoint in enumerate(ENDPOINTS):
                cell = table.get((w, endpoint.key, candidate.key))
                if cell is None:
                    continue
                xs.append(j + (i - (len(candidates) - 1) / 2) * width)
                heights.append(cell.median)
                low.append(cell.median - min(cell.rps))
                high.append(max(cell.rps) - cell.median)
            ax.bar(xs, heights, width, yerr=[low, high], capsize=2, label=candidate.label)
        ax.set_xticks(
            range(len(ENDPOINTS)), [e.label.replace("?", "\n?") for e in ENDPOINTS], fontsize=8
        )
        ax.set_ylabel("requests per second (median, min-max)")
        ax.set_title(f"{w} uvicorn worker{'s' if w > 1 else ''}")
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
