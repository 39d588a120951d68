"""DPoP (RFC 9449): forged and replayed proofs against the resource-server verifier, and the
client side's proofs and nonce handling against the hostile provider."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from keycloak_sdk.extensions import Client
from keycloak_sdk.extensions.dpop import (
    DPoPKey,
    DPoPVerifier,
    InvalidDPoPProofError,
    access_token_hash,
    check_token_binding,
    jwk_thumbprint,
)
from keycloak_sdk.extensions.dpop_client import DPoPTransport
from keycloak_sdk.extensions.errors import UnexpectedTokenTypeError
from keycloak_sdk.extensions.jose import sign_jwt
from keycloak_sdk.extensions.jose.jwk import public_key_to_jwk

from tests.hostile.apps import FRAMEWORKS, PUBLIC_URL, example_client
from tests.hostile.provider import CLIENT_ID, CLIENT_SECRET, REALM, HostileProvider, b64url

URL = "https://api.example/orders"
TOKEN = "access-token-value"


@pytest.fixture
def key() -> DPoPKey:
    return DPoPKey()


def _verifier(**options: Any) -> DPoPVerifier:
    return DPoPVerifier(**options)


def _verify(verifier: DPoPVerifier, proof: str | None, **overrides: Any) -> Any:
    arguments: dict[str, Any] = {"method": "GET", "url": URL, "access_token": TOKEN}
    arguments.update(overrides)
    return verifier.verify(proof, **arguments)


def _forged(key: DPoPKey, header: dict[str, object], claims: dict[str, object]) -> str:
    private = key._key  # the test forges with the real private key
    return sign_jwt(claims, private, alg="ES256", headers=header)


def _claims(**changes: object) -> dict[str, object]:
    claims: dict[str, object] = {
        "jti": f"j-{time.monotonic_ns()}",
        "htm": "GET",
        "htu": URL,
        "iat": int(time.time()),
        "ath": access_token_hash(TOKEN),
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def test_a_correct_proof_is_accepted_once(key: DPoPKey) -> None:
    verifier = _verifier()
    proof = key.proof("GET", URL + "?page=2#x", access_token=TOKEN)
    verified = _verify(
        verifier, proof, url="HTTPS://API.example:443/orders?page=2", token_jkt=key.jkt
    )
    assert verified.jkt == key.jkt
    with pytest.raises(InvalidDPoPProofError, match="replayed"):
        _verify(verifier, proof, token_jkt=key.jkt)


def _header(key: DPoPKey, **changes: object) -> dict[str, object]:
    header: dict[str, object] = {"typ": "dpop+jwt", "jwk": key.public_jwk}
    header.update(changes)
    return {k: v for k, v in header.items() if v is not None}


FORGED = [
    ("no-proof", None, "no DPoP proof"),
    ("not-a-jws", "abc.def", "compact JWS"),
    ("typ-jwt", "typ=JWT", "typ"),
    ("no-jwk", "jwk=None", "no jwk"),
    ("private-jwk", "private", "private key"),
    ("wrong-htm", "htm=POST", "htm"),
    ("wrong-htu", "htu=https://api.example/other", "htu"),
    ("old-iat", "iat=old", "iat"),
    ("future-iat", "iat=future", "iat"),
    ("no-jti", "jti=None", "jti"),
    ("wrong-ath", "ath=other", "ath"),
    ("no-ath", "ath=None", "ath"),
    ("foreign-signature", "foreign", "signature"),
    ("hs256", "hs256", "alg"),
]


def _make(key: DPoPKey, how: str | None) -> str | None:
    if how is None or how == "abc.def":
        return how
    header, claims = _header(key), _claims()
    if how == "typ=JWT":
        header["typ"] = "JWT"
    elif how == "jwk=None":
        del header["jwk"]
    elif how == "private":
        header["jwk"] = {**key.public_jwk, "d": b64url(b"\x01" * 32)}
    elif how == "htm=POST":
        claims["htm"] = "POST"
    elif how.startswith("htu="):
        claims["htu"] = how[4:]
    elif how == "iat=old":
        claims["iat"] = int(time.time()) - 3600
    elif how == "iat=future":
        claims["iat"] = int(time.time()) + 3600
    elif how == "jti=None":
        del claims["jti"]
    elif how == "ath=other":
        claims["ath"] = access_token_hash("another-token")
    elif how == "ath=None":
        del claims["ath"]
    elif how == "foreign":
        other = ec.generate_private_key(ec.SECP256R1())
        return sign_jwt(claims, other, alg="ES256", headers=header)
    elif how == "hs256":
        return sign_jwt(claims, b"k" * 32, alg="HS256", headers=header)
    return _forged(key, header, claims)


@pytest.mark.parametrize(("how", "reason"), [pytest.param(h, r, id=i) for i, h, r in FORGED])
def test_forged_proof_is_refused(key: DPoPKey, how: str | None, reason: str) -> None:
    with pytest.raises(InvalidDPoPProofError, match=reason):
        _verify(_verifier(), _make(key, how), token_jkt=key.jkt)


def test_proof_from_another_key_than_the_token_is_bound_to(key: DPoPKey) -> None:
    other = DPoPKey()
    with pytest.raises(InvalidDPoPProofError, match="bound to"):
        _verify(_verifier(), other.proof("GET", URL, access_token=TOKEN), token_jkt=key.jkt)


def test_refused_proof_does_not_use_up_its_jti(key: DPoPKey) -> None:
    verifier = _verifier()
    proof = key.proof("GET", URL, access_token=TOKEN)
    with pytest.raises(InvalidDPoPProofError):
        _verify(verifier, proof, method="POST")
    assert _verify(verifier, proof).jkt == key.jkt


def test_nonce_is_required_when_the_server_has_one(key: DPoPKey) -> None:
    verifier = _verifier()
    with pytest.raises(InvalidDPoPProofError, match="nonce"):
        _verify(verifier, key.proof("GET", URL, access_token=TOKEN), nonce="n-1")
    assert _verify(verifier, key.proof("GET", URL, access_token=TOKEN, nonce="n-1"), nonce="n-1")


def test_bound_token_presented_as_bearer_is_refused(key: DPoPKey) -> None:
    claims = {"sub": "alice", "cnf": {"jkt": key.jkt}}
    with pytest.raises(InvalidDPoPProofError, match="DPoP scheme"):
        check_token_binding(claims, "Bearer")
    assert check_token_binding(claims, "DPoP") == key.jkt
    assert check_token_binding({"sub": "alice"}, "Bearer") is None


def test_thumbprint_is_rfc7638() -> None:
    # RFC 7638 section 3.1's example key and thumbprint.
    jwk = {
        "kty": "RSA",
        "n": (
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1"
            "L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4"
            "QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbO"
            "pbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csF"
            "Cur-kEgU8awapJzKnqDKgw"
        ),
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_proof_shape(key: DPoPKey) -> None:
    proof = key.proof("post", "https://sso.example/realms/r/token?x=1", access_token=TOKEN)
    header, claims = (json.loads(_b64decode(part)) for part in proof.split(".")[:2])
    assert header["typ"] == "dpop+jwt" and header["alg"] == "ES256"
    assert set(header["jwk"]) == {"kty", "crv", "x", "y"}
    assert jwk_thumbprint(header["jwk"]) == key.jkt
    assert claims["htm"] == "POST" and claims["htu"] == "https://sso.example/realms/r/token"
    assert claims["ath"] == access_token_hash(TOKEN) and len(claims["jti"]) >= 16
    assert repr(key) == f"DPoPKey(alg='ES256', jkt={key.jkt!r})"


def _b64decode(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


# -- the client side against the hostile provider --------------------------------------------


class NonceProvider:
    """Wraps the hostile provider's token endpoint: demands a DPoP nonce, checks proofs."""

    def __init__(self, provider: HostileProvider) -> None:
        self.provider = provider
        self.proofs: list[dict[str, Any]] = []
        self.verifier = DPoPVerifier()
        self.token_type = "DPoP"

    def handler(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if request.url.path.endswith("/token"):
            proof = request.headers.get("dpop")
            self.proofs.append({"proof": proof, "nonce_sent": True})
            try:
                verified = self.verifier.verify(
                    proof, method="POST", url=url, nonce="server-nonce-1"
                )
            except InvalidDPoPProofError as exc:
                error = "use_dpop_nonce" if "nonce" in exc.reason else "invalid_dpop_proof"
                return httpx.Response(
                    400, json={"error": error}, headers={"DPoP-Nonce": "server-nonce-1"}
                )
            body = {
                "access_token": self.provider.sign(
                    {**self.provider.access_claims(), "cnf": {"jkt": verified.jkt}}
                ),
                "token_type": self.token_type,
                "expires_in": 300,
            }
            return httpx.Response(200, json=body)
        # Everything else (discovery, JWKS) from the real hostile provider.
        answer = httpx.get(url, timeout=5)
        return httpx.Response(
            answer.status_code, content=answer.content, headers={"content-type": "application/json"}
        )


@pytest.fixture
def nonce_provider(provider: HostileProvider) -> Iterator[NonceProvider]:
    yield NonceProvider(provider)


def _dpop_client(
    provider: HostileProvider, fake: NonceProvider, key: DPoPKey, *, dpop: bool = True
) -> Client:
    transport = DPoPTransport(key, httpx.MockTransport(fake.handler))
    # The DPoP transport mounted on the caller's own client, as the docs describe.
    return Client(
        server_url=provider.base_url,
        realm=REALM,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        timeout=5,
        http_client=httpx.Client(transport=transport),
        dpop=key if dpop else False,
    )


def test_client_retries_once_with_the_servers_nonce(
    provider: HostileProvider, nonce_provider: NonceProvider, key: DPoPKey
) -> None:
    with _dpop_client(provider, nonce_provider, key) as client:
        tokens = client.client_credentials()
    assert tokens.token_type == "DPoP"
    assert len(nonce_provider.proofs) == 2  # refused without the nonce, then accepted
    assert key.nonce_for(provider.base_url) == "server-nonce-1"


def test_dpop_token_type_is_refused_when_dpop_is_not_in_use(
    provider: HostileProvider, nonce_provider: NonceProvider, key: DPoPKey
) -> None:
    with (
        _dpop_client(provider, nonce_provider, key, dpop=False) as client,
        pytest.raises(UnexpectedTokenTypeError),
    ):
        client.client_credentials()


def test_dpop_client_refuses_a_caller_http_client() -> None:
    with pytest.raises(ValueError, match="DPoPTransport"):
        Client(  # a plain http_client: proofs could not be added
            server_url="http://127.0.0.1:9",
            realm=REALM,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            http_client=httpx.Client(),
            dpop=True,
        )


def test_public_jwk_matches_the_key(key: DPoPKey) -> None:
    public = key._key.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    expected = public_key_to_jwk(public)
    assert {k: expected[k] for k in ("kty", "crv", "x", "y")} == key.public_jwk


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_middleware_refuses_a_bound_token_presented_as_bearer(
    framework: str, provider: HostileProvider, key: DPoPKey
) -> None:
    bound = provider.sign({**provider.access_claims(), "typ": "DPoP", "cnf": {"jkt": key.jkt}})
    with example_client(framework, provider.base_url) as app:
        answer = app.get("/api/me", headers={"Authorization": f"Bearer {bound}"})
        plain = app.get("/api/me", headers={"Authorization": f"Bearer {provider.access_token()}"})
    assert answer.status_code == 401
    assert "DPoP-bound" in answer.headers["www-authenticate"]
    assert plain.status_code == 200


def test_validator_needs_cnf_on_a_dpop_typed_token(provider: HostileProvider) -> None:
    from keycloak_sdk.extensions.jose import InvalidTokenTypeError, JwksCache
    from keycloak_sdk.extensions.validation import TokenValidator

    url = f"{provider.issuer}/protocol/openid-connect/certs"
    validator = TokenValidator(
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        jwks=JwksCache(lambda: httpx.get(url, timeout=5).content),
    )
    unbound = provider.sign({**provider.access_claims(), "typ": "DPoP"})
    with pytest.raises(InvalidTokenTypeError, match="cnf"):
        validator.validate_access_token(unbound)
    bound = provider.sign({**provider.access_claims(), "typ": "DPoP", "cnf": {"jkt": "x"}})
    assert validator.validate_access_token(bound).raw["cnf"] == {"jkt": "x"}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_middleware_accepts_the_dpop_scheme_with_a_proof(
    framework: str, provider: HostileProvider, key: DPoPKey
) -> None:
    bound = provider.sign({**provider.access_claims(), "typ": "DPoP", "cnf": {"jkt": key.jkt}})
    url = f"{PUBLIC_URL}/api/me"
    auth = {"Authorization": f"DPoP {bound}"}
    with example_client(framework, provider.base_url) as app:
        proof = key.proof("GET", url, access_token=bound)
        ok = app.get("/api/me", headers={**auth, "DPoP": proof})
        replayed = app.get("/api/me", headers={**auth, "DPoP": proof})
        missing = app.get("/api/me", headers=auth)
        thief = DPoPKey().proof("GET", url, access_token=bound)
        stolen = app.get("/api/me", headers={**auth, "DPoP": thief})
        wrong_url = app.get(
            "/api/me", headers={**auth, "DPoP": key.proof("GET", url + "x", access_token=bound)}
        )
    assert ok.status_code == 200, (ok.status_code, ok.text)
    for answer, reason in (
        (replayed, "replayed"),
        (missing, "no DPoP proof"),
        (stolen, "bound to"),
        (wrong_url, "htu"),
    ):
        assert answer.status_code == 401, (reason, answer.status_code)
        assert answer.headers["www-authenticate"].startswith("DPoP ")
        assert reason in answer.json()["error_description"]
