"""The gateway's session routes adapter against precise HTTP answers (respx): sessions over
the window and their pages, registrations in both vocabularies, dossiers read once, the
read before each write, escaped paths, and what the routes cannot serve."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from connector.bootstrap import build
from connector.domain.capabilities import SESSIONS
from connector.domain.model import Nature, NewActualite, PrescriptionStatus
from connector.domain.rules import REALISABLE
from connector.errors import FatalApiError, MalformedResponse, PrescriptionConflict
from connector.imilo.gateway_auth import API_PRODUCTS, GatewayAuth
from connector.imilo.http import HttpIMilo
from connector.imilo.port import IMilo
from connector.imilo.sessions import SessionsIMilo
from connector.imilo.sessions_wire import COLLECTIVE_TYPE, months_later
from connector.mappings import MappingsError, load_mappings
from connector.settings import load_imilo_settings
from connector.transport.retry import NO_RETRY, RetryPolicy
from tests.fakes import FakePix

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://gateway.test"
TOKEN_URL = "http://idp.test/oauth/token"
CODE = "75010S00"
SESSIONS_URL = f"{BASE}/operateurs/structures/{CODE}/sessions"
NOW = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
FAST_RETRY = RetryPolicy(attempts=3, initial_wait=0.0, max_wait=0.0)


def session(sid: int, offre_id: int = 501, nom: str = "Evaluation PIX") -> dict[str, Any]:
    return {
        "session": {
            "id": sid,
            "nom": f"{nom} - mars 2026",
            "dateHeureDebut": "2026-03-02 09:00:00",
            "dateHeureFin": "2026-03-02 12:00:00",
            "dateMaxInscription": None,
            "animateur": "Conseiller numérique",
            "lieu": "Mission Locale",
            "nbPlacesDisponibles": None,
            "commentaire": None,
        },
        "offre": {
            "id": offre_id,
            "nom": nom,
            "theme": "Projet professionnel",
            "type": "WORKSHOP",
            "description": None,
            "nomPartenaire": "GIP PIX",
        },
    }


def page(number: int, total: int, *sessions: dict[str, Any]) -> httpx.Response:
    return httpx.Response(200, json={"page": number, "nbSessions": total, "sessions": sessions})


def inscrit(instance: int, dossier: int, statut: str, **more: Any) -> dict[str, Any]:
    return {
        "idDossier": dossier,
        "idInstanceSession": instance,
        "nom": "DURAND",
        "prenom": "Léa",
        "statut": statut,
        **more,
    }


def dossier(number: int, structure: str = CODE, mail: str | None = "lea@example.org") -> Any:
    return {
        "idDossier": number,
        "idJeune": "j-1",
        "nomNaissance": "DURAND",
        "nomUsage": "MARTIN",
        "prenom": "Léa",
        "dateNaissance": "2005-04-01",
        "mail": mail,
        "structureRattachement": {"codeStructure": structure, "nomOfficiel": "ML Paris"},
        "adresse": {},
    }


def make(retry: RetryPolicy = NO_RETRY) -> SessionsIMilo:
    auth = GatewayAuth(
        TOKEN_URL,
        "connector",
        "client-s3cr3t",
        operateur="APPLICATION_CEJ",
        api_keys={p: f"{p}-key" for p in API_PRODUCTS},
    )
    return SessionsIMilo(BASE, auth, retry=retry, now=lambda: NOW)


@pytest.fixture
def imilo() -> Iterator[SessionsIMilo]:
    with respx.mock:
        respx.post(TOKEN_URL).respond(
            200, json={"access_token": "tok-abcdef", "token_type": "Bearer", "expires_in": 300}
        )
        adapter = make()
        yield adapter
        adapter.close()


def test_it_is_an_imilo_port_that_says_what_it_cannot_do() -> None:
    adapter: IMilo = make()  # mypy checks the Protocol here
    assert adapter.capabilities == SESSIONS
    for name, member in inspect.getmembers(IMilo, inspect.isfunction):
        if name.startswith("_"):
            continue
        ours = getattr(SessionsIMilo, name)
        assert list(inspect.signature(ours).parameters) == list(
            inspect.signature(member).parameters
        ), name
    adapter.close()


def test_the_structure_exists_when_its_session_list_answers(imilo: SessionsIMilo) -> None:
    respx.get(SESSIONS_URL).mock(return_value=page(1, 0))
    served = imilo.structure(CODE)
    assert served is not None
    assert (served.code, served.name, served.timezone) == (CODE, CODE, None)
    respx.get(f"{BASE}/operateurs/structures/99999S99/sessions").respond(404)
    assert imilo.structure("99999S99") is None


def test_offers_are_those_of_the_sessions_over_the_window(imilo: SessionsIMilo) -> None:
    """13 months back and one ahead, 50 a page; the charter's unserved fields are unknown."""
    route = respx.get(SESSIONS_URL).mock(
        return_value=page(1, 3, session(1), session(2), session(3, 777, "Atelier CV"))
    )
    offres = imilo.offres(CODE)
    assert [o.id for o in offres] == [501, 777]
    pix = offres[0]
    assert (pix.nom, pix.theme, pix.type) == (
        "Evaluation PIX",
        "Projet professionnel",
        COLLECTIVE_TYPE,
    )
    assert pix.structure_code == CODE
    assert pix.partenaire_raison_sociale == "GIP PIX"
    assert (pix.acte_service, pix.mesure_nationale, pix.partenaire_siret, pix.date_debut) == (
        None,
        None,
        None,
        None,
    )
    params = route.calls.last.request.url.params
    # From the first of the month 24 months back (IMILO_SESSIONS_MONTHS_BACK), to a month ahead.
    assert params["dateDebutRecherche"] == "2024-03-01"
    assert params["dateFinRecherche"] == "2026-04-15"
    assert (params["taillePage"], params["page"]) == ("50", "1")
    headers = route.calls.last.request.headers
    assert headers["X-Gravitee-Api-Key"] == "sessions-structure-key"
    assert headers["operateur"] == "APPLICATION_CEJ"


