"""The fuzz client's identity: generated requests act for the customer the token was minted for.

Only values that are valid already are rewritten, so a negative case stays exactly as negative
as schemathesis made it. Kept apart from hooks.py, which registers schemathesis hooks globally
on import, so these rules can be tested without changing any other in-process run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from typing import Any, Protocol, TypeVar

# The customer the harness mints its token for; __main__.py passes it in the environment.
CUSTOMER = os.environ.get("HARBOR_FUZZ_CUSTOMER", "cus_fuzz")
# The version the fuzzed spec describes (its info.version); a pin moved by the run goes there,
# so requests without a Harbor-Version header keep being answered as the fuzzed spec says.
API_VERSION = os.environ.get("HARBOR_FUZZ_API_VERSION", "")

# The spec's CustomerId, ApiVersion and IdempotencyKey patterns and lengths.
_CUSTOMER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_API_VERSION = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+")
_API_VERSION_MAX = 32
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._~:-]{1,255}")
_DIGEST_CHARS = 16


class FuzzCase(Protocol):
    """What these rules read and rewrite of a schemathesis case."""

    operation: Any
    body: Any
    headers: Any
    path_parameters: Any


def operation_id(case: FuzzCase) -> str:
    return str(case.operation.definition.raw.get("operationId", case.operation.label))


def as_fuzz_customer(value: Any) -> Any:
    """A valid customer id becomes the token's; anything else stays as generated."""
    if isinstance(value, str) and _CUSTOMER_ID.fullmatch(value):
        return CUSTOMER
    return value


def as_fuzzed_version(value: Any) -> Any:
    """A well-formed version becomes the fuzzed one: which versions are served is the server's
    state, not the schema's (an unserved one is a 422 by contract, tested in tests/versions)."""
    if (
        API_VERSION
        and isinstance(value, str)
        and len(value) <= _API_VERSION_MAX
        and _API_VERSION.fullmatch(value)
    ):
        return API_VERSION
    return value


def key_for_body(key: str, body: Any) -> str:
    """A valid key made unique per body, as a correct client does: one key per intended order.

    Generation repeats short keys ("0") across different bodies, and the same key with another
    body is a 422 by contract; that is the server keeping its promise, not a bug. The same key
    and the same body still map to the same key, so replays (200) keep being exercised.
    """
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"{key[: 255 - _DIGEST_CHARS - 1]}.{digest[:_DIGEST_CHARS]}"


Case = TypeVar("Case", bound=FuzzCase)


def as_fuzz_client(case: Case) -> Case:
    """Rewrites a case in place (and returns it) to act as the fuzz customer."""
    operation = operation_id(case)
    if operation == "createOrder" and isinstance(case.body, dict):
        if "customer_id" in case.body:
            case.body["customer_id"] = as_fuzz_customer(case.body["customer_id"])
        key = case.headers.get("Idempotency-Key") if case.headers else None
        if isinstance(key, str) and _IDEMPOTENCY_KEY.fullmatch(key):
            case.headers["Idempotency-Key"] = key_for_body(key, case.body)
    elif operation == "setApiVersionPin" and isinstance(case.body, dict) and "version" in case.body:
        case.body["version"] = as_fuzzed_version(case.body["version"])
    if case.path_parameters and "customer_id" in case.path_parameters:
        case.path_parameters["customer_id"] = as_fuzz_customer(case.path_parameters["customer_id"])
    return case
