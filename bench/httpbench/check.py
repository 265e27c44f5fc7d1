"""Before any timing: every server answers each endpoint with the same status and JSON."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

from bench.bench_deep_pages import CUSTOMER
from bench.httpbench.data import ORDER_BODY, Fixture

# What differs between two creations of the same order.
_PER_CREATION = {"id", "created_at", "updated_at"}


def _call(
    url: str, token: str, method: str = "GET", body: str | None = None, key: str = ""
) -> tuple[int, dict[str, str], Any]:
    headers = {"Authorization": f"Bearer {token}"}
    if body is not None:
        headers |= {"Content-Type": "application/json", "Idempotency-Key": key}
    request = urllib.request.Request(url, body.encode() if body else None, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


def answers(base: str, fixture: Fixture) -> dict[str, Any]:
    """The server's answers to the three benchmarked requests (and a replayed POST)."""
    order_id = fixture.ids_file.read_text().split("\n", 1)[0]
    key = f"check-{uuid.uuid4().hex}"
    got = _call(f"{base}/v1/orders/{order_id}", fixture.reader_token)
    listed = _call(f"{base}/v1/customers/{CUSTOMER}/orders?limit=20", fixture.reader_token)
    created = _call(f"{base}/v1/orders", fixture.writer_token, "POST", ORDER_BODY, key)
    replayed = _call(f"{base}/v1/orders", fixture.writer_token, "POST", ORDER_BODY, key)
    status, headers, order = created
    problems = []
    if (got[0], listed[0], status, replayed[0]) != (200, 200, 201, 200):
        problems.append(f"statuses {got[0]}, {listed[0]}, {status}, {replayed[0]}: {got[2]!r:.300}")
    elif headers.get("location") != f"/v1/orders/{order.get('id')}":
        problems.append(f"Location {headers.get('location')!r}")
    elif replayed[2] != order:
        problems.append("the replayed POST differs from the first")
    if problems:
        raise SystemExit(f"bench: {base} answers wrongly: {'; '.join(problems)}")
    created_shape = {k: v for k, v in order.items() if k not in _PER_CREATION}
    return {"get": got[2], "list": listed[2], "post": created_shape}


def same_answers(name: str, reference: dict[str, Any], other: dict[str, Any]) -> None:
    for endpoint, expected in reference.items():
        if other[endpoint] != expected:
            raise SystemExit(f"bench: {name} answers {endpoint} differently from the reference")
