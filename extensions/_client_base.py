"""Construction shared by `Client` and `AsyncClient`: settings, client auth, token checks."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Any

from keycloak_sdk.extensions.client_auth_jwt import ClientSecretJwt, PrivateKeyJwt
from keycloak_sdk.extensions.jose.algorithms import DEFAULT_ALGORITHMS
from keycloak_sdk.extensions.jose.errors import (
    InvalidAudienceError,
    InvalidClaimError,
    InvalidIssuerError,
    MissingClaimError,
    TokenExpiredError,
)
from keycloak_sdk.extensions.jose.jwks import JwksResponse
from keycloak_sdk.extensions.jose.jws import CompactJws, parse_compact_jws
from keycloak_sdk.extensions.settings import ClientSettings
from keycloak_sdk.extensions.validation import DEFAULT_LEEWAY

from keycloak_sdk.auth import (
    ClientAuthentication,
    ClientSecretBasic,
    ClientSecretPost,
    NoClientAuthentication,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from keycloak_sdk.extensions._core import ValidateJwt
    from keycloak_sdk.extensions.dpop import DPoPKey
    from keycloak_sdk.extensions.jose.jwk import VerificationKey

    from keycloak_sdk import models
    from keycloak_sdk.models import ProviderMetadata


def resolve_settings(
    settings: ClientSettings | None,
    settings_file: str | os.PathLike[str] | None,
    overrides: Mapping[str, Any],
) -> ClientSettings:
    if settings is not None:
        given = {k: v for k, v in overrides.items() if v is not None}
        return settings.with_overrides(**given) if given else settings
    return ClientSettings.load(settings_file, **overrides)


def auth_for(settings: ClientSettings) -> ClientAuthentication:
    secret = settings.client_secret or ""
    match settings.auth_method:
        case "client_secret_basic":
            return ClientSecretBasic(settings.client_id, secret)
        case "client_secret_post":
            return ClientSecretPost(settings.client_id, secret)
        case "client_secret_jwt":
            return ClientSecretJwt(settings.client_id, secret, audience=settings.issuer)
        case "private_key_jwt":
            assert settings.private_key_file is not None
            return PrivateKeyJwt.from_pem_file(
                settings.client_id,
                settings.private_key_file,
                audience=settings.issuer,
                kid=settings.private_key_id,
            )
        case _:
            return NoClientAuthentication(settings.client_id)


def dpop_key(dpop: DPoPKey | bool, http_client: object | None) -> DPoPKey | None:
    """The key of a client built with `dpop=True` (a new one) or `dpop=DPoPKey(...)`.

    With your own `http_client`, its transport must be a `DPoPTransport` (or the async one)
    made with that same key: the client cannot add proofs to a transport it does not know.
    """
    if dpop is False:
        return None
    # cryptography (behind DPoPKey) loads only for a client that uses DPoP.
    from keycloak_sdk.extensions.dpop import DPoPKey

    if http_client is None:
        return dpop if isinstance(dpop, DPoPKey) else DPoPKey()
    transport = getattr(http_client, "_transport", None)
    mounted: object = getattr(transport, "key", None)
    if isinstance(dpop, DPoPKey) and mounted is dpop:
        return dpop
    raise ValueError("with your own http_client, mount DPoPTransport(key) on it and pass dpop=key")


def jwks_response(response: models.RawResponse) -> JwksResponse:
    """The core's JWKS bytes and Cache-Control, in the form the validation layer caches."""
    return JwksResponse(body=response.content, cache_control=response.cache_control)


def parse_signed_response(op: ValidateJwt) -> CompactJws:
    return parse_compact_jws(op.token, algorithms=DEFAULT_ALGORITHMS)


def signed_response_claims(
    op: ValidateJwt,
    jws: CompactJws,
    key: VerificationKey,
    metadata: ProviderMetadata,
    *,
    now: float | None = None,
    leeway: float = DEFAULT_LEEWAY,
) -> dict[str, object]:
    """Claims of a signed userinfo response (OIDC Core 5.3.2): the signature verifies, `iss`
    is the issuer and `aud` names this client (both required), and `exp`, when present, has
    not passed.
    """
    key.verify(jws.alg, jws.signing_input, jws.signature)
    claims = jws.payload()
    if "iss" not in claims:
        raise MissingClaimError("iss")
    if claims["iss"] != metadata.issuer:
        raise InvalidIssuerError()
    aud = claims.get("aud")
    if aud is None:
        raise MissingClaimError("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    if op.audience not in audiences:
        raise InvalidAudienceError("aud", "signed userinfo is not addressed to this client")
    exp = claims.get("exp")
    if exp is not None:
        if type(exp) not in (int, float) or not math.isfinite(exp):  # type: ignore[arg-type]
            raise InvalidClaimError("exp", "claim 'exp' must be a finite number")
        if (time.time() if now is None else now) >= exp + leeway:  # type: ignore[operator]
            raise TokenExpiredError()
    return claims
