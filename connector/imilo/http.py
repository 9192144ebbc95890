"""``HttpIMilo``: the I-Milo port over HTTP (contract: connector/imilo/openapi.yaml)."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx

from connector.domain.capabilities import CONTRACT
from connector.domain.model import (
    Actualite,
    Candidate,
    Dossier,
    NewActualite,
    Offre,
    Prescription,
    PrescriptionStatus,
    ServedStructure,
)
from connector.errors import (
    FatalApiError,
    MalformedResponse,
    PrescriptionConflict,
)
from connector.imilo import wire
from connector.imilo.codes import ImiloCodes
from connector.logs import register_secret
from connector.transport.answers import json_body, raise_if_transient, send
from connector.transport.exchange import Bounds, GuardedTransport, exchange
from connector.transport.instrumented import ApiObserver
from connector.transport.ratelimit import RateLimiter
from connector.transport.retry import (
    DEFAULT_RETRY,
    NO_RETRY,
    Retrier,
    RetryPolicy,
)

__all__ = ["INSCRITS_PAGE_SIZE", "HttpIMilo"]

API_KEY_HEADER = "X-Gravitee-Api-Key"
IDEMPOTENCY_HEADER = "Idempotency-Key"
INSCRITS_PAGE_SIZE = 150  # the real API's page size went 500 → 250 → 150
SEARCH_BATCH = 50  # values per query for the structure's dossier search
# The public i-milo client uses 6 s; reads of big pages deserve a little more. Seconds for a
# whole request: connect, headers and body.
DEFAULT_TIMEOUT = 15.0
DEFAULT_MAX_ANSWER_MB = 20.0
MAX_PAGES = 10_000  # 1.5 million rows: no structure has that many; a server paging forever


def _segment(value: str | int) -> str:
    """A value put in a URL path, escaped whole: a structure code such as ``../x?y=#`` stays
    one segment of the intended route, and never reaches another one with our API key."""
    # Dots too: httpx would resolve a ".." segment before sending.
    return quote(str(value), safe="").replace(".", "%2E")


class HttpIMilo:
    """Talks to I-Milo through its API gateway with one API key."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_answer_mb: float = DEFAULT_MAX_ANSWER_MB,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        observer: ApiObserver | None = None,
        stop: threading.Event | None = None,
        codes: ImiloCodes | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._limiter = limiter
        self.codes = codes or ImiloCodes()
        self.capabilities = CONTRACT  # every route of the contract (openapi.yaml)
        on_retry = (lambda: observer.observe_retry("imilo")) if observer else lambda: None
        self._retrier = Retrier(retry, on_retry=on_retry, stop=stop)
        self._once = Retrier(NO_RETRY)
        register_secret(api_key)
        self._bounds = Bounds.of(timeout, max_answer_mb, stop)
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={API_KEY_HEADER: api_key, "Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            transport=transport or GuardedTransport(),
        )

    def close(self) -> None:
        self._client.close()

    def _call(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        """One request, retried on transient errors. A write is retried only when it
        carries an idempotency key, so that a write whose answer was lost is never applied
        twice."""
        retryable = method == "GET" or bool(kwargs.get("idempotency_key"))
        retrier = self._retrier if retryable else self._once
        return retrier(lambda: self._attempt(method, path, what, **kwargs))

    def _attempt(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        json: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        missing_ok: bool = False,
    ) -> Any:
        headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else None
        if self._limiter is not None:
            self._limiter.acquire()
        response = send(
            "imilo",
            what,
            lambda: exchange(
                self._client,
                method,
                path,
                self._bounds,
                params=list(params) if params else None,
                json=json,
                headers=headers,
            ),
        )
        status = response.status_code
        if status == 404 and missing_ok:
            return None
        raise_if_transient("imilo", what, response)
        if status == 401:
            raise FatalApiError("imilo", f"{what}: the API key was refused (IMILO_API_KEY)", 401)
        if status == 409:
            raise PrescriptionConflict("imilo", f"{what}: the prescription changed meanwhile", 409)
        return json_body("imilo", what, response)

    def structure(self, code: str) -> ServedStructure | None:
        body = self._call(
            "GET", f"/operateurs/structures/{_segment(code)}", "structure", missing_ok=True
        )
        return None if body is None else wire.structure_from(body)

    def offres(self, structure_code: str) -> list[Offre]:
        body = self._call(
            "GET", f"/operateurs/structures/{_segment(structure_code)}/offres", "offres"
        )
        if not isinstance(body, list):
            raise MalformedResponse("imilo", "offres: expected a list")
        return [wire.offre_from(item) for item in body]

    def _pages(
        self, path: str, what: str, key: str, params: list[tuple[str, str]]
    ) -> Iterator[list[Any]]:
        """Every page of a listing, following the ``taille`` the server answers with. A page
        that repeats the previous one row for row is a server paging in circles: an error."""
        number = 1
        previous: list[Any] | None = None
        while number <= MAX_PAGES:
            query = [*params, ("page", str(number)), ("taille", str(INSCRITS_PAGE_SIZE))]
            page_what = f"{what} page {number}"
            body = self._call("GET", path, page_what, params=query)
            rows = body.get(key) if isinstance(body, dict) else None
            page = body.get("page") if isinstance(body, dict) else None
            pages = page.get("nombrePages") if isinstance(page, dict) else None
            if not isinstance(rows, list) or not isinstance(pages, int):
                raise MalformedResponse("imilo", f"{page_what}: no {key} list or page count")
            if rows and rows == previous:
                raise MalformedResponse("imilo", f"{page_what}: repeats the previous page")
            previous = rows
            yield rows
            if number >= pages or not rows:
                return
            number += 1
        raise MalformedResponse("imilo", f"{what}: too many pages")

    def candidates(
        self, structure_code: str, offre_id: int, statuses: Collection[PrescriptionStatus]
    ) -> list[Candidate]:
        code, offre = _segment(structure_code), _segment(offre_id)
        path = f"/operateurs/structures/{code}/offres/{offre}/inscrits"
        # One ``statut`` per status asked for, in a stable order; none asks for every status.
        params = [("statut", self.codes.statuses[s]) for s in sorted(statuses)]
        return [
            wire.candidate_from(row, structure_code, self.codes)
            for rows in self._pages(path, f"inscrits of offre {offre_id}", "inscrits", params)
            for row in rows
        ]

    def _dossier_search(
        self, structure_code: str, what: str, name: str, values: Iterable[str]
    ) -> dict[int, Dossier]:
        """The structure's dossiers matching any of ``values`` of the filter ``name``,
        ``SEARCH_BATCH`` values per request, by number."""
        path = f"/operateurs/structures/{_segment(structure_code)}/dossiers"
        unique = sorted(set(values))
        found: dict[int, Dossier] = {}
        for start in range(0, len(unique), SEARCH_BATCH):
            params = [(name, value) for value in unique[start : start + SEARCH_BATCH]]
            for rows in self._pages(path, what, "dossiers", params):
                for row in rows:
                    dossier = wire.dossier_from(row)
                    found[dossier.id] = dossier
        return found

    def structure_dossiers(
        self, structure_code: str, *, numbers: Sequence[int] = (), mails: Sequence[str] = ()
    ) -> list[Dossier]:
        found = self._dossier_search(
            structure_code, "dossiers search", "idDossier", (str(n) for n in numbers)
        )
        found.update(self._dossier_search(structure_code, "dossiers search", "mail", mails))
        return list(found.values())

    def search_names(self, structure_code: str, last_names: Sequence[str]) -> list[Dossier]:
        return list(self._dossier_search(structure_code, "name search", "nom", last_names).values())

    def dossier(self, dossier_id: int) -> Dossier | None:
        body = self._call(
            "GET", f"/sue/dossiers/{_segment(dossier_id)}", "dossier", missing_ok=True
        )
        return None if body is None else wire.dossier_from(body)

    def prescription(self, dossier_id: int, prescription_id: int) -> Prescription | None:
        path = (
            f"/operateurs/dossiers/{_segment(dossier_id)}/prescriptions/{_segment(prescription_id)}"
        )
        body = self._call("GET", path, f"prescription {prescription_id}", missing_ok=True)
        return None if body is None else wire.prescription_from(body, self.codes)

    def mark_realised(
        self,
        dossier_id: int,
        prescription_id: int,
        realisation_date: date,
        *,
        expected: PrescriptionStatus,
        comment: str,
        idempotency_key: str,
    ) -> Prescription:
        body = self._call(
            "PUT",
            f"/operateurs/dossiers/{_segment(dossier_id)}/prescriptions/{_segment(prescription_id)}",
            f"realisation of prescription {prescription_id}",
            json={
                "statut": self.codes.statuses[PrescriptionStatus.ACHIEVED],
                "dateRealisation": realisation_date.isoformat(),
                "commentaire": comment,
                # Compare-and-set: never overwrite a counsellor's decision taken meanwhile.
                "statutAttendu": self.codes.statuses[expected],
            },
            idempotency_key=idempotency_key,
        )
        return wire.prescription_from(body, self.codes)

    def actualites(self, dossier_id: int) -> list[Actualite]:
        body = self._call(
            "GET", f"/operateurs/dossiers/{_segment(dossier_id)}/actualites", "actualites"
        )
        if not isinstance(body, list):
            raise MalformedResponse("imilo", "actualites: expected a list")
        return [wire.actualite_from(item, self.codes) for item in body]

    def record_actualite(
        self, dossier_id: int, actualite: NewActualite, *, idempotency_key: str
    ) -> Actualite:
        body = self._call(
            "POST",
            f"/operateurs/dossiers/{_segment(dossier_id)}/actualites",
            f"actualite for prescription {actualite.prescription_id}",
            json={
                "nature": self.codes.natures[actualite.nature],
                "date": actualite.date.isoformat(),
                "commentaire": actualite.commentaire,
                "idPrescription": actualite.prescription_id,
            },
            idempotency_key=idempotency_key,
        )
        return wire.actualite_from(body, self.codes)
