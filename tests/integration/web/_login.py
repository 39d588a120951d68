"""Log in to an example app through Keycloak's real login form."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from tests.keycloak_browser import KeycloakBrowser


def browser_login(
    app: httpx.Client,
    path: str,
    username: str,
    password: str,
    kc: KeycloakBrowser | None = None,
) -> httpx.Response:
    """GET a protected `path` on the app, log in on Keycloak, follow back to the app; return
    the app's answer to the callback (a redirect to the original URL)."""
    start = app.get(path)
    assert start.status_code == 302, (start.status_code, start.text[:300])
    own = kc is None
    browser = kc or KeycloakBrowser()
    try:
        back = browser.submit_login(start.headers["location"], username, password)
    finally:
        if own:
            browser.close()
    parts = urlsplit(back)
    return app.get(f"{parts.path}?{parts.query}")
