"""Every flow, written once as a generator of operations (see `_core`).

Each request is a `CoreCall` on the generated `KeycloakClient` / `AsyncKeycloakClient`; the
flows add what the core does not do: PKCE/state/nonce login transactions, ID token
validation, device/CIBA polling, PAT caching and the keycloak-client compatible shapes. `Client` and
`AsyncClient` wrap these with identical signatures and run them through their driver. State
kept here (pending legacy logins, the cached PAT) is per client object.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from keycloak_sdk.extensions._core import (
    Discover,
    Flow,
    Namespace,
    Now,
    ValidateAccessToken,
    ValidateIdToken,
    ValidateJwt,
    oidc,
    registration,
    uma,
)
from keycloak_sdk.extensions.ciba import CibaRequest, ciba_expired
from keycloak_sdk.extensions.device import device_code_expired, poll_token_endpoint
from keycloak_sdk.extensions.errors import (
    AccessDeniedError,
    ConfigurationError,
    LoginError,
    NoPendingLoginError,
    TokenMismatchError,
)
from keycloak_sdk.extensions.login import (
    CallbackParams,
    LoginOptions,
    LoginResult,
    LoginTransaction,
    authorization_params,
    check_callback,
    scope_for,
)
from keycloak_sdk.extensions.pkce import code_challenge_s256, new_code_verifier
from keycloak_sdk.extensions.tokens import (
    CibaAuthentication,
    DeviceAuthorization,
    TokenSet,
    UserInfo,
)
from keycloak_sdk.extensions.uma import (
    RPT_TOKEN_TYPE_HINT,
    PermissionCheck,
    PermissionRequest,
    TicketPermission,
    missing_permissions,
    permission_values,
)

from keycloak_sdk import models
from keycloak_sdk.errors import UnexpectedResponseError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from keycloak_sdk.extensions.claims import AccessTokenClaims, IdTokenClaims
    from keycloak_sdk.extensions.settings import ClientSettings

    from keycloak_sdk.models import ClientInformation, ProviderMetadata

    # What the registration conveniences accept as a client's metadata.
    RegistrationMetadata = models.ClientMetadata | models.ClientInformation | Mapping[str, Any]

ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105 - a URN, not a secret
# keycloak-client's single-user `callback(code)` keeps at most this many logins per client object.
_MAX_LEGACY_PENDING = 16
_PAT_SKEW = 30.0
_log = logging.getLogger(__name__)


def _bearer(token: str | TokenSet) -> str:
    return token.access_token if isinstance(token, TokenSet) else token


def _default_scope(settings: ClientSettings) -> str:
    return " ".join(dict.fromkeys(["openid", *settings.scopes]))


def _warn_if_owner_ignored(requested: models.Resource, created: models.Resource) -> None:
    """Keycloak before 26.7 makes the named `owner` own a resource registered through the
    protection API; 26.7 makes the resource server its owner whatever `owner` says. Say so
    rather than leave the caller believing the user owns it (docs/flows/uma.md)."""
    wanted, got = requested.owner, created.owner
    if not isinstance(wanted, str) or not isinstance(got, models.ResourceOwner):
        return
    if wanted not in (got.name, got.id):
        _log.warning(
            "Keycloak ignored owner %r of resource %r: this version makes the resource server "
            "the owner of resources registered through the protection API; register "
            "user-owned resources through the admin API",
            wanted,
            created.name,
        )


class Flows:
    def __init__(self, settings: ClientSettings, *, dpop: bool = False) -> None:
        self.settings = settings
        # Token requests carry DPoP proofs: a `token_type` of DPoP is then expected too.
        self.dpop = dpop
        self._pending: dict[str, LoginTransaction] = {}
        self._pending_lock = threading.Lock()
        self._pat: TokenSet | None = None

    # ------------------------------------------------------------ discovery

    def realm_keys(self) -> Flow[models.JsonWebKeySet]:
        keys: models.JsonWebKeySet = yield oidc("jwks")
        return keys

    def metadata(self) -> Flow[ProviderMetadata]:
        # The core refuses a document naming another issuer (OIDC Discovery §4.3); the
        # drivers report that as ConfigurationError("server_url").
        metadata: ProviderMetadata = yield Discover()
        return metadata

    def _token(self, grant: str, *args: Any, **kwargs: Any) -> Flow[TokenSet]:
        response: models.TokenResponse = yield oidc(grant, *args, **kwargs)
        return TokenSet.from_core(response, dpop=self.dpop)

    def _with_validated_id_token(
        self,
        tokens: TokenSet,
        *,
        nonce: str | None = None,
        max_age: int | None = None,
        refreshed_from: TokenSet | bool | None = False,
    ) -> Flow[TokenSet]:
        if tokens.id_token is None:
            return tokens
        original = refreshed_from.id_token_claims if isinstance(refreshed_from, TokenSet) else None
        claims: IdTokenClaims = yield ValidateIdToken(
            tokens.id_token,
            nonce=nonce,
            access_token=tokens.access_token,
            max_age=max_age,
            refreshed=refreshed_from is not False,
            original_nonce=original.nonce if original is not None else None,
        )
        return tokens.with_id_token_claims(claims)

    # ------------------------------------------------------------ browser login

    def begin_login(
        self, redirect_uri: str | None, options: LoginOptions, par: bool
    ) -> Flow[LoginTransaction]:
        redirect = redirect_uri or self.settings.redirect_uri
        if not redirect:
            raise ConfigurationError(
                "redirect_uri", "needed for login: pass it or set KEYCLOAK_REDIRECT_URI"
            )
        metadata = yield from self.metadata()
        transaction = LoginTransaction.new(
            redirect, scope_for(self.settings.scopes, options), options.max_age
        )
        params = authorization_params(transaction, options)
        if par or metadata.require_pushed_authorization_requests is True:
            pushed: models.PushedAuthorizationResponse = yield oidc(
                "pushed_authorization", **params
            )
            url: str = yield oidc("pushed_authorization_url", pushed.request_uri)
        else:
            url = yield oidc("authorization_url", **params)
        return replace(transaction, authorization_url=url)

    def remember(self, transaction: LoginTransaction) -> None:
        with self._pending_lock:
            if len(self._pending) >= _MAX_LEGACY_PENDING:
                self._pending.pop(next(iter(self._pending)))
            self._pending[transaction.state] = transaction

    def complete_login(
        self,
        transaction: LoginTransaction,
        params: CallbackParams,
        *,
        check_iss: bool = True,
    ) -> Flow[LoginResult]:
        metadata = yield from self.metadata()
        now: float = yield Now()
        code = check_callback(
            transaction,
            params,
            issuer=metadata.issuer,
            iss_required=check_iss
            and metadata.authorization_response_iss_parameter_supported is True,
            now=now,
        )
        with self._pending_lock:
            self._pending.pop(transaction.state, None)
        tokens = yield from self._token(
            "token_authorization_code",
            code,
            transaction.redirect_uri,
            code_verifier=transaction.code_verifier,
        )
        if tokens.id_token is None:
            raise LoginError("the token response has no ID token (is 'openid' in the scope?)")
        tokens = yield from self._with_validated_id_token(
            tokens, nonce=transaction.nonce, max_age=transaction.max_age
        )
        assert tokens.id_token_claims is not None
        return LoginResult(tokens=tokens, id_token_claims=tokens.id_token_claims)

    def legacy_callback(self, code: str) -> Flow[TokenSet]:
        with self._pending_lock:
            if len(self._pending) != 1:
                raise NoPendingLoginError(
                    f"callback(code) needs exactly one pending login on this client, found "
                    f"{len(self._pending)}; use complete_login(transaction, ...) for many users"
                )
            transaction = next(iter(self._pending.values()))
        # keycloak-client's apps compare state themselves before calling callback(code); iss
        # cannot be checked in this form, which is why it is documented as single-user legacy.
        result = yield from self.complete_login(
            transaction, CallbackParams(code=code, state=transaction.state), check_iss=False
        )
        return result.tokens

    # ------------------------------------------------------------ tokens

    def fetch_userinfo(
        self, access_token: str, id_token_claims: IdTokenClaims | None
    ) -> Flow[UserInfo]:
        answer: models.UserInfoResponse | str = yield oidc("userinfo_or_jwt", access_token)
        if isinstance(answer, str):
            claims: dict[str, object] = yield ValidateJwt(answer, audience=self.settings.client_id)
            try:
                userinfo = UserInfo(claims)
            except ValueError as exc:
                raise UnexpectedResponseError(200, str(exc)) from None
        else:
            userinfo = UserInfo.from_core(answer)
        if id_token_claims is not None and userinfo.sub != id_token_claims.sub:
            raise TokenMismatchError("userinfo 'sub' differs from the ID token's 'sub'")
        return userinfo

    def refresh(
        self, refresh_token: str, previous: TokenSet | None, scope: str | None
    ) -> Flow[TokenSet]:
        tokens = yield from self._token("token_refresh", refresh_token, scope=scope)
        tokens = yield from self._with_validated_id_token(tokens, refreshed_from=previous)
        old = previous.id_token_claims if previous is not None else None
        new = tokens.id_token_claims
        # OIDC core §12.2: a refreshed ID token keeps iss, sub and aud.
        if (
            old is not None
            and new is not None
            and (old.iss, old.sub, set(old.aud)) != (new.iss, new.sub, set(new.aud))
        ):
            raise TokenMismatchError("the refreshed ID token names another iss/sub/aud")
        return tokens

    def revoke(self, token: str, token_type_hint: str | None) -> Flow[None]:
        yield oidc("revoke", token, token_type_hint=token_type_hint)

    def introspect(
        self, token: str, token_type_hint: str | None
    ) -> Flow[models.IntrospectionResponse]:
        info: models.IntrospectionResponse = yield oidc(
            "introspect", token, token_type_hint=token_type_hint
        )
        return info

    def logout_url(
        self,
        id_token_hint: str | None,
        post_logout_redirect_uri: str | None,
        state: str | None,
    ) -> Flow[str]:
        url: str = yield oidc(
            "end_session_url",
            id_token_hint=id_token_hint,
            post_logout_redirect_uri=post_logout_redirect_uri
            or self.settings.post_logout_redirect_uri,
            state=state,
        )
        return url

    def logout(self, refresh_token: str) -> Flow[None]:
        yield oidc("logout", refresh_token)

    # Dynamic client registration (RFC 7591/7592): the generated operations, plus what a
    # caller would otherwise do by hand: accept a mapping, put the `client_id` into an update
    # and leave out what RFC 7592 §2.2 forbids there.

    def register_client(
        self,
        metadata: RegistrationMetadata,
        initial_access_token: str | None,
    ) -> Flow[ClientInformation]:
        information: ClientInformation = yield registration(
            "register", _client_metadata(metadata), initial_access_token=initial_access_token
        )
        return information

    def update_client(
        self,
        registration_access_token: str,
        client_id: str,
        metadata: RegistrationMetadata,
    ) -> Flow[ClientInformation]:
        body = _client_metadata(metadata).to_dict()
        for server_issued in _SERVER_ISSUED_REGISTRATION_FIELDS:
            body.pop(server_issued, None)
        body["client_id"] = client_id
        information: ClientInformation = yield registration(
            "update",
            registration_access_token,
            client_id,
            models.ClientMetadata.from_dict(body),
        )
        return information

    def client_credentials(self, scope: str | None, audience: str | None) -> Flow[TokenSet]:
        return (yield from self._token("token_client_credentials", scope=scope, audience=audience))

    def password_grant(
        self, username: str, password: str, scope: str | None, totp: str | None = None
    ) -> Flow[TokenSet]:
        tokens = yield from self._token(
            "token_password",
            username,
            password,
            scope=scope or _default_scope(self.settings),
            totp=totp,
        )
        return (yield from self._with_validated_id_token(tokens))

    def start_device_flow(self, scope: str | None) -> Flow[DeviceAuthorization]:
        # RFC 8628 has no PKCE, but Keycloak applies the client's PKCE policy to it; sending
        # it always costs nothing and binds the device code to this client instance.
        verifier = new_code_verifier()
        response: models.DeviceAuthorizationResponse = yield oidc(
            "device_authorization",
            scope=scope or _default_scope(self.settings),
            code_challenge=code_challenge_s256(verifier),
            code_challenge_method="S256",
        )
        return DeviceAuthorization.from_core(response, verifier)

    def poll_device_flow(
        self, authorization: DeviceAuthorization, max_wait: float | None
    ) -> Flow[TokenSet]:
        tokens = yield from poll_token_endpoint(
            oidc(
                "token_device_code",
                authorization.device_code,
                code_verifier=authorization.code_verifier,
            ),
            interval=authorization.poll_interval,
            expires_at=authorization.expires_at,
            max_wait=max_wait,
            expired=device_code_expired,
            dpop=self.dpop,
        )
        return (yield from self._with_validated_id_token(tokens))

    def start_ciba(self, request: CibaRequest) -> Flow[CibaAuthentication]:
        response: models.BackchannelAuthenticationResponse = yield oidc(
            "backchannel_authentication", **request.core_kwargs()
        )
        return CibaAuthentication.from_core(response)

    def poll_ciba(
        self, authentication: CibaAuthentication, max_wait: float | None
    ) -> Flow[TokenSet]:
        tokens = yield from poll_token_endpoint(
            oidc("token_ciba", authentication.auth_req_id),
            interval=authentication.poll_interval,
            expires_at=authentication.expires_at,
            max_wait=max_wait,
            expired=ciba_expired,
            dpop=self.dpop,
        )
        return (yield from self._with_validated_id_token(tokens))

    def exchange_token(
        self,
        subject_token: str,
        audience: str | None,
        scope: str | None,
        requested_token_type: str | None,
        subject_token_type: str,
    ) -> Flow[TokenSet]:
        return (
            yield from self._token(
                "token_exchange",
                subject_token,
                subject_token_type=subject_token_type,
                requested_token_type=requested_token_type,
                audience=audience,
                scope=scope,
            )
        )

    def validate_access_token(self, token: str) -> Flow[AccessTokenClaims]:
        claims: AccessTokenClaims = yield ValidateAccessToken(token)
        return claims

    # ------------------------------------------------------------ UMA

    def pat(self) -> Flow[TokenSet]:
        return (yield from self.client_credentials(None, None))

    def _pat_token(self, pat: str | TokenSet | None) -> Flow[str]:
        if pat is not None:
            return _bearer(pat)
        now: float = yield Now()
        if self._pat is None or self._pat.is_expired(skew=_PAT_SKEW, now=now):
            self._pat = yield from self.pat()
        return self._pat.access_token

    def ticket(
        self, permissions: Sequence[TicketPermission], pat: str | TokenSet | None
    ) -> Flow[str]:
        if not permissions:
            raise ValueError("a permission ticket needs at least one resource")
        token = yield from self._pat_token(pat)
        response: models.PermissionTicketResponse = yield uma(
            "uma.permission_tickets", "create", token, [p.to_core() for p in permissions]
        )
        return response.ticket

    def ticket_by_name(
        self, resources: Mapping[str, Sequence[str]], pat: str | TokenSet | None
    ) -> Flow[str]:
        """A permission ticket for resources named (not id'd): each name must match exactly
        one registered resource (Keycloak's `exactName` lookup)."""
        if not resources:
            raise ValueError("a permission ticket needs at least one resource")
        permissions = []
        for name, scopes in resources.items():
            if isinstance(scopes, str):
                raise ValueError("scopes are a list of names, not a string")
            found: list[models.Resource] = yield from self.protection(
                "uma.resource_sets", "list", pat, name=name, exact_name=True, max=2
            )
            ids = [r.id for r in found if isinstance(r.id, str)]
            if len(ids) != 1:
                raise ValueError(
                    f"resource name {name!r} matches {len(ids)} resources, not exactly one"
                )
            permissions.append(TicketPermission(ids[0], tuple(scopes)))
        return (yield from self.ticket(permissions, pat))

    def _grant_kwargs(
        self,
        access_token: str | TokenSet,
        *,
        ticket: str | None,
        audience: str | None,
        permissions: Sequence[PermissionRequest],
        rpt: str | TokenSet | None,
        claim_token: str | None,
        claim_token_format: str | None,
        submit_request: bool,
    ) -> dict[str, Any]:
        if ticket is None and audience is None:
            raise ValueError("an RPT request needs a ticket or an audience")
        return {
            "access_token": _bearer(access_token),
            "ticket": ticket,
            "audience": audience,
            "permissions": permission_values(permissions),
            "rpt": None if rpt is None else _bearer(rpt),
            "claim_token": claim_token,
            "claim_token_format": claim_token_format,
            "submit_request": True if submit_request else None,
        }

    def rpt_tokens(self, **kwargs: Any) -> Flow[TokenSet]:
        response: models.TokenResponse = yield uma("uma", "token", **self._grant_kwargs(**kwargs))
        return TokenSet.from_core(response, dpop=self.dpop)

    def decision(self, **kwargs: Any) -> Flow[models.UmaDecision]:
        try:
            decision: models.UmaDecision = yield uma(
                "uma", "decision", **self._grant_kwargs(**kwargs)
            )
        except AccessDeniedError:
            # Keycloak answers a denied decision with 403 access_denied rather than
            # {"result": false}; both mean the same to the caller.
            return models.UmaDecision(result=False)
        return decision

    def permissions(self, **kwargs: Any) -> Flow[list[models.UmaPermission]]:
        granted: list[models.UmaPermission] = yield uma(
            "uma", "permissions", **self._grant_kwargs(**kwargs)
        )
        return granted

    def check_permissions(
        self, permissions: Sequence[PermissionRequest], **kwargs: Any
    ) -> Flow[PermissionCheck]:
        if not permissions:
            raise ValueError("check_permissions needs at least one permission to check")
        try:
            granted: list[models.UmaPermission] = yield uma(
                "uma",
                "permissions",
                **self._grant_kwargs(permissions=permissions, **kwargs),
            )
        except AccessDeniedError:
            granted = []  # Keycloak's answer when nothing at all is granted
        return PermissionCheck(tuple(granted), missing_permissions(permissions, granted))

    def validate_rpt(self, rpt: str | TokenSet) -> Flow[AccessTokenClaims]:
        return (yield from self.validate_access_token(_bearer(rpt)))

    def introspect_rpt(self, rpt: str | TokenSet) -> Flow[models.IntrospectionResponse]:
        return (yield from self.introspect(_bearer(rpt), RPT_TOKEN_TYPE_HINT))

    # protection API: resource sets, permission tickets, user-managed policies ---------

    def protection(
        self,
        namespace: Namespace,
        method: str,
        pat: str | TokenSet | None,
        *args: Any,
        **kwargs: Any,
    ) -> Flow[Any]:
        """`core.uma.<namespace>.<method>(pat, ...)` with the given or the cached PAT."""
        token = yield from self._pat_token(pat)
        result = yield uma(namespace, method, token, *args, **kwargs)
        return result

    def create_resource(
        self, resource: models.Resource, pat: str | TokenSet | None
    ) -> Flow[models.Resource]:
        created: models.Resource = yield from self.protection(
            "uma.resource_sets", "create", pat, resource
        )
        _warn_if_owner_ignored(resource, created)
        return created

    def get_resource(self, resource_id: str, pat: str | TokenSet | None) -> Flow[models.Resource]:
        found: models.Resource = yield from self.protection(
            "uma.resource_sets", "get", pat, resource_id
        )
        return found

    def update_resource(self, resource: models.Resource, pat: str | TokenSet | None) -> Flow[None]:
        if not resource.id:
            raise ValueError("update_resource needs a resource with an id")
        yield from self.protection("uma.resource_sets", "update", pat, resource.id, resource)

    def delete_resource(self, resource_id: str, pat: str | TokenSet | None) -> Flow[None]:
        yield from self.protection("uma.resource_sets", "delete", pat, resource_id)

    def list_resources(
        self, pat: str | TokenSet | None, **filters: str | int | None
    ) -> Flow[list[str]]:
        ids: list[str] = yield from self.protection("uma.resource_sets", "list_ids", pat, **filters)
        return ids

    def create_permission_ticket(
        self, ticket: models.PermissionTicket, pat: str | TokenSet | None
    ) -> Flow[models.PermissionTicket]:
        created: models.PermissionTicket = yield from self.protection(
            "uma.tickets", "create", pat, ticket
        )
        return created

    def list_permission_tickets(
        self, pat: str | TokenSet | None, **filters: str | bool | None
    ) -> Flow[list[models.PermissionTicket]]:
        tickets: list[models.PermissionTicket] = yield from self.protection(
            "uma.tickets", "list", pat, **filters
        )
        return tickets

    def update_permission_ticket(
        self, ticket: models.PermissionTicket, pat: str | TokenSet | None
    ) -> Flow[None]:
        yield from self.protection("uma.tickets", "update", pat, ticket)

    def delete_permission_ticket(self, ticket_id: str, pat: str | TokenSet | None) -> Flow[None]:
        yield from self.protection("uma.tickets", "delete", pat, ticket_id)

    def create_uma_policy(
        self, resource_id: str, policy: models.UmaPolicy, pat: str | TokenSet | None
    ) -> Flow[models.UmaPolicy]:
        created: models.UmaPolicy = yield from self.protection(
            "uma.policies", "create", pat, resource_id, policy
        )
        return created

    def list_uma_policies(
        self, pat: str | TokenSet | None, **filters: str | None
    ) -> Flow[list[models.UmaPolicy]]:
        policies: list[models.UmaPolicy] = yield from self.protection(
            "uma.policies", "list", pat, **filters
        )
        return policies

    def update_uma_policy(self, policy: models.UmaPolicy, pat: str | TokenSet | None) -> Flow[None]:
        if not isinstance(policy.id, str) or not policy.id:
            raise ValueError("update_uma_policy needs a policy with an id")
        yield from self.protection("uma.policies", "update", pat, policy.id, policy)

    def delete_uma_policy(self, policy_id: str, pat: str | TokenSet | None) -> Flow[None]:
        yield from self.protection("uma.policies", "delete", pat, policy_id)


# RFC 7592 §2.2: an update request must not carry what the server issued.
_SERVER_ISSUED_REGISTRATION_FIELDS = (
    "registration_access_token",
    "registration_client_uri",
    "client_id_issued_at",
    "client_secret_expires_at",
)


def _client_metadata(metadata: RegistrationMetadata) -> models.ClientMetadata:
    if isinstance(metadata, models.ClientMetadata):
        return metadata
    if isinstance(metadata, models.ClientInformation):
        return models.ClientMetadata.from_dict(metadata.to_dict())
    return models.ClientMetadata.from_dict(metadata)
