"""Property tests: whatever arrives, the validator answers claims or a TokenValidationError."""

from __future__ import annotations

import contextlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st
from keycloak_sdk.extensions.jose.errors import TokenValidationError

from tests.unit.jose.forge import (
    ISSUER,
    access_claims,
    b64_json,
    sign,
    sign_raw_payload,
    validator,
)

CHECKER = validator(leeway=300)
TOKEN = sign(access_claims())
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
NOISE = ALPHABET + ".=+/ \n\t\x00é"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _rejects(token: object) -> None:
    try:
        CHECKER.validate_access_token(token)  # type: ignore[arg-type]
    except TokenValidationError:
        return
    raise AssertionError("token was accepted")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_as_text(data: bytes) -> None:
    _rejects(data.decode("latin-1"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=NOISE, max_size=400))
def test_random_token_shaped_text(text: str) -> None:
    _rejects(text)


@settings(max_examples=300, deadline=None)
@given(
    position=st.integers(min_value=0, max_value=len(TOKEN) - 1),
    replacement=st.text(alphabet=NOISE, max_size=3),
    delete=st.integers(min_value=0, max_value=3),
)
def test_mutated_valid_token_is_rejected(position: int, replacement: str, delete: int) -> None:
    mutated = TOKEN[:position] + replacement + TOKEN[position + delete :]
    if mutated == TOKEN:
        assert CHECKER.validate_access_token(mutated).sub == "user-1"
    else:
        _rejects(mutated)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=8))
def test_validly_signed_random_claims_never_escape_the_error_family(
    claims: dict[str, object],
) -> None:
    with contextlib.suppress(TokenValidationError):
        CHECKER.validate_access_token(sign_raw_payload(json.dumps(claims).encode()))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6), json_values)
def test_random_headers_never_escape_the_error_family(
    header: dict[str, object], junk: object
) -> None:
    _rejects(f"{b64_json(header)}.{b64_json(access_claims(iss=ISSUER))}.{b64_json(junk)}")


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(access_claims())), json_values)
def test_any_claim_replaced_by_any_value(claim: str, value: object) -> None:
    claims = access_claims()
    claims[claim] = value
    with contextlib.suppress(TokenValidationError):
        CHECKER.validate_access_token(sign(claims))
