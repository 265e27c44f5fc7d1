"""Bearer JWTs: every fault is a 401 problem with WWW-Authenticate; the principal is `sub`."""

from __future__ import annotations

import base64
import subprocess
import sys
import time

import jwt
import orjson
import pytest
from pydantic import ValidationError

from service.auth.errors import InvalidToken
from service.auth.tokens import TokenVerifier
from service.kit.settings import DEVELOPMENT_JWT_KEY, Settings
from service.webhooks.secrets import new_key
from tests.fixtures.server import ROOT
from tests.fixtures.service import make_settings, token


def unsigned(claims: dict) -> str:
    """An `alg: none` token, which PyJWT will not make for us."""

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(value)).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.fixture
def claims(settings, customer):
    now = int(time.time())
    return {
        "sub": customer,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + 600,
    }


async def get_orders(client, customer, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    return await client.get(f"/v1/customers/{customer}/orders", headers=headers)


@pytest.mark.parametrize("authorization", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Token abc"])
async def test_a_missing_bearer_token_is_401_with_a_challenge(client, customer, authorization):
    response = await get_orders(client, customer, authorization)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/unauthenticated")


@pytest.mark.parametrize(
    "fault",
    [
        "expired",
        "wrong_key",
        "wrong_audience",
        "wrong_issuer",
        "alg_none",
        "no_exp",
        "no_sub",
        "bad_sub",
        "garbage",
        "hs512_instead_of_hs256",
        "not_yet_valid",
        "no_iat",
        "issued_in_the_future",
        "lives_longer_than_the_maximum",
        "exp_a_string",
        "iat_a_string",
        "nbf_a_string",
    ],
)
async def test_a_bad_token_is_401_invalid_token(client, settings, customer, claims, fault):
    key = settings.jwt_key.get_secret_value()
    now = int(time.time())
    bad = {
        "expired": lambda: jwt.encode(
            {**claims, "exp": now - settings.jwt_leeway_seconds - 5}, key
        ),
        "wrong_key": lambda: jwt.encode(claims, "another-key-of-sufficient-length-000000"),
        "wrong_audience": lambda: jwt.encode({**claims, "aud": "someone-else"}, key),
        "wrong_issuer": lambda: jwt.encode({**claims, "iss": "https://evil.example"}, key),
        "alg_none": lambda: unsigned(claims),
        "no_exp": lambda: jwt.encode({k: v for k, v in claims.items() if k != "exp"}, key),
        "no_sub": lambda: jwt.encode({k: v for k, v in claims.items() if k != "sub"}, key),
        "bad_sub": lambda: jwt.encode({**claims, "sub": "not a customer/id"}, key),
        "garbage": lambda: "not.a.jwt",
        "hs512_instead_of_hs256": lambda: jwt.encode(claims, key, algorithm="HS512"),
        "not_yet_valid": lambda: jwt.encode({**claims, "nbf": now + 3600}, key),
        "no_iat": lambda: jwt.encode({k: v for k, v in claims.items() if k != "iat"}, key),
        "issued_in_the_future": lambda: jwt.encode(
            {**claims, "iat": now + 3600, "exp": now + 3900}, key
        ),
        "lives_longer_than_the_maximum": lambda: jwt.encode(
            {**claims, "exp": now + settings.jwt_max_lifetime_seconds + 1}, key
        ),
        # NumericDate is a JSON number; PyJWT alone accepts these strings.
        "exp_a_string": lambda: jwt.encode({**claims, "exp": str(now + 600)}, key),
        "iat_a_string": lambda: jwt.encode({**claims, "iat": str(now)}, key),
        "nbf_a_string": lambda: jwt.encode({**claims, "nbf": str(now)}, key),
    }[fault]()

    response = await get_orders(client, customer, f"Bearer {bad}")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json()["type"].endswith("/unauthenticated")


async def test_clock_skew_within_the_leeway_is_tolerated(client, settings, customer, claims):
    key = settings.jwt_key.get_secret_value()
    almost = jwt.encode({**claims, "exp": int(time.time()) - settings.jwt_leeway_seconds // 2}, key)

    response = await get_orders(client, customer, f"Bearer {almost}")

    assert response.status_code == 200


async def test_the_principal_is_the_tokens_subject(client, settings, customer):
    response = await get_orders(client, customer, f"Bearer {token(settings, customer)}")
    other = await get_orders(client, "cus_other", f"Bearer {token(settings, customer)}")

    assert response.status_code == 200
    assert other.status_code == 404


def test_a_token_may_live_exactly_the_maximum_and_no_longer(customer, claims):
    settings = make_settings("sqlite:///unused.db", jwt_max_lifetime_seconds=3600)
    key = settings.jwt_key.get_secret_value()
    verifier = TokenVerifier(settings)
    longest = jwt.encode({**claims, "exp": claims["iat"] + 3600}, key)
    too_long = jwt.encode({**claims, "exp": claims["iat"] + 3601}, key)

    assert verifier.verify(longest).customer_id == customer
    with pytest.raises(InvalidToken, match="longer than 3600 seconds"):
        verifier.verify(too_long)


def test_production_refuses_the_development_keys(monkeypatch):
    monkeypatch.setenv("HARBOR_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="development JWT key"):
        Settings()
    monkeypatch.setenv("HARBOR_JWT_KEY", "a-real-secret-from-the-vault-0123456789")
    with pytest.raises(ValidationError, match="development cursor key"):
        Settings()
    monkeypatch.setenv("HARBOR_CURSOR_KEY", "another-real-secret-0123456789")
    with pytest.raises(ValidationError, match="development webhook secrets key"):
        Settings()
    monkeypatch.setenv("HARBOR_WEBHOOKS_SECRET_KEYS", new_key())
    assert Settings().jwt_key.get_secret_value() != DEVELOPMENT_JWT_KEY


def devtoken(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.auth.devtoken", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_devtoken_prints_only_a_token_the_server_accepts():
    result = devtoken("cus_123")

    assert result.returncode == 0
    printed = result.stdout.strip()
    assert printed.count("\n") == 0
    settings = Settings()
    decoded = jwt.decode(
        printed,
        settings.jwt_key.get_secret_value(),
        algorithms=[settings.jwt_algorithm],
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    assert decoded["sub"] == "cus_123"


def test_devtoken_never_outlives_the_maximum_lifetime():
    result = devtoken("cus_123", HARBOR_JWT_MAX_LIFETIME_SECONDS="600")

    assert result.returncode == 0, result.stderr
    decoded = jwt.decode(result.stdout.strip(), options={"verify_signature": False})
    assert decoded["exp"] - decoded["iat"] == 600
    strict = TokenVerifier(Settings(jwt_max_lifetime_seconds=600))
    assert strict.verify(result.stdout.strip()).customer_id == "cus_123"


def test_devtoken_refuses_production_and_bad_customers():
    production = devtoken(
        "cus_123",
        HARBOR_ENVIRONMENT="production",
        HARBOR_JWT_KEY="k" * 40,
        HARBOR_CURSOR_KEY="c" * 40,
        HARBOR_WEBHOOKS_SECRET_KEYS=new_key(),
    )
    bad = devtoken("not a customer")

    assert (production.returncode, production.stdout) == (2, "")
    assert "production" in production.stderr
    assert (bad.returncode, bad.stdout) == (2, "")


def test_a_remembered_token_still_expires_on_time(customer):
    strict = make_settings("sqlite:///unused.db", jwt_cache_size=2, jwt_leeway_seconds=0)
    verifier = TokenVerifier(strict)
    exp = int(time.time()) + 2
    issued = [token(strict, f"{customer}{i}", exp=exp) for i in range(3)]

    assert [verifier.verify(t).customer_id for t in issued] == [f"{customer}{i}" for i in range(3)]
    assert list(verifier._cache) == issued[1:]  # bounded: the oldest went first
    time.sleep(exp - time.time() + 0.05)
    for t in issued:
        with pytest.raises(InvalidToken, match="expired"):
            verifier.verify(t)
    assert verifier._cache == {}
