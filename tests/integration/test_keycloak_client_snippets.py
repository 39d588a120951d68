"""The keycloak-client package's documented snippets, run against the real server.

Each snippet is keycloak-client's text with only `from keycloak import Client` changed to
`from keycloak_sdk.extensions import Client` (and, in the ticket snippet, its
placeholder resource id and scope names replaced by ones that exist in the test realm).
`Client()` takes no arguments, so the server is configured with KEYCLOAK_* variables.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from keycloak_sdk.extensions import Client

from tests.helpers.keycloak import RunningKeycloak
from tests.keycloak_browser import login_redirect

REDIRECT_URI = "http://localhost:5000/login/callback"

FLASK_SNIPPET = """
#! -*- coding: utf-8 -*-
from flask import Flask, redirect, request, jsonify, session, Response
from keycloak_sdk.extensions import Client


api = Flask(__name__)
api.config['SECRET_KEY'] = 'EYxuFcNqGamVU78Ggfupo05N4z2xokA58XtL0ag'
kc = Client()


@api.route('/login', methods=['GET'])
def login():
    \"\"\" Initiate authentication \"\"\"
    url, state = kc.login()
    session['state'] = state
    return redirect(url)


@api.route('/login/callback', methods=['GET'])
def login_callback():
    \"\"\" Authentication callback handler \"\"\"
    # validate state
    state = request.args.get('state', 'unknown')
    _state = session.pop('state', None)
    if state != _state:
        return Response('Invalid state', status=403)

    # retrieve tokens
    code = request.args.get('code')
    tokens = kc.callback(code)

    # retrieve userinfo
    access_token = tokens["access_token"]
    userinfo = kc.fetch_userinfo(access_token)
    session["user"] = userinfo

    # send userinfo to user
    return jsonify(userinfo)



if __name__ == '__main__':
    api.run(host='0.0.0.0')
"""

PAT_SNIPPET = """
#! -*- coding: utf-8 -*-
from keycloak_sdk.extensions import Client

kc = Client()
kc.pat()
"""

TICKET_SNIPPET = """
#! -*- coding: utf-8 -*-
from keycloak_sdk.extensions import Client

kc = Client()
pat = kc.pat()

resources = [
    {
        "resource_id": "DOCUMENTS_RESOURCE_ID",
        "resource_scopes": ["read"]
    }
]
ticket = kc.find_ticket(resources, pat["access_token"])
"""


@pytest.fixture
def env_configured(keycloak: RunningKeycloak, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYCLOAK_SERVER_URL", keycloak.base_url)
    monkeypatch.setenv("KEYCLOAK_REALM", keycloak.realm)
    monkeypatch.setenv("KEYCLOAK_CLIENT_ID", "sdk-confidential")
    monkeypatch.setenv("KEYCLOAK_CLIENT_SECRET", "sdk-confidential-secret")
    monkeypatch.setenv("KEYCLOAK_REDIRECT_URI", REDIRECT_URI)


def _run(snippet: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "keycloak_client_snippet"}
    exec(compile(snippet, "<keycloak-client snippet>", "exec"), namespace)  # noqa: S102 - our own fixed text
    return namespace


@pytest.mark.usefixtures("env_configured")
def test_flask_login_and_callback_snippet() -> None:
    app = _run(FLASK_SNIPPET)["api"]
    browser_app = app.test_client()
    started = browser_app.get("/login")
    assert started.status_code == 302
    authorization_url = started.headers["Location"]
    query = dict(parse_qsl(urlsplit(authorization_url).query))
    assert query["code_challenge_method"] == "S256"  # keycloak-client's call, now PKCE-protected

    redirect = login_redirect(authorization_url, "alice", "alice-password", REDIRECT_URI)
    callback = browser_app.get(
        "/login/callback", query_string={"code": redirect["code"], "state": redirect["state"]}
    )
    assert callback.status_code == 200, callback.text
    userinfo = json.loads(callback.data)
    assert userinfo["preferred_username"] == "alice"
    assert userinfo["email"] == "alice@example.com"

    # A forged state is refused by the snippet's own check.
    browser_app.get("/login")
    assert browser_app.get("/login/callback?state=forged&code=x").status_code == 403


@pytest.mark.usefixtures("env_configured")
def test_pat_snippet() -> None:
    kc = _run(PAT_SNIPPET)["kc"]
    pat = kc.pat()
    assert pat["access_token"]
    claims = kc.validate_access_token(pat)
    assert "uma_protection" in claims.client_roles("sdk-confidential")


@pytest.mark.usefixtures("env_configured")
def test_permission_ticket_snippet() -> None:
    with Client() as kc:
        ids = kc.list_resources(name="documents")
        documents = next(i for i in ids if kc.get_resource(i).name == "documents")
    namespace = _run(TICKET_SNIPPET.replace("DOCUMENTS_RESOURCE_ID", documents))
    ticket = namespace["ticket"]
    assert isinstance(ticket, str) and ticket
    # The ticket is real: bob can exchange it for an RPT.
    kc = namespace["kc"]
    bob = kc.password_grant("bob", "bob-password")
    assert kc.validate_rpt(kc.rpt(bob, ticket=ticket)).has_permission("documents", "read")


@pytest.mark.usefixtures("env_configured")
def test_keycloak_json_adapter_file(
    keycloak: RunningKeycloak, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("KEYCLOAK_SERVER_URL", "KEYCLOAK_REALM", "KEYCLOAK_CLIENT_ID"):
        monkeypatch.delenv(name)
    monkeypatch.delenv("KEYCLOAK_CLIENT_SECRET")
    (tmp_path / "keycloak.json").write_text(
        json.dumps(
            {
                "realm": keycloak.realm,
                "auth-server-url": keycloak.base_url + "/",
                "ssl-required": "external",
                "resource": "sdk-confidential",
                "credentials": {"secret": "sdk-confidential-secret"},
            }
        )
    )
    monkeypatch.chdir(tmp_path)
    kc = _run(PAT_SNIPPET)["kc"]
    assert kc.settings.client_id == "sdk-confidential"
    assert kc.pat()["access_token"]
