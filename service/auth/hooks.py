"""The security hooks the generated routers call: bearer token in, Principal out, rate limited."""

from __future__ import annotations

from service.auth.errors import InvalidToken
from service.auth.tokens import Principal, TokenVerifier
from service.kit.callers import authenticated
from service.kit.ratelimit import TokenBuckets, client_host_var, too_many_requests
from service.kit.shared_ratelimit import SharedTokenBuckets


class BearerAuth:
    """Implements generated.security.SecurityHooks[Principal].

    Authentication is where the principal becomes known, so the limits live here, costing one
    dict look-up per request and nothing for operations without security:

    - `principals`: one bucket per customer; past it, 429 with Retry-After. `shared` is the
      same limit held in the database for every process (HARBOR_RATE_LIMIT_STORE=database).
    - `failures`: one bucket per client address, spent by each token that fails verification.
      Once it is empty, tokens not already verified are refused with 429 before any signature
      is checked, so guessing gets slow; a caller whose token is known still gets through.
    """

    def __init__(
        self,
        verifier: TokenVerifier,
        *,
        principals: TokenBuckets | None = None,
        failures: TokenBuckets | None = None,
        shared: SharedTokenBuckets | None = None,
    ) -> None:
        self._verifier = verifier
        self._principals = principals
        self._failures = failures
        self._shared = shared

    async def bearer_auth(self, credential: str) -> Principal:
        principal = self._verifier.cached(credential) or self._verify(credential)
        if self._principals is not None:
            wait = self._principals.take(principal.customer_id)
            if wait:
                raise too_many_requests(wait, "Too many requests for this customer.")
        elif self._shared is not None:
            wait = await self._shared.take(principal.customer_id)
            if wait:
                raise too_many_requests(wait, "Too many requests for this customer.")
        authenticated(principal.customer_id)
        return principal

    def _verify(self, credential: str) -> Principal:
        if self._failures is None:
            return self._verifier.verify_uncached(credential)
        client = client_host_var.get()
        wait = self._failures.wait(client)
        if wait:
            raise too_many_requests(wait, "Too many requests with invalid credentials.")
        try:
            return self._verifier.verify_uncached(credential)
        except InvalidToken:
            self._failures.take(client)
            raise
