"""The server under attack: a real uvicorn process (tests.fixtures.server) with throwaway keys,
rate limits out of the way, and the world of two customers seeded into it."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

from tests.fixtures.server import running_server
from tests.long.hostile.tokens import Issuer, RsaKeys, hs_issuer, rs_issuer
from tests.long.hostile.world import World, seed

ISSUER = "https://auth.harbor.example"
AUDIENCE = "harbor-payments-api"
LEEWAY_SECONDS = 1

# The limiter answers 429 before a case reaches what it attacks; these turn it out of the way
# (settings the server does not know are ignored).
NO_RATE_LIMITS = {
    "HARBOR_RATE_LIMIT_PER_SECOND": "100000",
    "HARBOR_RATE_LIMIT_BURST": "100000",
    "HARBOR_AUTH_FAILURE_RATE_PER_SECOND": "100000",
    "HARBOR_AUTH_FAILURE_BURST": "100000",
}


@contextlib.asynccontextmanager
async def hostile_server(
    database_url: str, tmp_path: Path, *, algorithm: str = "HS256", issuer: Issuer | None = None
) -> AsyncIterator[World]:
    """`issuer`: trust that one (any algorithm the settings offer) instead of a new key."""
    if issuer is not None:
        algorithm, key = issuer.algorithm, issuer.verification_key.decode()
    elif algorithm == "HS256":
        secret = secrets.token_hex(32)
        issuer = hs_issuer(secret.encode(), ISSUER, AUDIENCE)
        key = secret
    else:
        keys = RsaKeys.generate()
        issuer = rs_issuer(keys, ISSUER, AUDIENCE)
        key = keys.public_pem.decode()
    async with running_server(
        database_url,
        tmp_path,
        jwt_algorithm=algorithm,
        jwt_key=key,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwt_leeway_seconds=str(LEEWAY_SECONDS),
        cursor_key=secrets.token_hex(32),
        access_log="false",
        environ=NO_RATE_LIMITS,
    ) as server:
        yield await seed(server.base_url, database_url, issuer)
