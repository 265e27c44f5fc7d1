"""operationIds that differ in case only, in two tags: the server keeps them apart by module,
and the client (one namespace) names the later one `_2` with a warning instead of refusing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.codegen.test_cli import codegen

SPEC = """\
openapi: 3.1.0
info: {title: Otp, version: 1.0.0}
paths:
  /a/otp:
    post:
      tags: [a]
      operationId: generateOTP
      responses: {'204': {description: Sent.}}
  /b/otp:
    post:
      tags: [b]
      operationId: generateOtp
      responses: {'204': {description: Sent.}}
"""


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def test_the_later_operation_gets_a_suffix_in_document_order(spec: Path, tmp_path: Path) -> None:
    result = codegen("client", str(spec), str(tmp_path / "py"), "--lang", "python")
    assert result.returncode == 0, result.stderr
    assert "the second is 'generate_otp_2'" in result.stderr and "warning" in result.stderr
    operations = next((tmp_path / "py").rglob("_operations.py")).read_text(encoding="utf-8")
    first, second = (operations.index(f"\ndef {n}(") for n in ("generate_otp", "generate_otp_2"))
    assert operations.index("/a/otp", first) < operations.index("/b/otp", second)


def test_the_typescript_client_names_them_the_same_way(spec: Path, tmp_path: Path) -> None:
    result = codegen("client", str(spec), str(tmp_path / "ts"), "--lang", "typescript")
    assert result.returncode == 0, result.stderr
    index = (tmp_path / "ts" / "src" / "index.ts").read_text(encoding="utf-8")
    assert "generateOtp2" in index and "generateOtp(" in index
