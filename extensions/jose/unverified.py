"""Reading a JWT *without* checking it, for debugging and logs only.

`decode_unverified` says in its name what it does not do. Nothing it returns may decide
anything: anyone can write any header and claims. No validation path of the SDK imports
this module (a test checks it); to trust a token, use `keycloak_sdk.extensions.validation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from keycloak_sdk.extensions.jose.b64 import b64url_decode_ascii
from keycloak_sdk.extensions.jose.errors import MalformedTokenError, TokenTooLargeError
from keycloak_sdk.extensions.jose.jws import DEFAULT_MAX_TOKEN_BYTES, decode_json_object

__all__ = ["UnverifiedJwt", "decode_unverified"]


@dataclass(frozen=True)
class UnverifiedJwt:
    """The header and claims of a JWT whose signature, issuer, audience and lifetime were
    NOT checked."""

    header: dict[str, object]
    claims: dict[str, object] = field(repr=False)

    def __repr__(self) -> str:
        return f"UnverifiedJwt(alg={self.header.get('alg')!r}, kid={self.header.get('kid')!r})"


def decode_unverified(token: str, *, max_bytes: int = DEFAULT_MAX_TOKEN_BYTES) -> UnverifiedJwt:
    """Decode a compact JWS's header and payload without verifying anything.

    For debugging ("what does this token claim?"), never for access decisions. Raises
    `MalformedTokenError` when the token is not a compact JWS with JSON header and payload.
    """
    if not isinstance(token, str):
        raise MalformedTokenError(f"token must be str, not {type(token).__name__}")
    if len(token) > max_bytes:
        raise TokenTooLargeError(f"token is longer than {max_bytes} bytes")
    parts = token.split(".")
    if len(parts) != 3:
        raise MalformedTokenError(f"token has {len(parts)} segments; a compact JWS has exactly 3")
    try:
        header_bytes = b64url_decode_ascii(parts[0].encode("ascii"))
        payload_bytes = b64url_decode_ascii(parts[1].encode("ascii"))
    except UnicodeEncodeError:
        raise MalformedTokenError("token contains non-ASCII characters") from None
    return UnverifiedJwt(
        decode_json_object(header_bytes, "header"), decode_json_object(payload_bytes, "payload")
    )
