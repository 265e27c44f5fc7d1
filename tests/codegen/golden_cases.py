"""The golden cases: each `golden/<case>/spec.yaml` with the tree it must generate in `expected/`."""

from __future__ import annotations

from pathlib import Path

from harbor_pipeline.codegen.load import load
from harbor_pipeline.codegen.pipeline import build_server

GOLDEN = Path(__file__).parent / "golden"


def cases() -> list[str]:
    return sorted(p.name for p in GOLDEN.iterdir() if (p / "spec.yaml").is_file())


def generate_case(case: str, out: Path) -> Path:
    """Generate the case's package into `out/<case>` and return that directory."""
    spec = GOLDEN / case / "spec.yaml"
    target = out / case
    build_server(load(spec), target, source=f"tests/codegen/golden/{case}/spec.yaml")
    return target
