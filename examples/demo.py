"""`make demo`: a tour of keycloak-sdk against a real Keycloak with the test realm.

1. the generated core: discovery and a typed client-credentials token;
2. local token validation with cached keys, and typed claims;
3. the browser login, explained (state, nonce and PKCE S256 are always on);
4. an API protected by the FastAPI integration, called without and with tokens;
5. UMA: a permission ticket from the protected API, exchanged for an RPT;
6. the admin client: a user created with a password and a role, then logged in as.

Users' tokens come from the password grant here only because a demo has no browser; real
apps use the browser login of step 3 (the tests drive Keycloak's real login form for it).
"""

from __future__ import annotations

import textwrap
import uuid
import warnings
from urllib.parse import parse_qs, urlsplit

import httpx
from keycloak_sdk.extensions import Client
from keycloak_sdk.extensions.uma import PermissionRequest

from examples import EXAMPLE_CLIENT_ID, EXAMPLE_CLIENT_SECRET, example_settings, keycloak_base_url
from examples.fastapi_app.app import create_app
from keycloak_sdk import KeycloakClient
from keycloak_sdk.errors import OAuthError

APP_URL = "http://127.0.0.1:8001"


def step(title: str) -> None:
    print(f"\n== {title}")


def show(label: str, value: object) -> None:
    print(f"   {label:<28} {value}")


def core_tour(issuer: str) -> None:
    step("1. The generated core: discovery and a typed token")
    with KeycloakClient.from_issuer(
        issuer, client_id=EXAMPLE_CLIENT_ID, client_secret=EXAMPLE_CLIENT_SECRET
    ) as kc:
        metadata = kc.provider_metadata()
        show("issuer", metadata.issuer)
        show("token endpoint", metadata.token_endpoint)
        show("grant types", len(metadata.grant_types_supported or []))
        token = kc.oidc.token_client_credentials()
        show("client-credentials token", f"{token.token_type}, expires in {token.expires_in}s")
        show("repr hides the token", repr(token)[:60] + "...")


def validation_tour(client: Client, key_fetches: list[str]) -> None:
    step("2. Local validation: signature, iss, aud/azp, exp; keys cached")
    token = client.client_credentials()
    claims = client.validate_access_token(token)
    show("azp", claims.azp)
    show("audience", ", ".join(claims.aud))
    show("client roles", sorted(claims.client_roles(EXAMPLE_CLIENT_ID)))
    client.validate_access_token(client.client_credentials())
    show("JWKS fetches for 2 tokens", len(key_fetches))


def login_tour(client: Client) -> None:
    step("3. Browser login, explained")
    transaction = client.begin_login(redirect_uri=f"{APP_URL}/kc/callback")
    query = parse_qs(urlsplit(transaction.authorization_url).query)
    show("redirect the browser to", transaction.authorization_url.split("?")[0])
    for name in ("response_type", "scope", "code_challenge_method"):
        show(name, query[name][0])
    show("state / nonce / verifier", "random, 256 bits each, kept in the session")
    print(
        textwrap.indent(
            "Keycloak sends the browser back with ?code&state&iss; complete_login() checks\n"
            "state and iss, exchanges the code with the PKCE verifier and validates the ID\n"
            "token (signature, iss, aud, azp, exp, nonce, at_hash) before trusting anyone.",
            "   ",
        )
    )


