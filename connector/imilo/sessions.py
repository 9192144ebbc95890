"""``SessionsIMilo``: the I-Milo port over the partner gateway's session routes
(``IMILO_API=sessions``, docs/imilo-gateway.md). What it cannot serve is declared in
``capabilities`` (``SESSIONS``) and answered with nothing.

- A structure exists if its session list answers; the gateway serves no name and no zone.
- Offers are those of the structure's sessions over a window (from the first day of the
  month ``IMILO_SESSIONS_MONTHS_BACK`` months back, 24 by default, to one month ahead, in the
  structure's zone), with the charter's fields the gateway does not serve left
  unknown (``sessions_wire``; the offer's type is given as « Animation collective »).
- A prescription is a registration in one of the offer's sessions: its id is the
  registration's ``idInstanceSession``, its date of prescription the session's start.
  Statuses are read as codes or as French labels (``ImiloCodes.status_from_either``).
- Candidates' dossiers are read once (``GET /sue/dossiers/{id}``) and kept for a while;
  one that cannot be read is described by the registration's own names.
- No conditional write: the registration's status is read right before it is written, and
  again before a write is retried, so that a write whose answer was lost is never repeated
  over a counsellor's decision.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from connector.domain.capabilities import SESSIONS
from connector.domain.charter import looks_like_pix_offer
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
from connector.domain.timezones import structure_timezone
from connector.errors import FatalApiError, MalformedResponse, PrescriptionConflict
from connector.imilo import sessions_wire, wire
from connector.imilo.codes import ImiloCodes
from connector.imilo.http import DEFAULT_MAX_ANSWER_MB, DEFAULT_TIMEOUT, _segment
from connector.imilo.sessions_memory import Memory, Registration
from connector.imilo.sessions_wire import Inscrit, SessionRow, months_later
from connector.transport.answers import json_body, raise_if_transient, send
from connector.transport.exchange import Bounds, GuardedTransport, exchange
from connector.transport.instrumented import ApiObserver
from connector.transport.ratelimit import RateLimiter
from connector.transport.retry import DEFAULT_RETRY, Retrier, RetryPolicy

__all__ = ["SESSIONS_PAGE_SIZE", "SessionsIMilo"]

SESSIONS_PAGE_SIZE = 50  # the gateway answers at most 50 sessions a page
MAX_PAGES = 1_000  # 50,000 sessions in a window: a server paging forever, not a structure
# A young person may take the test many months after being registered: the registrations of
# sessions older than this are not seen (their results go to review: no open prescription).
DEFAULT_MONTHS_BACK = 24
MONTHS_AHEAD = 1
FALLBACK_ZONE = "Europe/Paris"  # for the window only, a day either way does not matter


class SessionsIMilo:
    """Talks to the partner gateway's session routes, authenticated by ``auth``
    (``connector.imilo.gateway_auth.GatewayAuth``)."""

    def __init__(
        self,
        base_url: str,
        auth: httpx.Auth,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_answer_mb: float = DEFAULT_MAX_ANSWER_MB,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        observer: ApiObserver | None = None,
        stop: threading.Event | None = None,
        codes: ImiloCodes | None = None,
        limiter: RateLimiter | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        clock: Callable[[], float] = time.monotonic,
        months_back: int = DEFAULT_MONTHS_BACK,
    ) -> None:
        self._months_back = months_back
        self._limiter = limiter
        self.codes = codes or ImiloCodes()
        self.capabilities = SESSIONS
        on_retry = (lambda: observer.observe_retry("imilo")) if observer else lambda: None
        self._retrier = Retrier(retry, on_retry=on_retry, stop=stop)
        self._bounds = Bounds.of(timeout, max_answer_mb, stop)
        self._now = now
        self._memory = Memory(clock)
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Accept": "application/json"},
            timeout=httpx.Timeout(timeout, connect=min(5.0, timeout)),
            transport=transport or GuardedTransport(),
            auth=auth,
        )

    def close(self) -> None:
        self._client.close()

    # -- requests ------------------------------------------------------------------------

    def _get(self, path: str, what: str, **kwargs: Any) -> Any:
        return self._retrier(lambda: self._attempt("GET", path, what, **kwargs))

    def _attempt(
        self,
        method: str,
        path: str,
        what: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        json: dict[str, Any] | None = None,
        missing_ok: bool = False,
        body_optional: bool = False,
    ) -> Any:
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
            ),
        )
        status = response.status_code
        if status == 404 and missing_ok:
            return None
        raise_if_transient("imilo", what, response)
        if status == 401:
            raise FatalApiError(
                "imilo", f"{what}: refused (IMILO_CLIENT_ID/SECRET or the API key)", 401
            )
        if status == 409:
            raise PrescriptionConflict("imilo", f"{what}: the registration changed meanwhile", 409)
        if body_optional and 200 <= status < 300:
            return None  # a write's answer: the public client ignores its body
        return json_body("imilo", what, response)

    # -- sessions ------------------------------------------------------------------------

    def _window(self, structure_code: str) -> tuple[date, date]:
        zone = structure_timezone(structure_code, None, self.codes.timezones).zone
        today = self._now().astimezone(ZoneInfo(zone or FALLBACK_ZONE)).date()
        # From the first of the month: a session starts on any day of its month.
        start = months_later(today, -self._months_back).replace(day=1)
        return start, months_later(today, MONTHS_AHEAD)

    def _read_sessions(self, structure_code: str) -> list[SessionRow] | None:
        """Every session of the structure over the window, or None for an unknown one."""
        path = f"/operateurs/structures/{_segment(structure_code)}/sessions"
        start, end = self._window(structure_code)
        window = [("dateDebutRecherche", start.isoformat()), ("dateFinRecherche", end.isoformat())]
        found: list[SessionRow] = []
        previous: list[Any] | None = None
        for number in range(1, MAX_PAGES + 1):
            what = f"sessions page {number}"
            query = [*window, ("taillePage", str(SESSIONS_PAGE_SIZE)), ("page", str(number))]
            body = self._get(path, what, params=query, missing_ok=True)
            if body is None:
                if number == 1:
                    return None
                raise MalformedResponse("imilo", f"{what}: the structure went missing")
            total, rows = sessions_wire.sessions_page(body, what)
            if rows and rows == previous:
                raise MalformedResponse("imilo", f"{what}: repeats the previous page")
            previous = rows
            found.extend(sessions_wire.session_from(row, structure_code) for row in rows)
            if not rows or len(found) >= total:
                return found
        raise MalformedResponse("imilo", "sessions: too many pages")

    def _sessions(self, structure_code: str, *, fresh: bool = False) -> list[SessionRow] | None:
        """The structure's sessions, read again past ``SESSIONS_TTL`` (or when ``fresh``)."""
        known, kept = self._memory.sessions.get(structure_code)
        if known and not fresh:
            return kept
        sessions = self._read_sessions(structure_code)
        self._memory.sessions.put(structure_code, sessions)
        return sessions

    def _inscrits(self, session: SessionRow) -> list[Inscrit]:
        path = f"/operateurs/sessions/{_segment(session.id)}/inscrits"
        what = f"inscrits of session {session.id}"
        inscrits = sessions_wire.inscrits_from(self._get(path, what), what)
        where = Registration(session.id, session.offre.id, session.start)
        for inscrit in inscrits:
            self._memory.place(inscrit.instance_id, where)
        return inscrits

    # -- dossiers ------------------------------------------------------------------------

    def dossier(self, dossier_id: int) -> Dossier | None:
        known, kept = self._memory.dossiers.get(dossier_id)
        if known:
            return kept
        body = self._get(f"/sue/dossiers/{_segment(dossier_id)}", "dossier", missing_ok=True)
        found = None if body is None else wire.dossier_from(body)
        self._memory.dossiers.put(dossier_id, found)
        return found

    def structure_dossiers(
        self, structure_code: str, *, numbers: Sequence[int] = (), mails: Sequence[str] = ()
    ) -> list[Dossier]:
        """Dossier numbers are read one by one and kept if attached to this structure; the
        gateway has no look-up by e-mail (``capabilities.mail_lookup``)."""
        wanted = structure_code.strip().upper()
        found: dict[int, Dossier] = {}
        for number in sorted(set(numbers)):
            dossier = self.dossier(number)
            if dossier is not None and (dossier.structure_code or "").strip().upper() == wanted:
                found[dossier.id] = dossier
        return list(found.values())

    def search_names(self, structure_code: str, last_names: Sequence[str]) -> list[Dossier]:
        return []  # no structure-wide search (capabilities.structure_name_search)

    # -- structure, offers, candidates -----------------------------------------------------

    def structure(self, code: str) -> ServedStructure | None:
        if self._sessions(code, fresh=True) is None:
            return None
        return ServedStructure(code=code, name=code or "", timezone=None)

    def offres(self, structure_code: str) -> list[Offre]:
        distinct: dict[int, Offre] = {}
        for session in self._sessions(structure_code) or []:
            distinct.setdefault(session.offre.id, session.offre)
        return list(distinct.values())

    def candidates(
        self, structure_code: str, offre_id: int, statuses: Collection[PrescriptionStatus]
    ) -> list[Candidate]:
        found: list[Candidate] = []
        for session in self._sessions(structure_code) or []:
            if session.offre.id != offre_id:
                continue
            for inscrit in self._inscrits(session):
                status = self.codes.status_from_either(inscrit.statut)
                if status not in statuses:
                    continue
                dossier = self.dossier(inscrit.dossier_id) or sessions_wire.dossier_of_inscrit(
                    inscrit, structure_code
                )
                prescription = self._prescription(inscrit, status, session.offre.id)
                found.append(Candidate(prescription=prescription, dossier=dossier))
        return found

    def _prescription(
        self, inscrit: Inscrit, status: PrescriptionStatus | str, offre_id: int
    ) -> Prescription:
        where = self._memory.where(inscrit.instance_id)
        realised = inscrit.realised_on
        if realised is None and status == PrescriptionStatus.ACHIEVED:
            realised = self._memory.written(inscrit.instance_id)  # no date served: ours?
        return Prescription(
            id=inscrit.instance_id,
            dossier_id=inscrit.dossier_id,
            offre_id=offre_id,
            statut=status,
            date_prescription=where.start if where else None,
            date_realisation=realised,
        )

    # -- one registration ------------------------------------------------------------------

    def _registration(self, dossier_id: int, instance_id: int) -> tuple[Inscrit, int] | None:
        """The registration as the gateway holds it now, and its offer's id: from its
        session when known, else from the sessions of the dossier's structure."""
        where = self._memory.where(instance_id)
        if where is not None:
            session = SessionRow(where.session_id, where.start, _bare(where.offre_id))
            for inscrit in self._inscrits(session):
                if inscrit.instance_id == instance_id and inscrit.dossier_id == dossier_id:
                    return inscrit, where.offre_id
            return None
        dossier = self.dossier(dossier_id)
        if dossier is None or not dossier.structure_code:
            return None
        sessions = self._sessions(dossier.structure_code) or []
        name = self.codes.offer_name
        # The « Evaluation PIX » offer's sessions first: the registration is most likely there.
        for session in sorted(sessions, key=lambda s: not looks_like_pix_offer(s.offre, name)):
            for inscrit in self._inscrits(session):
                if inscrit.instance_id == instance_id and inscrit.dossier_id == dossier_id:
                    return inscrit, session.offre.id
        return None

    def prescription(self, dossier_id: int, prescription_id: int) -> Prescription | None:
        found = self._registration(dossier_id, prescription_id)
        if found is None:
            return None
        inscrit, offre_id = found
        status = self.codes.status_from_either(inscrit.statut)
        return self._prescription(inscrit, status, offre_id)

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
        """Read the registration's status, then write it if it is still ``expected``; a
        transient failure is retried from the read. Réalisé on this date (or réalisé after
        our own write was sent, when the gateway serves no date) is our earlier write."""
        return self._retrier(
            lambda: self._read_then_write(
                dossier_id, prescription_id, realisation_date, expected, comment
            )
        )

    def _read_then_write(
        self,
        dossier_id: int,
        instance_id: int,
        day: date,
        expected: PrescriptionStatus,
        comment: str,
    ) -> Prescription:
        found = self._registration(dossier_id, instance_id)
        what = f"realisation of registration {instance_id}"
        if found is None:
            raise PrescriptionConflict("imilo", f"{what}: the registration is gone")
        inscrit, offre_id = found
        status = self.codes.status_from_either(inscrit.statut)
        if status == PrescriptionStatus.ACHIEVED:
            ours = self._memory.written(instance_id) == day
            served = inscrit.realised_on
            if served == day or (served is None and ours):
                return self._as_written(inscrit, offre_id, day)
            raise PrescriptionConflict("imilo", f"{what}: already réalisé")
        if status != expected:
            raise PrescriptionConflict("imilo", f"{what}: the registration changed meanwhile")
        path = (
            f"/operateurs/dossiers/{_segment(dossier_id)}/instances-session/{_segment(instance_id)}"
        )
        body = {
            "statut": self.codes.statuses[PrescriptionStatus.ACHIEVED],
            "dateDebutReelle": day.isoformat(),
            "commentaire": comment,
        }
        # Sent: if its answer is lost, réalisé without a date served is this write.
        self._memory.wrote(instance_id, day)
        try:
            self._attempt("PUT", path, what, json=body, body_optional=True)
        except FatalApiError:
            self._memory.forget(instance_id)  # refused: nothing was written
            raise
        return self._as_written(inscrit, offre_id, day)

    def _as_written(self, inscrit: Inscrit, offre_id: int, day: date) -> Prescription:
        """The registration réalisé by us on ``day``: remembered, since the gateway may
        serve no date of realisation."""
        self._memory.wrote(inscrit.instance_id, day)
        where = self._memory.where(inscrit.instance_id)
        return Prescription(
            id=inscrit.instance_id,
            dossier_id=inscrit.dossier_id,
            offre_id=offre_id,
            statut=PrescriptionStatus.ACHIEVED,
            date_prescription=where.start if where else None,
            date_realisation=day,
        )

    # -- actualités ------------------------------------------------------------------------

    def actualites(self, dossier_id: int) -> list[Actualite]:
        return []  # not served by the gateway (capabilities.actualites)

    def record_actualite(
        self, dossier_id: int, actualite: NewActualite, *, idempotency_key: str
    ) -> Actualite:
        raise FatalApiError(
            "imilo", "actualités are not served by the gateway's session routes (IMILO_API)"
        )


def _bare(offre_id: int) -> Offre:
    """An offer known by its id only (to read a session's registrations again)."""
    return Offre(id=offre_id, structure_code="", nom="")
