"""The security hooks the generated routers call: bearer token in, Principal out."""

from __future__ import annotations

from service.auth.tokens import Principal, TokenVerifier


class BearerAuth:
    """Implements generated.security.SecurityHooks[Principal]."""

    def __init__(self, verifier: TokenVerifier) -> None:
        self._verifier = verifier

    async def bearer_auth(self, credential: str) -> Principal:
        return self._verifier.verify(credential)
