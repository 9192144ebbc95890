"""Gathers, in bulk, the I-Milo evidence the matcher needs, then asks it who is who.

Per structure and run: one bulk lookup of the dossier numbers and e-mails typed by
participants that are not already among the candidates, and one batched name search for the
names-only matches (and only for those), to rule out homonyms across the whole structure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from connector.domain.matching import (
    ExternalId,
    Identified,
    Tentative,
    Unidentified,
    confirm,
    match,
    read_external_id,
)
from connector.domain.model import Candidate, Dossier, ExternalIdKind, Participation
from connector.domain.name_search import SearchIndex
from connector.domain.names import normalise_name, typo_keys
from connector.imilo.port import IMilo

__all__ = ["Identifier"]

Identification = Identified | Unidentified


class Identifier:
    def __init__(self, imilo: IMilo) -> None:
        self._imilo = imilo

    def identify(
        self,
        structure_code: str,
        candidates: Sequence[Candidate],
        participations: Iterable[Participation],
        resolutions: Mapping[int, int],
        external_id_kinds: Mapping[int, ExternalIdKind | None] | None = None,
    ) -> dict[int, Identification]:
        """Identify each participation; ``resolutions`` are counsellors' choices, which win.

        ``external_id_kinds``: what each campaign's external id holds, by campaign id, when an
        admin said so; otherwise each value is read for what it looks like.
        """
        todo = list(participations)
        kinds = external_id_kinds or {}
        externals = {p.id: read_external_id(p.external_id, kinds.get(p.campaign_id)) for p in todo}
        candidate_dossiers = list({c.dossier.id: c.dossier for c in candidates}.values())
        by_number, by_mail = self._structure_dossiers(
            structure_code, candidate_dossiers, externals.values()
        )
        blocks = _SurnameIndex(candidate_dossiers)
        found: dict[int, Identification] = {}
        tentative: list[tuple[Participation, Tentative, list[Dossier]]] = []
        for p in todo:
            if p.id in resolutions:
                found[p.id] = Identified(resolutions[p.id], "resolution")
                continue
            block = blocks.around(p)
            result = match(p, externals[p.id], block, by_number, by_mail)
            if isinstance(result, Tentative):
                tentative.append((p, result, block))
            else:
                found[p.id] = result
        if tentative:
            alike = self._namesakes(structure_code, [p.last_name for p, _, _ in tentative])
            for p, result, block in tentative:
                others = {d.id: d for d in (*alike.findable_by(p.last_name), *block)}
                found[p.id] = confirm(p, result, others.values())
        return found

    def _namesakes(self, structure_code: str, last_names: Sequence[str]) -> _Namesakes:
        """The structure's dossiers findable by these last names: one batched search for all
        the names-only matches of the run, each typed spelling searched for once."""
        spellings = {normalise_name(n): n for n in last_names if normalise_name(n)}
        return _Namesakes(self._imilo.search_names(structure_code, sorted(spellings.values())))

    def _structure_dossiers(
        self,
        structure_code: str,
        candidates: Sequence[Dossier],
        externals: Iterable[ExternalId],
    ) -> tuple[dict[int, Dossier], dict[str, list[Dossier]]]:
        """Dossiers of the structure by number and by e-mail, candidates' included.

        Numbers are unique, so a candidate's number needs no lookup; an e-mail may be shared
        by duplicate dossiers, so every typed e-mail is looked up across the structure.
        """
        by_number = {d.id: d for d in candidates}
        numbers = sorted({e.number for e in externals if e.number is not None} - set(by_number))
        mails = sorted({e.mail for e in externals if e.mail is not None})
        if numbers or mails:
            for dossier in self._imilo.structure_dossiers(
                structure_code, numbers=numbers, mails=mails
            ):
                if dossier.structure_code in (None, structure_code):
                    by_number.setdefault(dossier.id, dossier)
        by_mail: dict[str, list[Dossier]] = defaultdict(list)
        for dossier in by_number.values():
            if dossier.mail:
                by_mail[dossier.mail.strip().casefold()].append(dossier)
        return by_number, dict(by_mail)


class _SurnameIndex:
    """Blocking: each participant is compared with the candidates sharing a surname key
    (``names.typo_keys``: each surname and each of its one-letter deletions), so that
    matching stays linear in the number of participations, whatever the structure's size,
    and still finds a last name typed with one letter wrong, missing, extra or swapped.
    Evidence by number or e-mail does not go through it."""

    def __init__(self, candidates: Sequence[Dossier]) -> None:
        self._by_key: dict[str, list[Dossier]] = defaultdict(list)
        for dossier in candidates:
            keys: set[str] = set()
            for surname in (dossier.nom_naissance, dossier.nom_usage):
                if surname:
                    keys |= typo_keys(surname)
            for key in keys:
                self._by_key[key].append(dossier)

    def around(self, participation: Participation) -> list[Dossier]:
        """Candidates whose surname is the typed last name, or the typed first name (names
        given in each other's place), or one typo away from either."""
        keys = typo_keys(participation.last_name) | typo_keys(participation.first_name)
        found: dict[int, Dossier] = {}
        for key in keys:
            for dossier in self._by_key.get(key, ()):
                found[dossier.id] = dossier
        return list(found.values())


class _Namesakes:
    """The rows of a batched name search, sorted back to each typed last name by the search's
    own rule, so that each participant is compared only with their possible namesakes."""

    def __init__(self, dossiers: Sequence[Dossier]) -> None:
        self._dossiers = list(dossiers)
        self._index = SearchIndex(self._dossiers)

    def findable_by(self, last_name: str) -> list[Dossier]:
        return [self._dossiers[i] for i in sorted(self._index.findable_by(last_name))]
