"""The structure-scoped dossier search of the I-Milo simulator: its filters and their parsing.

``GET /operateurs/structures/{codeStructure}/dossiers`` takes exactly one filter family:

- ``idDossier`` (1–50 integers): the dossiers with those numbers;
- ``mail`` (1–50 values): the dossiers whose e-mail equals one of them, trimmed, ignoring case;
- ``nom`` with optional ``prenom``: a name search that over-returns on purpose (the client scores
  the results). See :class:`ByName`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz.distance import OSA

from connector.domain.names import normalise_name
from connector.simulators.fixtures import Dossier
from connector.simulators.imilo_model import ImiloError

__all__ = ["MAX_VALUES", "NAME_DISTANCE", "ById", "ByMail", "ByName", "DossierFilter", "parse"]

MAX_VALUES = 50
NAME_DISTANCE = 2
_FAMILIES = ("idDossier", "mail", "nom")


class DossierFilter(Protocol):
    def matches(self, d: Dossier) -> bool: ...


@dataclass(frozen=True)
class ById:
    ids: frozenset[int]

    def matches(self, d: Dossier) -> bool:
        return d.id_dossier in self.ids


@dataclass(frozen=True)
class ByMail:
    mails: frozenset[str]  # trimmed and casefolded

    def matches(self, d: Dossier) -> bool:
        return d.mail is not None and d.mail.strip().casefold() in self.mails


@dataclass(frozen=True)
class _Name:
    """A name after :func:`normalise_name`: compact (spaces removed) and its words."""

    compact: str
    words: frozenset[str]

    @classmethod
    def of(cls, text: str) -> _Name:
        normalised = normalise_name(text)
        return cls(normalised.replace(" ", ""), frozenset(normalised.split()))

    def close_to(self, other: _Name) -> bool:
        """Within OSA distance 2 (substitutions, insertions, deletions, transpositions)."""
        return (
            OSA.distance(self.compact, other.compact, score_cutoff=NAME_DISTANCE) <= NAME_DISTANCE
        )

    def confusable_with(self, other: _Name) -> bool:
        """Close to ``other``, or sharing a whole word with it (« De La Fontaine » ~ FONTAINE)."""
        return self.close_to(other) or not self.words.isdisjoint(other.words)


@dataclass(frozen=True)
class ByName:
    """Every dossier whose names are confusable with the query; meant to over-return.

    A dossier is returned when ``nom`` is confusable (:meth:`_Name.confusable_with`) with its
    ``nomNaissance``, its ``nomUsage`` or its ``prenom`` (the last catches swapped first and last
    names). With ``prenom``, a dossier is also returned in swapped order: ``prenom`` close to its
    ``nomNaissance`` or ``nomUsage`` and ``nom`` close to its ``prenom``. ``prenom`` never
    narrows the result.
    """

    nom: _Name
    prenom: _Name | None

    def matches(self, d: Dossier) -> bool:
        surnames = [_Name.of(n) for n in (d.nom_naissance, d.nom_usage) if n]
        first = _Name.of(d.prenom)
        if any(self.nom.confusable_with(n) for n in [*surnames, first]):
            return True
        # Swapped order. The rule above already compares nom with the dossier's prenom, so
        # this stays a safety net should that rule ever be narrowed.
        return (
            self.prenom is not None
            and any(self.prenom.close_to(n) for n in surnames)
            and self.nom.close_to(first)
        )


def _values(getlist: Callable[[str], list[str]], name: str) -> list[str]:
    values = getlist(name)
    if len(values) > MAX_VALUES:
        raise ImiloError(400, f"at most {MAX_VALUES} {name} values")
    return values


def _single_name(getlist: Callable[[str], list[str]], name: str) -> _Name:
    values = getlist(name)
    if len(values) != 1:
        raise ImiloError(400, f"{name} must be given once")
    parsed = _Name.of(values[0])
    if not parsed.compact:
        raise ImiloError(400, f"{name} must not be blank")
    return parsed


def _ids(values: Sequence[str]) -> ById:
    try:
        return ById(frozenset(int(v) for v in values))
    except ValueError:
        raise ImiloError(400, "idDossier must be an integer") from None


def _mails(values: Sequence[str]) -> ByMail:
    mails = frozenset(v.strip().casefold() for v in values)
    if "" in mails:
        raise ImiloError(400, "mail must not be blank")
    return ByMail(mails)


def parse(getlist: Callable[[str], list[str]]) -> DossierFilter:
    """The filter of a query string (``getlist`` gives a parameter's values); 400 if invalid."""
    present = [f for f in _FAMILIES if getlist(f)]
    if not present and getlist("prenom"):
        raise ImiloError(400, "prenom needs nom")
    if len(present) != 1:
        raise ImiloError(400, "give exactly one of idDossier, mail, or nom (with optional prenom)")
    if present[0] != "nom" and getlist("prenom"):
        raise ImiloError(400, "prenom goes with nom only")
    if present[0] == "idDossier":
        return _ids(_values(getlist, "idDossier"))
    if present[0] == "mail":
        return _mails(_values(getlist, "mail"))
    prenom = _single_name(getlist, "prenom") if getlist("prenom") else None
    return ByName(_single_name(getlist, "nom"), prenom)
