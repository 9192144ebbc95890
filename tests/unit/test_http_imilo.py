"""The I-Milo adapter against precise HTTP answers (respx): key, paging, writes, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
import respx

from connector.domain.model import Nature, NewActualite, PrescriptionStatus
from connector.domain.rules import REALISABLE
from connector.errors import (
    FatalApiError,
    MalformedResponse,
    PrescriptionConflict,
    TransientApiError,
)
from connector.imilo.http import HttpIMilo
from connector.transport.retry import NO_RETRY, RetryPolicy

BASE = "http://imilo.test"
ONGOING = PrescriptionStatus.ONGOING


def inscrit(pid: int) -> dict[str, object]:
    return {
        "idPrescription": pid,
        "idDossier": 1000 + pid,
        "idOffre": 5,
        "statut": "ONGOING",
        "datePrescription": "2026-01-10",
        "dateRealisation": None,
        "nomNaissance": "DURAND",
        "nomUsage": None,
        "prenom": "Léa",
        "mail": None,
    }


@pytest.fixture
def imilo() -> Iterator[HttpIMilo]:
    adapter = HttpIMilo(BASE, "the-key", retry=NO_RETRY)
    yield adapter
    adapter.close()


@respx.mock
def test_candidates_follow_every_page(imilo: HttpIMilo) -> None:
    """All pages are read, with the API key and the ONGOING filter on each."""
    route = respx.get(f"{BASE}/operateurs/structures/75010S00/offres/5/inscrits")
    route.side_effect = [
        httpx.Response(
            200,
            json={
                "inscrits": [inscrit(1), inscrit(2)],
                "page": {"numero": 1, "taille": 2, "nombrePages": 2, "total": 3},
            },
        ),
        httpx.Response(
            200,
            json={
                "inscrits": [inscrit(3)],
                "page": {"numero": 2, "taille": 2, "nombrePages": 2, "total": 3},
            },
        ),
    ]
    candidates = imilo.candidates("75010S00", 5, REALISABLE)
    assert [c.prescription.id for c in candidates] == [1, 2, 3]
    assert candidates[0].dossier.prenom == "Léa"
    request = route.calls[0].request
    assert request.headers["X-Gravitee-Api-Key"] == "the-key"
    assert request.url.params["statut"] == "ONGOING"
    assert route.calls[1].request.url.params["page"] == "2"


@respx.mock
def test_candidates_ask_for_the_statuses_given(imilo: HttpIMilo) -> None:
    """One ``statut`` per status asked for, in a stable order; none asks for every status."""
    route = respx.get(f"{BASE}/operateurs/structures/75010S00/offres/5/inscrits").mock(
        return_value=httpx.Response(
            200, json={"inscrits": [], "page": {"numero": 1, "taille": 150, "nombrePages": 0}}
        )
    )
    imilo.candidates("75010S00", 5, {PrescriptionStatus.REFUSAL, ONGOING})
    imilo.candidates("75010S00", 5, ())
    assert route.calls[0].request.url.params.get_list("statut") == ["ONGOING", "REFUSAL"]
    assert "statut" not in route.calls[1].request.url.params


@respx.mock
def test_mark_realised_sends_the_status_the_plan_expects(imilo: HttpIMilo) -> None:
    """``statutAttendu`` is the ``expected`` status given, in I-Milo's code."""
    route = respx.put(f"{BASE}/operateurs/dossiers/1001/prescriptions/1").mock(
        return_value=httpx.Response(
            200,
            json={"id": 1, "idDossier": 1001, "idOffre": 5, "statut": "ACHIEVED"},
        )
    )
    imilo.mark_realised(
        1001,
        1,
        date(2026, 3, 12),
        expected=PrescriptionStatus.ABANDONED,
        comment="c",
        idempotency_key="k1",
    )
    assert json.loads(route.calls[0].request.content)["statutAttendu"] == "ABANDONED"


@respx.mock
def test_mark_realised_sends_the_key_and_a_compare_and_set_guard(imilo: HttpIMilo) -> None:
    """The write carries the idempotency key and statutAttendu=ONGOING."""
    route = respx.put(f"{BASE}/operateurs/dossiers/1001/prescriptions/1").mock(
        return_value=httpx.Response(
            200,
            json={
                "id": 1,
                "idDossier": 1001,
                "idOffre": 5,
                "statut": "ACHIEVED",
                "dateRealisation": "2026-03-12",
                "datePrescription": "2026-01-10",
            },
        )
    )
    result = imilo.mark_realised(
        1001, 1, date(2026, 3, 12), expected=ONGOING, comment="c", idempotency_key="k1"
    )
    assert result.statut is PrescriptionStatus.ACHIEVED
    request = route.calls[0].request
    assert request.headers["Idempotency-Key"] == "k1"
    assert json.loads(request.content) == {
        "statut": "ACHIEVED",
        "dateRealisation": "2026-03-12",
        "commentaire": "c",
        "statutAttendu": "ONGOING",
    }


@respx.mock
def test_a_409_is_a_conflict(imilo: HttpIMilo) -> None:
    """A prescription closed meanwhile is reported as a conflict, not a failure to retry."""
    respx.put(f"{BASE}/operateurs/dossiers/1001/prescriptions/1").mock(
        return_value=httpx.Response(409, json={"message": "statut"})
    )
    with pytest.raises(PrescriptionConflict):
        imilo.mark_realised(
            1001, 1, date(2026, 3, 12), expected=ONGOING, comment="c", idempotency_key="k1"
        )


