"""``charte check``'s verdict on one structure: its « Evaluation PIX » offers against the
national charter, as the command and the console's « Charte » page show it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from connector.domain.charter import OfferVerdict, RuleState, verdicts
from connector.imilo.port import IMilo

__all__ = ["UNKNOWN_RULE", "check_structure", "unknown_structure"]

# A rule whose field I-Milo does not serve (``charter.unserved_rules``): neither ok nor KO.
UNKNOWN_RULE = "inconnu (non servi par I-Milo)"


def _structure_rows(found: list[OfferVerdict]) -> list[list[str]]:
    rows = []
    for verdict in found:
        for rule, state, problem in verdict.states:
            if state is RuleState.UNKNOWN:
                shown = UNKNOWN_RULE
            else:
                shown = "ok" if problem is None else "KO: " + problem
            rows.append([str(verdict.offre.id), verdict.offre.nom, rule, shown])
    return rows


def unknown_structure(code: str) -> dict[str, Any]:
    return {
        "structure": code,
        "name": "",
        "conformant": False,
        "problem": "unknown to I-Milo: check organisations.yaml",
        "rows": [],
        "offers": [],
    }


def check_structure(
    imilo: IMilo, code: str, name: str, first_assessment: Callable[[], date | None]
) -> dict[str, Any] | None:
    """The structure's verdict, or None if I-Milo does not know the structure. A rule on a
    field the I-Milo adapter does not serve (``connector.imilo.capabilities``) is unknown.
    ``first_assessment`` is called only when an offer's start date needs it."""
    structure = imilo.structure(code)
    if structure is None:
        return None
    offres = imilo.offres(code)
    capabilities = imilo.capabilities
    found = verdicts(offres, name=name, capabilities=capabilities)
    if any(v.offre.date_debut and not v.conformant for v in found):
        found = verdicts(
            offres,
            name=name,
            first_assessment=first_assessment(),
            capabilities=capabilities,
        )
    conformant = [v for v in found if v.conformant]
    problem = None
    if not found:
        problem = f"no « {name} » offer"
    elif len(conformant) > 1:
        problem = f"several conformant « {name} » offers: the sync cannot choose"
    ok = bool(found) and len(conformant) == len(found) == 1
    return {
        "structure": code,
        "name": structure.name,
        "conformant": ok,
        "problem": problem,
        "rows": _structure_rows(found),
        "offers": [_offer_json(v) for v in found],
    }


def _offer_json(verdict: OfferVerdict) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": verdict.offre.id,
        "nom": verdict.offre.nom,
        "conformant": verdict.conformant,
        "failures": list(verdict.failures),
    }
    if verdict.unknown:  # only from an I-Milo that does not serve every charter field
        found["unknown"] = [str(rule) for rule in verdict.unknown]
    return found
