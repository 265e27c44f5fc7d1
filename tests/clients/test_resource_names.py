"""Resource groups on every golden spec, and how short names that would collide are resolved."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from harbor_pipeline.codegen.client.fields import body_fields
from harbor_pipeline.codegen.client.parse import parse_client
from harbor_pipeline.codegen.load import load
from harbor_pipeline.corpus.harbor import client_methods

ROOT = Path(__file__).parents[2]
SPECS = sorted((ROOT / "tests/codegen/golden").glob("*/spec.yaml")) + sorted(
    (ROOT / "tests/codegen/specs").glob("*.yaml")
)


def members(spec: Path) -> dict[str, dict[str, str]]:
    api, _, _ = parse_client(load(spec), None)
    return {r.name: {m.name: m.operation.py_name for m in r.members} for r in api.resources}


@pytest.mark.parametrize(
    "spec", SPECS, ids=lambda s: s.parent.name if s.name == "spec.yaml" else s.stem
)
def test_every_operation_is_in_one_group_under_one_unique_name(spec: Path) -> None:
    api, _, _ = parse_client(load(spec), None)
    flat = {op.py_name for op in api.operations}
    grouped = [m.operation.py_name for r in api.resources for m in r.members]
    assert sorted(grouped) == sorted(flat)
    assert not {r.name for r in api.resources} & flat
    for resource in api.all_resources:
        names = [m.name for m in resource.members]
        names += [m.iter_name for m in resource.members if m.operation.pagination]
        assert len(names) == len(set(names)), resource.name
        assert len({m.ts_name for m in resource.members}) == len(resource.members)
        # A sub-resource takes no name of its parent's members (nor another sub-resource's).
        children = [c.name for c in resource.children]
        assert len(children) == len(set(children)) and not set(children) & set(names)


def test_groups_come_from_tags_then_the_first_path_segment() -> None:
    assert members(ROOT / "spec/openapi.yaml")["orders"] == {
        "create": "create_order",
        "get": "get_order",
        "cancel": "cancel_order",
        "list_customer_orders": "list_customer_orders",  # the noun does not follow the verb
    }
    assert (
        members(ROOT / "tests/codegen/specs/petstore.yaml")["pets"]["show_by_id"]
        == "show_pet_by_id"
    )


def spec_file(tmp_path: Path, operations: dict[str, tuple[str, str | None]]) -> Path:
    paths: dict[str, dict[str, object]] = {}
    for operation_id, (path, tag) in operations.items():
        paths.setdefault(path, {})["get"] = {
            "operationId": operation_id,
            **({"tags": [tag]} if tag else {}),
            "responses": {"204": {"description": "done"}},
        }
    document = {"openapi": "3.1.0", "info": {"title": "T", "version": "1"}, "paths": paths}
    target = tmp_path / "spec.yaml"
    target.write_text(yaml.safe_dump(document), encoding="utf-8")
    return target


def test_two_operations_with_one_short_name_both_keep_their_flat_names(tmp_path: Path) -> None:
    spec = spec_file(
        tmp_path,
        {
            "listOrders": ("/v1/orders", "orders"),
            "ordersList": ("/v1/orders/all", "orders"),
            "getOrder": ("/v1/orders/latest", None),  # untagged: the first segment after `v1`
        },
    )
    assert members(spec) == {
        "orders": {"list_orders": "list_orders", "orders_list": "orders_list", "get": "get_order"}
    }


def test_a_group_named_like_a_flat_method_or_a_client_attribute_is_renamed(tmp_path: Path) -> None:
    spec = spec_file(
        tmp_path,
        {"orders": ("/orders", "orders"), "ping": ("/p", "with_options"), "close": ("/c", "x")},
    )
    assert set(members(spec)) == {"orders_", "with_options_", "x"}
    assert members(spec)["x"] == {"close_": "close_"}  # a reserved method name stays flat


def test_a_group_named_property_is_renamed_and_the_client_imports(tmp_path: Path) -> None:
    # azure.com/apimanagement-apimproperties: `def property(self)` in the client's class body
    # shadowed the builtin, and the next `@property` raised TypeError at import.
    spec = spec_file(
        tmp_path, {"listProperties": ("/p", "property"), "listPets": ("/pets", "pets")}
    )
    assert set(members(spec)) == {"property_", "pets"}
    assert client_methods(load(spec)) == 2  # generated, imported, opened and closed


def nested(spec: Path) -> dict[str, dict[str, str]]:
    api, _, _ = parse_client(load(spec), None)
    return {
        c.path: {m.name: m.operation.py_name for m in c.members}
        for c in api.all_resources
        if c.parent
    }


def test_nested_paths_make_sub_resources_named_without_both_nouns() -> None:
    assert nested(ROOT / "spec/openapi.yaml") == {
        "customers.orders": {"list": "list_customer_orders"}
    }  # not /webhook-endpoints/{id}/rotate-secret (an action) nor /deliveries (no shorter name)


def with_path_parameters(spec: Path) -> Path:
    """`spec` with each path's `{name}` declared, as the validator wants."""
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    for path, item in document["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        params = [
            {"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names
        ]
        for operation in item.values():
            operation["parameters"] = params
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    return spec


def test_a_sub_resource_gives_way_to_a_member_or_a_flat_method_of_its_name(tmp_path: Path) -> None:
    spec = with_path_parameters(
        spec_file(
            tmp_path,
            {
                "listCustomerOrders": ("/v1/customers/{id}/orders", "orders"),
                "getCustomerOrder": ("/v1/customers/{id}/orders/{order_id}", "orders"),
                "listUserPosts": ("/users/{id}/posts", "posts"),
            },
        )
    )
    assert nested(spec) == {
        "customers.orders": {"list": "list_customer_orders", "get": "get_customer_order"},
        "users.posts": {"list": "list_user_posts"},
    }
    taken = with_path_parameters(
        spec_file(
            tmp_path,
            {
                "listCustomerOrders": ("/v1/customers/{id}/orders", "orders"),
                "orders": ("/v1/customers/{id}", "customers"),  # a member `orders` of customers
                "listUserPosts": ("/users/{id}/posts", "posts"),
                "users": ("/u", "other"),  # a flat method `users`
            },
        )
    )
    assert nested(taken) == {}


MODELS = """
class Kind(OpenStrEnum):
    A = "a"

class Inner(BaseModel):
    x: int

class Body(BaseModel):
    name: Annotated[str, Field(max_length=3)]
    inner: Inner | None = None
    kinds: list[Kind]
    at: AwareDatetime | None = None

class Aliased(BaseModel):
    from_: Annotated[str, Field(alias="from")]

class Odd(BaseModel):
    when: SomethingElse
"""


def test_body_fields_take_the_models_types_widened_for_dicts_and_enum_strings() -> None:
    fields = body_fields(MODELS, "models.Body", frozenset())
    assert fields is not None
    assert [(f.name, f.annotation, f.required) for f in fields] == [
        ("name", "str", True),
        ("inner", "models.Inner | dict[str, JsonValue] | None", False),
        ("kinds", "list[models.Kind | str]", True),
        ("at", "datetime | None", False),
    ]
    # An alias, a type the operations module cannot name, a taken name: the model only.
    assert body_fields(MODELS, "models.Aliased", frozenset()) is None
    assert body_fields(MODELS, "models.Odd", frozenset()) is None
    assert body_fields(MODELS, "models.Body", frozenset({"kinds"})) is None
    assert body_fields(MODELS, "bytes", frozenset()) is None


def test_a_parent_made_for_nested_paths_is_not_described_as_the_webhooks_group() -> None:
    api, _, _ = parse_client(load(ROOT / "spec/openapi.yaml"), None)
    described = {r.name: r.description for r in api.resources}
    assert described["customers"] == "The customers operations."
    assert "webhook" not in described["customers"].lower()
