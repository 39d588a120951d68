"""Claim checks for access, ID and logout tokens, each with a token forged for the rule."""

from __future__ import annotations

import hashlib

import pytest
from keycloak_sdk.extensions.jose.errors import (
    InvalidAudienceError,
    InvalidClaimError,
    InvalidIssuerError,
    InvalidNonceError,
    InvalidTokenTypeError,
    MissingClaimError,
    MissingScopeError,
    TokenExpiredError,
    TokenNotYetValidError,
    TokenReplayedError,
)

from tests.unit.jose.forge import (
    API,
    CLIENT_ID,
    NOW,
    Clock,
    access_claims,
    b64,
    ec_key,
    id_claims,
    logout_claims,
    sign,
    sign_raw_payload,
    validator,
)

NONCE = "n-0S6_WzA2Mj"


# -- required and time claims ------------------------------------------------------------------


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "iss"])
def test_missing_required_claim_is_rejected(claim: str) -> None:
    token = sign(access_claims(**{claim: None}))
    with pytest.raises(MissingClaimError) as caught:
        validator().validate_access_token(token)
    assert caught.value.claim == claim


def test_expired_token_is_rejected() -> None:
    token = sign(access_claims(exp=NOW - 31))
    with pytest.raises(TokenExpiredError) as caught:
        validator().validate_access_token(token)
    assert caught.value.claim == "exp"


def test_expiry_within_leeway_is_accepted() -> None:
    assert validator().validate_access_token(sign(access_claims(exp=NOW - 29))).exp == NOW - 29


def test_leeway_zero_rejects_at_exp() -> None:
    with pytest.raises(TokenExpiredError):
        validator(leeway=0).validate_access_token(sign(access_claims(exp=NOW)))


@pytest.mark.parametrize("leeway", [-1, 301])
def test_leeway_is_bounded(leeway: float) -> None:
    with pytest.raises(ValueError, match="leeway"):
        validator(leeway=leeway)


def test_nbf_in_the_future_is_rejected() -> None:
    with pytest.raises(TokenNotYetValidError) as caught:
        validator().validate_access_token(sign(access_claims(nbf=NOW + 31)))
    assert caught.value.claim == "nbf"


def test_nbf_within_leeway_is_accepted() -> None:
    assert validator().validate_access_token(sign(access_claims(nbf=NOW + 29))).nbf == NOW + 29


def test_iat_in_the_future_beyond_leeway_is_rejected() -> None:
    with pytest.raises(TokenNotYetValidError) as caught:
        validator().validate_access_token(sign(access_claims(iat=NOW + 31)))
    assert caught.value.claim == "iat"


def test_iat_slightly_in_the_future_is_accepted() -> None:
    assert validator().validate_access_token(sign(access_claims(iat=NOW + 5))).iat == NOW + 5


@pytest.mark.parametrize("value", [True, "1800000300", [NOW + 300], {"t": 1}])
def test_time_claims_must_be_numbers(value: object) -> None:
    with pytest.raises(InvalidClaimError) as caught:
        validator().validate_access_token(sign(access_claims(exp=value)))
    assert caught.value.claim == "exp"


def test_infinite_exp_is_rejected() -> None:
    # 1e999 parses as float infinity: a token that would never expire.
    payload = sign_raw_payload(
        b'{"exp":1e999,"iat":1800000000,"sub":"s","typ":"Bearer","aud":"sdk-api",'
        b'"iss":"http://127.0.0.1:8080/realms/sdk-test"}'
    )
    with pytest.raises(InvalidClaimError) as caught:
        validator().validate_access_token(payload)
    assert caught.value.claim == "exp"


# -- issuer, audience, type -------------------------------------------------------------------


def test_wrong_issuer_is_rejected() -> None:
    with pytest.raises(InvalidIssuerError):
        validator().validate_access_token(sign(access_claims(iss="http://evil/realms/sdk-test")))


def test_issuer_must_match_exactly() -> None:
    with pytest.raises(InvalidIssuerError):
        validator().validate_access_token(
            sign(access_claims(iss="http://127.0.0.1:8080/realms/sdk-test/"))
        )


def test_wrong_audience_is_rejected() -> None:
    with pytest.raises(InvalidAudienceError):
        validator().validate_access_token(sign(access_claims(aud=["account", "other-api"])))


def test_audience_can_be_given_per_call() -> None:
    token = sign(access_claims(aud="billing"))
    assert validator().validate_access_token(token, audience="billing").aud == ("billing",)
    assert validator().validate_access_token(token, audience={"x", "billing"}).aud == ("billing",)


def test_missing_audience_is_rejected() -> None:
    with pytest.raises(MissingClaimError):
        validator().validate_access_token(sign(access_claims(aud=None)))
    # Even without a configured audience, and even when azp is this client.
    with pytest.raises(MissingClaimError):
        validator(audience=None).validate_access_token(sign(access_claims(aud=None)))


