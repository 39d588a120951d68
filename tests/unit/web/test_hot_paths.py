"""The request paths made fast for `make bench` keep their meaning: headers read in place from
a WSGI environ, the engine's no-I/O start, and uvicorn workers that set TCP_NODELAY."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from keycloak_sdk.extensions.web import steps
from keycloak_sdk.extensions.web.steps import EngineCall, Finished, start
from keycloak_sdk.extensions.web.wsgi import EnvironHeaders


def test_environ_headers_read_like_the_dict_they_replace() -> None:
    environ = {
        "HTTP_AUTHORIZATION": "Bearer abc",
        "HTTP_X_FORWARDED_FOR": "10.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "",
        "PATH_INFO": "/api",
    }
    headers = EnvironHeaders(environ)
    assert headers.get("authorization") == "Bearer abc"
    assert headers["x-forwarded-for"] == "10.0.0.1"
    assert headers.get("content-type") == "application/json"
    assert headers.get("content-length") is None  # empty: absent, as Django and WSGI mean it
    assert headers.get("cookie") is None
    # Only lower-case dashed names name a header; underscores would alias other headers.
    assert headers.get("x_forwarded_for") is None
    assert headers.get("Authorization") is None
    assert "authorization" in headers and "path-info" not in headers
    assert sorted(headers) == ["authorization", "content-type", "x-forwarded-for"]
    assert len(headers) == 3
    assert dict(headers) == {
        "authorization": "Bearer abc",
        "x-forwarded-for": "10.0.0.1",
        "content-type": "application/json",
    }


class _Gateway:
    def __init__(self, cached: object | None, refusal: Exception | None = None) -> None:
        self.cached = cached
        self.refusal = refusal
        self.asked: list[tuple[Any, ...]] = []

    def validate_access_token_now(
        self, token: str, *, audience: str | None = None
    ) -> object | None:
        self.asked.append((token, audience))
        if self.refusal is not None:
            raise self.refusal
        return self.cached


def _checks(token: str) -> steps.Steps[tuple[object, object]]:
    claims = yield from steps.gateway("validate_access_token", token, audience="api")
    keys = yield from steps.gateway("realm_keys")
    return claims, keys


def test_start_answers_a_cache_hit_and_stops_at_the_first_call_needing_io() -> None:
    gateway = _Gateway(cached="claims")
    flow = _checks("t")
    pending = start(flow, gateway)
    assert gateway.asked == [("t", "api")]
    assert isinstance(pending, EngineCall) and pending.name == "realm_keys"
    with pytest.raises(StopIteration) as done:
        flow.send("keys")
    assert done.value.value == ("claims", "keys")


def test_start_leaves_a_cache_miss_to_the_driver() -> None:
    pending = start(_checks("t"), _Gateway(cached=None))
    assert isinstance(pending, EngineCall) and pending.name == "validate_access_token"


def test_start_throws_a_local_refusal_back_into_the_steps() -> None:
    def refused(token: str) -> steps.Steps[str]:
        try:
            yield from steps.gateway("validate_access_token", token)
        except ValueError as exc:
            return f"refused: {exc}"
        return "accepted"  # pragma: no cover

    outcome = start(refused("t"), _Gateway(cached=None, refusal=ValueError("bad signature")))
    assert outcome == Finished("refused: bad signature")


def test_start_finishes_steps_that_need_nothing() -> None:
    def nothing() -> steps.Steps[str]:
        return "done"
        yield  # pragma: no cover

    assert start(nothing(), _Gateway(cached=None)) == Finished("done")


def test_uvicorn_workers_socket_gets_tcp_nodelay() -> None:
    """uvicorn's own bind leaves proto 0, so asyncio never sets TCP_NODELAY on its
    connections (~40 ms per keep-alive request); the examples' launcher marks it as TCP."""
    from examples.uvicorn_workers import TcpConfig

    config = TcpConfig("examples.workers:starlette_app", factory=True, host="127.0.0.1", port=0)
    sock = config.bind_socket()
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[0] == "127.0.0.1"
    finally:
        sock.close()


def test_starlettes_shared_anonymous_user_and_credentials_hold_nothing() -> None:
    """Every anonymous Starlette request gets the same user and credentials objects: what one
    request's code does to them must not reach the next request."""
    from keycloak_sdk.extensions.starlette import _ANONYMOUS, _NO_CREDENTIALS
    from starlette.authentication import AuthCredentials, UnauthenticatedUser

    assert isinstance(_ANONYMOUS, UnauthenticatedUser) and not _ANONYMOUS.is_authenticated
    assert isinstance(_NO_CREDENTIALS, AuthCredentials)
    _NO_CREDENTIALS.scopes.append("role:admin")
    assert _NO_CREDENTIALS.scopes == []
    with pytest.raises(AttributeError):
        _NO_CREDENTIALS.scopes = ["role:admin"]
    with pytest.raises(AttributeError):
        _ANONYMOUS.tenant = "someone"
    assert _NO_CREDENTIALS.scopes == [] and not hasattr(_ANONYMOUS, "tenant")


def test_the_enforcers_remembered_path_matches_follow_its_paths() -> None:
    """`PolicyEnforcer.unmapped` answers from a per-path memo: replacing `paths` forgets it,
    and a flood of distinct paths keeps it bounded."""
    from typing import cast

    from keycloak_sdk.extensions.web._gateway import KeycloakGateway
    from keycloak_sdk.extensions.web.enforcer import EnforcementMode, PathConfig, PolicyEnforcer

    enforcer = PolicyEnforcer(
        cast("KeycloakGateway", None),
        paths=[PathConfig("/documents/*", "documents")],
        mode=EnforcementMode.ENFORCING,
    )
    assert enforcer.unmapped("/documents/1") is None  # may map to a resource
    refused = enforcer.unmapped("/elsewhere")
    assert refused is not None and not refused.allowed
    enforcer.paths = ()
    now_unmapped = enforcer.unmapped("/documents/1")
    assert now_unmapped is not None and not now_unmapped.allowed
    enforcer.mode = EnforcementMode.PERMISSIVE
    allowed = enforcer.unmapped("/documents/1")
    assert allowed is not None and allowed.allowed
    for index in range(5000):
        enforcer.unmapped(f"/flood/{index}")
    assert len(enforcer._matches) <= 1024
