"""For all bodies: an old request, upgraded, is a valid newest request; a newest response,
downgraded, is a valid old response. Bodies come from schemathesis (the same generator the
fuzz uses), validated with jsonschema against the released specs themselves."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generated.version_changes import NEWEST, VERSIONS, bind

ROOT = Path(__file__).resolve().parents[2]
OLD = [v for v in VERSIONS if v != NEWEST]
_VERSIONS = bind()


def _document(version: str) -> dict:
    path = ROOT / ("spec/openapi.yaml" if version == NEWEST else f"spec/releases/{version}.yaml")
    return yaml.safe_load(path.read_text())


def _validator(document: dict, schema: str) -> jsonschema.protocols.Validator:
    # The component, with the document's components beside it so its $refs resolve.
    root = {"$ref": f"#/components/schemas/{schema}", "components": document["components"]}
    return jsonschema.Draft202012Validator(root)


def _bodies(document: dict, schema: str) -> st.SearchStrategy[object]:
    """Valid instances of one component: the body of a one-operation document that takes it."""
    probe = {
        "openapi": document["openapi"],
        "info": {"title": "probe", "version": "1"},
        "paths": {
            "/probe": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": copy.deepcopy(document["components"]),
    }
    operation = schemathesis.openapi.from_dict(probe)["/probe"]["POST"]
    return operation.as_strategy().map(lambda case: case.body)


@pytest.mark.parametrize("version", OLD)
def test_an_old_create_request_upgraded_is_a_valid_newest_request(version):
    newest = _validator(_document(NEWEST), "OrderCreate")

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_bodies(_document(version), "OrderCreate"))
    def check(body):
        newest.validate(_VERSIONS.upgrade("POST /v1/orders", version, copy.deepcopy(body)))

    check()


@pytest.mark.parametrize("version", OLD)
def test_a_newest_order_downgraded_is_a_valid_old_order(version):
    old = _validator(_document(version), "Order")

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_bodies(_document(NEWEST), "Order"))
    def check(order):
        old.validate(
            _VERSIONS.downgrade("GET /v1/orders/{order_id}", version, 200, copy.deepcopy(order))
        )
        page = {"data": [order], "next_cursor": None}
        downgraded = _VERSIONS.downgrade(
            "GET /v1/customers/{customer_id}/orders", version, 200, page
        )
        _validator(_document(version), "OrderPage").validate(downgraded)

    check()


def test_the_check_fails_without_the_conversion():
    # The property above could fail: a newest order is not a valid 1.1.0 order as it stands.
    old = _validator(_document("1.1.0"), "Order")
    newest_example = _document(NEWEST)["components"]["examples"]["PendingOrder"]["value"]
    with pytest.raises(jsonschema.ValidationError):
        old.validate(newest_example)
    old.validate(_VERSIONS.downgrade("GET /v1/orders/{order_id}", "1.1.0", 200, newest_example))
