"""Bearer tokens, valid and forged: every way a token can lie about who sent it or when."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

import jwt
import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

INVALID_UTF8 = bytes([0xFF, 0xFE, 0xC0, 0xAF])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def raw_jwt(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    return f"{b64(orjson.dumps(header))}.{b64(orjson.dumps(claims))}.{b64(signature)}"


def hmac_jwt(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    """An HMAC-signed token with any header (the hash from its `alg`), PyJWT's refusal to use a
    PEM key as an HMAC secret bypassed: what an attacker does for HS/RS confusion."""
    signing_input = f"{b64(orjson.dumps(header))}.{b64(orjson.dumps(claims))}"
    digest = {"HS384": hashlib.sha384, "HS512": hashlib.sha512}.get(header["alg"], hashlib.sha256)
    mac = hmac.new(secret, signing_input.encode(), digest).digest()
    return f"{signing_input}.{b64(mac)}"


@dataclass(frozen=True)
class RsaKeys:
    private_pem: bytes
    public_pem: bytes

    @classmethod
    def generate(cls) -> RsaKeys:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(private, public)


@dataclass(frozen=True)
class Issuer:
    """What the server under test trusts: its algorithm, key, issuer and audience."""

    algorithm: str
    signing_key: bytes  # the HS secret, or the RS private key
    verification_key: bytes  # the HS secret, or the RS public key (what the server holds)
    issuer: str
    audience: str

    def claims(self, customer: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": customer,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict[str, Any], **headers: Any) -> str:
        return jwt.encode(
            claims, self.signing_key, algorithm=self.algorithm, headers=headers or None
        )

    def valid(self, customer: str, **overrides: Any) -> str:
        return self.sign(self.claims(customer, **overrides))

    def forged(self, victim: str, *, other_customer: str) -> dict[str, str]:
        """Tokens the server must refuse, by name. `victim` is who each one claims to be.

        Made once per issuer and victim (RS256 signing parses the PEM each time: seconds per
        set); the validity windows are hours wide, far longer than a run."""
        return dict(_forged(self, victim, other_customer))

    def _forge(self, victim: str, other_customer: str) -> dict[str, str]:
        now = int(time.time())
        claims = self.claims(victim)
        header = {"alg": self.algorithm, "typ": "JWT"}
        valid = self.sign(claims)
        head, body, signature = valid.split(".")
        flipped = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
        flipped[0] ^= 0x01
        attacker = _attacker_keys() if self.algorithm.startswith("RS") else None
        attacker_secret = b"attacker-secret-" + b"x" * 32
        forged = {
            "alg_none": raw_jwt({"alg": "none", "typ": "JWT"}, claims),
            "alg_None": raw_jwt({"alg": "None", "typ": "JWT"}, claims),
            "alg_NONE_with_signature": raw_jwt({"alg": "NONE"}, claims, b"sig"),
            "alg_none_valid_signature_kept": f"{b64(orjson.dumps({'alg': 'none'}))}.{body}.{signature}",
            # Another algorithm with the key the server holds: on an HS server HS512 with the
            # shared secret; on an RS server HS256/HS512 keyed with the public key (below).
            "other_hs_algorithm_same_key": hmac_jwt(
                {"alg": "HS512"}, claims, self.verification_key
            ),
            "wrong_secret": jwt.encode(claims, attacker_secret, algorithm="HS256"),
            "signature_bit_flip": f"{head}.{body}.{b64(bytes(flipped))}",
            "signature_removed": f"{head}.{body}.",
            "signature_truncated": f"{head}.{body}.{signature[: len(signature) // 2]}",
            "payload_swapped_to_other_customer": f"{head}.{b64(orjson.dumps({**claims, 'sub': other_customer}))}.{signature}",
            "kid_path_traversal": hmac_jwt(
                {"alg": "HS256", "kid": "../../../../dev/null"}, claims, b""
            ),
            "kid_sql_injection": hmac_jwt(
                {"alg": "HS256", "kid": "x' UNION SELECT 'key'--"}, claims, b"key"
            ),
            "jku_header": hmac_jwt(
                {"alg": "HS256", "jku": "http://127.0.0.1:9/jwks.json"}, claims, attacker_secret
            ),
            "embedded_jwk": raw_jwt(
                {"alg": "RS256", "jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}},
                claims,
                b"x" * 256,
            ),
            "expired": self.sign(
                {**claims, "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600}
            ),
            "expired_just_past_leeway": self.sign({**claims, "exp": now - 120}),
            "not_yet_valid_nbf": self.sign({**claims, "nbf": now + 3600}),
            "issued_in_future_iat": self.sign({**claims, "iat": now + 3600}),
            "wrong_audience": self.sign({**claims, "aud": "another-api"}),
            "audience_list_without_ours": self.sign({**claims, "aud": ["another-api", "x"]}),
            "wrong_issuer": self.sign({**claims, "iss": "https://evil.example"}),
            "issuer_prefix": self.sign({**claims, "iss": self.issuer + ".evil.example"}),
            "exp_float_nan_like": raw_jwt(header, {**claims, "exp": "NaN"}, b"x"),
            "sub_integer": self.sign({**claims, "sub": 12345}),
            "sub_empty": self.sign({**claims, "sub": ""}),
            "sub_sql_injection": self.sign({**claims, "sub": "cus_a' OR '1'='1"}),
            "sub_path_traversal": self.sign({**claims, "sub": "../../etc/passwd"}),
            "sub_too_long": self.sign({**claims, "sub": "c" * 65}),
            "sub_nul": self.sign({**claims, "sub": "cus_\x00a"}),
            "sub_list": self.sign({**claims, "sub": [victim, other_customer]}),
            "header_not_json": f"{b64(b'{not json')}.{body}.{signature}",
            "payload_not_json": f"{head}.{b64(b'[1,2')}.{signature}",
            "payload_invalid_utf8": f"{head}.{b64(INVALID_UTF8)}.{signature}",
            "two_segments": f"{head}.{body}",
            "four_segments": f"{valid}.{signature}",
            "not_base64": "!!!.@@@.###",
            "huge_token": valid + "A" * 20_000,
        }
        if attacker is not None:
            forged["rs256_signed_by_attacker_key"] = jwt.encode(
                claims, attacker.private_pem, algorithm=self.algorithm
            )
            # HS/RS confusion: the server's RSA public key used as an HMAC secret.
            for stripped in (False, True):
                key = self.verification_key.strip() if stripped else self.verification_key
                name = "hs256_keyed_with_rsa_public_key" + ("_stripped" if stripped else "")
                forged[name] = hmac_jwt({"alg": "HS256", "typ": "JWT"}, claims, key)
        else:
            forged["rs256_header_on_hs_server"] = raw_jwt(
                {"alg": "RS256", "typ": "JWT"}, claims, b"x" * 256
            )
        for claim in ("exp", "iat", "iss", "aud", "sub"):
            forged[f"missing_{claim}"] = self.sign({k: v for k, v in claims.items() if k != claim})
        return forged


@functools.cache
def _forged(issuer: Issuer, victim: str, other_customer: str) -> tuple[tuple[str, str], ...]:
    return tuple(issuer._forge(victim, other_customer).items())


@functools.cache
def _attacker_keys() -> RsaKeys:
    return RsaKeys.generate()


def hs_issuer(secret: bytes, issuer: str, audience: str) -> Issuer:
    return Issuer("HS256", secret, secret, issuer, audience)


def rs_issuer(keys: RsaKeys, issuer: str, audience: str) -> Issuer:
    return Issuer("RS256", keys.private_pem, keys.public_pem, issuer, audience)
