"""`Client` and `AsyncClient`: every flow, with the same names and types, sync and async.

Many clients per process are fine (no global state). `Client()` with no arguments reads
`KEYCLOAK_*` environment variables or a `keycloak.json` adapter file (see `config`); nothing
is fetched until the first call that needs the server.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from keycloak_sdk.extensions import _client_base as base
from keycloak_sdk.extensions._core import (
    AsyncDriver,
    Operation,
    SyncDriver,
    ValidateAccessToken,
    ValidateIdToken,
    ValidateJwt,
)
from keycloak_sdk.extensions._flows import ACCESS_TOKEN_TYPE, Flows
from keycloak_sdk.extensions._two_call import ISSUED_NONCE, TwoCallLogin
from keycloak_sdk.extensions.ciba import CibaRequest
from keycloak_sdk.extensions.jose.jwks import AsyncJwksCache, JwksCache, JwksResponse
from keycloak_sdk.extensions.login import (
    CallbackParams,
    LoginOptions,
    LoginResult,
    LoginTransaction,
)
from keycloak_sdk.extensions.tokens import (
    CibaAuthentication,
    DeviceAuthorization,
    TokenSet,
    UserInfo,
)
from keycloak_sdk.extensions.uma import PermissionCheck, PermissionRequest, TicketPermission
from keycloak_sdk.extensions.validation import AsyncTokenValidator, TokenValidator

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping, Sequence
    from types import TracebackType

    import httpx
    from keycloak_sdk.extensions._flows import RegistrationMetadata
    from keycloak_sdk.extensions.claims import AccessTokenClaims, IdTokenClaims
    from keycloak_sdk.extensions.dpop import DPoPKey
    from keycloak_sdk.extensions.settings import AuthMethod, ClientSettings

    from keycloak_sdk import AsyncKeycloakClient, KeycloakClient
    from keycloak_sdk._clients import Opening
    from keycloak_sdk.auth import ClientAuthentication
    from keycloak_sdk.models import (
        ClientInformation,
        IntrospectionResponse,
        JsonWebKeySet,
        PermissionTicket,
        ProviderMetadata,
        Resource,
        UmaDecision,
        UmaPermission,
        UmaPolicy,
    )

__all__ = ["AsyncClient", "Client"]


def _options(
    prompt: str | None,
    login_hint: str | None,
    kc_idp_hint: str | None,
    acr_values: str | None,
    max_age: int | None,
    scopes: Sequence[str],
    offline_access: bool,
) -> LoginOptions:
    return LoginOptions(
        prompt=prompt,
        login_hint=login_hint,
        kc_idp_hint=kc_idp_hint,
        acr_values=acr_values,
        max_age=max_age,
        scopes=tuple(scopes),
        offline_access=offline_access,
    )


def _callback(
    query: Mapping[str, str] | None, code: str | None, state: str | None, iss: str | None
) -> CallbackParams:
    if query is not None:
        return CallbackParams.from_query(query)
    return CallbackParams(code=code, state=state, iss=iss)


def _access(token: str | TokenSet) -> str:
    return token.access_token if isinstance(token, TokenSet) else token


def _claims_of(token: str | TokenSet) -> IdTokenClaims | None:
    return token.id_token_claims if isinstance(token, TokenSet) else None


def _refresh_token(token: str | TokenSet) -> str:
    if isinstance(token, str):
        return token
    if token.refresh_token is None:
        raise ValueError("this token set has no refresh token")
    return token.refresh_token


def _previous(token: str | TokenSet) -> TokenSet | None:
    return token if isinstance(token, TokenSet) else None


def _revocable(token: str | TokenSet, hint: str | None) -> tuple[str, str | None]:
    if isinstance(token, str):
        return token, hint
    if token.refresh_token is not None:
        return token.refresh_token, "refresh_token"
    return token.access_token, "access_token"


def _id_token(token: str | TokenSet | None) -> str | None:
    return token.id_token if isinstance(token, TokenSet) else token


def _expected_nonce(two_call: TwoCallLogin, op: ValidateIdToken) -> tuple[str | None, int | None]:
    if op.nonce == ISSUED_NONCE:  # callback(code): the nonce is whichever login() issued
        return two_call.verify_nonce(op.id_token)
    return op.nonce, op.max_age


class Client:
    """A Keycloak OIDC/UMA client for one realm and one client id."""

    def __init__(
        self,
        settings: ClientSettings | None = None,
        *,
        server_url: str | None = None,
        realm: str | None = None,
        issuer: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        redirect_uri: str | None = None,
        post_logout_redirect_uri: str | None = None,
        scopes: Sequence[str] | None = None,
        auth_method: AuthMethod | None = None,
        private_key_file: str | None = None,
        private_key_id: str | None = None,
        timeout: float | None = None,
        settings_file: str | os.PathLike[str] | None = None,
        auth: ClientAuthentication | None = None,
        http_client: httpx.Client | None = None,
        dpop: DPoPKey | bool = False,
    ) -> None:
        self.settings = base.resolve_settings(
            settings,
            settings_file,
            {
                "server_url": server_url,
                "realm": realm,
                "issuer": issuer,
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uri": redirect_uri,
                "post_logout_redirect_uri": post_logout_redirect_uri,
                "scopes": None if scopes is None else tuple(scopes),
                "auth_method": auth_method,
                "private_key_file": private_key_file,
                "private_key_id": private_key_id,
                "timeout": timeout,
            },
        )
        self.dpop_key = base.dpop_key(dpop, http_client)
        self._owned_http: httpx.Client | None = None
        if self.dpop_key is not None and http_client is None:
            # Only a DPoP client owns its HTTP client; importing httpx waits until then.
            import httpx
            from keycloak_sdk.extensions.dpop_client import DPoPTransport

            http_client = self._owned_http = httpx.Client(
                transport=DPoPTransport(self.dpop_key), timeout=self.settings.timeout
            )
        self._flows = Flows(self.settings, dpop=self.dpop_key is not None)
        self._two_call = TwoCallLogin(self.settings)
        auth = auth if auth is not None else base.auth_for(self.settings)
        self._jwks = JwksCache(
            self._fetch_jwks,
            refetch_cooldown=self.settings.jwks_refetch_cooldown,
            max_stale=self.settings.jwks_max_stale,
        )
        self._validator = TokenValidator(
            issuer=self.settings.issuer,
            client_id=self.settings.client_id,
            jwks=self._jwks,
            audience=self.settings.token_audience or None,
            accept_azp_as_audience=self.settings.accept_azp_as_audience,
        )
        self._driver = SyncDriver(
            auth=auth,
            issuer=self.settings.issuer,
            timeout=self.settings.timeout,
            http_client=http_client,
            validate=self._validate,
        )

    @classmethod
    def from_issuer(
        cls,
        issuer: str,
        *,
        client_id: str,
        client_secret: str | None = None,
        auth: ClientAuthentication | None = None,
        timeout: float | None = None,
        http_client: httpx.Client | None = None,
    ) -> Client:
        """Discover the issuer and build a client on it, as `KeycloakClient.from_issuer`.

        The discovery document is fetched (and its issuer checked) now; other settings are the
        constructor's. Use it in `with Client.from_issuer(...) as client:`.
        """
        client = cls(
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret,
            auth=auth,
            timeout=timeout,
            http_client=http_client,
        )
        try:
            client.provider_metadata()
        except BaseException:
            client.close()
            raise
        return client

    @property
    def issuer(self) -> str:
        """The realm's issuer URL, as the core clients' `issuer`."""
        return self.settings.issuer

    @property
    def client_id(self) -> str:
        """The OAuth client this client authenticates as, as the core clients' `client_id`."""
        return self.settings.client_id

    def __repr__(self) -> str:
        return f"Client(issuer={self.settings.issuer!r}, client_id={self.settings.client_id!r})"

    def _fetch_jwks(self) -> JwksResponse:
        return base.jwks_response(self._driver.core().oidc.jwks_response())

    def _validate(self, op: Operation) -> Any:
        if isinstance(op, ValidateIdToken):
            nonce, max_age = _expected_nonce(self._two_call, op)
            return self._validator.validate_id_token(
                op.id_token,
                nonce=nonce,
                access_token=op.access_token,
                max_age=max_age,
                refreshed=op.refreshed,
                original_nonce=op.original_nonce,
            )
        if isinstance(op, ValidateAccessToken):
            return self._validator.validate_access_token(op.token)
        assert isinstance(op, ValidateJwt)
        jws = base.parse_signed_response(op)
        key = self._jwks.get_key(jws.kid, jws.alg)
        return base.signed_response_claims(op, jws, key, self.provider_metadata())

    def close(self) -> None:
        self._driver.close()
        if self._owned_http is not None:
            self._owned_http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def provider_metadata(self) -> ProviderMetadata:
        """The server's OIDC discovery document (fetched once, on first use).

        The same name as `KeycloakClient.provider_metadata()` of the core client.
        """
        return self._driver.run(self._flows.metadata())

    def metadata(self) -> ProviderMetadata:
        """Deprecated: call `provider_metadata()`, the name the core clients use too."""
        warnings.warn(
            "Client.metadata() is deprecated; use Client.provider_metadata()",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.provider_metadata()

    def core(self) -> KeycloakClient:
        """The generated `KeycloakClient` this client is layered on (made on first use)."""
        return self._driver.core()

    def login(
        self,
        *,
        redirect_uri: str | None = None,
        prompt: str | None = None,
        login_hint: str | None = None,
        kc_idp_hint: str | None = None,
        acr_values: str | None = None,
        max_age: int | None = None,
        scopes: Sequence[str] = (),
        offline_access: bool = False,
        par: bool = False,
    ) -> tuple[str, str]:
        """keycloak-client's form: `(authorization_url, state)`; keep `state` in the user's
        session and compare it before `callback(code)`.

        Nothing is kept on this client: any number of users may log in at once, abandoned
        logins cost nothing, and with a client secret the callback may reach another worker.
        `begin_login`/`complete_login` protect more (see `_two_call`).
        """
        options = _options(
            prompt, login_hint, kc_idp_hint, acr_values, max_age, scopes, offline_access
        )
        transaction = self._driver.run(
            self._two_call.begin(self._flows.metadata(), redirect_uri, options, par)
        )
        return transaction.authorization_url, transaction.state

    def begin_login(
        self,
        *,
        redirect_uri: str | None = None,
        prompt: str | None = None,
        login_hint: str | None = None,
        kc_idp_hint: str | None = None,
        acr_values: str | None = None,
        max_age: int | None = None,
        scopes: Sequence[str] = (),
        offline_access: bool = False,
        par: bool = False,
    ) -> LoginTransaction:
        """Start a browser login; store the returned transaction (`to_dict()`) and redirect to
        `.authorization_url`.
        """
        return self._driver.run(
            self._flows.begin_login(
                redirect_uri,
                _options(
                    prompt, login_hint, kc_idp_hint, acr_values, max_age, scopes, offline_access
                ),
                par,
            )
        )

    def complete_login(
        self,
        transaction: LoginTransaction,
        query: Mapping[str, str] | None = None,
        *,
        code: str | None = None,
        state: str | None = None,
        iss: str | None = None,
    ) -> LoginResult:
        """Verify the redirect (state, RFC 9207 iss), exchange the code with PKCE and validate the
        ID token.
        """
        return self._driver.run(
            self._flows.complete_login(transaction, _callback(query, code, state, iss))
        )

    def callback(self, code: str, *, redirect_uri: str | None = None) -> TokenSet:
        """keycloak-client's form: completes a login started by `login()` (by any user, in
        any worker sharing the client secret) after the app compared `state`.

        The ID token's nonce must be one this client's `login()` issued in the last 10
        minutes, once; `redirect_uri` is needed only when `login()` was given another one.
        """
        transaction = self._two_call.callback_transaction(redirect_uri)
        params = CallbackParams(code=code, state=transaction.state)
        result = self._driver.run(self._flows.complete_login(transaction, params, check_iss=False))
        return result.tokens

    def fetch_userinfo(
        self, access_token: str | TokenSet, *, id_token_claims: IdTokenClaims | None = None
    ) -> UserInfo:
        """UserInfo; checks `sub` against the ID token and verifies signed (`application/jwt`)
        responses.
        """
        return self._driver.run(
            self._flows.fetch_userinfo(
                _access(access_token),
                id_token_claims if id_token_claims is not None else _claims_of(access_token),
            )
        )

    def refresh(
        self,
        refresh_token: str | TokenSet,
        *,
        previous: TokenSet | None = None,
        scope: str | None = None,
    ) -> TokenSet:
        """Refresh grant; a new ID token must keep iss/sub/aud of `previous`."""
        return self._driver.run(
            self._flows.refresh(
                _refresh_token(refresh_token),
                previous if previous is not None else _previous(refresh_token),
                scope,
            )
        )

    def revoke(self, token: str | TokenSet, *, token_type_hint: str | None = None) -> None:
        """Revoke a token (RFC 7009); a TokenSet revokes its refresh token."""
        return self._driver.run(self._flows.revoke(*_revocable(token, token_type_hint)))

    def introspect(
        self, token: str | TokenSet, *, token_type_hint: str | None = None
    ) -> IntrospectionResponse:
        """Introspect a token (RFC 7662)."""
        return self._driver.run(self._flows.introspect(_access(token), token_type_hint))

    def logout_url(
        self,
        *,
        id_token_hint: str | TokenSet | None = None,
        post_logout_redirect_uri: str | None = None,
        state: str | None = None,
    ) -> str:
        """RP-initiated logout URL (OIDC RP-Initiated Logout 1.0)."""
        return self._driver.run(
            self._flows.logout_url(_id_token(id_token_hint), post_logout_redirect_uri, state)
        )

    def register_client(
        self, metadata: RegistrationMetadata, *, initial_access_token: str | None = None
    ) -> ClientInformation:
        """Register a new client (RFC 7591) with an initial access token, or anonymously where
        the realm's policies allow. Keep the answer's `registration_access_token`: it reads,
        updates and deletes the client (`core.registration.get/delete`).
        """
        return self._driver.run(self._flows.register_client(metadata, initial_access_token))

    def update_client(
        self, registration_access_token: str, client_id: str, metadata: RegistrationMetadata
    ) -> ClientInformation:
        """Replace a registered client's metadata (RFC 7592 §2.2). `metadata` may be the
        `ClientInformation` read before, changed: `client_id` is filled in and server-issued
        fields are left out. Keep the new `registration_access_token` of the answer.
        """
        return self._driver.run(
            self._flows.update_client(registration_access_token, client_id, metadata)
        )

    def logout(self, refresh_token: str | TokenSet) -> None:
        """Back-channel logout: ends the user's session with its refresh token."""
        return self._driver.run(self._flows.logout(_refresh_token(refresh_token)))

    def client_credentials(
        self, *, scope: str | None = None, audience: str | None = None
    ) -> TokenSet:
        """Client credentials grant (a service-account token)."""
        return self._driver.run(self._flows.client_credentials(scope, audience))

    def password_grant(
        self, username: str, password: str, *, scope: str | None = None, totp: str | None = None
    ) -> TokenSet:
        """Resource owner password grant. Legacy: removed in OAuth 2.1; prefer the browser or
        device flow. `totp`: the user's current one-time code, for a user with OTP configured.
        """
        return self._driver.run(self._flows.password_grant(username, password, scope, totp))

    def start_device_flow(self, *, scope: str | None = None) -> DeviceAuthorization:
        """Device authorization request (RFC 8628); show `user_code` / `verification_uri` to the
        user.
        """
        return self._driver.run(self._flows.start_device_flow(scope))

    def poll_device_flow(
        self, authorization: DeviceAuthorization, *, max_wait: float | None = None
    ) -> TokenSet:
        """Poll until approved, honouring `interval` and `slow_down`; typed errors on
        expiry/denial.
        """
        return self._driver.run(self._flows.poll_device_flow(authorization, max_wait))

    def start_ciba(
        self,
        login_hint: str,
        *,
        scope: str = "openid",
        binding_message: str | None = None,
        acr_values: str | None = None,
        requested_expiry: int | None = None,
    ) -> CibaAuthentication:
        """CIBA backchannel authentication request (poll mode)."""
        return self._driver.run(
            self._flows.start_ciba(
                CibaRequest(login_hint, scope, binding_message, acr_values, requested_expiry)
            )
        )

    def poll_ciba(
        self, authentication: CibaAuthentication, *, max_wait: float | None = None
    ) -> TokenSet:
        """Poll the token endpoint until the CIBA request is approved."""
        return self._driver.run(self._flows.poll_ciba(authentication, max_wait))

    def exchange_token(
        self,
        subject_token: str | TokenSet,
        *,
        audience: str | None = None,
        scope: str | None = None,
        requested_token_type: str | None = None,
        subject_token_type: str = ACCESS_TOKEN_TYPE,
    ) -> TokenSet:
        """Standard token exchange (RFC 8693, Keycloak V2); unused parameters are omitted."""
        return self._driver.run(
            self._flows.exchange_token(
                _access(subject_token), audience, scope, requested_token_type, subject_token_type
            )
        )

    def validate_access_token(
        self,
        token: str | TokenSet,
        *,
        audience: str | Sequence[str] | None = None,
        required_scopes: Sequence[str] = (),
    ) -> AccessTokenClaims:
        """Validate an access token: signature, iss, typ, exp/iat/nbf, audience and scopes.

        `audience` (else the configured `audience`) must be in the token's `aud`; without
        one, the token must be addressed to or issued for this client (docs/token-validation.md).
        """
        return self._validator.validate_access_token(
            _access(token), audience=audience, required_scopes=required_scopes
        )

    def pat(self) -> TokenSet:
        """Protection API token (client credentials of a client with `uma_protection`)."""
        return self._driver.run(self._flows.pat())

    def find_ticket(self, resources: Sequence[Mapping[str, Any]], pat: str | TokenSet) -> str:
        """keycloak-client compatible permission ticket request: `[{"resource_id": ...,
        "resource_scopes": [...]}]`.
        """
        return self._driver.run(
            self._flows.ticket([TicketPermission.from_dict(r) for r in resources], pat)
        )

    def ticket_by_name(
        self, resources: Mapping[str, Sequence[str]], *, pat: str | TokenSet | None = None
    ) -> str:
        """A permission ticket for resources given by name: `{"documents": ["read"]}`."""
        return self._driver.run(self._flows.ticket_by_name(resources, pat))

    def ticket(
        self, permissions: Sequence[TicketPermission], *, pat: str | TokenSet | None = None
    ) -> str:
        """A permission ticket for the resources/scopes (PAT fetched and cached when not given)."""
        return self._driver.run(self._flows.ticket(permissions, pat))

    def rpt(
        self,
        access_token: str | TokenSet,
        *,
        ticket: str | None = None,
        audience: str | None = None,
        permissions: Sequence[PermissionRequest] = (),
        rpt: str | TokenSet | None = None,
        claim_token: str | None = None,
        claim_token_format: str | None = None,
        submit_request: bool = False,
    ) -> TokenSet:
        """An RPT from a ticket or for an audience; `rpt=` upgrades an existing RPT."""
        return self._driver.run(
            self._flows.rpt_tokens(
                access_token=access_token,
                ticket=ticket,
                audience=audience,
                permissions=permissions,
                rpt=rpt,
                claim_token=claim_token,
                claim_token_format=claim_token_format,
                submit_request=submit_request,
            )
        )

    def decision(
        self,
        access_token: str | TokenSet,
        *,
        audience: str,
        permissions: Sequence[PermissionRequest] = (),
        claim_token: str | None = None,
        claim_token_format: str | None = None,
    ) -> UmaDecision:
        """`response_mode=decision`: whether every requested permission is granted."""
        return self._driver.run(
            self._flows.decision(
                access_token=access_token,
                ticket=None,
                audience=audience,
                permissions=permissions,
                rpt=None,
                claim_token=claim_token,
                claim_token_format=claim_token_format,
                submit_request=False,
            )
        )

    def permissions(
        self,
        access_token: str | TokenSet,
        *,
        audience: str,
        permissions: Sequence[PermissionRequest] = (),
        claim_token: str | None = None,
        claim_token_format: str | None = None,
    ) -> list[UmaPermission]:
        """`response_mode=permissions`: the granted permissions, without issuing an RPT."""
        return self._driver.run(
            self._flows.permissions(
                access_token=access_token,
                ticket=None,
                audience=audience,
                permissions=permissions,
                rpt=None,
                claim_token=claim_token,
                claim_token_format=claim_token_format,
                submit_request=False,
            )
        )

    def validate_rpt(self, rpt: str | TokenSet) -> AccessTokenClaims:
        """Validate an RPT locally; the claims answer `has_permission(resource, scope)`."""
        return self._driver.run(self._flows.validate_rpt(rpt))

    def introspect_rpt(self, rpt: str | TokenSet) -> IntrospectionResponse:
        """Introspect an RPT (its `permissions` are included)."""
        return self._driver.run(self._flows.introspect_rpt(rpt))

    def create_resource(self, resource: Resource, *, pat: str | TokenSet | None = None) -> Resource:
        """Register a resource (UMA resource registration)."""
        return self._driver.run(self._flows.create_resource(resource, pat))

    def get_resource(self, resource_id: str, *, pat: str | TokenSet | None = None) -> Resource:
        """Read a registered resource."""
        return self._driver.run(self._flows.get_resource(resource_id, pat))

    def update_resource(self, resource: Resource, *, pat: str | TokenSet | None = None) -> None:
        """Replace a registered resource (its `id` must be set)."""
        return self._driver.run(self._flows.update_resource(resource, pat))

    def delete_resource(self, resource_id: str, *, pat: str | TokenSet | None = None) -> None:
        """Delete a registered resource."""
        return self._driver.run(self._flows.delete_resource(resource_id, pat))

    def list_resources(
        self,
        *,
        pat: str | TokenSet | None = None,
        name: str | None = None,
        uri: str | None = None,
        owner: str | None = None,
        type: str | None = None,
        scope: str | None = None,
        first: int | None = None,
        max: int | None = None,
    ) -> list[str]:
        """Ids of the registered resources matching the filters; `first`/`max` page them."""
        return self._driver.run(
            self._flows.list_resources(
                pat,
                name=name,
                uri=uri,
                owner=owner,
                type=type,
                scope=scope,
                first=first,
                max=max,
            )
        )

    def check_permissions(
        self,
        access_token: str | TokenSet,
        *,
        audience: str,
        permissions: Sequence[PermissionRequest],
        claim_token: str | None = None,
        claim_token_format: str | None = None,
    ) -> PermissionCheck:
        """A UMA decision that reports what is missing: `.allowed`, `.granted`, `.missing`."""
        return self._driver.run(
            self._flows.check_permissions(
                permissions,
                access_token=access_token,
                ticket=None,
                audience=audience,
                rpt=None,
                claim_token=claim_token,
                claim_token_format=claim_token_format,
                submit_request=False,
            )
        )

    def realm_keys(self) -> JsonWebKeySet:
        """The realm's public keys (its JWKS), as published at `jwks_uri`."""
        return self._driver.run(self._flows.realm_keys())

    def create_permission_ticket(
        self, ticket: PermissionTicket, *, pat: str | TokenSet | None = None
    ) -> PermissionTicket:
        """Grant a requester access to a resource scope (Keycloak protection API)."""
        return self._driver.run(self._flows.create_permission_ticket(ticket, pat))

    def list_permission_tickets(
        self,
        *,
        pat: str | TokenSet | None = None,
        resource_id: str | None = None,
        scope_id: str | None = None,
        owner: str | None = None,
        requester: str | None = None,
        granted: bool | None = None,
        return_names: bool | None = None,
    ) -> list[PermissionTicket]:
        """Permission tickets matching the filters."""
        return self._driver.run(
            self._flows.list_permission_tickets(
                pat,
                resource_id=resource_id,
                scope_id=scope_id,
                owner=owner,
                requester=requester,
                granted=granted,
                return_names=return_names,
            )
        )

    def update_permission_ticket(
        self, ticket: PermissionTicket, *, pat: str | TokenSet | None = None
    ) -> None:
        """Update a permission ticket (e.g. set `granted`)."""
        return self._driver.run(self._flows.update_permission_ticket(ticket, pat))

    def delete_permission_ticket(
        self, ticket_id: str, *, pat: str | TokenSet | None = None
    ) -> None:
        """Delete a permission ticket."""
        return self._driver.run(self._flows.delete_permission_ticket(ticket_id, pat))

    def create_uma_policy(
        self, resource_id: str, policy: UmaPolicy, *, pat: str | TokenSet | None = None
    ) -> UmaPolicy:
        """Create a user-managed permission on a resource."""
        return self._driver.run(self._flows.create_uma_policy(resource_id, policy, pat))

    def list_uma_policies(
        self,
        *,
        pat: str | TokenSet | None = None,
        name: str | None = None,
        resource: str | None = None,
        scope: str | None = None,
    ) -> list[UmaPolicy]:
        """User-managed permissions matching the filters."""
        return self._driver.run(
            self._flows.list_uma_policies(pat, name=name, resource=resource, scope=scope)
        )

    def update_uma_policy(self, policy: UmaPolicy, *, pat: str | TokenSet | None = None) -> None:
        """Update a user-managed permission (its `id` must be set)."""
        return self._driver.run(self._flows.update_uma_policy(policy, pat))

    def delete_uma_policy(self, policy_id: str, *, pat: str | TokenSet | None = None) -> None:
        """Delete a user-managed permission."""
        return self._driver.run(self._flows.delete_uma_policy(policy_id, pat))


class AsyncClient:
    """The asyncio twin of `Client`: same methods and types, awaited."""

    def __init__(
        self,
        settings: ClientSettings | None = None,
        *,
        server_url: str | None = None,
        realm: str | None = None,
        issuer: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        redirect_uri: str | None = None,
        post_logout_redirect_uri: str | None = None,
        scopes: Sequence[str] | None = None,
        auth_method: AuthMethod | None = None,
        private_key_file: str | None = None,
        private_key_id: str | None = None,
        timeout: float | None = None,
        settings_file: str | os.PathLike[str] | None = None,
        auth: ClientAuthentication | None = None,
        http_client: httpx.AsyncClient | None = None,
        dpop: DPoPKey | bool = False,
    ) -> None:
        self.settings = base.resolve_settings(
            settings,
            settings_file,
            {
                "server_url": server_url,
                "realm": realm,
                "issuer": issuer,
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uri": redirect_uri,
                "post_logout_redirect_uri": post_logout_redirect_uri,
                "scopes": None if scopes is None else tuple(scopes),
                "auth_method": auth_method,
                "private_key_file": private_key_file,
                "private_key_id": private_key_id,
                "timeout": timeout,
            },
        )
        self.dpop_key = base.dpop_key(dpop, http_client)
        self._owned_http: httpx.AsyncClient | None = None
        if self.dpop_key is not None and http_client is None:
            # Only a DPoP client owns its HTTP client; importing httpx waits until then.
            import httpx
            from keycloak_sdk.extensions.dpop_client import AsyncDPoPTransport

            http_client = self._owned_http = httpx.AsyncClient(
                transport=AsyncDPoPTransport(self.dpop_key), timeout=self.settings.timeout
            )
        self._flows = Flows(self.settings, dpop=self.dpop_key is not None)
        self._two_call = TwoCallLogin(self.settings)
        auth = auth if auth is not None else base.auth_for(self.settings)
        self._jwks = AsyncJwksCache(
            self._fetch_jwks,
            refetch_cooldown=self.settings.jwks_refetch_cooldown,
            max_stale=self.settings.jwks_max_stale,
        )
        self._validator = AsyncTokenValidator(
            issuer=self.settings.issuer,
            client_id=self.settings.client_id,
            jwks=self._jwks,
            audience=self.settings.token_audience or None,
            accept_azp_as_audience=self.settings.accept_azp_as_audience,
        )
        self._driver = AsyncDriver(
            auth=auth,
            issuer=self.settings.issuer,
            timeout=self.settings.timeout,
            http_client=http_client,
            validate=self._validate,
        )

    @classmethod
    def from_issuer(
        cls,
        issuer: str,
        *,
        client_id: str,
        client_secret: str | None = None,
        auth: ClientAuthentication | None = None,
        timeout: float | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> Opening[AsyncClient]:
        """Discover the issuer and build a client on it, as `AsyncKeycloakClient.from_issuer`.

        Use it as `async with AsyncClient.from_issuer(...) as client:` (closed at the end of
        the block) or `client = await AsyncClient.from_issuer(...)`.
        """
        from keycloak_sdk._clients import Opening

        async def open_client() -> AsyncClient:
            client = cls(
                issuer=issuer,
                client_id=client_id,
                client_secret=client_secret,
                auth=auth,
                timeout=timeout,
                http_client=http_client,
            )
            try:
                await client.provider_metadata()
            except BaseException:
                await client.aclose()
                raise
            return client

        return Opening(open_client())

    @property
    def issuer(self) -> str:
        """The realm's issuer URL, as the core clients' `issuer`."""
        return self.settings.issuer

    @property
    def client_id(self) -> str:
        """The OAuth client this client authenticates as, as the core clients' `client_id`."""
        return self.settings.client_id

    def __repr__(self) -> str:
        return (
            f"AsyncClient(issuer={self.settings.issuer!r}, client_id={self.settings.client_id!r})"
        )

    async def _fetch_jwks(self) -> JwksResponse:
        return base.jwks_response(await (await self._driver.core()).oidc.jwks_response())

    async def _validate(self, op: Operation) -> Any:
        if isinstance(op, ValidateIdToken):
            nonce, max_age = _expected_nonce(self._two_call, op)
            return await self._validator.validate_id_token(
                op.id_token,
                nonce=nonce,
                access_token=op.access_token,
                max_age=max_age,
                refreshed=op.refreshed,
                original_nonce=op.original_nonce,
            )
        if isinstance(op, ValidateAccessToken):
            return await self._validator.validate_access_token(op.token)
        assert isinstance(op, ValidateJwt)
        jws = base.parse_signed_response(op)
        key = await self._jwks.get_key(jws.kid, jws.alg)
        return base.signed_response_claims(op, jws, key, await self.provider_metadata())

    async def aclose(self) -> None:
        await self._driver.aclose()
        if self._owned_http is not None:
            await self._owned_http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def provider_metadata(self) -> ProviderMetadata:
        """The server's OIDC discovery document (fetched once, on first use).

        The same name as `AsyncKeycloakClient.provider_metadata()` of the core client.
        """
        return await self._driver.run(self._flows.metadata())

    async def metadata(self) -> ProviderMetadata:
        """Deprecated: call `provider_metadata()`, the name the core clients use too."""
        warnings.warn(
            "AsyncClient.metadata() is deprecated; use AsyncClient.provider_metadata()",
            DeprecationWarning,
            stacklevel=2,
        )
        return await self.provider_metadata()

    async def core(self) -> AsyncKeycloakClient:
        """The generated `AsyncKeycloakClient` this client is layered on (made on first use)."""
        return await self._driver.core()

    async def login(
        self,
        *,
        redirect_uri: str | None = None,
        prompt: str | None = None,
        login_hint: str | None = None,
        kc_idp_hint: str | None = None,
        acr_values: str | None = None,
        max_age: int | None = None,
        scopes: Sequence[str] = (),
        offline_access: bool = False,
        par: bool = False,
    ) -> tuple[str, str]:
        """keycloak-client's form: `(authorization_url, state)`; keep `state` in the user's
        session and compare it before `callback(code)`.

        Nothing is kept on this client: any number of users may log in at once, abandoned
        logins cost nothing, and with a client secret the callback may reach another worker.
        `begin_login`/`complete_login` protect more (see `_two_call`).
        """
        options = _options(
            prompt, login_hint, kc_idp_hint, acr_values, max_age, scopes, offline_access
        )
        transaction = await self._driver.run(
            self._two_call.begin(self._flows.metadata(), redirect_uri, options, par)
        )
        return transaction.authorization_url, transaction.state

    async def begin_login(
        self,
        *,
        redirect_uri: str | None = None,
        prompt: str | None = None,
        login_hint: str | None = None,
        kc_idp_hint: str | None = None,
        acr_values: str | None = None,
        max_age: int | None = None,
        scopes: Sequence[str] = (),
        offline_access: bool = False,
        par: bool = False,
    ) -> LoginTransaction:
        """Start a browser login; store the returned transaction (`to_dict()`) and redirect to
        `.authorization_url`.
        """
        return await self._driver.run(
            self._flows.begin_login(
                redirect_uri,
                _options(
                    prompt, login_hint, kc_idp_hint, acr_values, max_age, scopes, offline_access
                ),
                par,
            )
        )

    async def complete_login(
        self,
        transaction: LoginTransaction,
        query: Mapping[str, str] | None = None,
        *,
        code: str | None = None,
        state: str | None = None,
        iss: str | None = None,
    ) -> LoginResult:
        """Verify the redirect (state, RFC 9207 iss), exchange the code with PKCE and validate the
        ID token.
        """
        return await self._driver.run(
            self._flows.complete_login(transaction, _callback(query, code, state, iss))
        )

    async def callback(self, code: str, *, redirect_uri: str | None = None) -> TokenSet:
        """keycloak-client's form: completes a login started by `login()` (by any user, in
        any worker sharing the client secret) after the app compared `state`.

        The ID token's nonce must be one this client's `login()` issued in the last 10
        minutes, once; `redirect_uri` is needed only when `login()` was given another one.
        """
        transaction = self._two_call.callback_transaction(redirect_uri)
        params = CallbackParams(code=code, state=transaction.state)
        result = await self._driver.run(
            self._flows.complete_login(transaction, params, check_iss=False)
        )
        return result.tokens

    async def fetch_userinfo(
        self, access_token: str | TokenSet, *, id_token_claims: IdTokenClaims | None = None
    ) -> UserInfo:
        """UserInfo; checks `sub` against the ID token and verifies signed (`application/jwt`)
        responses.
        """
        return await self._driver.run(
            self._flows.fetch_userinfo(
                _access(access_token),
                id_token_claims if id_token_claims is not None else _claims_of(access_token),
            )
        )

    async def refresh(
        self,
        refresh_token: str | TokenSet,
        *,
        previous: TokenSet | None = None,
        scope: str | None = None,
    ) -> TokenSet:
        """Refresh grant; a new ID token must keep iss/sub/aud of `previous`."""
        return await self._driver.run(
            self._flows.refresh(
                _refresh_token(refresh_token),
                previous if previous is not None else _previous(refresh_token),
                scope,
            )
        )

    async def revoke(self, token: str | TokenSet, *, token_type_hint: str | None = None) -> None:
        """Revoke a token (RFC 7009); a TokenSet revokes its refresh token."""
        return await self._driver.run(self._flows.revoke(*_revocable(token, token_type_hint)))

    async def introspect(
        self, token: str | TokenSet, *, token_type_hint: str | None = None
    ) -> IntrospectionResponse:
        """Introspect a token (RFC 7662)."""
        return await self._driver.run(self._flows.introspect(_access(token), token_type_hint))

    async def logout_url(
        self,
        *,
        id_token_hint: str | TokenSet | None = None,
        post_logout_redirect_uri: str | None = None,
        state: str | None = None,
    ) -> str:
        """RP-initiated logout URL (OIDC RP-Initiated Logout 1.0)."""
        return await self._driver.run(
            self._flows.logout_url(_id_token(id_token_hint), post_logout_redirect_uri, state)
        )

    async def register_client(
        self, metadata: RegistrationMetadata, *, initial_access_token: str | None = None
    ) -> ClientInformation:
        """Register a new client (RFC 7591) with an initial access token, or anonymously where
        the realm's policies allow. Keep the answer's `registration_access_token`: it reads,
        updates and deletes the client (`core.registration.get/delete`).
        """
        return await self._driver.run(self._flows.register_client(metadata, initial_access_token))

    async def update_client(
        self, registration_access_token: str, client_id: str, metadata: RegistrationMetadata
    ) -> ClientInformation:
        """Replace a registered client's metadata (RFC 7592 §2.2). `metadata` may be the
        `ClientInformation` read before, changed: `client_id` is filled in and server-issued
        fields are left out. Keep the new `registration_access_token` of the answer.
        """
        return await self._driver.run(
            self._flows.update_client(registration_access_token, client_id, metadata)
        )

    async def logout(self, refresh_token: str | TokenSet) -> None:
        """Back-channel logout: ends the user's session with its refresh token."""
        return await self._driver.run(self._flows.logout(_refresh_token(refresh_token)))

    async def client_credentials(
        self, *, scope: str | None = None, audience: str | None = None
    ) -> TokenSet:
        """Client credentials grant (a service-account token)."""
        return await self._driver.run(self._flows.client_credentials(scope, audience))

    async def password_grant(
        self, username: str, password: str, *, scope: str | None = None, totp: str | None = None
    ) -> TokenSet:
        """Resource owner password grant. Legacy: removed in OAuth 2.1; prefer the browser or
        device flow. `totp`: the user's current one-time code, for a user with OTP configured.
        """
        return await self._driver.run(self._flows.password_grant(username, password, scope, totp))

    async def start_device_flow(self, *, scope: str | None = None) -> DeviceAuthorization:
        """Device authorization request (RFC 8628); show `user_code` / `verification_uri` to the
        user.
        """
        return await self._driver.run(self._flows.start_device_flow(scope))

    async def poll_device_flow(
        self, authorization: DeviceAuthorization, *, max_wait: float | None = None
    ) -> TokenSet:
        """Poll until approved, honouring `interval` and `slow_down`; typed errors on
        expiry/denial.
        """
        return await self._driver.run(self._flows.poll_device_flow(authorization, max_wait))

    async def start_ciba(
        self,
        login_hint: str,
        *,
        scope: str = "openid",
        binding_message: str | None = None,
        acr_values: str | None = None,
        requested_expiry: int | None = None,
    ) -> CibaAuthentication:
        """CIBA backchannel authentication request (poll mode)."""
        return await self._driver.run(
            self._flows.start_ciba(
                CibaRequest(login_hint, scope, binding_message, acr_values, requested_expiry)
            )
        )

    async def poll_ciba(
        self, authentication: CibaAuthentication, *, max_wait: float | None = None
    ) -> TokenSet:
        """Poll the token endpoint until the CIBA request is approved."""
        return await self._driver.run(self._flows.poll_ciba(authentication, max_wait))

    async def exchange_token(
        self,
        subject_token: str | TokenSet,
        *,
        audience: str | None = None,
        scope: str | None = None,
        requested_token_type: str | None = None,
        subject_token_type: str = ACCESS_TOKEN_TYPE,
    ) -> TokenSet:
        """Standard token exchange (RFC 8693, Keycloak V2); unused parameters are omitted."""
        return await self._driver.run(
            self._flows.exchange_token(
                _access(subject_token), audience, scope, requested_token_type, subject_token_type
            )
        )

    async def validate_access_token(
        self,
        token: str | TokenSet,
        *,
        audience: str | Sequence[str] | None = None,
        required_scopes: Sequence[str] = (),
    ) -> AccessTokenClaims:
        """Validate an access token: signature, iss, typ, exp/iat/nbf, audience and scopes.

        `audience` (else the configured `audience`) must be in the token's `aud`; without
        one, the token must be addressed to or issued for this client (docs/token-validation.md).
        """
        return await self._validator.validate_access_token(
            _access(token), audience=audience, required_scopes=required_scopes
        )

    async def pat(self) -> TokenSet:
        """Protection API token (client credentials of a client with `uma_protection`)."""
        return await self._driver.run(self._flows.pat())

    async def find_ticket(self, resources: Sequence[Mapping[str, Any]], pat: str | TokenSet) -> str:
        """keycloak-client compatible permission ticket request: `[{"resource_id": ...,
        "resource_scopes": [...]}]`.
        """
        return await self._driver.run(
            self._flows.ticket([TicketPermission.from_dict(r) for r in resources], pat)
        )

    async def ticket_by_name(
        self, resources: Mapping[str, Sequence[str]], *, pat: str | TokenSet | None = None
    ) -> str:
        """A permission ticket for resources given by name: `{"documents": ["read"]}`."""
        return await self._driver.run(self._flows.ticket_by_name(resources, pat))

    async def ticket(
        self, permissions: Sequence[TicketPermission], *, pat: str | TokenSet | None = None
    ) -> str:
        """A permission ticket for the resources/scopes (PAT fetched and cached when not given)."""
        return await self._driver.run(self._flows.ticket(permissions, pat))

    async def rpt(
        self,
        access_token: str | TokenSet,
        *,
        ticket: str | None = None,
        audience: str | None = None,
        permissions: Sequence[PermissionRequest] = (),
        rpt: str | TokenSet | None = None,
        claim_token: str | None = None,
        claim_token_format: str | None = None,
        submit_request: bool = False,
    ) -> TokenSet:
        """An RPT from a ticket or for an audience; `rpt=` upgrades an existing RPT."""
        return await self._driver.run(
            self._flows.rpt_tokens(
                access_token=access_token,
                ticket=ticket,
                audience=audience,
                permissions=permissions,
                rpt=rpt,
                claim_token=claim_token,
                claim_token_format=claim_token_format,
                submit_request=submit_request,
            )
        )

    async def decision(
        self,
        access_token: str | TokenSet,
        *,
        audience: str,
        permissions: Sequence[PermissionRequest] = (),
        claim_token: str | None = None,
        claim_token_format: str | None = None,
    ) -> UmaDecision:
        """`response_mode=decision`: whether every requested permission is granted."""
        return await self._driver.run(
            self._flows.decision(
                access_token=access_token,
                ticket=None,
                audience=audience,
                permissions=permissions,
                rpt=None,
                claim_token=claim_token,
                claim_token_format=claim_token_format,
                submit_request=False,
            )
        )

    async def permissions(
        self,
        access_token: str | TokenSet,
        *,
        audience: str,
        permissions: Sequence[PermissionRequest] = (),
        claim_token: str | None = None,
        claim_token_format: str | None = None,
    ) -> list[UmaPermission]:
        """`response_mode=permissions`: the granted permissions, without issuing an RPT."""
        return await self._driver.run(
            self._flows.permissions(
                access_token=access_token,
                ticket=None,
                audience=audience,
                permissions=permissions,
                rpt=None,
                claim_token=claim_token,
                claim_token_format=claim_token_format,
                submit_request=False,
            )
        )

    async def validate_rpt(self, rpt: str | TokenSet) -> AccessTokenClaims:
        """Validate an RPT locally; the claims answer `has_permission(resource, scope)`."""
        return await self._driver.run(self._flows.validate_rpt(rpt))

    async def introspect_rpt(self, rpt: str | TokenSet) -> IntrospectionResponse:
        """Introspect an RPT (its `permissions` are included)."""
        return await self._driver.run(self._flows.introspect_rpt(rpt))

    async def create_resource(
        self, resource: Resource, *, pat: str | TokenSet | None = None
    ) -> Resource:
        """Register a resource (UMA resource registration)."""
        return await self._driver.run(self._flows.create_resource(resource, pat))

    async def get_resource(
        self, resource_id: str, *, pat: str | TokenSet | None = None
    ) -> Resource:
        """Read a registered resource."""
        return await self._driver.run(self._flows.get_resource(resource_id, pat))

    async def update_resource(
        self, resource: Resource, *, pat: str | TokenSet | None = None
    ) -> None:
        """Replace a registered resource (its `id` must be set)."""
        return await self._driver.run(self._flows.update_resource(resource, pat))

    async def delete_resource(self, resource_id: str, *, pat: str | TokenSet | None = None) -> None:
        """Delete a registered resource."""
        return await self._driver.run(self._flows.delete_resource(resource_id, pat))

    async def list_resources(
        self,
        *,
        pat: str | TokenSet | None = None,
        name: str | None = None,
        uri: str | None = None,
        owner: str | None = None,
        type: str | None = None,
        scope: str | None = None,
        first: int | None = None,
        max: int | None = None,
    ) -> list[str]:
        """Ids of the registered resources matching the filters; `first`/`max` page them."""
        return await self._driver.run(
            self._flows.list_resources(
                pat,
                name=name,
                uri=uri,
                owner=owner,
                type=type,
                scope=scope,
                first=first,
                max=max,
            )
        )

    async def check_permissions(
        self,
        access_token: str | TokenSet,
        *,
        audience: str,
        permissions: Sequence[PermissionRequest],
        claim_token: str | None = None,
        claim_token_format: str | None = None,
    ) -> PermissionCheck:
        """A UMA decision that reports what is missing: `.allowed`, `.granted`, `.missing`."""
        return await self._driver.run(
            self._flows.check_permissions(
                permissions,
                access_token=access_token,
                ticket=None,
                audience=audience,
                rpt=None,
                claim_token=claim_token,
                claim_token_format=claim_token_format,
                submit_request=False,
            )
        )

    async def realm_keys(self) -> JsonWebKeySet:
        """The realm's public keys (its JWKS), as published at `jwks_uri`."""
        return await self._driver.run(self._flows.realm_keys())

    async def create_permission_ticket(
        self, ticket: PermissionTicket, *, pat: str | TokenSet | None = None
    ) -> PermissionTicket:
        """Grant a requester access to a resource scope (Keycloak protection API)."""
        return await self._driver.run(self._flows.create_permission_ticket(ticket, pat))

    async def list_permission_tickets(
        self,
        *,
        pat: str | TokenSet | None = None,
        resource_id: str | None = None,
        scope_id: str | None = None,
        owner: str | None = None,
        requester: str | None = None,
        granted: bool | None = None,
        return_names: bool | None = None,
    ) -> list[PermissionTicket]:
        """Permission tickets matching the filters."""
        return await self._driver.run(
            self._flows.list_permission_tickets(
                pat,
                resource_id=resource_id,
                scope_id=scope_id,
                owner=owner,
                requester=requester,
                granted=granted,
                return_names=return_names,
            )
        )

    async def update_permission_ticket(
        self, ticket: PermissionTicket, *, pat: str | TokenSet | None = None
    ) -> None:
        """Update a permission ticket (e.g. set `granted`)."""
        return await self._driver.run(self._flows.update_permission_ticket(ticket, pat))

    async def delete_permission_ticket(
        self, ticket_id: str, *, pat: str | TokenSet | None = None
    ) -> None:
        """Delete a permission ticket."""
        return await self._driver.run(self._flows.delete_permission_ticket(ticket_id, pat))

    async def create_uma_policy(
        self, resource_id: str, policy: UmaPolicy, *, pat: str | TokenSet | None = None
    ) -> UmaPolicy:
        """Create a user-managed permission on a resource."""
        return await self._driver.run(self._flows.create_uma_policy(resource_id, policy, pat))

    async def list_uma_policies(
        self,
        *,
        pat: str | TokenSet | None = None,
        name: str | None = None,
        resource: str | None = None,
        scope: str | None = None,
    ) -> list[UmaPolicy]:
        """User-managed permissions matching the filters."""
        return await self._driver.run(
            self._flows.list_uma_policies(pat, name=name, resource=resource, scope=scope)
        )

    async def update_uma_policy(
        self, policy: UmaPolicy, *, pat: str | TokenSet | None = None
    ) -> None:
        """Update a user-managed permission (its `id` must be set)."""
        return await self._driver.run(self._flows.update_uma_policy(policy, pat))

    async def delete_uma_policy(self, policy_id: str, *, pat: str | TokenSet | None = None) -> None:
        """Delete a user-managed permission."""
        return await self._driver.run(self._flows.delete_uma_policy(policy_id, pat))
