"""The hostile-input harness fails when a guarantee is broken on purpose: a server (a raw
socket stand-in, one regression each) that answers 500, leaks a traceback or SQL text, shows
another customer's data, or reflects CR/LF into a header makes the checker fail, naming it.
Also: the operation list comes from the spec, and a new operation gets cases or fails loudly."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import yaml

from tests.long.hostile.checker import Case, Expect, check
from tests.long.hostile.corpus import FAMILIES, corpus
from tests.long.hostile.fakes import fake_world, problem, raw_server, request_id_of
from tests.long.hostile.operations import SPEC, operations
from tests.long.hostile.runner import Tally, run
from tests.long.hostile.template import case, template
from tests.long.hostile.wire import Request, Response

WORLD = fake_world()


def ops_by_id():
    return {op.operation_id: op for op in operations()}


def cases_for(operation_id: str, category: str | None = None) -> list[Case]:
    found = corpus(ops_by_id()[operation_id], WORLD)
    return [c for c in found if category is None or c.category == category]


def run_against(answer, cases: list[Case]) -> Tally:
    with raw_server(answer, WORLD) as port:
        for c in cases:
            object.__setattr__(c, "half_close", False)
        return run("127.0.0.1", port, cases, Tally("fake"))


def messages(tally: Tally) -> str:
    return "\n".join(problem for v in tally.failures for problem in v.problems)


# ---- the deliberate regressions, each caught by the whole pipeline (wire, checker, runner)


def test_a_server_error_fails_the_suite():
    tally = run_against(lambda head, world: problem(500), cases_for("getOrder", "path")[:5])

    assert len(tally.failures) == 5
    assert "status 500: a server error for client input" in messages(tally)


def test_a_leaked_traceback_fails_the_suite():
    body = {
        "type": "about:blank",
        "title": "Bad request",
        "status": 400,
        "request_id": "r1",
        "detail": 'Traceback (most recent call last):\n  File "/srv/service/orders/repository.py", '
        "line 12, in get\nKeyError: 'x'",
    }
    tally = run_against(
        lambda head, world: problem(400, body=body), cases_for("getOrder", "path")[:3]
    )

    text = messages(tally)
    assert "the response shows a stack trace" in text
    assert "the response shows a Python module path" in text
    assert "the response shows an exception class name: 'KeyError'" in text


def test_leaked_sql_text_fails_the_suite():
    body = {
        "type": "about:blank",
        "title": "Bad request",
        "status": 400,
        "request_id": "r1",
        "detail": "asyncpg: syntax error at or near \"OR\": SELECT * FROM orders WHERE id = ''",
    }
    tally = run_against(
        lambda head, world: problem(400, body=body), cases_for("listCustomerOrders", "query")[:3]
    )

    text = messages(tally)
    assert "the response shows SQL text" in text
    assert "the response shows a database driver's name: 'asyncpg'" in text


def test_another_customers_data_fails_the_suite():
    def leak(head: bytes, world) -> bytes:
        order = {
            "id": world.b.order_ids[0],
            "customer_id": world.b.id,
            "statement_descriptor": world.b.marker,
        }
        payload = json.dumps(order).encode()
        return (
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: r1\r\n"
            b"content-length: %d\r\n\r\n" % len(payload) + payload
        )

    tally = run_against(leak, cases_for("getOrder", "baseline"))

    text = messages(tally)
    assert f"a success for {WORLD.a.id} shows the data of ['{WORLD.b.id}']" in text
    assert f"the response shows another customer's data '{WORLD.b.marker}'" in text
    assert f"the response shows another customer's id '{WORLD.b.order_ids[0]}'" in text


def test_a_request_id_reflected_with_its_crlf_fails_the_suite():
    def reflect(head: bytes, world) -> bytes:
        return problem(400, extra_headers=b"x-echo: " + request_id_of(head) + b"\r\n")

    injections = [c for c in cases_for("getOrder", "header-injection") if "X-Request-ID" in c.label]
    tally = run_against(reflect, injections)

    text = messages(tally)
    assert "response carries an injected header 'x-hostile-injected'" in text
    assert "malformed or split response header line" in text


def test_a_plain_text_error_fails_the_suite():
    def plain(head: bytes, world) -> bytes:
        return (
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 3\r\n\r\nbad"
        )

    tally = run_against(plain, cases_for("createOrder", "framing")[:2])

    text = messages(tally)
    assert "Content-Type 'text/plain', not application/problem+json" in text
    assert "expected one X-Request-ID header" in text


def test_a_hang_or_a_cut_response_fails_the_suite_instead_of_hanging_it(monkeypatch):
    import tests.long.hostile.runner as runner

    monkeypatch.setattr(runner, "send", _send_with_timeout(0.5))

    def silent(head: bytes, world) -> bytes:
        time.sleep(1)
        return b""

    cut = run_against(
        lambda head, world: b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc",
        cases_for("getHealth", "baseline"),
    )
    hung = run_against(silent, cases_for("getHealth", "baseline"))

    assert "no response: connection closed after b'HTTP/1.1 200 OK" in messages(cut)
    assert "no response: no complete response within 0.5 s" in messages(hung)


def _send_with_timeout(seconds: float):
    from tests.long.hostile import wire

    def send(host, port, request, *, timeout=10.0, half_close=False):
        return wire.send(host, port, request, timeout=seconds, half_close=half_close)

    return send


# ---- the checker on its own: the controls that keep it honest


def _response(status: int, body: bytes, head_lines: list[bytes], content_type: str) -> Response:
    lines = [b"content-type: " + content_type.encode(), b"x-request-id: r1", *head_lines]
    headers: dict[str, list[str]] = {}
    for line in lines:
        name, _, value = line.partition(b":")
        headers.setdefault(name.decode().lower(), []).append(value.decode("latin-1").strip())
    head = b"HTTP/1.1 %d X\r\n" % status + b"\r\n".join(lines)
    return Response(status, b"X", tuple(lines), body, head, 0.0, headers)


def test_a_clean_problem_passes_and_reflected_input_is_not_a_leak():
    t = template(ops_by_id()["getOrder"], WORLD)
    hostile = t.with_path("order_id", b"%27%3B%20SELECT%20%2A%20FROM%20orders")
    c = case(hostile, WORLD, "path", "sql", Expect.REJECT)
    body = json.dumps(
        {
            "type": "x",
            "title": "Not found",
            "status": 404,
            "request_id": "r1",
            "instance": "/v1/orders/%27%3B%20SELECT%20%2A%20FROM%20orders",
        }
    ).encode()

    assert check(c, _response(404, body, [], "application/problem+json")) == []


def test_a_success_for_a_refused_case_and_a_bad_problem_shape_are_named():
    c = case(
        template(ops_by_id()["getOrder"], WORLD),
        WORLD,
        "token",
        "forged",
        Expect.REJECT,
        caller=None,
    )
    body = json.dumps({"type": "x", "title": "t", "status": 401, "trace": "x"}).encode()

    problems = check(c, _response(200, b"{}", [], "application/json"))
    assert "status 200: a hostile request was not refused with a 4xx" in problems
    assert "a request without a valid token got a success" in problems
    problems = check(c, _response(401, body, [], "application/problem+json"))
    assert "the problem has members the spec does not declare: ['trace']" in problems


# ---- coverage: the operations come from the spec, and a new one cannot slip through


def test_every_operation_of_the_spec_has_cases_of_every_family_that_applies():
    spec = yaml.safe_load(SPEC.read_text())
    declared = {
        op["operationId"]
        for item in spec["paths"].values()
        for method, op in item.items()
        if isinstance(op, dict) and "operationId" in op
    }
    assert {op.operation_id for op in operations()} == declared
    for op in operations():
        found = corpus(op, WORLD)
        families = {c.category for c in found}
        assert found[0].category == "baseline", op.operation_id
        assert {
            "baseline",
            "path" if op.parameter("path") else "baseline",
            "header-injection",
            "framing",
        } <= families
        if op.secured:
            assert "token" in families, op.operation_id
        names_a_customer = op.parameter("path") or "cursor" in {
            p.name for p in op.parameter("query")
        }
        if op.secured and (names_a_customer or "customer_id" in op.body_fields):
            assert "cross-customer" in families, op.operation_id
        if op.body_schema is not None:
            assert {"body", "body-field", "content-type", "duplicate-keys"} <= families, (
                op.operation_id
            )
        if any(p.name == "cursor" for p in op.parameter("query")):
            assert "cursor" in families, op.operation_id
    assert len(FAMILIES) >= 10


def test_a_new_operation_gets_cases_or_fails_loudly(tmp_path: Path):
    spec = yaml.safe_load(SPEC.read_text())
    spec["paths"]["/v1/orders/{order_id}/refund"] = {
        "post": {
            **spec["paths"]["/v1/orders/{order_id}/cancel"]["post"],
            "operationId": "refundOrder",
        }
    }
    spec["paths"]["/v1/refunds/{refund_id}"] = {
        "get": {
            "operationId": "getRefund",
            "parameters": [
                {"name": "refund_id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "responses": {"200": {"description": "ok"}},
        }
    }
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec))
    new = {op.operation_id: op for op in operations(path)}

    assert corpus(new["refundOrder"], WORLD)  # known parameters: covered with no change
    with pytest.raises(
        AssertionError,
        match=re.escape("getRefund: no seeded value for path parameters {'refund_id'}"),
    ):
        corpus(new["getRefund"], WORLD)


def test_requests_are_sent_byte_for_byte():
    request = Request(b"GET", b"/x%00", ((b"X-Request-ID", b"a\rb\xff"),))

    assert (
        request.encode(b"h")
        == b"GET /x%00 HTTP/1.1\r\nHost: h\r\nX-Request-ID: a\rb\xff\r\nConnection: close\r\n\r\n"
    )
