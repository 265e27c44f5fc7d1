"""`make generate` with releases: a version change to write is a Protocol the type checker holds."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "spec" / "releases" / "1.1.0.yaml"


def _generate(tmp_path: Path, edit) -> Path:
    releases = tmp_path / "releases"
    releases.mkdir()
    (releases / "1.1.0.yaml").write_text(RELEASE.read_text())
    document = yaml.safe_load(RELEASE.read_text())
    document["info"]["version"] = "2.0.0"
    edit(document)
    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    out = tmp_path / "pkg" / "generated"
    result = subprocess.run(
        [sys.executable, "-m", "harbor_pipeline.codegen", "generate", str(spec), str(out), "--releases", str(releases)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out / "version_changes"


def _drop_metadata(document) -> None:
    order = document["components"]["schemas"]["Order"]
    del order["properties"]["metadata"]
    order["required"].remove("metadata")


def test_a_change_to_write_is_a_protocol_method_and_a_required_argument(tmp_path):
    package = _generate(tmp_path, _drop_metadata)
    step = (package / "v2_0_0.py").read_text()
    assert "def downgrade_order(self, body: JsonObject, /) -> JsonObject:" in step
    assert "response-required-property-removed" in step  # the docstring names the findings
    assert "NOTHING" not in step
    init = (package / "__init__.py").read_text()
    assert "v2_0_0_written: v2_0_0.Written," in init  # no default: the caller must pass it


def _mypy(root: Path, source: str) -> subprocess.CompletedProcess[str]:
    (root / "use.py").write_text(textwrap.dedent(source))
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir=/dev/null", "use.py"],
        capture_output=True, text=True, cwd=root, check=False,
    )  # fmt: skip


def test_the_type_checker_fails_until_the_conversion_is_written(tmp_path):
    package = _generate(tmp_path, _drop_metadata)
    root = package.parent.parent
    missing = _mypy(
        root,
        """
        from generated.version_changes import bind

        class Written:
            pass

        versions = bind(v2_0_0_written=Written())
    """,
    )
    assert missing.returncode == 1
    assert "generated.version_changes.v2_0_0.Written" in missing.stdout
    written = _mypy(
        root,
        """
        from generated.version_changes import bind
        from generated.version_changes._runtime import JsonObject

        class Written:
            def downgrade_order(self, body: JsonObject, /) -> JsonObject:
                return {**body, "metadata": {}}

        versions = bind(v2_0_0_written=Written())
        assert versions.downgrade("GET /v1/orders/{order_id}", "1.1.0", 200, {"id": "o"}) == {
            "id": "o", "metadata": {}
        }
    """,
    )
    assert written.returncode == 0, written.stdout
    run = subprocess.run(
        [sys.executable, "use.py"], cwd=root, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
