"""In-memory adapters for the run's two ports: ``FakePix`` (a ``PixSource``) and ``FakeIMilo``
(an ``IMilo``).

Each holds its data in plain dicts and lists, and records every call it is asked in ``calls``
(the method's name and its arguments, keyword ones included, in the port's order). Knobs:

- ``fail(method, error, call=N)``: the Nth call of ``method`` raises ``error``, once;
- ``fail(method, error, on=ID)``: every call of ``method`` with ``ID`` among its arguments
  raises ``error`` (both together: the Nth such call only);
- ``after=True``: the call takes effect first, then raises, as when an answer is lost on the
  way back (a write went through; a read gave every record, then ``UnsettledRead``);
- ``on_call(method, action, call=N)``: ``action()`` runs as the method is asked (each time
  without ``call``), e.g. to set a stop event while a write is in flight;
- ``heal()`` forgets every failure still to come.

They are safe to call from the run's thread pools.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from connector.domain.capabilities import CONTRACT, Capabilities
from connector.domain.model import (
    Actualite,
    Campaign,
    Candidate,
    Dossier,
    NewActualite,
    Offre,
    Organisation,
    Participation,
    Prescription,
    PrescriptionStatus,
    ServedStructure,
)
from connector.domain.name_search import SearchName, findable, search_names
from connector.errors import FatalApiError, PrescriptionConflict
from connector.pix.records import ParticipationRecord

if TYPE_CHECKING:
    from connector.imilo.port import IMilo
    from connector.pix.port import PixSource

__all__ = ["Call", "FakeIMilo", "FakePix"]

T = TypeVar("T")


class Call(NamedTuple):
    """One call a fake was asked: compares equal to a plain ``(method, args)`` tuple."""

    method: str
    args: tuple[object, ...]


@dataclass
class _Failure:
    method: str
    error: BaseException
    call: int | None
    on: object | None
    after: bool
    seen: int = 0  # calls that matched ``on`` so far

    def fires(self, method: str, args: tuple[object, ...]) -> bool:
        if method != self.method or (self.on is not None and self.on not in args):
            return False
        self.seen += 1
        return self.call is None or self.seen == self.call


@dataclass
class _Hook:
    method: str
    action: Callable[[], None]
    call: int | None
    seen: int = 0


class _Recorder:
    """Calls, failures and hooks: what both fakes share."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.RLock()
        self._failures: list[_Failure] = []
        self._hooks: list[_Hook] = []

    def fail(
        self,
        method: str,
        error: BaseException,
        *,
        call: int | None = None,
        on: object | None = None,
        after: bool = False,
    ) -> None:
        if call is None and on is None:
            raise ValueError("say which call fails: call=N, on=ID, or both")
        with self._lock:
            self._failures.append(_Failure(method, error, call, on, after))

    def on_call(self, method: str, action: Callable[[], None], *, call: int | None = None) -> None:
        with self._lock:
            self._hooks.append(_Hook(method, action, call))

    def heal(self) -> None:
        with self._lock:
            self._failures.clear()

    def asked(self, method: str) -> list[tuple[object, ...]]:
        """The arguments of each call of ``method``, in order."""
        with self._lock:
            return [c.args for c in self.calls if c.method == method]

    def _asked(self, method: str, *args: object) -> BaseException | None:
        """Record a call, run its hooks, and raise its failure now, or return it if it is
        to be raised once the call has taken effect."""
        with self._lock:
            self.calls.append(Call(method, args))
            actions = []
            for hook in self._hooks:
                if hook.method == method:
                    hook.seen += 1
                    if hook.call is None or hook.seen == hook.call:
                        actions.append(hook.action)
            firing = [f for f in self._failures if f.fires(method, args)]
            fired = firing[0] if firing else None
            if fired is not None and fired.call is not None:
                self._failures.remove(fired)  # the Nth call only: once
        for action in actions:
            action()
        if fired is None:
            return None
        if not fired.after:
            raise fired.error
        return fired.error


def _done(answer: T, after: BaseException | None) -> T:
    if after is not None:
        raise after
    return answer


