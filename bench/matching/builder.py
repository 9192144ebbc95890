"""The whole data set: structures, then each structure's cases in order, then prescriptions;
then participation ids, labels and the files."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from bench.matching.labels import label
from bench.matching.names_pool import CLOSED
from bench.matching.near_misses import NearMisses
from bench.matching.world import (
    CASE_ORDER,
    CASE_SHARES,
    FIRST_PARTICIPATION_ID,
    PIX_CLIENT_ID,
    Dossier,
    Structure,
)
from bench.matching.writer import files, records


def quotas(total: int, shares: Sequence[float]) -> list[int]:
    """Largest-remainder rounding of total * shares (ties to the earliest)."""
    weight = sum(shares)
    exact = [total * s / weight for s in shares]
    counts = [int(x) for x in exact]
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


class Builder(NearMisses):
    # -- prescriptions --

    def _prescription(
        self, d: Dossier, offer: int, statut: str, on: date, realised: date | None = None
    ) -> None:
        self.prescriptions.append(
            {
                "id": self.next_prescription,
                "idDossier": d.id,
                "idOffre": offer,
                "statut": statut,
                "dateRealisation": realised.isoformat() if realised else None,
                "datePrescription": on.isoformat(),
            }
        )
        self.next_prescription += 1

    def _closed(self, d: Dossier, offer: int, on: date, before: date) -> None:
        statut = CLOSED.draw(self.rng)
        realised = None
        if statut == "ACHIEVED":
            realised = on + timedelta(days=self.rng.randrange(1, max(2, (before - on).days)))
        self._prescription(d, offer, statut, on, realised)

    def _prescriptions(self, st: Structure) -> None:
        pix = st.pix_offer
        for d in st.dossiers:
            day = d.shared_on
            if day is not None:
                if d.plan == "ongoing":
                    r = self.rng.random()
                    if r < 0.05:
                        older = day - timedelta(days=self.rng.randrange(160, 320))
                        self._closed(d, pix, older, older + timedelta(days=120))
                        on = day - timedelta(days=self.rng.randrange(3, 150))
                        self._prescription(d, pix, "ONGOING", on)
                    elif r < 0.09:
                        first = day - timedelta(days=self.rng.randrange(60, 200))
                        self._prescription(d, pix, "ONGOING", first)
                        later = first + timedelta(days=self.rng.randrange(1, 58))
                        self._prescription(d, pix, "ONGOING", later)
                    else:
                        on = day - timedelta(days=self.rng.randrange(3, 150))
                        self._prescription(d, pix, "ONGOING", on)
                elif d.plan == "closed":
                    for _ in range(2 if self.chance(0.1) else 1):
                        on = day - timedelta(days=self.rng.randrange(20, 200))
                        self._closed(d, pix, on, day)
            else:
                ongoing = {"homonym": 0.5, "twin": 0.3, "victim": 0.6, "lookalike": 0.6}
                p = ongoing.get(d.plan, ongoing.get(d.kind, 0.45))
                on = self._day(date(2025, 3, 1), date(2026, 10, 31))
                if self.chance(p):
                    self._prescription(d, pix, "ONGOING", on)
                elif self.chance(0.2):
                    self._closed(d, pix, on, date(2026, 12, 31))
            if st.cv_offer is not None and self.chance(0.2):
                on = self._day(date(2025, 3, 1), date(2026, 10, 31))
                if self.chance(0.5):
                    self._prescription(d, st.cv_offer, "ONGOING", on)
                else:
                    self._prescription(d, st.cv_offer, "ACHIEVED", on, on + timedelta(days=14))

    # -- the whole --

    def run(self) -> dict[str, list[Any]]:
        self._structures()
        weights = [self.rng.lognormvariate(0, 0.7) for _ in range(self.s)]
        per_structure = quotas(self.n, weights)
        names = list(CASE_SHARES)
        cases = [
            name
            for name, count in zip(names, quotas(self.n, list(CASE_SHARES.values())), strict=True)
            for _ in range(count)
        ]
        self.rng.shuffle(cases)
        order = {case: i for i, case in enumerate(CASE_ORDER)}
        position = 0
        for st, count in zip(self.structures, per_structure, strict=True):
            mine = sorted(cases[position : position + count], key=order.__getitem__)
            position += count
            self._populate(st, count)
            for case in mine:
                try:
                    part = self._case(case, st)
                except LookupError:
                    try:
                        part = self._case_exact(st)
                    except LookupError:
                        part = self._fresh_exact(st)
                self.parts.append(part)
            self._prescriptions(st)
        return self._rows()

    def _rows(self) -> dict[str, list[Any]]:
        """Number the participations in the order Pix created them, label them, and lay the
        world out as files."""
        self.parts.sort(key=lambda p: (p.created, p.shared or p.created, p.campaign.id))
        pseudonyms = self.rng.sample(range(10_000_000, 100_000_000), len(self.parts))
        for i, (part, pseudonym) in enumerate(zip(self.parts, pseudonyms, strict=True)):
            part.id = FIRST_PARTICIPATION_ID + i
            # As Pix computes it: the SHA-1 of the user id and the partner's client id.
            part.participant_id = hashlib.sha1(  # noqa: S324 - an id, not a secret
                f"{pseudonym}_{PIX_CLIENT_ID}".encode()
            ).hexdigest()
        labels = label(self.parts, self.structures, self.prescriptions)
        return files(self.structures, records(self, self.parts), self.prescriptions, labels)
