"""The careful counsellor: the dossier a participation designates with certainty, computed
from the generated world with the generator's own code (the rules are in generate.py's
docstring), never with the connector's."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bench.matching.names_pool import KNOWN_FIRST
from bench.matching.text import core, name_key, normalise, one_edit
from bench.matching.world import MIN_SLIP, NO_DOSSIER, Dossier, Index, Part, Structure

# --- The careful counsellor ------------------------------------------------------------------


def close(fk: str, lk: str, d: Dossier) -> bool:
    """The typed names are the dossier's, give or take one usual slip."""
    df = name_key(d.prenom)
    lasts = d.last_keys()
    if lk in lasts and (fk == df or fk in normalise(d.prenom).split()):
        return True
    if lk == df and fk in lasts:
        return True
    if lk in lasts and one_edit(fk, df):
        return True
    return fk == df and any(one_edit(lk, x) for x in lasts)


_NUMBER_PREFIX = re.compile(r"^(?:n\s*°|no\.?|#)\s*[:.]?\s*", re.IGNORECASE)
_NUMBER_SEPARATORS = re.compile(r"[\s./\-]+")


def designated(external_id: str | None, index: Index, by_id: dict[int, Dossier]) -> list[Dossier]:
    """What the external id designates: digits with separators (spaces, dots, dashes,
    slashes, « n° », « # ») a dossier number, an ``@`` an e-mail."""
    if external_id is None:
        return []
    text = external_id.strip()
    if "@" in text:
        return index.mail.get(text.casefold(), [])
    compact = _NUMBER_SEPARATORS.sub("", _NUMBER_PREFIX.sub("", text))
    if compact.isascii() and compact.isdigit() and len(compact) <= 18:
        found = by_id.get(int(compact))
        return [found] if found is not None else []
    return []


def _osa(a: str, b: str) -> int:
    """Letters wrong, missing, extra or swapped with their neighbour (optimal string
    alignment distance)."""
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], previous2[j - 2] + 1)
        previous2, previous = previous, row
    return previous[-1]


def _deletions(key: str, depth: int = 2) -> set[str]:
    """key with up to ``depth`` letters deleted: two keys within ``depth`` letters wrong,
    missing, extra or swapped share one of these."""
    found = {key}
    frontier = {key}
    for _ in range(depth):
        frontier = {k[:i] + k[i + 1 :] for k in frontier for i in range(len(k))}
        found |= frontier
    return found


@functools.lru_cache(maxsize=1 << 18)
def alike(typed: str, held: str) -> bool:
    """Two names a counsellor could take for each other: at most two letters wrong, missing,
    extra or swapped apart, with their particles or both without, or a whole word in common
    (« Jean » and Jean-Pierre, « Garcia » and GARCIA LOPEZ)."""
    t_words, h_words = normalise(typed).split(), normalise(held).split()
    if set(t_words) & set(h_words):
        return True
    pairs = (("".join(t_words), "".join(h_words)), (core(typed), core(held)))
    return any(abs(len(a) - len(b)) <= 2 and _osa(a, b) <= 2 for a, b in pairs)


def two_first_names(typed: str, held: str) -> bool:
    """Louis and Louise, Yanis and Yannis: both spellings are first names in their own right
    (the counsellor knows the pools' and the variants' first names), or a vowel at the end
    makes the other one (Théo/Théa, Simon/Simone)."""
    if typed in KNOWN_FIRST and held in KNOWN_FIRST:
        return True
    short, long = sorted((typed, held), key=len)
    if len(long) == len(short) + 1 and long.startswith(short):
        return long[-1] in "aeiouy"
    return (
        len(typed) == len(held)
        and typed[:-1] == held[:-1]
        and typed[-1] in "aeiouy"
        and held[-1] in "aeiouy"
    )


def slip(typed: str, held: str) -> bool:
    """One letter wrong, missing, extra or swapped, in names of at least four letters."""
    return min(len(typed), len(held)) >= MIN_SLIP and one_edit(typed, held)


class AlikeNames:
    """Every name the world holds, to find those alike a typed one without comparing it with
    each: one table of the names' deletions of up to two letters (two names within two letters
    wrong, missing, extra or swapped share one), and one of their words."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_key: dict[str, set[str]] = {}
        self._by_word: dict[str, set[str]] = {}
        for name in names:
            for key in _deletions(name_key(name)) | _deletions(core(name)):
                self._by_key.setdefault(key, set()).add(name)
            for word in normalise(name).split():
                self._by_word.setdefault(word, set()).add(name)

    @functools.lru_cache(maxsize=1 << 16)  # noqa: B019 - one instance per data set
    def alike(self, typed: str) -> frozenset[str]:
        """The names held (first, birth or usage names, as written) alike ``typed``."""
        found: set[str] = set()
        for key in _deletions(name_key(typed)) | _deletions(core(typed)):
            found |= self._by_key.get(key, set())
        for word in normalise(typed).split():
            found |= self._by_word.get(word, set())
        return frozenset(name for name in found if alike(typed, name))


class Lookalikes:
    """A structure's dossiers by their names, for the label rule 3."""

    def __init__(self, dossiers: Sequence[Dossier], names: AlikeNames) -> None:
        self.by_first: dict[str, list[Dossier]] = {}
        self.by_surname: dict[str, list[Dossier]] = {}
        self.alike = names.alike
        for d in dossiers:
            self.by_first.setdefault(d.prenom, []).append(d)
            for surname in (d.nom, d.usage):
                if surname:
                    self.by_surname.setdefault(surname, []).append(d)

    def confusable(self, first: str, last: str) -> list[Dossier]:
        """Dossiers whose names are each alike the typed ones, straight or swapped."""
        firsts, lasts = self.alike(first), self.alike(last)
        found: dict[int, Dossier] = {}
        for given, family in ((firsts, lasts), (lasts, firsts)):
            for name in sorted(given):
                for d in self.by_first.get(name, ()):
                    if d.nom in family or (d.usage is not None and d.usage in family):
                        found[id(d)] = d
        return list(found.values())

    def slips(self, first: str, last: str) -> list[Dossier]:
        """Dossiers the typed names designate give or take one slip in one of them: the first
        name the same and the last name (birth or usage) one slip away, or the other way
        round, never two first names (Louis/Louise)."""
        fk, lk = name_key(first), name_key(last)
        found: dict[int, Dossier] = {}
        for name in sorted(self.alike(last)):
            if slip(lk, name_key(name)):
                for d in self.by_surname.get(name, ()):
                    if name_key(d.prenom) == fk:
                        found[id(d)] = d
        for name in sorted(self.alike(first)):
            held = name_key(name)
            if slip(fk, held) and not two_first_names(fk, held):
                for d in self.by_first.get(name, ()):
                    if lk in d.last_keys():
                        found[id(d)] = d
        return list(found.values())


