"""The parcours of the charter, synced for real against both simulators over loopback HTTP.

A young person takes the short test (« Diagnostic initial »), which realises their
« Evaluation PIX » prescription. A counsellor prescribes it again, and the long test
(« Parcours complet ») realises the new prescription, leaving the first one as it was. A
campaign taken alone (``modality: autonomous``) realises with no actualité.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.bootstrap import build
from connector.errors import ApiError
from connector.imilo.http import HttpIMilo
from connector.run.report import RunReport
from connector.settings import Settings, load_settings
from connector.simulators import (
    create_imilo_app,
    create_pix_app,
    load_imilo_data,
    load_pix_data,
    running,
)
from connector.simulators.fixture_writer import write_fixtures
from tests import scenario
from tests.conftest import Systems

pytestmark = pytest.mark.integration

PARIS = "75010S00"
OFFRE = 1
LEA, HUGO = 1000001, 1000002  # Léa: the parcours; Hugo: a test taken alone
FIRST, HUGO_PRESCRIPTION = 501, 601
SHORT, LONG, ALONE = 100, 200, 300  # campaign ids

CAMPAIGNS_YAML = "campaigns:\n  SOLO26:\n    modality: autonomous\n"


def _participation(
    pid: int, campaign: int, shared_at: str, first: str, last: str, dossier: int
) -> dict[str, Any]:
    return {
        "id": pid,
        "campaignId": campaign,
        "createdAt": shared_at.replace("Z", "")[:11] + "08:00:00Z",
        "sharedAt": shared_at,
        "status": "SHARED",
        "participantFirstName": first,
        "participantLastName": last,
        "participantExternalId": str(dossier),
        "participantId": hashlib.sha1(f"{dossier}".encode()).hexdigest(),  # noqa: S324
        "masteryRate": 0.62,
    }


SHORT_TEST = _participation(1, SHORT, "2026-03-12T10:00:00Z", "Lea", "Durand", LEA)
LONG_TEST = _participation(2, LONG, "2026-05-04T09:00:00Z", "Léa", "DURAND", LEA)
TAKEN_ALONE = _participation(3, ALONE, "2026-03-20T22:30:00Z", "Hugo", "Martin", HUGO)


def _write_fixtures(root: Path) -> Path:
    data = root / "data"
    files: dict[str, list[Any]] = {
        "imilo/api_keys.json": [scenario.API_KEY],
        "imilo/structures.json": [
            {"code": PARIS, "nomOfficiel": "ML Paris Centre", "timezone": "Europe/Paris"}
        ],
        "imilo/offres.json": [
            {"id": OFFRE, "codeStructure": PARIS, "nom": "Evaluation PIX", **scenario.PIX_OFFER}
        ],
        "imilo/dossiers.json": [
            {
                "idDossier": dossier,
                "codeStructure": PARIS,
                "nomNaissance": last,
                "nomUsage": None,
                "prenom": first,
                "dateNaissance": "2006-05-04",
                "mail": None,
            }
            for dossier, last, first in ((LEA, "DURAND", "Léa"), (HUGO, "MARTIN", "Hugo"))
        ],
        "imilo/prescriptions.json": [
            {
                "id": prescription,
                "idDossier": dossier,
                "idOffre": OFFRE,
                "statut": "ONGOING",
                "dateRealisation": None,
                "datePrescription": "2026-02-01",
            }
            for prescription, dossier in ((FIRST, LEA), (HUGO_PRESCRIPTION, HUGO))
        ],
        "pix/organizations.json": [{"id": 1, "name": "ML", "externalId": PARIS}],
        "pix/campaigns.json": [
            {
                "id": campaign,
                "organizationId": 1,
                "name": name,
                "code": code,
                "type": "ASSESSMENT",
                "targetProfileName": profile,
                "createdAt": "2026-01-01T00:00:00Z",
                "archivedAt": None,
            }
            for campaign, code, name, profile in (
                (SHORT, "DIAG26", "Diagnostic initial", "Diagnostic initial"),
                (LONG, "COMP26", "Parcours complet", "Parcours complet"),
                (ALONE, "SOLO26", "Diagnostic en autonomie", "Diagnostic initial"),
            )
        ],
        "pix/participations.json": [SHORT_TEST, TAKEN_ALONE],
        "pix/clients.json": [
            {
                "clientId": scenario.CLIENT_ID,
                "clientSecret": scenario.CLIENT_SECRET,
                "scopes": ["meta", "campaigns"],
                "organizationIds": [1],
            }
        ],
    }
    write_fixtures(data, files)
    mappings = root / "mappings"
    mappings.mkdir()
    (mappings / "organisations.yaml").write_text("organisations: {}\n", encoding="utf-8")
    (mappings / "campaigns.yaml").write_text(CAMPAIGNS_YAML, encoding="utf-8")
    return data


@pytest.fixture
def parcours(tmp_path: Path, imilo_api: str) -> Iterator[Systems]:
    data = _write_fixtures(tmp_path)
    with (
        running(create_pix_app(load_pix_data(data))) as pix_url,
        running(create_imilo_app(load_imilo_data(data), api=imilo_api)) as imilo_url,
    ):
        yield Systems(pix_url, imilo_url, data, tmp_path / "mappings", imilo_api)


@pytest.fixture
def parcours_settings(parcours: Systems, database_url: str) -> Settings:
    return load_settings(**parcours.env(database_url))


def run(settings: Settings, *, dry_run: bool = False) -> RunReport:
    with build(settings) as connector:
        return connector.sync.run_once(dry_run=dry_run)


def actualites_of(systems: Systems, dossier: int) -> list[tuple[int, str, str]]:
    return sorted(
        (a["idPrescription"], a["nature"], a["date"])
        for a in systems.state()["actualites"]
        if a["idDossier"] == dossier
    )


def assert_actualites(systems: Systems, dossier: int, expected: list[tuple[int, str, str]]) -> None:
    """The dossier's actualités are ``expected`` in contract mode; the session routes serve
    none, so there are none in sessions mode."""
    assert actualites_of(systems, dossier) == (expected if systems.api == "contract" else [])


def open_prescription(systems: Systems, dossier: int, prescribed: str) -> int:
    """A counsellor prescribes « Evaluation PIX » again (the simulator's control route)."""
    answer = httpx.post(
        f"{systems.imilo_url}/_sim/prescriptions",
        json={"idDossier": dossier, "idOffre": OFFRE, "datePrescription": prescribed},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    assert (body["statut"], body["idDossier"]) == ("ONGOING", dossier)
    return int(body["id"])


def share(systems: Systems, record: dict[str, Any]) -> None:
    """The young person shares a result in Pix (the Pix simulator's control route)."""
    answer = httpx.post(f"{systems.pix_url}/_sim/participations", json=record, timeout=10)
    assert answer.status_code == 201, answer.text


@pytest.mark.contract_only("reads the contract API's inscrits route")
def test_the_control_route_opens_a_prescription_only_where_it_can_exist(
    parcours: Systems,
) -> None:
    """Unknown dossier: 404; an offer of another structure: 404; no dossier id: 422. A new
    prescription is listed among the offer's open ones, with a fresh id."""
    url = f"{parcours.imilo_url}/_sim/prescriptions"
    assert httpx.post(url, json={"idDossier": 9, "idOffre": OFFRE}, timeout=10).status_code == 404
    assert httpx.post(url, json={"idDossier": LEA, "idOffre": 9}, timeout=10).status_code == 404
    assert httpx.post(url, json={"idOffre": OFFRE}, timeout=10).status_code == 422
    opened = open_prescription(parcours, LEA, "2026-04-15")
    assert opened == max(FIRST, HUGO_PRESCRIPTION) + 1
    inscrits = httpx.get(
        f"{parcours.imilo_url}/operateurs/structures/{PARIS}/offres/{OFFRE}/inscrits",
        params={"statut": "ONGOING"},
        headers={"X-Gravitee-Api-Key": scenario.API_KEY},
        timeout=10,
    ).json()["inscrits"]
    assert [i["idPrescription"] for i in inscrits] == [FIRST, HUGO_PRESCRIPTION, opened]
    assert parcours.state()["writes"] == 0  # a counsellor's act, not the connector's


def test_the_long_test_realises_the_prescription_opened_after_the_short_one(
    parcours: Systems, parcours_settings: Settings
) -> None:
    """Run 1: the short test realises prescription 1 with its date. Prescription 2 is opened
    and the long test shared. Run 2: the long test realises prescription 2 with its own date,
    and prescription 1 is untouched. Run 3: nothing changes."""
    first = run(parcours_settings)
    assert first.completed and first.updated == 2  # Léa's short test, and Hugo's
    assert parcours.prescriptions()[FIRST] == ("ACHIEVED", "2026-03-12")
    assert_actualites(parcours, LEA, [(FIRST, "ENTRETIEN_INDIVIDUEL", "2026-03-12")])
    writes = parcours.state()["writes"]

    second_prescription = open_prescription(parcours, LEA, "2026-04-15")
    share(parcours, LONG_TEST)
    second = run(parcours_settings)
    assert second.completed and second.updated == 1
    prescriptions = parcours.prescriptions()
    assert prescriptions[FIRST] == ("ACHIEVED", "2026-03-12")  # untouched
    assert prescriptions[second_prescription] == ("ACHIEVED", "2026-05-04")
    assert_actualites(
        parcours,
        LEA,
        [
            (FIRST, "ENTRETIEN_INDIVIDUEL", "2026-03-12"),
            (second_prescription, "ENTRETIEN_INDIVIDUEL", "2026-05-04"),
        ],
    )
    assert parcours.state()["writes"] == writes + scenario.writes_per_realisation(parcours.api)
    state = parcours.state()

    third = run(parcours_settings)
    assert third.completed and third.updated == 0 and third.review == 0
    assert parcours.state() == state  # not one write


def test_a_retry_of_the_short_test_leaves_the_new_prescription_open(
    parcours: Systems, parcours_settings: Settings
) -> None:
    """A second try at the same campaign is no new test: prescription 2 waits for one."""
    run(parcours_settings)
    second_prescription = open_prescription(parcours, LEA, "2026-04-15")
    share(parcours, {**SHORT_TEST, "id": 4, "sharedAt": "2026-04-20T10:00:00Z"})
    report = run(parcours_settings)
    assert report.completed and report.updated == 0 and report.review == 0
    assert parcours.prescriptions()[second_prescription] == ("ONGOING", None)
    assert parcours.prescriptions()[FIRST] == ("ACHIEVED", "2026-03-12")


def test_a_later_result_with_no_prescription_left_open_changes_nothing(
    parcours: Systems, parcours_settings: Settings
) -> None:
    """The long test shared before any new prescription: no write, no review (rule 5)."""
    run(parcours_settings)
    writes = parcours.state()["writes"]
    share(parcours, LONG_TEST)
    report = run(parcours_settings)
    assert report.completed and report.updated == 0 and report.review == 0
    assert parcours.state()["writes"] == writes
    assert parcours.prescriptions()[FIRST] == ("ACHIEVED", "2026-03-12")


def test_a_test_taken_alone_is_realised_with_no_actualite(
    parcours: Systems, parcours_settings: Settings
) -> None:
    """modality: autonomous: réalisé with the date of the test in Paris (22:30 UTC on 20
    March is 23:30 there), one write, and no actualité; the dry run shows no nature."""
    dry = run(parcours_settings, dry_run=True)
    natures = {item["prescription_id"]: item["nature"] for item in dry.as_json()["plan"]}
    assert natures == {FIRST: "ENTRETIEN_INDIVIDUEL", HUGO_PRESCRIPTION: None}
    assert parcours.state()["writes"] == 0

    report = run(parcours_settings)
    assert report.completed and report.updated == 2
    assert parcours.prescriptions()[HUGO_PRESCRIPTION] == ("ACHIEVED", "2026-03-20")
    assert actualites_of(parcours, HUGO) == []
    # Léa: réalisé and actualité (contract mode only); Hugo: réalisé
    assert parcours.state()["writes"] == 1 + scenario.writes_per_realisation(parcours.api)
    with build(parcours_settings) as connector:
        natures_kept = {e.participation_id: e.nature for e in connector.store.ledger_entries()}
    assert natures_kept == {1: "ENTRETIEN_INDIVIDUEL", 3: None}
    assert run(parcours_settings).updated == 0


@pytest.mark.contract_only("an actualité that fails: the session routes serve none")
def test_a_result_whose_actualite_keeps_failing_never_realises_the_next_prescription(
    parcours: Systems, parcours_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run 1 sets prescription 1 to réalisé, then I-Milo fails the actualité: the intent stays
    pending. Prescription 2 is opened. Run 2 resumes the intent, which fails again, and reads
    the short test again (its campaign's cursor did not move): it must not realise prescription
    2 with it. Once I-Milo answers, the actualité is added and prescription 2 waits for the
    long test."""

    def unavailable(self: HttpIMilo, *args: object, **kwargs: object) -> object:
        raise ApiError("imilo", "service unavailable", 503)

    monkeypatch.setattr(HttpIMilo, "record_actualite", unavailable)
    first = run(parcours_settings)
    assert not first.completed
    assert parcours.prescriptions()[FIRST] == ("ACHIEVED", "2026-03-12")
    second_prescription = open_prescription(parcours, LEA, "2026-04-15")

    second = run(parcours_settings)
    assert not second.completed and second.updated == 0
    assert parcours.prescriptions()[second_prescription] == ("ONGOING", None)

    monkeypatch.undo()
    third = run(parcours_settings)
    assert third.completed and third.recovered == 1  # Léa's actualité, and nothing else
    assert parcours.prescriptions()[second_prescription] == ("ONGOING", None)
    assert actualites_of(parcours, LEA) == [(FIRST, "ENTRETIEN_INDIVIDUEL", "2026-03-12")]

    share(parcours, LONG_TEST)
    assert run(parcours_settings).updated == 1
    assert parcours.prescriptions()[second_prescription] == ("ACHIEVED", "2026-05-04")
