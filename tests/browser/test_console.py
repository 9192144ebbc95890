"""The web console in a real headless Chromium, against `pix-imilo console` (a real process)
and a third-party test OpenID provider (oidc-provider-mock), with the scenario's simulators.

A counsellor of structure A signs in, sees A's items and not B's, picks a dossier, and the
next `sync --once` writes exactly that result, once. A counsellor of B gets 404 on A's item;
a form posted without its CSRF token is refused; a signed-out visitor is sent to sign in.
The run takes the screenshots of docs/console/, and no log line carries personal data.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.domain.model import Participation, ParticipationStatus
from connector.domain.plan import Review, ReviewReason
from connector.store.sql import SqlStateStore
from tests import scenario
from tests.conftest import Systems, start_systems
from tests.e2e.test_cli import PIX_IMILO, appears, clean_env, cli, free_port

pytestmark = pytest.mark.browser

A, B = scenario.PARIS, scenario.REUNION
COUNSELLOR_A = ("conseillere-a", "camille.conseillere@ml-paris.example.fr", ["ml-paris-conseil"])
COUNSELLOR_B = ("conseiller-b", "noe.conseiller@ml-reunion.example.fr", [])
ADMIN = ("admin-national", "admin@pix-imilo.example.fr", ["pix-imilo-admins"])
B_ITEM = 990001  # a review item of structure B, queued by hand
B_NAMES = ("Zoelie", "Grondinette")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
SESSION_SECRET = "test-session-secret-" + "x" * 40
CLIENT_SECRET = "console-client-secret"


def _chromium() -> str | None:
    found = os.environ.get("PIX_IMILO_CHROMIUM") or shutil.which("chromium")
    if found is None and os.environ.get("PIX_IMILO_REQUIRE_BROWSER") == "1":
        pytest.fail("chromium not found (apt-get install chromium): the browser tests must run")
    return found


@dataclass
class Console:
    url: str
    idp_url: str
    systems: Systems
    env: dict[str, str]
    root: Path
    log: Path
    database_url: str


def _console_yaml(mappings: Path) -> None:
    (mappings / "console.yaml").write_text(
        f"admins:\n  - {ADMIN[2][0]}\nstructures:\n"
        f"  '{A}':\n    - {COUNSELLOR_A[2][0]}\n"
        f"  '{B}':\n    - {COUNSELLOR_B[1]}\n",
        encoding="utf-8",
    )


def _queue_an_item_of_b(database_url: str) -> None:
    store = SqlStateStore.open(database_url, migrate=False)
    moment = datetime(2026, 3, 12, 20, 0, tzinfo=UTC)
    participation = Participation(
        id=B_ITEM,
        campaign_id=20,
        status=ParticipationStatus.SHARED,
        created_at=moment,
        shared_at=moment,
        participant_id=None,
        mastery_rate=0.5,
        first_name=B_NAMES[0],
        last_name=B_NAMES[1],
        external_id=None,
    )
    review = Review(B_ITEM, 20, B, ReviewReason.NO_CANDIDATE)
    try:
        store.reviews.put([(review, participation)], datetime.now(UTC))
    finally:
        store.close()


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the console exited: {log.read_text(encoding='utf-8')[-2000:]}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail("the console did not start within 30 s")


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    from oidc_provider_mock import User, run_server_in_thread

    root = tmp_path_factory.mktemp("console")
    database_url = f"sqlite:///{root / 'state.db'}"
    users = [
        User(sub=sub, claims={"email": email, "groups": groups, "name": sub})
        for sub, email, groups in (COUNSELLOR_A, COUNSELLOR_B, ADMIN)
    ]
    with (
        start_systems(root) as systems,
        run_server_in_thread(user_claims=users) as idp,
    ):
        _console_yaml(systems.mappings_dir)
        env = clean_env({**systems.env(database_url), "CONNECTOR_LOG_LEVEL": "DEBUG"})
        first = cli(["sync", "--once", "--json"], env, root)
        assert first.returncode == 0, first.stderr
        _queue_an_item_of_b(database_url)
        port, idp_url = free_port(), f"http://localhost:{idp.server_port}"
        console_env = {
            **env,
            "CONNECTOR_HTTP_PORT": str(free_port()),
            "CONNECTOR_PUBLIC_URL": f"http://localhost:{port}",
            "CONNECTOR_OIDC_ISSUER": idp_url,
            "CONNECTOR_OIDC_CLIENT_ID": "pix-imilo-console",
            "CONNECTOR_OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "CONNECTOR_SESSION_SECRET": SESSION_SECRET,
        }
        log = root / "console.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [PIX_IMILO, "console", "--port", str(port)],
                env=console_env,
                cwd=root,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            try:
                url = f"http://localhost:{port}"
                _wait_for(f"{url}/static/console.css", process, log)
                yield Console(url, idp_url, systems, env, root, log, database_url)
            finally:
                process.terminate()
                process.wait(timeout=30)
        (root / "sync-1.log").write_text(first.stderr, encoding="utf-8")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    if executable is None:
        pytest.skip("no chromium here (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


def _sign_in(browser: Any, console: Console, sub: str, start: str = "/a-verifier") -> Any:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(console.url + start)
    assert page.url.startswith(console.idp_url), "a signed-out visitor goes to sign in"
    page.locator(f"button[name='sub'][value='{sub}']").click()
    page.wait_for_url(f"{console.url}/**")
    return page


def _accessible(page: Any) -> None:
    """No accessibility violation axe-core (WCAG 2.x A and AA rules) finds on the page."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
    results = Axe().run(page, options={"resultTypes": ["violations"], **options})
    assert results.violations_count == 0, results.generate_snapshot()


