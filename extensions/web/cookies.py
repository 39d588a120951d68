"""Reading the Cookie header the way browsers and the big frameworks do.

`http.cookies.SimpleCookie` gives up on the whole header when one cookie is valueless (`flag`)
or holds JSON (`prefs={"theme":"dark"}`), both common from other apps on the same host; the
session would vanish with it. Adapters pass their framework's own parse (Werkzeug, Starlette,
Django); this parser, modelled on theirs, is the fallback: split on `;`, then on the first `=`,
and keep whatever each pair holds.
"""

from __future__ import annotations

from collections.abc import Mapping


def parse_cookie_header(header: str) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for chunk in header.split(";"):
        name, sep, value = chunk.partition("=")
        name = name.strip()
        if not sep or not name:
            continue  # a valueless cookie (`flag`) names nothing we read
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        cookies.setdefault(name, value)  # the first one wins, as in browsers' ordering
    return cookies


def cookie_value(cookies: Mapping[str, str] | None, header: str | None, name: str) -> str | None:
    if cookies is not None:
        return cookies.get(name)
    if not header:
        return None
    return parse_cookie_header(header).get(name)
