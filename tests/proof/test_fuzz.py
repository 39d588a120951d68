"""Fuzzing: hostile bytes reach the validator, the flow client's parsers and the middleware.

Only typed errors come out (`TokenValidationError` / `KeycloakError`), the middleware only
answers < 500, and every call finishes within a bound. Hypothesis runs derandomized with a
bounded example count, so CI sees the same examples every time.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from keycloak_sdk.extensions import Client
from keycloak_sdk.extensions.jose import JwksCache
from keycloak_sdk.extensions.jose.errors import TokenValidationError
from keycloak_sdk.extensions.validation import TokenValidator

from examples import example_settings
from keycloak_sdk.errors import KeycloakError
from tests.hostile.apps import FRAMEWORKS, example_client
from tests.hostile.provider import CLIENT_ID, HostileProvider

PROOF = settings(
    max_examples=150,
    deadline=2000,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CALL_BOUND = 1.0  # seconds per call, generous for a shared 2-core machine


@pytest.fixture(scope="module")
def provider() -> Iterator[HostileProvider]:
    with HostileProvider.running() as hostile:
        yield hostile


@pytest.fixture(scope="module")
def validator(provider: HostileProvider) -> TokenValidator:
    url = f"{provider.issuer}/protocol/openid-connect/certs"
    return TokenValidator(
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        jwks=JwksCache(lambda: httpx.get(url, timeout=5).content),
        accept_azp_as_audience=True,
    )


def _bounded(call: Callable[[], object]) -> BaseException | None:
    began = time.monotonic()
    try:
        call()
    except Exception as exc:
        return exc
    finally:
        assert time.monotonic() - began < CALL_BOUND
    return None


# -- tokens ------------------------------------------------------------------------------------

TOKEN_ALPHABET = st.sampled_from(
    list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \t\n\x00é")
)


@PROOF
@given(
    raw=st.one_of(
        st.binary(max_size=2048).map(lambda b: b.decode("latin-1")),
        st.text(TOKEN_ALPHABET, max_size=2048),
        st.lists(st.text(TOKEN_ALPHABET, max_size=200), min_size=1, max_size=6).map(".".join),
    )
)
def test_random_strings_are_refused_with_typed_errors(raw: str, validator: TokenValidator) -> None:
    for validate in (
        validator.validate_access_token,
        lambda t: validator.validate_id_token(t, nonce=None),
        validator.validate_logout_token,
    ):
        error = _bounded(lambda: validate(raw))  # noqa: B023 (called immediately)
        assert isinstance(error, TokenValidationError), repr(error)


@st.composite
def mutations(draw: st.DrawFn, token: str) -> str:
    chars = list(token)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "swap-segments", "truncate"]))
        position = draw(st.integers(0, max(0, len(chars) - 1)))
        if kind == "flip" and chars:
            chars[position] = draw(TOKEN_ALPHABET)
        elif kind == "insert":
            chars.insert(position, draw(TOKEN_ALPHABET))
        elif kind == "delete" and chars:
            del chars[position]
        elif kind == "swap-segments":
            parts = "".join(chars).split(".")
            if len(parts) == 3:
                parts[0], parts[1] = parts[1], parts[0]
            chars = list(".".join(parts))
        else:
            chars = chars[:position]
    return "".join(chars)


@PROOF
@given(data=st.data())
def test_mutated_real_tokens_are_refused(
    data: st.DataObject, provider: HostileProvider, validator: TokenValidator
) -> None:
    token = provider.access_token()
    mutated = data.draw(mutations(token))
    error = _bounded(lambda: validator.validate_access_token(mutated))
    if mutated == token:
        assert error is None
    else:
        assert isinstance(error, TokenValidationError), repr(error)


@PROOF
@given(
    claims=st.dictionaries(
        st.text(max_size=10),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers()
            | st.floats(allow_nan=False)
            | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=10,
        ),
        max_size=12,
    )
)
def test_signed_random_claims_are_refused_or_well_formed(
    claims: dict[str, Any], provider: HostileProvider, validator: TokenValidator
) -> None:
    # Correctly signed, arbitrary payloads: the claim checks must not crash on odd types.
    token = provider.sign(claims)
    for validate in (
        validator.validate_access_token,
        lambda t: validator.validate_id_token(t, nonce=None),
        validator.validate_logout_token,
    ):
        error = _bounded(lambda: validate(token))  # noqa: B023
        assert error is None or isinstance(error, TokenValidationError), repr(error)


# -- the flow client's parsers (MockTransport) ----------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=20,
)
BODIES = st.one_of(
    st.binary(max_size=300),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(
        st.sampled_from(
            [
                "issuer",
                "token_endpoint",
                "jwks_uri",
                "keys",
                "access_token",
                "token_type",
                "expires_in",
                "id_token",
                "refresh_token",
                "kty",
                "n",
                "e",
                "kid",
                "alg",
                "error",
            ]
        ),
        JSON_VALUES,
        max_size=8,
    ).map(lambda v: json.dumps(v).encode()),
)
STATUSES = st.sampled_from([200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 502, 503])
CONTENT_TYPES = st.sampled_from(
    ["application/json", "application/jwt", "text/html", "", "application/json; charset=x"]
)


# Fewer examples: discovery answers of 5xx are retried with backoff, which takes real time.
@settings(parent=PROOF, max_examples=60)
@given(
    target=st.sampled_from(["discovery", "certs", "token"]),
    status=STATUSES,
    body=BODIES,
    content_type=CONTENT_TYPES,
)
def test_flow_client_parses_hostile_responses_into_typed_errors(
    target: str, status: int, body: bytes, content_type: str, provider: HostileProvider
) -> None:
    settings_ = example_settings("http://127.0.0.1:9")
    issuer = settings_.issuer
    good_discovery = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/auth",
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/certs",
        "userinfo_endpoint": f"{issuer}/userinfo",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        name = (
            "discovery"
            if path.endswith("openid-configuration")
            else "certs"
            if path.endswith("/certs")
            else "token"
        )
        if name == target:
            return httpx.Response(status, content=body, headers={"content-type": content_type})
        if name == "discovery":
            return httpx.Response(200, json=good_discovery)
        if name == "certs":
            return httpx.Response(200, json=provider.jwks())
        return httpx.Response(200, json={"access_token": "x", "token_type": "Bearer"})

    transport = httpx.MockTransport(handler)
    with httpx.Client(transport=transport) as http, Client(settings_, http_client=http) as client:
        calls: list[Callable[[], object]] = [
            client.provider_metadata,
            lambda: client.client_credentials(),
            lambda: client.validate_access_token(provider.access_token()),
        ]
        for call in calls:
            error = _bounded(call)
            assert error is None or isinstance(error, KeycloakError), repr(error)


# -- the middleware ------------------------------------------------------------------------------

HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300)
PATHS = st.one_of(
    st.sampled_from(
        [
            "/",
            "/public",
            "/profile",
            "/api/me",
            "/api/admin",
            "/documents/x",
            "/kc/login",
            "/kc/callback",
            "/kc/logout",
            "/kc/backchannel-logout",
            "/api/../profile",
            "//evil",
        ]
    ),
    st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=60).map(
        lambda p: "/" + p
    ),
)


@pytest.fixture(scope="module", params=FRAMEWORKS)
def framework_app(
    request: pytest.FixtureRequest, provider: HostileProvider
) -> Iterator[httpx.Client]:
    with example_client(request.param, provider.base_url) as app:
        yield app


@settings(parent=PROOF, max_examples=100)
@given(
    method=st.sampled_from(["GET", "POST", "HEAD", "DELETE", "OPTIONS"]),
    path=PATHS,
    query=st.lists(st.tuples(HEADER_TEXT, HEADER_TEXT), max_size=6),
    authorization=st.one_of(st.none(), HEADER_TEXT, HEADER_TEXT.map(lambda t: f"Bearer {t}")),
    cookie=st.one_of(st.none(), HEADER_TEXT, HEADER_TEXT.map(lambda t: f"kc_session={t}")),
    body=st.binary(max_size=200),
)
def test_middleware_answers_hostile_requests_below_500(
    framework_app: httpx.Client,
    method: str,
    path: str,
    query: list[tuple[str, str | int | float | bool | None]],
    authorization: str | None,
    cookie: str | None,
    body: bytes,
) -> None:
    headers = {}
    if authorization is not None:
        headers["authorization"] = authorization
    if cookie is not None:
        headers["cookie"] = cookie
    framework_app.cookies.clear()
    began = time.monotonic()
    try:
        answer = framework_app.request(
            method, path, params=[(k, v) for k, v in query], headers=headers, content=body or None
        )
    except httpx.InvalidURL:
        return  # the client library refuses to send it; nothing reached the app
    assert time.monotonic() - began < CALL_BOUND * 2
    assert answer.status_code < 500, (answer.status_code, method, path, answer.text[:200])
