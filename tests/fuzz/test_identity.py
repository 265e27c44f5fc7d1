"""The fuzz client's identity rules: valid values act for the fuzz customer, invalid stay."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from harbor_pipeline.fuzz import identity


def case(operation: str, body: Any = None, path: dict[str, Any] | None = None) -> Any:
    definition = SimpleNamespace(raw={"operationId": operation})
    return SimpleNamespace(
        operation=SimpleNamespace(definition=definition, label=operation),
        body=body,
        headers={},
        path_parameters=path or {},
    )


@pytest.mark.parametrize("version", ["0.0.000000000000000000000000000", "9.9.9", "1.0.0"])
def test_a_pin_moves_only_to_the_version_being_fuzzed(monkeypatch, version):
    monkeypatch.setattr(identity, "API_VERSION", "2.0.0")
    moved = identity.as_fuzz_client(
        case("setApiVersionPin", {"version": version}, {"customer_id": "abc"})
    )
    assert moved.body == {"version": "2.0.0"}
    assert moved.path_parameters == {"customer_id": identity.CUSTOMER}


@pytest.mark.parametrize(
    "version", ["1.0", "v1.0.0", "1.0.0" + "0" * 30, 100, None], ids=str
)  # each refused by the ApiVersion schema: the case stays negative
def test_an_invalid_version_stays_as_generated(monkeypatch, version):
    monkeypatch.setattr(identity, "API_VERSION", "2.0.0")
    assert identity.as_fuzz_client(case("setApiVersionPin", {"version": version})).body == {
        "version": version
    }


def test_without_a_known_version_the_pin_is_left_as_generated(monkeypatch):
    monkeypatch.setattr(identity, "API_VERSION", "")
    assert identity.as_fuzzed_version("9.9.9") == "9.9.9"


@pytest.mark.parametrize("operation", ["getApiVersionPin", "listCustomerOrders"])
def test_every_customer_path_acts_for_the_fuzz_customer(operation):
    mapped = identity.as_fuzz_client(case(operation, path={"customer_id": "cus_other"}))
    assert mapped.path_parameters["customer_id"] == identity.CUSTOMER
    invalid = identity.as_fuzz_client(case(operation, path={"customer_id": "no spaces"}))
    assert invalid.path_parameters["customer_id"] == "no spaces"
