"""The Flask example application (also served by the integration tests)."""

from __future__ import annotations

import os
import secrets

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from keycloak_sdk.extensions.flask import (
    KeycloakFlask,
    current_identity,
    requires_roles,
    requires_scopes,
)
from keycloak_sdk.extensions.settings import ClientSettings

from examples import API_PATHS, DOCUMENT_PERMISSIONS, ENFORCEMENT_MODE, HOME_PAGE, PUBLIC_PATHS


def create_app(
    settings: ClientSettings, *, public_url: str, secret_key: str | None = None
) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_urlsafe(32),
        KEYCLOAK_SERVER_URL=settings.server_url,
        KEYCLOAK_REALM=settings.realm,
        KEYCLOAK_CLIENT_ID=settings.client_id,
        KEYCLOAK_CLIENT_SECRET=settings.client_secret,
        KEYCLOAK_SCOPES=" ".join(settings.scopes),
        KEYCLOAK_CALLBACK_URL=f"{public_url}/kc/callback",
        KEYCLOAK_PUBLIC_PATHS=PUBLIC_PATHS,
        KEYCLOAK_API_PATHS=API_PATHS,
    )
    KeycloakFlask(app, enforcer_paths=DOCUMENT_PERMISSIONS, enforcement_mode=ENFORCEMENT_MODE)

    @app.get("/")
    def home() -> ResponseReturnValue:
        return HOME_PAGE.format(title="Flask example", csrf="")

    @app.get("/public")
    def public() -> ResponseReturnValue:
        return jsonify(public=True)

    @app.get("/profile")
    def profile() -> ResponseReturnValue:
        user = current_identity()
        assert user is not None  # browser routes only run for logged-in users
        return jsonify(
            user=user.username,
            source=user.source,
            roles=sorted(user.realm_roles),
            worker=os.getpid(),
        )

    @app.get("/api/me")
    def api_me() -> ResponseReturnValue:
        user = current_identity()
        assert user is not None
        return jsonify(user=user.username, sub=user.subject)

    @app.get("/api/admin")
    @requires_roles("admin")
    def api_admin() -> ResponseReturnValue:
        return jsonify(admin=True)

    @app.get("/api/reader")
    @requires_roles("sdk-confidential:reader")
    def api_reader() -> ResponseReturnValue:
        return jsonify(reader=True)

    @app.get("/api/email")
    @requires_scopes("email")
    def api_email() -> ResponseReturnValue:
        user = current_identity()
        return jsonify(email=user.claims.email if user else None)

    @app.get("/api/extra")
    @requires_scopes("sdk-extra")
    def api_extra() -> ResponseReturnValue:
        return jsonify(extra=True)

    @app.route("/documents/<doc_id>", methods=["GET", "POST", "DELETE"])
    def document(doc_id: str) -> ResponseReturnValue:
        return jsonify(document=doc_id)

    return app