class FakePix(_Recorder):
    """Pix in memory: organisations, their campaigns, and participation records by campaign
    id. ``participations`` honours ``since`` as Pix does (created or shared after it); a
    record that could not be read has no usable date and is always given."""

    def __init__(
        self,
        organisations: Iterable[Organisation] = (),
        campaigns: Iterable[Campaign] = (),
        records: Iterable[ParticipationRecord] = (),
    ) -> None:
        super().__init__()
        self.unreadable_organisations = 0
        self.organisation_list: list[Organisation] = list(organisations)
        self.campaign_list: list[Campaign] = list(campaigns)
        self.records: dict[int, list[ParticipationRecord]] = {}
        for record in records:
            self.add(record)
        self.closed = False

    def add(self, record: ParticipationRecord) -> None:
        """A record Pix serves from now on, after those of its campaign."""
        with self._lock:
            self.records.setdefault(record.campaign_id, []).append(record)

    # PixSource ------------------------------------------------------------------------------
    def organisations(self) -> list[Organisation]:
        after = self._asked("organisations")
        return _done(list(self.organisation_list), after)

    def campaigns(self, organisation_id: int) -> Iterator[Campaign]:
        after = self._asked("campaigns", organisation_id)
        found = [c for c in self.campaign_list if c.organization_id == organisation_id]
        return _given(found, after)

    def participations(
        self, campaign: Campaign, since: datetime | None
    ) -> Iterator[ParticipationRecord]:
        after = self._asked("participations", campaign.id, since)
        with self._lock:
            held = list(self.records.get(campaign.id, ()))
        return _given([r for r in held if _changed_since(r, since)], after)

    def close(self) -> None:
        self._asked("close")
        self.closed = True


def _given(items: list[T], after: BaseException | None) -> Iterator[T]:
    yield from items
    if after is not None:
        raise after


def _changed_since(record: ParticipationRecord, since: datetime | None) -> bool:
    if since is None or not isinstance(record, Participation):
        return True
    shared = record.shared_at
    return record.created_at > since or (shared is not None and shared > since)


