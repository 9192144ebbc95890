"""Which dossiers a structure-wide name search must return: the homonym check's reach.

A names-only match is trusted only if no other dossier of the structure fits as well
(``matching.confirm``). The I-Milo name search gathers the dossiers to compare, and it must
over-return: a dossier is *findable* by a typed last name when that name, folded and without
spaces, is within OSA distance 2 (substitution, insertion, deletion, transposition) of the
dossier's birth name, usage name or first name (the last catches swapped names), with their
particles or both without them (« Fontiane » finds DE LA FONTAINE), or shares a whole word
with one of them (« De La Fontaine » finds FONTAINE, « Garcia » finds GARCIA LOPEZ).

Every fit ``compare_names`` accepts lies within that reach, so the connector may apply the
same rule to the rows of a search for several names at once, to keep each participant's own.
The I-Milo simulator serves the search with it.

The same reach says which dossiers bear names *confusable* with typed ones (``confusable``):
a typo is believed on the names alone only when no other dossier of the structure does.
Whatever is confusable is findable, so the search's rows are enough to tell.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from rapidfuzz import process
from rapidfuzz.distance import OSA

from connector.domain.names import PARTICLES, normalise_name

__all__ = [
    "SEARCH_DISTANCE",
    "Named",
    "SearchIndex",
    "SearchName",
    "confusable",
    "findable",
    "search_names",
]

SEARCH_DISTANCE = 2


@dataclass(frozen=True, slots=True)
class SearchName:
    """A name as the search compares it: folded, compact (no spaces), and its words."""

    compact: str
    core: str  # without particles: « de la fontaine » → « fontaine »
    words: frozenset[str]

    @staticmethod
    @lru_cache(maxsize=65536)
    def of(text: str) -> SearchName:
        words = normalise_name(text).split()
        core = [w for w in words if w not in PARTICLES] or words
        return SearchName("".join(words), "".join(core), frozenset(words))

    def close_to(self, other: SearchName) -> bool:
        """Within OSA distance 2, with their particles or without."""
        return _close(self.compact, other.compact) or _close(self.core, other.core)

    def confusable_with(self, other: SearchName) -> bool:
        """Close to ``other``, or sharing a whole word with it."""
        return self.close_to(other) or not self.words.isdisjoint(other.words)


def _close(a: str, b: str) -> bool:
    return OSA.distance(a, b, score_cutoff=SEARCH_DISTANCE) <= SEARCH_DISTANCE


class Named(Protocol):
    """A dossier, as the connector or the I-Milo simulator holds it: its names."""

    @property
    def nom_naissance(self) -> str: ...

    @property
    def nom_usage(self) -> str | None: ...

    @property
    def prenom(self) -> str: ...


def search_names(dossier: Named) -> tuple[list[SearchName], SearchName]:
    """A dossier's surnames (birth name, usage name if any) and first name, as the search
    compares them."""
    surnames = [SearchName.of(n) for n in (dossier.nom_naissance, dossier.nom_usage) if n]
    return surnames, SearchName.of(dossier.prenom)


def findable(
    typed_last_name: SearchName, surnames: list[SearchName], first_name: SearchName
) -> bool:
    """Whether a search for ``typed_last_name`` must return a dossier with these names
    (``surnames``: its birth name and usage name, if any)."""
    return any(typed_last_name.confusable_with(n) for n in (*surnames, first_name))


def confusable(typed_first_name: str, typed_last_name: str, dossier: Named) -> bool:
    """Whether a dossier bears names a counsellor could mistake for the typed ones: one of its
    surnames within the search's reach of the typed last name *and* its first name within
    reach of the typed first name, or the same crosswise (names swapped). Deliberately wide:
    Léo or Lina MARTIN, Léa MARTINS or Léa MARTY are all confusable with « Léa Martni ».

    A confusable dossier is always ``findable`` by the typed last name, so a name search for
    it returns every dossier this rule could name.
    """
    first, last = SearchName.of(typed_first_name), SearchName.of(typed_last_name)
    surnames, first_name = search_names(dossier)
    straight = first.confusable_with(first_name) and any(last.confusable_with(n) for n in surnames)
    return straight or (
        last.confusable_with(first_name) and any(first.confusable_with(n) for n in surnames)
    )


class SearchIndex:
    """Many dossiers' names, indexed so that the dossiers findable by a typed last name come
    out in one pass (``findable`` for each of them, without a Python loop over the dossiers).
    Dossiers are known by their position in ``dossiers``.
    """

    def __init__(self, dossiers: Sequence[Named]) -> None:
        self._owner: list[int] = []
        compact: list[str] = []
        core: list[str] = []
        self._by_word: dict[str, set[int]] = defaultdict(set)
        for index, dossier in enumerate(dossiers):
            surnames, first_name = search_names(dossier)
            for name in (*surnames, first_name):
                self._owner.append(index)
                compact.append(name.compact)
                core.append(name.core)
                for word in name.words:
                    self._by_word[word].add(index)
        self._compact = compact
        self._core = core

    def findable_by(self, last_name: str) -> set[int]:
        """Indexes of the dossiers a search for ``last_name`` must return."""
        return self.findable_by_name(SearchName.of(last_name))

    def findable_by_name(self, typed: SearchName) -> set[int]:
        found: set[int] = set()
        for query, choices in ((typed.compact, self._compact), (typed.core, self._core)):
            for _, _, position in process.extract(
                query, choices, scorer=OSA.distance, score_cutoff=SEARCH_DISTANCE, limit=None
            ):
                found.add(self._owner[position])
        for word in typed.words:
            found |= self._by_word.get(word, set())
        return found
