"""Secrets never leak: with every logger at DEBUG, the main flows against the real Keycloak
leave no client secret, password, token, code or PKCE verifier in any log record, nor in the
repr/str of anything returned or raised."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from keycloak_sdk.extensions import Client, TokenManager
from keycloak_sdk.extensions.errors import KeycloakError
from keycloak_sdk.extensions.uma import PermissionRequest

from examples import EXAMPLE_CLIENT_SECRET, example_settings
from tests.helpers.keycloak import RunningKeycloak

PASSWORDS = ("alice-password", "bob-password", "wrong-password-7f3a")
FAKE_CODE = "d3adc0de-aaaa-bbbb-cccc-0123456789ab.fake-authorization-code"


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        parts = [record.name, str(record.msg), record.getMessage(), repr(record.args)]
        if record.exc_info and record.exc_info[1] is not None:
            parts += [str(record.exc_info[1]), repr(record.exc_info[1])]
        if record.exc_text:
            parts.append(record.exc_text)
        self.texts.append(" ".join(parts))


@pytest.fixture
def captured() -> Iterator[_Capture]:
    handler = _Capture()
    root = logging.getLogger()
    saved = {
        name: lg.level
        for name, lg in logging.Logger.manager.loggerDict.items()
        if isinstance(lg, logging.Logger)
    }
    root_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in saved:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(root_level)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


def _texts_of(value: Any) -> list[str]:
    texts = [repr(value), str(value)]
    if isinstance(value, BaseException):
        texts += [repr(arg) for arg in value.args]
        if value.__cause__ is not None:
            texts += _texts_of(value.__cause__)
    return texts


def test_no_secret_in_logs_reprs_or_errors(keycloak: RunningKeycloak, captured: _Capture) -> None:
    seen: list[Any] = []  # everything returned or raised
    secrets: set[str] = {EXAMPLE_CLIENT_SECRET, *PASSWORDS, FAKE_CODE}
    logging.getLogger("keycloak_sdk").debug("capture check")  # the handler does see records

    settings = example_settings(keycloak.base_url).with_overrides(
        redirect_uri="http://127.0.0.1:8765/callback"
    )
    with Client(settings) as client:
        seen.append(client)
        service = client.client_credentials()
        alice = client.password_grant("alice", "alice-password")
        refreshed = client.refresh(alice)
        introspection = client.introspect(alice)
        manager = TokenManager(client)
        managed = manager.token()
        rpt = client.rpt(
            client.password_grant("bob", "bob-password"),
            audience="sdk-confidential",
            permissions=[PermissionRequest("documents", ("read",))],
        )
        transaction = client.begin_login()
        seen += [service, alice, refreshed, introspection, manager, managed, rpt, transaction]
        for tokens in (service, alice, refreshed, managed, rpt):
            secrets.update(
                t for t in (tokens.access_token, tokens.refresh_token, tokens.id_token) if t
            )
        secrets.update({transaction.code_verifier, transaction.state, transaction.nonce})
        for failing in (
            lambda: client.password_grant("alice", "wrong-password-7f3a"),
            lambda: client.complete_login(
                transaction, code=FAKE_CODE, state=transaction.state, iss=settings.issuer
            ),
            lambda: client.refresh(alice.access_token),  # an access token is no refresh token
        ):
            with pytest.raises(KeycloakError) as raised:
                failing()
            seen.append(raised.value)

    assert any("capture check" in text for text in captured.texts)
    secrets = {s for s in secrets if len(s) >= 8}
    leaks = [
        (where, secret[:12])
        for where, texts in [("log", captured.texts)]
        + [(type(obj).__name__, _texts_of(obj)) for obj in seen]
        for text in texts
        for secret in secrets
        if secret in text
    ]
    assert not leaks, leaks
    assert len(captured.texts) > 10  # the flows did log (httpx, the SDK), and were checked
