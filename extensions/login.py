"""Browser login (authorization code + PKCE S256 + state + nonce), secure by default.

A `LoginTransaction` holds what the callback needs to verify; store it server-side or in a
signed session (`to_dict()` / `from_dict()`). None of its secrets appear in its repr.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from keycloak_sdk.extensions.errors import (
    AuthorizationError,
    IssuerMismatchError,
    LoginError,
    StateMismatchError,
)
from keycloak_sdk.extensions.pkce import code_challenge_s256, new_code_verifier, new_random_token

if TYPE_CHECKING:
    from collections.abc import Mapping

    from keycloak_sdk.extensions.claims import IdTokenClaims
    from keycloak_sdk.extensions.tokens import TokenSet

# A login left longer than this in the browser is refused at the callback.
DEFAULT_MAX_LOGIN_AGE = 600.0


@dataclass(frozen=True)
class LoginTransaction:
    """One pending browser login."""

    state: str = field(repr=False)
    nonce: str = field(repr=False)
    code_verifier: str = field(repr=False)
    redirect_uri: str
    created_at: float
    scope: str = "openid"
    # The max_age the request asked for: the ID token's auth_time must honour it.
    max_age: int | None = None
    # Where to send the browser; not part of the stored form (it is rebuilt per login).
    authorization_url: str = field(default="", repr=False, compare=False)

    @classmethod
    def new(
        cls, redirect_uri: str, scope: str = "openid", max_age: int | None = None
    ) -> LoginTransaction:
        return cls(
            state=new_random_token(),
            nonce=new_random_token(),
            code_verifier=new_code_verifier(),
            redirect_uri=redirect_uri,
            created_at=time.time(),
            scope=scope,
            max_age=max_age,
        )

    @property
    def code_challenge(self) -> str:
        return code_challenge_s256(self.code_verifier)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form for a (server-side or signed) session."""
        return {
            "state": self.state,
            "nonce": self.nonce,
            "code_verifier": self.code_verifier,
            "redirect_uri": self.redirect_uri,
            "created_at": self.created_at,
            "scope": self.scope,
            "max_age": self.max_age,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LoginTransaction:
        try:
            transaction = cls(
                state=str(data["state"]),
                nonce=str(data["nonce"]),
                code_verifier=str(data["code_verifier"]),
                redirect_uri=str(data["redirect_uri"]),
                created_at=float(data["created_at"]),
                scope=str(data.get("scope", "openid")),
                max_age=None if data.get("max_age") is None else int(data["max_age"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise LoginError(f"stored login transaction is incomplete: {exc}") from None
        code_challenge_s256(transaction.code_verifier)  # rejects a tampered verifier shape
        return transaction


@dataclass(frozen=True)
class LoginOptions:
    """Optional parameters of the authorization request."""

    prompt: str | None = None
    login_hint: str | None = None
    kc_idp_hint: str | None = None
    acr_values: str | None = None
    max_age: int | None = None
    ui_locales: str | None = None
    scopes: tuple[str, ...] = ()
    offline_access: bool = False


@dataclass(frozen=True)
class LoginResult:
    """A completed login: validated tokens and the ID token claims."""

    tokens: TokenSet
    id_token_claims: IdTokenClaims = field(repr=False)

    @property
    def subject(self) -> str:
        return self.id_token_claims.sub or ""


def scope_for(base: tuple[str, ...], options: LoginOptions) -> str:
    scopes = ["openid", *base, *options.scopes]
    if options.offline_access:
        scopes.append("offline_access")
    return " ".join(dict.fromkeys(scopes))  # ordered, de-duplicated


def authorization_params(transaction: LoginTransaction, options: LoginOptions) -> dict[str, Any]:
    """Keyword arguments shared by the core's `oidc.authorization_url` and
    `oidc.pushed_authorization` (unset options stay None: the core does not send them)."""
    return {
        "response_type": "code",
        "redirect_uri": transaction.redirect_uri,
        "scope": transaction.scope,
        "state": transaction.state,
        "nonce": transaction.nonce,
        "code_challenge": transaction.code_challenge,
        "code_challenge_method": "S256",
        "prompt": options.prompt,
        "login_hint": options.login_hint,
        "kc_idp_hint": options.kc_idp_hint,
        "acr_values": options.acr_values,
        "max_age": options.max_age,
        "ui_locales": options.ui_locales,
    }


@dataclass(frozen=True)
class CallbackParams:
    """What came back to the redirect URI."""

    code: str | None = field(default=None, repr=False)
    state: str | None = field(default=None, repr=False)
    iss: str | None = None
    error: str | None = None
    error_description: str | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> CallbackParams:
        return cls(
            code=query.get("code"),
            state=query.get("state"),
            iss=query.get("iss"),
            error=query.get("error"),
            error_description=query.get("error_description"),
        )


def check_callback(
    transaction: LoginTransaction,
    params: CallbackParams,
    *,
    issuer: str,
    iss_required: bool,
    now: float,
    max_age: float = DEFAULT_MAX_LOGIN_AGE,
) -> str:
    """Verify state, issuer (RFC 9207) and age; return the authorization code."""
    # State first: an error redirect with a foreign state must not be trusted either.
    if params.state is None or not hmac.compare_digest(
        params.state.encode("utf-8"), transaction.state.encode("utf-8")
    ):
        raise StateMismatchError("the state on the redirect does not match this login")
    if params.iss is not None or iss_required:
        if params.iss is None:
            raise IssuerMismatchError("the server advertises RFC 9207 but sent no 'iss'")
        if not hmac.compare_digest(params.iss.encode("utf-8"), issuer.encode("utf-8")):
            raise IssuerMismatchError("the redirect's 'iss' names another issuer")
    if params.error is not None:
        raise AuthorizationError(params.error, params.error_description)
    if now - transaction.created_at > max_age:
        raise LoginError("the login took too long; start a new one")
    if not params.code:
        raise LoginError("the redirect carries no authorization code")
    return params.code
