"""Return-to targets: only same-site relative paths are ever redirected to."""

from __future__ import annotations

from urllib.parse import urlsplit

_MAX_RETURN_TO = 2048


def safe_return_to(target: str | None, default: str = "/") -> str:
    """`target` when it is a plain relative path on this site, else `default`.

    Refused: absolute URLs, scheme-relative `//host`, backslash tricks (`/\\host`, which
    browsers treat as `//host`), control characters, and anything oversized.
    """
    if not target or len(target) > _MAX_RETURN_TO:
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return default
    try:
        parts = urlsplit(target)
    except ValueError:
        return default
    if parts.scheme or parts.netloc:
        return default
    return target
