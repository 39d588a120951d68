"""A forged Host header never reaches an absolute URL: the redirect URI, the logout landing
and every Location come from the configured public URL (or callback URL) only, on every
framework; and a middleware without either refuses to start, naming the setting."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from keycloak_sdk.extensions.errors import ConfigurationError
from keycloak_sdk.extensions.web.engine import AuthEngine
from keycloak_sdk.extensions.web.settings import WebSettings

from tests.hostile.apps import PUBLIC_URL, browser_login
from tests.hostile.provider import HostileProvider

EVIL = {"host": "evil.example"}


def _no_evil(answer: httpx.Response) -> None:
    assert "evil.example" not in answer.headers.get("location", ""), answer.headers
    assert b"evil.example" not in answer.content


def test_the_redirect_uri_ignores_host(app: httpx.Client, provider: HostileProvider) -> None:
    answer = app.get("/profile", headers=EVIL)
    _no_evil(answer)
    if answer.status_code == 400:  # Django: ALLOWED_HOSTS refuses the request first
        return
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["redirect_uri"] == [f"{PUBLIC_URL}/kc/callback"]


def test_the_logout_landing_ignores_host(
    app: httpx.Client, provider: HostileProvider, provider_http: httpx.Client
) -> None:
    assert browser_login(app, provider_http).status_code == 302
    # A same-origin link to the logout path (as keycloak-client's apps have) ends the session.
    answer = app.get("/kc/logout", headers={**EVIL, "sec-fetch-site": "same-origin"})
    _no_evil(answer)
    if answer.status_code == 400:
        return
    assert answer.status_code == 303
    landing = parse_qs(urlsplit(answer.headers["location"]).query)["post_logout_redirect_uri"]
    assert landing == [f"{PUBLIC_URL}/"]
    # Logged out already: the landing itself, again from the configuration.
    again = app.post("/kc/logout", headers={**EVIL, "origin": PUBLIC_URL})
    _no_evil(again)


def test_a_foreign_origin_named_by_host_is_no_same_origin(
    app: httpx.Client, provider: HostileProvider
) -> None:
    # Origin and Host agree on evil.example: still not this app's origin.
    answer = app.post(
        "/kc/logout", headers={**EVIL, "origin": "http://evil.example"}, follow_redirects=False
    )
    assert answer.status_code in (400, 403), answer.status_code
    _no_evil(answer)


def _engine_without_public_url(**options: object) -> AuthEngine:
    from examples import example_settings

    settings = example_settings("http://127.0.0.1:9")
    return AuthEngine(WebSettings.build(settings, "s" * 32, **options))  # type: ignore[arg-type]


async def _asgi_app(scope: object, receive: object, send: object) -> None:
    raise AssertionError("never called")


def test_middlewares_without_a_public_url_refuse_to_start() -> None:
    from keycloak_sdk.extensions.starlette import AuthenticationMiddleware
    from keycloak_sdk.extensions.web.wsgi import KeycloakWSGIMiddleware

    engine = _engine_without_public_url()
    with pytest.raises(ConfigurationError) as refused:
        KeycloakWSGIMiddleware(lambda environ, start_response: [], engine)
    assert refused.value.setting == "public_url"
    assert "KEYCLOAK_PUBLIC_URL" in str(refused.value)
    with pytest.raises(ConfigurationError):
        AuthenticationMiddleware(_asgi_app, engine=engine)
    # A bearer-only app (every path an API) builds no absolute URL: nothing to configure.
    KeycloakWSGIMiddleware(
        lambda environ, start_response: [], _engine_without_public_url(api_paths=["/*"])
    )


# Only the Django app (it configures Django's settings), not a skip on the other three.
@pytest.mark.parametrize("framework_app", ["django"], indirect=True)
def test_the_django_middleware_without_a_public_url_refuses_to_start(
    framework_app: tuple[str, httpx.Client],
) -> None:
    assert framework_app[0] == "django"
    from django.conf import settings
    from keycloak_sdk.extensions.django import AuthenticationMiddleware, _engine

    saved = settings.KEYCLOAK_CALLBACK_URL
    settings.KEYCLOAK_CALLBACK_URL = None
    _engine.reset()
    try:
        with pytest.raises(ConfigurationError) as refused:
            AuthenticationMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
        assert refused.value.setting == "public_url"
    finally:
        settings.KEYCLOAK_CALLBACK_URL = saved
        _engine.reset()


def test_an_engine_driven_without_a_middleware_never_falls_back_to_host() -> None:
    from keycloak_sdk.extensions.web.engine import WebRequest, WebResponse

    engine = _engine_without_public_url()
    request = WebRequest("GET", "/kc/login", "", {"host": "evil.example"}, host="evil.example")
    answer = engine.handle_sync(request, b"")
    assert isinstance(answer, WebResponse)
    assert answer.status == 503  # a configuration error, never a URL on evil.example
    assert all("evil.example" not in value for _, value in answer.headers)
