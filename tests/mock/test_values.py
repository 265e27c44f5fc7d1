"""Values the mock makes up validate against their schemas, the same value every time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scripts.breaking.load import load_spec
from scripts.mock.app import MockApp
from scripts.mock.document import child_pointer, open_document
from scripts.mock.patterns import matching
from scripts.mock.values import generate

from .conftest import HARBOR, SPECS, mock_of


def _schema_pointers(spec: Path) -> list[str]:
    document = mock_of(spec).document
    schemas = document.root.get("components", {}).get("schemas", {})  # type: ignore[attr-defined]
    return [child_pointer("#", "components", "schemas", name) for name in schemas]


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
def test_every_component_schema_gets_a_valid_deterministic_value(spec: Path) -> None:
    document = mock_of(spec).document
    pointers = _schema_pointers(spec)
    assert pointers
    for pointer in pointers:
        value = generate(document, pointer)
        assert document.errors(pointer, value, "body") == [], pointer
        assert generate(document, pointer) == value


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
def test_every_documented_answer_and_header_is_valid(spec: Path) -> None:
    """What the mock sends by default validates against the documented schemas."""
    app = mock_of(spec)
    checked = 0
    for operation in app.operations:
        for answer in operation.answers:
            if answer.schema is not None:
                assert app.document.is_valid(answer.schema, answer.body), (
                    operation.path,
                    answer.key,
                )
                checked += 1
            for header in answer.headers:
                if header.schema is not None:
                    value: object = int(header.value) if header.value.isdigit() else header.value
                    assert app.document.is_valid(header.schema, value), header.name
    assert checked >= len(app.operations)


def test_values_honour_formats_bounds_and_patterns() -> None:
    document = mock_of(HARBOR).document
    webhook = generate(document, "#/components/schemas/WebhookDelivery")
    assert isinstance(webhook, dict)
    assert re.fullmatch(r"[0-9a-f-]{36}", webhook["id"])
    assert webhook["created_at"] == "2026-01-01T00:00:00Z"
    assert webhook["attempt_count"] == 0 and webhook["event_type"] == "order.created"
    secret = generate(document, "#/components/schemas/WebhookSecretRotated")
    assert isinstance(secret, dict) and secret["secret"].startswith("whsec_")
    # Nullable members are generated as a value of their non-null type.
    assert isinstance(secret["previous_secret_expires_at"], str)


def test_a_schema_no_value_can_satisfy_is_reported_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "impossible.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n"
        "      responses:\n        '200':\n          description: never\n"
        "          content:\n            application/json:\n"
        "              schema: {type: integer, minimum: 5, maximum: 1}\n"
    )
    MockApp(open_document(load_spec(str(spec))))
    assert "warning: no valid value for this schema" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("pattern", "minimum", "expected"),
    [
        (r"^[A-Za-z0-9_-]+$", 0, "a"),
        (r"^tok_[A-Za-z0-9]{4,64}$", 0, "tok_aaaa"),
        (r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$", 0, "AA0000000000000"),
        (r"^[^\x00]*$", 5, "aaaaa"),
        (r"^(cat|dog)s?$", 0, "cats"),
        (r"\d{3}-\w", 0, "000-a"),
    ],
)
def test_a_string_for_a_pattern(pattern: str, minimum: int, expected: str) -> None:
    assert matching(pattern, min_length=minimum) == expected


def test_a_pattern_it_cannot_honour_is_none() -> None:
    assert matching(r"^(?!a)[a]$") is None  # a lookahead it does not follow
    assert matching(r"^[a-z]{10}$", max_length=3) is None
    assert matching(r"(") is None


def test_a_schema_that_requires_itself_ends(tmp_path: Path) -> None:
    spec = tmp_path / "recursive.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        "    Node:\n      type: object\n      required: [next]\n"
        "      properties:\n        next: {$ref: '#/components/schemas/Node'}\n"
    )
    document = open_document(load_spec(str(spec)))
    value = generate(document, "#/components/schemas/Node")
    depth = 0
    while isinstance(value, dict):
        value, depth = value["next"], depth + 1
    assert value is None and depth > 8
