"""PKCE (RFC 7636), S256 only: `plain` offers no protection against a leaked authorization code."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

# 32 random bytes -> 43 base64url characters: 256 bits, above RFC 7636's 43-character minimum.
_VERIFIER_BYTES = 32
_VERIFIER_SHAPE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_code_verifier() -> str:
    return b64url(secrets.token_bytes(_VERIFIER_BYTES))


def code_challenge_s256(verifier: str) -> str:
    """BASE64URL(SHA256(ASCII(code_verifier))) as defined in RFC 7636 §4.2."""
    if not _VERIFIER_SHAPE.fullmatch(verifier):
        raise ValueError("a PKCE code_verifier is 43-128 characters of [A-Za-z0-9-._~]")
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_random_token(nbytes: int = 32) -> str:
    """An unguessable URL-safe value (state, nonce): `nbytes` bytes from `secrets`."""
    if nbytes < 16:
        raise ValueError("state and nonce need at least 128 bits of entropy")
    return b64url(secrets.token_bytes(nbytes))
