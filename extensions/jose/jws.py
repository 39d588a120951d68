"""Strict parsing of compact JWS tokens (RFC 7515 section 7.1) before any key is touched.

Order matters: the size cap is checked before anything is decoded, the header is checked
before the signature is verified, and the payload is only parsed after the signature verified.
"""

from __future__ import annotations

import json
from json.scanner import make_scanner
from typing import Any, Final, cast

from keycloak_sdk.extensions.jose.b64 import b64url_decode_ascii
from keycloak_sdk.extensions.jose.errors import (
    MalformedTokenError,
    TokenTooLargeError,
    UnsupportedAlgorithmError,
    UnsupportedHeaderError,
    describe,
)

__all__ = [
    "DEFAULT_MAX_TOKEN_BYTES",
    "FORBIDDEN_HEADERS",
    "CompactJws",
    "decode_json_object",
    "parse_compact_jws",
]

DEFAULT_MAX_TOKEN_BYTES: Final = 8 * 1024

#: Header members that make us reject a token outright. `crit` lists extensions the signer
#: requires us to understand, and we understand none. `jwk`, `jku`, `x5u` and `x5c` would let
#: the token choose the key that verifies it; keys come only from the configured JWKS, and
#: rejecting them (instead of ignoring them) makes that easy to see. `b64` (RFC 7797) would
#: change what the signature covers.
FORBIDDEN_HEADERS: Final = frozenset({"crit", "jwk", "jku", "x5u", "x5c", "b64"})


def _reject_constant(name: str) -> object:
    raise MalformedTokenError(f"JSON constant {name} is not allowed")


def _unique_object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise MalformedTokenError("JSON object has duplicate member names")
    return result


# Header: duplicate member names are rejected (RFC 7515 4. allows rejecting or taking the last;
# rejecting leaves no room for two parsers to disagree about `alg` or `kid`). Payload: Python's
# parser keeps the lexically last member, which RFC 7519 4. also allows; Keycloak never emits
# duplicates, and checking every nested object would cost ~10% of a validation. NaN and
# Infinity are not JSON and are refused in both.
_HEADER_DECODER: Final = json.JSONDecoder(
    object_pairs_hook=_unique_object, parse_constant=_reject_constant
)
_PAYLOAD_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant)
# The decoder's own scanner (what `decode` runs after skipping whitespace), for `payload`.
_SCAN_PAYLOAD: Final = make_scanner(cast("Any", _PAYLOAD_DECODER))


def decode_json_object(
    data: bytes, what: str, decoder: json.JSONDecoder = _HEADER_DECODER
) -> dict[str, object]:
    """Decode UTF-8 JSON that must be an object; anything else is MalformedTokenError."""
    try:
        value = decoder.decode(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise MalformedTokenError(f"{what} is not valid UTF-8 JSON") from None
    if not isinstance(value, dict):
        raise MalformedTokenError(f"{what} is not a JSON object")
    return value


# A realm signs every token with the same few headers (`alg`, `typ`, `kid`): their decoding
# is kept by the exact segment, so a never-seen token costs one base64 and one JSON decode
# (its payload) instead of two. Bounded (emptied when full): any segment, even an attacker's,
# costs at most one entry. Only the decoding is kept; every check below runs on each token.
_headers: dict[bytes, dict[str, object]] = {}
_MAX_HEADERS = 64


def _decoded_header(segment: bytes) -> dict[str, object]:
    header = _headers.get(segment)
    if header is None:
        header = decode_json_object(b64url_decode_ascii(segment), "header")
        if len(_headers) >= _MAX_HEADERS:
            _headers.clear()
        _headers[segment] = header
    return dict(header)  # the caller's own copy: the kept one is never handed out


class CompactJws:
    """A structurally valid compact JWS whose signature has not been checked yet."""

    __slots__ = ("alg", "header", "kid", "payload_bytes", "signature", "signing_input")

    def __init__(
        self,
        header: dict[str, object],
        alg: str,
        kid: str | None,
        signing_input: bytes,
        payload_bytes: bytes,
        signature: bytes,
    ) -> None:
        self.header = header
        self.alg = alg
        self.kid = kid
        self.signing_input = signing_input
        self.payload_bytes = payload_bytes
        self.signature = signature

    def payload(self) -> dict[str, object]:
        """The claims; call only after the signature verified."""
        # Parsed on every never-seen token: straight to the decoder's scanner, which reads the
        # same JSON; anything else (whitespace around it, bad UTF-8, no object) takes the full
        # decoder's path and its errors.
        text, value, end = "", None, -1
        try:
            text = self.payload_bytes.decode("utf-8")
            value, end = _SCAN_PAYLOAD(text, 0)
        except (UnicodeDecodeError, ValueError, StopIteration, RecursionError):
            pass
        if end == len(text) and type(value) is dict:
            return value
        return decode_json_object(self.payload_bytes, "payload", _PAYLOAD_DECODER)

    def __repr__(self) -> str:
        return f"CompactJws(alg={self.alg!r}, kid={self.kid!r})"


def _segment_error(count: int) -> MalformedTokenError:
    if count == 5:
        return MalformedTokenError(
            "token has 5 segments: it is an encrypted JWE, which is not supported"
        )
    return MalformedTokenError(f"token has {count} segments; a compact JWS has exactly 3")


def parse_compact_jws(
    token: str, *, algorithms: frozenset[str], max_bytes: int = DEFAULT_MAX_TOKEN_BYTES
) -> CompactJws:
    """Split and check a compact JWS: size, segments, alphabet, header and `alg`."""
    if not isinstance(token, str):
        raise MalformedTokenError(f"token must be str, not {type(token).__name__}")
    if len(token) > max_bytes:
        raise TokenTooLargeError(f"token is longer than {max_bytes} bytes")
    try:
        raw = token.encode("ascii")
    except UnicodeEncodeError:
        raise MalformedTokenError("token contains non-ASCII characters") from None
    parts = raw.split(b".")
    if len(parts) != 3:
        raise _segment_error(len(parts))
    header_segment, payload_segment, signature_segment = parts
    if not header_segment or not payload_segment or not signature_segment:
        raise MalformedTokenError("token has an empty segment")

    header = _decoded_header(header_segment)
    alg = header.get("alg")
    if type(alg) is not str or alg not in algorithms:
        if alg == "none":
            raise UnsupportedAlgorithmError("alg 'none' (unsigned token) is never accepted")
        raise UnsupportedAlgorithmError(f"alg {describe(alg)} is not allowed")
    if not FORBIDDEN_HEADERS.isdisjoint(header):
        names = sorted(FORBIDDEN_HEADERS.intersection(header))
        raise UnsupportedHeaderError(f"header member(s) {names} are not accepted")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise MalformedTokenError("header kid is not a string")
    signature = b64url_decode_ascii(signature_segment)
    # Decoded now so that a bad payload alphabet is reported as malformed rather than as a
    # bad signature; its JSON is parsed only once the signature has verified.
    payload = b64url_decode_ascii(payload_segment)
    signing_input = raw[: len(header_segment) + 1 + len(payload_segment)]
    return CompactJws(header, alg, kid, signing_input, payload, signature)
