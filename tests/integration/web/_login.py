"""Drive Keycloak's real login form with httpx, as a browser would.

Keycloak marks its login cookies `Secure`; browsers send those to http://127.0.0.1 (a
potentially trustworthy origin) but http.cookiejar does not, so the Keycloak side keeps its
cookies itself here.
"""

from __future__ import annotations

import html
import re
from http.cookies import SimpleCookie
from urllib.parse import urljoin, urlsplit

import httpx

_FORM_ACTION = re.compile(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', re.S)


class KeycloakBrowser:
    """The Keycloak half of a browser: keeps Keycloak's cookies, follows its redirects."""

    def __init__(self) -> None:
        self.http = httpx.Client(timeout=30)
        self.cookies: dict[str, str] = {}

    def close(self) -> None:
        self.http.close()

    def _send(self, method: str, url: str, data: dict[str, str] | None = None) -> httpx.Response:
        header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(
            method, url, data=data, headers={"cookie": header} if header else {}
        )
        self.http.cookies.clear()
        for raw in response.headers.get_list("set-cookie"):
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get_following(self, url: str, stop_prefix: str | None = None) -> httpx.Response | str:
        """GET, following redirects within Keycloak; a redirect to `stop_prefix` is returned
        as its URL."""
        for _ in range(10):
            response = self._send("GET", url)
            if response.status_code not in (301, 302, 303, 307):
                return response
            url = urljoin(url, response.headers["location"])
            if stop_prefix and url.startswith(stop_prefix):
                return url
        raise AssertionError("too many redirects")

    def submit_login(self, authorize_url: str, username: str, password: str) -> str:
        """Open the login page, post the credentials, return where Keycloak sends the browser
        back to (the app's callback with code and state)."""
        page = self.get_following(authorize_url)
        assert isinstance(page, httpx.Response) and page.status_code == 200, page
        match = _FORM_ACTION.search(page.text)
        assert match is not None, "no login form on Keycloak's page"
        answer = self._send(
            "POST",
            html.unescape(match.group(1)),
            {"username": username, "password": password, "credentialId": ""},
        )
        if answer.status_code not in (302, 303):
            errors = re.findall(r'id="input-error[^"]*"[^>]*>\s*([^<]+)<', answer.text)
            raise AssertionError(f"login not accepted: HTTP {answer.status_code} {errors}")
        return answer.headers["location"]


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
