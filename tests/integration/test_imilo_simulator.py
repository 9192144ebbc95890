"""The I-Milo simulator over loopback HTTP, against tests/fixtures/sim."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.simulators import create_imilo_app, load_imilo_data, running

pytestmark = pytest.mark.integration

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "sim"
LYON = "69380S00"
INSCRITS = f"/operateurs/structures/{LYON}/offres/501/inscrits"
PRESCRIPTION = "/operateurs/dossiers/1001/prescriptions/7001"
ACTUALITES = "/operateurs/dossiers/1001/actualites"
CAYENNE = "97302S00"
SEARCH = f"/operateurs/structures/{LYON}/dossiers"
ACHIEVE = {"statut": "ACHIEVED", "dateRealisation": "2026-03-12", "statutAttendu": "ONGOING"}
ATELIER = {"nature": "ATELIER", "date": "2026-03-12", "commentaire": "Pix", "idPrescription": 7001}


@pytest.fixture
def imilo() -> Iterator[httpx.Client]:
    app = create_imilo_app(load_imilo_data(FIXTURE_DIR))
    with running(app) as base_url:
        headers = {"X-Gravitee-Api-Key": "test-key"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=5.0) as http:
            yield http


def write(
    http: httpx.Client, method: str, path: str, body: Any, key: str | None = "k-1"
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return http.request(method, path, json=body, headers=headers)


def sim_state(http: httpx.Client) -> dict[str, Any]:
    state: dict[str, Any] = http.get("/_sim/state").json()
    return state


def prescription_row(http: httpx.Client, id_prescription: int) -> dict[str, Any]:
    rows: list[dict[str, Any]] = [
        p for p in sim_state(http)["prescriptions"] if p["id"] == id_prescription
    ]
    return rows[0]


def test_bad_api_key_is_401(imilo: httpx.Client) -> None:
    """A missing or unknown API key gets 401 with a message; /_sim/state needs no key."""
    path = f"/operateurs/structures/{LYON}"
    assert imilo.get(path, headers={"X-Gravitee-Api-Key": "wrong"}).status_code == 401
    bare = httpx.get(f"{imilo.base_url}{path}")
    assert bare.status_code == 401
    assert set(bare.json()) == {"message"}
    assert httpx.get(f"{imilo.base_url}/_sim/state").status_code == 200


def test_structure_and_offres(imilo: httpx.Client) -> None:
    """A structure and its offers are served; an unknown structure gets 404."""
    structure = imilo.get(f"/operateurs/structures/{LYON}").json()
    assert structure == {
        "code": LYON,
        "nomOfficiel": "Mission Locale de Lyon",
        "timezone": "Europe/Paris",
    }
    offres = imilo.get(f"/operateurs/structures/{LYON}/offres").json()
    assert [o["id"] for o in offres] == [501, 502]
    assert offres[0]["partenaire"] == {"raisonSociale": "GIP PIX", "siret": "13002343500014"}
    assert offres[1]["partenaire"] is None
    assert imilo.get("/operateurs/structures/00000S00/offres").status_code == 404


def search(http: httpx.Client, params: Any, path: str = SEARCH) -> list[int]:
    """The idDossier of each row of a successful dossier search (first page)."""
    answer = http.get(path, params=params)
    assert answer.status_code == 200, answer.text
    return [d["idDossier"] for d in answer.json()["dossiers"]]


def test_inscrits_ordered_and_joined_with_dossiers(imilo: httpx.Client) -> None:
    """Inscrits come ordered by idPrescription, each with the person's names."""
    body = imilo.get(INSCRITS).json()
    assert [i["idPrescription"] for i in body["inscrits"]] == [7001, 7002, 7003]
    assert body["page"] == {"numero": 1, "taille": 150, "nombrePages": 1, "total": 3}
    assert body["inscrits"][1] == {
        "idPrescription": 7002,
        "idDossier": 1002,
        "idOffre": 501,
        "statut": "ACHIEVED",
        "datePrescription": "2026-01-15",
        "dateRealisation": "2026-02-10",
        "nomNaissance": "PETIT",
        "nomUsage": "LEROY",
        "prenom": "Bruno",
        "dateNaissance": "2005-11-02",
        "mail": None,
    }


