"""Type-level usage of every generated operation; checked by `mypy --strict`, never executed.

If a generated signature or return type changes incompatibly, `make lint` fails here.
"""

from __future__ import annotations

from keycloak_sdk import (
    AsyncKeycloakClient,
    ClientSecretPost,
    EndpointNotAdvertisedError,
    InvalidGrantError,
    KeycloakClient,
    OAuthError,
)
from keycloak_sdk.models import (
    BackchannelAuthenticationResponse,
    ClientInformation,
    ClientMetadata,
    DeviceAuthorizationResponse,
    IntrospectionResponse,
    JsonWebKeySet,
    PermissionTicket,
    PermissionTicketRequest,
    PermissionTicketResponse,
    ProviderMetadata,
    PushedAuthorizationResponse,
    RawResponse,
    Resource,
    TokenResponse,
    UmaDecision,
    UmaPermission,
    UmaPolicy,
    UmaProviderMetadata,
    UserInfoResponse,
)
from keycloak_sdk.types import GrantType, Scope, TokenTypeHint

ISSUER = "http://127.0.0.1:8080/realms/sdk-test"


def sync_usage() -> None:
    with KeycloakClient.from_issuer(
        ISSUER, client_id="app", auth=ClientSecretPost("app", "secret"), timeout=5.0
    ) as kc:
        meta: ProviderMetadata = kc.provider_metadata()
        issuer: str = meta.issuer
        url: str = kc.oidc.authorization_url(
            redirect_uri="http://127.0.0.1/cb",
            scope=["openid", "email"],
            response_type="code",
            response_mode="query",
            prompt=["login", "consent"],
            max_age=60,
            login_hint="alice",
            kc_idp_hint="github",
            acr_values="1",
            ui_locales="en",
            claims={"userinfo": {"email": None}},
            nonce="n",
            state=issuer,
            code_challenge="c",
            code_challenge_method="S256",
            request_uri="urn:x",
        )
        tokens: TokenResponse = kc.oidc.token_authorization_code("code", url, code_verifier="v")
        access: str = tokens.access_token
        raw: object = tokens["access_token"]
        tokens = kc.oidc.token_refresh("rt", scope="openid")
        tokens = kc.oidc.token_client_credentials(scope=["a", "b"])
        tokens = kc.oidc.token_password("alice", "pw", scope="openid")
        tokens = kc.oidc.token_password("alice", "pw", totp="123456")
        tokens = kc.oidc.token_device_code("dc", code_verifier="v")
        tokens = kc.oidc.token_ciba("req")
        tokens = kc.oidc.token_exchange(
            access,
            requested_token_type="urn:ietf:params:oauth:token-type:refresh_token",
            audience="api",
            scope="openid",
        )
        tokens = kc.oidc.token_jwt_bearer("signed.jwt.assertion")
        user: UserInfoResponse = kc.oidc.userinfo(access)
        jwt: str = kc.oidc.userinfo_jwt(access)
        hint: TokenTypeHint = "refresh_token"
        info: IntrospectionResponse = kc.oidc.introspect(access, token_type_hint=hint)
        kc.oidc.revoke(access, token_type_hint="access_token")
        logout_url: str = kc.oidc.end_session_url(
            id_token_hint="id", post_logout_redirect_uri="http://127.0.0.1/", state="s"
        )
        kc.oidc.logout("rt")
        keys: JsonWebKeySet = kc.oidc.jwks()
        cached: RawResponse = kc.oidc.jwks_response()
        max_age: int | None = cached.max_age()
        device: DeviceAuthorizationResponse = kc.oidc.device_authorization(scope="openid")
        pushed: PushedAuthorizationResponse = kc.oidc.pushed_authorization(
            redirect_uri="http://127.0.0.1/cb", state="s"
        )
        ciba: BackchannelAuthenticationResponse = kc.oidc.backchannel_authentication(
            login_hint="alice", binding_message="hi"
        )

        uma_meta: UmaProviderMetadata = kc.uma.metadata()
        rpt: TokenResponse = kc.uma.token(
            access_token=access,
            ticket="t",
            claim_token="c",
            claim_token_format="urn:ietf:params:oauth:token-type:jwt",
            rpt="old",
            permissions=["documents#read"],
            permission_resource_format="uri",
            permission_resource_matching_uri=True,
            audience="rs",
            response_include_resource_name=True,
            response_permissions_limit=5,
            submit_request=False,
        )
        decision: UmaDecision = kc.uma.decision(access_token=access, audience="rs")
        granted: list[UmaPermission] = kc.uma.permissions(permissions=["documents"])
        pat = rpt.access_token
        created: Resource = kc.uma.resource_sets.create(pat, Resource(name="r", uris=["/r"]))
        fetched: Resource = kc.uma.resource_sets.get(pat, "id")
        kc.uma.resource_sets.update(pat, "id", fetched)
        kc.uma.resource_sets.delete(pat, "id")
        found: list[Resource] = kc.uma.resource_sets.list(
            pat,
            name="r",
            uri="/r",
            owner="alice",
            type="t",
            scope="read",
            matching_uri=True,
            exact_name=True,
            first=0,
            max=10,
        )
        ids: list[str] = kc.uma.resource_sets.list_ids(pat, name="r")
        registered: ClientInformation = kc.registration.register(
            ClientMetadata(client_name="app", redirect_uris=[url]), initial_access_token="iat"
        )
        registered = kc.registration.register(ClientMetadata(client_name="anonymous"))
        assert registered.registration_access_token is not None
        registered = kc.registration.get(registered.registration_access_token, registered.client_id)
        registered = kc.registration.update("rat", "id", ClientMetadata(client_id="id"))
        kc.registration.delete("rat", "id")
        ticket: PermissionTicketResponse = kc.uma.permission_tickets.create(
            pat, [PermissionTicketRequest(resource_id="id", resource_scopes=["read"])]
        )
        managed: PermissionTicket = kc.uma.tickets.create(
            pat, PermissionTicket(resource="id", requester_name="bob", scope_name="read")
        )
        kc.uma.tickets.update(pat, managed)
        kc.uma.tickets.delete(pat, "ticket-id")
        tickets: list[PermissionTicket] = kc.uma.tickets.list(
            pat,
            scope_id="s",
            resource_id="r",
            owner="o",
            requester="q",
            granted=True,
            return_names=True,
            first=0,
            max=5,
        )
        policy: UmaPolicy = kc.uma.policies.create(access, "id", UmaPolicy(name="p"))
        kc.uma.policies.update(access, "pid", policy)
        kc.uma.policies.delete(access, "pid")
        policies: list[UmaPolicy] = kc.uma.policies.list(
            access, name="p", resource="r", scope="s", first=0, max=5
        )
        del (raw, user, jwt, info, logout_url, keys, max_age, device, pushed, ciba, uma_meta)
        del (decision, granted, created, found, ids, ticket, tickets, policies)


