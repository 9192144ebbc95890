"""The gateway's authentication: a key per API product, the operator, a bearer token from
client credentials renewed before it expires and once on a 401; no secret ever echoed."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from connector.errors import ConfigurationError, FatalApiError, TransientApiError
from connector.imilo.gateway_auth import API_PRODUCTS, GatewayAuth, product_keys, product_of
from connector.logs import MASK, _scrub

BASE = "http://gateway.test"
TOKEN_URL = "http://idp.test/oauth/token"
KEYS = {product: f"{product}-key" for product in API_PRODUCTS}
SECRET = "client-s3cr3t-value"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def token(value: str, expires_in: object = 300) -> httpx.Response:
    return httpx.Response(
        200, json={"access_token": value, "token_type": "Bearer", "expires_in": expires_in}
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(clock: Clock) -> Iterator[httpx.Client]:
    auth = GatewayAuth(
        TOKEN_URL, "connector", SECRET, operateur="APPLICATION_CEJ", api_keys=KEYS, clock=clock
    )
    with httpx.Client(base_url=BASE, auth=auth) as client:
        yield client


@pytest.mark.parametrize(
    ("path", "product"),
    [
        ("/operateurs/structures/75010S00/sessions?page=1", "sessions-structure"),
        ("/operateurs/sessions/7001", "session-detail"),
        ("/operateurs/sessions/7001/inscrits", "session-detail"),
        ("/operateurs/dossiers/1001/instances-session/9001", "instances-ecriture"),
        ("/sue/dossiers/1001", "dossiers"),
        ("/operateurs/structures/a%2Fsessions", None),
        ("/operateurs/dossiers/1001/instances-session/9001/x", None),
    ],
)
def test_each_route_has_its_product(path: str, product: str | None) -> None:
    assert product_of(path) == product


@respx.mock
def test_each_route_carries_its_product_key_the_operator_and_a_token(
    client: httpx.Client,
) -> None:
    idp = respx.post(TOKEN_URL).mock(return_value=token("tok-1-abcdef"))
    sessions = respx.get(f"{BASE}/operateurs/structures/75010S00/sessions").respond(200, json={})
    inscrits = respx.get(f"{BASE}/operateurs/sessions/7/inscrits").respond(200, json=[])
    write = respx.put(f"{BASE}/operateurs/dossiers/1/instances-session/9").respond(204)
    dossier = respx.get(f"{BASE}/sue/dossiers/1").respond(200, json={})
    client.get("/operateurs/structures/75010S00/sessions")
    client.get("/operateurs/sessions/7/inscrits")
    client.put("/operateurs/dossiers/1/instances-session/9", json={})
    client.get("/sue/dossiers/1")
    for route, product in (
        (sessions, "sessions-structure"),
        (inscrits, "session-detail"),
        (write, "instances-ecriture"),
    ):
        headers = route.calls.last.request.headers
        assert headers["X-Gravitee-Api-Key"] == f"{product}-key"
        assert headers["operateur"] == "APPLICATION_CEJ"
        assert headers["Authorization"] == "Bearer tok-1-abcdef"
    headers = dossier.calls.last.request.headers
    assert headers["X-Gravitee-Api-Key"] == "dossiers-key"
    assert "Authorization" not in headers and "operateur" not in headers
    assert idp.call_count == 1  # one token for all
    form = parse_qs(idp.calls.last.request.content.decode())
    assert form == {
        "grant_type": ["client_credentials"],
        "client_id": ["connector"],
        "client_secret": [SECRET],
    }
    assert "X-Gravitee-Api-Key" not in idp.calls.last.request.headers


@respx.mock
def test_the_token_is_renewed_before_it_expires(client: httpx.Client, clock: Clock) -> None:
    idp = respx.post(TOKEN_URL)
    idp.side_effect = [token("tok-1-abcdef", 300), token("tok-2-abcdef", 300)]
    route = respx.get(f"{BASE}/operateurs/sessions/7").respond(200, json={})
    client.get("/operateurs/sessions/7")
    clock.now += 200  # within the token's life, before the margin
    client.get("/operateurs/sessions/7")
    assert idp.call_count == 1
    clock.now += 45  # 245 s: within a minute of expiry
    client.get("/operateurs/sessions/7")
    assert idp.call_count == 2
    assert route.calls.last.request.headers["Authorization"] == "Bearer tok-2-abcdef"


@pytest.mark.parametrize("expires_in", [None, "soon", -5, True, "nan"])
def test_a_lifetime_that_makes_no_sense_is_the_default(
    client: httpx.Client, clock: Clock, expires_in: object
) -> None:
    with respx.mock:
        idp = respx.post(TOKEN_URL)
        idp.side_effect = [token("tok-1-abcdef", expires_in), token("tok-2-abcdef")]
        respx.get(f"{BASE}/operateurs/sessions/7").respond(200, json={})
        client.get("/operateurs/sessions/7")
        clock.now += 200
        client.get("/operateurs/sessions/7")
        assert idp.call_count == 1
        clock.now += 100
        client.get("/operateurs/sessions/7")
        assert idp.call_count == 2


@respx.mock
def test_a_401_renews_the_token_once(client: httpx.Client) -> None:
    idp = respx.post(TOKEN_URL)
    idp.side_effect = [token("tok-1-abcdef"), token("tok-2-abcdef"), token("tok-3-abcdef")]
    route = respx.get(f"{BASE}/operateurs/sessions/7")
    route.side_effect = [httpx.Response(401), httpx.Response(200, json={})]
    assert client.get("/operateurs/sessions/7").status_code == 200
    assert idp.call_count == 2
    assert route.calls.last.request.headers["Authorization"] == "Bearer tok-2-abcdef"
    route.side_effect = None
    route.return_value = httpx.Response(401)
    assert client.get("/operateurs/sessions/7").status_code == 401  # once, not forever
    assert idp.call_count == 3
    assert route.call_count == 4


@respx.mock
def test_a_refused_token_request_names_the_settings_not_the_secret(client: httpx.Client) -> None:
    respx.post(TOKEN_URL).respond(401, json={"error": "invalid_client", "echo": SECRET})
    respx.get(f"{BASE}/operateurs/sessions/7").respond(200, json={})
    with pytest.raises(FatalApiError) as caught:
        client.get("/operateurs/sessions/7")
    assert "IMILO_CLIENT_ID" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert _scrub(f"oops {SECRET}") == f"oops {MASK}"


@respx.mock
def test_an_unavailable_token_service_is_transient(client: httpx.Client) -> None:
    respx.post(TOKEN_URL).respond(503)
    with pytest.raises(TransientApiError):
        client.get("/operateurs/sessions/7")


@respx.mock
def test_every_token_is_kept_out_of_the_logs(client: httpx.Client) -> None:
    respx.post(TOKEN_URL).mock(return_value=token("tok-secret-123456"))
    respx.get(f"{BASE}/operateurs/sessions/7").respond(200, json={})
    client.get("/operateurs/sessions/7")
    assert _scrub("Bearer tok-secret-123456") == f"Bearer {MASK}"
    assert _scrub(f"key {KEYS['dossiers']}") == f"key {MASK}"


def test_a_missing_product_key_falls_back_to_the_default_or_is_named() -> None:
    keys = product_keys("default-key", {"dossiers": "dossiers-key"})
    assert keys["dossiers"] == "dossiers-key"
    assert keys["session-detail"] == "default-key"
    with pytest.raises(ConfigurationError, match="sessions-structure, session-detail"):
        product_keys(None, {"dossiers": "dossiers-key", "instances-ecriture": "w"})
    with pytest.raises(ConfigurationError, match="unknown API product"):
        product_keys("default-key", {"dosiers": "k"})
    with pytest.raises(ConfigurationError, match="dossiers"):
        GatewayAuth(TOKEN_URL, "c", SECRET, operateur="o", api_keys={"session-detail": "k"})