def test_inscrits_filtered_by_statut(imilo: httpx.Client) -> None:
    """statut keeps only the prescriptions in that status."""
    body = imilo.get(INSCRITS, params={"statut": "ONGOING"}).json()
    assert [i["idPrescription"] for i in body["inscrits"]] == [7001, 7003]
    assert body["page"]["total"] == 2


def test_inscrits_filtered_by_several_statuts(imilo: httpx.Client) -> None:
    """statut given once per status keeps the prescriptions in any of them; none, every one."""
    both = imilo.get(INSCRITS, params=[("statut", "ONGOING"), ("statut", "ACHIEVED")]).json()
    every = imilo.get(INSCRITS).json()
    assert [i["idPrescription"] for i in both["inscrits"]] == [7001, 7002, 7003]
    assert both["inscrits"] == every["inscrits"]
    assert imilo.get(INSCRITS, params={"statut": "PENDING"}).status_code == 400


def test_inscrits_paging_and_taille_cap(imilo: httpx.Client) -> None:
    """Pages follow taille, which is capped at 150; past the end a page is empty."""
    second = imilo.get(INSCRITS, params={"page": 2, "taille": 2}).json()
    assert [i["idPrescription"] for i in second["inscrits"]] == [7003]
    assert second["page"] == {"numero": 2, "taille": 2, "nombrePages": 2, "total": 3}
    capped = imilo.get(INSCRITS, params={"taille": 500}).json()
    assert capped["page"]["taille"] == 150
    assert imilo.get(INSCRITS, params={"page": 9}).json()["inscrits"] == []
    assert imilo.get(INSCRITS, params={"taille": "lots"}).status_code == 400


def test_inscrits_of_offer_of_other_structure_is_404(imilo: httpx.Client) -> None:
    """An offer that is not the structure's, or an unknown one, gets 404."""
    assert imilo.get(f"/operateurs/structures/{LYON}/offres/601/inscrits").status_code == 404
    assert imilo.get(f"/operateurs/structures/{LYON}/offres/999/inscrits").status_code == 404


def test_dossier_carries_its_structure(imilo: httpx.Client) -> None:
    """A dossier is served with structureRattachement; an unknown one gets 404."""
    dossier = imilo.get("/sue/dossiers/2001").json()
    assert dossier["idDossier"] == 2001
    assert dossier["structureRattachement"] == {
        "codeStructure": "97302S00",
        "nomOfficiel": "Mission Locale de Cayenne",
        "nomUsuel": "Mission Locale de Cayenne",
    }
    assert imilo.get("/sue/dossiers/9999").status_code == 404


def test_prescription_of_other_dossier_is_404(imilo: httpx.Client) -> None:
    """A prescription is found only under its own dossier."""
    assert imilo.get(PRESCRIPTION).json()["statut"] == "ONGOING"
    assert imilo.get("/operateurs/dossiers/1002/prescriptions/7001").status_code == 404
    other = write(imilo, "PUT", "/operateurs/dossiers/1002/prescriptions/7001", ACHIEVE)
    assert other.status_code == 404


def test_put_achieves_prescription(imilo: httpx.Client) -> None:
    """A PUT sets the status and date of realisation and answers the prescription."""
    answer = write(imilo, "PUT", PRESCRIPTION, {**ACHIEVE, "commentaire": "Pix passé"})
    assert answer.status_code == 200
    assert answer.json() == {
        "id": 7001,
        "idDossier": 1001,
        "idOffre": 501,
        "statut": "ACHIEVED",
        "datePrescription": "2026-02-20",
        "dateRealisation": "2026-03-12",
    }
    assert imilo.get(PRESCRIPTION).json()["dateRealisation"] == "2026-03-12"


def test_idempotent_replay_applies_once(imilo: httpx.Client) -> None:
    """The same key and request replays the first answer; state changes once, writes counts 2."""
    first = write(imilo, "POST", ACTUALITES, ATELIER, key="same")
    again = write(imilo, "POST", ACTUALITES, ATELIER, key="same")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    state = sim_state(imilo)
    assert len(state["actualites"]) == 1
    assert state["writes"] == 2


