"""PKCE vectors, state/nonce entropy, login transactions and the callback checks."""

from __future__ import annotations

import base64
import time

import pytest
from keycloak_sdk.extensions.errors import (
    AuthorizationError,
    IssuerMismatchError,
    LoginError,
    StateMismatchError,
)
from keycloak_sdk.extensions.login import (
    CallbackParams,
    LoginOptions,
    LoginTransaction,
    authorization_params,
    check_callback,
    scope_for,
)
from keycloak_sdk.extensions.pkce import code_challenge_s256, new_code_verifier, new_random_token

ISSUER = "https://id.example.com/realms/r"


def test_rfc7636_appendix_b_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge_s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize("bad", ["short", "a" * 129, "x" * 42 + "!", "é" * 50])
def test_malformed_verifiers_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        code_challenge_s256(bad)


def _entropy_bytes(value: str) -> int:
    return len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))


def test_state_nonce_and_verifier_have_at_least_128_bits_and_are_unique() -> None:
    transactions = [LoginTransaction.new("http://127.0.0.1/cb") for _ in range(500)]
    for attribute in ("state", "nonce", "code_verifier"):
        values = {getattr(t, attribute) for t in transactions}
        assert len(values) == len(transactions), attribute
        assert all(_entropy_bytes(v) >= 16 for v in values), attribute
    assert len({new_code_verifier() for _ in range(100)}) == 100
    with pytest.raises(ValueError):
        new_random_token(8)


def test_transaction_round_trip_and_repr() -> None:
    transaction = LoginTransaction.new("http://127.0.0.1/cb", "openid email", max_age=120)
    restored = LoginTransaction.from_dict(transaction.to_dict())
    assert restored == transaction
    assert restored.max_age == 120
    text = repr(transaction)
    for secret in (transaction.state, transaction.nonce, transaction.code_verifier):
        assert secret not in text


def test_tampered_transaction_is_refused() -> None:
    data = LoginTransaction.new("http://127.0.0.1/cb").to_dict()
    with pytest.raises(LoginError):
        LoginTransaction.from_dict({k: v for k, v in data.items() if k != "nonce"})
    with pytest.raises(ValueError):
        LoginTransaction.from_dict({**data, "code_verifier": "x"})


def test_authorization_params_are_secure_by_default() -> None:
    transaction = LoginTransaction.new("http://127.0.0.1/cb")
    params = authorization_params(transaction, LoginOptions(prompt="login", max_age=60))
    assert params["code_challenge_method"] == "S256"
    assert params["code_challenge"] == code_challenge_s256(transaction.code_verifier)
    assert params["state"] == transaction.state and params["nonce"] == transaction.nonce
    assert params["prompt"] == "login" and params["max_age"] == 60
    assert params["login_hint"] is None  # None: the core leaves the parameter out
    options = LoginOptions(scopes=("email", "openid"), offline_access=True)
    assert scope_for(("profile",), options) == "openid profile email offline_access"


def _check(transaction: LoginTransaction, params: CallbackParams, **kw: object) -> str:
    return check_callback(
        transaction,
        params,
        issuer=ISSUER,
        iss_required=bool(kw.get("iss_required", True)),
        now=float(kw.get("now", time.time())),  # type: ignore[arg-type]
    )


def test_callback_checks() -> None:
    tx = LoginTransaction.new("http://127.0.0.1/cb")
    assert _check(tx, CallbackParams(code="c", state=tx.state, iss=ISSUER)) == "c"
    with pytest.raises(StateMismatchError):
        _check(tx, CallbackParams(code="c", state=tx.state + "x", iss=ISSUER))
    with pytest.raises(StateMismatchError):
        _check(tx, CallbackParams(code="c", state=None, iss=ISSUER))
    with pytest.raises(IssuerMismatchError):
        _check(tx, CallbackParams(code="c", state=tx.state, iss="https://evil.example/realms/r"))
    with pytest.raises(IssuerMismatchError):
        _check(tx, CallbackParams(code="c", state=tx.state))
    # Without RFC 9207 support advertised, a missing iss is accepted.
    assert _check(tx, CallbackParams(code="c", state=tx.state), iss_required=False) == "c"
    with pytest.raises(LoginError):
        _check(tx, CallbackParams(code="c", state=tx.state, iss=ISSUER), now=tx.created_at + 3600)
    with pytest.raises(LoginError):
        _check(tx, CallbackParams(state=tx.state, iss=ISSUER))


def test_error_redirect_carries_the_server_error() -> None:
    tx = LoginTransaction.new("http://127.0.0.1/cb")
    query = {"error": "access_denied", "error_description": "user said no", "state": tx.state}
    with pytest.raises(AuthorizationError) as caught:
        _check(tx, CallbackParams.from_query({**query, "iss": ISSUER}))
    assert caught.value.error == "access_denied"
    assert caught.value.error_description == "user said no"