async def async_usage() -> None:
    try:
        async with AsyncKeycloakClient.from_issuer(
            ISSUER, client_id="app", client_secret="secret"
        ) as kc:
            url: str = kc.oidc.authorization_url(redirect_uri="http://127.0.0.1/cb")
            tokens: TokenResponse = await kc.oidc.token_authorization_code("c", url)
            tokens = await kc.oidc.token_refresh("rt")
            tokens = await kc.oidc.token_client_credentials()
            tokens = await kc.oidc.token_password("alice", "pw")
            tokens = await kc.oidc.token_device_code("dc")
            tokens = await kc.oidc.token_ciba("req")
            tokens = await kc.oidc.token_exchange(tokens.access_token, audience="api")
            tokens = await kc.oidc.token_jwt_bearer("signed.jwt.assertion", scope=["openid"])
            user: UserInfoResponse = await kc.oidc.userinfo(tokens.access_token)
            jwt: str = await kc.oidc.userinfo_jwt(tokens.access_token)
            info: IntrospectionResponse = await kc.oidc.introspect(tokens.access_token)
            await kc.oidc.revoke(tokens.access_token)
            await kc.oidc.logout("rt")
            keys: JsonWebKeySet = await kc.oidc.jwks()
            cached: RawResponse = await kc.oidc.jwks_response()
            device: DeviceAuthorizationResponse = await kc.oidc.device_authorization()
            pushed: PushedAuthorizationResponse = await kc.oidc.pushed_authorization(
                redirect_uri="http://127.0.0.1/cb"
            )
            ciba: BackchannelAuthenticationResponse = await kc.oidc.backchannel_authentication(
                login_hint="alice"
            )
            rpt: TokenResponse = await kc.uma.token(access_token=tokens.access_token, ticket="t")
            decision: UmaDecision = await kc.uma.decision(access_token=rpt.access_token)
            granted: list[UmaPermission] = await kc.uma.permissions(access_token="a")
            pat = rpt.access_token
            created: Resource = await kc.uma.resource_sets.create(pat, Resource(name="r"))
            await kc.uma.resource_sets.update(pat, "id", created)
            fetched: Resource = await kc.uma.resource_sets.get(pat, "id")
            await kc.uma.resource_sets.delete(pat, "id")
            found: list[Resource] = await kc.uma.resource_sets.list(pat, deep_name_is_not_a_param=1)  # type: ignore[call-arg]
            ids: list[str] = await kc.uma.resource_sets.list_ids(pat)
            ticket: PermissionTicketResponse = await kc.uma.permission_tickets.create(
                pat, [PermissionTicketRequest(resource_id="id")]
            )
            managed: PermissionTicket = await kc.uma.tickets.create(pat, PermissionTicket())
            await kc.uma.tickets.update(pat, managed)
            await kc.uma.tickets.delete(pat, "t")
            tickets: list[PermissionTicket] = await kc.uma.tickets.list(pat)
            policy: UmaPolicy = await kc.uma.policies.create("at", "id", UmaPolicy(name="p"))
            await kc.uma.policies.update("at", "pid", policy)
            await kc.uma.policies.delete("at", "pid")
            policies: list[UmaPolicy] = await kc.uma.policies.list("at")
            del (user, jwt, info, keys, cached, device, pushed, ciba, decision, granted)
            del (fetched, found, ids, ticket, tickets, policies)
    except InvalidGrantError as exc:
        code: str = exc.error
        status: int = exc.status_code
        del code, status
    except EndpointNotAdvertisedError as exc:
        key: str = exc.discovery_key
        del key
    except OAuthError as exc:
        description: str | None = exc.error_description
        del description


grant: GrantType = "urn:ietf:params:oauth:grant-type:uma-ticket"
scope: Scope = "openid"
