"""French names: normalisation, and how closely a typed name fits a dossier.

The comparison returns a *kind* a counsellor would recognise, from strongest to weakest:
``EXACT`` (same names once case, accents, ligatures, hyphens, apostrophes, spaces and
particles are folded away), ``SWAPPED`` (first and last names typed in each other's place),
``PARTIAL`` (part of a compound first name, e.g. « Jean » for « Jean-Pierre »),
``PARTIAL_SURNAME`` (part of a compound last name), ``TYPO`` (one letter wrong, missing, extra
or swapped in the last name, the first name exact), ``FIRST_NAME_TYPO`` (the same in the first
name, never turning it into another known first name), ``SURNAME_VARIANT`` (a last name one
letter off that is itself a common surname: « Girard » for GÉRARD), ``FLAWED_SWAP`` (names
swapped *and* one of them flawed) and ``NONE``. All but ``NONE`` confirm a dossier designated
by a number or an e-mail. ``TYPO`` also identifies on the names alone, but only when no other
dossier of the structure bears names confusable with the typed ones (``matching.confirm``);
``PARTIAL_SURNAME``, ``SURNAME_VARIANT``, ``FIRST_NAME_TYPO`` and ``FLAWED_SWAP`` never do.
A ``score`` in [0, 1] ranks candidates for review.
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
from connector.domain.surnames import KNOWN_SURNAMES

__all__ = [
    "NameKind",
    "NameMatch",
    "compare_names",
    "name_keys",
    "normalise_name",
    "typo_keys",
]

# Œ and Æ have no Unicode decomposition: NFKD leaves them whole.
_LIGATURES = str.maketrans(
    {
        "œ": "oe",
        "Œ": "OE",
        "æ": "ae",
        "Æ": "AE",
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
    }
)
_SEPARATORS = re.compile(r"[^0-9a-z]+")
PARTICLES = frozenset({"de", "du", "des", "d", "la", "le", "les", "l"})
# A one-letter typo is only believable in a name long enough to still be recognised.
MIN_TYPO_LENGTH = 4
MIN_ID_TYPO_LENGTH = 3  # Below this, a fuzzy score says nothing useful about a candidate.
WEAK_SCORE = 0.6


class NameKind(enum.IntEnum):
    NONE = 0
    FLAWED_SWAP = 1  # names swapped, one of them flawed: with a number or e-mail only
    SURNAME_VARIANT = 2  # one letter off, itself a common surname: with a number or e-mail only
    FIRST_NAME_TYPO = 3  # one letter off in the first name: with a number or e-mail only
    TYPO = 4  # one letter off in the last name: alone only if nobody else is confusable
    PARTIAL_SURNAME = 5  # part of a compound last name: with a number or e-mail only
    PARTIAL = 6  # part of a compound first name, last name exact
    SWAPPED = 7
    EXACT = 8


@dataclass(frozen=True, slots=True)
class NameMatch:
    kind: NameKind
    score: float

    @property
    def accepted(self) -> bool:
        """Fits well enough to confirm the dossier a typed number or e-mail designates."""
        return self.kind >= NameKind.FLAWED_SWAP

    @property
    def enough_alone(self) -> bool:
        """Fits well enough to identify someone by the names alone, if nobody else in the
        structure fits as well. A partial last name, or a swap with a flaw, with no number or
        e-mail to back them, have too often turned out to be another young person
        (Durand/Boyer-Durand)."""
        return self.kind >= NameKind.PARTIAL

    @property
    def enough_if_unconfusable(self) -> bool:
        """A typo in the last name identifies on the names alone only when no other dossier
        of the structure bears names *confusable* with the typed ones
        (``name_search.confusable``), not just names that fit as well: with a Léa GIRARD in
        the structure, « Léa Gérrad » is not surely Léa GÉRARD.

        Never when the typed last name is itself a common surname (``SURNAME_VARIANT``:
        « Girard » for GÉRARD: the young person may be a Girard with no dossier yet), nor for a
        typo in the first name (``FIRST_NAME_TYPO``): first names are spelt one letter apart on
        purpose far more often than the list of known first names can tell (Kylian/Kyllian,
        Mathis/Matis, Nathan/Natan), and on the benchmark that part alone made half of the
        wrong writes for a fifth of the typos found (docs/matching-evaluation.md)."""
        return self.kind is NameKind.TYPO


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
    VARIANT = 1  # one letter off, but the typed last name is itself a common surname
    TYPO = 2
    PARTIAL = 3
    EXACT = 4


def _fit(typed: _Form, held: _Form, *, first_name: bool, min_typo: int) -> _Fit:
    if not typed.compact or not held.compact:
        return _Fit.NONE
    if typed.compact == held.compact or typed.core == held.core:
        return _Fit.EXACT
    # One letter off as a whole (« Lee Guen » for LE GUEN) is a typo, not a part of the name.
    whole = _one_off(typed.compact, held.compact, min_typo)
    shorter, longer = sorted((typed.words, held.words), key=len)
    if not whole and len(shorter) < len(longer) and shorter <= longer:
        return _Fit.PARTIAL
    if not (whole or _one_off(typed.core, held.core, min_typo)):
        return _Fit.NONE
    if first_name:
        return _Fit.NONE if _two_first_names(typed.compact, held.compact) else _Fit.TYPO
    return _Fit.VARIANT if _known_surname(typed) else _Fit.TYPO


def _one_off(typed: str, held: str, min_typo: int) -> bool:
    """One letter wrong, missing, extra or swapped, in names long enough to tell."""
    return min(len(typed), len(held)) >= min_typo and OSA.distance(typed, held) == 1


def _known_surname(typed: _Form) -> bool:
    """« Girard » typed for GÉRARD, « Bonnet » for BONNEL: a last name typed as a common
    surname is most likely the young person's own, not a slip that happens to spell another
    family's name."""
    return not KNOWN_SURNAMES.isdisjoint((typed.compact, typed.core))


