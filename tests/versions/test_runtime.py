"""The generated conversions between served versions (generated/version_changes)."""

from __future__ import annotations

from pathlib import Path

import yaml

from generated.version_changes import NEWEST, VERSIONS, bind
from generated.version_changes._runtime import VersionChange, Versions, version_key

ROOT = Path(__file__).resolve().parents[2]
SPEC, RELEASES = ROOT / "spec" / "openapi.yaml", ROOT / "spec" / "releases"
CREATE = "POST /v1/orders"
LIST = "GET /v1/customers/{customer_id}/orders"


def test_every_release_and_the_newest_are_served_oldest_first():
    released = sorted((p.stem for p in RELEASES.glob("*.yaml")), key=version_key)
    assert (*released, *([NEWEST] if NEWEST not in released else [])) == VERSIONS
    assert yaml.safe_load(SPEC.read_text())["info"]["version"] == NEWEST
    assert sorted(VERSIONS, key=version_key) == list(VERSIONS)


def test_an_old_request_is_upgraded_through_every_later_version():
    versions = bind()
    body = {"customer_id": "cus_1", "description": "Gym", "amount_cents": 5}
    for old in ("1.0.0", "1.1.0"):
        upgraded = versions.upgrade(CREATE, old, body)
        assert upgraded == {
            "customer_id": "cus_1",
            "statement_descriptor": "Gym",
            "amount_cents": 5,
        }
        # The properties keep their order: clients and logs read them as sent.
        assert list(upgraded) == ["customer_id", "statement_descriptor", "amount_cents"]
    assert versions.upgrade(CREATE, "2.0.0", body) is body


def test_a_newest_response_is_downgraded_everywhere_the_order_appears():
    versions = bind()
    order = {"id": "o1", "statement_descriptor": None, "status": "pending"}
    page = {"data": [order, {**order, "id": "o2"}], "next_cursor": None}
    assert versions.downgrade(LIST, "1.1.0", 200, page) == {
        "data": [
            {"id": "o1", "description": None, "status": "pending"},
            {"id": "o2", "description": None, "status": "pending"},
        ],
        "next_cursor": None,
    }
    assert versions.downgrade(CREATE, "1.0.0", 201, order)["description"] is None
    payload = {"type": "order.created", "data": order}
    assert versions.downgrade_payload("WEBHOOK POST order.created", "1.1.0", payload)["data"] == {
        "id": "o1",
        "description": None,
        "status": "pending",
    }
    assert versions.downgrade(LIST, "2.0.0", 200, page) is page
    # A problem is the same in every version: nothing to convert.
    problem = {"title": "Not found", "statement_descriptor": 1}
    assert versions.downgrade(LIST, "1.1.0", 404, problem) is problem


def test_a_validation_pointer_is_named_as_the_callers_version_names_it():
    versions = bind()
    assert versions.downgrade_pointer(CREATE, "1.1.0", "/statement_descriptor") == "/description"
    assert (
        versions.downgrade_pointer(CREATE, "2.0.0", "/statement_descriptor")
        == "/statement_descriptor"
    )
    assert versions.downgrade_pointer(CREATE, "1.1.0", "/amount_cents") == "/amount_cents"
    assert versions.downgrade_pointer(CREATE, "1.1.0", "") == ""


def test_a_request_path_finds_its_operation():
    versions = bind()
    assert versions.operation("POST", "/v1/orders") == CREATE
    assert (
        versions.operation("POST", "/v1/orders/0193/cancel") == "POST /v1/orders/{order_id}/cancel"
    )
    assert versions.operation("GET", "/v1/orders/0193") == "GET /v1/orders/{order_id}"
    assert versions.operation("GET", "/v1/orders/0193/cancel") is None
    assert versions.operation("DELETE", "/v1/orders") is None


def test_written_conversions_see_the_newer_names_and_run_in_version_order():
    seen: list[tuple[str, dict[str, object]]] = []

    def upgrade(body):
        seen.append(("up", dict(body)))
        rest = {k: v for k, v in body.items() if k != "cents"}
        return {**rest, "amount": {"value": body.get("cents", 0)}}

    def downgrade(body):
        seen.append(("down", dict(body)))
        return {**body, "legacy": True}

    steps = [
        VersionChange(
            "2.0.0", "1.0.0", {"Thing": (("new", "old"),)}, {"Thing": upgrade}, {"Thing": downgrade}
        ),
        VersionChange("3.0.0", "2.0.0", {"Thing": (("newer", "new"),)}),
    ]
    places = {"POST /t": {"request": (((), "Thing"),), "200": ((("items", "*"), "Thing"),)}}
    versions = Versions(["1.0.0", "2.0.0", "3.0.0"], steps, places, [("POST", "/t", "POST /t")])
    upgraded = versions.upgrade("POST /t", "1.0.0", {"old": 1, "cents": 5})
    assert seen[0] == ("up", {"new": 1, "cents": 5})
    assert upgraded == {"newer": 1, "amount": {"value": 5}}
    downgraded = versions.downgrade("POST /t", "1.0.0", 200, {"items": [{"newer": 2}]})
    assert seen[1] == ("down", {"new": 2})
    assert downgraded == {"items": [{"old": 2, "legacy": True}]}
    assert versions.downgrade("POST /t", "2.0.0", 200, {"items": [{"newer": 2}]}) == {
        "items": [{"new": 2}]
    }


def test_a_name_the_callers_version_does_not_have_stays_unknown_through_every_step():
    steps = [
        VersionChange("2.0.0", "1.0.0", {"Thing": (("new", "old"),)}),
        VersionChange("3.0.0", "2.0.0", {"Thing": (("newer", "new"),)}),
    ]
    places = {"POST /t": {"request": (((), "Thing"),)}}
    versions = Versions(["1.0.0", "2.0.0", "3.0.0"], steps, places, [("POST", "/t", "POST /t")])
    # 1.0.0 has only `old`: `new` and `newer` are unknown there, so the newest must refuse them.
    upgraded = versions.upgrade("POST /t", "1.0.0", {"old": 1, "new": 2, "newer": 3})
    assert isinstance(upgraded, dict)
    assert upgraded["newer"] == 1 and set(upgraded) == {"newer", "\x00new", "\x00newer"}
    # Their 422 pointers name them as the caller sent them, not as an older name.
    assert versions.downgrade_pointer("POST /t", "1.0.0", "/\x00new") == "/new"
    assert versions.downgrade_pointer("POST /t", "1.0.0", "/\x00newer") == "/newer"
    assert versions.downgrade_pointer("POST /t", "1.0.0", "/newer") == "/old"
