"""The console's pages over real loopback HTTP, signed in through the bundled test identity
provider: pagination, filters, dates local to the structure, the choices a decision accepts,
the sign-in's redirect target, an unverified e-mail, sign-out, security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from connector.console.app import create_console_app
from connector.console.context import ConsoleContext, LiveMappings
from connector.console.settings import load_console_settings
from connector.domain.matching import ReviewReason
from connector.domain.model import Dossier, Participation, ParticipationStatus
from connector.domain.plan import Review
from connector.entrypoints.serving import running
from connector.metrics import Metrics
from connector.simulators.oidc import DemoUser, create_oidc_app
from connector.store.sql import SqlStateStore
from tests.e2e.test_cli import free_port
from tests.fakes import FakeIMilo
from tests.oidc_flow import through_provider

pytestmark = pytest.mark.integration

PARIS, REUNION = "75010S00", "97411S00"
CLIENT = ("console-test", "console-test-secret")
PARIS_USER = DemoUser("paris", "Conseillere@ML-Paris.example.fr", "Paris", ("ml-paris",))
REUNION_USER = DemoUser("reunion", "conseiller@ml-reunion.example.fr", "Réunion")
ADMIN = DemoUser("admin", "admin@example.fr", "Admin", ("admins",))
NOBODY = DemoUser("nobody", "personne@example.fr", "Personne")
# Claims the Réunion counsellor's address, which the provider has not verified.
IMPOSTOR = DemoUser("impostor", "conseiller@ml-reunion.example.fr", "X", email_verified=False)
HOMONYMS = 5000  # an item with two candidates, one of them in another structure
MOMENT = datetime(2026, 3, 12, 20, 1, tzinfo=UTC)  # 13/03 in Réunion, 12/03 in Paris


@dataclass
class Console:
    url: str
    store: SqlStateStore
    imilo: FakeIMilo


def _queue(store: SqlStateStore) -> None:
    items = []
    for n in range(120):  # Paris: 120 open items, more than two pages
        reason = ReviewReason.NO_CANDIDATE if n % 2 else ReviewReason.WEAK_MATCH
        items.append((Review(1000 + n, 10, PARIS, reason), _participation(1000 + n)))
    items.append((Review(2000, 20, REUNION, ReviewReason.NO_CANDIDATE), _participation(2000)))
    ranked = ((700001, 0.97), (700002, 0.95))
    items.append(
        (
            Review(HOMONYMS, 10, PARIS, ReviewReason.HOMONYMS, ranked=ranked),
            _participation(HOMONYMS),
        )
    )
    store.reviews.put(items, datetime.now(UTC) - timedelta(days=3))


def _participation(pid: int) -> Participation:
    return Participation(
        id=pid,
        campaign_id=10,
        status=ParticipationStatus.SHARED,
        created_at=MOMENT,
        shared_at=MOMENT,
        participant_id=None,
        mastery_rate=0.4,
        first_name="Typedfirst",
        last_name="Typedlast",
        external_id=None,
    )


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "console.yaml").write_text(
        f"admins: [admins]\nstructures:\n  '{PARIS}': [ml-paris]\n"
        f"  '{REUNION}': [conseiller@ml-reunion.example.fr]\n"
        f"  '75011S00': [personne-autre@example.fr]\n",
        encoding="utf-8",
    )
    store = SqlStateStore.open(f"sqlite:///{tmp_path / 'state.db'}")
    _queue(store)
    imilo = FakeIMilo(
        dossiers=[
            Dossier(700001, PARIS, "HOARAU", None, "Maëlys", None, date(2007, 5, 4)),
            Dossier(700002, REUNION, "HOARAU", None, "Maëlle", None, date(2006, 1, 2)),
        ]
    )
    users = [PARIS_USER, REUNION_USER, ADMIN, NOBODY, IMPOSTOR]
    provider = create_oidc_app(users, client_id=CLIENT[0], client_secret=CLIENT[1])
    port = free_port()
    with running(provider) as issuer:
        settings = load_console_settings(
            CONNECTOR_CONSOLE_PORT=port,
            CONNECTOR_PUBLIC_URL=f"http://127.0.0.1:{port}",
            CONNECTOR_OIDC_ISSUER=issuer,
            CONNECTOR_OIDC_CLIENT_ID=CLIENT[0],
            CONNECTOR_OIDC_CLIENT_SECRET=CLIENT[1],
            CONNECTOR_SESSION_SECRET="k" * 48,
        )
        context = ConsoleContext(settings, store, imilo, LiveMappings(mappings), Metrics())
        with running(create_console_app(context), port=port) as url:
            yield Console(url, store, imilo)
    store.close()


def _sign_in(console: Console, user: DemoUser, start: str = "/a-verifier") -> httpx.Client:
    client = httpx.Client(timeout=10)
    going = client.get(console.url + start)
    assert going.status_code == 303
    to_idp = client.get(console.url + going.headers["location"])
    back = through_provider(client, to_idp.headers["location"], user.sub)
    assert back.status_code == 303, back.text[:300]
    return client


def _csrf(text: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', text)
    assert found is not None
    return found.group(1)


def test_pages_of_fifty_and_a_reason_filter(console: Console) -> None:
    client = _sign_in(console, PARIS_USER)
    first = client.get(f"{console.url}/a-verifier")
    assert "121 éléments à vérifier — page 1 sur 3" in first.text
    assert first.text.count("<tr>") == 51  # the header row and 50 items
    third = client.get(f"{console.url}/a-verifier?page=3")
    assert third.text.count("<tr>") == 22 and "Page précédente" in third.text
    weak = client.get(f"{console.url}/a-verifier?raison=weak_match")
    assert "60 éléments à vérifier" in weak.text
    assert "ressemblance insuffisante" in weak.text and "aucun jeune correspondant" in weak.text
    assert "2000</td>" not in first.text  # Réunion's item


def test_dates_are_local_to_the_structure(console: Console) -> None:
    reunion = _sign_in(console, REUNION_USER)
    assert "13/03/2026" in reunion.get(f"{console.url}/a-verifier").text
    paris = _sign_in(console, PARIS_USER)
    assert "12/03/2026" in paris.get(f"{console.url}/a-verifier/{HOMONYMS}").text


def test_a_candidate_of_another_structure_shows_no_name_and_cannot_be_chosen(
    console: Console,
) -> None:
    client = _sign_in(console, PARIS_USER)
    page = client.get(f"{console.url}/a-verifier/{HOMONYMS}")
    assert "Maëlys" in page.text and "04/05/2007" in page.text
    assert "Maëlle" not in page.text and "dossier d'une autre structure" in page.text
    assert 'value="dossier:700002"' not in page.text
    url = f"{console.url}/a-verifier/{HOMONYMS}/decision"
    made_up = client.post(url, data={"csrf": _csrf(page.text), "choix": "dossier:123"})
    assert made_up.status_code == 400
    assert console.store.reviews.get(HOMONYMS).status == "open"
    chosen = client.post(url, data={"csrf": _csrf(page.text), "choix": "dossier:700001"})
    assert chosen.status_code == 303
    entry = console.store.reviews.get(HOMONYMS)
    assert (entry.status, entry.resolved_dossier_id) == ("resolved", 700001)
    assert entry.decided_by == "conseillere@ml-paris.example.fr"
    late = client.post(url, data={"csrf": _csrf(page.text), "choix": "rien"})
    assert late.status_code == 303
    assert "déjà été décidé" in client.get(console.url + late.headers["location"]).text
    assert console.store.reviews.get(HOMONYMS).status == "resolved"


def test_sign_in_goes_back_only_to_a_page_of_the_console(console: Console) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client = httpx.Client(timeout=10)
        start = client.get(f"{console.url}/connexion", params={"suivant": target})
        back = through_provider(client, start.headers["location"], PARIS_USER.sub)
        assert back.headers["location"] == "/"


def test_a_user_listed_nowhere_sees_nothing_and_is_told_why(console: Console) -> None:
    client = _sign_in(console, NOBODY)
    page = client.get(f"{console.url}/a-verifier")
    assert "0 élément à vérifier" in page.text and "aucune structure" in page.text
    assert client.get(f"{console.url}/a-verifier/{HOMONYMS}").status_code == 404
    assert client.get(f"{console.url}/activite.csv?vue=national").status_code == 404


def test_admins_see_every_structure_and_the_national_csv(console: Console) -> None:
    client = _sign_in(console, ADMIN)
    assert "122 éléments à vérifier" in client.get(f"{console.url}/a-verifier").text
    csv = client.get(f"{console.url}/activite.csv?vue=national")
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    assert "attachment" in csv.headers["content-disposition"]


def test_sign_out_needs_the_form_token_and_ends_the_session(console: Console) -> None:
    client = _sign_in(console, PARIS_USER)
    page = client.get(f"{console.url}/a-verifier")
    assert client.post(f"{console.url}/deconnexion").status_code == 403
    out = client.post(f"{console.url}/deconnexion", data={"csrf": _csrf(page.text)})
    assert out.status_code == 200 and "déconnecté" in out.text
    assert client.get(f"{console.url}/a-verifier").status_code == 303


def test_pages_carry_the_security_headers_and_the_cookie_its_flags(console: Console) -> None:
    client = httpx.Client(timeout=10)
    answer = client.get(f"{console.url}/connexion")
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie  # loopback: plain http; `Secure` elsewhere (settings test)
    page = _sign_in(console, PARIS_USER).get(f"{console.url}/a-verifier")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"


def test_the_charter_page_reads_i_milo_at_most_every_quarter_hour(console: Console) -> None:
    client = _sign_in(console, ADMIN)
    first = client.get(f"{console.url}/charte")
    assert first.status_code == 200 and PARIS in first.text
    asked = [c for c in console.imilo.calls if c.method == "structure"]
    assert {c.args[0] for c in asked} == {PARIS, REUNION, "75011S00"}
    again = client.get(f"{console.url}/charte")
    assert again.status_code == 200 and "au plus tous les quarts d'heure" in again.text
    assert [c for c in console.imilo.calls if c.method == "structure"] == asked


def test_an_unverified_e_mail_grants_nothing(console: Console) -> None:
    client = _sign_in(console, IMPOSTOR)
    page = client.get(f"{console.url}/a-verifier")
    assert "0 élément à vérifier" in page.text and "aucune structure" in page.text
    assert client.get(f"{console.url}/a-verifier/2000").status_code == 404