def api_tour(base_url: str, client: Client) -> None:
    step("4. An API protected by the FastAPI integration (in-process)")
    app = create_app(example_settings(base_url), public_url=APP_URL)
    alice = client.password_grant("alice", "alice-password")
    bob = client.password_grant("bob", "bob-password")
    # Starlette's TestClient serves the ASGI app in-process, the way the integration tests do.
    # Its import warns about its own httpx backend, which is not the demo's concern.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        from starlette.testclient import TestClient

    with TestClient(app, base_url=APP_URL) as api:
        anonymous = api.get("/api/me")
        show(
            "GET /api/me, no token",
            f"{anonymous.status_code} {anonymous.headers.get('www-authenticate')}",
        )
        me = api.get("/api/me", headers={"Authorization": f"Bearer {alice.access_token}"})
        show("GET /api/me as alice", f"{me.status_code} {me.json()}")
        admin = api.get("/api/admin", headers={"Authorization": f"Bearer {alice.access_token}"})
        show("GET /api/admin as alice", admin.status_code)
        admin = api.get("/api/admin", headers={"Authorization": f"Bearer {bob.access_token}"})
        show("GET /api/admin as bob", admin.status_code)

        step("5. UMA: the API answers with a ticket, the client trades it for an RPT")
        denied = api.post("/documents/42", headers={"Authorization": f"Bearer {bob.access_token}"})
        challenge = denied.headers.get("www-authenticate", "")
        show("POST /documents/42 as bob", f"{denied.status_code} {challenge[:48]}...")
        ticket = challenge.split('ticket="')[1].rstrip('"') if 'ticket="' in challenge else None
        if ticket is not None:
            rpt = client.rpt(bob, ticket=ticket)
            claims = client.validate_rpt(rpt)
            show("RPT grants documents#write", claims.has_permission("documents", "write"))
            retry = api.post(
                "/documents/42", headers={"Authorization": f"Bearer {rpt.access_token}"}
            )
            show("POST /documents/42 with RPT", retry.status_code)
    try:
        client.rpt(
            alice,
            permissions=[PermissionRequest("documents", ("write",))],
            audience=EXAMPLE_CLIENT_ID,
        )
    except OAuthError as error:
        show("alice asks documents#write", f"{type(error).__name__} ({error.error})")


def admin_tour(base_url: str, client: Client) -> None:
    step("6. The admin client (generated from Keycloak's admin OpenAPI document)")
    # The harness's server has the bootstrap admin `admin` in the master realm.
    from harness.keycloak import ADMIN_PASSWORD, ADMIN_USER, TEST_REALM
    from keycloak_sdk.admin import KeycloakAdmin
    from keycloak_sdk.admin.models import CredentialRepresentation, UserRepresentation

    username = f"demo-{uuid.uuid4().hex[:6]}"
    with KeycloakAdmin(base_url, username=ADMIN_USER, password=ADMIN_PASSWORD) as admin:
        realm = admin.realm(TEST_REALM)
        user_id = realm.users.create(
            UserRepresentation(
                username=username,
                enabled=True,
                email=f"{username}@example.org",
                email_verified=True,
                first_name="Demo",
                last_name="User",
            )
        )
        assert user_id is not None
        show("user created", f"{username} ({user_id})")
        realm.users.reset_password(
            user_id,
            CredentialRepresentation(type_="password", value="demo-Pass-1", temporary=False),
        )
        role = realm.roles.get("user")
        realm.users.role_mappings.realm.add(user_id, [role])
        show(
            "realm roles",
            sorted(r.name or "" for r in realm.users.role_mappings.realm.list(user_id)),
        )
        show("admin client repr", repr(admin))
        try:
            tokens = client.password_grant(username, "demo-Pass-1")
            claims = client.validate_access_token(tokens.access_token)
            show("logged in as", claims.preferred_username)
            show("role in the token", "user" in claims.realm_roles)
        finally:
            realm.users.delete(user_id)
            show("user deleted", username)


def main() -> None:
    with keycloak_base_url() as base_url:
        settings = example_settings(base_url)
        core_tour(settings.issuer)
        # Count key-set requests on the wire: the second validation must use cached keys.
        key_fetches: list[str] = []

        def count_key_fetches(request: httpx.Request) -> None:
            if request.url.path.endswith("/certs"):
                key_fetches.append(request.url.path)

        http = httpx.Client(timeout=10, event_hooks={"request": [count_key_fetches]})
        with Client(settings, http_client=http) as client:
            validation_tour(client, key_fetches)
            login_tour(client)
            api_tour(base_url, client)
            admin_tour(base_url, client)
        http.close()
    print("\nDone. Keycloak was stopped (unless it was yours, via KEYCLOAK_URL).")


if __name__ == "__main__":
    main()
