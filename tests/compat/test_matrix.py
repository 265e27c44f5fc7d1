"""The compat matrix's parts that need no venv: the response fuzz and the table."""

from __future__ import annotations

from harbor_client import models

from harbor_pipeline.compat.matrix import render
from tests.clients.mock import ORDER
from tests.compat.scenario import UNKNOWN_FIELD, UNKNOWN_VALUE, fuzzed, properties


def test_the_fuzz_finds_enums_and_maps_from_the_clients_own_models() -> None:
    enums, maps = properties(models)
    assert "status" in enums and "currency" not in enums
    assert "metadata" in maps


def test_every_object_gets_an_unknown_field_and_every_enum_an_unknown_value() -> None:
    page = {"data": [{**ORDER, "metadata": {"k": "v"}}], "next_cursor": None}
    out = fuzzed(page, *properties(models))
    order = out["data"][0]
    assert UNKNOWN_FIELD in out and UNKNOWN_FIELD in order
    assert order["status"] == UNKNOWN_VALUE
    assert order["metadata"] == {"k": "v"}  # the partner's map, left as it was
    assert models.OrderPage.model_validate(out).data[0].status.known is False


def test_the_table_has_a_row_per_client_and_escapes_failures() -> None:
    cells = {
        ("1.10.0", "head"): None,
        ("1.2.0", "head"): "AssertionError: list: 1 | 2",
    }
    assert render(["head"], cells).splitlines() == [
        "| client | head |",
        "| --- | --- |",
        "| 1.2.0 | FAIL: AssertionError: list: 1 \\| 2 |",
        "| 1.10.0 | pass |",
    ]
