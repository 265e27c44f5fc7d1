"""Schemathesis hooks for `make fuzz`: the fuzz client's identity, and checks of our own.

Loaded by schemathesis through `hooks = "harbor_pipeline.fuzz.hooks"` in schemathesis.toml.

- `map_case` makes generated requests act for the customer the token was minted for
  (identity.py), so positive cases create orders instead of all answering 403, and the
  stateful phase can read, cancel and list them.
- `no_undeclared_fields` fails any response with a member the spec does not declare (an
  internal column such as `risk_score` leaking is the case it exists for), in every phase.
- `positive_400_is_a_foreign_cursor` narrows the one exception in schemathesis.toml.
- `StatefulReach` fails the run when the stateful phase ran but never reached one of the
  linked operations, and writes per-phase counts for the harness's summary.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis import Case, CheckContext, HookContext, Response

from .identity import as_fuzz_client, operation_id
from .undeclared import response_schema, undeclared

# The cases the hooks and checks receive; schemathesis parametrises them by operation type,
# and these functions only read the operation's id, path and schema.
OpenCase = Case[Any]

COUNTS_ENV = "HARBOR_FUZZ_COUNTS"
# The operations the spec's links chain together, and what the stateful phase must get from
# each: a 2xx where the link (or the fuzz customer) supplies every input that decides success;
# for the list, any answer, since its optional `cursor` is still generated and one the server
# did not sign is a 400 by contract (see schemathesis.toml).
LINKED = {
    "createOrder": "2xx",
    "getOrder": "2xx",
    "cancelOrder": "2xx",
    "listCustomerOrders": "called",
}

_INVALID_CURSOR = "https://harbor.example/problems/invalid-cursor"
# The spec's mark of a cursor-paginated list (names its cursor parameter).
PAGINATION = "x-harbor-pagination"


@schemathesis.hook
def map_case(context: HookContext, case: OpenCase) -> OpenCase:
    """Coverage, fuzzing and stateful cases."""
    return as_fuzz_client(case)


@schemathesis.hook
def before_add_examples(context: HookContext, examples: list[OpenCase]) -> None:
    """The examples phase builds its cases from the spec's examples and skips `map_case`."""
    for case in examples:
        as_fuzz_client(case)


def _json_body(response: Response) -> Any | None:
    media_type = response.headers.get("content-type", [""])[0]
    if not media_type.split(";", 1)[0].strip().endswith("json") or not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None  # content_type_conformance and response_schema_conformance report it


@schemathesis.check
def no_undeclared_fields(ctx: CheckContext, response: Response, case: OpenCase) -> bool | None:
    """Every member of a JSON response body is declared by the spec's schema for it."""
    body = _json_body(response)
    if body is None:
        return None
    spec = case.operation.schema.raw_schema
    media_type = response.headers.get("content-type", [""])[0]
    schema = response_schema(
        spec, case.operation.path, case.method, response.status_code, media_type
    )
    if schema is None:
        return None  # status_code_conformance / content_type_conformance own that failure
    found = undeclared(spec, schema, body)
    if found:
        where = ", ".join(f"`{item.name}` at {item.pointer or '/'}" for item in found)
        raise AssertionError(
            f"Undeclared field in the {response.status_code} response body: {where}\n\n"
            "The server must send only what the spec declares for this response"
        )
    return None


@schemathesis.check
def positive_400_is_a_foreign_cursor(
    ctx: CheckContext, response: Response, case: OpenCase
) -> bool | None:
    """The counterpart of schemathesis.toml's one exception: on a paginated list a valid
    request may be refused with 400 only for a cursor the server did not issue."""
    pagination = case.operation.definition.raw.get(PAGINATION)
    if (
        response.status_code != 400
        or not isinstance(pagination, dict)
        or case.meta is None
        or not case.meta.generation.mode.is_positive
    ):
        return None
    cursor = pagination.get("cursor-param", "cursor")
    body = _json_body(response)
    problem = body.get("type") if isinstance(body, dict) else None
    if not case.query or cursor not in case.query or problem != _INVALID_CURSOR:
        raise AssertionError(
            f"A schema-valid request was rejected with 400 ({problem}); only a `{cursor}` the "
            f"server did not issue may be ({_INVALID_CURSOR})"
        )
    return None


@schemathesis.check
class StatefulReach:
    """The stateful phase reached every linked operation (see LINKED); counts for the summary."""

    def __init__(self) -> None:
        # Responses, not distinct cases: case ids repeat under a fixed seed, so they cannot key
        # a set. Only a failing run replays cases (shrinking), and its counts say so.
        self.counts: Counter[tuple[str, str, int]] = Counter()

    def after_response(self, ctx: CheckContext, response: Response, case: OpenCase) -> None:
        phase = case.meta.phase.name.value if case.meta is not None else "unknown"
        self.counts[(phase, operation_id(case), response.status_code)] += 1

    def after_run(self, ctx: CheckContext) -> None:
        counts = self.counts
        destination = os.environ.get(COUNTS_ENV)
        if destination:
            rows = [
                {"phase": p, "operation": o, "status": s, "count": n}
                for (p, o, s), n in sorted(counts.items())
            ]
            Path(destination).write_text(json.dumps(rows, indent=1))
        stateful = {(o, s) for (p, o, s) in counts if p == "stateful"}
        if not stateful:
            return  # the stateful phase did not run (e.g. --phases without it)
        # Only the linked operations the run selected (the harness's own tests select a few).
        selected = {o for (_, o, _) in counts}
        called = {o for o, _ in stateful}
        succeeded = {o for o, s in stateful if 200 <= s < 300}
        missing = [
            f"{operation} ({need})"
            for operation, need in LINKED.items()
            if operation in selected and operation not in (succeeded if need == "2xx" else called)
        ]
        if missing:
            raise AssertionError(
                "The stateful phase never reached: " + ", ".join(missing) + "\n\n"
                "The spec's links should chain createOrder to these operations"
            )
