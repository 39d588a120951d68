"""Signing compact JWTs: client assertions (client_secret_jwt, private_key_jwt) and test tokens."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import TYPE_CHECKING, Final

from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from keycloak_sdk.extensions.jose.algorithms import (
    EC_CURVE_FOR_ALGORITHM,
    HMAC_ALGORITHMS,
    PSS_ALGORITHMS,
    RSA_ALGORITHMS,
    hash_for_algorithm,
)
from keycloak_sdk.extensions.jose.b64 import b64url_encode
from keycloak_sdk.extensions.jose.jwk import MIN_RSA_BITS

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["SigningKey", "sign_jwt"]

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | bytes

_EC_CURVE_NAMES: Final = {"P-256": "secp256r1", "P-384": "secp384r1", "P-521": "secp521r1"}
_EC_SIZES: Final = {"P-256": 32, "P-384": 48, "P-521": 66}
_HMAC_DIGESTS: Final = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def _sign(alg: str, key: SigningKey, data: bytes) -> bytes:
    if alg in HMAC_ALGORITHMS:
        if not isinstance(key, bytes) or not key:
            raise TypeError(f"{alg} needs a non-empty bytes secret")
        return hmac.new(key, data, _HMAC_DIGESTS[alg]).digest()
    if alg in RSA_ALGORITHMS or alg in PSS_ALGORITHMS:
        if not isinstance(key, rsa.RSAPrivateKey):
            raise TypeError(f"{alg} needs an RSA private key")
        if key.key_size < MIN_RSA_BITS:
            raise ValueError(f"RSA keys must have at least {MIN_RSA_BITS} bits")
        digest = hash_for_algorithm(alg)
        pad: padding.AsymmetricPadding = (
            padding.PKCS1v15()
            if alg in RSA_ALGORITHMS
            else padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
        )
        return key.sign(data, pad, digest)
    if alg in EC_CURVE_FOR_ALGORITHM:
        crv = EC_CURVE_FOR_ALGORITHM[alg]
        if (
            not isinstance(key, ec.EllipticCurvePrivateKey)
            or key.curve.name != _EC_CURVE_NAMES[crv]
        ):
            raise TypeError(f"{alg} needs an EC private key on {crv}")
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hash_for_algorithm(alg))))
        size = _EC_SIZES[crv]
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    if alg == "EdDSA":
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise TypeError("EdDSA needs an Ed25519 private key")
        return key.sign(data)
    raise ValueError(f"cannot sign with alg {alg!r}")


def sign_jwt(
    claims: Mapping[str, object],
    key: SigningKey,
    *,
    alg: str,
    kid: str | None = None,
    headers: Mapping[str, object] | None = None,
) -> str:
    """Serialise `claims` as a compact JWS signed with `key` under `alg`.

    `headers` adds header members (e.g. `typ`); it cannot override `alg` or `kid`.
    """
    header: dict[str, object] = {"alg": alg, "typ": "JWT"}
    if headers:
        header.update(
            {name: value for name, value in headers.items() if name not in ("alg", "kid")}
        )
    if kid is not None:
        header["kid"] = kid
    signing_input = (
        b64url_encode(json.dumps(header, separators=(",", ":")).encode("utf-8"))
        + "."
        + b64url_encode(json.dumps(dict(claims), separators=(",", ":")).encode("utf-8"))
    )
    signature = _sign(alg, key, signing_input.encode("ascii"))
    return signing_input + "." + b64url_encode(signature)
