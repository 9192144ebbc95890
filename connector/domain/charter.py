"""The national charter's rules for the « Evaluation PIX » offer of a structure (June 2019).

A structure whose offer breaks them breaks the national reporting: ``charte check`` reports
every failed rule in words, and the sync only ever writes to a conformant offer.

A rule passes, fails, or is unknown. An I-Milo that does not serve the charter's offer fields
(``Capabilities.charter_fields``: the partner gateway's session routes give an offer's name,
theme, type and partner's name, not its acte de service, mesure nationale, SIRET or start
date) leaves the rules on the fields it did not give unknown, not failed: an offer is
conformant when no rule is known to fail. With every field served, a missing field fails.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from connector.domain.capabilities import CONTRACT, Capabilities
from connector.domain.model import Offre

__all__ = [
    "CHARTER_OFFER_NAME",
    "CHARTER_START",
    "CharterRule",
    "OfferVerdict",
    "RuleState",
    "check_offer",
    "looks_like_pix_offer",
    "unserved_rules",
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


class RuleState(enum.StrEnum):
    """A charter rule's verdict on an offer."""

    PASSES = "passes"
    FAILS = "fails"
    UNKNOWN = "unknown"  # the field it reads was not served by I-Milo


@dataclass(frozen=True, slots=True)
class OfferVerdict:
    """Each charter rule checked, with what is wrong (None when the offer follows it), and
    the rules that could not be checked, I-Milo not serving their fields (``unknown``)."""

    offre: Offre
    rules: tuple[tuple[CharterRule, str | None], ...]
    unknown: tuple[CharterRule, ...] = ()

    @property
    def states(self) -> tuple[tuple[CharterRule, RuleState, str | None], ...]:
        """Every rule, in the charter's order: passes, fails (with what is wrong) or
        unknown."""
        checked = dict(self.rules)
        found: list[tuple[CharterRule, RuleState, str | None]] = []
        for rule in CharterRule:
            if rule in self.unknown:
                found.append((rule, RuleState.UNKNOWN, None))
            elif rule in checked:
                problem = checked[rule]
                state = RuleState.PASSES if problem is None else RuleState.FAILS
                found.append((rule, state, problem))
        return tuple(found)

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
        """No rule is known to fail (unknown rules do not count against the offer)."""
        return not self.failures


# The field each rule reads, for an I-Milo that may not serve it (``charter_fields``). The
# name is always served: an offer is found by it.
_FIELDS: dict[CharterRule, Callable[[Offre], object]] = {
    CharterRule.THEME: lambda o: o.theme,
    CharterRule.ACTE: lambda o: o.acte_service,
    CharterRule.MESURE: lambda o: o.mesure_nationale,
    CharterRule.PARTNER: lambda o: o.partenaire_raison_sociale,
    CharterRule.SIRET: lambda o: o.partenaire_siret,
    CharterRule.TYPE: lambda o: o.type,
    CharterRule.START_DATE: lambda o: o.date_debut,
}


def unserved_rules(offre: Offre, capabilities: Capabilities = CONTRACT) -> frozenset[CharterRule]:
    """The rules that are unknown for ``offre``: with ``charter_fields``, none (a missing
    field breaks its rule); without, those whose field the offer does not carry, I-Milo not
    serving it. A field it does serve is checked as usual."""
    if capabilities.charter_fields:
        return frozenset()
    return frozenset(rule for rule, field in _FIELDS.items() if field(offre) in (None, ""))


def check_offer(
    offre: Offre,
    *,
    first_assessment: date | None = None,
    name: str = CHARTER_OFFER_NAME,
    start_date: bool = True,
    capabilities: Capabilities = CONTRACT,
) -> OfferVerdict:
    """Every charter rule, and what the offer gets wrong, in words a counsellor understands.

    ``first_assessment``: the structure's earliest Pix result, if known; an offer opened
    after 2019 is acceptable if it was open before that. ``start_date=False`` leaves that
    rule out, for callers who do not know the structure's history. ``capabilities``: what
    the I-Milo that served the offer can serve (``unserved_rules``).
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
    unknown = unserved_rules(offre, capabilities)
    return OfferVerdict(
        offre,
        tuple((rule, problem) for rule, problem in rules if rule not in unknown),
        tuple(rule for rule, _ in rules if rule in unknown),
    )


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
    capabilities: Capabilities = CONTRACT,
) -> list[OfferVerdict]:
    """The verdict on each offer of a structure that looks like the Pix offer."""
    return [
        check_offer(
            o,
            first_assessment=first_assessment,
            name=name,
            start_date=start_date,
            capabilities=capabilities,
        )
        for o in offres
        if looks_like_pix_offer(o, name)
    ]
