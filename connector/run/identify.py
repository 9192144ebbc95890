"""Gathers, in bulk, the I-Milo evidence the matcher needs, then asks it who is who.

Per structure and run: one bulk lookup of the dossier numbers and e-mails typed by
participants that are not already among the candidates, and one batched name search for the
names-only matches (and only for those), to rule out homonyms across the whole structure.
What an I-Milo cannot do (``imilo.capabilities``) is not asked: the domain says what to look
up (``matching.lookups``) and whether to search (``matching.homonym_check_possible``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from connector.domain.blocking import Namesakes, SurnameBlocks, by_mail
from connector.domain.matching import (
    ExternalId,
    Identified,
    Tentative,
    Unidentified,
    confirm,
    homonym_check_possible,
    lookups,
    match,
    read_external_id,
)
from connector.domain.model import Candidate, Dossier, ExternalIdKind, Participation
from connector.domain.names import normalise_name
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
        blocks = SurnameBlocks(candidate_dossiers)
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
            capabilities = self._imilo.capabilities
            alike = Namesakes(())
            if homonym_check_possible(capabilities):
                alike = self._namesakes(structure_code, [p.last_name for p, _, _ in tentative])
            for p, result, block in tentative:
                others = {d.id: d for d in (*alike.findable_by(p.last_name), *block)}
                found[p.id] = confirm(p, result, others.values(), capabilities)
        return found

    def _namesakes(self, structure_code: str, last_names: Sequence[str]) -> Namesakes:
        """The structure's dossiers findable by these last names: one batched search for all
        the names-only matches of the run, each typed spelling searched for once."""
        spellings = {normalise_name(n): n for n in last_names if normalise_name(n)}
        return Namesakes(self._imilo.search_names(structure_code, sorted(spellings.values())))

    def _structure_dossiers(
        self,
        structure_code: str,
        candidates: Sequence[Dossier],
        externals: Iterable[ExternalId],
    ) -> tuple[dict[int, Dossier], dict[str, list[Dossier]]]:
        """Dossiers of the structure by number and by e-mail, candidates' included (what is
        looked up is ``matching.lookups``')."""
        by_number = {d.id: d for d in candidates}
        asked = lookups(externals, by_number, self._imilo.capabilities)
        if asked.numbers or asked.mails:
            for dossier in self._imilo.structure_dossiers(
                structure_code, numbers=list(asked.numbers), mails=list(asked.mails)
            ):
                if dossier.structure_code in (None, structure_code):
                    by_number.setdefault(dossier.id, dossier)
        return by_number, by_mail(by_number.values())
