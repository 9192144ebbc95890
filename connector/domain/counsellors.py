"""What counsellors' decisions on review items mean for a run.

A counsellor either dismisses an item (nothing is to be written for that participation) or
resolves it onto a dossier (that dossier is the young person's, whatever the matcher says).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from connector.domain.model import Participation

__all__ = [
    "CounsellorDecision",
    "Verdict",
    "WithDecisions",
    "resolutions",
    "with_decisions",
]


class Verdict(enum.Enum):
    DISMISSED = "dismissed"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class CounsellorDecision:
    """A review item a counsellor decided."""

    verdict: Verdict
    # The participation as the review queue kept it, rebuilt: a resolution is carried out
    # even once the run's window no longer brings the participation back.
    participation: Participation
    dossier_id: int | None = None  # the dossier a resolution names

    @property
    def participation_id(self) -> int:
        return self.participation.id

    @property
    def campaign_id(self) -> int:
        return self.participation.campaign_id


@dataclass(frozen=True, slots=True)
class WithDecisions:
    participations: list[Participation]  # to decide in this run
    dismissed: int  # fetched participations a counsellor dismissed: unchanged


def with_decisions(
    fetched: Iterable[Participation],
    decisions: Mapping[int, CounsellorDecision],
    readable_campaigns: Collection[int],
) -> WithDecisions:
    """The fetched participations less those a counsellor dismissed, plus those a counsellor
    resolved that this run's window did not bring back, when their campaign is mapped and was
    read without failure (``readable_campaigns``)."""
    participations: list[Participation] = []
    dismissed = 0
    seen: set[int] = set()
    for p in fetched:
        seen.add(p.id)
        decision = decisions.get(p.id)
        if decision is not None and decision.verdict is Verdict.DISMISSED:
            dismissed += 1
        else:
            participations.append(p)
    for decision in decisions.values():
        if (
            decision.verdict is Verdict.RESOLVED
            and decision.participation_id not in seen
            and decision.campaign_id in readable_campaigns
        ):
            participations.append(decision.participation)
    return WithDecisions(participations, dismissed)


def resolutions(decisions: Mapping[int, CounsellorDecision]) -> dict[int, int]:
    """Counsellors' resolutions, dossier by participation id: they win over the matcher."""
    return {
        pid: d.dossier_id
        for pid, d in decisions.items()
        if d.verdict is Verdict.RESOLVED and d.dossier_id is not None
    }
