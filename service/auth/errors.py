"""Authentication errors."""

from __future__ import annotations

from service.kit.problems import Unauthenticated


class InvalidToken(Unauthenticated):
    """A bearer token was sent but is not one Harbor issued, or no longer valid."""

    default_detail = "The bearer token is invalid."

    def __init__(self, detail: str | None = None) -> None:
        # RFC 6750 section 3: tell the client the token itself is the problem.
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
