"""The I-Milo simulator's gateway mode (``--api sessions``) answers with exactly the fields of the
public DTOs, read field by field from the public CEJ back end (``SocialGouv/pass-emploi-api``):

- ``src/infrastructure/clients/dto/milo.dto.ts``: ``SessionDto``, ``OffreDto`` (its ``type`` an
  ``OffreTypeCode``), ``SessionConseillerDetailDto``, ``ListeSessionsConseillerMiloDto`` and
  ``InscritSessionMiloDto``;
- ``src/infrastructure/repositories/dto/milo.dto.ts``: ``DossierMiloDto``, what
  ``MiloJeuneHttpSqlRepository.getDossier`` reads from ``GET /sue/dossiers/{idDossier}``.

The adapter of the sessions mode (``connector/imilo``) is written against the same shapes
(docs/imilo-gateway.md), so a drift on either side shows here first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from connector.imilo.wire import dossier_from
from connector.simulators import create_imilo_app, load_imilo_data, running

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "sim"
LYON = "69380S00"
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
_STR, _INT, _NONE = (str,), (int,), (type(None),)

# Field → the JSON types the DTO allows (TypeScript ``number`` as an integer for ids and counts).
SESSION_DTO: dict[str, tuple[type, ...]] = {
    "id": _INT,
    "nom": _STR,
    "dateHeureDebut": _STR,
    "dateHeureFin": _STR,
    "dateMaxInscription": _STR + _NONE,
    "animateur": _STR,
    "lieu": _STR,
    "nbPlacesDisponibles": _INT + _NONE,
    "commentaire": _STR + _NONE,
}
OFFRE_DTO: dict[str, tuple[type, ...]] = {
    "id": _INT,
    "nom": _STR,
    "theme": _STR,
    "type": _STR,
    "description": _STR + _NONE,
    "nomPartenaire": _STR + _NONE,
}
OFFRE_TYPE_CODES = {"WORKSHOP", "COLLECTIVE_INFORMATION"}
LISTE_SESSIONS_DTO: dict[str, tuple[type, ...]] = {
    "page": _INT,
    "nbSessions": _INT,
    "sessions": (list,),
}
SESSION_DETAIL_DTO: dict[str, tuple[type, ...]] = {"session": (dict,), "offre": (dict,)}
INSCRIT_DTO: dict[str, tuple[type, ...]] = {
    "idDossier": _INT,
    "idInstanceSession": _INT,
    "nom": _STR,
    "prenom": _STR,
    "statut": _STR,
}
# DossierMiloDto. ``nomUsage`` is typed ``string`` there, but a young person without a name in
# use has none: the simulator serves null, as the contract mode does.
DOSSIER_DTO: dict[str, tuple[type, ...]] = {
    "idDossier": _INT,
    "idJeune": _STR,
    "numeroDE": _STR,
    "adresse": (dict,),
    "nomNaissance": _STR,
    "nomUsage": _STR + _NONE,
    "prenom": _STR,
    "dateNaissance": _STR,
    "mail": _STR + _NONE,
    "structureRattachement": (dict,),
    "accompagnementCEJ": (dict,),
    "situations": (list,),
}
ADRESSE_DTO: dict[str, tuple[type, ...]] = {
    "numero": _STR,
    "libelleVoie": _STR,
    "complement": _STR,
    "codePostal": _STR,
    "commune": _STR,
}
ACCOMPAGNEMENT_CEJ_DTO: dict[str, tuple[type, ...]] = {
    "accompagnementCEJ": (bool,),
    "dateDebut": _STR + _NONE,
    "dateFinPrevue": _STR + _NONE,
    "dateFinReelle": _STR + _NONE,
    "premierAccompagnement": _STR + _NONE,
}
SITUATION_DTO: dict[str, tuple[type, ...]] = {
    "etat": _STR,
    "dateFin": _STR + _NONE,
    "categorieSituation": _STR,
    "codeRomeMetierPrepare": _STR + _NONE,
    "codeRomePremierMetier": _STR,
    "codeRomeMetierExerce": _STR + _NONE,
}
STRUCTURE_RATTACHEMENT_DTO: dict[str, tuple[type, ...]] = {
    "nomUsuel": _STR,
    "nomOfficiel": _STR,
    "codeStructure": _STR,
}
# ``GET /sue/dossiers`` answers alike in both modes (and the contract's dossier search in the
# same shape): the whole DTO, and the contract's fields (docs/http-contracts.md). Exact, so that
# a change shows here.
DOSSIER_CONTRACT_EXTRAS = {"sexe", "niveau", "zone", "accompagnement"}
# What the adapters read of it (connector/imilo/wire.py).
READ_FIELDS = {
    "idDossier",
    "nomNaissance",
    "nomUsage",
    "prenom",
    "mail",
    "dateNaissance",
    "structureRattachement",
}


def assert_shape(value: Any, dto: dict[str, tuple[type, ...]], name: str) -> None:
    """``value`` has exactly the DTO's fields, each of an allowed type (a bool only where the
    DTO says ``boolean``)."""
    assert isinstance(value, dict), name
    assert set(value) == set(dto), f"{name}: {sorted(set(value) ^ set(dto))}"
    for key, types in dto.items():
        field = value[key]
        assert isinstance(field, types), f"{name}.{key}"
        assert bool in types or not isinstance(field, bool), f"{name}.{key}"


def assert_session_detail(detail: Any) -> None:
    assert_shape(detail, SESSION_DETAIL_DTO, "SessionConseillerDetailDto")
    session, offre = detail["session"], detail["offre"]
    assert_shape(session, SESSION_DTO, "SessionDto")
    assert _DATE_TIME.fullmatch(session["dateHeureDebut"])
    assert _DATE_TIME.fullmatch(session["dateHeureFin"])
    assert session["dateHeureDebut"] < session["dateHeureFin"]
    assert_shape(offre, OFFRE_DTO, "OffreDto")
    assert offre["type"] in OFFRE_TYPE_CODES


@pytest.fixture(scope="module")
def gateway() -> Iterator[httpx.Client]:
    app = create_imilo_app(load_imilo_data(FIXTURE_DIR), api="sessions")
    with running(app) as base_url:
        headers = {"X-Gravitee-Api-Key": "test-key", "operateur": "APPLICATION_CEJ"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=5.0) as http:
            form = {
                "grant_type": "client_credentials",
                "client_id": "contract",
                "client_secret": "sim-secret",
            }
            token = http.post("/oauth/token", data=form).json()
            # RFC 6749, 5.1: the client-credentials answer.
            assert set(token) == {"access_token", "token_type", "expires_in"}
            assert isinstance(token["expires_in"], int)
            http.headers["Authorization"] = f"Bearer {token['access_token']}"
            yield http


def test_sessions_list_is_a_liste_sessions_conseiller_milo_dto(gateway: httpx.Client) -> None:
    body = gateway.get(f"/operateurs/structures/{LYON}/sessions").json()
    assert_shape(body, LISTE_SESSIONS_DTO, "ListeSessionsConseillerMiloDto")
    assert body["sessions"]
    for detail in body["sessions"]:
        assert_session_detail(detail)


def test_one_session_is_a_session_conseiller_detail_dto(gateway: httpx.Client) -> None:
    listed = gateway.get(f"/operateurs/structures/{LYON}/sessions").json()["sessions"]
    for detail in listed:
        served = gateway.get(f"/operateurs/sessions/{detail['session']['id']}").json()
        assert_session_detail(served)
        assert served == detail


def test_inscrits_are_inscrit_session_milo_dtos(gateway: httpx.Client) -> None:
    listed = gateway.get(f"/operateurs/structures/{LYON}/sessions").json()["sessions"]
    inscrits = [
        inscrit
        for detail in listed
        for inscrit in gateway.get(
            f"/operateurs/sessions/{detail['session']['id']}/inscrits"
        ).json()
    ]
    assert inscrits
    for inscrit in inscrits:
        assert_shape(inscrit, INSCRIT_DTO, "InscritSessionMiloDto")


@pytest.mark.parametrize("api", ["contract", "sessions"])
def test_sue_dossier_is_the_whole_dossier_milo_dto_in_both_modes(api: str) -> None:
    with running(create_imilo_app(load_imilo_data(FIXTURE_DIR), api=api)) as base_url:
        body = httpx.get(
            f"{base_url}/sue/dossiers/1001", headers={"X-Gravitee-Api-Key": "test-key"}, timeout=5
        ).json()
    assert set(body) == set(DOSSIER_DTO) | DOSSIER_CONTRACT_EXTRAS
    assert_shape({k: body[k] for k in DOSSIER_DTO}, DOSSIER_DTO, "DossierMiloDto")
    assert_shape(body["adresse"], ADRESSE_DTO, "DossierMiloDto.adresse")
    assert_shape(body["accompagnementCEJ"], ACCOMPAGNEMENT_CEJ_DTO, "accompagnementCEJ")
    assert body["situations"]
    for situation in body["situations"]:
        assert_shape(situation, SITUATION_DTO, "DossierMiloDto.situations[]")
    rattachement = body["structureRattachement"]
    assert_shape(rattachement, STRUCTURE_RATTACHEMENT_DTO, "structureRattachement")
    assert rattachement["codeStructure"] == LYON


def test_both_adapters_read_the_whole_dto_and_ignore_what_they_do_not_use(
    gateway: httpx.Client,
) -> None:
    """Both adapters parse ``/sue/dossiers`` with ``wire.dossier_from``: the fields they do not
    use change nothing, whether served or not."""
    body = gateway.get("/sue/dossiers/1001").json()
    read = dossier_from(body)
    bare = {k: v for k, v in body.items() if k not in set(DOSSIER_DTO) - READ_FIELDS}
    assert dossier_from(bare) == read
    assert read.id == 1001 and read.structure_code == LYON
    assert read.nom_naissance == body["nomNaissance"] and read.prenom == body["prenom"]
