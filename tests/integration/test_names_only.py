"""A match on names alone is never written without a structure-wide search, in either mode.

Only a search of the whole structure by name can tell that a young person who typed nothing
usable has no namesake there (the homonym check). Without it, such a match goes to a
counsellor as ``homonym_check_unavailable``, run after run:
- in contract mode, over the real adapter and simulator, with the search taken from the
  adapter's capabilities;
- in sessions mode (the gateway has no such search), through the command line.

And what does identify a young person still does, in both modes: a dossier number, or an
e-mail that a registered candidate's dossier holds.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.bootstrap import build
from connector.domain.capabilities import CONTRACT
from connector.run.report import RunReport
from connector.settings import load_settings
from connector.store.sql import SqlStateStore
from tests import scenario
from tests.conftest import Systems, rewrite_fixture, start_systems
from tests.e2e.test_cli import clean_env, cli, last_json_line

pytestmark = pytest.mark.integration

UNAVAILABLE = "homonym_check_unavailable"
NAMES_ONLY_PRESCRIPTIONS = set(scenario.NAMES_ONLY.values())


class Recording(httpx.BaseTransport):
    """Every I-Milo request, recorded, then sent."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def run_without_name_search(systems: Systems, database_url: str, recording: Recording) -> RunReport:
    """One run over the contract adapter, its structure-wide name search taken away."""
    settings = load_settings(**systems.env(database_url))

    def transports(api: str) -> httpx.BaseTransport:
        return recording if api == "imilo" else httpx.HTTPTransport()

    with build(settings, transports=transports) as connector:
        assert connector.imilo.capabilities.structure_name_search
        connector.imilo.capabilities = replace(CONTRACT, structure_name_search=False)
        return connector.sync.run_once()


def reviewed_as(database_url: str, reason: str) -> set[int]:
    store = SqlStateStore.open(database_url)
    try:
        return {e.participation_id for e in store.reviews.entries() if e.reason == reason}
    finally:
        store.close()


def test_contract_mode_without_the_name_search_writes_nothing_on_names_alone(
    tmp_path: Path,
) -> None:
    """The real contract adapter, told it has no structure-wide search: it never searches by
    name; Maëlys GRONDIN and Jean-Pierre LE BIHAN are not written, in two runs, and wait for
    a counsellor; every other result is written, each identified by a number."""
    database_url = f"sqlite:///{tmp_path / 'state.db'}"
    with start_systems(tmp_path, api="contract") as systems:
        recording = Recording()
        first = run_without_name_search(systems, database_url, recording)
        second = run_without_name_search(systems, database_url, recording)
        prescriptions = systems.prescriptions()
        state = systems.state()
    searches_by_name = [
        r for r in recording.requests if r.url.path.endswith("/dossiers") and "nom" in r.url.params
    ]
    assert searches_by_name == []
    assert first.completed and second.completed
    assert {w.evidence for w in first.applied} == {"id"}
    assert not {w.prescription_id for w in first.applied} & NAMES_ONLY_PRESCRIPTIONS
    assert second.updated == 0
    initial = scenario.initial_prescriptions()
    for prescription in NAMES_ONLY_PRESCRIPTIONS:
        assert prescriptions[prescription] == initial[prescription]
    assert prescriptions == scenario.expected_state("sessions")  # what a number identifies
    assert not {a["idPrescription"] for a in state["actualites"]} & NAMES_ONLY_PRESCRIPTIONS
    # Maëlys, Jean-Pierre and Nathan DUBOIS (his namesake's closed prescription unseen).
    assert reviewed_as(database_url, UNAVAILABLE) == {4, 24, 25}


def test_sessions_mode_writes_nothing_on_names_alone_through_the_cli(tmp_path: Path) -> None:
    """`pix-imilo sync --once --json` on the gateway's session routes, twice: the names-only
    matches are not written and are queued as homonym_check_unavailable; `review list` shows
    them so; the second run writes nothing."""
    with start_systems(tmp_path, api="sessions") as systems:
        env = clean_env(systems.env(f"sqlite:///{tmp_path / 'state' / 'pix-imilo.db'}"))
        first = cli(["sync", "--once", "--json"], env, tmp_path)
        assert first.returncode == 0, first.stderr
        writes = systems.state()["writes"]
        second = cli(["sync", "--once", "--json"], env, tmp_path)
        assert second.returncode == 0, second.stderr
        listing = cli(["review", "list", "--json"], env, tmp_path)
        prescriptions = systems.prescriptions()
        assert systems.state()["writes"] == writes
    body = last_json_line(first.stdout)
    assert body["updated"] == len(scenario.expected("sessions"))
    assert body["not_recorded"] == {"actualites": body["updated"]}
    assert last_json_line(second.stdout)["updated"] == 0
    assert prescriptions == scenario.expected_state("sessions")
    initial = scenario.initial_prescriptions()
    for prescription in NAMES_ONLY_PRESCRIPTIONS:
        assert prescriptions[prescription] == initial[prescription]
    assert listing.returncode == 0, listing.stderr
    items: list[dict[str, Any]] = json.loads(listing.stdout)
    unavailable = {i["id"] for i in items if i["reason"] == UNAVAILABLE}
    assert set(scenario.NAMES_ONLY) <= unavailable
    assert unavailable == {4, 24, 25}  # and Nathan DUBOIS, whose namesake cannot be seen


def with_mails(data: Path) -> None:
    """Every dossier holds its young person's e-mail (Maëlys typed hers in Pix)."""

    def mails(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**row, "mail": scenario.mail(row["idDossier"])} for row in rows]

    rewrite_fixture(data, "imilo/dossiers.json", mails)


def test_an_e_mail_a_candidates_dossier_holds_identifies_the_young_person(
    tmp_path: Path, imilo_api: str
) -> None:
    """With the e-mails in I-Milo, Maëlys (" Jeune.1000004@Example.org" typed in Pix) is
    realised in both modes, by her e-mail; in sessions mode through her registration's
    dossier. No dossier is read twice in a run."""
    database_url = f"sqlite:///{tmp_path / 'state.db'}"
    recording = Recording()

    def transports(api: str) -> httpx.BaseTransport:
        return recording if api == "imilo" else httpx.HTTPTransport()

    with start_systems(tmp_path, with_mails, api=imilo_api) as systems:
        settings = load_settings(**systems.env(database_url))
        with build(settings, transports=transports) as connector:
            report = connector.sync.run_once()
        prescriptions = systems.prescriptions()
    dossier_reads = Counter(
        r.url.path for r in recording.requests if r.url.path.startswith("/sue/dossiers/")
    )
    assert all(n == 1 for n in dossier_reads.values()), "a dossier read twice in a run"
    evidence = {w.prescription_id: w.evidence for w in report.applied}
    assert evidence[504] == "mail"
    assert prescriptions[504] == ("ACHIEVED", "2026-03-13")
    expected = {**scenario.expected(imilo_api), 504: scenario.EXPECTED[504]}
    assert prescriptions == {**scenario.initial_prescriptions(), **expected}
