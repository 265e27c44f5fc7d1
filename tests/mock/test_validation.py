"""What the mock refuses: missing credentials, invalid parameters and bodies, unknown routes."""

from __future__ import annotations

from pathlib import Path

import httpx

from harbor_pipeline.mock.app import with_cors
from harbor_pipeline.mock.validate import Sent, missing_credentials

from .conftest import BEARER, HARBOR, ORDER_ID, SHAPES, client_of, mock_of

ORDER_BODY = {"customer_id": "cus_123", "amount_cents": 100, "currency": "EUR"}
CREATE = {**BEARER, "Idempotency-Key": "key-1"}
LIST = "/v1/customers/cus_123/orders"
SHAPE = "/shapes/0193a5b2-7c4e-7d1a-9f3b-2c4d5e6f7a8b"


def errors(response: httpx.Response) -> list[tuple[str, str]]:
    return [(e["location"], e["pointer"]) for e in response.json()["errors"]]


async def test_query_parameters_are_read_as_their_type_and_bounded(
    harbor: httpx.AsyncClient,
) -> None:
    assert (await harbor.get(LIST, params={"limit": "100"}, headers=BEARER)).status_code == 200
    for limit in ("0", "101", "ten", "1.5"):
        response = await harbor.get(LIST, params={"limit": limit}, headers=BEARER)
        assert response.status_code == 400, limit
        assert response.headers["content-type"] == "application/problem+json"
        assert errors(response) == [("query", "/limit")]
        assert response.json()["type"].endswith("/invalid-parameter")


async def test_patterns_enums_and_formats_of_parameters(harbor: httpx.AsyncClient) -> None:
    bad_cursor = await harbor.get(LIST, params={"cursor": "a b"}, headers=BEARER)
    assert errors(bad_cursor) == [("query", "/cursor")]
    bad_customer = await harbor.get("/v1/customers/bad%20id/orders", headers=BEARER)
    assert errors(bad_customer) == [("path", "/customer_id")]
    deliveries = "/v1/webhook-endpoints/0193a5b2-7c4e-7d1a-9f3b-2c4d5e6f7a8b/deliveries"
    bad_status = await harbor.get(deliveries, params={"status": "lost"}, headers=BEARER)
    assert errors(bad_status) == [("query", "/status")]
    bad_uuid = await harbor.get("/v1/orders/not-a-uuid", headers=BEARER)
    assert errors(bad_uuid) == [("path", "/order_id")]
    assert "is not a 'uuid'" in bad_uuid.json()["errors"][0]["message"]


async def test_a_missing_required_header_is_a_400(harbor: httpx.AsyncClient) -> None:
    response = await harbor.post("/v1/orders", headers=BEARER, json=ORDER_BODY)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"location": "header", "pointer": "/Idempotency-Key", "message": "is required"}
    ]


async def test_body_errors_are_422_with_pointers(harbor: httpx.AsyncClient) -> None:
    body = {"customer_id": "cus_123", "amount_cents": 0, "extra": 1}
    response = await harbor.post("/v1/orders", headers=CREATE, json=body)
    assert response.status_code == 422
    assert response.json()["type"].endswith("/validation-error")
    assert sorted(errors(response)) == [
        ("body", ""),
        ("body", "/amount_cents"),
        ("body", "/currency"),
    ]
    garbled = await harbor.post(
        "/v1/orders", headers={**CREATE, "Content-Type": "application/json"}, content=b"{"
    )
    assert garbled.status_code == 422 and "not valid JSON" in garbled.json()["errors"][0]["message"]
    empty = await harbor.post("/v1/orders", headers=CREATE)
    assert empty.status_code == 422 and "required" in empty.json()["errors"][0]["message"]


async def test_a_body_of_another_media_type_is_415(harbor: httpx.AsyncClient) -> None:
    response = await harbor.post(
        "/v1/orders", headers={**CREATE, "Content-Type": "text/plain"}, content=b"hello"
    )
    assert response.status_code == 415
    assert response.json()["detail"] == "The request body must be application/json."


async def test_openapi_30_body_errors_are_400_without_a_documented_422(
    pets: httpx.AsyncClient,
) -> None:
    key = {"X-API-Key": "k"}
    nullable = await pets.post("/pets", headers=key, json={"name": "Rex", "birthday": None})
    assert nullable.status_code == 201  # `nullable: true` admits null
    # ... but not into an enum that does not list it (OpenAPI 3.0.3).
    enum = await pets.post("/pets", headers=key, json={"name": "Rex", "kind": None})
    assert enum.status_code == 400 and errors(enum) == [("body", "/kind")]
    assert nullable.headers["location"] == "/example"
    invalid = await pets.post("/pets", headers=key, json={"name": "", "kind": "fish"})
    assert invalid.status_code == 400
    assert sorted(errors(invalid)) == [("body", "/kind"), ("body", "/name")]
    assert invalid.json()["title"] == "The request is invalid"


