"""The national charter's rules for the « Evaluation PIX » offer of a structure (June 2019).

A structure whose offer breaks them breaks the national reporting: ``charte check`` reports
every failed rule in words, and the sync only ever writes to a conformant offer.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from connector.domain.model import Offre

__all__ = [
    "CHARTER_OFFER_NAME",
    "CHARTER_START",
    "CharterRule",
    "OfferVerdict",
    "check_offer",
    "looks_like_pix_offer",
    "verdicts",
]

CHARTER_OFFER_NAME = "Evaluation PIX"
CHARTER_THEME = "Projet professionnel"
CHARTER_ACTE = "MER sur des prestations d'évaluation"
CHARTER_MESURE = "Evaluation compétences numériques"
CHARTER_PARTNER = "GIP PIX"
CHARTER_SIRET = "13002343500014"
CHARTER_TYPES = ("AUTRE", "ANIMATION_COLLECTIVE")
CHARTER_START = date(2019, 1, 1)


def _fold(text: str | None) -> str:
    """Case, accents, apostrophes and spacing do not matter in the referential's labels."""
    decomposed = unicodedata.normalize("NFKD", (text or "").replace("’", "'"))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().split())


def looks_like_pix_offer(offre: Offre, name: str = CHARTER_OFFER_NAME) -> bool:
    """An offer meant to be « Evaluation PIX », however it is spelled."""
    return _fold(offre.nom) == _fold(name)


class CharterRule(enum.StrEnum):
    """The charter's rules for the offer, by the name ``charte check`` shows."""

    NAME = "name"
    THEME = "theme"
    ACTE = "acte de service"
    MESURE = "mesure nationale"
    PARTNER = "partner"
    SIRET = "SIRET"
    TYPE = "type"
    START_DATE = "start date"


@dataclass(frozen=True, slots=True)
class OfferVerdict:
    """Each charter rule with what is wrong (None when the offer follows it)."""

    offre: Offre
    rules: tuple[tuple[CharterRule, str | None], ...]

    @property
    def failures(self) -> tuple[str, ...]:
        """What is wrong, in words."""
        return tuple(problem for _, problem in self.rules if problem is not None)

    @property
    def broken(self) -> frozenset[CharterRule]:
        """The rules the offer breaks."""
        return frozenset(rule for rule, problem in self.rules if problem is not None)

    @property
    def conformant(self) -> bool:
        return not self.failures


def check_offer(
    offre: Offre,
    *,
    first_assessment: date | None = None,
    name: str = CHARTER_OFFER_NAME,
    start_date: bool = True,
) -> OfferVerdict:
    """Every charter rule, and what the offer gets wrong, in words a counsellor understands.

    ``first_assessment``: the structure's earliest Pix result, if known; an offer opened
    after 2019 is acceptable if it was open before that. ``start_date=False`` leaves that
    rule out, for callers who do not know the structure's history.
    """
    mesure = None
    if not offre.mesure_nationale:
        mesure = f"the mandatory mesure nationale « {CHARTER_MESURE} » is missing"
    elif _fold(offre.mesure_nationale) != _fold(CHARTER_MESURE):
        mesure = f"the mesure nationale must be « {CHARTER_MESURE} »"
    rules: list[tuple[CharterRule, str | None]] = [
        (
            CharterRule.NAME,
            None if offre.nom == name else f"the name must be exactly « {name} », without accents",
        ),
        (
            CharterRule.THEME,
            None
            if _fold(offre.theme) == _fold(CHARTER_THEME)
            else f"the theme must be « {CHARTER_THEME} »",
        ),
        (
            CharterRule.ACTE,
            None
            if _fold(offre.acte_service) == _fold(CHARTER_ACTE)
            else f"the acte de service must be « {CHARTER_ACTE} »",
        ),
        (CharterRule.MESURE, mesure),
        (
            CharterRule.PARTNER,
            None
            if _fold(offre.partenaire_raison_sociale) == _fold(CHARTER_PARTNER)
            else f"the partner must be « {CHARTER_PARTNER} »",
        ),
        (
            CharterRule.SIRET,
            None
            if (offre.partenaire_siret or "").replace(" ", "") == CHARTER_SIRET
            else f"the partner's SIRET must be {CHARTER_SIRET}",
        ),
        (
            CharterRule.TYPE,
            None
            if _fold(offre.type).replace(" ", "_").upper() in CHARTER_TYPES
            else "the type must be Autre or Animation collective",
        ),
    ]
    if start_date:
        start = _start_date_problem(offre.date_debut, first_assessment)
        rules.append((CharterRule.START_DATE, start))
    return OfferVerdict(offre, tuple(rules))


def _start_date_problem(start: date | None, first_assessment: date | None) -> str | None:
    if start is None:
        return "the start date is missing (01/01/2019 by default)"
    if start <= CHARTER_START or (first_assessment is not None and start <= first_assessment):
        return None
    return (
        f"the start date {start:%d/%m/%Y} must be on or before 01/01/2019, "
        "or before the structure's first assessment"
    )


def verdicts(
    offres: Iterable[Offre],
    *,
    first_assessment: date | None = None,
    name: str = CHARTER_OFFER_NAME,
    start_date: bool = True,
) -> list[OfferVerdict]:
    """The verdict on each offer of a structure that looks like the Pix offer."""
    return [
        check_offer(o, first_assessment=first_assessment, name=name, start_date=start_date)
        for o in offres
        if looks_like_pix_offer(o, name)
    ]
