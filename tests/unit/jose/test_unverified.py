"""`decode_unverified`: reads any well-formed JWT, checks nothing, and decides nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from keycloak_sdk.extensions.jose import MalformedTokenError, TokenTooLargeError, decode_unverified

from tests.unit.jose.forge import access_claims, forge, rsa_key, sign

EXTENSIONS = Path(__file__).resolve().parents[3] / "extensions"


def test_decodes_header_and_claims_without_any_check() -> None:
    token = sign(access_claims(iss="https://evil.example", exp=1), rsa_key("stranger"))
    seen = decode_unverified(token)
    assert seen.header["kid"] == "rsa-1" and seen.claims["iss"] == "https://evil.example"
    unsigned = forge({"alg": "none"}, {"sub": "x"}, b"")
    assert decode_unverified(unsigned).claims == {"sub": "x"}
    assert "sub" not in repr(seen) and "iss" not in repr(seen)


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "é.x.y", "!!!.e30.x"])
def test_malformed_input_is_a_typed_error(token: str) -> None:
    with pytest.raises(MalformedTokenError):
        decode_unverified(token)


def test_size_cap() -> None:
    with pytest.raises(TokenTooLargeError):
        decode_unverified("a" * 9000)


def test_no_validation_path_uses_it() -> None:
    users = [
        path.relative_to(EXTENSIONS).as_posix()
        for path in EXTENSIONS.rglob("*.py")
        if "decode_unverified" in path.read_text(encoding="utf-8")
        or "jose.unverified" in path.read_text(encoding="utf-8")
    ]
    assert sorted(users) == ["jose/__init__.py", "jose/unverified.py"], users
