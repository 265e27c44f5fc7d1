"""The attack suite's checks fail when a refusal is wrong on purpose: a raw-socket stand-in that
answers the right status with the wrong problem type, the wrong status, or a 401 that does not
say the token is invalid makes the family fail, naming it; an operation with a path parameter
the BOLA family does not know fails naming both; a family that tried nothing fails."""

from __future__ import annotations

import pytest

from tests.long.attacks.refusal import NOT_FOUND, UNAUTHENTICATED, Family, Refusal, attack
from tests.long.attacks.test_bola import bola
from tests.long.hostile.checker import Expect
from tests.long.hostile.fakes import fake_world, problem, raw_server
from tests.long.hostile.operations import Operation, Parameter, operations
from tests.long.hostile.template import case, template

GET_ORDER = next(op for op in operations() if op.operation_id == "getOrder")


def failures_against(answer: bytes, refusal: Refusal) -> str:
    world = fake_world()
    fam = Family("self-test")
    with raw_server(lambda head, w: answer, world) as port:
        world.port = port
        attempt = case(template(GET_ORDER, world), world, "self-test", "x", Expect.REJECT)
        attack(world, fam, attempt, refusal)
    assert fam.tried == 1
    with pytest.raises(AssertionError) as failed:
        fam.verdict()
    return str(failed.value)


def typed(status: int, slug: str, headers: bytes = b"") -> bytes:
    body = {"type": f"https://harbor.example/problems/{slug}", "title": "t", "status": status}
    return problem(status, headers, body)


def test_the_right_status_with_another_problem_type_fails() -> None:
    message = failures_against(typed(404, "validation-error"), NOT_FOUND)
    assert "problem type 'https://harbor.example/problems/validation-error'" in message


def test_another_refusal_status_fails() -> None:
    assert "status 403, not 404" in failures_against(typed(403, "not-found"), NOT_FOUND)


def test_a_401_that_does_not_blame_the_token_fails() -> None:
    answer = typed(401, "unauthenticated", b"www-authenticate: Bearer\r\n")
    assert "WWW-Authenticate 'Bearer'" in failures_against(answer, UNAUTHENTICATED)


def test_the_expected_refusal_passes() -> None:
    world = fake_world()
    fam = Family("self-test")
    answer = typed(404, "not-found")
    with raw_server(lambda head, w: answer, world) as port:
        world.port = port
        attack(
            world, fam, case(template(GET_ORDER, world), world, "s", "x", Expect.REJECT), NOT_FOUND
        )
    fam.verdict()
    assert (fam.tried, fam.refused) == (1, 1)


def test_an_operation_with_an_unknown_path_parameter_fails_naming_it() -> None:
    invoice = Parameter("invoice_id", "path", True, {"type": "string"})
    op = Operation("getInvoice", "GET", "/v1/invoices/{invoice_id}", (invoice,), None, False, True)
    with pytest.raises(AssertionError, match=r"getInvoice: .*invoice_id"):
        list(bola(op, fake_world()))


def test_a_family_that_tried_nothing_fails() -> None:
    with pytest.raises(AssertionError, match="no attack was tried"):
        Family("empty").verdict()
