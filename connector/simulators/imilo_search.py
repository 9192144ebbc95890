"""The structure-scoped dossier search of the I-Milo simulator: its filters and their parsing.

``GET /operateurs/structures/{codeStructure}/dossiers`` takes exactly one filter family:

- ``idDossier`` (1–50 integers): the dossiers with those numbers;
- ``mail`` (1–50 values): the dossiers whose e-mail equals one of them, trimmed, ignoring case;
- ``nom`` (1–50 values) with optional ``prenom`` (with a single ``nom`` only): a name search that
  over-returns on purpose (the client scores the results). See :class:`ByName`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from connector.domain.name_search import SearchIndex, SearchName, findable, search_names
from connector.simulators.fixtures import Dossier
from connector.simulators.imilo_model import ImiloError

__all__ = ["MAX_VALUES", "ById", "ByMail", "ByName", "DossierFilter", "parse"]

MAX_VALUES = 50
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
class ByName:
    """Every dossier a search for these last names must return (``findable``): meant to
    over-return. With a single ``nom`` and a ``prenom``, a dossier is also returned in swapped
    order: ``prenom`` close to its ``nomNaissance`` or ``nomUsage`` and ``nom`` close to its
    ``prenom``. ``prenom`` never narrows the result.
    """

    noms: tuple[SearchName, ...]
    prenom: SearchName | None

    def matches(self, d: Dossier) -> bool:
        surnames, first = search_names(d)
        if any(findable(nom, surnames, first) for nom in self.noms):
            return True
        # Swapped order. ``findable`` already compares nom with the dossier's prenom, so this
        # stays a safety net should that rule ever be narrowed.
        return (
            self.prenom is not None
            and any(self.prenom.close_to(n) for n in surnames)
            and self.noms[0].close_to(first)
        )

    def select(self, dossiers: Sequence[Dossier], index: SearchIndex) -> list[Dossier]:
        """``matches`` over a structure's dossiers (``index`` is theirs, in the same order),
        in one pass per name instead of a loop over the dossiers."""
        if self.prenom is not None:
            return [d for d in dossiers if self.matches(d)]
        found: set[int] = set()
        for nom in self.noms:
            found |= index.findable_by_name(nom)
        return [dossiers[i] for i in sorted(found)]


def _values(getlist: Callable[[str], list[str]], name: str) -> list[str]:
    values = getlist(name)
    if len(values) > MAX_VALUES:
        raise ImiloError(400, f"at most {MAX_VALUES} {name} values")
    return values


def _name(value: str, name: str) -> SearchName:
    parsed = SearchName.of(value)
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
    noms = tuple(_name(value, "nom") for value in _values(getlist, "nom"))
    prenoms = getlist("prenom")
    if len(prenoms) > 1 or (prenoms and len(noms) > 1):
        raise ImiloError(400, "prenom must be given once, with a single nom")
    return ByName(noms, _name(prenoms[0], "prenom") if prenoms else None)