def evidence_of(external_id: str | None) -> str:
    """What the typed external id is to a counsellor: a dossier number, an e-mail, or
    nothing usable (the names then carry everything)."""
    if external_id is not None and "@" in external_id:
        return "mail"
    return "number" if external_id is not None else "names"


def identify(
    first: str,
    last: str,
    external_id: str | None,
    index: Index,
    by_id: dict[int, Dossier],
    lookalikes: Lookalikes,
) -> tuple[Dossier | None, str]:
    """The dossier a careful counsellor identifies with certainty (module docstring rules),
    and on what: the typed number or e-mail confirmed by the names, or the names alone."""
    fk, lk = name_key(first), name_key(last)
    strict = index.agree(fk, lk)
    confirmed = [d for d in designated(external_id, index, by_id) if close(fk, lk, d)]
    if len(confirmed) == 1:
        found = confirmed[0]
        if any(d is found for d in strict) or not strict:
            return found, evidence_of(external_id)
        return None, "names"
    if confirmed:
        return None, "names"
    if strict:
        alone = len(strict) == 1 and index.alone(strict[0], first, last)
        return (strict[0] if alone else None), "names"
    slips = lookalikes.slips(first, last)
    if len(slips) != 1:
        return None, "names"
    [found] = slips
    alike = lookalikes.confusable(first, last)
    return (found if all(d is found for d in alike) else None), "names"


def _oldest_ongoing(
    structures: Sequence[Structure], prescriptions: Sequence[Mapping[str, Any]]
) -> dict[int, tuple[str, int]]:
    """Dossier id → (datePrescription, id) of its oldest ONGOING « Evaluation PIX »
    prescription."""
    ongoing: dict[int, tuple[str, int]] = {}
    pix_offers = {st.pix_offer for st in structures}
    for p in prescriptions:
        if p["statut"] == "ONGOING" and p["idOffre"] in pix_offers:
            rank = (p["datePrescription"], p["id"])
            if p["idDossier"] not in ongoing or rank < ongoing[p["idDossier"]]:
                ongoing[p["idDossier"]] = rank
    return ongoing


def label(
    parts: Sequence[Part],
    structures: Sequence[Structure],
    prescriptions: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The rows of ``labels.json``, one per participation, in order; checked against what
    each case intends (a RuntimeError names a participation the generator got wrong)."""
    ongoing = _oldest_ongoing(structures, prescriptions)
    finals = {}
    for st in structures:
        # The index holds every dossier (all go through People._dossier or People._twin); ids
        # are read now, after the typo victims were renumbered.
        finals[st.code] = (st.index, {d.id: d for d in st.dossiers})
    names = AlikeNames(
        sorted(
            {n for st in structures for d in st.dossiers for n in (d.prenom, d.nom)}
            | {d.usage for st in structures for d in st.dossiers if d.usage}
        )
    )
    lookalikes: dict[str, Lookalikes] = {}

    labels = []
    for part in parts:
        st = part.structure
        index, by_id = finals[st.code]
        if st.code not in lookalikes:
            lookalikes[st.code] = Lookalikes(st.dossiers, names)
        found, evidence = identify(
            part.first, part.last, part.external_id, index, by_id, lookalikes[st.code]
        )
        if part.true is None and part.case in NO_DOSSIER:
            found = None  # nobody's file is theirs: even a counsellor's certainty is wrong
        elif part.by_world:
            if found not in (None, part.true):
                raise RuntimeError(f"bug: participation {part.id} ({part.case}) mislabelled")
        elif found is not part.intended:
            raise RuntimeError(f"bug: participation {part.id} ({part.case}) mislabelled")
        oldest = ongoing.get(found.id) if found is not None else None
        if found is not None and (oldest is not None) != (found.plan == "ongoing"):
            raise RuntimeError(f"bug: participation {part.id} ({part.case}) prescriptions")
        write = oldest is not None and part.status == "SHARED"
        labels.append(
            {
                "participationId": part.id,
                "case": part.case,
                "trueDossierId": part.true.id if part.true else None,
                "expectedDossierId": found.id if found else None,
                "expectedWrite": write,
                "expectedPrescriptionId": oldest[1] if write and oldest else None,
                # What the certainty rests on: "number" or "mail" (typed, confirmed by the
                # names), or "names" alone; None when nobody is identified with certainty.
                "expectedEvidence": evidence if found is not None else None,
            }
        )
    return labels
