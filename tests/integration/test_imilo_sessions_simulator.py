"""The I-Milo simulator's gateway mode (``--api sessions``) over loopback HTTP.

Against tests/fixtures/sim: in Lyon (69380S00) the « Evaluation PIX » offer 501 has
prescriptions 7002 (January 2026), 7001 (February) and 7003 (March); the « Atelier CV » offer
502 has 7004 (February). Cayenne (97302S00) has offer 601 with 8001 (March).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from connector.entrypoints.cli import main
from connector.entrypoints.cli_parser import command_parser
from connector.simulators import create_imilo_app, load_imilo_data, running
from connector.simulators.faults import FAULT_KINDS, FaultInjector, FaultPlan
from connector.simulators.fixtures import Dossier, ImiloData, Offre, Prescription, Structure
from connector.simulators.imilo_sessions import create_imilo_sessions_app

pytestmark = pytest.mark.integration

FIXTURE_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "sim"
LYON, CAYENNE = "69380S00", "97302S00"
SESSIONS = f"/operateurs/structures/{LYON}/sessions"
TOKEN_FORM = {
    "grant_type": "client_credentials",
    "client_id": "ml-lyon",
    "client_secret": "sim-secret",
}
# Session ids: idOffre * 1_000_000 + yyyymm.
PIX_JAN, PIX_FEB, PIX_MAR, CV_FEB = 501202601, 501202602, 501202603, 502202602
ACHIEVE = {"statut": "ACHIEVED", "dateDebutReelle": "2026-03-12", "commentaire": "Pix 62 %"}


def fetch_token(http: httpx.Client) -> str:
    answer = http.post("/oauth/token", data=TOKEN_FORM)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


@contextmanager
def gateway(app: Starlette, timeout: float = 5.0) -> Iterator[httpx.Client]:
    """A client of ``app`` sending the API key, the operateur and a fresh bearer token."""
    with running(app) as base_url:
        headers = {"X-Gravitee-Api-Key": "test-key", "operateur": "APPLICATION_CEJ"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=timeout) as http:
            if app.state.faults is None:
                http.headers["Authorization"] = f"Bearer {fetch_token(http)}"
            yield http


@pytest.fixture
def imilo() -> Iterator[httpx.Client]:
    with gateway(create_imilo_app(load_imilo_data(FIXTURE_DIR), api="sessions")) as http:
        yield http


def state(http: httpx.Client) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{http.base_url}/_sim/state").json()
    return body


def row(http: httpx.Client, id_prescription: int) -> dict[str, Any]:
    return next(p for p in state(http)["prescriptions"] if p["id"] == id_prescription)


def write(http: httpx.Client, id_dossier: int, id_instance: int, body: Any) -> httpx.Response:
    path = f"/operateurs/dossiers/{id_dossier}/instances-session/{id_instance}"
    return http.put(path, json=body)


# --- the token and the headers ---------------------------------------------------------------


def test_token_endpoint_serves_client_credentials(imilo: httpx.Client) -> None:
    """Any client id with sim-secret gets a Bearer token for 300 s; else invalid_client."""
    answer = imilo.post("/oauth/token", data=TOKEN_FORM, headers={"Authorization": ""})
    body = answer.json()
    assert answer.status_code == 200
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 300)
    wrong = imilo.post("/oauth/token", data={**TOKEN_FORM, "client_secret": "nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"error": "invalid_client"})
    no_id = imilo.post("/oauth/token", data={**TOKEN_FORM, "client_id": ""})
    assert no_id.status_code == 401
    grant = imilo.post("/oauth/token", data={**TOKEN_FORM, "grant_type": "password"})
    assert grant.status_code == 400
    basic = base64.b64encode(b"ml-lyon:sim-secret").decode()
    form = {"grant_type": "client_credentials"}
    by_basic = imilo.post("/oauth/token", data=form, headers={"Authorization": f"Basic {basic}"})
    assert by_basic.status_code == 200


def test_operateurs_routes_need_key_operateur_and_bearer(imilo: httpx.Client) -> None:
    """Each of the three is required on /operateurs/; 401 with a message otherwise."""
    assert imilo.get(SESSIONS).status_code == 200
    for missing in ("X-Gravitee-Api-Key", "operateur", "Authorization"):
        headers = {k: v for k, v in imilo.headers.items() if k.lower() != missing.lower()}
        answer = httpx.get(f"{imilo.base_url}{SESSIONS}", headers=headers)
        assert answer.status_code == 401, missing
        assert set(answer.json()) == {"message"}
    for bad in ({"X-Gravitee-Api-Key": "wrong"}, {"operateur": ""}, {"Authorization": "Bearer x"}):
        assert imilo.get(SESSIONS, headers=bad).status_code == 401, bad
    token = imilo.headers["Authorization"].removeprefix("Bearer ")
    assert imilo.get(SESSIONS, headers={"Authorization": f"Basic {token}"}).status_code == 401
    # A write without a token is refused before it reaches the prescription.
    bare = httpx.put(f"{imilo.base_url}/operateurs/dossiers/1001/instances-session/7001")
    assert bare.status_code == 401
    assert row(imilo, 7001)["statut"] == "ONGOING"


def test_sue_dossiers_needs_the_api_key_only(imilo: httpx.Client) -> None:
    """GET /sue/dossiers/{id} answers as in contract mode, with no operateur nor bearer."""
    key_only = {"X-Gravitee-Api-Key": "test-key"}
    answer = httpx.get(f"{imilo.base_url}/sue/dossiers/1002", headers=key_only)
    assert answer.status_code == 200
    contract = create_imilo_app(load_imilo_data(FIXTURE_DIR))
    with running(contract) as url:
        assert answer.json() == httpx.get(f"{url}/sue/dossiers/1002", headers=key_only).json()
    assert httpx.get(f"{imilo.base_url}/sue/dossiers/1002").status_code == 401
    assert imilo.get("/sue/dossiers/9999").status_code == 404


def test_an_expired_token_is_refused() -> None:
    """A token past its expires_in gets 401; a new one works."""
    now = [1000.0]
    app = create_imilo_sessions_app(load_imilo_data(FIXTURE_DIR), clock=lambda: now[0])
    with gateway(app) as http:
        assert http.get(SESSIONS).status_code == 200
        now[0] += 300
        assert http.get(SESSIONS).status_code == 401
        http.headers["Authorization"] = f"Bearer {fetch_token(http)}"
        assert http.get(SESSIONS).status_code == 200


# --- sessions ----------------------------------------------------------------------------------


def test_sessions_of_a_structure_one_per_offer_and_month(imilo: httpx.Client) -> None:
    """By start then offer; each session as {session, offre}; every offer has its sessions."""
    body = imilo.get(SESSIONS, params={"taillePage": 50, "page": 1}).json()
    assert (body["page"], body["nbSessions"]) == (1, 4)
    ids = [s["session"]["id"] for s in body["sessions"]]
    assert ids == [PIX_JAN, PIX_FEB, CV_FEB, PIX_MAR]
    first = body["sessions"][0]
    assert first["session"] == {
        "id": PIX_JAN,
        "nom": "Evaluation PIX - 2026-01",
        "dateHeureDebut": "2026-01-01 09:00:00",
        "dateHeureFin": "2026-01-01 12:00:00",
        "dateMaxInscription": None,
        "animateur": "Conseiller numérique",
        "lieu": "Mission Locale de Lyon",
        "nbPlacesDisponibles": None,
        "commentaire": None,
    }
    assert first["offre"] == {
        "id": 501,
        "nom": "Evaluation PIX",
        "theme": "Projet professionnel",
        "type": "WORKSHOP",
        "description": None,
        "nomPartenaire": "GIP PIX",
    }
    assert body["sessions"][2]["offre"]["nomPartenaire"] is None
    cayenne = imilo.get(f"/operateurs/structures/{CAYENNE}/sessions").json()
    assert [s["session"]["id"] for s in cayenne["sessions"]] == [601202603]


def test_sessions_date_window(imilo: httpx.Client) -> None:
    """A session is listed when its start day is within the window, both ends included."""

    def listed(**window: str) -> list[int]:
        body = imilo.get(SESSIONS, params=window).json()
        assert body["nbSessions"] == len(body["sessions"])
        return [s["session"]["id"] for s in body["sessions"]]

    assert listed(dateDebutRecherche="2026-02-01") == [PIX_FEB, CV_FEB, PIX_MAR]
    assert listed(dateFinRecherche="2026-02-01") == [PIX_JAN, PIX_FEB, CV_FEB]
    assert listed(dateDebutRecherche="2026-01-02", dateFinRecherche="2026-02-28") == [
        PIX_FEB,
        CV_FEB,
    ]
    assert listed(dateDebutRecherche="2027-01-01") == []
    for bad in ({"dateDebutRecherche": "01/02/2026"}, {"taillePage": "0"}, {"page": "x"}):
        assert imilo.get(SESSIONS, params=bad).status_code == 400, bad


def test_sessions_unknown_structure_is_404(imilo: httpx.Client) -> None:
    answer = imilo.get("/operateurs/structures/00000S00/sessions")
    assert answer.status_code == 404
    assert set(answer.json()) == {"message"}


def _many_months() -> ImiloData:
    """One « Evaluation PIX » offer with a prescription in each of 60 months (2021–2025)."""
    code = "75056S00"
    dossier = Dossier(1, code, "NOM", None, "Prénom", None, None, None, None, None, None)
    offre = Offre(
        1,
        code,
        "Evaluation PIX",
        "Projet professionnel",
        None,
        "Animation collective",
        None,
        None,
        None,
        None,
    )
    prescriptions = [
        Prescription(i + 1, 1, 1, "ONGOING", None, f"{2021 + i // 12}-{i % 12 + 1:02d}-15")
        for i in range(60)
    ]
    return ImiloData(
        structures=[Structure(code, "Mission Locale de Paris")],
        dossiers=[dossier],
        offres=[offre],
        prescriptions=prescriptions,
        api_keys=frozenset({"test-key"}),
    )


def test_sessions_pages_hold_at_most_50() -> None:
    """taillePage above 50 still gives 50; the last page the rest; past it, none."""
    with gateway(create_imilo_sessions_app(_many_months())) as http:
        path = "/operateurs/structures/75056S00/sessions"
        first = http.get(path, params={"taillePage": 200, "page": 1}).json()
        second = http.get(path, params={"taillePage": 200, "page": 2}).json()
        third = http.get(path, params={"taillePage": 200, "page": 3}).json()
        small = http.get(path, params={"taillePage": 7, "page": 2}).json()
        default = http.get(path).json()
    assert (first["nbSessions"], len(first["sessions"]), len(second["sessions"])) == (60, 50, 10)
    assert (second["page"], third["sessions"], third["nbSessions"]) == (2, [], 60)
    names = [s["session"]["nom"] for s in first["sessions"] + second["sessions"]]
    assert names[0] == "Evaluation PIX - 2021-01"
    assert names[-1] == "Evaluation PIX - 2025-12"
    assert names == sorted(names)
    assert small["sessions"][0]["session"]["nom"] == "Evaluation PIX - 2021-08"
    assert len(small["sessions"]) == 7
    assert len(default["sessions"]) == 50


def test_one_session_and_its_inscrits(imilo: httpx.Client) -> None:
    """A session as {session, offre}; its registrations by idInstanceSession (the
    prescription's id), with the name in use, else the birth name, and the status code."""
    detail = imilo.get(f"/operateurs/sessions/{PIX_FEB}").json()
    assert detail["session"]["nom"] == "Evaluation PIX - 2026-02"
    assert detail["offre"]["id"] == 501
    assert imilo.get(f"/operateurs/sessions/{PIX_JAN}/inscrits").json() == [
        {
            "idDossier": 1002,
            "idInstanceSession": 7002,
            "nom": "LEROY",
            "prenom": "Bruno",
            "statut": "ACHIEVED",
        }
    ]
    assert imilo.get(f"/operateurs/sessions/{PIX_FEB}/inscrits").json() == [
        {
            "idDossier": 1001,
            "idInstanceSession": 7001,
            "nom": "MARTIN",
            "prenom": "Alice",
            "statut": "ONGOING",
        }
    ]
    for unknown in (501202604, 999202603, 501209913, 7):
        assert imilo.get(f"/operateurs/sessions/{unknown}").status_code == 404, unknown
        assert imilo.get(f"/operateurs/sessions/{unknown}/inscrits").status_code == 404


# --- the write and /_sim/state -------------------------------------------------------------------


def test_both_modes_report_the_same_prescriptions() -> None:
    contract = create_imilo_app(load_imilo_data(FIXTURE_DIR))
    sessions = create_imilo_app(load_imilo_data(FIXTURE_DIR), api="sessions")
    with running(contract) as one, running(sessions) as other:
        assert httpx.get(f"{one}/_sim/state").json() == httpx.get(f"{other}/_sim/state").json()


def test_write_sets_status_and_date_of_realisation(imilo: httpx.Client) -> None:
    """204 with no body; /_sim/state and the inscrits show it; writes counts it, not tokens."""
    answer = write(imilo, 1001, 7001, ACHIEVE)
    assert (answer.status_code, answer.content) == (204, b"")
    assert row(imilo, 7001) == {
        "id": 7001,
        "idDossier": 1001,
        "idOffre": 501,
        "statut": "ACHIEVED",
        "dateRealisation": "2026-03-12",
    }
    inscrits = imilo.get(f"/operateurs/sessions/{PIX_FEB}/inscrits").json()
    assert inscrits[0]["statut"] == "ACHIEVED"
    fetch_token(imilo)
    assert state(imilo)["writes"] == 1
    assert state(imilo)["actualites"] == []


def test_write_has_no_guard_and_no_idempotency(imilo: httpx.Client) -> None:
    """The same write twice is applied twice; a later one overrides it, and clears the date."""
    assert write(imilo, 1001, 7001, ACHIEVE).status_code == 204
    assert write(imilo, 1001, 7001, ACHIEVE).status_code == 204
    assert write(imilo, 1001, 7001, {"statut": "REFUSAL_YOUNG"}).status_code == 204
    assert (row(imilo, 7001)["statut"], row(imilo, 7001)["dateRealisation"]) == (
        "REFUSAL_YOUNG",
        None,
    )
    assert state(imilo)["writes"] == 3


def test_write_refusals(imilo: httpx.Client) -> None:
    """404 for an unknown registration or one of another dossier; 400/422 for a bad body;
    none of them counts as a write or changes anything."""
    before = state(imilo)
    assert write(imilo, 1002, 7001, ACHIEVE).status_code == 404
    assert write(imilo, 1001, 7999, ACHIEVE).status_code == 404
    path = "/operateurs/dossiers/1001/instances-session/7001"
    assert imilo.put(path, content=b"{not json").status_code == 400
    for body in (
        [ACHIEVE],
        {"statut": "DONE", "dateDebutReelle": "2026-03-12"},
        {"statut": "ACHIEVED"},
        {"statut": "ACHIEVED", "dateDebutReelle": "12/03/2026"},
        {**ACHIEVE, "commentaire": 3},
    ):
        assert write(imilo, 1001, 7001, body).status_code == 422, body
    assert imilo.post(path, json=ACHIEVE).status_code == 405
    assert state(imilo) == before


def test_sim_prescriptions_opens_a_registration(imilo: httpx.Client) -> None:
    """A prescription opened through /_sim/prescriptions is a registration, in a new session
    if its month has none."""
    opened = {"idDossier": 1004, "idOffre": 501, "datePrescription": "2026-04-02"}
    created = httpx.post(f"{imilo.base_url}/_sim/prescriptions", json=opened).json()
    inscrits = imilo.get("/operateurs/sessions/501202604/inscrits").json()
    assert inscrits == [
        {
            "idDossier": 1004,
            "idInstanceSession": created["id"],
            "nom": "FONTAINE",
            "prenom": "Jean",
            "statut": "ONGOING",
        }
    ]
    assert imilo.get(SESSIONS).json()["nbSessions"] == 5
    assert state(imilo)["writes"] == 0


def test_undated_prescriptions_go_to_the_month_the_simulator_started() -> None:
    data = load_imilo_data(FIXTURE_DIR)
    undated = Prescription(9001, 1005, 501, "ONGOING", None, None)
    data = ImiloData(
        data.structures, data.dossiers, data.offres, [*data.prescriptions, undated], data.api_keys
    )
    with gateway(create_imilo_sessions_app(data, today=date(2026, 5, 20))) as http:
        inscrits = http.get("/operateurs/sessions/501202605/inscrits").json()
    assert [i["idInstanceSession"] for i in inscrits] == [9001]


# --- faults --------------------------------------------------------------------------------------


def faulted(rate: float, seed: int = 7) -> Starlette:
    plan = FaultPlan(rate=rate, seed=seed, stall_seconds=2.0)
    return create_imilo_app(load_imilo_data(FIXTURE_DIR), api="sessions", faults=plan)


def outcome(call: Any) -> str:
    try:
        return str(call().status_code)
    except httpx.TimeoutException:
        return "stall"
    except (httpx.RemoteProtocolError, httpx.ReadError):
        return "drop"


def test_faults_hit_every_route_but_sim_the_token_endpoint_included() -> None:
    with gateway(faulted(1.0, seed=3), timeout=0.5) as http:
        kinds = [outcome(lambda: http.post("/oauth/token", data=TOKEN_FORM)) for _ in range(6)]
        kinds += [outcome(lambda: http.get(SESSIONS)) for _ in range(6)]
        assert http.get("/_sim/state").status_code == 200
        report = http.get("/_sim/faults").json()
    assert set(kinds) <= set(FAULT_KINDS)
    assert report["requests"] == 12
    assert sum(report["injected"].values()) == 12


def test_under_faults_a_retried_write_ends_in_the_fault_free_state() -> None:
    """With 40 % faults, a client retrying token, read and write until each succeeds ends
    with the write applied, as without faults; writes counts only 2xx answers of the app."""
    with gateway(faulted(0.4, seed=7), timeout=0.5) as http:

        def until_ok(call: Any) -> httpx.Response:
            for _ in range(60):
                try:
                    answer: httpx.Response = call()
                except httpx.TransportError:
                    continue
                if answer.status_code < 500 and answer.status_code != 429:
                    return answer
                time.sleep(0.01)
            raise AssertionError("never succeeded")

        token = until_ok(lambda: http.post("/oauth/token", data=TOKEN_FORM)).json()
        http.headers["Authorization"] = f"Bearer {token['access_token']}"
        inscrits = until_ok(lambda: http.get(f"/operateurs/sessions/{PIX_MAR}/inscrits")).json()
        assert [i["idInstanceSession"] for i in inscrits] == [7003]
        assert until_ok(lambda: write(http, 1003, 7003, ACHIEVE)).status_code == 204
        after = state(http)
        injected = http.get("/_sim/faults").json()["injected"]
    assert sum(injected.values()) > 0
    assert next(p for p in after["prescriptions"] if p["id"] == 7003)["statut"] == "ACHIEVED"
    assert after["writes"] >= 1


def test_a_write_dropped_after_it_is_applied_reads_as_a_cut_connection() -> None:
    """A 204 has no body to cut: a drop after the app sends a 200 whose body never comes, so the
    client sees every drop as a transport error; writes counts the applied ones."""
    hook_calls: list[tuple[str, bool]] = []
    app = create_imilo_sessions_app(load_imilo_data(FIXTURE_DIR))
    token = app.state.tokens.issue()
    plan = FaultPlan(rate=1.0, seed=4, stall_seconds=2.0)
    injector = FaultInjector(app, plan, writes_counter_hook=lambda *call: hook_calls.append(call))
    with running(injector) as url:
        headers = {
            "X-Gravitee-Api-Key": "test-key",
            "operateur": "APPLICATION_CEJ",
            "Authorization": f"Bearer {token}",
        }
        with httpx.Client(base_url=url, headers=headers, timeout=0.5) as http:
            outcomes = [outcome(lambda: write(http, 1001, 7001, ACHIEVE)) for _ in range(24)]
            deadline = time.monotonic() + 5
            while len(hook_calls) < sum(injector.injected.values()):
                assert time.monotonic() < deadline
                time.sleep(0.05)
            after = state(http)
    assert ("drop", True) in hook_calls
    assert outcomes.count("drop") == sum(1 for kind, _ in hook_calls if kind == "drop")
    assert after["writes"] == sum(1 for _, applied in hook_calls if applied) > 0
    assert next(p for p in after["prescriptions"] if p["id"] == 7001)["statut"] == "ACHIEVED"


# --- the command line ----------------------------------------------------------------------------


def test_simulate_takes_an_api_option() -> None:
    parse = command_parser().parse_args
    base = ["simulate", "imilo", "--data", str(FIXTURE_DIR), "--port", "1"]
    assert parse(base).api == "contract"
    assert parse([*base, "--api", "sessions"]).api == "sessions"
    with pytest.raises(SystemExit):
        parse([*base, "--api", "soap"])
    pix = ["simulate", "pix", "--data", str(FIXTURE_DIR), "--port", "1", "--api", "sessions"]
    assert main(pix) != 0
