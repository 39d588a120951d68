"""Access-token validation throughput against a bare-cryptography floor and PyJWT.

All contenders validate the same RS256 Keycloak-shaped access token (about 1.3 KB) in the
same process, with the key already loaded:

* floor: what any correct validator must do at least, written with bare cryptography:
  base64url-decode header, payload and signature, RSA-verify, json.loads, check exp/iss/aud;
* ours, first seen: TokenValidator with its verified-token cache off (every call runs every
  check: strict parsing, header rules, key lookup, signature, all claims);
* ours, cached: TokenValidator with the verified-token cache on, against the bare RSA verify
  alone (the cost it avoids);
* PyJWT: jwt.decode with the same key, audience and issuer.

Each contender runs in interleaved rounds timed in process CPU time (time spent waiting for a
core on a busy machine is not counted); the best round of each is kept.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import time
import timeit
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from keycloak_sdk.extensions.jose.jwk import public_key_to_jwk
from keycloak_sdk.extensions.jose.jwks import JwksCache
from keycloak_sdk.extensions.jose.sign import sign_jwt
from keycloak_sdk.extensions.validation import TokenValidator

from benchmarks.report import Row

SECTION = "Access-token validation (RS256, 2048-bit key, ~1.3 KB token)"
ISSUER = "http://127.0.0.1:8080/realms/sdk-test"
AUDIENCE = "sdk-api"
ROUNDS = 15
ROUND_SECONDS = 0.1


def _token(key: rsa.RSAPrivateKey) -> str:
    now = int(time.time())
    claims = {
        "exp": now + 3600,
        "iat": now,
        "jti": "onrtac:5d4e8c8f-1f0a-4b4a-9a52-0f6c1f3c2f11",
        "iss": ISSUER,
        "aud": [AUDIENCE, "account"],
        "sub": "1502f47d-a304-4097-8d69-f8a569d9ce6f",
        "typ": "Bearer",
        "azp": "sdk-confidential",
        "sid": "0b1d0f6e-4b1c-4a55-8d43-6d1a3f0f7a31",
        "acr": "1",
        "allowed-origins": ["http://127.0.0.1", "http://localhost"],
        "realm_access": {"roles": ["default-roles-sdk-test", "offline_access", "user"]},
        "resource_access": {
            "sdk-confidential": {"roles": ["reader"]},
            "account": {"roles": ["manage-account", "manage-account-links", "view-profile"]},
        },
        "scope": "openid email profile",
        "email_verified": True,
        "name": "Alice Liddell",
        "preferred_username": "alice",
        "given_name": "Alice",
        "family_name": "Liddell",
        "email": "alice@example.com",
    }
    return sign_jwt(claims, key, alg="RS256", kid="bench-key")


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _floor(public_key: rsa.RSAPublicKey, token: str) -> Callable[[], object]:
    def validate() -> object:
        header_segment, payload_segment, signature_segment = token.split(".")
        header = json.loads(_b64(header_segment))
        if header["alg"] != "RS256":
            raise ValueError("alg")
        public_key.verify(
            _b64(signature_segment),
            f"{header_segment}.{payload_segment}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        claims = json.loads(_b64(payload_segment))
        if claims["exp"] <= time.time() or claims["iss"] != ISSUER:
            raise ValueError("claims")
        if AUDIENCE not in claims["aud"]:
            raise ValueError("aud")
        return claims

    return validate


def _bare_verify(public_key: rsa.RSAPublicKey, token: str) -> Callable[[], object]:
    signing_input, _, signature_segment = token.rpartition(".")
    data, signature = signing_input.encode(), _b64(signature_segment)
    pad, digest = padding.PKCS1v15(), hashes.SHA256()

    def verify() -> object:
        public_key.verify(signature, data, pad, digest)
        return None

    return verify


def _per_second(contenders: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best-of-ROUNDS operations per second for each contender, rounds interleaved."""
    loops: dict[str, int] = {}
    for name, func in contenders.items():
        count, elapsed = timeit.Timer(func, timer=time.process_time).autorange()
        loops[name] = max(1, int(count * ROUND_SECONDS / max(elapsed, 1e-9)))
    best = dict.fromkeys(contenders, 0.0)
    for _ in range(ROUNDS):
        for name, func in contenders.items():
            elapsed = timeit.timeit(func, number=loops[name], timer=time.process_time)
            best[name] = max(best[name], loops[name] / elapsed)
    return best


def measure() -> dict[str, float]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_key = key.public_key()
    token = _token(key)
    jwks = JwksCache(lambda: {"keys": [public_key_to_jwk(public_key, kid="bench-key")]})
    plain = TokenValidator(
        issuer=ISSUER, client_id="sdk-confidential", jwks=jwks, audience=AUDIENCE
    )
    cached = TokenValidator(
        issuer=ISSUER,
        client_id="sdk-confidential",
        jwks=jwks,
        audience=AUDIENCE,
        verified_token_cache_size=1024,
    )
    contenders: dict[str, Callable[[], object]] = {
        "floor": _floor(public_key, token),
        "ours": lambda: plain.validate_access_token(token),
        "bare_verify": _bare_verify(public_key, token),
        "ours_cached": lambda: cached.validate_access_token(token),
    }
    if importlib.util.find_spec("jwt") is not None:
        import jwt

        def pyjwt() -> object:
            return jwt.decode(
                token, key=public_key, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER
            )

        contenders["pyjwt"] = pyjwt
    for func in contenders.values():  # every contender must accept the token
        func()
    return _per_second(contenders)


def run() -> list[Row]:
    ops = measure()
    rows = [
        Row(SECTION, "floor: bare cryptography", ops["floor"], "ops/s"),
        Row(
            SECTION,
            "TokenValidator, first-seen token",
            ops["ours"],
            "ops/s",
            "floor",
            ops["ours"] / ops["floor"],
            ">=0.8",
            "every check runs; ratio = ours / floor",
        ),
        Row(SECTION, "bare RSA signature verify", ops["bare_verify"], "ops/s"),
        Row(
            SECTION,
            "TokenValidator, cached token",
            ops["ours_cached"],
            "ops/s",
            "bare RSA verify",
            ops["ours_cached"] / ops["bare_verify"],
            ">=5",
            "verified-token cache on; ratio = ours / bare verify",
        ),
    ]
    if "pyjwt" in ops:
        rows.append(
            Row(
                SECTION,
                "PyJWT jwt.decode",
                ops["pyjwt"],
                "ops/s",
                "TokenValidator first-seen",
                ops["ours"] / ops["pyjwt"],
                note="ratio = ours / PyJWT (>1 means we are faster)",
            )
        )
    return rows


if __name__ == "__main__":
    from benchmarks.report import render

    print(render(run()))