_VOWELS = frozenset("aeiouy")


def _two_first_names(typed: str, held: str) -> bool:
    """Josette is not Colette, Louis is not Louise: both are first names in their own right.

    Besides the list of known first names, one letter added, dropped or changed *at the end*
    as a vowel makes another first name, most often the other gender's (Simon/Simone,
    Théo/Théa, Emma/Emmy, Dylan/Dylane), even for names the list does not hold.
    """
    if typed in KNOWN_FIRST_NAMES and held in KNOWN_FIRST_NAMES:
        return True
    short, long = sorted((typed, held), key=len)
    if len(long) == len(short) + 1 and long.startswith(short):
        return long[-1] in _VOWELS
    return (
        len(typed) == len(held)
        and typed[:-1] == held[:-1]
        and typed[-1] in _VOWELS
        and held[-1] in _VOWELS
    )


def _combine(first: _Fit, last: _Fit) -> NameKind:
    """Both names must fit; at most one of them imperfectly."""
    if first is _Fit.NONE or last is _Fit.NONE:
        return NameKind.NONE
    if first is _Fit.EXACT and last is _Fit.EXACT:
        return NameKind.EXACT
    if first is not _Fit.EXACT and last is not _Fit.EXACT:
        return NameKind.NONE
    if first is _Fit.PARTIAL:
        return NameKind.PARTIAL
    if last is _Fit.PARTIAL:
        return NameKind.PARTIAL_SURNAME
    if last is _Fit.VARIANT:
        return NameKind.SURNAME_VARIANT
    if first is _Fit.TYPO:
        return NameKind.FIRST_NAME_TYPO
    return NameKind.TYPO


_SCORES = {
    NameKind.EXACT: 1.0,
    NameKind.PARTIAL: 0.92,
    NameKind.PARTIAL_SURNAME: 0.91,
    NameKind.TYPO: 0.9,
    NameKind.FIRST_NAME_TYPO: 0.9,
    NameKind.SURNAME_VARIANT: 0.9,
}


def _fuzzy(
    typed_first: _Form, typed_last: _Form, dossier_first: _Form, surnames: list[_Form]
) -> float:
    first = fuzz.ratio(typed_first.compact, dossier_first.compact)
    last = max(fuzz.ratio(typed_last.compact, s.compact) for s in surnames)
    return round(0.85 * (first + last) / 200, 3)


def compare_names(
    first_name: str, last_name: str, dossier: Dossier, *, confirms_id: bool = False
) -> NameMatch:
    """How the names a participant typed fit a dossier's prenom, birth and usage names.

    ``confirms_id``: the dossier was designated by the typed number or e-mail, so a typo in
    a short name (three letters) is believable too.
    """
    min_typo = MIN_ID_TYPO_LENGTH if confirms_id else MIN_TYPO_LENGTH
    typed_first, typed_last = _form(first_name), _form(last_name)
    held_first = _form(dossier.prenom)
    surnames = [_form(s) for s in (dossier.nom_naissance, dossier.nom_usage) if s]
    if not surnames:
        return NameMatch(NameKind.NONE, 0.0)
    straight = _combine(
        _fit(typed_first, held_first, first_name=True, min_typo=min_typo),
        max(_fit(typed_last, s, first_name=False, min_typo=min_typo) for s in surnames),
    )
    swapped = _combine(
        _fit(typed_last, held_first, first_name=True, min_typo=min_typo),
        max(_fit(typed_first, s, first_name=False, min_typo=min_typo) for s in surnames),
    )
    if straight is not NameKind.NONE and straight >= swapped:
        return NameMatch(straight, _SCORES[straight])
    if swapped is NameKind.EXACT:
        return NameMatch(NameKind.SWAPPED, 0.97)
    if swapped is not NameKind.NONE:
        # Swapped *and* flawed: credible only for the dossier a number designates.
        return NameMatch(NameKind.FLAWED_SWAP, _SCORES[swapped] - 0.03)
    return NameMatch(NameKind.NONE, _fuzzy(typed_first, typed_last, held_first, surnames))


def name_keys(text: str) -> frozenset[str]:
    """A name's exact keys: compact, and without its particles."""
    form = _form(text)
    return frozenset(k for k in (form.compact, form.core) if k)


def typo_keys(text: str) -> frozenset[str]:
    """Keys under which a surname is filed for blocking (symmetric deletion): its exact keys
    and, for those long enough to bear a typo on the names alone, each of them with one letter
    deleted. Two names one letter wrong, missing, extra or swapped apart (OSA distance 1)
    share a key: the shorter one, or both with the differing letter deleted. So a names-only
    match, whose last name (or, swapped, first name) is a dossier's surname or one typo away,
    is found among the dossiers sharing one of these keys, with a handful of keys per name.

    Not cached: a name's keys are a dozen strings, cheap to make and costly to keep (a full
    cache of them held about 120 MB at national scale, bench/RESULTS.md)."""
    keys = set(name_keys(text))
    for key in tuple(keys):
        if len(key) >= MIN_TYPO_LENGTH:
            keys.update(key[:i] + key[i + 1 :] for i in range(len(key)))
    return frozenset(keys)
