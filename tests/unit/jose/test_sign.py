"""Signing helpers: every family round-trips through the validator; misuse is refused."""

from __future__ import annotations

import json

import pytest
from keycloak_sdk.extensions.jose.b64 import b64url_decode
from keycloak_sdk.extensions.jose.errors import InvalidSignatureError
from keycloak_sdk.extensions.jose.sign import sign_jwt
from keycloak_sdk.extensions.validation import TokenValidator

from tests.unit.jose.forge import (
    API,
    CLIENT_ID,
    ISSUER,
    Clock,
    access_claims,
    ec_key,
    rsa_key,
    validator,
)

SECRET = b"0123456789abcdef0123456789abcdef"


def test_header_layout() -> None:
    token = sign_jwt({"a": 1}, rsa_key(), alg="RS256", kid="k", headers={"alg": "none", "x": 1})
    header = json.loads(b64url_decode(token.split(".")[0]))
    assert header == {"alg": "RS256", "typ": "JWT", "x": 1, "kid": "k"}


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_round_trip_only_with_an_explicit_secret(alg: str) -> None:
    token = sign_jwt(access_claims(), SECRET, alg=alg)
    checker = TokenValidator(
        issuer=ISSUER,
        client_id=CLIENT_ID,
        jwks=None,
        audience=API,
        shared_secret=SECRET,
        algorithms=[alg],
        clock=Clock(),
    )
    assert checker.validate_access_token(token).sub == "user-1"
    with pytest.raises(InvalidSignatureError):
        checker.validate_access_token(sign_jwt(access_claims(), SECRET[::-1], alg=alg))


def test_hmac_needs_secret_configuration() -> None:
    with pytest.raises(ValueError, match="shared_secret"):
        validator(algorithms=["HS256"])
    with pytest.raises(ValueError, match="at least"):
        validator(shared_secret=b"short")
    with pytest.raises(ValueError, match="unsupported"):
        validator(algorithms=["none"])


def test_wrong_key_types_are_refused() -> None:
    with pytest.raises(TypeError):
        sign_jwt({}, SECRET, alg="RS256")
    with pytest.raises(TypeError):
        sign_jwt({}, rsa_key(), alg="ES256")
    with pytest.raises(TypeError):
        sign_jwt({}, ec_key(), alg="ES384")
    with pytest.raises(TypeError):
        sign_jwt({}, rsa_key(), alg="HS256")
    with pytest.raises(TypeError):
        sign_jwt({}, rsa_key(), alg="EdDSA")
    with pytest.raises(ValueError):
        sign_jwt({}, rsa_key(), alg="none")
