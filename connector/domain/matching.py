"""Who is this participant? Evidence weighed the way a careful counsellor would.

1. **Strong evidence.** The external id read as a dossier number, or as an e-mail, designates
   a dossier *of the structure* whose names fit the participant's. That identifies the young
   person, even if their prescription is closed: we then never fall back on a homonym.
   A number or e-mail whose dossier bears other names is a probable typo: it is ignored
   and the names decide.
2. **Names alone.** Among the candidates (open prescriptions on the offer), exactly one may
   fit; several fitting candidates are homonyms or duplicate dossiers: review.
3. **No one else alike.** A names-only match is only *tentative* until a name search over
   the whole structure finds no other dossier that fits as well (``confirm``), prescription
   or not. A typo in one name must pass a stricter check: no other dossier of the structure
   may even bear names *confusable* with the typed ones (``name_search.confusable``).
   An I-Milo that cannot search the whole structure by name (``Capabilities``) cannot rule
   out a homonym: a names-only match is then never written, it goes to review
   (``homonym_check_unavailable``). A number or e-mail confirmed by the names is unaffected.

Everything here is pure: the sync fetches the evidence and calls these functions.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from connector.domain.capabilities import CONTRACT, Capabilities
from connector.domain.model import Dossier, ExternalIdKind, Participation
from connector.domain.name_search import confusable
from connector.domain.names import WEAK_SCORE, NameKind, NameMatch, compare_names

__all__ = [
    "ExternalId",
    "Identified",
    "Lookups",
    "ReviewReason",
    "Tentative",
    "Unidentified",
    "confirm",
    "homonym_check_possible",
    "lookups",
    "match",
    "read_external_id",
]

MAX_RANKED = 5
_MAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# What people type around a dossier number: « n° 123 », « No 123 », « #123 », « N°: 123 ».
_NUMBER_PREFIX = re.compile(r"^(?:n\s*°|no\.?|num(?:ero|éro)?\.?|#)\s*[:.]?\s*", re.IGNORECASE)
# Between its digits: spaces, dots, dashes, slashes (« 123 45 67 », « 123.45.67 », « 123-4567 »).
_NUMBER_SEPARATORS = re.compile(r"[\s./\-‐‑–—]+")


class ReviewReason(enum.StrEnum):
    """Why a participation was left for a counsellor. The values are stable report keys."""

    UNKNOWN_DOSSIER = "unknown_dossier"
    NAMES_DISAGREE = "names_disagree"
    CONFLICTING_IDS = "conflicting_ids"
    HOMONYMS = "homonyms"
    HOMONYM_IN_STRUCTURE = "homonym_in_structure"
    # A names-only match, and an I-Milo that cannot search the structure for homonyms.
    HOMONYM_CHECK_UNAVAILABLE = "homonym_check_unavailable"
    WEAK_MATCH = "weak_match"
    NO_CANDIDATE = "no_candidate"
    NO_OPEN_PRESCRIPTION = "no_open_prescription"
    PRESCRIPTION_CHANGED = "prescription_changed_meanwhile"


Ranked = tuple[tuple[int, float], ...]  # (dossier id, score), best first: no names


@dataclass(frozen=True, slots=True)
class ExternalId:
    number: int | None = None
    mail: str | None = None


@dataclass(frozen=True, slots=True)
class Identified:
    dossier_id: int
    evidence: str  # "id", "mail", "names" or "resolution"


@dataclass(frozen=True, slots=True)
class Tentative:
    """A names-only match awaiting the structure-wide homonym check."""

    dossier_id: int
    name_match: NameMatch
    ranked: Ranked


@dataclass(frozen=True, slots=True)
class Unidentified:
    reason: ReviewReason
    dossier_id: int | None = None
    ranked: Ranked = ()


def read_external_id(external_id: str | None, kind: ExternalIdKind | None = None) -> ExternalId:
    """The external id as a dossier number or an e-mail, if it is either.

    Pix does not say what a campaign asked for (no ``externalIdLabel`` on the partner API), so
    without ``kind`` the value decides: digits, with spaces, dots, dashes, slashes, « n° » or
    « # » around them, are a dossier number; an ``@`` makes an e-mail. With ``kind`` (an
    admin's ``external_id:`` for the campaign), only that kind is read: a number typed in an
    e-mail campaign, or an e-mail in a dossier-number campaign, is no evidence.
    """
    if external_id is None:
        return ExternalId()
    text = external_id.strip()
    if "@" in text:
        if kind is not ExternalIdKind.DOSSIER and _MAIL.match(text):
            return ExternalId(mail=text.casefold())
        return ExternalId()
    if kind is ExternalIdKind.EMAIL:
        return ExternalId()
    compact = _NUMBER_SEPARATORS.sub("", _NUMBER_PREFIX.sub("", text))
    if compact.isascii() and compact.isdigit() and len(compact.lstrip("0")) <= 15:
        number = int(compact)
        return ExternalId(number=number) if number > 0 else ExternalId()
    return ExternalId()


@dataclass(frozen=True, slots=True)
class Lookups:
    """The structure's dossiers to look up, by number and by e-mail, as the typed evidence."""

    numbers: tuple[int, ...] = ()
    mails: tuple[str, ...] = ()