class FakeIMilo(_Recorder):
    """I-Milo in memory. Writes change the data and are replayed, not repeated, under an
    idempotency key already used (its first answer is given again)."""

    # Which statuses are open is the domain's to say (``rules.REALISABLE``): the port asks for
    # ``statuses`` and gives the ``expected`` one with a write, and ``_on_offer`` and
    # ``_realise`` hold the fake's whole handling of them.

    def __init__(
        self,
        *,
        structures: Iterable[ServedStructure] = (),
        offres: Iterable[Offre] = (),
        dossiers: Iterable[Dossier] = (),
        prescriptions: Iterable[Prescription] = (),
        actualites: Iterable[Actualite] = (),
        capabilities: Capabilities = CONTRACT,
    ) -> None:
        super().__init__()
        self.capabilities = capabilities
        self.structures: dict[str, ServedStructure] = {s.code: s for s in structures}
        self.offres_by_id: dict[int, Offre] = {o.id: o for o in offres}
        self.dossiers: dict[int, Dossier] = {d.id: d for d in dossiers}
        self.prescriptions: dict[int, Prescription] = {p.id: p for p in prescriptions}
        self.actualites_list: list[Actualite] = list(actualites)
        self.answers: dict[str, Prescription | Actualite] = {}  # by idempotency key
        self.closed = False

    def writes(self) -> list[Call]:
        """The write calls asked, in order (replays and failed ones included)."""
        with self._lock:
            return [c for c in self.calls if c.method in ("mark_realised", "record_actualite")]

    def statuses(self) -> dict[int, tuple[str, date | None]]:
        """Each prescription's status and date of realisation, by id."""
        with self._lock:
            return {p.id: (str(p.statut), p.date_realisation) for p in self.prescriptions.values()}

    # the statuses --------------------------------------------------------------------------
    def _on_offer(
        self, structure_code: str, offre_id: int, statuses: Collection[str]
    ) -> list[Candidate]:
        """The offer's prescriptions in one of ``statuses``, with their dossiers."""
        offre = self.offres_by_id.get(offre_id)
        if offre is None or offre.structure_code != structure_code:
            return []
        return [
            Candidate(p, self.dossiers[p.dossier_id])
            for p in sorted(self.prescriptions.values(), key=lambda p: p.id)
            if p.offre_id == offre_id and p.statut in statuses and p.dossier_id in self.dossiers
        ]

    def _realise(
        self, dossier_id: int, prescription_id: int, day: date, expected: str
    ) -> Prescription:
        """Compare-and-set, as I-Milo's ``statutAttendu``: 409 unless ``expected`` is found."""
        current = self.prescription_of(dossier_id, prescription_id)
        if current is None:
            raise FatalApiError("imilo", f"no prescription {prescription_id}", 404)
        if current.statut != expected:
            raise PrescriptionConflict(
                "imilo", f"current statut is {current.statut}, not {expected}", 409
            )
        done = replace(current, statut=PrescriptionStatus.ACHIEVED, date_realisation=day)
        self.prescriptions[prescription_id] = done
        return done

    # IMilo ----------------------------------------------------------------------------------
    def structure(self, code: str) -> ServedStructure | None:
        after = self._asked("structure", code)
        return _done(self.structures.get(code), after)

    def offres(self, structure_code: str) -> list[Offre]:
        after = self._asked("offres", structure_code)
        found = [o for o in self.offres_by_id.values() if o.structure_code == structure_code]
        return _done(found, after)

    def candidates(
        self, structure_code: str, offre_id: int, statuses: Collection[PrescriptionStatus]
    ) -> list[Candidate]:
        after = self._asked("candidates", structure_code, offre_id, frozenset(statuses))
        with self._lock:
            return _done(self._on_offer(structure_code, offre_id, statuses), after)

    def structure_dossiers(
        self, structure_code: str, *, numbers: Sequence[int] = (), mails: Sequence[str] = ()
    ) -> list[Dossier]:
        after = self._asked("structure_dossiers", structure_code, tuple(numbers), tuple(mails))
        wanted = {m.strip().casefold() for m in mails}
        found = [
            d
            for d in self._of(structure_code)
            if d.id in numbers or (d.mail is not None and d.mail.strip().casefold() in wanted)
        ]
        return _done(found, after)

    def search_names(self, structure_code: str, last_names: Sequence[str]) -> list[Dossier]:
        after = self._asked("search_names", structure_code, tuple(last_names))
        typed = [SearchName.of(n) for n in last_names]
        found = [
            d
            for d in self._of(structure_code)
            if any(findable(name, *search_names(d)) for name in typed)
        ]
        return _done(found, after)

    def dossier(self, dossier_id: int) -> Dossier | None:
        after = self._asked("dossier", dossier_id)
        return _done(self.dossiers.get(dossier_id), after)

    def prescription(self, dossier_id: int, prescription_id: int) -> Prescription | None:
        after = self._asked("prescription", dossier_id, prescription_id)
        return _done(self.prescription_of(dossier_id, prescription_id), after)

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
        after = self._asked(
            "mark_realised",
            dossier_id,
            prescription_id,
            realisation_date,
            expected,
            comment,
            idempotency_key,
        )
        with self._lock:
            answer = self.answers.get(idempotency_key)
            if not isinstance(answer, Prescription):
                answer = self._realise(dossier_id, prescription_id, realisation_date, expected)
                self.answers[idempotency_key] = answer
        return _done(answer, after)

    def actualites(self, dossier_id: int) -> list[Actualite]:
        after = self._asked("actualites", dossier_id)
        with self._lock:
            found = [a for a in self.actualites_list if a.dossier_id == dossier_id]
        return _done(found, after)

    def record_actualite(
        self, dossier_id: int, actualite: NewActualite, *, idempotency_key: str
    ) -> Actualite:
        after = self._asked("record_actualite", dossier_id, actualite, idempotency_key)
        with self._lock:
            answer = self.answers.get(idempotency_key)
            if not isinstance(answer, Actualite):
                if dossier_id not in self.dossiers:
                    raise FatalApiError("imilo", f"no dossier {dossier_id}", 404)
                answer = Actualite(
                    id=len(self.actualites_list) + 1,
                    dossier_id=dossier_id,
                    prescription_id=actualite.prescription_id,
                    nature=actualite.nature.value,
                    date=actualite.date,
                    commentaire=actualite.commentaire,
                )
                self.actualites_list.append(answer)
                self.answers[idempotency_key] = answer
        return _done(answer, after)

    def close(self) -> None:
        self._asked("close")
        self.closed = True

    # reading the data ----------------------------------------------------------------------
    def prescription_of(self, dossier_id: int, prescription_id: int) -> Prescription | None:
        with self._lock:
            found = self.prescriptions.get(prescription_id)
        return found if found is not None and found.dossier_id == dossier_id else None

    def _of(self, structure_code: str) -> list[Dossier]:
        with self._lock:
            return [d for d in self.dossiers.values() if d.structure_code == structure_code]


if TYPE_CHECKING:
    # mypy checks here that the fakes are the ports, structurally.
    def _ports(pix: FakePix, imilo: FakeIMilo) -> tuple[PixSource, IMilo]:
        return pix, imilo
