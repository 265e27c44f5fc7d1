"""The version change between two contracts: which breaks it answers, and the gate's verdict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harbor_pipeline.breaking import compare_specs, load_spec
from harbor_pipeline.breaking.coverage import coverage, snake

ROOT = Path(__file__).resolve().parents[2]
RELEASE = ROOT / "spec" / "releases" / "1.1.0.yaml"


def _spec(tmp_path: Path, name: str, edit, version: str = "2.0.0") -> Path:
    document = yaml.safe_load(RELEASE.read_text())
    document["info"]["version"] = version
    edit(document)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _rename(document, *, retype: bool = False) -> None:
    schema = document["components"]["schemas"]["OrderCreate"]
    prop = schema["properties"].pop("description")
    prop["x-harbor-renamed-from"] = "description"
    if retype:
        prop["maxLength"] = 100
    schema["properties"]["statement_descriptor"] = prop


def _covered(tmp_path: Path, edit):
    base = load_spec(str(RELEASE))
    revision = load_spec(str(_spec(tmp_path, "rev.yaml", edit)))
    return coverage(compare_specs(base, revision), base, revision)


def test_a_pure_rename_is_answered_by_the_rename(tmp_path):
    covered = _covered(tmp_path, _rename)
    assert covered.renamed == {"OrderCreate": (("statement_descriptor", "description"),)}
    assert [f.id for f in covered.by_rename] == ["request-property-rejected"]
    assert not covered.conversions and not covered.uncovered


def test_a_rename_that_also_narrows_needs_a_written_upgrade(tmp_path):
    covered = _covered(tmp_path, lambda d: _rename(d, retype=True))
    assert covered.renamed == {}
    assert [(c.direction, c.schema, c.method) for c in covered.conversions] == [
        ("upgrade", "OrderCreate", "upgrade_order_create")
    ]
    assert not covered.uncovered


def test_a_response_property_removed_needs_a_written_downgrade(tmp_path):
    def drop(document):
        order = document["components"]["schemas"]["Order"]
        del order["properties"]["metadata"]
        order["required"].remove("metadata")

    covered = _covered(tmp_path, drop)
    assert [c.method for c in covered.conversions] == ["downgrade_order"]
    operations = {f.operation for f in covered.conversions[0].findings}
    assert "GET /v1/orders/{order_id}" in operations
    assert "WEBHOOK POST order.created" in operations


def test_a_component_reached_only_through_a_parameter_is_not_covered(tmp_path):
    # CustomerId is the body's customer_id in createOrder, but the path parameter of the list:
    # converting bodies answers the first, nothing answers the second.
    def narrow(document):
        document["components"]["schemas"]["CustomerId"]["maxLength"] = 10

    covered = _covered(tmp_path, narrow)
    assert {c.method for c in covered.conversions} == {"upgrade_customer_id"}
    assert "GET /v1/customers/{customer_id}/orders" in {f.operation for f in covered.uncovered}


def test_new_security_is_never_covered(tmp_path):
    def secure(document):
        document["paths"]["/health"]["get"]["security"] = [{"bearerAuth": []}]

    covered = _covered(tmp_path, secure)
    assert [f.id for f in covered.uncovered] == ["security-added"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("OrderCreate", "order_create"),
        ("HTTPError", "http_error"),
        ("Order", "order"),
        ("a-b", "a_b"),
    ],
)
def test_snake_names(name, expected):
    assert snake(name) == expected


def _gate(spec: Path, releases: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harbor_pipeline.breaking", "gate", str(spec), str(releases)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


@pytest.fixture
def releases(tmp_path: Path) -> Path:
    folder = tmp_path / "releases"
    folder.mkdir()
    (folder / "1.1.0.yaml").write_text(RELEASE.read_text())
    return folder


def test_the_gate_accepts_a_break_its_version_change_answers(tmp_path, releases):
    result = _gate(_spec(tmp_path, "spec.yaml", _rename), releases)
    assert result.returncode == 0, result.stderr
    assert "renamed (x-harbor-renamed-from)" in result.stdout
    assert "accepted: every break is answered by the version change 1.1.0 -> 2.0.0" in result.stdout


def test_the_gate_refuses_a_break_nothing_answers(tmp_path, releases):
    def both(document):
        _rename(document)
        document["paths"]["/health"]["get"]["security"] = [{"bearerAuth": []}]

    result = _gate(_spec(tmp_path, "spec.yaml", both), releases)
    assert result.returncode == 1
    assert "not covered" in result.stdout and "security-added" in result.stdout
    assert "cannot be answered by converting bodies" in result.stderr


def test_the_gate_refuses_a_break_without_a_new_version(tmp_path, releases):
    result = _gate(_spec(tmp_path, "spec.yaml", _rename, version="1.1.0"), releases)
    assert result.returncode == 1
    assert "set info.version to 2.0.0" in result.stderr
