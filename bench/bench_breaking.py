"""Time the breaking-change gate on a synthetic 1,000-operation, 3,000-schema spec pair, and
on GitHub's REST API description against itself with 100 random edits (the goal: < 5 s).

Run from the repository root: .venv/bin/python -m bench.bench_breaking [--operations N] [--schemas N] [--repeat N]
[--github FILE] [--edits N]; GitHub's description comes with `make corpus` (skipped without it).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.breaking_edits import edited
from harbor_pipeline.breaking.__main__ import main as gate_cli
from harbor_pipeline.breaking.compare import compare_specs
from harbor_pipeline.breaking.findings import Level
from harbor_pipeline.breaking.load import load_spec

JSON = dict[str, Any]
GITHUB = (
    Path(__file__).resolve().parents[1]
    / "corpus/node_modules/@octokit/openapi/generated/api.github.com.json"
)


def _ref(i: int) -> JSON:
    return {"$ref": f"#/components/schemas/S{i}"}


def _near(i: int, count: int, rng: random.Random, dense: bool) -> int:
    """A schema for `i` to reference: any at all when dense, else one later in its group of ten.

    Real specs cluster (an order, its lines, its address); dense makes one
    strongly connected graph, the worst case, where every change reaches every operation.
    """
    if dense:
        return rng.randrange(count)
    end = min(count, (i // 10 + 1) * 10)
    return rng.randrange(i + 1, end) if i + 1 < end else i - i % 10  # the last loops back


def _schema(i: int, count: int, rng: random.Random, dense: bool) -> JSON:
    """An object with scalar fields, references (some cycles), arrays and compositions."""
    props: JSON = {
        "id": {"type": "string", "format": "uuid", "readOnly": True},
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[A-Za-z ]+$"},
        "amount": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
        "ratio": {"type": ["number", "null"], "exclusiveMinimum": 0},
        "status": {"type": "string", "enum": ["new", "open", "closed"]},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 20, "uniqueItems": True},
        "meta": {"type": "object", "additionalProperties": {"type": "string"}},
    }
    props["next"] = _ref(_near(i, count, rng, dense))
    props["children"] = {"type": "array", "items": _ref(_near(i, count, rng, dense))}
    props["error"] = _ref(rng.randrange(20))  # a few shared leaves, like Money or Error
    if i % 7 == 0:
        choice = [_ref(_near(i, count, rng, dense)), {"type": "string"}, {"type": "null"}]
        props["choice"] = {"oneOf": choice}
    body: JSON = {"type": "object", "required": ["name", "amount"], "properties": props}
    if i < 20:
        return {"type": "object", "properties": {"code": {"type": "string"}}}
    if i % 5 == 0:
        return {
            "allOf": [
                _ref(i - 1),
                {"type": "object", "properties": {f"extra{i}": {"type": "boolean"}}},
            ]
        }
    return body


def _operation(i: int, schemas: int, rng: random.Random, method: str) -> JSON:
    op: JSON = {
        "operationId": f"op{i}{method}",
        "parameters": [
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": 100},
            },
            {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
        ],
        "responses": {
            "200": {
                "description": "ok",
                "headers": {"X-Rate-Limit": {"schema": {"type": "integer"}}},
                "content": {"application/json": {"schema": _ref(rng.randrange(schemas))}},
            },
            "404": {
                "description": "missing",
                "content": {"application/problem+json": {"schema": _ref(0)}},
            },
        },
        "security": [{"bearer": []}],
    }
    if method in ("post", "put"):
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(rng.randrange(schemas))}},
        }
    return op


def base_spec(operations: int, schemas: int, *, dense: bool = False, seed: int = 7) -> JSON:
    rng = random.Random(seed)
    paths: JSON = {}
    methods = ("get", "post", "put", "delete")
    for i in range(0, operations, len(methods)):
        item: JSON = {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ]
        }
        for j, method in enumerate(methods):
            if i + j < operations:
                item[method] = _operation(i + j, schemas, rng, method)
        paths[f"/r{i}/{{id}}"] = item
    return {
        "openapi": "3.1.0",
        "info": {"title": "bench", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": {f"S{i}": _schema(i, schemas, rng, dense) for i in range(schemas)},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def revision_spec(base: JSON, seed: int = 11) -> JSON:
    """Refactors (renamed components, renamed path parameters), additions and a few breaks."""
    rng = random.Random(seed)
    spec = copy.deepcopy(base)
    text = json.dumps(spec)
    count = len(spec["components"]["schemas"])
    for i in rng.sample(range(20, count), min(100, count - 20)):
        text = text.replace(f'"#/components/schemas/S{i}"', f'"#/components/schemas/Renamed{i}"')
        text = text.replace(f'"S{i}": {{', f'"Renamed{i}": {{', 1)
    renamed: JSON = json.loads(text)
    schemas = renamed["components"]["schemas"]
    names = sorted(schemas)
    for name in rng.sample(names, 200):
        props = schemas[name].get("properties")
        if isinstance(props, dict):
            props["added"] = {"type": "string"}
    for name in rng.sample(names, 10):
        if "required" in schemas[name]:
            schemas[name]["required"].append("status")
    for name in rng.sample(names, 10):
        status = schemas[name].get("properties", {}).get("status")
        if status:
            status["enum"] = [*status["enum"], "archived"]
    paths = renamed["paths"]
    for path in rng.sample(sorted(paths), 5):
        del paths[path]
    return renamed


def _time(run: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median CPU seconds: a shared machine's load inflates wall time, not CPU time."""
    times, result = [], None
    for _ in range(repeat):
        start = time.process_time()
        result = run()
        times.append(time.process_time() - start)
    return statistics.median(times), result


