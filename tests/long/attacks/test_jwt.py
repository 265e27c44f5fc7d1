"""JWT attacks: every forged, stale or confused token is refused. In process for each algorithm
the settings offer (TokenVerifier, as the server builds it), and through the API on every secured
operation of a server per key type (HMAC, RSA, EC, Ed25519): 401 `unauthenticated` with `WWW-Authenticate: Bearer error="invalid_token"`."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.auth.errors import InvalidToken
from service.auth.tokens import TokenVerifier
from service.kit.settings import Settings
from tests.fixtures.databases import fresh_database
from tests.long.attacks.refusal import (
    HEADERS_TOO_LARGE,
    UNAUTHENTICATED,
    Family,
    attack,
    family,
)
from tests.long.attacks.tokens import ALGORITHMS, extra_attacks, issuer_for
from tests.long.hostile.checker import Expect
from tests.long.hostile.operations import operations
from tests.long.hostile.server import AUDIENCE, ISSUER, LEEWAY_SECONDS, hostile_server
from tests.long.hostile.template import case, template
from tests.long.hostile.tokens import Issuer
from tests.long.hostile.world import World

pytestmark = pytest.mark.slow

MAX_LIFETIME = 86_400  # the setting's default, which the servers under attack keep


def attacks(issuer: Issuer, victim: str, other: str) -> dict[str, str]:
    forged = issuer.forged(victim, other_customer=other)
    if issuer.algorithm == "HS512":  # the hostile suite's "other" HMAC algorithm is this one
        del forged["other_hs_algorithm_same_key"]
    return {**forged, **extra_attacks(issuer, victim, max_lifetime=MAX_LIFETIME)}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_verifier_refuses_every_attack_for_each_algorithm(algorithm: str) -> None:
    issuer = issuer_for(algorithm, ISSUER, AUDIENCE)
    settings = Settings(
        jwt_algorithm=algorithm,
        jwt_key=issuer.verification_key.decode(),
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwt_leeway_seconds=LEEWAY_SECONDS,
        jwt_max_lifetime_seconds=MAX_LIFETIME,
    )
    verifier = TokenVerifier(settings)
    # The baseline: the harness signs what this verifier accepts, so a refusal means something.
    assert verifier.verify(issuer.valid("cus_a")).customer_id == "cus_a"
    fam = family("jwt: verifier, every algorithm")
    for name, token in attacks(issuer, "cus_a", "cus_b").items():
        try:
            principal = verifier.verify(token)
        except InvalidToken:
            fam.record(f"{algorithm} {name}", [])
        else:
            fam.record(f"{algorithm} {name}", [f"accepted, as {principal.customer_id}"])
    fam.verdict()


def _every_secured_operation(world: World, fam: Family) -> None:
    forged = attacks(world.issuer, world.a.id, world.b.id)
    for op in operations():
        if not op.secured:
            continue
        t = template(op, world)
        for name, token in forged.items():
            forged_case = case(
                t.with_header(b"Authorization", b"Bearer " + token.encode()),
                world,
                "jwt",
                name,
                Expect.REJECT,
                caller=None,
            )
            # 20 kB of token: the HTTP protocol's header limit answers before the app.
            expected = HEADERS_TOO_LARGE if name == "huge_token" else UNAUTHENTICATED
            attack(world, fam, forged_case, expected)
    fam.verdict()


async def test_every_secured_operation_refuses_every_attack_on_an_hs256_server(
    world: World,
) -> None:
    _every_secured_operation(world, family("jwt: API, HS256 server"))


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])  # one per key type
async def test_every_secured_operation_refuses_every_attack_on_an_asymmetric_server(
    algorithm: str, tmp_path: Path
) -> None:
    async with (
        fresh_database("sqlite", tmp_path) as url,
        hostile_server(url, tmp_path, issuer=issuer_for(algorithm, ISSUER, AUDIENCE)) as world,
    ):
        _every_secured_operation(world, family(f"jwt: API, {algorithm} server"))
