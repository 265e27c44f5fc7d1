"""Multi-file specs: each `$ref` is read relative to the file that holds it, from any cwd."""

from __future__ import annotations

import shutil
from pathlib import Path

from harbor_pipeline.bundle import Source, bundle
from tests.codegen.test_cli import ROOT, codegen

CASE = ROOT / "tests/codegen/golden/multifile"


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(CASE, tmp_path / "spec", ignore=shutil.ignore_patterns("expected"))
    return tmp_path / "spec" / "spec.yaml"


def test_a_multi_file_spec_generates_from_another_cwd(tmp_path: Path) -> None:
    (tmp_path / "cwd").mkdir()
    result = codegen(
        "generate", str(CASE / "spec.yaml"), str(tmp_path / "out"), cwd=tmp_path / "cwd"
    )

    assert result.returncode == 0, result.stderr
    expected = (CASE / "expected/models.py").read_text().split("\n", 1)[1]
    assert (tmp_path / "out/models.py").read_text().split("\n", 1)[1] == expected


def test_the_clients_of_a_multi_file_spec_generate(tmp_path: Path) -> None:
    for lang in ("python", "typescript"):
        out = tmp_path / lang
        result = codegen("client", str(CASE / "spec.yaml"), str(out), "--lang", lang, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    assert "schemas_common_Error" in (tmp_path / "typescript/src/schema.ts").read_text()


def test_the_cache_and_make_see_every_pulled_in_file(tmp_path: Path) -> None:
    spec = _copy(tmp_path)
    out, cache, files = tmp_path / "out", tmp_path / "cache", tmp_path / "spec-files.mk"
    args = ("generate", str(spec), str(out), "--cache-dir", str(cache), "--spec-files", str(files))
    assert codegen(*args).stdout.startswith("generated")
    parts = [str(spec), *(str(spec.parent / "schemas" / f) for f in ("common.yaml", "pet.yaml"))]
    assert files.read_text() == f"SPEC_FILES := {' '.join(parts)}\n{' '.join(parts[1:])}:\n"
    assert codegen(*args).stdout == f"{out} is up to date with {spec}\n"
    common = spec.parent / "schemas/common.yaml"
    common.write_text(common.read_text().replace("enum: [cat, dog]", "enum: [cat, dog, bird]"))
    assert codegen(*args).stdout.startswith("generated")
    assert 'BIRD = "bird"' in (out / "models.py").read_text()


def test_names_of_hoisted_schemas_do_not_depend_on_the_order_files_are_met() -> None:
    files = {
        "a.yaml": {"components": {"schemas": {"Error": {"type": "string"}}}},
        "sub/a.yaml": {"components": {"schemas": {"Error": {"type": "integer"}}}},
        "b c.yaml": {"type": "boolean"},
    }

    def names(order: list[str]) -> dict[str, object]:
        refs = {
            "a.yaml": "a.yaml#/components/schemas/Error",
            "sub/a.yaml": "sub/a.yaml#/components/schemas/Error",
            "b c.yaml": "b%20c.yaml",
        }
        schema = {"anyOf": [{"$ref": refs[f]} for f in order]}
        root = {"openapi": "3.1.0", "components": {"schemas": {"Root": schema}}}
        result = bundle(Source("root.yaml", "", root), lambda f: "", lambda f, _: files[f])
        return result.data["components"]["schemas"]

    first, second = (
        names(["a.yaml", "sub/a.yaml", "b c.yaml"]),
        names(["b c.yaml", "sub/a.yaml", "a.yaml"]),
    )
    assert sorted(first) == ["Root", "a_Error", "b_c", "sub_a_Error"]
    assert {k: v for k, v in first.items() if k != "Root"} == {
        k: v for k, v in second.items() if k != "Root"
    }


def test_a_ref_back_into_the_root_file_is_a_local_ref_not_a_copy() -> None:
    files = {"sub/a.yaml": {"properties": {"b": {"$ref": "../root.yaml#/components/schemas/B"}}}}
    schemas = {"B": {"type": "integer"}, "A": {"$ref": "sub/a.yaml"}}
    root = Source("dir/../root.yaml", "", {"components": {"schemas": schemas}})

    result = bundle(root, lambda f: "", lambda f, _: files[f.removeprefix("dir/../")])

    assert result.data["components"]["schemas"] == {
        "B": {"type": "integer"},
        "A": {"properties": {"b": {"$ref": "#/components/schemas/B"}}},
    }
