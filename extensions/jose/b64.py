"""Strict base64url (RFC 7515 section 2): URL-safe alphabet, no padding, canonical only."""

from __future__ import annotations

import binascii

from keycloak_sdk.extensions.jose.errors import MalformedTokenError

__all__ = ["b64url_decode", "b64url_decode_ascii", "b64url_encode"]

# '+', '/' and '=' are mapped to '!' so that binascii's strict mode rejects them: only the
# URL-safe alphabet is accepted, and padding is never accepted from the input.
_TO_STANDARD = bytes.maketrans(b"-_+/=", b"+/!!!")
_FROM_STANDARD = bytes.maketrans(b"+/", b"-_")
_PADDING = (b"", b"", b"==", b"=")
# The last character of a 2- or 3-character tail carries 4 or 2 unused bits; they must be zero,
# otherwise several spellings decode to the same bytes and a mutated token could still verify.
_CANONICAL_TAIL = (
    b"",
    b"",
    frozenset(b"AQgw"),
    frozenset(b"AEIMQUYcgkosw048"),
)


def b64url_decode_ascii(segment: bytes) -> bytes:
    """Decode one ASCII base64url segment; any deviation raises MalformedTokenError."""
    remainder = len(segment) % 4
    if remainder and (remainder == 1 or segment[-1] not in _CANONICAL_TAIL[remainder]):
        raise MalformedTokenError("segment is not canonical unpadded base64url")
    try:
        return binascii.a2b_base64(
            segment.translate(_TO_STANDARD) + _PADDING[remainder], strict_mode=True
        )
    except binascii.Error:
        raise MalformedTokenError("segment contains characters outside base64url") from None


def b64url_decode(segment: str) -> bytes:
    """Decode one base64url text segment; any deviation raises MalformedTokenError."""
    try:
        raw = segment.encode("ascii")
    except UnicodeEncodeError:
        raise MalformedTokenError("segment contains non-ASCII characters") from None
    return b64url_decode_ascii(raw)


def b64url_encode(data: bytes) -> str:
    """Encode bytes as unpadded base64url text."""
    encoded = binascii.b2a_base64(data, newline=False).translate(_FROM_STANDARD)
    return encoded.rstrip(b"=").decode("ascii")