async def test_openapi_30_boolean_exclusive_minimum_and_exploded_arrays(
    pets: httpx.AsyncClient,
) -> None:
    key = {"X-API-Key": "k"}
    assert (await pets.get("/pets?limit=0", headers=key)).status_code == 400
    assert (await pets.get("/pets?limit=1&tags=a&tags=b", headers=key)).status_code == 200
    bad_tag = await pets.get("/pets?tags=a&tags=B", headers=key)
    assert errors(bad_tag) == [("query", "/tags/1")]
    assert (await pets.get("/pets/0", headers=key)).status_code == 400  # path minimum 1


async def test_unknown_paths_are_404_and_undocumented_methods_405(
    harbor: httpx.AsyncClient,
) -> None:
    unknown = await harbor.get("/v2/nothing")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    method = await harbor.patch(f"/v1/orders/{ORDER_ID}", headers=BEARER)
    assert method.status_code == 405 and method.headers["allow"] == "GET"
    head = await harbor.head("/health")
    assert head.status_code == 405  # HEAD is not documented either


async def test_bearer_credentials_must_be_present_and_shaped_as_documented(
    harbor: httpx.AsyncClient,
) -> None:
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer not-a-jwt"}):
        response = await harbor.get(f"/v1/orders/{ORDER_ID}", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["type"].endswith("/unauthenticated")
    # Checked before parameters, as a server's security layer would.
    assert (await harbor.get("/v1/orders/bad")).status_code == 401
    assert (await harbor.get("/health")).status_code == 200  # `security: []`


async def test_an_api_key_header_is_enough_and_needed(pets: httpx.AsyncClient) -> None:
    missing = await pets.get("/pets")
    assert missing.status_code == 401 and "www-authenticate" not in missing.headers
    assert missing.json()["detail"] == "The request has no apiKey."
    assert (await pets.get("/pets", headers={"x-api-key": "any"})).status_code == 200


async def test_any_security_alternative_will_do(shapes: httpx.AsyncClient) -> None:
    trace = {"X-Trace": "0123abcd"}
    none = await shapes.get(SHAPE, headers=trace)
    assert none.status_code == 401 and none.headers["www-authenticate"] == "Bearer"
    only_key = await shapes.get(SHAPE, headers={**trace, "Authorization": "Basic x"})
    assert only_key.status_code == 401  # a bearer scheme wants `Bearer`, whatever follows
    # The documented problem schema admits no `detail`: its example is sent instead.
    assert none.json() == {"type": "about:blank", "title": "Client error", "status": 400}
    assert (await shapes.get(SHAPE, headers=trace, params={"key": "k"})).status_code == 200
    shapes.cookies.set("session", "s")
    assert (await shapes.get(SHAPE, headers=trace)).status_code == 200
    assert (await shapes.get(SHAPE, headers={"X-Trace": "XYZ"})).status_code == 400


async def test_every_invalid_field_is_counted_in_the_detail(harbor: httpx.AsyncClient) -> None:
    body = {"customer_id": "bad id", "amount_cents": "ten", "currency": "EUR"}
    response = await harbor.post("/v1/orders", headers=CREATE, json=body)
    assert response.json()["detail"] == "2 fields of the request body are invalid."
    assert errors(response) == [("body", "/amount_cents"), ("body", "/customer_id")]


async def test_browsers_may_call_it_from_any_origin() -> None:
    app = with_cors(mock_of(HARBOR))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://m") as c:
        preflight = await c.options(
            "/v1/orders",
            headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "*"
        created = await c.get("/health", headers={"Origin": "http://localhost:3000"})
        assert "X-Request-ID" in created.headers["access-control-expose-headers"].split(", ")
        assert (await c.options("/v1/orders")).status_code == 405  # not a preflight


def test_what_is_missing_names_every_alternative() -> None:
    (operation,) = mock_of(SHAPES).operations
    nothing = Sent(path={}, query={}, headers={}, cookies={})
    missing = missing_credentials(operation, nothing)
    assert missing is not None
    assert [c.scheme for c in missing] == ["bearer", "queryKey", "cookieKey"]
    assert missing_credentials(operation, Sent({}, {"key": ["k"]}, {}, {})) is None
    assert missing_credentials(operation, Sent({}, {"key": [""]}, {}, {})) is not None


async def test_a_pattern_in_another_regex_dialect_is_not_enforced_and_fails_nothing() -> None:
    # realworld's Group holds patterns Python's re rejects (`[\d-_]`, `\p{L}`): the generated
    # server drops them with a warning, and so does the mock instead of failing to start.
    spec = Path(__file__).parents[1] / "codegen" / "golden" / "realworld" / "spec.yaml"
    group = {"name": "abc", "code": "1-2", "label": "Name", "stream": "s", "slug": "x"}
    async with client_of(spec) as realworld:
        response = await realworld.patch("/users/1/groups/g", json=group)
    assert response.status_code < 400, response.text
    schema = mock_of(spec).document.root["components"]["schemas"]["Group"]["properties"]
    assert "pattern" not in schema["code"] and "pattern" not in schema["label"]
    assert schema["name"]["pattern"] == "^(?=.{1,8}$)[a-z]+$"  # Python's re reads this one