def _open_ids(page: Any) -> set[int]:
    cells = page.locator("table tbody tr td:first-child").all_inner_texts()
    return {int(text) for text in cells}


def _items(database_url: str, structure: str | None) -> set[int]:
    """The open items' ids, of one structure or (None) of all."""
    return {e.participation_id for e in _entries(database_url, structure)}


def test_a_signed_out_visitor_is_sent_to_sign_in(browser: Any, console: Console) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(console.url + "/activite")
    assert page.url.startswith(f"{console.idp_url}/oauth2/authorize")
    assert "code_challenge=" in page.url and "code_challenge_method=S256" in page.url
    context.close()


def test_a_counsellor_decides_and_the_next_sync_writes_exactly_that(
    browser: Any, console: Console
) -> None:
    page = _sign_in(browser, console, COUNSELLOR_A[0])
    cookie = next(c for c in page.context.cookies() if c["name"] == "pix_imilo_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    shown = _open_ids(page)
    assert shown == _items(console.database_url, A) and shown
    assert B_ITEM not in shown and not (_items(console.database_url, B) & shown)
    page.screenshot(path=str(SCREENSHOTS / "review-list.png"), full_page=True)
    _accessible(page)

    # Homonyms: two dossiers fit the typed names; the counsellor knows which one it is.
    item = next(
        e.participation_id
        for e in _entries(console.database_url, A)
        if e.reason == "homonyms" and len(e.ranked) == 2
    )
    chosen = _entry(console.database_url, item).ranked[1][0]
    page.locator(f"a[href='/a-verifier/{item}']").click()
    page.wait_for_url(f"{console.url}/a-verifier/{item}")
    assert page.locator("button", has_text="C'est ce dossier").count() == 2
    page.keyboard.press("Tab")  # the skip link first: the page works with the keyboard
    page.screenshot(path=str(SCREENSHOTS / "review-item.png"), full_page=True)
    _accessible(page)
    page.locator(f"button[value='dossier:{chosen}']").click()
    page.wait_for_url(f"{console.url}/a-verifier")
    assert "est retenu" in page.locator("[role=status]").inner_text()
    decided = _entry(console.database_url, item)
    assert decided.status == "resolved" and decided.resolved_dossier_id == chosen
    assert decided.decided_by == COUNSELLOR_A[1]

    before = console.systems.state()
    prescriptions = {p["id"]: p["idDossier"] for p in before["prescriptions"]}
    result = cli(["sync", "--once", "--json"], console.env, console.root)
    assert result.returncode == 0, result.stderr
    (console.root / "sync-2.log").write_text(result.stderr, encoding="utf-8")
    after = console.systems.state()
    changed = [
        p
        for p in after["prescriptions"]
        if p["statut"] != next(q for q in before["prescriptions"] if q["id"] == p["id"])["statut"]
    ]
    assert [prescriptions[p["id"]] for p in changed] == [chosen]
    again = cli(["sync", "--once", "--json"], console.env, console.root)
    assert again.returncode == 0 and console.systems.state()["writes"] == after["writes"]
    assert _entry(console.database_url, item).first_name is None  # erased once applied
    page.context.close()


def test_a_counsellor_of_b_gets_404_on_an_item_of_a(browser: Any, console: Console) -> None:
    page = _sign_in(browser, console, COUNSELLOR_B[0])
    assert _open_ids(page) == {B_ITEM}
    item_of_a = min(_items(console.database_url, A))
    answer = page.goto(f"{console.url}/a-verifier/{item_of_a}")
    assert answer is not None and answer.status == 404
    posted = page.request.post(
        f"{console.url}/a-verifier/{item_of_a}/decision", form={"choix": "rien"}
    )
    assert posted.status in (403, 404)
    assert _entry(console.database_url, item_of_a).status == "open"
    listed = page.goto(f"{console.url}/a-verifier?structure={A}")
    assert listed is not None and listed.status == 404
    page.context.close()


def test_a_form_without_its_csrf_token_is_refused(browser: Any, console: Console) -> None:
    page = _sign_in(browser, console, COUNSELLOR_A[0])
    item = min(_items(console.database_url, A))
    refused = page.request.post(f"{console.url}/a-verifier/{item}/decision", form={"choix": "rien"})
    assert refused.status == 403
    forged = page.request.post(
        f"{console.url}/a-verifier/{item}/decision", form={"choix": "rien", "csrf": "forged"}
    )
    assert forged.status == 403
    assert _entry(console.database_url, item).status == "open"
    page.context.close()


def test_admin_pages_activity_and_charter(browser: Any, console: Console) -> None:
    page = _sign_in(browser, console, ADMIN[0], "/activite")
    assert page.locator("h2", has_text="Vue nationale").count() == 1
    page.screenshot(path=str(SCREENSHOTS / "activity.png"), full_page=True)
    _accessible(page)
    csv = page.request.get(f"{console.url}/activite.csv?vue=national")
    assert csv.status == 200 and csv.body().startswith("\ufeff".encode())
    page.goto(f"{console.url}/charte")
    assert page.locator("h2", has_text=A).count() == 1
    page.screenshot(path=str(SCREENSHOTS / "charter.png"), full_page=True)
    _accessible(page)
    page.context.close()


def test_no_personal_data_in_any_log_line(console: Console) -> None:
    """Runs last (file order): every log line of the console and the syncs so far."""
    logs = console.log.read_text(encoding="utf-8")
    for name in ("sync-1.log", "sync-2.log"):
        path = console.root / name
        logs += path.read_text(encoding="utf-8") if path.exists() else ""
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert any(line.get("event") == "console_decision" for line in lines)
    forbidden = [SESSION_SECRET, CLIENT_SECRET, *B_NAMES]
    forbidden += [user[1] for user in (COUNSELLOR_A, COUNSELLOR_B, ADMIN)]
    for dossier_id, _, nom, usage, prenom in scenario.PEOPLE:
        forbidden += [nom, prenom, scenario.mail(dossier_id), scenario.birth_date(dossier_id)]
        forbidden += [usage] if usage else []
    for _, _, _, _, first, last, external in scenario.PARTICIPATIONS:
        forbidden += [first, last] + ([external.strip()] if external and "@" in external else [])
    for word in forbidden:
        assert not appears(word, logs), "personal data or a secret in the logs"


def _entries(database_url: str, structure: str | None) -> list[Any]:
    store = SqlStateStore.open(database_url, migrate=False)
    try:
        return store.reviews.entries(structure)
    finally:
        store.close()


def _entry(database_url: str, item: int) -> Any:
    store = SqlStateStore.open(database_url, migrate=False)
    try:
        return store.reviews.get(item)
    finally:
        store.close()
