"""Drive Keycloak's real login and device pages over httpx, as a browser would (no JavaScript
needed). Shared by the generated-core, flow and framework tests.

Keycloak marks its login cookies `Secure`; browsers still send them to http://127.0.0.1 (a
potentially trustworthy origin) but http.cookiejar does not, so this browser keeps Keycloak's
cookies itself.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx

_LOGIN_FORM_ACTION = re.compile(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', re.S)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.inputs: list[dict[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(values)
            self.inputs.append({})
        elif tag == "input" and self.inputs and values.get("name"):
            self.inputs[-1][values["name"]] = values


def page_form(html_text: str, base_url: str) -> tuple[str, dict[str, str]]:
    """The first POST form of a page: absolute action URL and its hidden inputs."""
    parser = _Forms()
    parser.feed(html_text)
    for form, inputs in zip(parser.forms, parser.inputs, strict=True):
        if form.get("method", "get").lower() == "post" and form.get("action"):
            hidden = {
                name: attrs.get("value", "")
                for name, attrs in inputs.items()
                if attrs.get("type") == "hidden"
            }
            return urljoin(base_url, form["action"]), hidden
    raise AssertionError(f"no POST form on the page:\n{html_text[:2000]}")


class KeycloakBrowser:
    """The Keycloak half of a browser: keeps Keycloak's cookies, follows its redirects."""

    def __init__(self) -> None:
        self.http = httpx.Client(timeout=30)
        self.cookies: dict[str, str] = {}

    def __enter__(self) -> KeycloakBrowser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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

    def get(self, url: str) -> httpx.Response:
        return self._send("GET", url)

    def post(self, url: str, data: dict[str, str]) -> httpx.Response:
        return self._send("POST", url, data)

    def follow(self, response: httpx.Response) -> httpx.Response:
        """Follow redirects from `response` to the page they end on."""
        while response.is_redirect:
            response = self.get(urljoin(str(response.url), response.headers["location"]))
        return response

    def get_following(self, url: str, stop_prefix: str | None = None) -> httpx.Response | str:
        """GET, following redirects within Keycloak; a redirect to `stop_prefix` is returned
        as its URL."""
        for _ in range(10):
            response = self.get(url)
            if response.status_code not in (301, 302, 303, 307):
                return response
            url = urljoin(url, response.headers["location"])
            if stop_prefix and url.startswith(stop_prefix):
                return url
        raise AssertionError("too many redirects")

    def submit_login(self, authorize_url: str, username: str, password: str) -> str:
        """Open the login page, post the credentials, return where Keycloak sends the browser
        back to (the client's redirect URI with code and state)."""
        page = self.get_following(authorize_url)
        assert isinstance(page, httpx.Response) and page.status_code == 200, page
        match = _LOGIN_FORM_ACTION.search(page.text)
        assert match is not None, "no login form on Keycloak's page"
        answer = self.post(
            html.unescape(match.group(1)),
            {"username": username, "password": password, "credentialId": ""},
        )
        if answer.status_code not in (302, 303):
            errors = re.findall(r'id="input-error[^"]*"[^>]*>\s*([^<]+)<', answer.text)
            raise AssertionError(f"login not accepted: HTTP {answer.status_code} {errors}")
        return answer.headers["location"]


def login_redirect(
    authorization_url: str, username: str, password: str, redirect_prefix: str
) -> dict[str, str]:
    """Log in on Keycloak's form; return the query of the redirect to the client.

    The redirect itself is not followed: its Location header carries code, state and iss.
    """
    with KeycloakBrowser() as browser:
        location = browser.submit_login(authorization_url, username, password)
    assert location.startswith(redirect_prefix), location[:200]
    return dict(parse_qsl(urlsplit(location).query))


def approve_device(verification_uri_complete: str, username: str, password: str) -> None:
    """Approve a device user code as the user, on Keycloak's device pages."""
    with KeycloakBrowser() as browser:
        page = browser.follow(browser.get(verification_uri_complete))
        for _ in range(4):
            action, fields = page_form(page.text, str(page.url))
            data = dict(fields)
            if 'name="username"' in page.text:
                data.update(username=username, password=password)
            elif 'name="accept"' in page.text:
                data["accept"] = "Yes"
            page = browser.follow(browser.post(action, data=data))
            assert page.status_code == 200, page.text[:1000]
            if "kc-form-login" not in page.text and 'name="accept"' not in page.text:
                return
        raise AssertionError("device approval did not finish")
