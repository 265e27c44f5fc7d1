"""Two components of the request path, this checkout's against another's, in one process:
`CompiledDispatch._match` on the service's own router, and a read unit's
`PostgresDatabase.transaction` on a stand-in pool. Batches alternate (old, new, new, old ...),
so each pair runs under nearly the same load; the figure is old's median over new's with a
bootstrap interval over the pairs (above 1: this checkout is cheaper). Changes worth a µs or
two are lost in the drift of a whole request on a shared machine; here they are not.

.venv/bin/python -m bench.httpbench.components --base /tmp/base [--pairs 30]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import bench.httpbench.python_only  # noqa: F401 - the environment the service's app needs
from bench.httpbench.stats import paired_ratio
from service.kit.settings import Settings

CALLS = 20_000
THIS = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


async def _paired(label: str, old: Callable[[], Awaitable[float]], new: Any, pairs: int) -> None:
    costs: dict[str, list[float]] = {"old": [], "new": []}
    for pair in range(pairs):
        order = [("old", old), ("new", new)][:: 1 if pair % 2 == 0 else -1]
        for name, run in order:
            costs[name].append(await run())
    o, n = costs["old"], costs["new"]
    print(
        f"{label}: old / new = {paired_ratio(o, n).text()} ({pairs} pairs of {CALLS:,} calls); "
        f"µs per call, medians: old {statistics.median(o):.2f}, new {statistics.median(n):.2f}"
    )


async def _matching(base: Path, this: Path, pairs: int) -> None:
    from service.app import create_app_from_env

    router = create_app_from_env().router
    old = _load("base_routing", base / "generated/_routing.py").CompiledDispatch(
        None, router=router
    )
    new = _load("this_routing", this / "generated/_routing.py").CompiledDispatch(
        None, router=router
    )
    for method, path in (
        ("GET", f"/v1/orders/{uuid.uuid4()}"),
        ("GET", "/v1/customers/cus_1/orders"),
        ("POST", "/v1/orders"),
    ):
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
        if old._match(scope)[0] is not new._match(scope)[0]:
            raise SystemExit(f"{method} {path}: the two checkouts match different routes")

        def timed(dispatch: Any, scope: dict[str, Any] = scope) -> Callable[[], Awaitable[float]]:
            async def run() -> float:
                began = time.perf_counter()
                for _ in range(CALLS):
                    dispatch._match(scope)
                return (time.perf_counter() - began) / CALLS * 1e6

            return run

        await _paired(f"_match {method} {path}", timed(old), timed(new), pairs)


class _Acquired:
    async def __aenter__(self) -> object:
        return object()

    async def __aexit__(self, *_: object) -> None:
        return None


class _Pool:
    def acquire(self, *, timeout: float | None) -> _Acquired:
        return _Acquired()


async def _transaction(base: Path, this: Path, pairs: int) -> None:
    def database(module: ModuleType) -> Any:
        db = module.PostgresDatabase("postgresql://unused", Settings())
        db._pool = _Pool()
        return db

    def timed(db: Any) -> Callable[[], Awaitable[float]]:
        async def run() -> float:
            began = time.perf_counter()
            for _ in range(CALLS):
                async with db.transaction(write=False):
                    pass
            return (time.perf_counter() - began) / CALLS * 1e6

        return run

    old = database(_load("base_db", base / "service/kit/db.py"))
    new = database(_load("this_db", this / "service/kit/db.py"))
    await _paired("PostgresDatabase.transaction (read)", timed(old), timed(new), pairs)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the checkout to compare with")
    parser.add_argument("--pairs", type=int, default=30)
    args = parser.parse_args()
    await _matching(args.base, THIS, args.pairs)
    await _transaction(args.base, THIS, args.pairs)


if __name__ == "__main__":
    asyncio.run(main())
