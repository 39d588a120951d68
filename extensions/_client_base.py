"""Construction shared by `Client` and `AsyncClient`: settings, client auth, token checks."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from keycloak_sdk.extensions._core import ValidateJwt
from keycloak_sdk.extensions.client_auth_jwt import ClientSecretJwt, PrivateKeyJwt
from keycloak_sdk.extensions.config import KeycloakSettings
from keycloak_sdk.extensions.jose.algorithms import DEFAULT_ALGORITHMS
from keycloak_sdk.extensions.jose.errors import InvalidAudienceError, InvalidIssuerError
from keycloak_sdk.extensions.jose.jwk import VerificationKey
from keycloak_sdk.extensions.jose.jwks import JwksResponse
from keycloak_sdk.extensions.jose.jws import CompactJws, parse_compact_jws

from keycloak_sdk import models
from keycloak_sdk.auth import (
    ClientAuthentication,
    ClientSecretBasic,
    ClientSecretPost,
    NoClientAuthentication,
)

if TYPE_CHECKING:
    from keycloak_sdk.models import ProviderMetadata


def resolve_settings(
    settings: KeycloakSettings | None,
    settings_file: str | os.PathLike[str] | None,
    overrides: Mapping[str, Any],
) -> KeycloakSettings:
    if settings is not None:
        given = {k: v for k, v in overrides.items() if v is not None}
        return settings.with_overrides(**given) if given else settings
    return KeycloakSettings.load(settings_file, **overrides)


def auth_for(settings: KeycloakSettings) -> ClientAuthentication:
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


def jwks_response(response: models.RawResponse) -> JwksResponse:
    """The core's JWKS bytes and Cache-Control, in the form the validation layer caches."""
    return JwksResponse(body=response.content, cache_control=response.cache_control)


def parse_signed_response(op: ValidateJwt) -> CompactJws:
    return parse_compact_jws(op.token, algorithms=DEFAULT_ALGORITHMS)


def signed_response_claims(
    op: ValidateJwt, jws: CompactJws, key: VerificationKey, metadata: ProviderMetadata
) -> dict[str, object]:
    """Claims of a signed userinfo response (OIDC core §5.3.2): signature, iss and aud."""
    key.verify(jws.alg, jws.signing_input, jws.signature)
    claims = jws.payload()
    if "iss" in claims and claims["iss"] != metadata.issuer:
        raise InvalidIssuerError()
    aud = claims.get("aud")
    if aud is not None:
        audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
        if op.audience not in audiences:
            raise InvalidAudienceError("aud", "signed userinfo is not addressed to this client")
    return claims
