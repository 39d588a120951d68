"""Validating Keycloak access, ID and back-channel logout tokens.

`TokenValidator` (sync) and `AsyncTokenValidator` (asyncio) share every rule through
`_ValidationRules`; they differ only in how keys and seen `jti`s are looked up. See
docs/token-validation.md for the checks, their order and the defaults.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from typing import TYPE_CHECKING, Any, Final

from keycloak_sdk.extensions.claims import (
    BACKCHANNEL_LOGOUT_EVENT,
    AccessTokenClaims,
    IdTokenClaims,
    LogoutTokenClaims,
)
from keycloak_sdk.extensions.jose.algorithms import (
    DEFAULT_ALGORITHMS,
    HMAC_ALGORITHMS,
    SUPPORTED_ALGORITHMS,
    digest_for_algorithm,
)
from keycloak_sdk.extensions.jose.b64 import b64url_decode_ascii, b64url_encode
from keycloak_sdk.extensions.jose.errors import (
    InvalidAudienceError,
    InvalidClaimError,
    InvalidIssuerError,
    InvalidNonceError,
    InvalidSignatureError,
    InvalidTokenTypeError,
    MissingClaimError,
    MissingScopeError,
    TokenExpiredError,
    TokenNotYetValidError,
    TokenReplayedError,
    TokenValidationError,
    describe,
)
from keycloak_sdk.extensions.jose.jwks import (
    DEFAULT_MAX_STALE,
    DEFAULT_REFETCH_COOLDOWN,
    AsyncJwksCache,
    JwksCache,
    JwksResponse,
)
from keycloak_sdk.extensions.jose.jws import (
    DEFAULT_MAX_TOKEN_BYTES,
    CompactJws,
    decode_json_object,
    parse_compact_jws,
)
from keycloak_sdk.extensions.jose.stores import (
    AsyncInMemoryReplayStore,
    AsyncReplayStore,
    InMemoryReplayStore,
    ReplayStore,
    VerifiedTokenCache,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

    import httpx

    from keycloak_sdk._clients import Opening

__all__ = [
    "DEFAULT_LEEWAY",
    "LOGGER_NAME",
    "MAX_LEEWAY",
    "AsyncTokenValidator",
    "TokenValidator",
]

#: Every refused token is logged here at INFO: the check that failed and the claims that
#: decided it (iss, aud, azp, exp, kid), never the token itself.
LOGGER_NAME: Final = "keycloak_sdk.validation"
_log = logging.getLogger(LOGGER_NAME)

DEFAULT_LEEWAY: Final = 30.0
MAX_LEEWAY: Final = 300.0
MIN_SHARED_SECRET_BYTES: Final = 32

# Keycloak's own `typ` claim, which tells its token kinds apart (not the JOSE header `typ`).
ACCESS_TOKEN_TYPE: Final = "Bearer"  # noqa: S105
# Keycloak types a DPoP-bound access token "DPoP" (with `cnf.jkt`); who presents it must
# prove the key: `keycloak_sdk.extensions.dpop.check_token_binding` and `DPoPVerifier`.
DPOP_TYPE: Final = "DPoP"
ID_TOKEN_TYPE: Final = "ID"  # noqa: S105
LOGOUT_TOKEN_TYPE: Final = "Logout"  # noqa: S105
# The JOSE header `typ` a logout token may carry (Back-Channel Logout 1.0 section 2.4).
_LOGOUT_JOSE_TYPES: Final = frozenset({"logout+jwt", "application/logout+jwt"})
_LOGGED_CLAIMS: Final = ("iss", "aud", "azp", "exp")

_HMAC_DIGESTS: Final = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def _audience_set(audience: str | Iterable[str] | None) -> frozenset[str]:
    if audience is None:
        return frozenset()
    if isinstance(audience, str):
        return frozenset({audience})
    return frozenset(audience)


def _number(claims: dict[str, object], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    kind = type(value)
    if kind is int:
        return value  # type: ignore[return-value]
    if kind is float and math.isfinite(value):  # type: ignore[arg-type]
        return value  # type: ignore[return-value]
    raise InvalidClaimError(name, f"claim {name!r} must be a finite number")


def _required_string(claims: dict[str, object], name: str) -> str:
    value = claims.get(name)
    if value is None:
        raise MissingClaimError(name)
    if type(value) is not str or not value:
        raise InvalidClaimError(name, f"claim {name!r} must be a non-empty string")
    return value


def _peek_claims(token: str, max_bytes: int) -> dict[str, object]:
    """The payload without any check, for the refusal log only (never for a decision)."""
    if not isinstance(token, str) or len(token) > max_bytes:
        return {}
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        return decode_json_object(b64url_decode_ascii(parts[1].encode("ascii")), "payload")
    except (TokenValidationError, UnicodeEncodeError, ValueError):
        return {}


def log_refusal(kind: str, exc: TokenValidationError, token: str, max_bytes: int) -> None:
    """INFO log of a refused token: the failed check and the deciding claims, not the token.

    Claims come from the payload whether or not the signature verified (the line says
    which); they are what the sender claimed, excerpted, and help find a misconfiguration.
    """
    if not _log.isEnabledFor(logging.INFO):
        return
    claims = _peek_claims(token, max_bytes)
    kid: object = None
    if isinstance(token, str) and len(token) <= max_bytes:
        try:
            header = decode_json_object(
                b64url_decode_ascii(token.split(".", 1)[0].encode("ascii")), "header"
            )
            kid = header.get("kid")
        except (TokenValidationError, UnicodeEncodeError, ValueError):
            kid = None
    decided = " ".join(f"{name}={describe(claims.get(name))}" for name in _LOGGED_CLAIMS)
    # Claim checks run only after the signature verified; every other refusal comes before.
    verified = "yes" if isinstance(exc, InvalidClaimError) else "no"
    _log.info(
        "%s token refused by check %s (%s): %s %s kid=%s signature verified: %s",
        kind,
        getattr(exc, "claim", type(exc).__name__),
        type(exc).__name__,
        exc,
        decided,
        describe(kid),
        verified,
    )


class _ValidationRules:
    """Configuration and every claim check; no I/O, so both validators share it."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        audience: str | Iterable[str] | None,
        accept_azp_as_audience: bool,
        algorithms: Iterable[str] | None,
        shared_secret: bytes | None,
        leeway: float,
        max_token_bytes: int,
        verified_token_cache_size: int,
        verified_token_cache_ttl: float,
        clock: Callable[[], float],
    ) -> None:
        if not issuer:
            raise ValueError("issuer is required")
        if not client_id:
            raise ValueError("client_id is required")
        if not 0 <= leeway <= MAX_LEEWAY:
            raise ValueError(f"leeway must be between 0 and {MAX_LEEWAY} seconds")
        if max_token_bytes < 64:
            raise ValueError("max_token_bytes is too small for any JWT")
        if shared_secret is not None:
            if not isinstance(shared_secret, bytes):
                raise TypeError("shared_secret must be bytes")
            if len(shared_secret) < MIN_SHARED_SECRET_BYTES:
                raise ValueError(f"shared_secret must be at least {MIN_SHARED_SECRET_BYTES} bytes")
            # The classic algorithm-confusion attack HMACs with the server's public key.
            if b"-----BEGIN" in shared_secret or shared_secret.startswith((b"ssh-", b"ecdsa-")):
                raise ValueError("shared_secret looks like a public key; HMAC never uses one")
        if algorithms is None:
            allowed = DEFAULT_ALGORITHMS | (HMAC_ALGORITHMS if shared_secret is not None else set())
        else:
            allowed = frozenset(algorithms)
            unknown = allowed - SUPPORTED_ALGORITHMS
            if unknown:
                raise ValueError(f"unsupported algorithm(s): {sorted(unknown)}")
            if allowed & HMAC_ALGORITHMS and shared_secret is None:
                raise ValueError("HS* algorithms need an explicit shared_secret")
        if not allowed:
            raise ValueError("at least one algorithm must be allowed")
        self.issuer = issuer
        self.client_id = client_id
        self.audience = _audience_set(audience)
        self.accept_azp_as_audience = accept_azp_as_audience
        self.algorithms = frozenset(allowed)
        self.asymmetric = bool(self.algorithms - HMAC_ALGORITHMS)
        self.shared_secret = shared_secret
        self.leeway = float(leeway)
        self.max_token_bytes = max_token_bytes
        self.clock = clock
        self.cache_ttl = verified_token_cache_ttl
        self.verified: VerifiedTokenCache[AccessTokenClaims] | None = (
            VerifiedTokenCache(verified_token_cache_size) if verified_token_cache_size > 0 else None
        )

    def __repr__(self) -> str:
        return f"issuer={self.issuer!r}, client_id={self.client_id!r}"

    # -- signature ---------------------------------------------------------------------------

    def parse(self, token: str) -> CompactJws:
        return parse_compact_jws(token, algorithms=self.algorithms, max_bytes=self.max_token_bytes)

    def verify_hmac(self, jws: CompactJws) -> None:
        assert self.shared_secret is not None  # HS* is only allowed with a secret
        expected = hmac.new(self.shared_secret, jws.signing_input, _HMAC_DIGESTS[jws.alg]).digest()
        if not hmac.compare_digest(expected, jws.signature):
            raise InvalidSignatureError("signature verification failed")

    # -- shared claim checks -----------------------------------------------------------------

    def check_common(self, claims: dict[str, object], now: float, token_type: str) -> float:
        """iss, typ, exp, iat, nbf; returns exp."""
        if claims.get("iss") != self.issuer:
            if "iss" not in claims:
                raise MissingClaimError("iss")
            raise InvalidIssuerError()
        typ = claims.get("typ")
        if typ != token_type and not (token_type is ACCESS_TOKEN_TYPE and typ == DPOP_TYPE):
            raise InvalidTokenTypeError(
                "typ", f"typ {describe(typ)} is not {token_type!r}: wrong kind of token"
            )
        leeway = self.leeway
        # Keycloak writes whole seconds: an int is taken as it is, anything else is checked
        # by `_number` (run on every never-seen token, so no call for the common case).
        exp = claims.get("exp")
        if type(exp) is not int:
            exp = _number(claims, "exp")
            if exp is None:
                raise MissingClaimError("exp")
        if now >= exp + leeway:
            raise TokenExpiredError()
        iat = claims.get("iat")
        if type(iat) is not int:
            iat = _number(claims, "iat")
            if iat is None:
                raise MissingClaimError("iat")
        if iat > now + leeway:
            raise TokenNotYetValidError("iat", "token was issued in the future")
        nbf = claims.get("nbf")
        if nbf is not None and type(nbf) is not int:
            nbf = _number(claims, "nbf")
        if nbf is not None and nbf > now + leeway:
            raise TokenNotYetValidError("nbf", "token is not valid yet (nbf)")
        return float(exp)

    def check_client_audience(self, claims: dict[str, object]) -> None:
        """OIDC Core 3.1.3.7 (3)-(5): aud contains client_id; azp is client_id when needed."""
        aud = claims.get("aud")
        client_id = self.client_id
        if aud is None:
            raise MissingClaimError("aud")
        if type(aud) is str:
            audiences = [aud]
        elif type(aud) is list and aud and all(type(item) is str for item in aud):
            audiences = aud
        else:
            raise InvalidClaimError("aud", "claim 'aud' must be a string or a list of strings")
        if client_id not in audiences:
            raise InvalidAudienceError("aud", "token audience does not include this client")
        azp = claims.get("azp")
        if azp is None:
            if len(audiences) > 1:
                raise InvalidAudienceError("azp", "token has several audiences and no azp")
        elif azp != client_id:
            raise InvalidAudienceError("azp", "token azp is not this client")

    # -- access tokens -----------------------------------------------------------------------

    def expected_audience(self, audience: str | Iterable[str] | None) -> frozenset[str]:
        """The audience a call requires: given, else configured, else empty (the default
        rule: addressed to or issued for this client)."""
        return self.audience if audience is None else _audience_set(audience)

    def check_access_audience(
        self, claims: dict[str, object], expected: frozenset[str], required_scopes: Iterable[str]
    ) -> None:
        """docs/token-validation.md "Audience": a configured audience must be in `aud`, where
        `azp` stands in only with `accept_azp_as_audience`; without one, the token must be
        addressed to (`aud`) or issued for (`azp`) this client, and carry an `aud`."""
        aud = claims.get("aud")
        if type(aud) is str:
            audiences: list[object] = [aud]
        elif type(aud) is list:
            audiences = aud
        elif aud is None:
            audiences = []
        else:
            raise InvalidClaimError("aud", "claim 'aud' must be a string or a list of strings")
        own = claims.get("azp") == self.client_id
        if expected:
            if not any(type(item) is str and item in expected for item in audiences) and not (
                self.accept_azp_as_audience and own
            ):
                if aud is None:
                    raise MissingClaimError("aud")
                raise InvalidAudienceError(
                    "aud", "token audience does not include the configured audience"
                )
        elif not (own and self.accept_azp_as_audience):
            if aud is None:
                raise MissingClaimError("aud")
            if not own and self.client_id not in audiences:
                raise InvalidAudienceError(
                    "aud", "token is neither addressed to nor issued for this client"
                )
        if required_scopes:
            scope = claims.get("scope")
            granted = frozenset(scope.split()) if type(scope) is str else frozenset()
            # A bare string is one scope (or several, space-separated), never its characters.
            wanted = (
                frozenset(required_scopes.split())
                if isinstance(required_scopes, str)
                else frozenset(required_scopes)
            )
            missing = wanted - granted
            if missing:
                raise MissingScopeError(missing)

    def access_claims(
        self,
        token: str,
        claims: dict[str, object],
        now: float,
        expected: frozenset[str],
        required_scopes: Iterable[str],
    ) -> AccessTokenClaims:
        exp = self.check_common(claims, now, ACCESS_TOKEN_TYPE)
        sub = claims.get("sub")
        if type(sub) is not str or not sub:
            _required_string(claims, "sub")  # says which way it is wrong
        if claims.get("typ") == DPOP_TYPE:
            cnf = claims.get("cnf")
            if type(cnf) is not dict or type(cnf.get("jkt")) is not str:
                raise InvalidTokenTypeError("typ", "a DPoP token must carry cnf.jkt")
        result = AccessTokenClaims._adopt(claims)
        if self.verified is not None:
            self.verified.put(token, result, min(exp, now + self.cache_ttl))
        self.check_access_audience(claims, expected, required_scopes)
        return result

    def cached_access_claims(
        self,
        token: str,
        now: float,
        expected: frozenset[str],
        required_scopes: Iterable[str],
    ) -> AccessTokenClaims | None:
        cache = self.verified
        if cache is None:
            return None
        result = cache.get(token, now)
        if result is not None:
            self.check_access_audience(result._claims, expected, required_scopes)
        return result

    # -- ID tokens ---------------------------------------------------------------------------

    def id_claims(
        self,
        jws: CompactJws,
        claims: dict[str, object],
        now: float,
        nonce: str | None,
        access_token: str | None,
        max_age: float | None,
        refreshed: bool = False,
        original_nonce: str | None = None,
    ) -> IdTokenClaims:
        self.check_common(claims, now, ID_TOKEN_TYPE)
        _required_string(claims, "sub")
        self.check_client_audience(claims)
        token_nonce = claims.get("nonce")
        if refreshed:
            # OIDC Core 12.2: a refreshed ID token SHOULD NOT carry a nonce; if it does (as
            # Keycloak 24 does), it MUST be the original's. Without the original, any nonce
            # from our own refresh response is accepted.
            if (
                token_nonce is not None
                and original_nonce is not None
                and token_nonce != original_nonce
            ):
                raise InvalidNonceError(
                    "nonce", "refreshed ID token nonce differs from the original"
                )
        elif nonce is None:
            if token_nonce is not None:
                raise InvalidNonceError("nonce", "token carries a nonce but none was sent")
        elif type(token_nonce) is not str or not hmac.compare_digest(
            token_nonce.encode("utf-8"), nonce.encode("utf-8")
        ):
            raise InvalidNonceError("nonce", "token nonce does not match the request's nonce")
        if access_token is not None:
            at_hash = claims.get("at_hash")
            if at_hash is None:
                raise MissingClaimError("at_hash")
            digest = digest_for_algorithm(jws.alg, access_token.encode("ascii", "replace"))
            expected = b64url_encode(digest[: len(digest) // 2])
            if type(at_hash) is not str or not hmac.compare_digest(at_hash, expected):
                raise InvalidClaimError("at_hash", "at_hash does not match the access token")
        if max_age is not None:
            auth_time = _number(claims, "auth_time")
            if auth_time is None:
                raise MissingClaimError("auth_time")
            if now > auth_time + max_age + self.leeway:
                raise InvalidClaimError("auth_time", "authentication is older than max_age")
        return IdTokenClaims._adopt(claims)

    # -- logout tokens -----------------------------------------------------------------------

    def logout_claims(
        self, jws: CompactJws, claims: dict[str, object], now: float
    ) -> tuple[LogoutTokenClaims, str, float]:
        """Back-Channel Logout 1.0 section 2.6; returns the claims, jti and replay expiry."""
        # Explicit typing (section 2.4): a `typ` header, when present, must say logout+jwt.
        # Keycloak sends it since 25; 24 and older send "JWT", which is refused.
        header_typ = jws.header.get("typ")
        if header_typ is not None and (
            type(header_typ) is not str or header_typ.lower() not in _LOGOUT_JOSE_TYPES
        ):
            raise InvalidTokenTypeError(
                "typ", f"JOSE header typ {describe(header_typ)} is not 'logout+jwt'"
            )
        exp = self.check_common(claims, now, LOGOUT_TOKEN_TYPE)
        self.check_client_audience(claims)
        jti = _required_string(claims, "jti")
        events = claims.get("events")
        if events is None:
            raise MissingClaimError("events")
        if type(events) is not dict or type(events.get(BACKCHANNEL_LOGOUT_EVENT)) is not dict:
            raise InvalidClaimError("events", "events lacks the back-channel logout event")
        sub, sid = claims.get("sub"), claims.get("sid")
        if sub is None and sid is None:
            raise MissingClaimError("sid")
        for name, value in (("sub", sub), ("sid", sid)):
            if value is not None and (type(value) is not str or not value):
                raise InvalidClaimError(name, f"claim {name!r} must be a non-empty string")
        if "nonce" in claims:
            raise InvalidClaimError("nonce", "a logout token must not carry a nonce")
        return LogoutTokenClaims._adopt(claims), jti, exp + self.leeway


def _cached_now(
    rules: _ValidationRules, token: str, audience: str | Iterable[str] | None
) -> AccessTokenClaims | None:
    """A still-valid verified-token cache hit (audience checked again), else None."""
    try:
        return rules.cached_access_claims(
            token, rules.clock(), rules.expected_audience(audience), ()
        )
    except TokenValidationError:
        return None


def _validate_now(
    rules: _ValidationRules,
    jwks: JwksCache | AsyncJwksCache | None,
    token: str,
    audience: str | Iterable[str] | None,
) -> AccessTokenClaims | None:
    """An access token's full validation when it needs no key fetch, else None."""
    expected = rules.audience if audience is None else _audience_set(audience)
    now = rules.clock()
    try:
        cached = rules.cached_access_claims(token, now, expected, ())
        if cached is not None:
            return cached
        jws = rules.parse(token)
        if jws.alg in HMAC_ALGORITHMS:
            rules.verify_hmac(jws)
        else:
            assert jwks is not None
            key = jwks.known_key(jws.kid, jws.alg)
            if key is None:
                return None
            key.verify(jws.alg, jws.signing_input, jws.signature)
        return rules.access_claims(token, jws.payload(), now, expected, ())
    except TokenValidationError as exc:
        log_refusal("access", exc, token, rules.max_token_bytes)
        raise


class _RulesView:
    """What both validators show of their shared rules."""

    _rules: _ValidationRules

    @property
    def clock(self) -> Callable[[], float]:
        """The time source of every expiry check (epoch seconds), given as `clock=`."""
        return self._rules.clock

    @property
    def verified_tokens(self) -> VerifiedTokenCache[AccessTokenClaims] | None:
        """The verified-token cache (None when `verified_token_cache_size` is 0): its
        `expires_at(token)` says until when (on `clock`) it answers for a token without
        checking its signature again."""
        return self._rules.verified


class TokenValidator(_RulesView):
    """Validates Keycloak tokens for one realm and one client, in threads.

    `issuer` is the realm URL exactly as in the tokens' `iss`; `client_id` is the client the
    ID and logout tokens must be addressed to. Access tokens (docs/token-validation.md,
    "Audience"): with `audience` configured (or given per call), one of its values must be in
    the token's `aud`; `azp` stands in for it only with `accept_azp_as_audience=True`. Without
    an audience, a token must carry `aud` and be addressed to this client (`client_id` in
    `aud`) or issued for it (`azp` is `client_id`). Refusals are logged at INFO on the
    `keycloak_sdk.validation` logger.
    """

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks: JwksCache | None,
        audience: str | Iterable[str] | None = None,
        accept_azp_as_audience: bool = False,
        algorithms: Iterable[str] | None = None,
        shared_secret: bytes | None = None,
        leeway: float = DEFAULT_LEEWAY,
        max_token_bytes: int = DEFAULT_MAX_TOKEN_BYTES,
        verified_token_cache_size: int = 0,
        verified_token_cache_ttl: float = 300.0,
        replay_store: ReplayStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._rules = _ValidationRules(
            issuer=issuer,
            client_id=client_id,
            audience=audience,
            accept_azp_as_audience=accept_azp_as_audience,
            algorithms=algorithms,
            shared_secret=shared_secret,
            leeway=leeway,
            max_token_bytes=max_token_bytes,
            verified_token_cache_size=verified_token_cache_size,
            verified_token_cache_ttl=verified_token_cache_ttl,
            clock=clock,
        )
        if jwks is None and self._rules.asymmetric:
            raise ValueError("jwks is required unless only HS* algorithms are allowed")
        self._jwks = jwks
        self._replay: ReplayStore = (
            replay_store if replay_store is not None else InMemoryReplayStore()
        )
        self._close: Callable[[], None] | None = None

    def __repr__(self) -> str:
        return f"TokenValidator({self._rules!r})"

    @classmethod
    def from_issuer(
        cls,
        issuer: str,
        *,
        client_id: str,
        audience: str | Iterable[str] | None = None,
        timeout: float = 10.0,
        http_client: httpx.Client | None = None,
        refetch_cooldown: float = DEFAULT_REFETCH_COOLDOWN,
        max_stale: float = DEFAULT_MAX_STALE,
        **options: Any,
    ) -> TokenValidator:
        """A validator for the realm at `issuer`: discovery now (its `issuer` must match), the
        realm's keys on first use, both through the SDK's generated client.

        `options` are the constructor's (`accept_azp_as_audience`, `leeway`, ...). Close it
        (`close()` or `with`) to release its connections; a given `http_client` stays open.
        """
        from keycloak_sdk.client import KeycloakClient

        core = KeycloakClient.from_issuer(
            issuer, client_id=client_id, timeout=timeout, http_client=http_client
        )

        def fetch() -> JwksResponse:
            keys = core.oidc.jwks_response()
            return JwksResponse(keys.content, keys.cache_control)

        jwks = JwksCache(fetch, refetch_cooldown=refetch_cooldown, max_stale=max_stale)
        try:
            validator = cls(
                issuer=core.issuer,
                client_id=client_id,
                jwks=jwks,
                audience=audience,
                **options,
            )
        except BaseException:
            core.close()
            raise
        validator._close = core.close
        return validator

    def close(self) -> None:
        """Release the connections of a validator made by `from_issuer` (else a no-op)."""
        if self._close is not None:
            close, self._close = self._close, None
            close()

    def __enter__(self) -> TokenValidator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _verified(self, token: str) -> CompactJws:
        rules = self._rules
        jws = rules.parse(token)
        if jws.alg in HMAC_ALGORITHMS:
            rules.verify_hmac(jws)
        else:
            assert self._jwks is not None
            self._jwks.get_key(jws.kid, jws.alg).verify(jws.alg, jws.signing_input, jws.signature)
        return jws

    def validate_access_token(
        self,
        token: str,
        *,
        audience: str | Iterable[str] | None = None,
        required_scopes: Iterable[str] = (),
    ) -> AccessTokenClaims:
        """Validate a Keycloak access token (`typ` Bearer) for `audience` and scopes.

        `audience` overrides the configured one for this call; see the class docstring.
        """
        try:
            return self._access(token, audience, required_scopes)
        except TokenValidationError as exc:
            log_refusal("access", exc, token, self._rules.max_token_bytes)
            raise

    def validate_access_token_now(
        self, token: str, *, audience: str | Iterable[str] | None = None
    ) -> AccessTokenClaims | None:
        """`validate_access_token` when that needs no I/O: a cache hit, or a token whose key
        is in the fresh key set (every check runs, as always). None when a key must be
        fetched first (call `validate_access_token`); a token that is not valid raises."""
        return _validate_now(self._rules, self._jwks, token, audience)

    def cached_access_claims(
        self, token: str, *, audience: str | Iterable[str] | None = None
    ) -> AccessTokenClaims | None:
        """The claims of `token` if it was fully validated before and its cache entry has not
        expired (the token's `exp`), with the audience checked again; None otherwise (call
        `validate_access_token`, which also says why a token is refused). No I/O."""
        return _cached_now(self._rules, token, audience)

    def _access(
        self,
        token: str,
        audience: str | Iterable[str] | None,
        required_scopes: Iterable[str],
    ) -> AccessTokenClaims:
        rules = self._rules
        expected = rules.expected_audience(audience)
        now = rules.clock()
        cached = rules.cached_access_claims(token, now, expected, required_scopes)
        if cached is not None:
            return cached
        jws = self._verified(token)
        return rules.access_claims(token, jws.payload(), now, expected, required_scopes)

    def validate_id_token(
        self,
        token: str,
        *,
        nonce: str | None,
        access_token: str | None = None,
        max_age: float | None = None,
        refreshed: bool = False,
        original_nonce: str | None = None,
    ) -> IdTokenClaims:
        """Validate an ID token (OIDC Core 3.1.3.7) addressed to this client.

        `nonce` is the value sent in the authorization request (None only if none was sent);
        `access_token`, when given, must match the token's `at_hash`; `max_age` requires a
        recent enough `auth_time`. `refreshed=True` is for an ID token from a refresh
        grant (OIDC Core 12.2): it may carry a nonce only equal to `original_nonce`, the
        original ID token's (any, when that is not known); `nonce` is then not used.
        """
        rules = self._rules
        try:
            jws = self._verified(token)
            return rules.id_claims(
                jws,
                jws.payload(),
                rules.clock(),
                nonce,
                access_token,
                max_age,
                refreshed,
                original_nonce,
            )
        except TokenValidationError as exc:
            log_refusal("ID", exc, token, rules.max_token_bytes)
            raise

    def validate_logout_token(self, token: str) -> LogoutTokenClaims:
        """Validate a back-channel logout token; each `jti` is accepted once."""
        rules = self._rules
        try:
            jws = self._verified(token)
            claims, jti, keep_until = rules.logout_claims(jws, jws.payload(), rules.clock())
            if not self._replay.add(jti, keep_until):
                raise TokenReplayedError()
        except TokenValidationError as exc:
            log_refusal("logout", exc, token, rules.max_token_bytes)
            raise
        return claims


class AsyncTokenValidator(_RulesView):
    """The asyncio form of TokenValidator: same arguments, same methods, awaited."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str,
        jwks: AsyncJwksCache | None,
        audience: str | Iterable[str] | None = None,
        accept_azp_as_audience: bool = False,
        algorithms: Iterable[str] | None = None,
        shared_secret: bytes | None = None,
        leeway: float = DEFAULT_LEEWAY,
        max_token_bytes: int = DEFAULT_MAX_TOKEN_BYTES,
        verified_token_cache_size: int = 0,
        verified_token_cache_ttl: float = 300.0,
        replay_store: AsyncReplayStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._rules = _ValidationRules(
            issuer=issuer,
            client_id=client_id,
            audience=audience,
            accept_azp_as_audience=accept_azp_as_audience,
            algorithms=algorithms,
            shared_secret=shared_secret,
            leeway=leeway,
            max_token_bytes=max_token_bytes,
            verified_token_cache_size=verified_token_cache_size,
            verified_token_cache_ttl=verified_token_cache_ttl,
            clock=clock,
        )
        if jwks is None and self._rules.asymmetric:
            raise ValueError("jwks is required unless only HS* algorithms are allowed")
        self._jwks = jwks
        self._replay: AsyncReplayStore = (
            replay_store if replay_store is not None else AsyncInMemoryReplayStore()
        )
        self._close: Callable[[], Awaitable[None]] | None = None

    def __repr__(self) -> str:
        return f"AsyncTokenValidator({self._rules!r})"

    @classmethod
    def from_issuer(
        cls,
        issuer: str,
        *,
        client_id: str,
        audience: str | Iterable[str] | None = None,
        timeout: float = 10.0,
        http_client: httpx.AsyncClient | None = None,
        refetch_cooldown: float = DEFAULT_REFETCH_COOLDOWN,
        max_stale: float = DEFAULT_MAX_STALE,
        **options: Any,
    ) -> Opening[AsyncTokenValidator]:
        """The asyncio form of `TokenValidator.from_issuer`, opened as the core's async client
        is: `async with AsyncTokenValidator.from_issuer(...) as validator:` (closed at the end
        of the block) or `validator = await AsyncTokenValidator.from_issuer(...)` (close it
        with `aclose()`).
        """
        from keycloak_sdk._clients import Opening

        return Opening(
            cls._open(
                issuer,
                client_id=client_id,
                audience=audience,
                timeout=timeout,
                http_client=http_client,
                refetch_cooldown=refetch_cooldown,
                max_stale=max_stale,
                **options,
            )
        )

    @classmethod
    async def _open(
        cls,
        issuer: str,
        *,
        client_id: str,
        audience: str | Iterable[str] | None,
        timeout: float,  # noqa: ASYNC109 - per-request httpx timeout
        http_client: httpx.AsyncClient | None,
        refetch_cooldown: float,
        max_stale: float,
        **options: Any,
    ) -> AsyncTokenValidator:
        from keycloak_sdk.client import AsyncKeycloakClient

        core = await AsyncKeycloakClient.from_issuer(
            issuer, client_id=client_id, timeout=timeout, http_client=http_client
        )

        async def fetch() -> JwksResponse:
            keys = await core.oidc.jwks_response()
            return JwksResponse(keys.content, keys.cache_control)

        jwks = AsyncJwksCache(fetch, refetch_cooldown=refetch_cooldown, max_stale=max_stale)
        try:
            validator = cls(
                issuer=core.issuer,
                client_id=client_id,
                jwks=jwks,
                audience=audience,
                **options,
            )
        except BaseException:
            await core.aclose()
            raise
        validator._close = core.aclose
        return validator

    async def aclose(self) -> None:
        """Release the connections of a validator made by `from_issuer` (else a no-op)."""
        if self._close is not None:
            close, self._close = self._close, None
            await close()

    async def __aenter__(self) -> AsyncTokenValidator:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _verified(self, token: str) -> CompactJws:
        rules = self._rules
        jws = rules.parse(token)
        if jws.alg in HMAC_ALGORITHMS:
            rules.verify_hmac(jws)
        else:
            assert self._jwks is not None
            key = await self._jwks.get_key(jws.kid, jws.alg)
            key.verify(jws.alg, jws.signing_input, jws.signature)
        return jws

    def cached_access_claims(
        self, token: str, *, audience: str | Iterable[str] | None = None
    ) -> AccessTokenClaims | None:
        """The claims of `token` if it was fully validated before and its cache entry has not
        expired (the token's `exp`), with the audience checked again; None otherwise (call
        `validate_access_token`, which also says why a token is refused). No I/O."""
        return _cached_now(self._rules, token, audience)

    def validate_access_token_now(
        self, token: str, *, audience: str | Iterable[str] | None = None
    ) -> AccessTokenClaims | None:
        """`validate_access_token` without awaiting, when that needs no I/O: a cache hit, or
        a token whose key is in the fresh key set (every check runs, as always). None when
        a key must be fetched first (await `validate_access_token`); a token that is not
        valid raises as there."""
        return _validate_now(self._rules, self._jwks, token, audience)

    async def validate_access_token(
        self,
        token: str,
        *,
        audience: str | Iterable[str] | None = None,
        required_scopes: Iterable[str] = (),
    ) -> AccessTokenClaims:
        """Validate a Keycloak access token (`typ` Bearer) for `audience` and scopes.

        `audience` overrides the configured one for this call; see the class docstring.
        """
        try:
            return await self._access(token, audience, required_scopes)
        except TokenValidationError as exc:
            log_refusal("access", exc, token, self._rules.max_token_bytes)
            raise

    async def _access(
        self,
        token: str,
        audience: str | Iterable[str] | None,
        required_scopes: Iterable[str],
    ) -> AccessTokenClaims:
        rules = self._rules
        expected = rules.expected_audience(audience)
        now = rules.clock()
        cached = rules.cached_access_claims(token, now, expected, required_scopes)
        if cached is not None:
            return cached
        jws = await self._verified(token)
        return rules.access_claims(token, jws.payload(), now, expected, required_scopes)

    async def validate_id_token(
        self,
        token: str,
        *,
        nonce: str | None,
        access_token: str | None = None,
        max_age: float | None = None,
        refreshed: bool = False,
        original_nonce: str | None = None,
    ) -> IdTokenClaims:
        """Validate an ID token (OIDC Core 3.1.3.7) addressed to this client."""
        rules = self._rules
        try:
            jws = await self._verified(token)
            return rules.id_claims(
                jws,
                jws.payload(),
                rules.clock(),
                nonce,
                access_token,
                max_age,
                refreshed,
                original_nonce,
            )
        except TokenValidationError as exc:
            log_refusal("ID", exc, token, rules.max_token_bytes)
            raise

    async def validate_logout_token(self, token: str) -> LogoutTokenClaims:
        """Validate a back-channel logout token; each `jti` is accepted once."""
        rules = self._rules
        try:
            jws = await self._verified(token)
            claims, jti, keep_until = rules.logout_claims(jws, jws.payload(), rules.clock())
            if not await self._replay.add(jti, keep_until):
                raise TokenReplayedError()
        except TokenValidationError as exc:
            log_refusal("logout", exc, token, rules.max_token_bytes)
            raise
        return claims
