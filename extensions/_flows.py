"""Every flow, written once as a generator of operations (see `_core`).

Each request is a `CoreCall` on the generated `KeycloakClient` / `AsyncKeycloakClient`; the
flows add what the core does not do: PKCE/state/nonce login transactions, ID token
validation, device/CIBA polling, PAT caching and the seed-compatible shapes. `Client` and
`AsyncClient` wrap these with identical signatures and run them through their driver. State
kept here (pending legacy logins, the cached PAT) is per client object.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
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
    uma,
)
from keycloak_sdk.extensions.ciba import CibaRequest, ciba_expired
from keycloak_sdk.extensions.claims import AccessTokenClaims, IdTokenClaims
from keycloak_sdk.extensions.config import KeycloakSettings
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
    PermissionRequest,
    TicketPermission,
    permission_values,
)

from keycloak_sdk import models
from keycloak_sdk.errors import UnexpectedResponseError

if TYPE_CHECKING:
    from keycloak_sdk.models import ProviderMetadata

ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105 - a URN, not a secret
# The seed's single-user `callback(code)` keeps at most this many logins per client object.
_MAX_LEGACY_PENDING = 16
_PAT_SKEW = 30.0


def _bearer(token: str | TokenSet) -> str:
    return token.access_token if isinstance(token, TokenSet) else token


def _default_scope(settings: KeycloakSettings) -> str:
    return " ".join(dict.fromkeys(["openid", *settings.scopes]))


class Flows:
    def __init__(self, settings: KeycloakSettings) -> None:
        self.settings = settings
        self._pending: dict[str, LoginTransaction] = {}
        self._pending_lock = threading.Lock()
        self._pat: TokenSet | None = None

    # ------------------------------------------------------------ discovery

    def metadata(self) -> Flow[ProviderMetadata]:
        # The core refuses a document naming another issuer (OIDC Discovery §4.3); the
        # drivers report that as ConfigurationError("server_url").
        metadata: ProviderMetadata = yield Discover()
        return metadata

    def _token(self, grant: str, *args: Any, **kwargs: Any) -> Flow[TokenSet]:
        response: models.TokenResponse = yield oidc(grant, *args, **kwargs)
        return TokenSet.from_core(response)

    def _with_validated_id_token(
        self, tokens: TokenSet, *, nonce: str | None = None, max_age: int | None = None
    ) -> Flow[TokenSet]:
        if tokens.id_token is None:
            return tokens
        claims: IdTokenClaims = yield ValidateIdToken(
            tokens.id_token, nonce=nonce, access_token=tokens.access_token, max_age=max_age
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
        # The seed compares state itself before calling callback(code); iss cannot be checked
        # in this form, which is why it is documented as single-user legacy.
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
        tokens = yield from self._with_validated_id_token(tokens)
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

    def client_credentials(self, scope: str | None, audience: str | None) -> Flow[TokenSet]:
        return (yield from self._token("token_client_credentials", scope=scope, audience=audience))

    def password_grant(self, username: str, password: str, scope: str | None) -> Flow[TokenSet]:
        tokens = yield from self._token(
            "token_password", username, password, scope=scope or _default_scope(self.settings)
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
        return TokenSet.from_core(response)

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

    def list_resources(self, pat: str | TokenSet | None, **filters: str | None) -> Flow[list[str]]:
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
