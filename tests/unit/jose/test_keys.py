"""JWK parsing: keys are bound to their type, curve, alg and use; weak keys never verify."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from keycloak_sdk.extensions.jose.b64 import b64url_decode
from keycloak_sdk.extensions.jose.errors import (
    InvalidSignatureError,
    JwksUnavailableError,
    KeyNotFoundError,
    UnsupportedAlgorithmError,
    UnusableKeyError,
)
from keycloak_sdk.extensions.jose.jwk import (
    InvalidJwkError,
    parse_jwk,
    parse_jwks,
    public_key_to_jwk,
)

from tests.unit.jose.forge import (
    CountingFetch,
    access_claims,
    b64,
    ec_key,
    ed_key,
    rsa_key,
    sign,
    validator,
)


def _jwks(*keys: dict[str, str]) -> CountingFetch:
    return CountingFetch(document={"keys": list(keys)})


def test_enc_use_key_never_verifies() -> None:
    jwk = public_key_to_jwk(rsa_key().public_key(), kid="rsa-1", alg="RS256", use="enc")
    # A JWKS with no usable key is refused as a whole; the error says why.
    with pytest.raises(JwksUnavailableError, match="use"):
        validator(fetch=_jwks(jwk)).validate_access_token(sign(access_claims()))
    # Next to a usable key, the unusable one is named when a token asks for it.
    good = public_key_to_jwk(rsa_key().public_key(), kid="rsa-2", alg="RS256")
    with pytest.raises(UnusableKeyError, match="use"):
        validator(fetch=_jwks(jwk, good)).validate_access_token(sign(access_claims()))


def test_enc_alg_key_never_verifies() -> None:
    jwk = public_key_to_jwk(rsa_key().public_key(), kid="rsa-1", alg="RSA-OAEP")
    del jwk["use"]
    with pytest.raises(JwksUnavailableError):
        validator(fetch=_jwks(jwk)).validate_access_token(sign(access_claims()))


def test_key_ops_without_verify_never_verifies() -> None:
    jwk: dict[str, object] = dict(public_key_to_jwk(rsa_key().public_key(), kid="k"))
    jwk["key_ops"] = ["encrypt"]
    with pytest.raises(InvalidJwkError, match="key_ops"):
        parse_jwk(jwk)


def test_small_rsa_key_is_refused() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (the point)
    jwk = public_key_to_jwk(small.public_key(), kid="rsa-1", alg="RS256")
    with pytest.raises(InvalidJwkError, match="2048"):
        parse_jwk(jwk)
    # A token naming it is rejected with the reason; signing with it is refused outright.
    with pytest.raises(ValueError, match="2048"):
        sign(access_claims(), small)
    token = sign(access_claims())
    with pytest.raises(JwksUnavailableError, match="1024 bits"):
        validator(fetch=_jwks(jwk)).validate_access_token(token)


def test_symmetric_jwk_is_never_used() -> None:
    with pytest.raises(InvalidJwkError, match="symmetric"):
        parse_jwk({"kty": "oct", "k": "c2VjcmV0", "kid": "h"})


def test_rsa_key_bound_to_its_alg() -> None:
    key = parse_jwk(public_key_to_jwk(rsa_key().public_key(), kid="k", alg="RS256"))
    assert key.algorithms == {"RS256"}
    unbound = parse_jwk(public_key_to_jwk(rsa_key().public_key(), kid="k"))
    assert unbound.algorithms == {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}


def test_rsa_key_with_alg_rs256_refuses_ps256_token() -> None:
    token = sign(access_claims(), alg="PS256")
    with pytest.raises(UnsupportedAlgorithmError, match="PS256"):
        validator().validate_access_token(token)


@pytest.mark.parametrize("alg", ["RS384", "RS512", "PS256", "PS384", "PS512"])
def test_rsa_family_round_trips_with_an_unbound_key(alg: str) -> None:
    fetch = _jwks(public_key_to_jwk(rsa_key().public_key(), kid="rsa-1"))
    assert validator(fetch=fetch).validate_access_token(sign(access_claims(), alg=alg)).sub


@pytest.mark.parametrize("curve,alg", [("P-256", "ES256"), ("P-384", "ES384"), ("P-521", "ES512")])
def test_ec_curves(curve: str, alg: str) -> None:
    key = ec_key(curve, curve)
    fetch = _jwks(public_key_to_jwk(key.public_key(), kid="ec"))
    token = sign(access_claims(), key, alg=alg, kid="ec")
    assert validator(fetch=fetch).validate_access_token(token).sub == "user-1"


def test_ec_key_curve_and_alg_must_agree() -> None:
    jwk = public_key_to_jwk(ec_key().public_key(), kid="ec", alg="ES384")
    with pytest.raises(InvalidJwkError, match="curve"):
        parse_jwk(jwk)


def test_ec_point_off_the_curve_is_refused() -> None:
    jwk = public_key_to_jwk(ec_key().public_key(), kid="ec")
    jwk["y"] = jwk["x"]
    with pytest.raises(InvalidJwkError):
        parse_jwk(jwk)


def test_ecdsa_signature_of_wrong_length_is_rejected() -> None:
    header, payload, signature = sign(access_claims(), ec_key(), alg="ES256", kid="ec-1").split(".")
    short = b64(b64url_decode(signature)[:-2])
    with pytest.raises(InvalidSignatureError):
        validator().validate_access_token(f"{header}.{payload}.{short}")


def test_eddsa() -> None:
    token = sign(access_claims(), ed_key(), alg="EdDSA", kid="ed-1")
    assert validator().validate_access_token(token).sub == "user-1"


def test_eddsa_bad_signature() -> None:
    token = sign(access_claims(), ed_key("other"), alg="EdDSA", kid="ed-1")
    with pytest.raises(InvalidSignatureError):
        validator().validate_access_token(token)


def test_unknown_kty_and_junk_entries_do_not_break_the_set() -> None:
    good = public_key_to_jwk(rsa_key().public_key(), kid="rsa-1", alg="RS256")
    keys = parse_jwks({"keys": [{"kty": "XYZ", "kid": "x"}, "junk", good, {"kty": "RSA"}]})
    assert [key.kid for key in keys.keys] == ["rsa-1"]
    assert "x" in keys.rejected


def test_kid_shared_by_an_enc_and_a_sig_key_uses_the_sig_key() -> None:
    sig = public_key_to_jwk(rsa_key().public_key(), kid="same", alg="RS256")
    enc = public_key_to_jwk(rsa_key("enc").public_key(), kid="same", alg="RSA-OAEP", use="enc")
    token = sign(access_claims(), kid="same")
    assert validator(fetch=_jwks(enc, sig)).validate_access_token(token).sub == "user-1"


def test_missing_kid_accepted_only_when_exactly_one_key_fits() -> None:
    token = sign(access_claims(), kid=None)
    assert validator().validate_access_token(token).sub == "user-1"
    two = _jwks(
        public_key_to_jwk(rsa_key().public_key(), kid="a", alg="RS256"),
        public_key_to_jwk(rsa_key("second").public_key(), kid="b", alg="RS256"),
    )
    with pytest.raises(KeyNotFoundError, match="2 keys"):
        validator(fetch=two).validate_access_token(token)


def test_public_key_to_jwk_round_trip() -> None:
    for key in (rsa_key().public_key(), ec_key().public_key(), ed_key().public_key()):
        parsed = parse_jwk(public_key_to_jwk(key, kid="k"))
        assert parsed.kid == "k"
        assert "k" in repr(parsed)