def lookups(
    externals: Iterable[ExternalId],
    known: Iterable[int],
    capabilities: Capabilities = CONTRACT,
) -> Lookups:
    """What to ask I-Milo for the typed numbers and e-mails; ``known``: the dossiers already
    read (the candidates').

    Numbers are unique, so a known dossier's number needs no lookup; an e-mail may be shared
    by duplicate dossiers, so every typed e-mail is looked up across the structure, when
    I-Milo can (``mail_lookup``). When it cannot, an e-mail is compared only with the known
    dossiers' own e-mails; without ``dossier_lookup``, a number only with the known dossiers.
    """
    typed = list(externals)
    numbers: tuple[int, ...] = ()
    mails: tuple[str, ...] = ()
    if capabilities.dossier_lookup:
        numbers = tuple(sorted({e.number for e in typed if e.number is not None} - set(known)))
    if capabilities.mail_lookup:
        mails = tuple(sorted({e.mail for e in typed if e.mail is not None}))
    return Lookups(numbers, mails)


def _rank(scored: Iterable[tuple[int, float]]) -> Ranked:
    best: dict[int, float] = {}
    for dossier_id, score in scored:
        best[dossier_id] = max(best.get(dossier_id, 0.0), score)
    ordered = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return tuple((dossier_id, score) for dossier_id, score in ordered[:MAX_RANKED])


def _rivals(best: NameMatch, other: NameMatch) -> bool:
    """Whether ``other`` fits too well for ``best`` to be clearly the one.

    Exact names are clearly better than a typo or a part of a compound name; anything less
    than exact has no margin over any other fit.
    """
    if best.kind is NameKind.EXACT:
        return other.kind >= NameKind.SWAPPED
    return other.accepted


def match(
    participation: Participation,
    external: ExternalId,
    candidates: Sequence[Dossier],
    structure_dossiers: Mapping[int, Dossier],
    structure_mails: Mapping[str, Sequence[Dossier]],
) -> Identified | Tentative | Unidentified:
    """Weigh the evidence for one participation.

    ``candidates`` are the dossiers with an open prescription on the offer;
    ``structure_dossiers`` every dossier of the structure looked up by number, and
    ``structure_mails`` by e-mail (the candidates' included).
    """
    first, last = participation.first_name, participation.last_name
    strong: dict[int, str] = {}
    id_disagrees: int | None = None
    if external.number is not None and external.number in structure_dossiers:
        dossier = structure_dossiers[external.number]
        if compare_names(first, last, dossier, confirms_id=True).accepted:
            strong[dossier.id] = "id"
        else:
            id_disagrees = dossier.id  # a probable typo naming someone else: not evidence
    if external.mail is not None:
        for dossier in structure_mails.get(external.mail, ()):
            if compare_names(first, last, dossier, confirms_id=True).accepted:
                strong.setdefault(dossier.id, "mail")
    if len(strong) == 1:
        [(dossier_id, evidence)] = strong.items()
        return Identified(dossier_id, evidence)
    scored = [(d, compare_names(first, last, d)) for d in {c.id: c for c in candidates}.values()]
    ranked = _rank((d.id, m.score) for d, m in scored)
    if len(strong) > 1:
        return Unidentified(ReviewReason.CONFLICTING_IDS, ranked=ranked)
    fitting = sorted(((d, m) for d, m in scored if m.accepted), key=lambda f: -f[1].kind)
    if (
        fitting
        and (fitting[0][1].enough_alone or fitting[0][1].enough_if_unconfusable)
        and not any(_rivals(fitting[0][1], m) for _, m in fitting[1:])
    ):
        dossier, name_match = fitting[0]
        return Tentative(dossier.id, name_match, ranked)
    if len(fitting) > 1:
        return Unidentified(ReviewReason.HOMONYMS, ranked=ranked)
    if id_disagrees is not None:
        return Unidentified(ReviewReason.NAMES_DISAGREE, id_disagrees, ranked)
    if ranked and ranked[0][1] >= WEAK_SCORE:
        return Unidentified(ReviewReason.WEAK_MATCH, ranked=ranked)
    if external.number is not None and external.number not in structure_dossiers:
        return Unidentified(ReviewReason.UNKNOWN_DOSSIER, ranked=ranked)
    return Unidentified(ReviewReason.NO_CANDIDATE, ranked=ranked)


def homonym_check_possible(capabilities: Capabilities) -> bool:
    """Whether I-Milo can be searched for the structure's homonyms of a names-only match.
    Without it, ``confirm`` never keeps one, and nothing need be searched."""
    return capabilities.structure_name_search


def confirm(
    participation: Participation,
    tentative: Tentative,
    alike: Iterable[Dossier],
    capabilities: Capabilities = CONTRACT,
) -> Identified | Unidentified:
    """Keep a names-only match only if no *other* dossier of the structure fits as well
    (see ``_rivals`` for what "as well" means), or, for a typo, if no other dossier of the
    structure bears confusable names at all (``name_search.confusable``).

    ``alike`` is what a name search over the whole structure returned. A homonym whose
    prescription is closed still makes the match uncertain. Without a structure-wide search
    (``homonym_check_possible``), ``alike`` holds only the candidates: a rival among them
    still says ``homonym_in_structure``, and no rival proves nothing
    (``homonym_check_unavailable``): the match is never kept.
    """
    first, last = participation.first_name, participation.last_name
    best = tentative.name_match
    rivals = [
        (d, m)
        for d in alike
        if d.id != tentative.dossier_id
        and (
            _rivals(best, m := compare_names(first, last, d))
            or (best.enough_if_unconfusable and confusable(first, last, d))
        )
    ]
    if rivals:
        ranked = _rank(
            [(d.id, m.score) for d, m in rivals]
            + [(tentative.dossier_id, tentative.name_match.score)]
        )
        return Unidentified(ReviewReason.HOMONYM_IN_STRUCTURE, ranked=ranked)
    if not homonym_check_possible(capabilities):
        return Unidentified(ReviewReason.HOMONYM_CHECK_UNAVAILABLE, ranked=tentative.ranked)
    return Identified(tentative.dossier_id, "names")
