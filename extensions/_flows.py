"""Every flow, written once as a generator of operations (see `_core`).

`Client` and `AsyncClient` wrap these with identical signatures and run them through their
driver. State kept here (discovery documents, pending legacy logins) is per client object.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from keycloak_sdk.extensions._core import (
    Flow,
    HttpCall,
    Now,
    ProviderMetadata,
    UmaMetadata,
    ValidateAccessToken,
    ValidateIdToken,
    ValidateJwt,
    parse_json,
    parse_model,
    raise_for_error,
)
from keycloak_sdk.extensions.ciba import CIBA_GRANT, CibaRequest, ciba_expired
from keycloak_sdk.extensions.claims import AccessTokenClaims, IdTokenClaims
from keycloak_sdk.extensions.config import KeycloakSettings
from keycloak_sdk.extensions.device import (
    DEVICE_CODE_GRANT,
    device_code_expired,
    poll_token_endpoint,
)
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
    PushedAuthorization,
    TokenIntrospection,
    TokenSet,
    UserInfo,
)
from keycloak_sdk.extensions.uma import (
    RPT_TOKEN_TYPE_HINT,
    UMA_TICKET_GRANT,
    Decision,
    GrantedPermission,
    ManagedPermissionTicket,
    PermissionRequest,
    PermissionTicket,
    ResourceSet,
    TicketPermission,
    UmaPolicy,
    permission_values,
)
from pydantic import TypeAdapter

from keycloak_sdk.errors import UnexpectedResponseError

ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"  # noqa: S105 - a URN, not a secret
TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 - a URN
# The seed's single-user `callback(code)` keeps at most this many logins per client object.
_MAX_LEGACY_PENDING = 16
_PAT_SKEW = 30.0

_granted_list = TypeAdapter(list[GrantedPermission])
_resource_ids = TypeAdapter(list[str])
_tickets = TypeAdapter(list[ManagedPermissionTicket])
_policies = TypeAdapter(list[UmaPolicy])


def _form(**values: str | None) -> dict[str, str]:
    """A form without the parameters that were not given (servers reject empty ones)."""
    return {k: v for k, v in values.items() if v is not None}


def _bearer(token: str | TokenSet) -> str:
    return token.access_token if isinstance(token, TokenSet) else token


class Flows:
    def __init__(self, settings: KeycloakSettings) -> None:
        self.settings = settings
        self._metadata: ProviderMetadata | None = None
        self._uma: UmaMetadata | None = None
        self._pending: dict[str, LoginTransaction] = {}
        self._pending_lock = threading.Lock()
        self._pat: TokenSet | None = None

    # ------------------------------------------------------------ discovery

    def metadata(self) -> Flow[ProviderMetadata]:
        if self._metadata is None:
            response = yield HttpCall(
                "GET", f"{self.settings.issuer}/.well-known/openid-configuration"
            )
            metadata = parse_model(response, ProviderMetadata)
            # OIDC Discovery §4.3: the document must name exactly the issuer we asked.
            if metadata.issuer != self.settings.issuer:
                raise ConfigurationError(
                    "server_url",
                    f"discovery names issuer {metadata.issuer!r}, expected "
                    f"{self.settings.issuer!r}",
                )
            self._metadata = metadata
        return self._metadata

    def uma_metadata(self) -> Flow[UmaMetadata]:
        if self._uma is None:
            response = yield HttpCall(
                "GET", f"{self.settings.issuer}/.well-known/uma2-configuration"
            )
            uma = parse_model(response, UmaMetadata)
            if uma.issuer != self.settings.issuer:
                raise ConfigurationError("server_url", "UMA discovery names another issuer")
            self._uma = uma
        return self._uma

    def _token_call(self, form: dict[str, str]) -> Flow[HttpCall]:
        metadata = yield from self.metadata()
        return HttpCall("POST", metadata.endpoint("token_endpoint"), form=form, client_auth=True)

    def _token(self, form: dict[str, str]) -> Flow[TokenSet]:
        call = yield from self._token_call(form)
        response = yield call
        return parse_model(response, TokenSet)

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
        params = authorization_params(self.settings.client_id, transaction, options)
        endpoint = metadata.endpoint("authorization_endpoint")
        if par or metadata.require_pushed_authorization_requests:
            response = yield HttpCall(
                "POST",
                metadata.endpoint("pushed_authorization_request_endpoint"),
                form=params,
                client_auth=True,
            )
            pushed = parse_model(response, PushedAuthorization)
            query = {"client_id": self.settings.client_id, "request_uri": pushed.request_uri}
        else:
            query = params
        return replace(transaction, authorization_url=f"{endpoint}?{urlencode(query)}")

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
            iss_required=check_iss and metadata.authorization_response_iss_parameter_supported,
            now=now,
        )
        with self._pending_lock:
            self._pending.pop(transaction.state, None)
        tokens = yield from self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": transaction.redirect_uri,
                "code_verifier": transaction.code_verifier,
            }
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
        metadata = yield from self.metadata()
        response: httpx.Response = yield HttpCall(
            "GET",
            metadata.endpoint("userinfo_endpoint"),
            bearer=access_token,
            headers={"Accept": "application/json, application/jwt"},
        )
        raise_for_error(response)
        if response.headers.get("content-type", "").startswith("application/jwt"):
            claims: dict[str, object] = yield ValidateJwt(
                response.text.strip(), audience=self.settings.client_id
            )
            try:
                userinfo = UserInfo(claims)
            except ValueError as exc:
                raise UnexpectedResponseError(response.status_code, str(exc)) from None
        else:
            data = parse_json(response)
            if not isinstance(data, dict):
                raise UnexpectedResponseError(response.status_code, "userinfo is not an object")
            try:
                userinfo = UserInfo(data)
            except ValueError as exc:
                raise UnexpectedResponseError(response.status_code, str(exc)) from None
        if id_token_claims is not None and userinfo.sub != id_token_claims.sub:
            raise TokenMismatchError("userinfo 'sub' differs from the ID token's 'sub'")
        return userinfo

    def refresh(
        self, refresh_token: str, previous: TokenSet | None, scope: str | None
    ) -> Flow[TokenSet]:
        tokens = yield from self._token(
            _form(grant_type="refresh_token", refresh_token=refresh_token, scope=scope)
        )
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
        metadata = yield from self.metadata()
        response = yield HttpCall(
            "POST",
            metadata.endpoint("revocation_endpoint"),
            form=_form(token=token, token_type_hint=token_type_hint),
            client_auth=True,
        )
        raise_for_error(response)

    def introspect(self, token: str, token_type_hint: str | None) -> Flow[TokenIntrospection]:
        metadata = yield from self.metadata()
        response = yield HttpCall(
            "POST",
            metadata.endpoint("introspection_endpoint"),
            form=_form(token=token, token_type_hint=token_type_hint),
            client_auth=True,
        )
        return parse_model(response, TokenIntrospection)

    def logout_url(
        self,
        id_token_hint: str | None,
        post_logout_redirect_uri: str | None,
        state: str | None,
    ) -> Flow[str]:
        metadata = yield from self.metadata()
        redirect = post_logout_redirect_uri or self.settings.post_logout_redirect_uri
        query = _form(
            client_id=self.settings.client_id,
            id_token_hint=id_token_hint,
            post_logout_redirect_uri=redirect,
            state=state,
        )
        return f"{metadata.endpoint('end_session_endpoint')}?{urlencode(query)}"

    def logout(self, refresh_token: str) -> Flow[None]:
        metadata = yield from self.metadata()
        response = yield HttpCall(
            "POST",
            metadata.endpoint("end_session_endpoint"),
            form={"refresh_token": refresh_token},
            client_auth=True,
        )
        raise_for_error(response)

    def client_credentials(self, scope: str | None, audience: str | None) -> Flow[TokenSet]:
        return (
            yield from self._token(
                _form(grant_type="client_credentials", scope=scope, audience=audience)
            )
        )

    def password_grant(self, username: str, password: str, scope: str | None) -> Flow[TokenSet]:
        tokens = yield from self._token(
            _form(
                grant_type="password",
                username=username,
                password=password,
                scope=scope or " ".join(dict.fromkeys(["openid", *self.settings.scopes])),
            )
        )
        return (yield from self._with_validated_id_token(tokens))

    def start_device_flow(self, scope: str | None) -> Flow[DeviceAuthorization]:
        metadata = yield from self.metadata()
        # RFC 8628 has no PKCE, but Keycloak applies the client's PKCE policy to it; sending
        # it always costs nothing and binds the device code to this client instance.
        verifier = new_code_verifier()
        response = yield HttpCall(
            "POST",
            metadata.endpoint("device_authorization_endpoint"),
            form={
                "scope": scope or " ".join(dict.fromkeys(["openid", *self.settings.scopes])),
                "code_challenge": code_challenge_s256(verifier),
                "code_challenge_method": "S256",
            },
            client_auth=True,
        )
        authorization = parse_model(response, DeviceAuthorization)
        return authorization.model_copy(update={"code_verifier": verifier})

    def poll_device_flow(
        self, authorization: DeviceAuthorization, max_wait: float | None
    ) -> Flow[TokenSet]:
        call = yield from self._token_call(
            _form(
                grant_type=DEVICE_CODE_GRANT,
                device_code=authorization.device_code,
                code_verifier=authorization.code_verifier,
            )
        )
        tokens = yield from poll_token_endpoint(
            call,
            interval=authorization.interval,
            expires_at=authorization.expires_at,
            max_wait=max_wait,
            expired=device_code_expired,
        )
        return (yield from self._with_validated_id_token(tokens))

    def start_ciba(self, request: CibaRequest) -> Flow[CibaAuthentication]:
        metadata = yield from self.metadata()
        response = yield HttpCall(
            "POST",
            metadata.endpoint("backchannel_authentication_endpoint"),
            form=request.form(),
            client_auth=True,
        )
        return parse_model(response, CibaAuthentication)

    def poll_ciba(
        self, authentication: CibaAuthentication, max_wait: float | None
    ) -> Flow[TokenSet]:
        call = yield from self._token_call(
            {"grant_type": CIBA_GRANT, "auth_req_id": authentication.auth_req_id}
        )
        tokens = yield from poll_token_endpoint(
            call,
            interval=authentication.interval,
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
                _form(
                    grant_type=TOKEN_EXCHANGE_GRANT,
                    subject_token=subject_token,
                    subject_token_type=subject_token_type,
                    audience=audience,
                    scope=scope,
                    requested_token_type=requested_token_type,
                )
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
        uma = yield from self.uma_metadata()
        token = yield from self._pat_token(pat)
        response = yield HttpCall(
            "POST",
            uma.endpoint("permission_endpoint"),
            json_body=[p.as_json() for p in permissions],
            bearer=token,
            protection_api=True,
        )
        return parse_model(response, PermissionTicket).ticket

    def rpt(
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
        response_mode: str | None = None,
    ) -> Flow[httpx.Response]:
        if ticket is None and audience is None:
            raise ValueError("an RPT request needs a ticket or an audience")
        metadata = yield from self.metadata()
        form = _form(
            grant_type=UMA_TICKET_GRANT,
            ticket=ticket,
            audience=audience,
            rpt=None if rpt is None else _bearer(rpt),
            claim_token=claim_token,
            claim_token_format=claim_token_format,
            submit_request="true" if submit_request else None,
            response_mode=response_mode,
        )
        response: httpx.Response = yield HttpCall(
            "POST",
            metadata.endpoint("token_endpoint"),
            form=form,
            repeated_form={"permission": permission_values(permissions)},
            bearer=_bearer(access_token),
        )
        return response

    def rpt_tokens(self, **kwargs: Any) -> Flow[TokenSet]:
        response = yield from self.rpt(**kwargs)
        return parse_model(response, TokenSet)

    def decision(self, **kwargs: Any) -> Flow[Decision]:
        response = yield from self.rpt(response_mode="decision", **kwargs)
        # Keycloak answers a denied decision with 403 access_denied rather than
        # {"result": false}; both mean the same to the caller.
        if response.status_code == 403:
            try:
                raise_for_error(response)
            except AccessDeniedError:
                return Decision(result=False)
        return parse_model(response, Decision)

    def permissions(self, **kwargs: Any) -> Flow[list[GrantedPermission]]:
        response = yield from self.rpt(response_mode="permissions", **kwargs)
        return _granted_list.validate_python(parse_json(response))

    def validate_rpt(self, rpt: str | TokenSet) -> Flow[AccessTokenClaims]:
        return (yield from self.validate_access_token(_bearer(rpt)))

    def introspect_rpt(self, rpt: str | TokenSet) -> Flow[TokenIntrospection]:
        return (yield from self.introspect(_bearer(rpt), RPT_TOKEN_TYPE_HINT))

    # resource sets ---------------------------------------------------------

    def _protection(
        self,
        method: str,
        endpoint: str,
        suffix: str,
        pat: str | TokenSet | None,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        base: str | None = None,
    ) -> Flow[httpx.Response]:
        if base is None:
            uma = yield from self.uma_metadata()
            base = uma.endpoint(endpoint)
        token = yield from self._pat_token(pat)
        response: httpx.Response = yield HttpCall(
            method,
            base + suffix,
            json_body=json_body,
            params=params,
            bearer=token,
            protection_api=True,
        )
        raise_for_error(response)
        return response

    def create_resource(
        self, resource: ResourceSet, pat: str | TokenSet | None
    ) -> Flow[ResourceSet]:
        response = yield from self._protection(
            "POST", "resource_registration_endpoint", "", pat, json_body=resource.as_json()
        )
        return parse_model(response, ResourceSet)

    def get_resource(self, resource_id: str, pat: str | TokenSet | None) -> Flow[ResourceSet]:
        response = yield from self._protection(
            "GET", "resource_registration_endpoint", "/" + _path(resource_id), pat
        )
        return parse_model(response, ResourceSet)

    def update_resource(self, resource: ResourceSet, pat: str | TokenSet | None) -> Flow[None]:
        if not resource.id:
            raise ValueError("update_resource needs a resource with an id")
        body = resource.as_json()
        body["_id"] = resource.id
        yield from self._protection(
            "PUT", "resource_registration_endpoint", "/" + _path(resource.id), pat, json_body=body
        )

    def delete_resource(self, resource_id: str, pat: str | TokenSet | None) -> Flow[None]:
        yield from self._protection(
            "DELETE", "resource_registration_endpoint", "/" + _path(resource_id), pat
        )

    def list_resources(
        self, pat: str | TokenSet | None, filters: Mapping[str, str]
    ) -> Flow[list[str]]:
        response = yield from self._protection(
            "GET", "resource_registration_endpoint", "", pat, params=dict(filters)
        )
        return _resource_ids.validate_python(parse_json(response))

    # permission tickets (Keycloak protection API) --------------------------

    def _ticket_base(self) -> Flow[str]:
        uma = yield from self.uma_metadata()
        return uma.endpoint("permission_endpoint") + "/ticket"

    def create_permission_ticket(
        self, ticket: ManagedPermissionTicket, pat: str | TokenSet | None
    ) -> Flow[ManagedPermissionTicket]:
        base = yield from self._ticket_base()
        body = ticket.model_dump(by_alias=True, exclude_none=True)
        response = yield from self._protection("POST", "", "", pat, json_body=body, base=base)
        return parse_model(response, ManagedPermissionTicket)

    def list_permission_tickets(
        self, pat: str | TokenSet | None, filters: Mapping[str, str]
    ) -> Flow[list[ManagedPermissionTicket]]:
        base = yield from self._ticket_base()
        response = yield from self._protection("GET", "", "", pat, params=dict(filters), base=base)
        return _tickets.validate_python(parse_json(response))

    def update_permission_ticket(
        self, ticket: ManagedPermissionTicket, pat: str | TokenSet | None
    ) -> Flow[None]:
        base = yield from self._ticket_base()
        body = ticket.model_dump(by_alias=True, exclude_none=True)
        yield from self._protection("PUT", "", "", pat, json_body=body, base=base)

    def delete_permission_ticket(self, ticket_id: str, pat: str | TokenSet | None) -> Flow[None]:
        base = yield from self._ticket_base()
        yield from self._protection("DELETE", "", "/" + _path(ticket_id), pat, base=base)

    # user-managed policies ----------------------------------------------------

    def create_uma_policy(
        self, resource_id: str, policy: UmaPolicy, pat: str | TokenSet | None
    ) -> Flow[UmaPolicy]:
        response = yield from self._protection(
            "POST", "policy_endpoint", "/" + _path(resource_id), pat, json_body=policy.as_json()
        )
        return parse_model(response, UmaPolicy)

    def list_uma_policies(
        self, pat: str | TokenSet | None, filters: Mapping[str, str]
    ) -> Flow[list[UmaPolicy]]:
        response = yield from self._protection(
            "GET", "policy_endpoint", "", pat, params=dict(filters)
        )
        return _policies.validate_python(parse_json(response))

    def update_uma_policy(self, policy: UmaPolicy, pat: str | TokenSet | None) -> Flow[None]:
        if not policy.id:
            raise ValueError("update_uma_policy needs a policy with an id")
        body = policy.as_json()
        body["id"] = policy.id
        yield from self._protection(
            "PUT", "policy_endpoint", "/" + _path(policy.id), pat, json_body=body
        )

    def delete_uma_policy(self, policy_id: str, pat: str | TokenSet | None) -> Flow[None]:
        yield from self._protection("DELETE", "policy_endpoint", "/" + _path(policy_id), pat)


def _path(segment: str) -> str:
    if not segment:
        raise ValueError("an id must not be empty")
    return quote(segment, safe="")
