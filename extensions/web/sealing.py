"""Authenticated encryption of small cookie values (AES-256-GCM, key from HKDF-SHA256).

A sealed value is unreadable and tamper-evident: `unseal` returns None for anything that was
not produced by `seal` with the same secret, or that is past its expiry.
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_VERSION = b"\x01"
_NONCE = 12
_MAX_SEALED = 4096


class CookieSealer:
    """Seal/unseal byte strings bound to a purpose (so one cookie cannot stand in for another)."""

    def __init__(self, secret: str | bytes, *, purpose: str = "keycloak-sdk.session") -> None:
        raw = secret.encode("utf-8") if isinstance(secret, str) else secret
        if len(raw) < 16:
            raise ValueError("the cookie secret must be at least 16 bytes long")
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode("utf-8")
        ).derive(raw)
        self._aead = AESGCM(key)
        self._aad = purpose.encode("utf-8")

    def __repr__(self) -> str:
        return "CookieSealer(<secret>)"

    def seal(self, data: bytes, *, max_age: float) -> str:
        nonce = os.urandom(_NONCE)
        expires = struct.pack(">d", time.time() + max_age)
        body = self._aead.encrypt(nonce, expires + data, self._aad)
        return base64.urlsafe_b64encode(_VERSION + nonce + body).decode("ascii").rstrip("=")

    def unseal(self, sealed: str) -> bytes | None:
        if not sealed or len(sealed) > _MAX_SEALED:
            return None
        try:
            raw = base64.urlsafe_b64decode(sealed + "=" * (-len(sealed) % 4))
        except (binascii.Error, ValueError):
            return None
        if len(raw) < 1 + _NONCE + 8 + 16 or raw[:1] != _VERSION:
            return None
        try:
            plain = self._aead.decrypt(raw[1 : 1 + _NONCE], raw[1 + _NONCE :], self._aad)
        except InvalidTag:
            return None
        (expires,) = struct.unpack(">d", plain[:8])
        if expires < time.time():
            return None
        return plain[8:]
