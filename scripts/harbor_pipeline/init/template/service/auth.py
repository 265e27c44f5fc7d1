"""Bearer tokens: the generated SecurityHooks, answered from a fixed set of opaque tokens.

Replace it with your identity provider's verification (a JWT library, an introspection call);
the principal it returns is what every handler receives as `principal`.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import HTTPException


def tokens_from(setting: str) -> frozenset[str]:
    """The tokens of a comma-separated setting, blanks left out."""
    return frozenset(token.strip() for token in setting.split(",") if token.strip())


class TokenHooks:
    """Implements generated.security.SecurityHooks[str]: the principal is the caller's id."""

    def __init__(self, tokens: frozenset[str]) -> None:
        self._tokens = tuple(tokens)

    async def bearer_auth(self, credential: str) -> str:
        # Every token is compared, in constant time, so timing says nothing about which matched.
        matched = [hmac.compare_digest(credential, token) for token in self._tokens]
        if not any(matched):
            raise HTTPException(
                401, "The bearer token is not valid.", headers={"WWW-Authenticate": "Bearer"}
            )
        # The caller's id: a digest, so the token itself is never kept next to its notes.
        return hashlib.sha256(credential.encode()).hexdigest()[:16]
