"""Drive Keycloak's real login pages over httpx, as a browser would (no JavaScript needed)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx


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


def page_form(html: str, base_url: str) -> tuple[str, dict[str, str]]:
    """The first POST form of a page: absolute action URL and its hidden inputs."""
    parser = _Forms()
    parser.feed(html)
    for form, inputs in zip(parser.forms, parser.inputs, strict=True):
        if form.get("method", "get").lower() == "post" and form.get("action"):
            hidden = {
                name: attrs.get("value", "")
                for name, attrs in inputs.items()
                if attrs.get("type") == "hidden"
            }
            return urljoin(base_url, form["action"]), hidden
    raise AssertionError(f"no POST form on the page:\n{html[:2000]}")


class Browser:
    """An httpx client that keeps cookies like a browser on http://127.0.0.1.

    Keycloak marks its login cookies `Secure`; browsers still send them to loopback
    (a secure context) but httpx's cookie jar does not, so cookies are carried by hand.
    """

    def __init__(self) -> None:
        self._http = httpx.Client(follow_redirects=False, timeout=20)
        self._cookies: dict[str, str] = {}

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()

    def _send(self, method: str, url: str, data: dict[str, str] | None = None) -> httpx.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self._cookies.items())}
        response = self._http.request(method, url, data=data, headers=headers)
        self._http.cookies.clear()
        for name, value in response.cookies.items():
            self._cookies[name] = value
        return response

    def get(self, url: str) -> httpx.Response:
        return self._send("GET", url)

    def post(self, url: str, data: dict[str, str]) -> httpx.Response:
        return self._send("POST", url, data)


def _follow_to_page(browser: Browser, response: httpx.Response) -> httpx.Response:
    while response.is_redirect:
        response = browser.get(urljoin(str(response.url), response.headers["location"]))
    return response


def login_redirect(
    authorization_url: str, username: str, password: str, redirect_prefix: str
) -> dict[str, str]:
    """Log in on Keycloak's form; return the query of the redirect to the client.

    The redirect itself is not followed: its Location header carries code, state and iss.
    """
    with Browser() as browser:
        page = _follow_to_page(browser, browser.get(authorization_url))
        assert page.status_code == 200, page.text[:500]
        action, fields = page_form(page.text, str(page.url))
        response = browser.post(action, data={**fields, "username": username, "password": password})
        assert response.status_code in (302, 303), response.text[:1000]
        location = response.headers["location"]
        assert location.startswith(redirect_prefix), location[:200]
        return dict(parse_qsl(urlsplit(location).query))


def approve_device(verification_uri_complete: str, username: str, password: str) -> None:
    """Approve a device user code as the user, on Keycloak's device pages."""
    with Browser() as browser:
        page = _follow_to_page(browser, browser.get(verification_uri_complete))
        for _ in range(4):
            action, fields = page_form(page.text, str(page.url))
            data = dict(fields)
            if 'name="username"' in page.text:
                data.update(username=username, password=password)
            elif 'name="accept"' in page.text:
                data["accept"] = "Yes"
            response = browser.post(action, data=data)
            page = _follow_to_page(browser, response)
            assert page.status_code == 200, page.text[:1000]
            if "kc-form-login" not in page.text and 'name="accept"' not in page.text:
                return
        raise AssertionError("device approval did not finish")
