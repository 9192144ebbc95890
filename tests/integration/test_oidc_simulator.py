"""The demo OpenID Connect provider over loopback HTTP: the whole code flow with PKCE S256.

The shapes checked here are the public specifications': OpenID Connect Discovery 1.0 §3
(discovery), OpenID Connect Core 1.0 §2 (ID token claims), RFC 6749 §5.1–5.2 (token answer and
errors), RFC 7636 §4.2 (S256) and RFC 7517 §5 (JWK set)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.deprecate import AuthlibDeprecationWarning

from connector.entrypoints.serving import running
from connector.simulators.oidc import DemoUser, create_oidc_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client
    from authlib.jose import JsonWebKey, jwt

pytestmark = pytest.mark.integration

CLIENT_ID = "pix-imilo-console"
CLIENT_SECRET = "console-secret"
REDIRECT_URI = "http://127.0.0.1:8765/auth/callback?from=demo"
USERS = (
    DemoUser("u-camille", "camille@example.org", "Camille (conseillère, 65440S00)", ("65440S00",)),
    DemoUser("u-dominique", "dominique@example.org", "Dominique <admin> & co", ("admins", "x")),
)


class _Form(HTMLParser):
    """The hidden inputs and the submit buttons of the sign-in page."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.buttons: list[dict[str, str]] = []
        self.tags: set[str] = set()
        self._button: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        found = {k: v or "" for k, v in attrs}
        if tag == "input" and found.get("type") == "hidden":
            self.hidden[found["name"]] = found["value"]
        if tag == "button":
            self._button = {**found, "label": ""}
            self.buttons.append(self._button)

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._button = None

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button["label"] += data


def parse_form(html: str) -> _Form:
    form = _Form()
    form.feed(html)
    return form


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Provider:
    base_url: str
    http: httpx.Client

    def authorize_params(self, verifier: str, **overrides: str) -> dict[str, str]:
        params = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": "openid email profile",
            "state": "state-123",
            "nonce": "nonce-456",
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
        }
        return {k: v for k, v in {**params, **overrides}.items() if v != ""}

    def sign_in(self, sub: str, params: dict[str, str]) -> dict[str, list[str]]:
        """Opens the sign-in page, picks ``sub``; the redirect's query."""
        page = self.http.get("/authorize", params=params)
        assert page.status_code == 200, page.text
        form = parse_form(page.text)
        answer = self.http.post("/authorize", data={**form.hidden, "sub": sub})
        assert answer.status_code == 302, answer.text
        location = answer.headers["location"]
        assert location.startswith(params["redirect_uri"].split("?")[0])
        return parse_qs(urlsplit(location).query)

    def code(self, verifier: str, sub: str = "u-camille", **overrides: str) -> str:
        return self.sign_in(sub, self.authorize_params(verifier, **overrides))["code"][0]

    def exchange(
        self, code: str, verifier: str, secret: str = CLIENT_SECRET, **form: str
    ) -> httpx.Response:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
            **form,
        }
        return self.http.post("/token", data=data, auth=(CLIENT_ID, secret))

    def claims(self, id_token: str) -> Any:
        jwks = self.http.get("/jwks").json()
        claims = jwt.decode(id_token, JsonWebKey.import_key_set(jwks))
        claims.options = {"iss": {"essential": True, "value": self.base_url}}
        claims.validate()
        return claims


