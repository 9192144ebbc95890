"""Which offer of a structure the connector writes to: its one conformant « Evaluation PIX ».

The prescriptions on that offer are the candidates. None, several, or only offers that break
the charter: the structure is skipped and reported, never guessed. The start-date rule is left
to ``charte check``, which reads the structure's history of assessments. Only a rule known to
fail stops a structure: a rule on a field I-Milo does not serve is unknown
(``charter.unserved_rules``), and does not.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from connector.domain.capabilities import CONTRACT, Capabilities
from connector.domain.charter import CHARTER_OFFER_NAME, CharterRule, verdicts
from connector.domain.model import Offre

__all__ = ["OfferChoice", "OfferProblem", "choose_offer"]

# Rules a sync does not hold an offer to: it does not know the structure's history.
_LEFT_TO_CHARTE_CHECK = frozenset({CharterRule.START_DATE})


class OfferProblem(enum.Enum):
    NONE_FOUND = "none_found"  # no offer by that name
    BREAKS_CHARTER = "breaks_charter"  # only offers that break the charter
    SEVERAL = "several"  # several conformant offers


@dataclass(frozen=True, slots=True)
class OfferChoice:
    """The offer to write to, or why there is none."""

    offre: Offre | None
    problem: OfferProblem | None = None
    name: str = CHARTER_OFFER_NAME
    conformant_ids: tuple[int, ...] = ()  # the conformant offers, when several

    @property
    def reason(self) -> str:
        """Why the structure is skipped, for the run's report ("" when an offer was chosen)."""
        if self.problem is OfferProblem.NONE_FOUND:
            return f"no « {self.name} » offer"
        if self.problem is OfferProblem.BREAKS_CHARTER:
            return f"its « {self.name} » offer breaks the charter: see `pix-imilo charte check`"
        if self.problem is OfferProblem.SEVERAL:
            return f"several conformant « {self.name} » offers: {list(self.conformant_ids)}"
        return ""


def choose_offer(
    offres: Iterable[Offre],
    *,
    name: str = CHARTER_OFFER_NAME,
    capabilities: Capabilities = CONTRACT,
) -> OfferChoice:
    """The structure's one offer named ``name`` (however spelled) that breaks no charter rule
    a sync can check, as far as the I-Milo that served it (``capabilities``) lets it know."""
    checked = verdicts(offres, name=name, capabilities=capabilities)
    usable = [v.offre for v in checked if not v.broken - _LEFT_TO_CHARTE_CHECK]
    if len(usable) == 1:
        return OfferChoice(usable[0], name=name)
    if not checked:
        return OfferChoice(None, OfferProblem.NONE_FOUND, name)
    if not usable:
        return OfferChoice(None, OfferProblem.BREAKS_CHARTER, name)
    return OfferChoice(None, OfferProblem.SEVERAL, name, tuple(sorted(o.id for o in usable)))