@respx.mock
def test_record_actualite_posts_with_its_key(imilo: HttpIMilo) -> None:
    """The actualité is posted with nature, date, comment and prescription."""
    route = respx.post(f"{BASE}/operateurs/dossiers/1001/actualites").mock(
        return_value=httpx.Response(
            201,
            json={
                "id": 9,
                "idDossier": 1001,
                "idPrescription": 1,
                "nature": "ATELIER",
                "date": "2026-03-12",
                "commentaire": "c",
            },
        )
    )
    created = imilo.record_actualite(
        1001, NewActualite(1, Nature.ATELIER, date(2026, 3, 12), "c"), idempotency_key="k2"
    )
    assert created.id == 9
    assert route.calls[0].request.headers["Idempotency-Key"] == "k2"


@respx.mock
def test_unknown_dossier_is_none(imilo: HttpIMilo) -> None:
    """A 404 on a dossier means no such young person, not an error."""
    respx.get(f"{BASE}/sue/dossiers/42").mock(
        return_value=httpx.Response(404, json={"message": "x"})
    )
    assert imilo.dossier(42) is None


@respx.mock
def test_a_refused_key_names_the_setting(imilo: HttpIMilo) -> None:
    """A 401 says to check IMILO_API_KEY, without its value."""
    respx.get(f"{BASE}/operateurs/structures/X").mock(return_value=httpx.Response(401))
    with pytest.raises(FatalApiError) as caught:
        imilo.structure("X")
    assert "IMILO_API_KEY" in str(caught.value)
    assert "the-key" not in str(caught.value)


@respx.mock
def test_server_errors_and_timeouts_are_transient(imilo: HttpIMilo) -> None:
    """5xx, 429 and timeouts may succeed later."""
    route = respx.get(f"{BASE}/sue/dossiers/1")
    route.side_effect = [httpx.Response(503), httpx.Response(429), httpx.ReadTimeout("slow")]
    for _ in range(3):
        with pytest.raises(TransientApiError):
            imilo.dossier(1)


class Retries:
    def __init__(self) -> None:
        self.count = 0

    def observe_request(self, api: str, status: int | None, seconds: float) -> None:
        pass

    def observe_retry(self, api: str) -> None:
        self.count += 1


@respx.mock
def test_transient_errors_are_retried_and_counted() -> None:
    """A 503 then a 429 with Retry-After, then success: two retries, one answer."""
    retries = Retries()
    adapter = HttpIMilo(
        BASE, "k", retry=RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.02), observer=retries
    )
    route = respx.get(f"{BASE}/sue/dossiers/1")
    route.side_effect = [
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.Response(404, json={"message": "none"}),
    ]
    assert adapter.dossier(1) is None
    assert route.call_count == 3 and retries.count == 2


@respx.mock
def test_a_refused_request_is_not_retried() -> None:
    """A 4xx other than 429 fails at once: retrying cannot help."""
    adapter = HttpIMilo(BASE, "k", retry=RetryPolicy(attempts=4, initial_wait=0.01))
    route = respx.put(f"{BASE}/operateurs/dossiers/1/prescriptions/2").mock(
        return_value=httpx.Response(422, json={"message": "bad"})
    )
    with pytest.raises(FatalApiError):
        adapter.mark_realised(
            1, 2, date(2026, 3, 12), expected=ONGOING, comment="c", idempotency_key="k"
        )
    assert route.call_count == 1


@respx.mock
def test_retries_stop_at_the_attempt_limit() -> None:
    """After the last attempt the transient error is raised to the caller."""
    adapter = HttpIMilo(BASE, "k", retry=RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.01))
    route = respx.get(f"{BASE}/sue/dossiers/1").mock(return_value=httpx.Response(502))
    with pytest.raises(TransientApiError):
        adapter.dossier(1)
    assert route.call_count == 3


@respx.mock
def test_a_hostile_structure_code_stays_one_path_segment(imilo: HttpIMilo) -> None:
    """``../../sue/dossiers/1?x=#`` would reach another route of the gateway, API key
    included; escaped whole (dots too, which httpx would resolve), it is one segment."""
    route = respx.get(url__regex=r".*").mock(return_value=httpx.Response(404))
    assert imilo.structure("../../sue/dossiers/1?x=#") is None
    sent = route.calls.last.request.url
    assert sent.raw_path == (
        b"/operateurs/structures/%2E%2E%2F%2E%2E%2Fsue%2Fdossiers%2F1%3Fx%3D%23"
    )
    assert sent.query == b""


@respx.mock
def test_a_listing_that_repeats_its_pages_is_an_error(imilo: HttpIMilo) -> None:
    """10^12 pages of the same rows: stopped at page 2, not read until the page limit."""
    route = respx.get(f"{BASE}/operateurs/structures/75010S00/offres/5/inscrits")
    route.return_value = httpx.Response(
        200,
        json={
            "inscrits": [inscrit(1), inscrit(2)],
            "page": {"numero": 1, "taille": 2, "nombrePages": 10**12, "total": 2 * 10**12},
        },
    )
    with pytest.raises(MalformedResponse, match="repeats the previous page"):
        imilo.candidates("75010S00", 5, REALISABLE)
    assert route.call_count == 2
