"""French names: normalisation, and how closely a typed name fits a dossier.

The comparison returns a *kind* a counsellor would recognise, from strongest to weakest:
``EXACT`` (same names once case, accents, ligatures, hyphens, apostrophes, spaces and
particles are folded away), ``SWAPPED`` (first and last names typed in each other's place),
``PARTIAL`` (part of a compound name, e.g. « Jean » for « Jean-Pierre »), ``TYPO`` (one letter
wrong, missing, extra or swapped, in one name only, never turning a first name into another
known first name) and ``NONE``. A ``score`` in [0, 1] ranks candidates for review.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from connector.domain.first_names import KNOWN_FIRST_NAMES
from connector.domain.model import Dossier

__all__ = ["NameKind", "NameMatch", "compare_names", "names_agree", "normalise_name"]

# Œ and Æ have no Unicode decomposition: NFKD leaves them whole.
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ı": "i"}
)
_SEPARATORS = re.compile(r"[^0-9a-z]+")
PARTICLES = frozenset({"de", "du", "des", "d", "la", "le", "les", "l"})
# A one-letter typo is only believable in a name long enough to still be recognised.
MIN_TYPO_LENGTH = 4
# Below this, a fuzzy score says nothing useful about a candidate.
WEAK_SCORE = 0.6


class NameKind(enum.IntEnum):
    NONE = 0
    TYPO = 1
    PARTIAL = 2
    SWAPPED = 3
    EXACT = 4


@dataclass(frozen=True, slots=True)
class NameMatch:
    kind: NameKind
    score: float

    @property
    def accepted(self) -> bool:
        """Good enough to identify someone, if nobody else in the structure is as close."""
        return self.kind >= NameKind.TYPO


@lru_cache(maxsize=65536)
def normalise_name(text: str) -> str:
    """Case, accents, ligatures, hyphens, apostrophes and spacing folded away.

    « Jean-Pierre », « jean pierre » and « JEAN PIERRE » give ``jean pierre``;
    « N'Diaye » gives ``n diaye``, which compares equal to « NDIAYE » once spaces are removed.
    """
    text = text.translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _SEPARATORS.sub(" ", stripped.translate(_LIGATURES)).strip()


@dataclass(frozen=True, slots=True)
class _Form:
    compact: str  # no spaces: « de la fontaine » → « delafontaine »
    core: str  # without particles: « fontaine »
    words: frozenset[str]


@lru_cache(maxsize=65536)
def _form(text: str) -> _Form:
    words = normalise_name(text).split()
    core_words = [w for w in words if w not in PARTICLES] or words
    return _Form("".join(words), "".join(core_words), frozenset(core_words))


class _Fit(enum.IntEnum):
    NONE = 0
    TYPO = 1
    PARTIAL = 2
    EXACT = 3


def _fit(typed: _Form, held: _Form, *, first_name: bool) -> _Fit:
    if not typed.compact or not held.compact:
        return _Fit.NONE
    if typed.compact == held.compact or typed.core == held.core:
        return _Fit.EXACT
    shorter, longer = sorted((typed.words, held.words), key=len)
    if len(shorter) < len(longer) and shorter <= longer:
        return _Fit.PARTIAL
    if (
        min(len(typed.core), len(held.core)) >= MIN_TYPO_LENGTH
        and OSA.distance(typed.core, held.core) == 1
        and not (first_name and _two_first_names(typed.compact, held.compact))
    ):
        return _Fit.TYPO
    return _Fit.NONE


def _two_first_names(typed: str, held: str) -> bool:
    """Josette is not Colette, Louis is not Louise: both are first names in their own right."""
    return typed in KNOWN_FIRST_NAMES and held in KNOWN_FIRST_NAMES


def _combine(first: _Fit, last: _Fit) -> NameKind:
    """Both names must fit; at most one of them imperfectly."""
    if first is _Fit.NONE or last is _Fit.NONE:
        return NameKind.NONE
    weaker = min(first, last)
    if weaker is _Fit.EXACT:
        return NameKind.EXACT
    if max(first, last) is not _Fit.EXACT:
        return NameKind.NONE
    return NameKind.PARTIAL if weaker is _Fit.PARTIAL else NameKind.TYPO


_SCORES = {NameKind.EXACT: 1.0, NameKind.PARTIAL: 0.92, NameKind.TYPO: 0.9}


def _fuzzy(
    typed_first: _Form, typed_last: _Form, dossier_first: _Form, surnames: list[_Form]
) -> float:
    first = fuzz.ratio(typed_first.compact, dossier_first.compact)
    last = max(fuzz.ratio(typed_last.compact, s.compact) for s in surnames)
    return round(0.85 * (first + last) / 200, 3)


def compare_names(first_name: str, last_name: str, dossier: Dossier) -> NameMatch:
    """How the names a participant typed fit a dossier's prenom, birth and usage names."""
    typed_first, typed_last = _form(first_name), _form(last_name)
    held_first = _form(dossier.prenom)
    surnames = [_form(s) for s in (dossier.nom_naissance, dossier.nom_usage) if s]
    if not surnames:
        return NameMatch(NameKind.NONE, 0.0)
    straight = _combine(
        _fit(typed_first, held_first, first_name=True),
        max(_fit(typed_last, s, first_name=False) for s in surnames),
    )
    swapped = _combine(
        _fit(typed_last, held_first, first_name=True),
        max(_fit(typed_first, s, first_name=False) for s in surnames),
    )
    if straight is not NameKind.NONE and straight >= swapped:
        return NameMatch(straight, _SCORES[straight])
    if swapped is NameKind.EXACT:
        return NameMatch(NameKind.SWAPPED, 0.97)
    if swapped is not NameKind.NONE:
        return NameMatch(swapped, _SCORES[swapped] - 0.03)
    return NameMatch(NameKind.NONE, _fuzzy(typed_first, typed_last, held_first, surnames))


def names_agree(first_name: str, last_name: str, dossier: Dossier) -> bool:
    """The typed names designate this dossier's young person (before any homonym check)."""
    return compare_names(first_name, last_name, dossier).accepted