def test_configured_audience_is_never_satisfied_by_azp() -> None:
    # aud names another API; azp is this client: refused unless the named option is on.
    token = sign(access_claims(aud=["other-api", "account"]))
    with pytest.raises(InvalidAudienceError, match="configured audience"):
        validator().validate_access_token(token)
    with pytest.raises(InvalidAudienceError):
        validator(audience=None).validate_access_token(token, audience=API)
    accepted = validator(accept_azp_as_audience=True).validate_access_token(token)
    assert accepted.azp == CLIENT_ID


def test_account_only_token_needs_the_explicit_azp_option() -> None:
    token = sign(access_claims(aud="account"))
    with pytest.raises(InvalidAudienceError):
        validator().validate_access_token(token)
    accepted = validator(audience=None, accept_azp_as_audience=True).validate_access_token(token)
    assert accepted.azp == CLIENT_ID


def test_azp_option_does_not_accept_other_clients_tokens() -> None:
    token = sign(access_claims(aud="account", azp="some-other-client"))
    with pytest.raises(InvalidAudienceError):
        validator(audience=None, accept_azp_as_audience=True).validate_access_token(token)


def test_without_an_audience_the_token_must_be_addressed_to_or_issued_for_this_client() -> None:
    plain = validator(audience=None)
    # Addressed to it: another client obtained the token for this API.
    addressed = sign(access_claims(aud=[CLIENT_ID, "account"], azp="some-other-client"))
    assert plain.validate_access_token(addressed).azp == "some-other-client"
    # Issued for it: this client obtained the token itself.
    assert plain.validate_access_token(sign(access_claims(aud="account"))).azp == CLIENT_ID
    # Neither: another client's token for another API.
    with pytest.raises(InvalidAudienceError, match="neither"):
        plain.validate_access_token(sign(access_claims(aud="other-api", azp="other-client")))


def test_id_token_used_as_access_token_is_rejected() -> None:
    token = sign(id_claims(aud=[API, CLIENT_ID]))
    with pytest.raises(InvalidTokenTypeError) as caught:
        validator().validate_access_token(token)
    assert caught.value.claim == "typ"


def test_access_token_used_as_id_token_is_rejected() -> None:
    token = sign(access_claims(aud=CLIENT_ID, nonce=NONCE))
    with pytest.raises(InvalidTokenTypeError):
        validator().validate_id_token(token, nonce=NONCE)


def test_missing_typ_is_rejected() -> None:
    with pytest.raises(InvalidTokenTypeError):
        validator().validate_access_token(sign(access_claims(typ=None)))


def test_required_scopes() -> None:
    token = sign(access_claims(scope="openid email"))
    assert validator().validate_access_token(token, required_scopes=["email"]).scopes == {
        "openid",
        "email",
    }
    with pytest.raises(MissingScopeError) as caught:
        validator().validate_access_token(token, required_scopes=["email", "admin"])
    assert caught.value.missing == {"admin"}
    # A plain string is a scope (or space-separated scopes), not a set of characters.
    assert validator().validate_access_token(token, required_scopes="email").sub
    with pytest.raises(MissingScopeError):
        validator().validate_access_token(token, required_scopes="email admin")


# -- ID tokens -----------------------------------------------------------------------------------


def test_valid_id_token() -> None:
    claims = validator().validate_id_token(sign(id_claims()), nonce=NONCE)
    assert (claims.email, claims.name, claims.preferred_username) == (
        "alice@example.com",
        "Alice Liddell",
        "alice",
    )


def test_id_token_aud_must_contain_client_id() -> None:
    with pytest.raises(InvalidAudienceError) as caught:
        validator().validate_id_token(sign(id_claims(aud=API)), nonce=NONCE)
    assert caught.value.claim == "aud"


def test_id_token_azp_mismatch_is_rejected() -> None:
    with pytest.raises(InvalidAudienceError) as caught:
        validator().validate_id_token(sign(id_claims(azp="other")), nonce=NONCE)
    assert caught.value.claim == "azp"


def test_id_token_with_several_audiences_needs_azp() -> None:
    token = sign(id_claims(aud=[CLIENT_ID, API], azp=None))
    with pytest.raises(InvalidAudienceError) as caught:
        validator().validate_id_token(token, nonce=NONCE)
    assert caught.value.claim == "azp"


def test_nonce_mismatch_is_rejected() -> None:
    with pytest.raises(InvalidNonceError):
        validator().validate_id_token(sign(id_claims()), nonce="another-nonce")


def test_missing_nonce_is_rejected_when_one_was_sent() -> None:
    with pytest.raises(InvalidNonceError):
        validator().validate_id_token(sign(id_claims(nonce=None)), nonce=NONCE)


