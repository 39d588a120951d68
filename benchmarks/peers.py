"""Token validation against peer libraries, on the token and key of benchmarks/validation.py.

Contenders, all given the public key up front (no network), all checking signature, `exp`,
`iss` and `aud`:

* TokenValidator (first-seen: verified-token cache off), the SDK;
* joserfc 1.8 `jwt.decode` + `JWTClaimsRegistry.validate`;
* python-keycloak 7.1 `KeycloakOpenID.decode_token(token, key=...)` (jwcrypto underneath).
  Without `key=`, python-keycloak fetches the realm's certs on every call; that default is
  measured against a real Keycloak in benchmarks/connections.py.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from cryptography.hazmat.primitives.asymmetric import rsa
from keycloak_sdk.extensions.jose.jwk import public_key_to_jwk
from keycloak_sdk.extensions.jose.jwks import JwksCache
from keycloak_sdk.extensions.validation import TokenValidator

from benchmarks.report import Row
from benchmarks.validation import AUDIENCE, ISSUER, _per_second, _token

SECTION = "Token validation against peer libraries (same RS256 token, key given)"


def _joserfc(public_key: rsa.RSAPublicKey, token: str) -> Callable[[], object]:
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    key = RSAKey.import_key(public_key)
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": AUDIENCE},
        exp={"essential": True},
    )

    def validate() -> object:
        decoded = jwt.decode(token, key, algorithms=["RS256"])
        registry.validate(decoded.claims)
        return decoded.claims

    return validate


def _python_keycloak(public_key: rsa.RSAPublicKey, token: str) -> Callable[[], object]:
    from jwcrypto import jwk  # type: ignore[import-untyped]
    from keycloak import KeycloakOpenID

    openid = KeycloakOpenID(
        server_url="http://127.0.0.1:9/", realm_name="sdk-test", client_id="sdk-confidential"
    )
    key = jwk.JWK(**public_key_to_jwk(public_key, kid="bench-key"))
    checks = {"iss": ISSUER, "aud": AUDIENCE, "exp": None}

    def validate() -> object:
        return openid.decode_token(token, key=key, check_claims=checks)

    return validate


def measure() -> dict[str, float]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_key = key.public_key()
    token = _token(key)
    jwks = JwksCache(lambda: {"keys": [public_key_to_jwk(public_key, kid="bench-key")]})
    ours = TokenValidator(issuer=ISSUER, client_id="sdk-confidential", jwks=jwks, audience=AUDIENCE)
    contenders: dict[str, Callable[[], object]] = {
        "ours": lambda: ours.validate_access_token(token)
    }
    if importlib.util.find_spec("joserfc") is not None:
        contenders["joserfc"] = _joserfc(public_key, token)
    if importlib.util.find_spec("keycloak") is not None:
        contenders["python-keycloak"] = _python_keycloak(public_key, token)
    for func in contenders.values():  # every contender must accept the token
        func()
    return _per_second(contenders)


def run() -> list[Row]:
    ops = measure()
    rows = [Row(SECTION, "TokenValidator, first-seen token", ops["ours"], "ops/s")]
    notes = {
        "joserfc": "joserfc 1.8 jwt.decode + claims registry",
        "python-keycloak": "python-keycloak 7.1 decode_token(key=...); its default "
        "(no key) fetches the certs on every call",
    }
    for name, note in notes.items():
        if name in ops:
            rows.append(
                Row(
                    SECTION,
                    name,
                    ops[name],
                    "ops/s",
                    "TokenValidator first-seen",
                    ops["ours"] / ops[name],
                    note=f"ratio = ours / {name} (>1: ours faster); {note}",
                )
            )
    return rows
