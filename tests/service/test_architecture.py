"""The import arrows of ARCHITECTURE.md, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.fixtures.server import ROOT

SERVICE = ROOT / "service"


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules(pattern: str, root: Path = SERVICE) -> list[Path]:
    return sorted(root.glob(pattern))


def ours(path: Path) -> set[str]:
    return {
        name
        for name in imports(path)
        if name.split(".")[0] in {"service", "generated", "harbor_pipeline"}
    }


@pytest.mark.parametrize("path", modules("kit/*.py"), ids=lambda p: p.name)
def test_kit_imports_only_kit(path):
    assert {name for name in ours(path) if not name.startswith("service.kit")} == set()


@pytest.mark.parametrize(
    "path", modules("*/*repository.py"), ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_repositories_import_only_kit_and_their_own_records(path):
    # Besides kit/: the domain's records (plain dataclasses) and its other repository module.
    domain = f"service.{path.parent.name}."
    own = {domain + "records", domain + "repository"}
    assert {name for name in ours(path) if not name.startswith("service.kit")} - own == set()


@pytest.mark.parametrize("path", modules("*/records.py"), ids=lambda p: p.parent.name)
def test_records_import_only_kit(path):
    assert {name for name in ours(path) if not name.startswith("service.kit")} == set()


@pytest.mark.parametrize("path", modules("*/handlers.py"), ids=lambda p: p.parent.name)
def test_handlers_never_touch_repositories_or_sql(path):
    assert not {
        name for name in ours(path) if name.endswith(".repository") or name.startswith("service.db")
    }


@pytest.mark.parametrize("path", modules("*/service.py"), ids=lambda p: p.parent.name)
def test_services_never_import_handlers_or_the_app(path):
    assert not {name for name in ours(path) if name.endswith(".handlers") or name == "service.app"}


def test_service_never_imports_the_pipeline():
    assert not {
        name
        for path in modules("**/*.py")
        for name in ours(path)
        if name.startswith("harbor_pipeline")
    }


@pytest.mark.parametrize("tree", ["generated", "scripts/harbor_pipeline"])
def test_nothing_upstream_imports_service(tree):
    # harbor init's template is another project's code (its own service/), not the pipeline's.
    template = ROOT / "scripts" / "harbor_pipeline" / "init" / "template"
    paths = [p for p in modules("**/*.py", ROOT / tree) if template not in p.parents]
    assert not {name for path in paths for name in ours(path) if name.startswith("service")}