def test_unexpected_nonce_is_rejected() -> None:
    with pytest.raises(InvalidNonceError):
        validator().validate_id_token(sign(id_claims()), nonce=None)


def _at_hash(access_token: str, digest: str = "sha256") -> str:
    value = hashlib.new(digest, access_token.encode()).digest()
    return b64(value[: len(value) // 2])


def test_at_hash_matches() -> None:
    access = sign(access_claims())
    token = sign(id_claims(at_hash=_at_hash(access)))
    assert validator().validate_id_token(token, nonce=NONCE, access_token=access).at_hash


def test_at_hash_for_es256() -> None:
    access = sign(access_claims())
    token = sign(id_claims(at_hash=_at_hash(access)), ec_key(), alg="ES256", kid="ec-1")
    assert validator().validate_id_token(token, nonce=NONCE, access_token=access).sub == "user-1"


def test_bad_at_hash_is_rejected() -> None:
    access = sign(access_claims())
    token = sign(id_claims(at_hash=_at_hash(access + "x")))
    with pytest.raises(InvalidClaimError) as caught:
        validator().validate_id_token(token, nonce=NONCE, access_token=access)
    assert caught.value.claim == "at_hash"


def test_at_hash_is_required_when_the_access_token_is_given() -> None:
    with pytest.raises(MissingClaimError):
        validator().validate_id_token(sign(id_claims()), nonce=NONCE, access_token="abc")


def test_max_age() -> None:
    clock = Clock(NOW)
    token = sign(id_claims(auth_time=NOW - 100))
    assert validator(clock).validate_id_token(token, nonce=NONCE, max_age=120).auth_time
    with pytest.raises(InvalidClaimError) as caught:
        validator(clock).validate_id_token(token, nonce=NONCE, max_age=60)
    assert caught.value.claim == "auth_time"
    with pytest.raises(MissingClaimError):
        validator(clock).validate_id_token(sign(id_claims(auth_time=None)), nonce=NONCE, max_age=60)


@pytest.mark.parametrize("claim", ["exp", "iat", "sub"])
def test_id_token_required_claims(claim: str) -> None:
    with pytest.raises(MissingClaimError):
        validator().validate_id_token(sign(id_claims(**{claim: None})), nonce=NONCE)


# -- logout tokens -------------------------------------------------------------------------------


def test_valid_logout_token_then_replay_is_rejected() -> None:
    checker = validator()
    token = sign(logout_claims())
    claims = checker.validate_logout_token(token)
    assert (claims.sid, claims.sub, claims.jti) == ("session-1", "user-1", "logout-1")
    with pytest.raises(TokenReplayedError):
        checker.validate_logout_token(token)
    with pytest.raises(TokenReplayedError):
        checker.validate_logout_token(sign(logout_claims(sid="other-session")))


def test_logout_token_with_only_sid_or_only_sub() -> None:
    checker = validator()
    assert checker.validate_logout_token(sign(logout_claims(sub=None))).sid == "session-1"
    assert checker.validate_logout_token(sign(logout_claims(sid=None, jti="j2"))).sub == "user-1"


def test_logout_token_without_sid_and_sub_is_rejected() -> None:
    with pytest.raises(MissingClaimError):
        validator().validate_logout_token(sign(logout_claims(sid=None, sub=None)))


@pytest.mark.parametrize(
    "events",
    [None, {}, {"http://schemas.openid.net/event/backchannel-logout": "yes"}, ["x"]],
)
def test_logout_token_needs_the_logout_event(events: object) -> None:
    with pytest.raises(InvalidClaimError) as caught:
        validator().validate_logout_token(sign(logout_claims(events=events)))
    assert caught.value.claim == "events"


def test_logout_token_with_nonce_is_rejected() -> None:
    with pytest.raises(InvalidClaimError) as caught:
        validator().validate_logout_token(sign(logout_claims(nonce="n")))
    assert caught.value.claim == "nonce"


@pytest.mark.parametrize("claim", ["jti", "iat", "exp", "aud"])
def test_logout_token_required_claims(claim: str) -> None:
    with pytest.raises(MissingClaimError):
        validator().validate_logout_token(sign(logout_claims(**{claim: None})))


def test_access_token_is_not_a_logout_token() -> None:
    token = sign(access_claims(aud=CLIENT_ID, events=logout_claims()["events"]))
    with pytest.raises(InvalidTokenTypeError):
        validator().validate_logout_token(token)


def test_rejected_logout_token_does_not_consume_its_jti() -> None:
    checker = validator()
    with pytest.raises(InvalidClaimError):
        checker.validate_logout_token(sign(logout_claims(nonce="n")))
    assert checker.validate_logout_token(sign(logout_claims())).jti == "logout-1"
