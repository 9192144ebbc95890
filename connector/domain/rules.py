"""The charter's small rules: date of realisation, allowed transitions, diagnostic type, nature."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

from connector.domain.model import DiagnosticType, Modality, Nature, PrescriptionStatus

__all__ = [
    "DEFAULT_COMMENT",
    "REALISABLE",
    "REALISED",
    "can_realise",
    "diagnostic_type",
    "nature_for",
    "realisation_comment",
    "realisation_date",
]

# Pix's own Pôle emploi integration reads the test type from the target profile's name.
_SHORT_PROFILE = "diagnostic initial"
_LONG_PROFILE = "parcours complet"

_DIAGNOSTIC_WORDS = {DiagnosticType.SHORT: "diagnostic court", DiagnosticType.LONG: "parcours long"}


def realisation_date(shared_at: datetime, timezone: str) -> date:
    """The day the assessment was taken, as a counsellor of the structure reads a calendar.

    I-Milo stores local dates: a test shared at 22:30 UTC on 12 March is dated 13 March in
    Réunion (UTC+4) but 12 March in Cayenne (UTC-3).
    """
    if shared_at.tzinfo is None:
        raise ValueError("shared_at must be an aware datetime")
    return shared_at.astimezone(ZoneInfo(timezone)).date()


# The statuses a prescription may be in for the connector to set it to réalisé: prescrit
# only. Réalisé, refus jeune, refus tiers and abandonné are a counsellor's decisions. The
# candidates read from I-Milo are the prescriptions in these statuses, each write expects to
# find the status its prescription was read in (``PlannedWrite.expected``), and a resumed write
# goes on only while its prescription is still in one of them (``domain.writes``).
REALISABLE: frozenset[PrescriptionStatus] = frozenset({PrescriptionStatus.ONGOING})
# The status the connector sets.
REALISED = PrescriptionStatus.ACHIEVED


def can_realise(statut: PrescriptionStatus | str) -> bool:
    """Whether the connector may set a prescription in ``statut`` to *réalisé*: the only
    filter of which prescriptions may be realised (``REALISABLE``). Unknown codes are left
    alone."""
    return statut in REALISABLE


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def diagnostic_type(
    target_profile_name: str | None, mapped: DiagnosticType | None = None
) -> DiagnosticType | None:
    """Short or long: the mapping wins, else the target profile's name, else unknown."""
    if mapped is not None:
        return mapped
    folded = _fold(target_profile_name or "")
    if _SHORT_PROFILE in folded:
        return DiagnosticType.SHORT
    if _LONG_PROFILE in folded:
        return DiagnosticType.LONG
    return None


def nature_for(modality: Modality) -> Nature | None:
    """The nature of the actualité that goes with the realisation, or None for none.

    The charter asks for an actualité only when the Mission Locale has the young person take
    the test: « atelier » in a group, « entretien individuel » one to one. A test taken alone
    (``autonomous``) is recorded as réalisé with no actualité.
    """
    if modality is Modality.AUTONOMOUS:
        return None
    return Nature.ATELIER if modality is Modality.GROUP else Nature.ENTRETIEN_INDIVIDUEL


DEFAULT_COMMENT = (
    "Évaluation PIX réalisée le {date} — {diagnostic} — {mastery} — mise à jour automatique"
)
_SEGMENT = " — "


def realisation_comment(
    day: date,
    diagnostic: DiagnosticType | None,
    mastery_rate: float | None,
    template: str = DEFAULT_COMMENT,
) -> str:
    """The short French note a counsellor reads in I-Milo next to the update.

    ``template`` takes ``{date}``, ``{diagnostic}`` and ``{mastery}``; a « — »-separated part
    left empty (an unknown diagnostic type, no mastery rate) is dropped.
    """
    text = template.format(
        date=f"{day:%d/%m/%Y}",
        diagnostic=_DIAGNOSTIC_WORDS[diagnostic] if diagnostic is not None else "",
        mastery=f"{round(mastery_rate * 100)} % de maîtrise" if mastery_rate is not None else "",
    )
    return _SEGMENT.join(part for part in text.split(_SEGMENT) if part.strip())
