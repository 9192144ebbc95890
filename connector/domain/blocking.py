"""Who each participant is compared with: blocking, so that matching stays linear.

- ``SurnameBlocks``: the candidates sharing a surname key with the participant;
- ``Namesakes``: the rows of one batched name search, sorted back to each typed last name;
- ``by_mail``: dossiers by e-mail as typed evidence is compared (trimmed, case folded).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from connector.domain.model import Dossier, Participation
from connector.domain.name_search import SearchIndex
from connector.domain.names import typo_keys

__all__ = ["Namesakes", "SurnameBlocks", "by_mail"]


class SurnameBlocks:
    """Blocking: each participant is compared with the candidates sharing a surname key
    (``names.typo_keys``: each surname and each of its one-letter deletions), so that
    matching stays linear in the number of participations, whatever the structure's size,
    and still finds a last name typed with one letter wrong, missing, extra or swapped.
    Evidence by number or e-mail does not go through it."""

    def __init__(self, candidates: Iterable[Dossier]) -> None:
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


class Namesakes:
    """The rows of a batched name search, sorted back to each typed last name by the search's
    own rule, so that each participant is compared only with their possible namesakes."""

    def __init__(self, dossiers: Sequence[Dossier]) -> None:
        self._dossiers = list(dossiers)
        self._index = SearchIndex(self._dossiers)

    def findable_by(self, last_name: str) -> list[Dossier]:
        return [self._dossiers[i] for i in sorted(self._index.findable_by(last_name))]


def by_mail(dossiers: Iterable[Dossier]) -> dict[str, list[Dossier]]:
    """Dossiers by e-mail (an e-mail may be shared by duplicate dossiers)."""
    found: dict[str, list[Dossier]] = defaultdict(list)
    for dossier in dossiers:
        if dossier.mail:
            found[dossier.mail.strip().casefold()].append(dossier)
    return dict(found)
