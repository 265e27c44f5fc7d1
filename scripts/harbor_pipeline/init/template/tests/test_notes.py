"""The notes operations as a partner sees them: statuses, bodies and problem+json errors."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"


async def test_without_credentials_every_operation_is_refused_with_401(
    client: httpx.AsyncClient,
) -> None:
    del client.headers["Authorization"]
    for method, path in [
        ("GET", "/v1/notes"),
        ("POST", "/v1/notes"),
        ("GET", f"/v1/notes/{'0' * 8}-0000-4000-8000-{'0' * 12}"),
    ]:
        response = await client.request(method, path, json={"text": "x"})
        assert response.status_code == 401, (method, path)
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["status"] == 401


async def test_a_token_not_issued_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/notes", headers={"Authorization": "Bearer guessed"})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


async def test_a_created_note_is_read_back_and_listed(client: httpx.AsyncClient) -> None:
    created = await client.post("/v1/notes", json={"text": "Buy oat milk"})
    assert created.status_code == 201
    note = created.json()
    assert note["text"] == "Buy oat milk"
    assert created.headers["location"] == f"/v1/notes/{note['id']}"
    assert (await client.get(created.headers["location"])).json() == note
    assert (await client.get("/v1/notes")).json() == {"data": [note], "next_cursor": None}


async def test_pages_follow_the_cursor_newest_first(client: httpx.AsyncClient) -> None:
    texts = [f"note {n}" for n in range(5)]
    for text in texts:
        await client.post("/v1/notes", json={"text": text})
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/notes", params=params)).json()
        seen += [note["text"] for note in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == texts[::-1]


async def test_a_caller_sees_only_its_own_notes(client: httpx.AsyncClient) -> None:
    note = (await client.post("/v1/notes", json={"text": "mine"})).json()
    other = {"Authorization": "Bearer other-token"}
    assert (await client.get(f"/v1/notes/{note['id']}", headers=other)).status_code == 404
    assert (await client.get("/v1/notes", headers=other)).json()["data"] == []


async def test_errors_are_the_documented_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/notes/0b9c2f4e-5a1d-4c3b-9e8f-7a6b5c4d3e2f")
    empty_text = await client.post("/v1/notes", json={"text": ""})
    bad_limit = await client.get("/v1/notes", params={"limit": 101})
    bad_cursor = await client.get("/v1/notes", params={"cursor": "not-ours"})
    for response, status in [
        (missing, 404),
        (empty_text, 422),
        (bad_limit, 400),
        (bad_cursor, 400),
    ]:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["status"] == status


async def test_an_undeclared_method_is_405_naming_every_served_one(
    client: httpx.AsyncClient,
) -> None:
    response = await client.request("DELETE", "/v1/notes")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"] == PROBLEM


async def test_a_problems_instance_is_the_path_percent_encoded(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/notes/%C3%93%20x")
    assert response.status_code == 400
    assert response.json()["instance"] == "/v1/notes/%C3%93%20x"
