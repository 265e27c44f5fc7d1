"""Every error is problem+json: 400 vs 422, 413, 415, malformed JSON, 404, 405 and a bare 500."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from service.app import create_app
from tests.fixtures.service import order_body, serve

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"] == f"https://harbor.example/problems/{slug}"
    assert body["title"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["instance"] == response.request.url.path
    return body


@pytest.fixture
def headers(auth, customer):
    return {**auth(customer), "Idempotency-Key": "errors-key"}


async def test_unknown_route_is_a_404_problem(client):
    assert_problem(await client.get("/v1/nothing-here"), 404, "not-found")


async def test_wrong_method_is_a_405_problem_with_allow(client):
    response = await client.delete("/health")

    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "GET"


async def test_body_errors_are_422_with_a_pointer_per_field(client, headers, customer):
    body = order_body(customer, amount_cents=0, currency="euro", unexpected=True)
    body["payment_method"] = {"type": "card", "token": "not-a-token"}

    problem = assert_problem(
        await client.post("/v1/orders", json=body, headers=headers), 422, "validation-error"
    )

    pointers = {(e["location"], e["pointer"]) for e in problem["errors"]}
    assert pointers == {
        ("body", "/amount_cents"),
        ("body", "/currency"),
        ("body", "/unexpected"),
        ("body", "/payment_method/token"),
    }
    assert problem["detail"] == "4 fields of the request body are invalid."


async def test_missing_body_field_points_at_it(client, headers, customer):
    body = order_body(customer)
    del body["currency"]

    problem = assert_problem(
        await client.post("/v1/orders", json=body, headers=headers), 422, "validation-error"
    )

    assert problem["errors"] == [
        {"location": "body", "pointer": "/currency", "message": "Field required"}
    ]


@pytest.mark.parametrize(
    ("query", "pointer"),
    [
        ("limit=0", "/limit"),
        ("limit=101", "/limit"),
        ("limit=x", "/limit"),
        ("cursor=a%2Bb", "/cursor"),
    ],
)
async def test_query_errors_are_400(client, auth, customer, query, pointer):
    response = await client.get(f"/v1/customers/{customer}/orders?{query}", headers=auth(customer))

    problem = assert_problem(response, 400, "invalid-parameter")
    assert [(e["location"], e["pointer"]) for e in problem["errors"]] == [("query", pointer)]


async def test_path_and_header_errors_are_400(client, auth, customer):
    path = await client.get("/v1/orders/not-a-uuid", headers=auth(customer))
    header = await client.post(
        "/v1/orders",
        json=order_body(customer),
        headers={**auth(customer), "Idempotency-Key": "has space"},
    )
    missing = await client.post("/v1/orders", json=order_body(customer), headers=auth(customer))

    assert assert_problem(path, 400, "invalid-parameter")["errors"][0]["location"] == "path"
    assert assert_problem(header, 400, "invalid-parameter")["errors"][0]["location"] == "header"
    assert assert_problem(missing, 400, "invalid-parameter")["errors"][0]["location"] == "header"


@pytest.mark.parametrize("raw", [b"{", b'{"customer_id": }', b"\xff\xfe"])
async def test_malformed_json_is_400(client, headers, raw):
    response = await client.post(
        "/v1/orders", content=raw, headers={**headers, "Content-Type": "application/json"}
    )

    assert_problem(response, 400, "malformed-body")


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
async def test_a_body_that_is_not_json_is_415(client, headers, content_type):
    response = await client.post(
        "/v1/orders", content=b"customer_id=x", headers={**headers, "Content-Type": content_type}
    )

    assert_problem(response, 415, "unsupported-media-type")


async def test_json_with_a_charset_is_accepted(client, headers, customer):
    response = await client.post(
        "/v1/orders",
        content=httpx.Request("POST", "/", json=order_body(customer)).content,
        headers={**headers, "Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 201


async def test_an_oversized_body_is_413(client, headers, customer, settings):
    body = order_body(customer, description="x" * (settings.max_body_bytes + 1))

    response = await client.post("/v1/orders", json=body, headers=headers)

    problem = assert_problem(response, 413, "content-too-large")
    assert str(settings.max_body_bytes) in problem["detail"]


async def test_an_oversized_chunked_body_is_413(client, headers, settings):
    async def chunks():
        for _ in range(settings.max_body_bytes // 1000 + 2):
            yield b" " * 1000

    response = await client.post(
        "/v1/orders", content=chunks(), headers={**headers, "Content-Type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "content-too-large")


async def test_an_unexpected_error_is_a_generic_500_without_a_trace(settings):
    app = create_app(settings)

    async def explode() -> None:
        raise RuntimeError("secret internals: /srv/app.py line 42")

    app.add_api_route("/explode", explode)
    async with serve(app) as client:
        response = await client.get("/explode", headers={"X-Request-ID": "boom-1"})

    problem = assert_problem(response, 500, "internal-error")
    assert problem["request_id"] == "boom-1"
    assert "secret" not in response.text
    assert "Traceback" not in response.text


async def test_the_instance_is_a_uri_reference_even_for_odd_paths(client, auth, customer):
    response = await client.get("/v1/customers/%C3%97%C3%B8/orders?limit=1", headers=auth(customer))

    assert response.status_code == 400
    assert response.json()["instance"] == "/v1/customers/%C3%97%C3%B8/orders"


_EXPLODE = """
import asyncio, httpx
from service.app import create_app_from_env

async def main():
    app = create_app_from_env()

    async def explode() -> None:
        raise RuntimeError("the cause, for the log")

    app.add_api_route("/explode", explode)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://harbor.test"
    ) as client:
        response = await client.get("/explode", headers={"Authorization": "Bearer " + TOKEN})
    assert response.status_code == 500, response.status_code

asyncio.run(main())
"""


def test_a_500_is_logged_with_its_traceback_but_without_credentials(tmp_path):
    """In its own process: logging is configured once per process, to the process's stdout."""
    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJTRUNSRVQtUEFZTE9BRCJ9.c2lnbmF0dXJl"
    env = {
        **os.environ,
        "HARBOR_DATABASE_URL": f"sqlite:///{tmp_path}/harbor.db",
        "HARBOR_LOG_FORMAT": "json",
    }
    done = subprocess.run(
        [sys.executable, "-c", f"TOKEN = {token!r}\n" + _EXPLODE],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "the cause, for the log" in done.stdout  # the traceback is there, for the operator
    assert token[:12] not in done.stdout + done.stderr  # frames' locals (scope, headers) are not
