"""`WWW-Authenticate` challenges: RFC 6750 §3 (Bearer) and UMA 2.0 grant §3.3.1 (UMA)."""

from __future__ import annotations

from collections.abc import Iterable


def _quote(value: str) -> str:
    # RFC 7235 quoted-string; error descriptions must stay within %x20-21 / %x23-5B / %x5D-7E.
    if value.isascii() and value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    cleaned = "".join(ch for ch in value if 0x20 <= ord(ch) <= 0x7E and ch not in '"\\')
    return f'"{cleaned}"'


def bearer_challenge(
    realm: str,
    *,
    error: str | None = None,
    description: str | None = None,
    scopes: Iterable[str] = (),
) -> str:
    """`Bearer realm="...", error="...", ...`; no error attributes when no token was sent."""
    parts = [f"realm={_quote(realm)}"]
    if error:
        parts.append(f"error={_quote(error)}")
    if description:
        parts.append(f"error_description={_quote(description)}")
    scope = " ".join(scopes)
    if scope:
        parts.append(f"scope={_quote(scope)}")
    return "Bearer " + ", ".join(parts)


def uma_challenge(realm: str, as_uri: str, ticket: str) -> str:
    return f"UMA realm={_quote(realm)}, as_uri={_quote(as_uri)}, ticket={_quote(ticket)}"
