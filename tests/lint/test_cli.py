"""`harbor lint`: what fails says `error` (exit 1), each place is printed once, as a JSON pointer; no spec is exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harbor_pipeline.lint import __main__ as lint
from harbor_pipeline.tooling import ToolMissing, node_tool

ROOT = Path(__file__).parents[2]
SPEC = (ROOT / "spec" / "openapi.yaml").read_text(encoding="utf-8")


def _lint(tmp_path: Path, text: str) -> tuple[int, list[str]]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "harbor_pipeline.lint", str(spec)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    return done.returncode, done.stderr.splitlines()


def test_a_spectral_warning_fails_and_says_error(tmp_path: Path) -> None:
    untagged = SPEC.replace(
        "      tags: [orders]\n      summary: Create an order\n",
        "      summary: Create an order\n",
        1,
    )
    code, lines = _lint(tmp_path, untagged)
    assert code == 1
    assert lines[0].endswith(
        ': error: Operation must have non-empty "tags" array. [operation-tags] '
        "(at #/paths/~1v1~1orders/post)"
    )
    assert ": warning:" not in lines[0]
    assert "lint fails on every Spectral finding at warn level or above" in lines[-1]


def test_a_schema_error_is_reported_once(tmp_path: Path) -> None:
    broken = SPEC.replace(
        "          description: The order was created.", "          description: 5", 1
    )
    code, lines = _lint(tmp_path, broken)
    assert code == 1
    problems = lines[:-1]
    assert len(problems) == 1, problems
    assert problems[0].endswith("(at #/paths/~1v1~1orders/post/responses/201/description)")


def test_the_owasp_rules_hold_every_secured_operation_to_its_401_and_429(tmp_path: Path) -> None:
    # cancelOrder's 401 and 429, gone: the probes (security: []) need neither, this one does.
    cancel = SPEC.index("      operationId: cancelOrder")
    head, tail = SPEC[:cancel], SPEC[cancel:]
    tail = tail.replace(
        "        '401':\n          $ref: '#/components/responses/Unauthorized'\n", "", 1
    ).replace("        '429':\n          $ref: '#/components/responses/TooManyRequests'\n", "", 1)
    code, lines = _lint(tmp_path, head + tail)
    assert code == 1
    rules = {line.rsplit("[", 1)[1].split("]")[0] for line in lines[:-1]}
    assert rules == {
        "owasp:api8:2023-define-error-responses-401",
        "owasp:api4:2023-rate-limit-responses-429",
    }
    assert all("~1v1~1orders~1{order_id}~1cancel/post/responses" in line for line in lines[:-1])


def test_an_unbounded_request_string_fails_request_values_bounded(tmp_path: Path) -> None:
    unbounded = SPEC.replace(
        "          pattern: '^tok_[A-Za-z0-9]{4,64}$'\n          maxLength: 68\n", "", 1
    )
    code, lines = _lint(tmp_path, unbounded)
    assert code == 1
    assert lines[0].endswith(
        "[request-values-bounded] (at #/components/schemas/CardPaymentMethod/properties/token)"
    )


def test_only_system_probes_may_be_public_and_servers_are_https(tmp_path: Path) -> None:
    public = SPEC.replace(
        "      summary: Cancel an order\n",
        "      summary: Cancel an order\n      security: []\n",
        1,
    ).replace("  - url: http://127.0.0.1:8000\n", "  - url: http://api.harbor.example\n", 1)
    code, lines = _lint(tmp_path, public)
    assert code == 1
    rules = [line.rsplit("[", 1)[1].split("]")[0] for line in lines[:-1]]
    assert "public-operations-are-probes" in rules
    assert "servers-https-beyond-loopback" in rules


def test_a_missing_spec_is_bad_input_not_a_finding(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "harbor_pipeline.lint", str(tmp_path / "absent.yaml")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "absent.yaml" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_node_tool_says_how_to_install_it(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no spectral on PATH either
    with pytest.raises(ToolMissing) as missing:
        node_tool("spectral", start=tmp_path, checkout=tmp_path)
    assert "npm install --save-dev @stoplight/spectral-cli" in str(missing.value)


def test_lint_without_spectral_is_bad_input(tmp_path: Path, monkeypatch, capsys) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")

    def missing(command: str) -> Path:
        raise ToolMissing(f"{command} is not installed: run `npm install ...`")

    monkeypatch.setattr(lint, "node_tool", missing)
    assert lint.main([str(spec)]) == 2
    assert "spectral is not installed" in capsys.readouterr().err


def test_a_finding_in_a_pulled_in_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "pet.yaml").write_text(
        "type: object\nproperties:\n  name: {type: string}\nexample: {name: 5}\n", encoding="utf-8"
    )
    root = SPEC.replace(
        "paths:\n", "paths:\n  /pets:\n    get:\n      operationId: listPets\n"
        "      tags: [orders]\n      summary: Pets\n      description: Pets.\n"
        "      security: []\n      responses:\n        '200':\n          description: Pets.\n"
        "          content:\n            application/json:\n"
        "              schema: {$ref: 'schemas/pet.yaml'}\n", 1,
    )  # fmt: skip
    code, lines = _lint(tmp_path, root)
    (example,) = [line for line in lines if "[oas3-valid-schema-example]" in line]
    assert code == 1
    assert example.startswith(f"{tmp_path}/schemas/pet.yaml:4:17: error: "), example
