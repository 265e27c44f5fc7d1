"""Keys for every algorithm the service accepts, and the token attacks the hostile suite's
forgeries (tests.long.hostile.tokens) leave out: lifetime, issuer and audience look-alikes, key
headers (kid, jku, x5u, x5c, jwk) pointing at the attacker's key, other algorithms, key
confusion with every HMAC hash and key encoding."""

from __future__ import annotations

import functools
import secrets
import time
from typing import Any, get_args

import jwt
import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from service.kit.settings import JwtAlgorithm
from tests.long.hostile.tokens import Issuer, b64, hmac_jwt, raw_jwt

ALGORITHMS: tuple[str, ...] = get_args(JwtAlgorithm)
# Algorithms PyJWT knows that the settings do not offer: a token in one is refused too.
UNOFFERED = ("PS256", "ES512")
_CURVES = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}


def private_key(algorithm: str) -> Any:
    """A fresh signing key for `algorithm`: the HMAC secret, or a private key object."""
    if algorithm.startswith("HS"):
        return secrets.token_hex(32).encode()
    if algorithm.startswith(("RS", "PS")):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm in _CURVES:
        return ec.generate_private_key(_CURVES[algorithm])
    return ed25519.Ed25519PrivateKey.generate()


def public_pem(key: Any) -> bytes:
    if isinstance(key, bytes):
        return key
    return bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


@functools.cache
def attacker_key(algorithm: str) -> Any:
    return private_key(algorithm)


def issuer_for(algorithm: str, issuer: str, audience: str) -> Issuer:
    """What a server configured for `algorithm` trusts, with a key of its own."""
    key = private_key(algorithm)
    signing = (
        key
        if isinstance(key, bytes)
        else key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Issuer(algorithm, signing, public_pem(key), issuer, audience)


def _attacker_jwk(algorithm: str) -> dict[str, Any]:
    key = attacker_key(algorithm)
    public = key if isinstance(key, bytes) else key.public_key()
    jwk: dict[str, Any] = jwt.get_algorithm_by_name(algorithm).to_jwk(public, as_dict=True)
    return jwk


def extra_attacks(issuer: Issuer, victim: str, *, max_lifetime: int) -> dict[str, str]:
    """Tokens the server must refuse, by name, beyond Issuer.forged."""
    now = int(time.time())
    claims = issuer.claims(victim)
    own = issuer.algorithm
    attacker = attacker_key(own)
    forged: dict[str, str] = {
        "lifetime_beyond_max": issuer.sign({**claims, "exp": now + max_lifetime + 120}),
        "lifetime_beyond_max_iat_backdated": issuer.sign(
            {**claims, "iat": now - max_lifetime, "nbf": now - max_lifetime, "exp": now + 600}
        ),
        "not_yet_valid_nbf_past_leeway": issuer.sign({**claims, "nbf": now + 120}),
        "issued_in_future_iat_past_leeway": issuer.sign({**claims, "iat": now + 120}),
        "missing_exp_and_iat": issuer.sign(
            {k: v for k, v in claims.items() if k not in ("exp", "iat")}
        ),
        "iat_string": issuer.sign({**claims, "iat": str(now)}),
        "exp_string": issuer.sign({**claims, "exp": str(now + 600)}),
        "issuer_substring": issuer.sign({**claims, "iss": issuer.issuer[:-3]}),
        "issuer_trailing_slash": issuer.sign({**claims, "iss": issuer.issuer + "/"}),
        "issuer_upper_case": issuer.sign({**claims, "iss": issuer.issuer.upper()}),
        "audience_substring": issuer.sign({**claims, "aud": issuer.audience[:-2]}),
        "audience_upper_case": issuer.sign({**claims, "aud": issuer.audience.upper()}),
        "audience_empty_list": issuer.sign({**claims, "aud": []}),
        "crit_unknown_extension": issuer.sign(claims, crit=["harbor-ext"], **{"harbor-ext": 1}),
        "kid_naming_attacker_key": jwt.encode(claims, attacker, own, headers={"kid": "attacker"}),
        "jku_to_attacker_jwks": jwt.encode(
            claims, attacker, own, headers={"jku": "http://127.0.0.1:9/jwks.json", "kid": "a"}
        ),
        "x5u_to_attacker_certificate": jwt.encode(
            claims, attacker, own, headers={"x5u": "http://127.0.0.1:9/cert.pem"}
        ),
        "x5c_attacker_chain": jwt.encode(
            claims, attacker, own, headers={"x5c": [b64(b"not a certificate")]}
        ),
        "jwk_embedded_attacker_key": jwt.encode(
            claims, attacker, own, headers={"jwk": _attacker_jwk(own)}
        ),
    }
    valid = issuer.sign(claims)
    head, _, signature = valid.split(".")
    for name, changed in (
        ("exp_extended", {**claims, "exp": now + 10 * 365 * 86400}),
        ("iat_moved_to_shorten_lifetime", {**claims, "iat": now + 1}),
        ("aud_removed", {k: v for k, v in claims.items() if k != "aud"}),
    ):
        forged[f"tampered_{name}"] = f"{head}.{b64(orjson.dumps(changed))}.{signature}"
    # Every other algorithm, signed by the attacker: the server pins its own.
    for other in (*ALGORITHMS, *UNOFFERED):
        if other != own:
            forged[f"alg_{other}_attacker_key"] = jwt.encode(claims, attacker_key(other), other)
    if own.startswith("RS"):
        # The server's own key with another RSA algorithm: still not the pinned one.
        for other in ("RS256", "RS384", "RS512", "PS256"):
            if other != own:
                forged[f"alg_{other}_server_key"] = jwt.encode(claims, issuer.signing_key, other)
    if own.startswith("HS"):
        for other in ("HS256", "HS384", "HS512"):
            if other != own:
                forged[f"alg_{other}_server_secret"] = jwt.encode(claims, issuer.signing_key, other)
    else:
        # Key confusion: the public key, in every encoding a verifier might hold, as HMAC secret.
        pem = issuer.verification_key
        der = serialization.load_pem_public_key(pem).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        for hmac_alg in ("HS256", "HS384", "HS512"):
            for encoding, secret in (("pem", pem), ("pem_no_newline", pem.strip()), ("der", der)):
                forged[f"{hmac_alg}_keyed_with_public_{encoding}"] = hmac_jwt(
                    {"alg": hmac_alg, "typ": "JWT"}, claims, secret
                )
    forged["alg_none_lower_empty_signature"] = raw_jwt({"alg": "none"}, claims)
    return forged