def test_idempotent_replay_of_put_after_change(imilo: httpx.Client) -> None:
    """A replayed PUT answers 200 again even though statutAttendu no longer holds."""
    assert write(imilo, "PUT", PRESCRIPTION, ACHIEVE, key="p").status_code == 200
    replay = write(imilo, "PUT", PRESCRIPTION, ACHIEVE, key="p")
    assert replay.status_code == 200
    assert replay.json()["statut"] == "ACHIEVED"
    assert sim_state(imilo)["writes"] == 2


def test_same_key_different_request_is_422(imilo: httpx.Client) -> None:
    """Reusing a key with another body or path gets 422 and changes nothing."""
    assert write(imilo, "POST", ACTUALITES, ATELIER, key="k").status_code == 201
    other = {**ATELIER, "nature": "ENTRETIEN_INDIVIDUEL"}
    assert write(imilo, "POST", ACTUALITES, other, key="k").status_code == 422
    assert write(imilo, "PUT", PRESCRIPTION, ACHIEVE, key="k").status_code == 422
    state = sim_state(imilo)
    assert len(state["actualites"]) == 1
    assert prescription_row(imilo, 7001)["statut"] == "ONGOING"
    assert state["writes"] == 1


def test_missing_idempotency_key_is_400(imilo: httpx.Client) -> None:
    """A write without Idempotency-Key gets 400 and changes nothing."""
    assert write(imilo, "PUT", PRESCRIPTION, ACHIEVE, key=None).status_code == 400
    assert write(imilo, "POST", ACTUALITES, ATELIER, key=None).status_code == 400
    assert prescription_row(imilo, 7001)["statut"] == "ONGOING"
    assert sim_state(imilo)["writes"] == 0


def test_statut_attendu_mismatch_is_409(imilo: httpx.Client) -> None:
    """A prescription not in statutAttendu is left alone with 409, not counted as a write."""
    path = "/operateurs/dossiers/1002/prescriptions/7002"
    answer = write(imilo, "PUT", path, {**ACHIEVE, "dateRealisation": "2026-03-12"})
    assert answer.status_code == 409
    assert prescription_row(imilo, 7002) == {
        "id": 7002,
        "idDossier": 1002,
        "idOffre": 501,
        "statut": "ACHIEVED",
        "dateRealisation": "2026-02-10",
    }
    assert sim_state(imilo)["writes"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"statut": "DONE", "dateRealisation": "2026-03-12"},
        {"statut": "ACHIEVED"},
        {"statut": "ACHIEVED", "dateRealisation": "12/03/2026"},
        {"statut": "ACHIEVED", "dateRealisation": "2026-02-30"},
        {"statut": "ACHIEVED", "dateRealisation": "2026-03-12", "statutAttendu": "PENDING"},
    ],
)
def test_put_validation_is_422(imilo: httpx.Client, body: dict[str, Any]) -> None:
    """An unknown statut, a malformed date or ACHIEVED without date gets 422."""
    answer = write(imilo, "PUT", PRESCRIPTION, body)
    assert answer.status_code == 422
    assert set(answer.json()) == {"message"}
    assert prescription_row(imilo, 7001)["statut"] == "ONGOING"


@pytest.mark.parametrize(
    "body",
    [
        {**ATELIER, "nature": "VISITE"},
        {**ATELIER, "date": "2026-3-12"},
        {**ATELIER, "idPrescription": "7001"},
    ],
)
def test_post_actualite_validation_is_422(imilo: httpx.Client, body: dict[str, Any]) -> None:
    """An unknown nature or a malformed date gets 422 and creates nothing."""
    assert write(imilo, "POST", ACTUALITES, body).status_code == 422
    assert sim_state(imilo)["actualites"] == []


def test_post_actualite_unknown_targets_are_404(imilo: httpx.Client) -> None:
    """An actualite on an unknown dossier, or on another dossier's prescription, gets 404."""
    assert write(imilo, "POST", "/operateurs/dossiers/9999/actualites", ATELIER).status_code == 404
    other = {**ATELIER, "idPrescription": 7002}
    assert write(imilo, "POST", ACTUALITES, other, key="k-2").status_code == 404
    assert imilo.get("/operateurs/dossiers/9999/actualites").status_code == 404


