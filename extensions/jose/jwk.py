"""JWK (RFC 7517) → cryptography public keys, each bound to the algorithms it may verify.

A key is parsed once, when its JWKS is loaded, into a `VerificationKey` that holds
ready-to-call verifiers for exactly the algorithms its `kty`/`crv`/`alg` allow. Keys that may
not verify signatures (`use` other than `sig`, `key_ops` without `verify`, symmetric keys,
RSA below 2048 bits, unknown types) are not dropped silently: they are kept as *unusable*
with the reason, so a token naming one gets a precise `UnusableKeyError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from keycloak_sdk.extensions.jose.algorithms import (
    EC_CURVE_FOR_ALGORITHM,
    PSS_ALGORITHMS,
    RSA_ALGORITHMS,
    hash_for_algorithm,
)
from keycloak_sdk.extensions.jose.b64 import b64url_decode, b64url_encode
from keycloak_sdk.extensions.jose.errors import (
    InvalidSignatureError,
    KeyNotFoundError,
    MalformedTokenError,
    UnsupportedAlgorithmError,
    UnusableKeyError,
    describe,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hashes

__all__ = [
    "MIN_RSA_BITS",
    "InvalidJwkError",
    "KeySet",
    "VerificationKey",
    "parse_jwk",
    "parse_jwks",
    "public_key_to_jwk",
]

MIN_RSA_BITS: Final = 2048
MAX_KEYS_PER_SET: Final = 100

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey
_Verifier = Callable[[bytes, bytes], None]

_CURVES: Final[dict[str, tuple[type[ec.EllipticCurve], int]]] = {
    "P-256": (ec.SECP256R1, 32),
    "P-384": (ec.SECP384R1, 48),
    "P-521": (ec.SECP521R1, 66),
}
_ALGORITHM_FOR_CURVE: Final = {crv: alg for alg, crv in EC_CURVE_FOR_ALGORITHM.items()}


class InvalidJwkError(ValueError):
    """A JWK is malformed or describes a key we will not verify with."""


class VerificationKey:
    """One public key from a JWKS, usable only for the algorithms in `algorithms`."""

    __slots__ = ("_verifiers", "algorithms", "kid", "kty", "public_key")

    def __init__(
        self, kid: str | None, kty: str, public_key: PublicKey, verifiers: Mapping[str, _Verifier]
    ) -> None:
        self.kid = kid
        self.kty = kty
        self.public_key = public_key
        self._verifiers = dict(verifiers)
        self.algorithms = frozenset(verifiers)

    def verify(self, alg: str, signing_input: bytes, signature: bytes) -> None:
        """Raise InvalidSignatureError unless `signature` over `signing_input` verifies."""
        verifier = self._verifiers.get(alg)
        if verifier is None:
            raise UnsupportedAlgorithmError(
                f"alg {describe(alg)} is not allowed for key kid={describe(self.kid)}"
            )
        try:
            verifier(signature, signing_input)
        except (InvalidSignature, ValueError):
            raise InvalidSignatureError("signature verification failed") from None

    def __repr__(self) -> str:
        algorithms = sorted(self.algorithms)
        return f"VerificationKey(kid={self.kid!r}, kty={self.kty!r}, algorithms={algorithms})"


def _rsa_verifiers(key: rsa.RSAPublicKey, algs: Iterable[str]) -> dict[str, _Verifier]:
    verifiers: dict[str, _Verifier] = {}
    for alg in algs:
        digest = hash_for_algorithm(alg)
        if alg in RSA_ALGORITHMS:
            pad: padding.AsymmetricPadding = padding.PKCS1v15()
        else:
            # RFC 7518 3.5: MGF1 with the same hash, salt as long as the hash output.
            pad = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
        verifiers[alg] = _bind_rsa(key, pad, digest)
    return verifiers


def _bind_rsa(
    key: rsa.RSAPublicKey, pad: padding.AsymmetricPadding, digest: hashes.HashAlgorithm
) -> _Verifier:
    verify = key.verify

    def verifier(signature: bytes, data: bytes) -> None:
        verify(signature, data, pad, digest)

    return verifier


def _ec_verifier(key: ec.EllipticCurvePublicKey, alg: str, size: int) -> _Verifier:
    verify = key.verify
    scheme = ec.ECDSA(hash_for_algorithm(alg))

    def verifier(signature: bytes, data: bytes) -> None:
        # JWS carries ECDSA signatures as fixed-width r || s (RFC 7518 3.4), not DER.
        if len(signature) != 2 * size:
            raise InvalidSignature
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
        verify(encode_dss_signature(r, s), data, scheme)

    return verifier


def _required_b64(jwk: Mapping[str, object], member: str) -> bytes:
    value = jwk.get(member)
    if not isinstance(value, str) or not value:
        raise InvalidJwkError(f"member {member!r} is missing or not a string")
    try:
        return b64url_decode(value)
    except MalformedTokenError:
        raise InvalidJwkError(f"member {member!r} is not base64url") from None


def _check_usage(jwk: Mapping[str, object]) -> None:
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise InvalidJwkError(f"use={describe(use)}: only signature keys verify tokens")
    key_ops = jwk.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        raise InvalidJwkError("key_ops does not include 'verify'")


def parse_jwk(jwk: Mapping[str, object]) -> VerificationKey:
    """Turn one JWK into a VerificationKey, or raise InvalidJwkError saying why not."""
    kty = jwk.get("kty")
    kid = jwk.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidJwkError("kid is not a string")
    _check_usage(jwk)
    declared = jwk.get("alg")
    if declared is not None and not isinstance(declared, str):
        raise InvalidJwkError("alg is not a string")

    verifiers: dict[str, _Verifier]
    public_key: PublicKey
    if kty == "RSA":
        n = int.from_bytes(_required_b64(jwk, "n"), "big")
        e = int.from_bytes(_required_b64(jwk, "e"), "big")
        if n.bit_length() < MIN_RSA_BITS:
            raise InvalidJwkError(f"RSA key has {n.bit_length()} bits, fewer than {MIN_RSA_BITS}")
        if e < 3 or e % 2 == 0:
            raise InvalidJwkError("RSA public exponent is invalid")
        try:
            public_key = rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError:
            raise InvalidJwkError("RSA key is invalid") from None
        allowed = RSA_ALGORITHMS | PSS_ALGORITHMS
        if declared is not None:
            if declared not in allowed:
                raise InvalidJwkError(f"alg {describe(declared)} is not a signature alg for RSA")
            allowed = frozenset({declared})
        verifiers = _rsa_verifiers(public_key, sorted(allowed))
    elif kty == "EC":
        crv = jwk.get("crv")
        if not isinstance(crv, str) or crv not in _CURVES:
            raise InvalidJwkError(f"EC curve {describe(crv)} is not supported")
        curve, size = _CURVES[crv]
        alg = _ALGORITHM_FOR_CURVE[crv]
        if declared is not None and declared != alg:
            raise InvalidJwkError(f"alg {describe(declared)} does not match curve {crv}")
        x, y = _required_b64(jwk, "x"), _required_b64(jwk, "y")
        if len(x) != size or len(y) != size:
            raise InvalidJwkError(f"EC coordinates must be {size} bytes for {crv}")
        try:
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(curve(), b"\x04" + x + y)
        except ValueError:
            raise InvalidJwkError("EC point is not on the curve") from None
        verifiers = {alg: _ec_verifier(public_key, alg, size)}
    elif kty == "OKP":
        if jwk.get("crv") != "Ed25519":
            raise InvalidJwkError(f"OKP curve {describe(jwk.get('crv'))} is not supported")
        if declared is not None and declared != "EdDSA":
            raise InvalidJwkError(f"alg {describe(declared)} does not match Ed25519")
        x = _required_b64(jwk, "x")
        if len(x) != 32:
            raise InvalidJwkError("Ed25519 public key must be 32 bytes")
        public_key = ed25519.Ed25519PublicKey.from_public_bytes(x)
        verifiers = {"EdDSA": public_key.verify}
    elif kty == "oct":
        raise InvalidJwkError("symmetric keys are never taken from a JWKS")
    else:
        raise InvalidJwkError(f"kty {describe(kty)} is not supported")
    return VerificationKey(kid, str(kty), public_key, verifiers)


class KeySet:
    """The usable keys of one JWKS document, indexed by `kid`, plus the rejected ones."""

    __slots__ = ("_by_kid", "_keys", "_rejected")

    def __init__(
        self, keys: Iterable[VerificationKey], rejected: Mapping[str, str] | None = None
    ) -> None:
        self._keys = tuple(keys)
        by_kid: dict[str, list[VerificationKey]] = {}
        for key in self._keys:
            if key.kid is not None:
                by_kid.setdefault(key.kid, []).append(key)
        self._by_kid = {kid: tuple(group) for kid, group in by_kid.items()}
        self._rejected = dict(rejected or {})

    @property
    def keys(self) -> tuple[VerificationKey, ...]:
        return self._keys

    @property
    def rejected(self) -> Mapping[str, str]:
        """kid → why that key may not verify tokens."""
        return dict(self._rejected)

    def __len__(self) -> int:
        return len(self._keys)

    def find(self, kid: str | None, alg: str) -> VerificationKey | None:
        """The key for (kid, alg); None when the kid is unknown (a refetch may help).

        Raises when the answer is definitive: the kid names an unusable key, the kid's key
        does not allow `alg`, or there is no kid and more than one key would do.
        """
        if kid is not None:
            group = self._by_kid.get(kid)
            if group is None:
                reason = self._rejected.get(kid)
                if reason is not None:
                    raise UnusableKeyError(f"key kid={describe(kid)} is unusable: {reason}")
                return None
            for key in group:
                if alg in key.algorithms:
                    return key
            raise UnsupportedAlgorithmError(
                f"alg {describe(alg)} is not allowed for key kid={describe(kid)}"
            )
        candidates = [key for key in self._keys if alg in key.algorithms]
        if len(candidates) > 1:
            raise KeyNotFoundError(
                f"token has no kid and {len(candidates)} keys allow alg {describe(alg)}"
            )
        return candidates[0] if candidates else None


def parse_jwks(document: Mapping[str, object]) -> KeySet:
    """Parse a JWKS document; individual bad keys are recorded as unusable, not fatal."""
    raw_keys = document.get("keys")
    if not isinstance(raw_keys, list):
        raise InvalidJwkError("JWKS has no 'keys' array")
    if len(raw_keys) > MAX_KEYS_PER_SET:
        raise InvalidJwkError(f"JWKS has more than {MAX_KEYS_PER_SET} keys")
    usable: list[VerificationKey] = []
    rejected: dict[str, str] = {}
    for raw in raw_keys:
        if not isinstance(raw, dict):
            continue
        try:
            usable.append(parse_jwk(raw))
        except InvalidJwkError as exc:
            kid = raw.get("kid")
            if isinstance(kid, str):
                rejected[kid] = str(exc)
    # A kid that is both usable and rejected (e.g. a sig and an enc key sharing it) is usable.
    for key in usable:
        if key.kid is not None:
            rejected.pop(key.kid, None)
    return KeySet(usable, rejected)


def _int_bytes(value: int, size: int | None = None) -> bytes:
    return value.to_bytes(size or max(1, (value.bit_length() + 7) // 8), "big")


def public_key_to_jwk(
    public_key: PublicKey, *, kid: str | None = None, alg: str | None = None, use: str = "sig"
) -> dict[str, str]:
    """A public JWK for a cryptography public key (for JWKS documents and tests)."""
    jwk: dict[str, str]
    if isinstance(public_key, rsa.RSAPublicKey):
        numbers = public_key.public_numbers()
        jwk = {
            "kty": "RSA",
            "n": b64url_encode(_int_bytes(numbers.n)),
            "e": b64url_encode(_int_bytes(numbers.e)),
        }
    elif isinstance(public_key, ec.EllipticCurvePublicKey):
        crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}.get(
            public_key.curve.name
        )
        if crv is None:
            raise InvalidJwkError(f"curve {public_key.curve.name} has no JOSE name")
        size = _CURVES[crv][1]
        point = public_key.public_numbers()
        jwk = {
            "kty": "EC",
            "crv": crv,
            "x": b64url_encode(_int_bytes(point.x, size)),
            "y": b64url_encode(_int_bytes(point.y, size)),
        }
    elif isinstance(public_key, ed25519.Ed25519PublicKey):
        raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    else:
        raise InvalidJwkError(f"unsupported key type {type(public_key).__name__}")
    if kid is not None:
        jwk["kid"] = kid
    if alg is not None:
        jwk["alg"] = alg
    jwk["use"] = use
    return jwk