def test_the_window_keeps_to_real_days() -> None:
    assert months_later(date(2026, 3, 31), -13) == date(2025, 2, 28)
    assert months_later(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert months_later(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_sessions_follow_nb_sessions_across_pages(imilo: SessionsIMilo) -> None:
    first = [session(i) for i in range(1, 51)]
    route = respx.get(SESSIONS_URL)
    route.side_effect = [page(1, 52, *first), page(2, 52, session(51), session(52, 888))]
    assert [o.id for o in imilo.offres(CODE)] == [501, 888]
    assert [c.request.url.params["page"] for c in route.calls] == ["1", "2"]


def test_a_page_repeating_the_previous_one_is_an_error(imilo: SessionsIMilo) -> None:
    rows = [session(i) for i in range(1, 51)]
    respx.get(SESSIONS_URL).mock(return_value=page(1, 500, *rows))
    with pytest.raises(MalformedResponse, match="repeats the previous page"):
        imilo.offres(CODE)


def test_a_page_without_its_count_is_malformed(imilo: SessionsIMilo) -> None:
    respx.get(SESSIONS_URL).respond(200, json={"page": 1, "sessions": []})
    with pytest.raises(MalformedResponse, match="nbSessions"):
        imilo.offres(CODE)


def test_candidates_read_both_vocabularies_and_each_dossier_once(imilo: SessionsIMilo) -> None:
    respx.get(SESSIONS_URL).mock(return_value=page(1, 2, session(7001), session(7002, 777)))
    inscrits = respx.get(f"{BASE}/operateurs/sessions/7001/inscrits").respond(
        200,
        json=[
            inscrit(9001, 1001, "ONGOING"),
            inscrit(9002, 1002, "Prescrit"),
            inscrit(9003, 1003, "Réalisé"),
            inscrit(9004, 1004, "Refus jeune"),
            inscrit(9005, 1005, "REFUSAL"),
        ],
    )
    other = respx.get(f"{BASE}/operateurs/sessions/7002/inscrits").respond(200, json=[])
    first = respx.get(f"{BASE}/sue/dossiers/1001").respond(200, json=dossier(1001))
    respx.get(url__regex=rf"{BASE}/sue/dossiers/\d+").respond(404)  # 1002 and after
    found = imilo.candidates(CODE, 501, REALISABLE)
    assert [c.prescription.id for c in found] == [9001, 9002]
    assert all(c.prescription.statut is PrescriptionStatus.ONGOING for c in found)
    lea = found[0]
    assert lea.prescription.offre_id == 501
    assert lea.prescription.dossier_id == 1001
    assert lea.prescription.date_prescription == date(2026, 3, 2)
    assert (lea.dossier.nom_usage, lea.dossier.mail) == ("MARTIN", "lea@example.org")
    assert lea.dossier.date_naissance == date(2005, 4, 1)
    fallback = found[1].dossier  # the dossier could not be read: the registration's names
    assert (fallback.nom_naissance, fallback.prenom, fallback.structure_code) == (
        "DURAND",
        "Léa",
        CODE,
    )
    assert not other.called  # another offer's session
    assert inscrits.calls.last.request.headers["X-Gravitee-Api-Key"] == "session-detail-key"
    assert first.calls.last.request.headers["X-Gravitee-Api-Key"] == "dossiers-key"
    imilo.candidates(CODE, 501, REALISABLE)
    assert first.call_count == 1  # read once, not per run of candidates
    every = imilo.candidates(CODE, 501, set(PrescriptionStatus))
    statuses = [c.prescription.statut for c in every]
    assert statuses[2:] == [
        PrescriptionStatus.ACHIEVED,
        PrescriptionStatus.REFUSAL_YOUNG,
        PrescriptionStatus.REFUSAL,
    ]


def test_labels_may_be_mapped_otherwise(imilo: SessionsIMilo) -> None:
    imilo.codes.labels[PrescriptionStatus.ONGOING] = "Inscrit"
    assert imilo.codes.status_from_either("inscrit") is PrescriptionStatus.ONGOING
    assert imilo.codes.status_from_either("REFUS_JEUNE") is PrescriptionStatus.REFUSAL_YOUNG
    assert imilo.codes.status_from_either("Autre chose") == "Autre chose"
    assert imilo.codes.status_from("Réalisé") == "Réalisé"  # the contract reads codes only


def test_dossier_numbers_of_another_structure_are_dropped(imilo: SessionsIMilo) -> None:
    respx.get(f"{BASE}/sue/dossiers/1").respond(200, json=dossier(1))
    respx.get(f"{BASE}/sue/dossiers/2").respond(200, json=dossier(2, "13001S00"))
    respx.get(f"{BASE}/sue/dossiers/3").respond(404)
    found = imilo.structure_dossiers(CODE, numbers=[1, 2, 3, 1], mails=["lea@example.org"])
    assert [d.id for d in found] == [1]


def test_what_the_routes_cannot_serve_is_nothing(imilo: SessionsIMilo) -> None:
    assert imilo.search_names(CODE, ["DURAND"]) == []
    assert imilo.actualites(1001) == []
    assert imilo.structure_dossiers(CODE, mails=["lea@example.org"]) == []
    with pytest.raises(FatalApiError, match="actualités are not served"):
        imilo.record_actualite(
            1001, NewActualite(9001, Nature.ATELIER, date(2026, 3, 2), "ok"), idempotency_key="k"
        )
    assert len(respx.calls) == 0


def test_every_path_segment_is_escaped(imilo: SessionsIMilo) -> None:
    route = respx.route(method="GET", host="gateway.test").respond(404)
    assert imilo.structure("../x?y=#") is None
    assert route.calls.last.request.url.raw_path.startswith(
        b"/operateurs/structures/%2E%2E%2Fx%3Fy%3D%23/sessions?"
    )


def registrations(statut: str, **more: Any) -> httpx.Response:
    return httpx.Response(200, json=[inscrit(9001, 1001, statut, **more)])


def known(imilo: SessionsIMilo) -> None:
    """The registration was seen among the candidates: its session is remembered."""
    respx.get(SESSIONS_URL).mock(return_value=page(1, 1, session(7001)))
    respx.get(f"{BASE}/sue/dossiers/1001").respond(200, json=dossier(1001))
    respx.get(f"{BASE}/operateurs/sessions/7001/inscrits").mock(
        return_value=registrations("ONGOING")
    )
    imilo.candidates(CODE, 501, REALISABLE)


def realise(imilo: SessionsIMilo, day: date = date(2026, 3, 2)) -> Any:
    return imilo.mark_realised(
        1001,
        9001,
        day,
        expected=PrescriptionStatus.ONGOING,
        comment="Pix: 3 compétences",
        idempotency_key="key-1",
    )


def test_a_write_reads_the_status_first_then_puts_it(imilo: SessionsIMilo) -> None:
    known(imilo)
    put = respx.put(f"{BASE}/operateurs/dossiers/1001/instances-session/9001").respond(204)
    written = realise(imilo)
    assert json.loads(put.calls.last.request.content) == {
        "statut": "ACHIEVED",
        "dateDebutReelle": "2026-03-02",
        "commentaire": "Pix: 3 compétences",
    }
    assert put.calls.last.request.headers["X-Gravitee-Api-Key"] == "instances-ecriture-key"
    assert written.statut is PrescriptionStatus.ACHIEVED
    assert (written.id, written.offre_id, written.date_realisation) == (9001, 501, date(2026, 3, 2))


def test_a_write_answered_200_with_a_body_is_a_success(imilo: SessionsIMilo) -> None:
    known(imilo)
    respx.put(f"{BASE}/operateurs/dossiers/1001/instances-session/9001").respond(
        200, text="OK", headers={"content-type": "text/plain"}
    )
    assert realise(imilo).statut is PrescriptionStatus.ACHIEVED


def test_a_status_changed_meanwhile_is_a_conflict(imilo: SessionsIMilo) -> None:
    known(imilo)
    respx.get(f"{BASE}/operateurs/sessions/7001/inscrits").mock(
        return_value=registrations("Refus jeune")
    )
    put = respx.put(f"{BASE}/operateurs/dossiers/1001/instances-session/9001").respond(204)
    with pytest.raises(PrescriptionConflict):
        realise(imilo)
    respx.get(f"{BASE}/operateurs/sessions/7001/inscrits").mock(
        return_value=httpx.Response(200, json=[])
    )
    with pytest.raises(PrescriptionConflict, match="gone"):
        realise(imilo)
    assert not put.called


def test_our_own_earlier_write_is_recognised(imilo: SessionsIMilo) -> None:
    """Réalisé on the write's date is ours; on another date, a counsellor's: a conflict."""
    known(imilo)
    put = respx.put(f"{BASE}/operateurs/dossiers/1001/instances-session/9001").respond(204)
    reads = respx.get(f"{BASE}/operateurs/sessions/7001/inscrits")
    reads.mock(return_value=registrations("Réalisé"))  # no date served, not written by us
    with pytest.raises(PrescriptionConflict):
        realise(imilo)
    reads.mock(return_value=registrations("ACHIEVED", dateDebutReelle="2026-03-09"))
    with pytest.raises(PrescriptionConflict):
        realise(imilo)
    reads.mock(return_value=registrations("ACHIEVED", dateDebutReelle="2026-03-02"))
    assert realise(imilo).date_realisation == date(2026, 3, 2)
    assert not put.called


def test_a_lost_write_is_retried_only_after_reading_again() -> None:
    with respx.mock:
        respx.post(TOKEN_URL).respond(200, json={"access_token": "tok-abcdef", "expires_in": 300})
        imilo = make(FAST_RETRY)
        known(imilo)
        reads = respx.get(f"{BASE}/operateurs/sessions/7001/inscrits")
        reads.side_effect = [registrations("ONGOING"), registrations("Réalisé")]
        put = respx.put(f"{BASE}/operateurs/dossiers/1001/instances-session/9001")
        put.side_effect = [httpx.ReadTimeout("lost")]
        written = realise(imilo)  # the write went through; its answer was lost
        assert put.call_count == 1
        assert written.date_realisation == date(2026, 3, 2)
        # What the adapter wrote, it recognises afterwards (the gateway serves no date).
        reads.side_effect = None
        reads.return_value = registrations("Réalisé")
        assert imilo.prescription(1001, 9001).date_realisation == date(2026, 3, 2)  # type: ignore[union-attr]
        reads.side_effect = [registrations("ONGOING"), registrations("ONGOING")]
        put.side_effect = [httpx.Response(503), httpx.Response(204)]
        assert realise(imilo, date(2026, 3, 3)).statut is PrescriptionStatus.ACHIEVED
        assert put.call_count == 3
        imilo.close()


def test_a_registration_is_found_after_a_restart(imilo: SessionsIMilo) -> None:
    """Its session unknown, the registration is looked for in the sessions of its dossier's
    structure, the « Evaluation PIX » offer's first."""
    respx.get(SESSIONS_URL).mock(
        return_value=page(1, 2, session(7009, 777, "Atelier CV"), session(7001))
    )
    respx.get(f"{BASE}/sue/dossiers/1001").respond(200, json=dossier(1001))
    pix = respx.get(f"{BASE}/operateurs/sessions/7001/inscrits").mock(
        return_value=registrations("Prescrit")
    )
    cv = respx.get(f"{BASE}/operateurs/sessions/7009/inscrits").respond(200, json=[])
    found = imilo.prescription(1001, 9001)
    assert found is not None
    assert (found.offre_id, found.statut) == (501, PrescriptionStatus.ONGOING)
    assert pix.called and not cv.called
    assert imilo.prescription(1001, 4242) is None
    respx.get(f"{BASE}/sue/dossiers/5").respond(404)
    assert imilo.prescription(5, 9001) is None


def test_the_labels_are_mapped_in_imilo_yaml(tmp_path: Path) -> None:
    (tmp_path / "imilo.yaml").write_text("libelles:\n  realise: Fait\n", encoding="utf-8")
    codes = load_mappings(tmp_path).imilo
    assert codes.status_from_either("Fait") is PrescriptionStatus.ACHIEVED
    assert codes.status_from_either("Prescrit") is PrescriptionStatus.ONGOING
    (tmp_path / "imilo.yaml").write_text("libelles:\n  realisé: Fait\n", encoding="utf-8")
    with pytest.raises(MappingsError, match="unknown key"):
        load_mappings(tmp_path)


@pytest.mark.parametrize(("api", "kind"), [("contract", HttpIMilo), ("sessions", SessionsIMilo)])
def test_imilo_api_chooses_the_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api: str, kind: type
) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env file
    settings = load_imilo_settings(
        IMILO_API=api,
        IMILO_API_URL="http://127.0.0.1:9",
        IMILO_API_KEY="k3y-value",
        IMILO_OPERATEUR="APPLICATION_CEJ",
        IMILO_TOKEN_URL="http://127.0.0.1:9/oauth/token",
        IMILO_CLIENT_ID="connector",
        IMILO_CLIENT_SECRET="client-s3cr3t",
        CONNECTOR_DATABASE_URL=f"sqlite:///{tmp_path / 'state.db'}",
        CONNECTOR_MAPPINGS_DIR=str(ROOT / "mappings"),
    )
    with build(settings, pix=FakePix()) as connector:
        assert isinstance(connector.imilo, kind)
        connector.use_mappings(connector.mappings)
        assert connector.imilo.codes is connector.mappings.imilo


def test_a_refused_write_is_not_taken_for_ours_later(imilo: SessionsIMilo) -> None:
    known(imilo)
    put = respx.put(f"{BASE}/operateurs/dossiers/1001/instances-session/9001").respond(400)
    with pytest.raises(FatalApiError):
        realise(imilo)
    respx.get(f"{BASE}/operateurs/sessions/7001/inscrits").mock(
        return_value=registrations("Réalisé")  # a counsellor's, on a date not served
    )
    with pytest.raises(PrescriptionConflict):
        realise(imilo)
    found = imilo.prescription(1001, 9001)
    assert found is not None and found.date_realisation is None
    assert put.call_count == 1