def test_actualites_get_sequential_ids(imilo: httpx.Client) -> None:
    """Created actualites get ids 1, 2, … and are listed under their dossier."""
    first = write(imilo, "POST", ACTUALITES, ATELIER, key="a")
    solo = {"nature": "ENTRETIEN_INDIVIDUEL", "date": "2026-03-13", "commentaire": None}
    second = write(imilo, "POST", ACTUALITES, solo, key="b")
    assert (first.json()["id"], second.json()["id"]) == (1, 2)
    listed = imilo.get(ACTUALITES).json()
    assert [a["id"] for a in listed] == [1, 2]
    assert listed[1]["idPrescription"] is None
    assert imilo.get("/operateurs/dossiers/1002/actualites").json() == []


def test_sim_state_shape(imilo: httpx.Client) -> None:
    """/_sim/state has exactly prescriptions, actualites and writes, with the contract's fields."""
    write(imilo, "PUT", PRESCRIPTION, ACHIEVE, key="a")
    write(imilo, "POST", ACTUALITES, ATELIER, key="b")
    state = sim_state(imilo)
    assert set(state) == {"prescriptions", "actualites", "writes"}
    assert [p["id"] for p in state["prescriptions"]] == [7001, 7002, 7003, 7004, 8001]
    assert state["prescriptions"][0] == {
        "id": 7001,
        "idDossier": 1001,
        "idOffre": 501,
        "statut": "ACHIEVED",
        "dateRealisation": "2026-03-12",
    }
    assert state["actualites"] == [
        {
            "id": 1,
            "idDossier": 1001,
            "idPrescription": 7001,
            "nature": "ATELIER",
            "date": "2026-03-12",
            "commentaire": "Pix",
        }
    ]
    assert state["writes"] == 2


def test_search_by_id_dossier_answers_dossiers(imilo: httpx.Client) -> None:
    """Repeated idDossier values give those dossiers, ordered, in the GET /sue/dossiers shape."""
    body = imilo.get(SEARCH, params=[("idDossier", "1003"), ("idDossier", "1001")]).json()
    assert [d["idDossier"] for d in body["dossiers"]] == [1001, 1003]
    assert body["dossiers"][0] == imilo.get("/sue/dossiers/1001").json()
    assert body["page"] == {"numero": 1, "taille": 150, "nombrePages": 1, "total": 2}
    assert search(imilo, {"idDossier": "9999"}) == []


def test_search_by_mail_is_trimmed_and_case_insensitive(imilo: httpx.Client) -> None:
    """mail matches the stored e-mail trimmed and ignoring case; several values may be given."""
    assert search(imilo, {"mail": "  jean.fontaine@EXAMPLE.org "}) == [1004]
    both = [("mail", "ALICE@example.org"), ("mail", "chloe@example.org")]
    assert search(imilo, both) == [1001, 1003]
    assert search(imilo, {"mail": "nobody@example.org"}) == []


def test_search_is_scoped_to_the_structure(imilo: httpx.Client) -> None:
    """Only the structure's dossiers are searched, whichever the filter."""
    cayenne = f"/operateurs/structures/{CAYENNE}/dossiers"
    assert search(imilo, {"nom": "Martin"}) == [1001]
    assert search(imilo, {"nom": "Martin"}, cayenne) == [2002]
    assert search(imilo, {"mail": "alice@example.org"}, cayenne) == [2002]
    assert search(imilo, [("idDossier", "1001"), ("idDossier", "2001")], cayenne) == [2001]


def test_search_of_unknown_structure_is_404(imilo: httpx.Client) -> None:
    """An unknown structure gets 404 with a message."""
    answer = imilo.get("/operateurs/structures/00000S00/dossiers", params={"nom": "Martin"})
    assert answer.status_code == 404
    assert set(answer.json()) == {"message"}


def test_search_by_name_tolerates_typos_and_transpositions(imilo: httpx.Client) -> None:
    """nom finds names within OSA distance 2, after accents, case and separators are folded."""
    assert search(imilo, {"nom": "martin"}) == [1001]
    assert search(imilo, {"nom": "Mraitn"}) == [1001]  # two transpositions
    assert search(imilo, {"nom": "Ndiay"}) == [1006]
    assert search(imilo, {"nom": "Sow"}) == [1006]  # nomUsage
    assert search(imilo, {"nom": "Dupont"}) == []