def github(path: Path, edits: int) -> None:
    """The CLI end to end, as `make breaking` runs it: load, validate, compare, report."""
    text = path.read_text()
    with tempfile.TemporaryDirectory() as tmp:
        base_path, rev_path = Path(tmp, "base.json"), Path(tmp, "revision.json")
        base_path.write_text(text)
        # Indented as the original is, so findings have lines to be located at.
        rev_path.write_text(json.dumps(edited(json.loads(text), edits), indent=2))
        args = [str(base_path), str(rev_path), "--format", "json"]
        started = time.perf_counter()
        cpu = time.process_time()
        with open(Path(tmp, "out.json"), "w") as out, contextlib.redirect_stdout(out):
            code = gate_cli(args)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - started
        counts = json.loads(Path(tmp, "out.json").read_text())["counts"]
    size = path.stat().st_size / 2**20
    print(f"GitHub's REST API ({size:.1f} MiB) against itself with {edits} random edits:")
    print(
        f"  python -m harbor_pipeline.breaking BASE REVISION --format json: {cpu:6.2f} s CPU, {wall:6.2f} s wall"
    )
    print(f"  exit {code}, {counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--operations", type=int, default=1000)
    parser.add_argument("--schemas", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dense", action="store_true", help="every schema may reference any other")
    parser.add_argument("--github", type=Path, default=GITHUB, help="GitHub's REST API description")
    parser.add_argument("--edits", type=int, default=100)
    parser.add_argument("--github-only", action="store_true")
    args = parser.parse_args()
    if args.github.exists():
        github(args.github, args.edits)
    else:
        print(f"skipped GitHub's REST API: no {args.github} (make corpus installs it)")
    if args.github_only:
        return
    base = base_spec(args.operations, args.schemas, dense=args.dense)
    revision = revision_spec(base)
    with tempfile.TemporaryDirectory() as tmp:
        base_path, rev_path = Path(tmp, "base.json"), Path(tmp, "revision.json")
        base_path.write_text(json.dumps(base))
        rev_path.write_text(json.dumps(revision))
        size = (base_path.stat().st_size + rev_path.stat().st_size) / 2**20
        load_s, _ = _time(
            lambda: (load_spec(str(base_path), check=False), load_spec(str(rev_path), check=False)),
            args.repeat,
        )
        check_s, _ = _time(lambda: (load_spec(str(base_path)), load_spec(str(rev_path))), 1)
        old, new = load_spec(str(base_path), check=False), load_spec(str(rev_path), check=False)
        compare_s, result = _time(lambda: compare_specs(old, new), args.repeat)
    comparison = compare_specs(old, new)
    shape = "dense: one strongly connected graph" if args.dense else "clustered references"
    print(
        f"spec pair: {args.operations} operations, {args.schemas} schemas ({shape}), {size:.1f} MiB each"
    )
    print(f"parse both:              {load_s:6.2f} s CPU (median of {args.repeat})")
    print(f"parse + validate both:   {check_s:6.2f} s CPU (as the CLI does for files this size)")
    print(f"compare:                 {compare_s:6.2f} s CPU (median of {args.repeat})")
    print(f"end to end (as the CLI): {check_s + compare_s:6.2f} s CPU")
    counts = ", ".join(f"{comparison.count(level)} {level.value}" for level in Level)
    print(f"findings: {len(comparison.findings)} ({counts})")
    assert result is not None


if __name__ == "__main__":
    main()
