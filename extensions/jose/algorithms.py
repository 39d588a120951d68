"""The JWS algorithms we implement (RFC 7518, RFC 8037) and what each one needs from a key."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable

    from cryptography.hazmat.primitives import hashes

__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "DEFAULT_ALGORITHMS",
    "EC_CURVE_FOR_ALGORITHM",
    "HMAC_ALGORITHMS",
    "PSS_ALGORITHMS",
    "RSA_ALGORITHMS",
    "SUPPORTED_ALGORITHMS",
    "digest_for_algorithm",
    "hash_for_algorithm",
]

RSA_ALGORITHMS: Final = frozenset({"RS256", "RS384", "RS512"})
PSS_ALGORITHMS: Final = frozenset({"PS256", "PS384", "PS512"})
EC_CURVE_FOR_ALGORITHM: Final = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
HMAC_ALGORITHMS: Final = frozenset({"HS256", "HS384", "HS512"})
ASYMMETRIC_ALGORITHMS: Final = (
    RSA_ALGORITHMS | PSS_ALGORITHMS | frozenset(EC_CURVE_FOR_ALGORITHM) | frozenset({"EdDSA"})
)
#: What a validator accepts unless told otherwise: every asymmetric algorithm, never `none`,
#: never HMAC (that needs a shared secret the caller must pass explicitly).
DEFAULT_ALGORITHMS: Final = ASYMMETRIC_ALGORITHMS
SUPPORTED_ALGORITHMS: Final = ASYMMETRIC_ALGORITHMS | HMAC_ALGORITHMS

# Filled on first use, so that importing this module does not import cryptography.
_HASHES: Final[dict[str, type[hashes.HashAlgorithm]]] = {}
_HASHLIB: Final[dict[str, Callable[[bytes], hashlib._Hash]]] = {
    "256": hashlib.sha256,
    "384": hashlib.sha384,
    "512": hashlib.sha512,
}


def hash_for_algorithm(alg: str) -> hashes.HashAlgorithm:
    """The cryptography hash object an RS/PS/ES/HS algorithm signs with."""
    hash_type = _HASHES.get(alg[-3:])
    if hash_type is None:
        from cryptography.hazmat.primitives import hashes

        _HASHES.update({"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512})
        hash_type = _HASHES[alg[-3:]]
    return hash_type()


def digest_for_algorithm(alg: str, data: bytes) -> bytes:
    """The digest OIDC's at_hash/c_hash use for a token signed with `alg`.

    EdDSA with Ed25519 uses SHA-512, as the OpenID Foundation's errata settles.
    """
    if alg == "EdDSA":
        return hashlib.sha512(data).digest()
    return _HASHLIB[alg[-3:]](data).digest()
