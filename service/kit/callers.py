"""Who the current request acts for, once authentication has said so.

The versioning middleware sets a fresh `Caller` per request; the security hook fills in the
customer. A context variable, not the request scope, because the hook sees only the credential;
plain ASGI middleware and the route run in one task, so the hook's write is visible outside.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class Caller:
    customer_id: str | None = None
    # The version the request is answered in, once the versioning middleware has decided it.
    version: str | None = None


caller_var: ContextVar[Caller | None] = ContextVar("harbor_caller", default=None)


def authenticated(customer_id: str) -> None:
    """Record the verified customer of the current request (a no-op outside one)."""
    caller = caller_var.get()
    if caller is not None:
        caller.customer_id = customer_id
