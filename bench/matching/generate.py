"""Labelled synthetic data for evaluating the connector's young-person matcher.

    python bench/matching/generate.py --out DIR [--participations 1000] [--structures 10]
                                      [--seed 2026]

Deterministic: one ``random.Random(seed)`` drives everything, nothing iterates over a set, so a
seed always gives the same bytes. All names, e-mails and ids are made up. The world and its
labels use the standard library only, never the connector's code; the files are written by the
simulators' own fixture writer (``connector.simulators.fixture_writer``).

It writes a complete simulator fixture directory (``DIR/pix/*.json``, ``DIR/imilo/*.json``, see
docs/http-contracts.md; Pix client ``bench-client``/``bench-secret`` with scopes meta and
campaigns on every organisation, I-Milo API key ``bench-key``) and ``DIR/labels.json``::

    [{"participationId", "case", "trueDossierId", "expectedDossierId", "expectedWrite",
      "expectedPrescriptionId"}]

The records take the real APIs' shape: a participation carries ``participantId`` as Pix
computes it (the SHA-1 hex digest of ``"{userId}_{clientId}"``), ``authenticationId`` (null,
a number for ~5 % of them: SSO), ``organizationLearnerId``, ``pixScore``, ``stages`` (an object,
or null), ``badges`` and ``tubes`` arrays, and a field the connector does not know
(``isImproved``); campaigns carry no ``externalIdLabel`` (the partner API serves none); ~25 %
of the structures are served without a ``timezone`` (the real gateway serves none).

The world
---------
S structures (most Europe/Paris; some Indian/Reunion, America/Guadeloupe, America/Cayenne,
Indian/Mayotte), each with one Pix organisation (externalId = structure code), 1-3 ASSESSMENT
campaigns (« Diagnostic initial » or « Parcours complet »; asking for the I-Milo dossier number,
or for an e-mail for ~15 % of campaigns, which only shows in what people type), an
« Evaluation PIX » offer (and an « Atelier CV » offer for ~60 % of structures) and about three
dossiers per participation. Participations are spread over structures with log-normal weights
(big and small structures).

Names are drawn with a realistic skew (weights by popularity tiers; overseas structures mostly
draw regional surnames), so real homonyms occur: at 100k participations over 400 structures,
about 7 % of dossiers share their first and birth names with another person of their structure
(more in big structures; the pools hold a few hundred names each, so they are more concentrated
than France's). I-Milo holds the birth name in upper case
and the first name capitalised; ~10 % of women have a usage name; ~3 % of people have a
duplicate dossier (same names and birth date, same mail half of the time); ~70 % of mails are
prenom.nom@example.org, ~15 % another form, ~15 % none. Participations are SHARED in 2026,
but for ``not_shared`` (STARTED or TO_SHARE, sharedAt null).
Each person has at most one participation, so every label is unambiguous.

Cases
-----
Every participation has exactly one primary ``case``. Shares are exact quotas of N (largest
remainder), shuffled over structures; a case whose preconditions a small structure cannot meet
falls back to ``exact`` (rare). « good id » is the idDossier, or the dossier's mail (case and
spaces varied) in an e-mail campaign when the dossier has one. Names are always retyped the
way young people type them (mixed case, accents sometimes dropped). A *slip* is one letter
wrong (an AZERTY neighbour), missing, extra or swapped with its neighbour, in a name of at
least four letters; a *variant* is a real name one letter from another (SURNAME_VARIANTS:
Gérard/Girard, Denis/Denys; FIRST_NAME_VARIANTS and LOOKALIKES: Yanis/Yannis, Louis/Louise).

| case                      |  share | external id           | names typed        | expected       |
|---------------------------|-------:|-----------------------|--------------------|----------------|
| exact                     | 34.0 % | idDossier             | as in I-Milo       | true           |
| id_spaces_padding         |  6.0 % | idDossier, 123.45.67… | as in I-Milo       | true           |
| id_email                  |  5.0 % | the dossier's mail    | as in I-Milo       | true           |
| id_garbage                |  6.0 % | garbage ("jsp", null) | I-Milo's, unique   | true           |
| id_typo_other_person      |  2.0 % | 1 digit off: other's  | I-Milo's, unique   | true           |
| id_typo_nonexistent       |  3.0 % | 1 digit off: nobody's | I-Milo's, unique   | true           |
| hyphen_space              |  5.0 % | good (10 %: garbage)  | JeanPierre, NDiaye | true           |
| usage_name                |  3.0 % | good (10 %: garbage)  | her usage name     | true           |
| swapped                   |  2.0 % | good (10 %: garbage)  | first <-> last     | true/null      |
| compound_partial          |  2.0 % | good (10 %: garbage)  | Jean: Jean-Pierre  | true/null      |
| typo_one_letter           |  4.0 % | good (10 %: garbage)  | one slip           | true/null      |
| typo_no_id                |  6.0 % | garbage               | 1 slip, 80 % last  | true/null      |
| typo_confusable           |  0.5 % | garbage               | 1 slip; variant's  | true/null      |
| homonym                   |  2.0 % | garbage               | as in I-Milo       | null           |
| homonym_with_id           |  2.0 % | idDossier             | as in I-Milo       | true           |
| closed_prescription       |  5.0 % | good                  | as in I-Milo       | true, no write |
| no_prescription           |  3.0 % | good                  | as in I-Milo       | true, no write |
| not_shared                |  3.0 % | good                  | as in I-Milo       | true, no write |
| no_dossier                |  1.6 % | garbage, 20 %: mail   | far from everyone  | null           |
| near_miss_no_dossier      |  0.4 % | garbage, 20 %: mail   | another's variant  | null           |
| near_miss_no_prescription |  0.5 % | garbage               | own; variant's too | true, no write |
| different_first_name      |  1.5 % | garbage               | Louis for LOUISE X | null           |
| duplicate_dossiers        |  2.5 % | garbage               | as in I-Milo       | null           |

(true/null: decided by the label rules below, from who else the structure holds.)
``homonym`` uses a natural homonym half of the time and creates one otherwise (open
prescription half of the time). ``different_first_name`` uses an existing dossier whose first
name has a look-alike (Louis / Louise, Josette / Colette, Léa / Léo, Manon / Marion…) when
there is one, else creates it. ``id_typo_other_person`` gives the typed number to another
dossier of the structure whose names are nothing like the participant's. A ``no_dossier`` last
name is neither one edit away from a birth or usage name of the structure nor one of them
without its particles, and the first name is none of them (so no swap either). E-mail cases go
mostly to e-mail campaigns, number cases mostly to number campaigns.

The hard cases. ``typo_no_id``: a slip and no usable id; the person may have a duplicate
dossier, and the structure may hold someone alike (Léo MARTIN for « Léa Martni »), which is
what the labels look at. ``typo_confusable``: the same, but someone bearing a variant of the
person's names exists or is created (Léa GIRARD for Léa GÉRARD typed « Léa Gérrad »).
``near_miss_no_prescription``: someone with a dossier but no prescription types their own
names, and a variant's dossier exists or is created (prescribed most of the time).
``near_miss_no_dossier``: someone with no dossier at all, whose names are a variant of an
existing dossier's (Léa Girard while Léa GÉRARD exists): nothing in the data tells them from a
slip, except knowing both spellings as names. The variants' dossiers are prescribed 60 % of
the time.

True persons have an ONGOING « Evaluation PIX » prescription, except ``closed_prescription``
(ACHIEVED / REFUSAL_YOUNG / ABANDONED only), ``no_prescription`` and
``near_miss_no_prescription`` (none); ~4 % of them have two ONGOING ones and ~5 % an older
closed one too. Other dossiers have one about half of the time.

Labels: the careful counsellor
------------------------------
``expectedDossierId`` is computed from the generated world (and checked against what each case
intends), never with the connector's code, by these rules, within the participation's
structure:

1. The external id, read as a dossier number (spaces, dots, dashes, slashes, « n° » and « # »
   removed, leading zeros ignored) or, with an ``@``, as an e-mail (trimmed, case-folded),
   designates dossiers. Those whose names are *close* to the participant's confirm it: names
   agree strictly, or swapped, or one part of a compound first name, or one edit (Damerau) in
   the first or the last name. Exactly one confirmed dossier is the answer, unless it is only
   close and another dossier agrees strictly (then null). Two confirmed dossiers (duplicates
   sharing a mail) give null.
2. Otherwise the names alone decide. Strict agreement first: case, accents, ligatures,
   hyphens, apostrophes and spaces folded (``normalise_name`` of ``connector.domain.names``,
   spaces removed; particles are *not* dropped, « Fontaine » is not « De La Fontaine »), the
   last name being the birth or the usage name. Exactly one such dossier is the answer,
   provided no other dossier has the same first name and the same last name once particles
   are dropped (« Léa Fontaine » typed, Léa FONTAINE and Léa DE LA FONTAINE held: null).
   Several (homonyms, duplicates) give null.
3. With no strict agreement, a slip is what a counsellor accepts at a glance: the first name
   the same and the last name (birth or usage) one slip away, or the last name the same and
   the first name one slip away, unless both first names are first names in their own right
   (the pools' and the variants': Louis/Louise, Yanis/Yannis) or differ by a vowel at the end
   (Théo/Théa). Exactly one such dossier is the answer, provided *no other dossier of the
   structure bears names alike the typed ones*: its first name and one of its last names each
   within two letters (wrong, missing, extra or swapped) of the typed ones, with or without
   particles, or sharing a whole word with them; or the same crosswise (names swapped).
   Otherwise a counsellor hesitates: null. Swaps, compound parts, two slips, or a slip *and* a
   swap, without a confirming id, give null (the connector may still write those to the right
   person: ``unsure``).
4. A participant with no dossier has no answer: null, even when rule 3 would take a variant's
   dossier for theirs (``near_miss_no_dossier``): a careful counsellor would be fooled too, and
   any write is wrong.

``expectedWrite`` is true when the participation is SHARED and that dossier has an ONGOING
« Evaluation PIX » prescription, and ``expectedPrescriptionId`` is then its oldest one
(datePrescription, then id).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python bench/matching/generate.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.matching.builder import Builder
from bench.matching.names_pool import (
    FIRST_NAME_VARIANTS,
    FIRST_NAMES,
    LAST_NAMES,
    LOOKALIKES,
    SURNAME_VARIANTS,
)
from bench.matching.text import name_key, normalise
from bench.matching.world import CASE_SHARES, DEFAULT_SEED
from bench.matching.writer import write

__all__ = [
    "CASE_SHARES",
    "DEFAULT_SEED",
    "FIRST_NAMES",
    "FIRST_NAME_VARIANTS",
    "LAST_NAMES",
    "LOOKALIKES",
    "SURNAME_VARIANTS",
    "build",
    "generate",
    "main",
    "name_key",
    "normalise",
]

# The modules, in the order the data is made:
#   names_pool.py  the names and other weighted pools the generator draws from;
#   text.py        name folding and edit distances;
#   world.py       the cases, their shares, and the world's objects;
#   draws.py, people.py, cases.py, near_misses.py
#                  the random draws, the people, and the case makers (one class each, each
#                  extending the one before);
#   builder.py     the whole: structures, cases, prescriptions, then ids;
#   labels.py      the careful counsellor (the label rules above);
#   writer.py      the files, written with connector.simulators.fixture_writer.


def build(participations: int, structures: int, seed: int = DEFAULT_SEED) -> dict[str, list[Any]]:
    """Every file of the dataset, by path relative to the output directory, as JSON values."""
    return Builder(participations, structures, seed).run()


def generate(
    out: str | Path, participations: int, structures: int, seed: int = DEFAULT_SEED
) -> dict[str, int]:
    """Write the dataset under ``out``; return the number of participations of each case."""
    files = build(participations, structures, seed)
    write(out, files)
    counts = dict.fromkeys(CASE_SHARES, 0)
    for label in files["labels.json"]:
        counts[label["case"]] += 1
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", required=True, type=Path, help="output directory")
    parser.add_argument("--participations", type=int, default=1000)
    parser.add_argument("--structures", type=int, default=10)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    counts = generate(args.out, args.participations, args.structures, args.seed)
    total = sum(counts.values()) or 1
    print(f"wrote {sum(counts.values())} participations to {args.out}")
    for case, count in counts.items():
        print(f"  {case:<22} {count:>7}  {100 * count / total:5.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