@pytest.fixture
def provider() -> Iterator[Provider]:
    app = create_oidc_app(USERS, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with running(app) as base_url, httpx.Client(base_url=base_url, timeout=10.0) as http:
        yield Provider(base_url=base_url, http=http)


def test_discovery_names_the_endpoints_under_the_base_url(provider: Provider) -> None:
    config = provider.http.get("/.well-known/openid-configuration").json()
    base = provider.base_url
    assert config["issuer"] == base
    assert config["authorization_endpoint"] == f"{base}/authorize"
    assert config["token_endpoint"] == f"{base}/token"
    assert config["userinfo_endpoint"] == f"{base}/userinfo"
    assert config["jwks_uri"] == f"{base}/jwks"
    assert config["end_session_endpoint"] == f"{base}/logout"
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["response_types_supported"] == ["code"]
    assert config["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(config["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic",
        "client_secret_post",
    }
    assert "groups" in config["claims_supported"]
    keys = provider.http.get("/jwks").json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["kid"]
    assert "d" not in keys[0] and "p" not in keys[0]


def test_sign_in_page_lists_the_users_in_french_without_scripts(provider: Provider) -> None:
    page = provider.http.get("/authorize", params=provider.authorize_params("v" * 43))
    assert page.status_code == 200
    assert '<html lang="fr">' in page.text
    assert "Fournisseur d'identité de démonstration" in page.text
    assert "démonstration" in page.text.split("</h1>", 1)[1]
    form = parse_form(page.text)
    assert [b["value"] for b in form.buttons] == ["u-camille", "u-dominique"]
    assert all(b["type"] == "submit" and b["name"] == "sub" for b in form.buttons)
    assert "Camille (conseillère, 65440S00)" in form.buttons[0]["label"]
    assert "Dominique <admin> & co" in form.buttons[1]["label"]
    assert "<admin>" not in page.text  # escaped, not markup
    assert form.hidden["state"] == "state-123" and form.hidden["nonce"] == "nonce-456"
    assert form.hidden["code_challenge_method"] == "S256"
    assert "script" not in form.tags and "link" not in form.tags and "img" not in form.tags
    assert "src=" not in page.text and "href=" not in page.text


def test_code_flow_with_authlib_client_gives_a_verified_id_token(provider: Provider) -> None:
    verifier = secrets.token_urlsafe(48)
    with OAuth2Client(
        CLIENT_ID,
        CLIENT_SECRET,
        scope="openid email profile",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    ) as client:
        url, state = client.create_authorization_url(
            f"{provider.base_url}/authorize", code_verifier=verifier, nonce="n-0123"
        )
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        redirected = provider.sign_in("u-dominique", query)
        assert redirected["state"] == [state]
        assert redirected["from"] == ["demo"]  # the redirect_uri's own query is kept
        token = client.fetch_token(
            f"{provider.base_url}/token",
            code=redirected["code"][0],
            state=state,
            code_verifier=verifier,
        )
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert set(token["scope"].split()) == {"openid", "email", "profile"}
    claims = provider.claims(token["id_token"])
    assert claims["iss"] == provider.base_url
    assert claims["aud"] == CLIENT_ID
    assert claims["sub"] == "u-dominique"
    assert claims["nonce"] == "n-0123"
    assert claims["email"] == "dominique@example.org" and claims["email_verified"] is True
    assert claims["name"] == "Dominique <admin> & co"
    assert claims["groups"] == ["admins", "x"]
    assert claims["exp"] - claims["iat"] == 3600
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    info = provider.http.get("/userinfo", headers=bearer).json()
    assert info == {
        "sub": "u-dominique",
        "email": "dominique@example.org",
        "email_verified": True,
        "name": "Dominique <admin> & co",
        "groups": ["admins", "x"],
    }


def test_client_secret_post_is_accepted(provider: Provider) -> None:
    verifier = secrets.token_urlsafe(48)
    data = {
        "grant_type": "authorization_code",
        "code": provider.code(verifier),
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    answer = provider.http.post("/token", data=data)
    assert answer.status_code == 200, answer.text
    claims = provider.claims(answer.json()["id_token"])
    assert claims["sub"] == "u-camille" and claims["groups"] == ["65440S00"]
    assert claims["nonce"] == "nonce-456"


def test_a_wrong_code_verifier_is_refused(provider: Provider) -> None:
    verifier = secrets.token_urlsafe(48)
    answer = provider.exchange(provider.code(verifier), secrets.token_urlsafe(48))
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_grant"}


def test_a_code_is_single_use(provider: Provider) -> None:
    verifier = secrets.token_urlsafe(48)
    code = provider.code(verifier)
    assert provider.exchange(code, verifier).status_code == 200
    again = provider.exchange(code, verifier)
    assert again.status_code == 400
    assert again.json() == {"error": "invalid_grant"}


def test_a_wrong_client_secret_is_refused(provider: Provider) -> None:
    verifier = secrets.token_urlsafe(48)
    answer = provider.exchange(provider.code(verifier), verifier, secret="not-the-secret")
    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client"}
    no_auth = provider.http.post("/token", data={"grant_type": "authorization_code"})
    assert no_auth.status_code == 401


def test_a_wrong_redirect_uri_is_refused(provider: Provider) -> None:
    verifier = secrets.token_urlsafe(48)
    code = provider.code(verifier)
    answer = provider.exchange(code, verifier, redirect_uri="http://127.0.0.1:8765/elsewhere")
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_grant"}


@pytest.mark.parametrize(
    "overrides",
    [
        {"code_challenge": ""},
        {"code_challenge_method": ""},
        {"code_challenge_method": "plain"},
        {"response_type": "token"},
        {"client_id": "<script>alert(1)</script>"},
        {"redirect_uri": "javascript:alert(1)"},
        {"scope": "email"},
    ],
)
def test_bad_authorization_requests_get_a_400_page(
    provider: Provider, overrides: dict[str, str]
) -> None:
    params = provider.authorize_params(secrets.token_urlsafe(48), **overrides)
    page = provider.http.get("/authorize", params=params)
    assert page.status_code == 400
    assert '<html lang="fr">' in page.text and "Demande refusée" in page.text
    assert "<script>" not in page.text


def test_an_unknown_user_is_refused(provider: Provider) -> None:
    params = provider.authorize_params(secrets.token_urlsafe(48))
    answer = provider.http.post("/authorize", data={**params, "sub": "u-nobody"})
    assert answer.status_code == 400


def test_userinfo_needs_a_valid_bearer_token(provider: Provider) -> None:
    answer = provider.http.get("/userinfo", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_token"}


def test_logout_redirects_or_says_goodbye(provider: Provider) -> None:
    target = "http://127.0.0.1:8765/"
    answer = provider.http.get(
        "/logout", params={"post_logout_redirect_uri": target, "state": "s1"}
    )
    assert answer.status_code == 302
    assert answer.headers["location"] == f"{target}?state=s1"
    page = provider.http.get("/logout")
    assert page.status_code == 200
    assert "Vous êtes déconnecté." in page.text
