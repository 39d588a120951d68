"""DPoP (RFC 9449): proofs for the client side, a sans-IO proof check for resource servers.

Client side: a `DPoPKey` is a private key the SDK manages (EC P-256, ES256 by default); its
`proof(method, url, ...)` is the `DPoP` header for one request, and it remembers the
`DPoP-Nonce` each server last sent (`remember_nonce`). The flow clients use it through
`DPoPTransport` when built with `dpop=True`.

Resource-server side: `DPoPVerifier.verify(...)` checks a request's proof against the access
token it accompanies (RFC 9449 section 4.3 and 7.1): `typ`, an asymmetric `alg`, the embedded
public `jwk` and the signature with it, `htm`, `htu`, `iat` within a window, `jti` not seen
before (a replay store), `ath`, and the token's `cnf.jkt` binding. `check_token_binding`
refuses a DPoP-bound token presented as a plain Bearer token. No I/O: any framework calls it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from cryptography.hazmat.primitives.asymmetric import ec
from keycloak_sdk.extensions.jose.algorithms import DEFAULT_ALGORITHMS
from keycloak_sdk.extensions.jose.b64 import b64url_decode_ascii
from keycloak_sdk.extensions.jose.errors import TokenValidationError, describe
from keycloak_sdk.extensions.jose.jwk import InvalidJwkError, parse_jwk, public_key_to_jwk
from keycloak_sdk.extensions.jose.jws import decode_json_object
from keycloak_sdk.extensions.jose.sign import SigningKey, sign_jwt
from keycloak_sdk.extensions.jose.stores import InMemoryReplayStore, ReplayStore

__all__ = [
    "DPOP_TOKEN_TYPE",
    "DPoPKey",
    "DPoPVerifier",
    "InvalidDPoPProofError",
    "VerifiedProof",
    "access_token_hash",
    "check_token_binding",
    "jwk_thumbprint",
    "normalize_htu",
]

DPOP_TOKEN_TYPE: Final = "DPoP"  # noqa: S105 - a token type name
PROOF_TYPE: Final = "dpop+jwt"
MAX_PROOF_BYTES: Final = 4096
# RFC 7638: the members that make a key's thumbprint, per key type.
_THUMBPRINT_MEMBERS: Final = {
    "EC": ("crv", "kty", "x", "y"),
    "RSA": ("e", "kty", "n"),
    "OKP": ("crv", "kty", "x"),
}
_PRIVATE_MEMBERS: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class InvalidDPoPProofError(TokenValidationError):
    """The DPoP proof, or the token's binding to it, is not acceptable; `.reason` says which
    check failed (an RFC 9449 `invalid_dpop_proof`, answered with 401)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"DPoP proof refused: {reason}")
        self.reason = reason


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: Mapping[str, object]) -> str:
    """RFC 7638 SHA-256 thumbprint, base64url: the `jkt` a bound token's `cnf` names."""
    members = _THUMBPRINT_MEMBERS.get(str(jwk.get("kty")))
    if members is None:
        raise InvalidDPoPProofError(f"key type {describe(jwk.get('kty'))} is not supported")
    canonical = {name: jwk.get(name) for name in members}
    if not all(isinstance(value, str) for value in canonical.values()):
        raise InvalidDPoPProofError("the proof's jwk lacks a required member")
    data = json.dumps(canonical, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return _b64(hashlib.sha256(data).digest())


def access_token_hash(access_token: str) -> str:
    """The proof's `ath`: base64url SHA-256 of the access token (RFC 9449 section 4.2)."""
    return _b64(hashlib.sha256(access_token.encode("ascii")).digest())


def normalize_htu(url: str) -> str:
    """`htu` as compared: scheme and host lowercased, no query or fragment (section 4.3)."""
    parts = urlsplit(url)
    netloc = parts.netloc.lower()
    scheme = parts.scheme.lower()
    if (scheme, netloc.rpartition(":")[2]) in (("https", "443"), ("http", "80")):
        netloc = netloc.rpartition(":")[0]
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


class DPoPKey:
    """A DPoP key pair the SDK manages, with the nonces servers asked it to use.

    `DPoPKey()` makes a fresh EC P-256 key (ES256); pass your own `private_key` (and `alg`)
    to keep a key across restarts. The private key never leaves this object or its repr.
    """

    def __init__(self, private_key: SigningKey | None = None, *, alg: str = "ES256") -> None:
        if private_key is None:
            private_key = ec.generate_private_key(ec.SECP256R1())
        if isinstance(private_key, bytes):
            raise TypeError("DPoP needs an asymmetric private key")
        self._key = private_key
        self.alg = alg
        jwk = public_key_to_jwk(private_key.public_key())
        self.public_jwk: dict[str, str] = {
            name: value for name, value in jwk.items() if name not in ("use", "alg", "kid")
        }
        self.jkt = jwk_thumbprint(self.public_jwk)
        self._nonces: dict[str, str] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DPoPKey(alg={self.alg!r}, jkt={self.jkt!r})"

    def proof(
        self,
        method: str,
        url: str,
        *,
        access_token: str | None = None,
        nonce: str | None = None,
        now: float | None = None,
    ) -> str:
        """The `DPoP` header value for one request (a fresh `jti` every time)."""
        claims: dict[str, object] = {
            "jti": secrets.token_urlsafe(16),
            "htm": method.upper(),
            "htu": normalize_htu(url),
            "iat": int(time.time() if now is None else now),
        }
        if nonce is None:
            nonce = self.nonce_for(url)
        if nonce is not None:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = access_token_hash(access_token)
        return sign_jwt(
            claims, self._key, alg=self.alg, headers={"typ": PROOF_TYPE, "jwk": self.public_jwk}
        )

    @staticmethod
    def _origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

    def nonce_for(self, url: str) -> str | None:
        with self._lock:
            return self._nonces.get(self._origin(url))

    def remember_nonce(self, url: str, nonce: str | None) -> None:
        """Keep the `DPoP-Nonce` a server sent, for the next proofs to that server."""
        if nonce:
            with self._lock:
                self._nonces[self._origin(url)] = nonce


@dataclass(frozen=True)
class VerifiedProof:
    """A proof that passed every check: its key's thumbprint and its claims."""

    jkt: str
    jti: str
    iat: float
    claims: Mapping[str, object]


def check_token_binding(claims: Mapping[str, object], scheme: str) -> str | None:
    """The token's `cnf.jkt`, after refusing a bound token sent with the Bearer scheme."""
    cnf = claims.get("cnf")
    jkt = cnf.get("jkt") if isinstance(cnf, Mapping) else None
    if jkt is not None and not isinstance(jkt, str):
        raise InvalidDPoPProofError("the token's cnf.jkt is not a string")
    if jkt is not None and scheme.lower() != "dpop":
        raise InvalidDPoPProofError("a DPoP-bound token must be sent with the DPoP scheme")
    return jkt


class DPoPVerifier:
    """Checks DPoP proofs for one resource server; thread-safe, no I/O.

    `iat_window` bounds how old (or how far in the future, with `leeway`) a proof may be;
    seen `jti`s are kept in `replay_store` for that long (share one store between processes
    with your own `ReplayStore`). `nonce` makes the server require its current nonce.
    """

    def __init__(
        self,
        *,
        iat_window: float = 60.0,
        leeway: float = 5.0,
        replay_store: ReplayStore | None = None,
        algorithms: frozenset[str] = DEFAULT_ALGORITHMS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if iat_window <= 0 or leeway < 0:
            raise ValueError("iat_window must be > 0 and leeway >= 0")
        self.iat_window = iat_window
        self.leeway = leeway
        self.algorithms = algorithms
        self.clock = clock
        self._replay = replay_store if replay_store is not None else InMemoryReplayStore()

    def verify(
        self,
        proof: str | None,
        *,
        method: str,
        url: str,
        access_token: str | None = None,
        token_jkt: str | None = None,
        nonce: str | None = None,
    ) -> VerifiedProof:
        """Check `proof` (the request's `DPoP` header) for this request.

        With `access_token`, `ath` must hash it; with `token_jkt` (the validated token's
        `cnf.jkt`), the proof's key must be that key; with `nonce`, the proof must carry it.
        """
        if not proof or not isinstance(proof, str):
            raise InvalidDPoPProofError("the request has no DPoP proof")
        if len(proof) > MAX_PROOF_BYTES or proof.count(".") != 2:
            raise InvalidDPoPProofError("the proof is not a compact JWS")
        header_b64, payload_b64, signature_b64 = proof.split(".")
        try:
            header = decode_json_object(b64url_decode_ascii(header_b64.encode("ascii")), "header")
            payload = b64url_decode_ascii(payload_b64.encode("ascii"))
            signature = b64url_decode_ascii(signature_b64.encode("ascii"))
        except (TokenValidationError, UnicodeEncodeError):
            raise InvalidDPoPProofError("the proof is not a compact JWS") from None
        if header.get("typ") != PROOF_TYPE:
            raise InvalidDPoPProofError(f"typ {describe(header.get('typ'))} is not dpop+jwt")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self.algorithms:
            raise InvalidDPoPProofError(f"alg {describe(alg)} is not an allowed asymmetric alg")
        jwk = header.get("jwk")
        if not isinstance(jwk, dict):
            raise InvalidDPoPProofError("the proof has no jwk header")
        if _PRIVATE_MEMBERS & jwk.keys():
            raise InvalidDPoPProofError("the proof's jwk holds private key material")
        try:
            key = parse_jwk(jwk)
            key.verify(alg, f"{header_b64}.{payload_b64}".encode("ascii"), signature)
        except InvalidJwkError as exc:
            raise InvalidDPoPProofError(f"the proof's jwk is unusable: {exc}") from None
        except TokenValidationError:
            raise InvalidDPoPProofError("the proof's signature does not verify") from None
        claims = decode_json_object(payload, "payload")
        return self._check_claims(claims, jwk, method, url, access_token, token_jkt, nonce)

    def _check_claims(
        self,
        claims: dict[str, object],
        jwk: Mapping[str, object],
        method: str,
        url: str,
        access_token: str | None,
        token_jkt: str | None,
        nonce: str | None,
    ) -> VerifiedProof:
        jti, htm, htu, iat = (claims.get(name) for name in ("jti", "htm", "htu", "iat"))
        if not isinstance(jti, str) or not jti or len(jti) > 256:
            raise InvalidDPoPProofError("jti is missing or invalid")
        if htm != method.upper():
            raise InvalidDPoPProofError(f"htm {describe(htm)} is not this request's method")
        if not isinstance(htu, str) or normalize_htu(htu) != normalize_htu(url):
            raise InvalidDPoPProofError("htu is not this request's URL")
        if type(iat) not in (int, float):
            raise InvalidDPoPProofError("iat is missing or not a number")
        now = self.clock()
        assert isinstance(iat, int | float)
        if iat > now + self.leeway or iat < now - self.iat_window:
            raise InvalidDPoPProofError("iat is outside the accepted window")
        if nonce is not None and claims.get("nonce") != nonce:
            raise InvalidDPoPProofError("the proof does not carry the server's current nonce")
        if access_token is not None:
            if claims.get("ath") != access_token_hash(access_token):
                raise InvalidDPoPProofError("ath does not match the access token")
        elif "ath" in claims:
            raise InvalidDPoPProofError("ath is present but no access token was sent")
        jkt = jwk_thumbprint(jwk)
        if token_jkt is not None and not secrets.compare_digest(jkt, token_jkt):
            raise InvalidDPoPProofError("the proof's key is not the key the token is bound to")
        # Last, so that a refused proof does not use up its jti.
        if not self._replay.add(f"dpop:{jti}", iat + self.iat_window + self.leeway):
            raise InvalidDPoPProofError("jti was already used (a replayed proof)")
        return VerifiedProof(jkt=jkt, jti=jti, iat=float(iat), claims=claims)
