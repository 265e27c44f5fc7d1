"""Which response the mock sends: the first success's example, or what `Prefer` asks for."""

from __future__ import annotations

import httpx

from harbor_pipeline.mock.problems import preferences

from .conftest import BEARER, ORDER_ID

ORDER = f"/v1/orders/{ORDER_ID}"


async def test_the_first_success_response_and_its_first_example(harbor: httpx.AsyncClient) -> None:
    response = await harbor.post(
        "/v1/orders",
        headers={**BEARER, "Idempotency-Key": "k-1"},
        json={"customer_id": "cus_123", "amount_cents": 100, "currency": "EUR"},
    )
    assert response.status_code == 201  # 201 comes before 200 in the spec
    assert response.headers["content-type"] == "application/json"
    assert response.headers["location"] == f"/v1/orders/{ORDER_ID}"
    assert response.json()["id"] == ORDER_ID and response.json()["status"] == "pending"


async def test_an_example_ref_is_resolved_to_components_examples(harbor: httpx.AsyncClient) -> None:
    cancelled = await harbor.post(f"{ORDER}/cancel", headers=BEARER)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"  # components/examples/CancelledOrder


async def test_prefer_example_picks_a_named_example(harbor: httpx.AsyncClient) -> None:
    path = "/v1/customers/cus_123/api-version"
    first = (await harbor.get(path, headers=BEARER)).json()
    named = (await harbor.get(path, headers={**BEARER, "Prefer": "example=notPinned"})).json()
    assert first["pinned_at"] is not None  # `pinned` is listed first
    assert named["pinned_at"] is None


async def test_prefer_example_finds_the_response_holding_it(harbor: httpx.AsyncClient) -> None:
    response = await harbor.put(
        "/v1/customers/cus_123/api-version",
        headers={**BEARER, "Prefer": "example=unknownVersion"},
        json={"version": "1.1.0"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/unknown-api-version")


async def test_prefer_code_picks_a_documented_response_with_its_headers(
    harbor: httpx.AsyncClient,
) -> None:
    response = await harbor.get(ORDER, headers={**BEARER, "Prefer": "code=404"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
    limited = await harbor.get(
        ORDER, headers={**BEARER, "Prefer": 'code="429", example=rateLimited'}
    )
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"


async def test_prefer_code_and_example_together(harbor: httpx.AsyncClient) -> None:
    response = await harbor.get("/ready", headers={"Prefer": "code=503; example=deadline"})
    assert response.status_code == 503
    assert "30 seconds" in response.json()["detail"]


async def test_an_undocumented_preference_is_a_400_that_lists_what_is(
    harbor: httpx.AsyncClient,
) -> None:
    code = await harbor.get(ORDER, headers={**BEARER, "Prefer": "code=418"})
    assert code.status_code == 400
    assert "code=418 is not documented for getOrder" in code.json()["detail"]
    assert "200, 400, 401, 404" in code.json()["detail"]
    example = await harbor.get(ORDER, headers={**BEARER, "Prefer": "example=nope"})
    assert example.status_code == 400 and "pending" in example.json()["detail"]
    garbled = await harbor.get(ORDER, headers={**BEARER, "Prefer": "code=abc"})
    assert garbled.status_code == 400 and "not an HTTP status" in garbled.json()["detail"]


async def test_a_range_key_answers_the_code_asked_for(shapes: httpx.AsyncClient) -> None:
    path = "/shapes/0193a5b2-7c4e-7d1a-9f3b-2c4d5e6f7a8b"
    headers = {"X-Trace": "0123abcd", "Prefer": "code=409"}
    response = await shapes.get(path, headers=headers, params={"key": "k"})
    assert response.status_code == 409  # documented by `4XX`
    assert response.json() == {"type": "about:blank", "title": "Client error", "status": 400}


async def test_named_examples_and_a_generated_required_header(shapes: httpx.AsyncClient) -> None:
    path = "/shapes/0193a5b2-7c4e-7d1a-9f3b-2c4d5e6f7a8b"
    headers = {"X-Trace": "0123abcd", "Authorization": "Bearer anything"}
    first = await shapes.get(path, headers=headers)
    assert first.json() == {"kind": "circle", "radius": 2.5, "label": None}
    assert first.headers["x-rate-remaining"] == "0"  # no example: the schema's minimum
    square = await shapes.get(path, headers={**headers, "Prefer": "example=square"})
    assert square.json()["kind"] == "square"


async def test_a_valid_x_request_id_is_echoed_and_an_invalid_one_replaced(
    harbor: httpx.AsyncClient,
) -> None:
    mine = await harbor.get("/health", headers={"X-Request-ID": "partner-42"})
    assert mine.headers["x-request-id"] == "partner-42"
    bad = await harbor.get("/health", headers={"X-Request-ID": "no spaces allowed"})
    assert bad.headers["x-request-id"] == "01JDQ3M6Z4K8P2VN7C5X9H1B3T"  # the spec's example


async def test_a_delete_makes_the_resource_404_until_it_is_created_again(
    harbor: httpx.AsyncClient,
) -> None:
    endpoint = "/v1/webhook-endpoints/0193a5b2-7c4e-7d1a-9f3b-2c4d5e6f7a8b"
    assert (await harbor.delete(endpoint, headers=BEARER)).status_code == 204
    assert (await harbor.get(endpoint, headers=BEARER)).status_code == 404
    assert (await harbor.get(f"{endpoint}/deliveries", headers=BEARER)).status_code == 404
    assert (await harbor.delete(endpoint, headers=BEARER)).status_code == 204  # idempotent
    created = await harbor.post(
        "/v1/webhook-endpoints",
        headers=BEARER,
        json={"url": "https://hooks.partner.example/x", "event_types": ["order.created"]},
    )
    assert created.status_code == 201 and created.json()["id"] == endpoint.rsplit("/", 1)[1]
    assert (await harbor.get(endpoint, headers=BEARER)).status_code == 200


def test_prefer_header_parsing() -> None:
    assert preferences('code=404, example="a b"').example == "a b"
    assert preferences("respond-async, code=201").code == 201
    assert preferences("code=99").unreadable == "99"
    assert preferences(None).code is None
