"""`gate` (what `make breaking` runs) and `release` (what `make release` runs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harbor_pipeline.breaking.__main__ import main
from harbor_pipeline.breaking.load import load_spec
from harbor_pipeline.breaking.release import Version, with_version

SPEC = """\
openapi: 3.1.0
info:
  title: Orders
  # the contract's own version
  version: {version}
paths:
  /orders:
    get:
      parameters:
        - {{name: limit, in: query, {required}schema: {{type: integer}}}}
      responses:
        '200': {{description: ok}}
{extra}"""
ADDED = """\
  /refunds:
    get:
      responses:
        '200': {description: ok}
"""


def _spec(
    path: Path, version: str = "1.0.0", *, breaking: bool = False, added: bool = False
) -> str:
    required = "required: true, " if breaking else ""
    path.write_text(SPEC.format(version=version, required=required, extra=ADDED if added else ""))
    return str(path)


@pytest.fixture
def releases(tmp_path: Path) -> Path:
    folder = tmp_path / "releases"
    folder.mkdir()
    _spec(folder / "1.0.0.yaml")
    _spec(folder / "0.9.0.yaml")
    return folder


def test_gate_without_releases_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gate", _spec(tmp_path / "spec.yaml"), str(tmp_path / "none")]) == 0
    assert "no release" in capsys.readouterr().out


def test_gate_compatible(tmp_path: Path, releases: Path) -> None:
    assert main(["gate", _spec(tmp_path / "spec.yaml", added=True), str(releases)]) == 0


def test_gate_fails_on_a_break_and_says_how_to_accept_it(
    tmp_path: Path, releases: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec(tmp_path / "spec.yaml", breaking=True)
    assert main(["gate", spec, str(releases)]) == 1
    out, err = capsys.readouterr()
    assert "GET /orders" in out
    assert "request-parameter-became-required: query parameter 'limit' became required" in out
    assert "breaks release 1.0.0" in err
    assert "set info.version to 2.0.0" in err


def test_gate_refuses_a_break_no_version_change_answers_even_as_the_next_major(
    tmp_path: Path, releases: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A new required parameter cannot be answered by converting bodies: the old version's
    # callers would break, so a major version alone no longer waves it through.
    spec = _spec(tmp_path / "spec.yaml", "2.0.0", breaking=True)
    assert main(["gate", spec, str(releases)]) == 1
    out, err = capsys.readouterr()
    assert "not covered" in out and "request-parameter-became-required" in out
    assert "cannot be answered by converting bodies" in err


@pytest.mark.parametrize("version", ["1.1.0", "3.0.0", "10.0.0"])
def test_gate_rejects_anything_but_the_next_major(
    tmp_path: Path, releases: Path, version: str
) -> None:
    assert main(["gate", _spec(tmp_path / "spec.yaml", version, breaking=True), str(releases)]) == 1


def test_gate_rejects_a_misnamed_release(
    tmp_path: Path, releases: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _spec(releases / "latest.yaml")
    assert main(["gate", _spec(tmp_path / "spec.yaml"), str(releases)]) == 2
    assert "MAJOR.MINOR.PATCH.yaml" in capsys.readouterr().err


def test_release_sets_the_version_and_keeps_the_file(
    tmp_path: Path, releases: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec(tmp_path / "spec.yaml", added=True)
    assert main(["release", spec, str(releases), "1.1.0"]) == 0
    written = (releases / "1.1.0.yaml").read_text()
    assert written == Path(spec).read_text().replace("version: 1.0.0", "version: 1.1.0")
    out = capsys.readouterr().out
    assert "### Added" in out  # the changelog section for the release notes
    assert "still says info.version 1.0.0; set it to 1.1.0" in out


@pytest.mark.parametrize(
    ("version", "breaking", "added", "problem"),
    [
        ("1.0.1", False, True, "the changes add to 1.0.0: release 1.1.0 or later"),
        ("1.1.0", True, False, "the changes break 1.0.0: release 2.0.0"),
        ("1.0.0", False, False, "1.0.0 is not newer than the newest release 1.0.0"),
        ("0.9.5", False, False, "0.9.5 is not newer"),
    ],
)
def test_release_refuses_an_inconsistent_version(
    tmp_path: Path,
    releases: Path,
    capsys: pytest.CaptureFixture[str],
    version: str,
    breaking: bool,
    added: bool,
    problem: str,
) -> None:
    spec = _spec(tmp_path / "spec.yaml", breaking=breaking, added=added)
    assert main(["release", spec, str(releases), version]) == 1
    assert problem in capsys.readouterr().err
    assert not (releases / f"{version}.yaml").exists() or version == "1.0.0"


@pytest.mark.parametrize(("version", "breaking"), [("1.0.1", False), ("2.0.0", True)])
def test_release_accepts_a_consistent_version(
    tmp_path: Path, releases: Path, version: str, breaking: bool
) -> None:
    assert (
        main(["release", _spec(tmp_path / "spec.yaml", breaking=breaking), str(releases), version])
        == 0
    )
    assert (releases / f"{version}.yaml").exists()


def test_first_release(tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    assert main(["release", _spec(tmp_path / "spec.yaml"), str(folder), "1.0.0"]) == 0
    assert (folder / "1.0.0.yaml").exists()


def test_release_bad_version(
    tmp_path: Path, releases: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["release", _spec(tmp_path / "spec.yaml"), str(releases), "v2"]) == 2
    assert "expected MAJOR.MINOR.PATCH" in capsys.readouterr().err


def test_with_version_keeps_quotes_and_touches_nothing_else() -> None:
    text = "openapi: 3.1.0\ninfo:\n  title: t\n  version: '1.0.0'\n  x-meta: {version: keep}\npaths: {}\n"
    assert with_version("s", text, Version(1, 2, 3)) == text.replace("'1.0.0'", "'1.2.3'")


def test_versions_order_numerically() -> None:
    assert Version.parse("1.10.0") > Version.parse("1.9.9")  # type: ignore[operator]
    assert Version.parse("01.0.0") is None


def test_a_multi_file_spec_is_released_as_one_bundled_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas/pet.yaml").write_text(
        "type: object\nrequired: [name]\nproperties:\n  name: {type: string}\n"
        "  born: {type: string, format: date, example: 2024-01-01}\n"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SPEC.format(version="1.0.0", required="", extra="")
        + "components:\n  schemas:\n    Pet: {$ref: './schemas/pet.yaml'}\n"
    )
    folder = tmp_path / "releases"
    assert main(["release", str(spec), str(folder), "1.0.0"]) == 0, capsys.readouterr().err
    released = folder / "1.0.0.yaml"
    text = released.read_text()
    assert "$ref: ./schemas" not in text and "'./schemas/pet.yaml'" not in text
    assert text.startswith(f"# Released from {spec}, bundled with the files its $refs pull in:")
    # Self-contained: it loads alone, from a folder without the schemas, as the gate reads it.
    alone = tmp_path / "elsewhere"
    alone.mkdir()
    (alone / "1.0.0.yaml").write_text(text)
    moved = load_spec(str(alone / "1.0.0.yaml"))
    assert moved.root == load_spec(str(spec)).root
    assert "example: '2024-01-01'" in text  # a date-like string stays a string
    # And the gate compares the spec with it: nothing changed, so nothing breaks.
    assert main(["gate", str(spec), str(folder)]) == 0