def test_search_by_name_matches_particle_and_compound_words(imilo: httpx.Client) -> None:
    """A shared whole word is enough: « De La Fontaine » finds FONTAINE, Garcia GARCIA LOPEZ."""
    assert search(imilo, {"nom": "De La Fontaine"}) == [1004]
    assert search(imilo, {"nom": "Garcia"}) == [1005]
    assert search(imilo, {"nom": "lopez"}) == [1005]


def test_search_by_name_finds_swapped_names(imilo: httpx.Client) -> None:
    """A first name given as nom finds the dossier, with or without prenom; prenom never narrows."""
    assert search(imilo, {"nom": "Alice", "prenom": "Martin"}) == [1001]
    assert search(imilo, {"nom": "Alise"}) == [1001]
    assert search(imilo, {"nom": "Durand", "prenom": "Chloe"}) == [1003]
    assert search(imilo, {"nom": "Durand", "prenom": "Zoé"}) == [1003]


def test_search_by_several_names_returns_what_each_would(imilo: httpx.Client) -> None:
    """Repeated nom values (a batch of names-only matches) give the union of their searches."""
    assert search(imilo, [("nom", "Mraitn"), ("nom", "Garcia"), ("nom", "Dupont")]) == [
        1001,
        1005,
    ]
    assert search(imilo, [("nom", "Alise"), ("nom", "De La Fontaine")]) == [1001, 1004]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"page": "1"},
        {"idDossier": "1001", "mail": "alice@example.org"},
        {"mail": "alice@example.org", "nom": "Martin"},
        {"idDossier": "1001", "nom": "Martin"},
        {"prenom": "Alice"},
        {"idDossier": "1001", "prenom": "Alice"},
        {"idDossier": "abc"},
        {"idDossier": ""},
        [("idDossier", str(i)) for i in range(51)],
        [("mail", f"x{i}@example.org") for i in range(51)],
        {"mail": "  "},
        {"nom": " - "},
        [("nom", "Martin"), ("nom", "Durand"), ("prenom", "Alice")],
        [("nom", "Martin"), ("prenom", "Alice"), ("prenom", "Léa")],
        [("nom", f"Nom{i}") for i in range(51)],
        {"nom": "Martin", "page": "0"},
    ],
)
def test_search_bad_query_is_400(imilo: httpx.Client, params: Any) -> None:
    """No filter, two families, prenom alone or with several nom, bad ids, over 50 values or
    blank values get 400."""
    answer = imilo.get(SEARCH, params=params)
    assert answer.status_code == 400
    assert set(answer.json()) == {"message"}


def test_search_accepts_fifty_values(imilo: httpx.Client) -> None:
    """Up to 50 idDossier values are accepted."""
    ids = [("idDossier", str(1000 + i)) for i in range(50)]
    assert search(imilo, ids) == [1001, 1002, 1003, 1004, 1005, 1006]


def test_search_paging_and_taille_cap(imilo: httpx.Client) -> None:
    """Search results page like inscrits: taille capped at 150, past the end is empty."""
    ids = [("idDossier", str(i)) for i in (1001, 1002, 1003, 1004, 1005)]
    second = imilo.get(SEARCH, params=[*ids, ("page", "2"), ("taille", "2")]).json()
    assert [d["idDossier"] for d in second["dossiers"]] == [1003, 1004]
    assert second["page"] == {"numero": 2, "taille": 2, "nombrePages": 3, "total": 5}
    capped = imilo.get(SEARCH, params=[*ids, ("taille", "500")]).json()
    assert capped["page"]["taille"] == 150
    assert imilo.get(SEARCH, params=[*ids, ("page", "9")]).json()["dossiers"] == []


def test_search_is_not_counted_as_a_write(imilo: httpx.Client) -> None:
    """Searches, answered or refused, leave /_sim/state writes untouched."""
    search(imilo, {"nom": "Martin"})
    search(imilo, {"mail": "alice@example.org"})
    imilo.get(SEARCH, params={})
    assert sim_state(imilo)["writes"] == 0
