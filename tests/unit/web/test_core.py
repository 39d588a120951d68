"""Framework-agnostic pieces: path rules, return-to safety, challenges, sealing, guards, store."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from keycloak_sdk.extensions.claims import AccessTokenClaims
from keycloak_sdk.extensions.web.challenge import bearer_challenge, uma_challenge
from keycloak_sdk.extensions.web.guards import RoleRequirement, ScopeRequirement
from keycloak_sdk.extensions.web.paths import PathRules, RouteKind
from keycloak_sdk.extensions.web.redirects import safe_return_to
from keycloak_sdk.extensions.web.sealing import CookieSealer


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", RouteKind.PUBLIC),
        ("/static/app.css", RouteKind.PUBLIC),
        ("/api/health", RouteKind.PUBLIC),  # public wins inside /api/*
        ("/api/users/1", RouteKind.API),
        ("/profile", RouteKind.BROWSER),  # undeclared: protected
        ("/static", RouteKind.BROWSER),
        ("/apix", RouteKind.BROWSER),
    ],
)
def test_path_classification(path: str, kind: RouteKind) -> None:
    rules = PathRules.of(public=("/", "/static/*", "/api/health"), api=("/api/*",))
    assert rules.classify(path) is kind


def test_default_rules_protect_everything() -> None:
    assert PathRules().classify("/") is RouteKind.BROWSER


def test_relative_patterns_are_refused() -> None:
    with pytest.raises(ValueError, match="must start with"):
        PathRules.of(public=("static/*",))


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=1",
        "/tab\tx",
        "evil.example",
        "",
        None,
        "/" + "a" * 3000,
    ],
)
def test_unsafe_return_to_falls_back(target: str | None) -> None:
    assert safe_return_to(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/", "/profile?tab=keys", "/a/b#frag", "/x?next=//y"])
def test_relative_return_to_is_kept(target: str) -> None:
    assert safe_return_to(target) == target


def test_bearer_challenge_without_token_has_no_error() -> None:
    assert bearer_challenge("sdk-test") == 'Bearer realm="sdk-test"'


def test_bearer_challenge_with_error_and_scopes() -> None:
    header = bearer_challenge(
        "sdk-test", error="insufficient_scope", description="need more", scopes=("a", "b")
    )
    assert header == (
        'Bearer realm="sdk-test", error="insufficient_scope", '
        'error_description="need more", scope="a b"'
    )


def test_challenge_values_cannot_break_out_of_quotes() -> None:
    header = bearer_challenge("r", error="invalid_token", description='bad" , x="1\\\r\n')
    assert header == 'Bearer realm="r", error="invalid_token", error_description="bad , x=1"'


def test_uma_challenge() -> None:
    assert uma_challenge("sdk-test", "https://kc/realms/sdk-test", "T") == (
        'UMA realm="sdk-test", as_uri="https://kc/realms/sdk-test", ticket="T"'
    )


def test_sealing_round_trip_is_opaque() -> None:
    sealer = CookieSealer("0123456789abcdef-secret")
    sealed = sealer.seal(b"session-id-123", max_age=60)
    assert b"session-id-123" not in sealed.encode()
    assert sealer.unseal(sealed) == b"session-id-123"
    assert sealer.seal(b"same", max_age=60) != sealer.seal(b"same", max_age=60)


def test_sealing_refuses_any_tampering() -> None:
    sealer = CookieSealer("0123456789abcdef-secret")
    sealed = sealer.seal(b"session-id-123", max_age=60)
    for index in range(len(sealed)):
        flipped = "A" if sealed[index] != "A" else "B"
        tampered = sealed[:index] + flipped + sealed[index + 1 :]
        assert sealer.unseal(tampered) is None, index


def test_sealing_refuses_other_keys_purposes_garbage_and_expiry() -> None:
    sealer = CookieSealer("0123456789abcdef-secret")
    sealed = sealer.seal(b"x", max_age=60)
    assert CookieSealer("another-secret-0123456").unseal(sealed) is None
    assert CookieSealer("0123456789abcdef-secret", purpose="other").unseal(sealed) is None
    for garbage in ("", "!!!", "AAAA", "A" * 5000, "ü"):
        assert sealer.unseal(garbage) is None
    assert sealer.unseal(sealer.seal(b"x", max_age=-1)) is None


def test_short_secrets_are_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        CookieSealer("short")


def _claims(**extra: object) -> AccessTokenClaims:
    return AccessTokenClaims(
        {
            "iss": "https://kc/realms/r",
            "sub": "u",
            "scope": "openid email",
            "realm_access": {"roles": ["user"]},
            "resource_access": {"app": {"roles": ["reader"]}},
            **extra,
        }
    )


def test_role_requirements_any_and_all() -> None:
    claims = _claims()
    assert RoleRequirement.of(["admin", "user"]).satisfied_by(claims)
    assert not RoleRequirement.of(["admin", "user"], "all").satisfied_by(claims)
    assert RoleRequirement.of(["user", "app:reader"], "all").satisfied_by(claims)
    assert not RoleRequirement.of(["app:writer"]).satisfied_by(claims)
    assert not RoleRequirement.of(["reader"]).satisfied_by(claims)  # a client role, not realm


def test_scope_requirements_any_and_all() -> None:
    claims = _claims()
    assert ScopeRequirement.of(["email", "openid"]).satisfied_by(claims)
    assert not ScopeRequirement.of(["email", "phone"]).satisfied_by(claims)
    assert ScopeRequirement.of(["email", "phone"], "any").satisfied_by(claims)


def test_requirements_refuse_bad_input() -> None:
    with pytest.raises(ValueError):
        RoleRequirement.of([])
    with pytest.raises(ValueError):
        ScopeRequirement.of(["a"], "most")  # type: ignore[arg-type]


@given(st.text(max_size=200))
def test_return_to_never_leaves_the_site(target: str) -> None:
    result = safe_return_to(target, "/")
    assert result == "/" or result == target
    parts = urlsplit(result)
    assert result.startswith("/") and not result.startswith("//")
    assert not parts.scheme and not parts.netloc and "\\" not in result
