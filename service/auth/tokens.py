"""JWT verification with PyJWT: the algorithm pinned, exp, iat, iss and aud required, skew and
lifetime bounded."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from service.auth.errors import InvalidToken
from service.kit.settings import Settings

CUSTOMER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
_NUMERIC_DATES = ("exp", "iat", "nbf")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who the caller acts for: the customer named by the token's `sub`."""

    customer_id: str


class TokenVerifier:
    """Verifies bearer tokens against one key and one algorithm, parsed once.

    A verified token is remembered until it expires: checking a signature costs about a
    hundred microseconds (more than the database round trip of a read), and clients send the
    same token for many requests. Only successes are kept, bounded, oldest out first; a cached
    token is as valid as when it was checked, since its bytes (so its claims) cannot change.
    """

    def __init__(self, settings: Settings) -> None:
        self._algorithm = settings.jwt_algorithm
        algorithm = jwt.get_algorithm_by_name(self._algorithm)
        # Parsing a PEM costs far more than a signature check; do it once, not per request.
        self._key: Any = algorithm.prepare_key(settings.jwt_key.get_secret_value())
        self._issuer = settings.jwt_issuer
        self._audience = settings.jwt_audience
        self._leeway = settings.jwt_leeway_seconds
        self._max_lifetime = settings.jwt_max_lifetime_seconds
        self._cache_size = settings.jwt_cache_size
        self._cache: dict[str, tuple[Principal, float]] = {}

    def verify(self, token: str) -> Principal:
        return self.cached(token) or self.verify_uncached(token)

    def cached(self, token: str) -> Principal | None:
        """The principal of a token verified before and still valid, without checking again."""
        cached = self._cache.get(token)
        if cached is not None:
            principal, valid_until = cached
            if time.time() < valid_until:
                return principal
            self._cache.pop(token, None)
        return None

    def verify_uncached(self, token: str) -> Principal:
        """Check the signature and claims, and remember the token when it passes."""
        principal, expires = self._verify(token)
        if self._cache_size:
            if len(self._cache) >= self._cache_size:
                del self._cache[next(iter(self._cache))]
            # PyJWT refuses a token once now > exp + leeway; so does the cache.
            self._cache[token] = (principal, expires + self._leeway)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[self._algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidToken("The bearer token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken() from exc
        subject = claims.get("sub")
        if not isinstance(subject, str) or not CUSTOMER_ID.fullmatch(subject):
            raise InvalidToken("The bearer token's subject is not a customer id.")
        # RFC 7519's NumericDate is a JSON number; PyJWT also takes a string that int() reads.
        for name in _NUMERIC_DATES:
            value = claims.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidToken(f"The bearer token's {name} is not a number.")
        # PyJWT has checked that iat is not in the future (within the leeway), so this also
        # bounds how far ahead exp can be.
        if float(claims["exp"]) - float(claims["iat"]) > self._max_lifetime:
            raise InvalidToken(
                f"The bearer token lives longer than {self._max_lifetime} seconds (exp - iat)."
            )
        return Principal(subject), float(claims["exp"])


def issue_token(settings: Settings, customer_id: str, *, now: datetime, ttl: timedelta) -> str:
    """A token the server configured by `settings` accepts; development and tests only."""
    if not settings.jwt_algorithm.startswith("HS"):
        raise ValueError(
            f"HARBOR_JWT_ALGORITHM is {settings.jwt_algorithm}: the server holds only a public "
            "key, so it cannot issue tokens; get one from the issuer"
        )
    claims = {
        "sub": customer_id,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    return jwt.encode(claims, settings.jwt_key.get_secret_value(), algorithm=settings.jwt_algorithm)
