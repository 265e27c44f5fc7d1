"""Putting a generated tree in place: stale files go, the user's builds inside it stay."""

from __future__ import annotations

from pathlib import Path

from harbor_pipeline.codegen.cache import tree_digest
from harbor_pipeline.codegen.write import differences, swap_in


def tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_regeneration_removes_stale_files_and_keeps_builds_and_installs(tmp_path: Path) -> None:
    target = tree(
        tmp_path / "client",
        {
            "src/index.ts": "old",
            "src/removed.ts": "stale",
            "dist/index.js": "built by npm run build",
            "node_modules/openapi-fetch/index.js": "installed",
            "harbor_client.egg-info/PKG-INFO": "built by pip",
        },
    )
    built = tree(tmp_path / "built", {"src/index.ts": "new", "package.json": "{}"})

    swap_in(built, target)

    assert (target / "src/index.ts").read_text() == "new"
    assert (target / "package.json").exists()
    assert not (target / "src/removed.ts").exists()
    assert (target / "dist/index.js").read_text() == "built by npm run build"
    assert (target / "node_modules/openapi-fetch/index.js").read_text() == "installed"
    assert (target / "harbor_client.egg-info/PKG-INFO").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["built", "client"]


def test_the_check_and_the_cache_ignore_builds_but_not_generated_files(tmp_path: Path) -> None:
    built = tree(tmp_path / "built", {"src/index.ts": "same"})
    target = tree(tmp_path / "client", {"src/index.ts": "same"})
    clean = tree_digest(target)
    tree(target, {"dist/index.js": "built", "node_modules/x/y.js": "installed"})

    assert differences(built, target) == []
    assert tree_digest(target) == clean

    tree(target, {"src/extra.ts": "hand-made"})
    assert differences(built, target) == [
        f"stale: {target / 'src/extra.ts'} (make generate would delete it)"
    ]
    assert tree_digest(target) != clean
