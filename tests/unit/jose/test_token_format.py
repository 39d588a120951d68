"""Rejections decided before any key is used: format, size, alphabet, header, alg."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from keycloak_sdk.extensions.jose.errors import (
    InvalidSignatureError,
    MalformedTokenError,
    TokenTooLargeError,
    TokenValidationError,
    UnsupportedAlgorithmError,
    UnsupportedHeaderError,
)

from tests.unit.jose.forge import (
    ISSUER,
    access_claims,
    b64,
    b64_json,
    ec_key,
    forge,
    rsa_key,
    sign,
    sign_raw_payload,
    validator,
)


def test_valid_token_is_accepted() -> None:
    claims = validator().validate_access_token(sign(access_claims()))
    assert claims.sub == "user-1"
    assert claims.iss == ISSUER


def test_alg_none_is_rejected() -> None:
    token = forge({"alg": "none", "typ": "JWT"}, access_claims(), b"") + "AA"
    with pytest.raises(UnsupportedAlgorithmError, match="none"):
        validator().validate_access_token(token)


def test_alg_none_without_signature_is_rejected() -> None:
    token = f"{b64_json({'alg': 'none'})}.{b64_json(access_claims())}."
    with pytest.raises(MalformedTokenError):
        validator().validate_access_token(token)


def test_hs256_keyed_with_the_rsa_public_key_is_rejected() -> None:
    public_pem = (
        rsa_key().public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    header = b64_json({"alg": "HS256", "kid": "rsa-1"})
    payload = b64_json(access_claims())
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    with pytest.raises(UnsupportedAlgorithmError, match="HS256"):
        validator().validate_access_token(f"{header}.{payload}.{b64(mac)}")


def test_hs256_is_rejected_even_when_allowed_with_a_secret_if_key_is_the_public_key() -> None:
    public_pem = (
        rsa_key().public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(ValueError, match="public key"):
        validator(shared_secret=public_pem)


def test_es256_signature_where_the_kid_is_an_rsa_key_is_rejected() -> None:
    token = sign(access_claims(), ec_key(), alg="ES256", kid="rsa-1")
    with pytest.raises(UnsupportedAlgorithmError, match="ES256"):
        validator().validate_access_token(token)


def test_es256_rejected_when_only_rs256_is_allowed() -> None:
    token = sign(access_claims(), ec_key(), alg="ES256", kid="ec-1")
    with pytest.raises(UnsupportedAlgorithmError):
        validator(algorithms=["RS256"]).validate_access_token(token)


def test_bad_signature_is_rejected() -> None:
    header, payload, _ = sign(access_claims()).split(".")
    other = sign(access_claims(sub="someone-else")).split(".")[2]
    with pytest.raises(InvalidSignatureError):
        validator().validate_access_token(f"{header}.{payload}.{other}")


def test_payload_swapped_under_a_valid_signature_is_rejected() -> None:
    header, _, signature = sign(access_claims()).split(".")
    payload = b64_json(access_claims(sub="admin"))
    with pytest.raises(InvalidSignatureError):
        validator().validate_access_token(f"{header}.{payload}.{signature}")


def test_unknown_crit_is_rejected() -> None:
    token = sign(access_claims(), headers={"crit": ["exp"], "exp": 1})
    with pytest.raises(UnsupportedHeaderError, match="crit"):
        validator().validate_access_token(token)


@pytest.mark.parametrize("member", ["jwk", "jku", "x5u", "x5c", "b64"])
def test_key_carrying_headers_are_rejected(member: str) -> None:
    values: dict[str, object] = {
        "jwk": {"kty": "oct", "k": "AAAA"},
        "jku": "https://attacker.invalid/jwks",
        "x5u": "https://attacker.invalid/cert",
        "x5c": ["MIIB"],
        "b64": False,
    }
    token = sign(access_claims(), headers={member: values[member]})
    with pytest.raises(UnsupportedHeaderError, match=member):
        validator().validate_access_token(token)


@pytest.mark.parametrize(
    "mutation",
    [
        lambda t: t.replace("-", "+", 1) if "-" in t else "+" + t,
        lambda t: t.replace("_", "/", 1) if "_" in t else "/" + t,
        lambda t: t + "=",
        lambda t: t[:10] + " " + t[10:],
        lambda t: t[:10] + "\n" + t[10:],
        lambda t: t[:10] + "é" + t[10:],
        lambda t: t[:10] + "!" + t[10:],
    ],
    ids=["plus", "slash", "padding", "space", "newline", "non-ascii", "punctuation"],
)
def test_non_base64url_characters_are_rejected(mutation: object) -> None:
    token = sign(access_claims())
    mutated = mutation(token)  # type: ignore[operator]
    assert mutated != token
    with pytest.raises(MalformedTokenError):
        validator().validate_access_token(mutated)


def test_non_canonical_base64_tail_is_rejected() -> None:
    header, payload, signature = sign(access_claims()).split(".")
    # 256-byte signature → 342 characters, the last carrying 4 unused bits.
    assert len(signature) % 4 == 2
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    sibling = alphabet[alphabet.index(signature[-1]) + 1]
    with pytest.raises(MalformedTokenError, match="canonical"):
        validator().validate_access_token(f"{header}.{payload}.{signature[:-1]}{sibling}")


@pytest.mark.parametrize("count", [1, 2, 4, 6])
def test_wrong_segment_counts_are_rejected(count: int) -> None:
    parts = sign(access_claims()).split(".")
    token = ".".join((parts * 3)[:count])
    with pytest.raises(MalformedTokenError, match=f"{count} segments"):
        validator().validate_access_token(token)


def test_jwe_is_rejected_with_a_clear_error() -> None:
    jwe = ".".join(
        [b64_json({"alg": "RSA-OAEP", "enc": "A256GCM"}), "AAAA", "AAAA", "AAAA", "AAAA"]
    )
    with pytest.raises(MalformedTokenError, match="JWE"):
        validator().validate_access_token(jwe)


def test_empty_segments_are_rejected() -> None:
    with pytest.raises(MalformedTokenError):
        validator().validate_access_token("..")


def test_oversized_token_is_rejected_before_decoding() -> None:
    # Not even base64: proves the size cap comes before any decoding.
    with pytest.raises(TokenTooLargeError):
        validator().validate_access_token("!" * (8 * 1024 + 1))


def test_size_cap_is_configurable() -> None:
    token = sign(access_claims())
    with pytest.raises(TokenTooLargeError):
        validator(max_token_bytes=len(token) - 1).validate_access_token(token)
    assert validator(max_token_bytes=len(token)).validate_access_token(token).sub == "user-1"


@pytest.mark.parametrize("alg", [["RS256"], {"a": 1}, 256, None, "rs256", ""])
def test_alg_of_the_wrong_type_or_spelling_is_rejected(alg: object) -> None:
    token = f"{b64_json({'alg': alg, 'kid': 'rsa-1'})}.{b64_json(access_claims())}.AAAA"
    with pytest.raises(UnsupportedAlgorithmError):
        validator().validate_access_token(token)


@pytest.mark.parametrize("header", [[1, 2], "RS256", 7, None])
def test_header_must_be_a_json_object(header: object) -> None:
    token = f"{b64_json(header)}.{b64_json(access_claims())}.AAAA"
    with pytest.raises(MalformedTokenError, match="header"):
        validator().validate_access_token(token)


def test_header_with_duplicate_members_is_rejected() -> None:
    header = b64(b'{"alg":"RS256","alg":"none"}')
    with pytest.raises(MalformedTokenError, match="duplicate"):
        validator().validate_access_token(f"{header}.{b64_json(access_claims())}.AAAA")


def test_payload_must_be_a_json_object() -> None:
    with pytest.raises(MalformedTokenError, match="payload"):
        validator().validate_access_token(sign_raw_payload(json.dumps([1, 2]).encode()))


@pytest.mark.parametrize("value", [b"not json", b"\xff\xfe{}", b'{"exp": NaN}', b'{"a": Infinity}'])
def test_payload_that_is_not_strict_json_is_rejected(value: bytes) -> None:
    with pytest.raises(MalformedTokenError):
        validator().validate_access_token(sign_raw_payload(value))


def test_payload_with_duplicate_claims_takes_the_last_as_rfc_7519_allows() -> None:
    payload = json.dumps(access_claims())[:-1] + ', "sub": "last"}'
    assert '"sub": "user-1"' in payload
    claims = validator().validate_access_token(sign_raw_payload(payload.encode()))
    assert claims.sub == "last"


@pytest.mark.parametrize("token", [b"a.b.c", None, 42])
def test_non_string_tokens_are_rejected(token: object) -> None:
    with pytest.raises(MalformedTokenError):
        validator().validate_access_token(token)  # type: ignore[arg-type]


def test_every_rejection_is_a_token_validation_error() -> None:
    assert issubclass(MalformedTokenError, TokenValidationError)
    assert issubclass(UnsupportedHeaderError, TokenValidationError)


def test_error_messages_never_contain_the_token() -> None:
    token = sign(access_claims(), headers={"jku": "https://attacker.invalid"})
    with pytest.raises(TokenValidationError) as caught:
        validator().validate_access_token(token)
    for part in token.split("."):
        assert part not in str(caught.value)


def test_a_kept_header_decoding_still_gets_every_check() -> None:
    """Header segments are decoded once (jws._headers); the checks run on every token, and a
    caller changing its token's header changes nobody else's."""
    from keycloak_sdk.extensions.jose.jws import parse_compact_jws

    token = sign(access_claims())
    first = parse_compact_jws(token, algorithms=frozenset({"RS256"}))
    first.header["alg"] = "none"
    again = parse_compact_jws(token, algorithms=frozenset({"RS256"}))
    assert again.header["alg"] == "RS256"
    with pytest.raises(UnsupportedAlgorithmError):
        parse_compact_jws(token, algorithms=frozenset({"ES256"}))  # same segment, other rules
    forbidden = b64_json({"alg": "RS256", "jku": "https://attacker.example/keys"})
    for _ in range(2):  # a refused header is refused every time, never kept as accepted
        with pytest.raises(UnsupportedHeaderError):
            parse_compact_jws(
                f"{forbidden}.{b64_json(access_claims())}.AAAA", algorithms=frozenset({"RS256"})
            )


def test_kept_header_decodings_are_bounded() -> None:
    from keycloak_sdk.extensions.jose import jws

    for n in range(3 * jws._MAX_HEADERS):
        header = b64_json({"alg": "RS256", "kid": f"k{n}"})
        jws.parse_compact_jws(
            f"{header}.{b64_json(access_claims())}.AAAA", algorithms=frozenset({"RS256"})
        )
    assert len(jws._headers) <= jws._MAX_HEADERS


@pytest.mark.parametrize(
    "payload",
    [
        b'{"sub":"a","exp":1}',
        b' {"sub":"a"} ',
        b'\n{"sub":"a"}\t',
        b'{"a":{"b":[1,2.5,null,true]}}',
        b'{"a":1,"a":2}',
        b"[1]",
        b'"text"',
        b"",
        b'{"a":1}x',
        b'{"a":1}{"b":2}',
        b'{"a":NaN}',
        b'{"a":-Infinity}',
        b"\xff\xfe",
        b'{"a":' + b"[" * 100_000,
    ],
)
def test_payload_reads_as_the_full_json_decoder_does(payload: bytes) -> None:
    """`CompactJws.payload` goes straight to the decoder's scanner; whatever it is given, it
    answers what the full decoder answers: the same object, or the same error."""
    from keycloak_sdk.extensions.jose.jws import _PAYLOAD_DECODER, CompactJws, decode_json_object

    jws = CompactJws({}, "RS256", None, b"", payload, b"")
    try:
        expected: object = decode_json_object(payload, "payload", _PAYLOAD_DECODER)
    except MalformedTokenError as exc:
        with pytest.raises(MalformedTokenError) as raised:
            jws.payload()
        assert str(raised.value) == str(exc)
    else:
        assert jws.payload() == expected
