"""Labelled synthetic data for evaluating the connector's young-person matcher.

    python bench/matching/generate.py --out DIR [--participations 1000] [--structures 10]
                                      [--seed 2026]

Stdlib only and deterministic: one ``random.Random(seed)`` drives everything, nothing iterates
over a set, so a seed always gives the same bytes. All names, e-mails and ids are made up.

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
import bisect
import functools
import hashlib
import json
import random
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

__all__ = [
    "CASE_SHARES",
    "FIRST_NAMES",
    "LAST_NAMES",
    "LOOKALIKES",
    "build",
    "generate",
    "main",
    "name_key",
    "normalise",
]

CASE_SHARES: dict[str, float] = {
    "exact": 0.34,
    "id_spaces_padding": 0.06,
    "id_email": 0.05,
    "id_garbage": 0.06,
    "id_typo_other_person": 0.02,
    "id_typo_nonexistent": 0.03,
    "hyphen_space": 0.05,
    "usage_name": 0.03,
    "swapped": 0.02,
    "compound_partial": 0.02,
    "typo_one_letter": 0.04,
    "typo_no_id": 0.06,
    "typo_confusable": 0.005,
    "homonym": 0.02,
    "homonym_with_id": 0.02,
    "closed_prescription": 0.05,
    "no_prescription": 0.03,
    "not_shared": 0.03,
    "no_dossier": 0.016,
    "near_miss_no_dossier": 0.004,
    "near_miss_no_prescription": 0.005,
    "different_first_name": 0.015,
    "duplicate_dossiers": 0.025,
}

# Within a structure, cases that need scarce people or add dossiers go first: later cases then
# check their preconditions against the final set of names.
_CASE_ORDER = (
    "homonym",
    "homonym_with_id",
    "duplicate_dossiers",
    "different_first_name",
    "near_miss_no_dossier",
    "near_miss_no_prescription",
    "typo_confusable",
    "id_typo_other_person",
    "id_garbage",
    "id_typo_nonexistent",
    "usage_name",
    "hyphen_space",
    "compound_partial",
    "swapped",
    "typo_one_letter",
    "typo_no_id",
    "id_email",
    "closed_prescription",
    "no_prescription",
    "not_shared",
    "id_spaces_padding",
    "exact",
    "no_dossier",
)
# Name noise that only an id can confirm (the others fold away, see the label rules).
_FUZZY = ("swapped", "compound_partial")
# Whether the counsellor is certain depends on who else the final world holds.
_BY_WORLD = ("typo_one_letter", "typo_no_id", "typo_confusable")
# A person with no dossier, so any write is wrong, even where the counsellor would be fooled
# by a one-letter neighbour (a dossier the typed names designate, give or take one slip).
_NO_DOSSIER = ("no_dossier", "near_miss_no_dossier", "different_first_name")
_NUMBER_CASES = (
    "exact",
    "id_spaces_padding",
    "id_typo_other_person",
    "id_typo_nonexistent",
    "homonym_with_id",
    "not_shared",
)
_TYPO_ON_LAST_NAME = 0.8  # names-alone typos: mostly in the last name
_NO_TIMEZONE = 0.25  # structures served without a time zone, as by the real gateway
_MIN_SLIP = 4  # a slip is believed in names of at least four letters
PIX_CLIENT_ID = "bench-client"
_GARBAGE_WITH_NAME_NOISE = 0.10

DEFAULT_SEED = 2026
DOSSIER_LABEL = "Numéro de dossier i-milo"
EMAIL_LABEL = "Adresse e-mail"
PIX_OFFER = "Evaluation PIX"
CV_OFFER = "Atelier CV"
FIRST_PARTICIPATION_ID = 1_000_001
FIRST_PRESCRIPTION_ID = 700_001
FIRST_OFFER_ID = 30_001
FIRST_ORGANIZATION_ID = 2_001
FIRST_CAMPAIGN_ID = 50_001
FIRST_SHARED_DAY = date(2026, 1, 5)
LAST_SHARED_DAY = date(2026, 11, 30)

# --- Names ---------------------------------------------------------------------------------
# Popularity tiers (weight: comma-separated names), roughly the young people born 2000-2010.

_FEMALE_FIRST = {
    30: "Léa, Manon, Emma, Chloé, Camille, Inès, Sarah, Océane, Clara, Jade",
    16: "Lucie, Anaïs, Marie, Laura, Mathilde, Julie, Pauline, Lola, Zoé, Louise, Juliette, Eva,"
    " Lisa, Maëlys, Lina, Romane, Charlotte, Noémie, Justine, Margaux",
    8: "Marine, Alice, Léna, Élise, Clémence, Louna, Ambre, Jeanne, Émilie, Mélissa, Morgane,"
    " Yasmine, Maëlle, Mélanie, Célia, Salomé, Léonie, Nina, Anna, Kenza, Amandine, Élodie,"
    " Audrey, Alicia, Marion, Axelle, Coralie, Laurine, Margot, Agathe",
    6: "Marie-Anne, Anne-Sophie, Marie-Claire, Anne-Laure, Marie-Lou, Lou-Anne, Marie-Ange,"
    " Marie-Laure, Marie-Josée, Anne-Lise, Marie-Ève, Marie-Charlotte, Anne-Claire,"
    " Marie-Amélie, Marie-Noëlle",
    4: "Ophélie, Cindy, Jessica, Capucine, Héloïse, Éloïse, Victoria, Elsa, Rose, Maya, Lou,"
    " Lilou, Louane, Alyssa, Imane, Sofia, Assia, Myriam, Sabrina, Samia, Hawa, Aminata, Mariam,"
    " Kadiatou, Awa, Khadija, Salma, Rania, Naïma, Amel, Fatoumata, Aïcha, Hélène, Gaëlle,"
    " Solène, Chaïma, Anaëlle, Maïwenn, Nolwenn, Enora, Tiphaine, Cassandra, Floriane, Estelle,"
    " Aurélie, Léana, Emmy, Ava, Lara, Lila, Lucile, Marina, Alix, Nora, Théa, Gabrielle,"
    " Raphaëlle",
    1: "Josette, Colette, Lætitia, Agnès, Clarisse, Camélia, Nathalie, Simone, Danielle,"
    " Michelle, Pascale, Enza, Dylane",
}
_MALE_FIRST = {
    30: "Lucas, Thomas, Hugo, Théo, Nathan, Enzo, Louis, Mathis, Maxime, Clément",
    16: "Alexandre, Antoine, Quentin, Kévin, Julien, Romain, Nicolas, Baptiste, Dylan, Tom, Léo,"
    " Raphaël, Gabriel, Arthur, Jules, Adam, Noah, Ethan, Paul, Valentin",
    8: "Florian, Alexis, Bastien, Corentin, Axel, Mathéo, Yanis, Rayan, Mohamed, Mehdi, Bilal,"
    " Adrien, Benjamin, Jérémy, Anthony, Jordan, Loïc, Kylian, Evan, Victor, Simon, Robin,"
    " Samuel, Nolan, Noé, Sacha, Ilyes, Adem, Ibrahim, Sofiane",
    6: "Jean-Pierre, Jean-Baptiste, Pierre-Louis, Jean-Marc, Jean-Philippe, Jean-Luc,"
    " Paul-Henri, Louis-Marie, Jean-Christophe, Jean-Charles, Pierre-Antoine, Charles-Henri,"
    " Jean-Hugues, Jean-Yves, Jean-Michel, Jean-Louis",
    4: "Timothée, Martin, Malo, Gaël, Maël, Erwan, Esteban, Lenny, Ryan, Aaron, Élias, Ilan,"
    " Naël, Sami, Ayoub, Hamza, Youssef, Walid, Ismaël, Souleymane, Moussa, Mamadou, Amadou,"
    " Ousmane, Karim, Samir, Yassine, Anis, Diego, Luca, Mathias, Jonathan, Vincent, Guillaume,"
    " Pierre, Jean, Teddy, Jessy, Cédric, Damien, Dorian, Tristan, Gaëtan, Killian, Steven,"
    " Mickaël, Dimitri, Kenzo",
    1: "Daniel, Michel, Pascal, Adama",
}
_LAST = {
    30: "Martin",
    18: "Bernard, Thomas, Petit, Robert, Richard, Durand, Dubois, Moreau, Laurent",
    11: "Simon, Michel, Lefebvre, Leroy, Roux, David, Bertrand, Morel, Fournier, Girard, Bonnet,"
    " Dupont, Lambert, Fontaine, Rousseau, Vincent, Muller, Lefèvre, Faure, André, Mercier,"
    " Blanc, Guérin, Boyer, Garnier, Chevalier, François, Legrand, Gauthier, Garcia, Perrin,"
    " Robin, Clément, Morin, Nicolas, Henry, Roussel, Mathieu, Gautier, Masson",
    7: "Marchand, Duval, Denis, Dumont, Marie, Lemaire, Noël, Meyer, Dufour, Meunier, Brun,"
    " Blanchard, Giraud, Joly, Rivière, Lucas, Brunet, Gaillard, Barbier, Arnaud, Martinez,"
    " Gérard, Roche, Renard, Schmitt, Roy, Leroux, Colin, Vidal, Caron, Picard, Roger, Fabre,"
    " Aubert, Lemoine, Renaud, Dumas, Lacroix, Olivier, Philippe, Bourgeois, Pierre, Benoît,"
    " Rey, Leclerc, Payet, Rolland, Leclercq, Guillaume, Lecomte, Lopez, Jean, Dupuy, Guillot,"
    " Hubert, Berger, Carpentier, Sanchez, Dupuis, Moulin, Louis, Deschamps, Huet, Vasseur,"
    " Perez, Boucher, Fleury, Royer, Klein, Jacquet, Adam, Paris, Poirier, Marty, Aubry, Guyot,"
    " Carré, Charles, Renault, Charpentier, Ménard, Maillard, Baron, Bertin, Bailly, Hervé,"
    " Schneider, Fernandez, Diallo, Nguyen",
    4: "Collet, Léger, Bouvier, Julien, Prévost, Millet, Perrot, Daniel, Cousin, Germain,"
    " Breton, Besson, Langlois, Rémy, Pelletier, Lévêque, Perrier, Leblanc, Barré, Lebrun,"
    " Marchal, Weber, Mallet, Hamon, Boulanger, Jacob, Monnier, Michaud, Rodriguez, Guichard,"
    " Gillet, Étienne, Poulain, Tessier, Chevallier, Collin, Chauvin, Bouchet, Gay, Lemaître,"
    " Bénard, Maréchal, Humbert, Reynaud, Antoine, Perret, Barthélemy, Cordier, Pichon,"
    " Lejeune, Gilbert, Lamy, Delaunay, Pasquier, Carlier, Laporte, Traoré, Diop, Camara,"
    " Coulibaly, Cissé, Konaté, Sow, Fofana, Keita, Touré, Sylla, Mendy, Haddad, Belkacem,"
    " Mansouri, Amrani, Bouzid, Tran, Pham, Ferreira, Rodrigues, Pereira, Gonçalves, Yilmaz,"
    " Kaya, Demir, Da Silva, Dos Santos, Le Gall, Le Goff, N'Diaye",
    2: "De La Fontaine, Le Bihan, Le Guen, Le Corre, Le Meur, D'Almeida, D'Souza, L'Hôte,"
    " De Sousa, Da Costa, De Oliveira, Van Den Berg, El Idrissi, Ben Ali, Ben Amor, Ben Saïd,"
    " N'Guessan, N'Dour, Cœur, Crèvecœur, Bœuf, Lœuillet, Œuvrard, Boyer-Durand,"
    " Martin-Dubois, Bonnet-Prévost, Lefèvre-Martin, Perrin-Roux, Da Silva-Moreau,"
    " Saint-Martin",
}
_REGIONAL_LAST = {
    "Indian/Reunion": {
        20: "Payet",
        14: "Hoarau, Grondin",
        10: "Técher, Fontaine, Boyer",
        8: "Rivière, Maillot, Lebon, Robert",
        6: "Nativel, Dijoux, Sautron, Clain, Mussard, Lauret, Turpin, Baret",
        4: "Hoareau, Gonthier, Ethève, Damour, Cadet, Bègue, Lebreton",
        2: "Ah-Hot, Ah-Kiem, Ah-Sing",
    },
    "America/Guadeloupe": {
        10: "Jean-Baptiste, Bélair",
        6: "Lubin, Nicolas, Alexis, Jean-Louis, Théodore",
        4: "Ramassamy, Sainte-Rose, Gustave, Désiré, Hippolyte, Nestor, Zénon, Anzala",
    },
    "America/Cayenne": {
        8: "Jean-Louis, Alexis",
        5: "Horth, Tiouka, Lama, Contout, Stéphenson, Sylvestre",
        3: "Kouyouri, Chong-Wa, Pinas, Da Silva, Ribeiro, Santos",
    },
    "Indian/Mayotte": {
        12: "Ahamada, Saïd, Abdallah, Madi",
        8: "Attoumani, Ali, Soilihi, Ahmed, Houmadi",
        4: "Combo, Youssouf, Ousseni, Chanfi, Boina, Bacar, Moussa, Mohamed",
    },
}
_REGIONAL_SHARE = 0.65

# First names that look alike but are different people (both directions are used).
LOOKALIKES = (
    ("Louis", "Louise"),
    ("Josette", "Colette"),
    ("Léa", "Léo"),
    ("Jules", "Julie"),
    ("Mathis", "Mathias"),
    ("Gabriel", "Gabrielle"),
    ("Raphaël", "Raphaëlle"),
    ("Maël", "Maëlle"),
    ("Noé", "Zoé"),
    ("Théo", "Théa"),
    ("Emma", "Emmy"),
    ("Lina", "Léna"),
    ("Manon", "Marion"),
    ("Adam", "Adama"),
    ("Inès", "Agnès"),
    ("Lucas", "Luca"),
    ("Eva", "Ava"),
    ("Clara", "Clarisse"),
    ("Enzo", "Enza"),
    ("Nathan", "Nathalie"),
    ("Laura", "Lara"),
    ("Simon", "Simone"),
    ("Daniel", "Danielle"),
    ("Michel", "Michelle"),
    ("Pascal", "Pascale"),
    ("Dylan", "Dylane"),
    ("Lola", "Lila"),
    ("Lucie", "Lucile"),
    ("Alice", "Alix"),
    ("Camille", "Camélia"),
    ("Marine", "Marina"),
)

# Real surnames one letter apart (wrong, missing, extra or swapped): two families, not a typo.
# The first of each pair is in the pools; about a third of the second ones are too.
SURNAME_VARIANTS = (
    ("Gérard", "Girard"),
    ("Giraud", "Girard"),
    ("Gautier", "Gauthier"),
    ("Lefèvre", "Lefebvre"),
    ("Chevalier", "Chevallier"),
    ("Leclerc", "Leclercq"),
    ("Colin", "Collin"),
    ("Hoarau", "Hoareau"),
    ("Renaud", "Reynaud"),
    ("Boucher", "Bouchet"),
    ("Carpentier", "Charpentier"),
    ("Lemaire", "Lemaître"),
    ("Durand", "Durant"),
    ("Richard", "Ricard"),
    ("Roussel", "Rousset"),
    ("Bonnet", "Bonnel"),
    ("Morin", "Marin"),
    ("Marchand", "Marchant"),
    ("Dumont", "Dumond"),
    ("Denis", "Denys"),
    ("Meunier", "Meynier"),
    ("Joly", "Jolly"),
    ("Leroy", "Leroi"),
    ("Caron", "Carron"),
    ("Fabre", "Favre"),
    ("Olivier", "Ollivier"),
    ("Lopez", "Lopes"),
    ("Guillot", "Guillon"),
    ("Guyot", "Guyon"),
    ("Royer", "Royet"),
    ("Perrin", "Perin"),
    ("Perret", "Perrot"),
    ("Hubert", "Humbert"),
    ("Bernard", "Besnard"),
    ("Moreau", "Moreaux"),
    ("Martin", "Martins"),
    ("Petit", "Petiot"),
    ("Masson", "Massot"),
    ("Roche", "Rocher"),
    ("Mallet", "Maillet"),
    ("Millet", "Millot"),
    ("Rolland", "Roland"),
    ("Julien", "Jullien"),
    ("Michaud", "Michaux"),
    ("Perrier", "Perier"),
    ("Poulain", "Poulin"),
    ("Gilbert", "Gibert"),
)
# First names one letter apart that are spelt so on purpose: two people, not a typo.
FIRST_NAME_VARIANTS = (
    ("Yanis", "Yannis"),
    ("Killian", "Kilian"),
    ("Kylian", "Kyllian"),
    ("Mathis", "Matis"),
    ("Lenny", "Leny"),
    ("Ilyes", "Ilyas"),
    ("Chloé", "Cloé"),
    ("Mickaël", "Mikaël"),
    ("Océane", "Océanne"),
    ("Sarah", "Sara"),
    ("Nathan", "Natan"),
    ("Maëlys", "Maëlis"),
    ("Evan", "Evann"),
    ("Mehdi", "Medhi"),
)

_CITIES = (
    "Lyon, Marseille, Toulouse, Nice, Nantes, Strasbourg, Montpellier, Bordeaux, Lille, Rennes,"
    " Reims, Toulon, Saint-Étienne, Le Havre, Grenoble, Dijon, Angers, Nîmes, Villeurbanne,"
    " Clermont-Ferrand, Le Mans, Aix-en-Provence, Brest, Tours, Amiens, Limoges, Annecy,"
    " Perpignan, Boulogne-Billancourt, Metz, Besançon, Orléans, Rouen, Mulhouse, Caen, Nancy,"
    " Argenteuil, Montreuil, Roubaix, Tourcoing, Nanterre, Avignon, Créteil, Poitiers,"
    " Versailles, Pau, Aubervilliers, Colombes, Calais, Cannes, Béziers, Saint-Nazaire,"
    " Bourges, Quimper, Valence, Troyes, Lorient, Niort, Chambéry, Évry, Cergy, Beauvais,"
    " Vannes, Laval, Belfort, Épinal, Arras, Dunkerque, Cholet, Bayonne, Albi, Tarbes,"
    " Châteauroux, Blois, Angoulême, Périgueux, Auxerre, Nevers, Mâcon, Gap, Carcassonne,"
    " Montauban, Agen, Saint-Brieuc, Lens, Douai, Maubeuge, Charleville-Mézières, Sedan,"
    " Vierzon, Montluçon, Vichy, Roanne, Alès, Sète, Draguignan, Fréjus"
)
_OVERSEAS = {
    "Indian/Reunion": ("974", "Saint-Denis, Saint-Pierre, Le Port, Saint-Paul, Saint-Benoît"),
    "America/Guadeloupe": ("971", "Pointe-à-Pitre, Les Abymes, Basse-Terre, Le Moule"),
    "America/Cayenne": ("973", "Cayenne, Kourou, Saint-Laurent-du-Maroni"),
    "Indian/Mayotte": ("976", "Mamoudzou, Koungou, Dembéni"),
}
_TIMEZONES = (
    ("Europe/Paris", 88),
    ("Indian/Reunion", 5),
    ("America/Guadeloupe", 2.5),
    ("America/Cayenne", 2),
    ("Indian/Mayotte", 2.5),
)

_GARBAGE = (
    "je sais pas",
    "123",
    "?",
    "aucun",
    "jsp",
    "0",
    "N/A",
    "pas de numéro",
    "mission locale",
    "inconnu",
    "xxx",
    "-",
    "je ne sais pas",
    "Numéro de dossier",
    "pas reçu",
)

# --- Normalisation (the same folding as connector.domain.names, restated: stdlib only) -----

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_SEPARATORS = re.compile(r"[\s\-‐‑–—'’`´.,_]+")


@functools.lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Case, accents, ligatures, hyphens, apostrophes and spacing folded away."""
    text = text.translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", stripped).strip().casefold()


@functools.lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """The normalised name without spaces: what strict agreement compares."""
    return normalise(text).replace(" ", "")


@functools.lru_cache(maxsize=65536)
def _core(name: str) -> str:
    """A last name without its particles: « De La Fontaine » → « fontaine »."""
    words = normalise(name).split()
    return "".join(w for w in words if w not in _PARTICLES) or "".join(words)


_PARTICLES = frozenset({"de", "du", "des", "d", "la", "le", "les", "l"})


@functools.lru_cache(maxsize=65536)
def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


@functools.lru_cache(maxsize=65536)
def _slug(text: str) -> str:
    """A name as it appears in a mail address: ascii, lower case, hyphens kept."""
    ascii_ = _strip_accents(text.translate(_LIGATURES)).lower()
    return re.sub(r"[^a-z0-9-]", "", ascii_)


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by exactly one substitution, insertion, deletion or transposition."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if la == lb:
        diffs = []
        for i in range(la):
            if a[i] != b[i]:
                diffs.append(i)
                if len(diffs) > 2:
                    return False
        if len(diffs) == 1:
            return True
        i, j = diffs
        return j == i + 1 and a[i] == b[j] and a[j] == b[i]
    if abs(la - lb) != 1:
        return False
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


_AZERTY = ("azertyuiop", "qsdfghjklm", "wxcvbn")


def _keyboard_neighbours() -> dict[str, str]:
    near: dict[str, str] = {}
    for r, row in enumerate(_AZERTY):
        for i, c in enumerate(row):
            around = [row[i - 1]] if i > 0 else []
            if i + 1 < len(row):
                around.append(row[i + 1])
            for rr in (r - 1, r + 1):
                if 0 <= rr < len(_AZERTY) and i < len(_AZERTY[rr]):
                    around.append(_AZERTY[rr][i])
            near[c] = "".join(around)
    return near


_NEAR = _keyboard_neighbours()

# --- Weighted pools --------------------------------------------------------------------------


class _Pool:
    """Names drawn with tier weights."""

    def __init__(self, tiers: dict[int, str] | dict[float, str]) -> None:
        self.names: list[str] = []
        self.cumulative: list[float] = []
        total = 0.0
        for weight, text in tiers.items():
            for raw in text.split(","):
                name = raw.strip()
                if name:
                    total += weight
                    self.names.append(name)
                    self.cumulative.append(total)
        self.total = total

    def draw(self, rng: random.Random) -> str:
        return self.names[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


_FEMALE = _Pool(_FEMALE_FIRST)
_MALE = _Pool(_MALE_FIRST)
_NATIONAL_LAST = _Pool(_LAST)
_REGIONAL = {tz: _Pool(tiers) for tz, tiers in _REGIONAL_LAST.items()}
LAST_NAMES = tuple(
    dict.fromkeys([*_NATIONAL_LAST.names, *(n for p in _REGIONAL.values() for n in p.names)])
)
FIRST_NAMES = tuple(dict.fromkeys([*_FEMALE.names, *_MALE.names]))
_SEXE_OF = {**dict.fromkeys(_MALE.names, "H"), **dict.fromkeys(_FEMALE.names, "F")}
# The first names a counsellor knows as first names in their own right.
_KNOWN_FIRST = frozenset(
    name_key(n)
    for n in (*FIRST_NAMES, *(n for pair in (*LOOKALIKES, *FIRST_NAME_VARIANTS) for n in pair))
)
# Pairs of one-letter-apart names, both ways, by the folded name: real neighbours.
_SURNAME_VARIANTS_OF: dict[str, list[str]] = {}
for _a, _b in SURNAME_VARIANTS:
    _SURNAME_VARIANTS_OF.setdefault(name_key(_a), []).append(_b)
    _SURNAME_VARIANTS_OF.setdefault(name_key(_b), []).append(_a)
_FIRST_VARIANTS_OF: dict[str, list[str]] = {}
for _a, _b in (*LOOKALIKES, *FIRST_NAME_VARIANTS):
    _FIRST_VARIANTS_OF.setdefault(name_key(_a), []).append(_b)
    _FIRST_VARIANTS_OF.setdefault(name_key(_b), []).append(_a)

_NIVEAU = _Pool({15: "VI", 40: "V", 30: "IV", 12: "III", 3: "II"})
_ZONE = _Pool({35: "QPV", 10: "ZRR", 55: "AUTRE"})
_ACCOMPAGNEMENT = _Pool({40: "PREMIER_ACCUEIL", 35: "DEJA_ACCOMPAGNE", 25: "CEJ"})
_CLOSED = _Pool({50: "ACHIEVED", 25: "REFUSAL_YOUNG, ABANDONED"})
_HOUR = _Pool({1: "21, 22, 23", 2: "19, 20", 3: "12, 18", 4: "8", 5: "17", 6: "13", 7: "16",
               8: "9, 11, 14, 15", 9: "10"})  # fmt: skip

T = TypeVar("T")

# --- The world's objects ---------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _Dossier:
    id: int
    structure: _Structure
    prenom: str  # as I-Milo holds it: capitalised
    nom: str  # birth name in its usual written form; I-Milo holds it upper-cased
    usage: str | None
    sexe: str
    birth: date
    mail: str | None
    niveau: str
    zone: str
    accompagnement: str
    kind: str = "base"  # base | twin | homonym | lookalike | fresh
    twin: _Dossier | None = None
    plan: str = "other"  # ongoing | closed | none (true persons), victim, other
    shared_on: date | None = None

    def last_keys(self) -> list[str]:
        keys = [name_key(self.nom)]
        if self.usage:
            keys.append(name_key(self.usage))
        return keys

    def row(self) -> dict[str, Any]:
        return {
            "idDossier": self.id,
            "codeStructure": self.structure.code,
            "nomNaissance": self.nom.upper(),
            "nomUsage": self.usage.upper() if self.usage else None,
            "prenom": self.prenom,
            "dateNaissance": self.birth.isoformat(),
            "mail": self.mail,
            "sexe": self.sexe,
            "niveau": self.niveau,
            "zone": self.zone,
            "accompagnement": self.accompagnement,
        }


class _Index:
    """A structure's dossiers by the keys the careful counsellor compares."""

    def __init__(self) -> None:
        self.strict: dict[tuple[str, str], list[_Dossier]] = {}
        self.birth: dict[tuple[str, str], list[_Dossier]] = {}
        self.first: dict[str, list[_Dossier]] = {}
        self.born: dict[str, list[_Dossier]] = {}
        self.last: dict[str, int] = {}
        self.cores: set[str] = set()
        self.cored: dict[tuple[str, str], list[_Dossier]] = {}
        self.mail: dict[str, list[_Dossier]] = {}

    def add(self, d: _Dossier) -> None:
        fk = name_key(d.prenom)
        for lk in d.last_keys():
            self.strict.setdefault((fk, lk), []).append(d)
            self.last[lk] = self.last.get(lk, 0) + 1
        for name in (d.nom, d.usage):
            if name:
                self.cores.add(_core(name))
                self.cored.setdefault((fk, _core(name)), []).append(d)
        self.birth.setdefault((fk, name_key(d.nom)), []).append(d)
        self.born.setdefault(name_key(d.nom), []).append(d)
        self.first.setdefault(fk, []).append(d)
        if d.mail:
            self.mail.setdefault(d.mail.casefold(), []).append(d)

    def agree(self, fk: str, lk: str) -> list[_Dossier]:
        return self.strict.get((fk, lk), [])

    def alone(self, d: _Dossier, first: str, last: str) -> bool:
        """d is the only dossier with these names, even with the last name's particles dropped."""
        strict = self.agree(name_key(first), name_key(last))
        cored = self.cored.get((name_key(first), _core(last)), [])
        return all(o is d for o in strict) and all(o is d for o in cored)

    def near_last(self, lk: str) -> bool:
        """Some dossier's birth or usage name is lk or one edit away from it."""
        return lk in self.last or any(_one_edit(lk, other) for other in self.last)


@dataclass(eq=False)
class _Campaign:
    id: int
    organization_id: int
    name: str
    code: str
    profile: str
    label: str
    created: datetime


@dataclass(eq=False)
class _Structure:
    code: str
    name: str
    city: str
    timezone: str
    zone: ZoneInfo
    organization_id: int
    pix_offer: int
    pix_offer_type: str
    pix_offer_start: str
    cv_offer: int | None
    campaigns: list[_Campaign]
    regional: _Pool | None
    serves_timezone: bool = True
    dossiers: list[_Dossier] = field(default_factory=list)
    free: list[_Dossier] = field(default_factory=list)
    index: _Index = field(default_factory=_Index)
    typed_keys: set[tuple[str, str]] = field(default_factory=set)
    reserved_lasts: set[str] = field(default_factory=set)


@dataclass(eq=False)
class _Part:
    case: str
    structure: _Structure
    campaign: _Campaign
    first: str
    last: str
    external_id: str | None
    true: _Dossier | None
    intended: _Dossier | None
    shared: datetime | None  # None: not shared (STARTED or TO_SHARE)
    created: datetime
    mastery: float | None
    status: str = "SHARED"
    # The labels decide from the final world whether the counsellor is certain (intended is
    # then only what the case aims at): names-alone typos, certain unless someone is alike.
    by_world: bool = False
    id: int = 0
    participant_id: str = ""


# --- The careful counsellor ------------------------------------------------------------------


def _close(fk: str, lk: str, d: _Dossier) -> bool:
    """The typed names are the dossier's, give or take one usual slip."""
    df = name_key(d.prenom)
    lasts = d.last_keys()
    if lk in lasts and (fk == df or fk in normalise(d.prenom).split()):
        return True
    if lk == df and fk in lasts:
        return True
    if lk in lasts and _one_edit(fk, df):
        return True
    return fk == df and any(_one_edit(lk, x) for x in lasts)


_NUMBER_PREFIX = re.compile(r"^(?:n\s*°|no\.?|#)\s*[:.]?\s*", re.IGNORECASE)
_NUMBER_SEPARATORS = re.compile(r"[\s./\-]+")


def _designated(
    external_id: str | None, index: _Index, by_id: dict[int, _Dossier]
) -> list[_Dossier]:
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
def _alike(typed: str, held: str) -> bool:
    """Two names a counsellor could take for each other: at most two letters wrong, missing,
    extra or swapped apart, with their particles or both without, or a whole word in common
    (« Jean » and Jean-Pierre, « Garcia » and GARCIA LOPEZ)."""
    t_words, h_words = normalise(typed).split(), normalise(held).split()
    if set(t_words) & set(h_words):
        return True
    pairs = (("".join(t_words), "".join(h_words)), (_core(typed), _core(held)))
    return any(abs(len(a) - len(b)) <= 2 and _osa(a, b) <= 2 for a, b in pairs)


def _two_first_names(typed: str, held: str) -> bool:
    """Louis and Louise, Yanis and Yannis: both spellings are first names in their own right
    (the counsellor knows the pools' and the variants' first names), or a vowel at the end
    makes the other one (Théo/Théa, Simon/Simone)."""
    if typed in _KNOWN_FIRST and held in _KNOWN_FIRST:
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


def _slip(typed: str, held: str) -> bool:
    """One letter wrong, missing, extra or swapped, in names of at least four letters."""
    return min(len(typed), len(held)) >= _MIN_SLIP and _one_edit(typed, held)


class _AlikeNames:
    """Every name the world holds, to find those alike a typed one without comparing it with
    each: one table of the names' deletions of up to two letters (two names within two letters
    wrong, missing, extra or swapped share one), and one of their words."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_key: dict[str, set[str]] = {}
        self._by_word: dict[str, set[str]] = {}
        for name in names:
            for key in _deletions(name_key(name)) | _deletions(_core(name)):
                self._by_key.setdefault(key, set()).add(name)
            for word in normalise(name).split():
                self._by_word.setdefault(word, set()).add(name)

    @functools.lru_cache(maxsize=1 << 16)  # noqa: B019 - one instance per data set
    def alike(self, typed: str) -> frozenset[str]:
        """The names held (first, birth or usage names, as written) alike ``typed``."""
        found: set[str] = set()
        for key in _deletions(name_key(typed)) | _deletions(_core(typed)):
            found |= self._by_key.get(key, set())
        for word in normalise(typed).split():
            found |= self._by_word.get(word, set())
        return frozenset(name for name in found if _alike(typed, name))


class _Lookalikes:
    """A structure's dossiers by their names, for the label rule 3."""

    def __init__(self, dossiers: Sequence[_Dossier], names: _AlikeNames) -> None:
        self.by_first: dict[str, list[_Dossier]] = {}
        self.by_surname: dict[str, list[_Dossier]] = {}
        self.alike = names.alike
        for d in dossiers:
            self.by_first.setdefault(d.prenom, []).append(d)
            for surname in (d.nom, d.usage):
                if surname:
                    self.by_surname.setdefault(surname, []).append(d)

    def confusable(self, first: str, last: str) -> list[_Dossier]:
        """Dossiers whose names are each alike the typed ones, straight or swapped."""
        firsts, lasts = self.alike(first), self.alike(last)
        found: dict[int, _Dossier] = {}
        for given, family in ((firsts, lasts), (lasts, firsts)):
            for name in sorted(given):
                for d in self.by_first.get(name, ()):
                    if d.nom in family or (d.usage is not None and d.usage in family):
                        found[id(d)] = d
        return list(found.values())

    def slips(self, first: str, last: str) -> list[_Dossier]:
        """Dossiers the typed names designate give or take one slip in one of them: the first
        name the same and the last name (birth or usage) one slip away, or the other way
        round, never two first names (Louis/Louise)."""
        fk, lk = name_key(first), name_key(last)
        found: dict[int, _Dossier] = {}
        for name in sorted(self.alike(last)):
            if _slip(lk, name_key(name)):
                for d in self.by_surname.get(name, ()):
                    if name_key(d.prenom) == fk:
                        found[id(d)] = d
        for name in sorted(self.alike(first)):
            held = name_key(name)
            if _slip(fk, held) and not _two_first_names(fk, held):
                for d in self.by_first.get(name, ()):
                    if lk in d.last_keys():
                        found[id(d)] = d
        return list(found.values())


def _identify(
    first: str,
    last: str,
    external_id: str | None,
    index: _Index,
    by_id: dict[int, _Dossier],
    lookalikes: _Lookalikes,
) -> _Dossier | None:
    """The dossier a careful counsellor identifies with certainty (module docstring rules)."""
    fk, lk = name_key(first), name_key(last)
    strict = index.agree(fk, lk)
    confirmed = [d for d in _designated(external_id, index, by_id) if _close(fk, lk, d)]
    if len(confirmed) == 1:
        found = confirmed[0]
        if any(d is found for d in strict) or not strict:
            return found
        return None
    if confirmed:
        return None
    if strict:
        return strict[0] if len(strict) == 1 and index.alone(strict[0], first, last) else None
    slips = lookalikes.slips(first, last)
    if len(slips) != 1:
        return None
    [found] = slips
    alike = lookalikes.confusable(first, last)
    return found if all(d is found for d in alike) else None


# --- The generator ---------------------------------------------------------------------------


def _quotas(total: int, shares: Sequence[float]) -> list[int]:
    """Largest-remainder rounding of total * shares (ties to the earliest)."""
    weight = sum(shares)
    exact = [total * s / weight for s in shares]
    counts = [int(x) for x in exact]
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Builder:
    def __init__(self, participations: int, structures: int, seed: int) -> None:
        if participations < 0 or structures < 1:
            raise ValueError("need participations >= 0 and structures >= 1")
        self.n = participations
        self.s = structures
        self.rng = random.Random(seed)
        self.used_ids: set[int] = set()
        self.mails: set[str] = set()
        self.mail_suffix: dict[str, int] = {}
        self.codes: set[str] = set()
        self.structures: list[_Structure] = []
        self.parts: list[_Part] = []
        self.prescriptions: list[dict[str, Any]] = []
        self.next_prescription = FIRST_PRESCRIPTION_ID

    # -- small draws --

    def _chance(self, p: float) -> bool:
        return self.rng.random() < p

    def _pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def _new_id(self) -> int:
        while True:
            candidate = self.rng.randrange(1_000_000, 10_000_000)
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def _day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def _mail(self, prenom: str, nom: str, birth: date) -> str | None:
        r = self.rng.random()
        if r < 0.15:
            return None
        p, n = _slug(prenom), _slug(nom)
        if r < 0.85:
            local, domain = f"{p}.{n}", "example.org"
        else:
            local = self._pick((f"{p}{birth.year % 100:02d}", f"{p[0]}{n}", f"{n}.{p}", f"{p}_{n}"))
            domain = self._pick(("example.net", "example.com"))
        mail = f"{local}@{domain}"
        while mail in self.mails:
            k = self.mail_suffix.get(f"{local}@{domain}", 1) + 1
            self.mail_suffix[f"{local}@{domain}"] = k
            mail = f"{local}{k}@{domain}"
        self.mails.add(mail)
        return mail

    # -- structures, campaigns, offers --

    def _structures(self) -> None:
        cities = [c.strip() for c in _CITIES.split(",")]
        names: set[str] = set()
        offer = FIRST_OFFER_ID
        campaign_id = FIRST_CAMPAIGN_ID
        zones = [tz for tz, _ in _TIMEZONES]
        weights = [w for _, w in _TIMEZONES]
        for i in range(self.s):
            tz = "Indian/Reunion" if i == 1 else self.rng.choices(zones, weights)[0]
            if tz == "Europe/Paris":
                city = self._pick(cities)
                dept = self.rng.choice([d for d in range(1, 96) if d != 20])
                code = f"{dept:02d}{self.rng.randrange(1000):03d}S00"
            else:
                prefix, towns = _OVERSEAS[tz]
                city = self._pick([t.strip() for t in towns.split(",")])
                code = f"{prefix}{self.rng.randrange(100):02d}S00"
            while code in self.codes:
                code = code[:5] + f"S{int(code[6:]) + 1:02d}"
            self.codes.add(code)
            name = f"Mission Locale {city}"
            k = 2
            while name in names:
                name = f"Mission Locale {city} {k}"
                k += 1
            names.add(name)
            org = FIRST_ORGANIZATION_ID + i
            campaigns = []
            for j in range(self.rng.choice((1, 2, 2, 3, 3))):
                profile = "Diagnostic initial" if self._chance(0.6) else "Parcours complet"
                label = EMAIL_LABEL if self._chance(0.15) else DOSSIER_LABEL
                created = datetime(2025, 9, 1, tzinfo=UTC) + timedelta(
                    seconds=self.rng.randrange(125 * 86400)
                )
                campaigns.append(
                    _Campaign(
                        id=campaign_id,
                        organization_id=org,
                        name=f"{profile} {j + 1} — {city}",
                        code=self._campaign_code(),
                        profile=profile,
                        label=label,
                        created=created,
                    )
                )
                campaign_id += 1
            has_cv = self._chance(0.6)
            serves_timezone = not self._chance(_NO_TIMEZONE)
            self.structures.append(
                _Structure(
                    code=code,
                    name=name,
                    city=city,
                    timezone=tz,
                    zone=ZoneInfo(tz),
                    organization_id=org,
                    pix_offer=offer,
                    pix_offer_type="ANIMATION_COLLECTIVE" if self._chance(0.3) else "AUTRE",
                    pix_offer_start="2019-01-01" if self._chance(0.9) else "2018-09-01",
                    cv_offer=offer + 1 if has_cv else None,
                    campaigns=campaigns,
                    regional=_REGIONAL.get(tz),
                    serves_timezone=serves_timezone,
                )
            )
            offer += 2

    def _campaign_code(self) -> str:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        while True:
            code = "".join(self._pick(letters) for _ in range(6)) + "".join(
                self._pick("0123456789") for _ in range(3)
            )
            if code not in self.codes:
                self.codes.add(code)
                return code

    # -- people --

    def _last_name(self, st: _Structure) -> str:
        if st.regional is not None and self._chance(_REGIONAL_SHARE):
            return st.regional.draw(self.rng)
        return _NATIONAL_LAST.draw(self.rng)

    def _person(self, st: _Structure, kind: str = "base") -> _Dossier:
        sexe = "F" if self._chance(0.5) else "H"
        prenom = (_FEMALE if sexe == "F" else _MALE).draw(self.rng)
        return self._dossier(st, prenom, self._last_name(st), sexe, kind)

    def _dossier(
        self, st: _Structure, prenom: str, nom: str, sexe: str, kind: str, usage: bool = True
    ) -> _Dossier:
        usage_name = None
        if usage and sexe == "F" and self._chance(0.10):
            while usage_name is None or name_key(usage_name) == name_key(nom):
                usage_name = self._last_name(st)
        birth = self._day(date(2000, 1, 1), date(2010, 6, 30))
        d = _Dossier(
            id=self._new_id(),
            structure=st,
            prenom=prenom,
            nom=nom,
            usage=usage_name,
            sexe=sexe,
            birth=birth,
            mail=self._mail(prenom, usage_name or nom, birth),
            niveau=_NIVEAU.draw(self.rng),
            zone=_ZONE.draw(self.rng),
            accompagnement=_ACCOMPAGNEMENT.draw(self.rng),
            kind=kind,
        )
        st.dossiers.append(d)
        st.index.add(d)
        return d

    def _twin(self, d: _Dossier) -> _Dossier:
        """A second I-Milo dossier of the same person."""
        st = d.structure
        r = self.rng.random()
        mail = d.mail if r < 0.5 else (None if r < 0.75 else self._mail(d.prenom, d.nom, d.birth))
        twin = _Dossier(
            id=self._new_id(),
            structure=st,
            prenom=d.prenom,
            nom=d.nom,
            usage=d.usage,
            sexe=d.sexe,
            birth=d.birth,
            mail=mail,
            niveau=d.niveau,
            zone=d.zone,
            accompagnement=self._pick(("PREMIER_ACCUEIL", "DEJA_ACCOMPAGNE", "CEJ")),
            kind="twin",
        )
        d.twin = twin
        twin.twin = d
        st.dossiers.append(twin)
        st.index.add(twin)
        return twin

    def _populate(self, st: _Structure, participations: int) -> None:
        for _ in range(max(3, round(3 * participations / 1.03))):
            d = self._person(st)
            st.free.append(d)
            if self._chance(0.03):
                self._twin(d)

    # -- picking true persons --

    def _take(self, st: _Structure, check: Callable[[_Dossier], T | None]) -> tuple[_Dossier, T]:
        """A free person passing check (which returns a plan or None), taken out of the pool.

        A few random tries, then a scan of the whole pool from a random start.
        """
        free = st.free
        n = len(free)

        def positions() -> Iterator[int]:
            for _ in range(min(40, n)):
                yield self.rng.randrange(n)
            if n:
                start = self.rng.randrange(n)
                yield from ((start + k) % n for k in range(n))

        for i in positions():
            plan = check(free[i])
            if plan is not None:
                d = free[i]
                free[i] = free[-1]
                free.pop()
                return d, plan
        raise LookupError

    def _unique(self, d: _Dossier, last: str | None = None) -> bool:
        """Names alone single d out in its structure (rule 2 of the labels)."""
        return d.structure.index.alone(d, d.prenom, last or d.nom)

    # -- typing --

    def _retype(self, name: str) -> str:
        r = self.rng.random()
        if r < 0.50:
            typed = name
        elif r < 0.65:
            typed = name.upper()
        elif r < 0.77:
            typed = name.lower()
        elif r < 0.92:
            typed = _strip_accents(name)
        else:
            typed = _strip_accents(name).lower()
        if self._chance(0.03):
            typed += " "
        return typed

    def _separator_variant(self, name: str) -> str | None:
        options = []
        if "-" in name:
            options += [name.replace("-", " "), name.replace("-", " ").lower()]
        if "'" in name:
            options += [name.replace("'", ""), name.replace("'", " "), name.replace("'", "’")]
        if " " in name:
            words = name.split()
            options += [words[0] + "".join(w.lower() for w in words[1:]), "".join(words).upper()]
        if any(c in name for c in "œŒæÆ"):
            options.append(name.translate(_LIGATURES))
        return self._pick(options) if options else None

    def _typo(self, name: str) -> str | None:
        letters = [i for i, c in enumerate(name) if c.isalpha()]
        i = self._pick(letters)
        c = name[i]
        near = _NEAR.get(_strip_accents(c).lower(), "e")
        op = self._pick(("substitution", "insertion", "deletion", "transposition"))
        if op == "substitution":
            n = self._pick(near)
            typed = name[:i] + (n.upper() if c.isupper() else n) + name[i + 1 :]
        elif op == "insertion":
            n = c.lower() if self._chance(0.5) else self._pick(near)
            typed = name[: i + 1] + n + name[i + 1 :]
        elif op == "deletion":
            typed = name[:i] + name[i + 1 :]
        elif i + 1 < len(name) and name[i + 1].isalpha():
            # Swap the letters but keep the case pattern: « Rgoer », not « gRoer ».
            after = name[i + 1]
            first = after.upper() if c.isupper() else after.lower()
            second = c.upper() if after.isupper() else c.lower()
            typed = name[:i] + first + second + name[i + 2 :]
        else:
            return None
        return typed if _one_edit(name_key(typed), name_key(name)) else None

    def _garbage(self, st: _Structure, first: str) -> str | None:
        r = self.rng.random()
        if r < 0.15:
            return None
        if r < 0.30:
            return ""
        if r < 0.38:
            digits = [self.rng.randrange(10, 100) for _ in range(4)]
            return f"0{self._pick('67')} " + " ".join(str(x) for x in digits)
        if r < 0.44:
            day = self._day(date(2000, 1, 1), date(2010, 6, 30))
            return day.strftime("%d/%m/%Y")
        if r < 0.50:
            return f"ML {st.city}"
        if r < 0.53:
            return first
        return self._pick(_GARBAGE)

    def _padded(self, ident: int) -> str:
        s = str(ident)
        return self._pick(
            (
                f" {s}",
                f"{s} ",
                f"  {s}  ",
                f"{s[:3]} {s[3:]}",
                f"{s[0]} {s[1:4]} {s[4:]}",
                f"{s[:2]} {s[2:4]} {s[4:]}",
                f"0{s}",
                f"00{s}",
                f" 000{s} ",
                f"00 {s}",
                f"{s[:3]}.{s[3:5]}.{s[5:]}",
                f"{s[:3]}-{s[3:]}",
                f"n° {s}",
                f"#{s}",
            )
        )

    def _typed_mail(self, mail: str) -> str:
        r = self.rng.random()
        if r < 0.55:
            typed = mail
        elif r < 0.65:
            typed = mail.upper()
        elif r < 0.80:
            typed = mail[0].upper() + mail[1:]
        else:
            local, _, domain = mail.partition("@")
            typed = f"{local.title()}@{domain.capitalize()}"
        if self._chance(0.15):
            typed = self._pick((f" {typed}", f"{typed} ", f"  {typed} "))
        return typed

    def _good_id(self, d: _Dossier, campaign: _Campaign) -> str:
        if campaign.label == EMAIL_LABEL and d.mail and self._chance(0.85):
            return self._typed_mail(d.mail)
        return str(d.id)

    def _id_typos(self, ident: int) -> list[int]:
        s = str(ident)
        subs = [
            int(s[:i] + digit + s[i + 1 :])
            for i in range(len(s))
            for digit in "0123456789"
            if digit != s[i] and not (i == 0 and digit == "0")
        ]
        swaps = [
            int(s[:i] + s[i + 1] + s[i] + s[i + 2 :])
            for i in range(len(s) - 1)
            if s[i] != s[i + 1] and not (i == 0 and s[1] == "0")
        ]
        self.rng.shuffle(subs)
        self.rng.shuffle(swaps)
        return swaps + subs if self._chance(0.35) else subs + swaps

    # -- campaign and time --

    def _campaign(self, st: _Structure, case: str) -> _Campaign:
        def weight(c: _Campaign) -> float:
            email = c.label == EMAIL_LABEL
            if case == "id_email":
                return 20.0 if email else 1.0
            if case in _NUMBER_CASES:
                return 0.05 if email else 1.0
            return 1.0

        return self.rng.choices(st.campaigns, [weight(c) for c in st.campaigns])[0]

    def _moment(self, st: _Structure, campaign: _Campaign) -> tuple[datetime, datetime, date]:
        start = max(FIRST_SHARED_DAY, campaign.created.date() + timedelta(days=1))
        day = self._day(start, LAST_SHARED_DAY)
        hour = int(_HOUR.draw(self.rng))
        local = datetime(
            day.year,
            day.month,
            day.day,
            hour,
            self.rng.randrange(60),
            self.rng.randrange(60),
            tzinfo=st.zone,
        )
        shared = local.astimezone(UTC)
        created = shared - timedelta(seconds=self.rng.randrange(6 * 60, 90 * 60))
        return shared, created, day

    # -- the cases --

    def _participation(
        self,
        case: str,
        st: _Structure,
        campaign: _Campaign,
        first: str,
        last: str,
        external_id: str | None,
        true: _Dossier | None,
        intended: _Dossier | None,
        plan: str = "ongoing",
        status: str = "SHARED",
    ) -> _Part:
        shared, created, day = self._moment(st, campaign)
        if true is not None:
            true.plan = plan
            true.shared_on = day
        mastery = round(self.rng.betavariate(2.5, 2.0), 2)
        st.typed_keys.add((name_key(first), name_key(last)))
        return _Part(
            case=case,
            structure=st,
            campaign=campaign,
            first=first,
            last=last,
            external_id=external_id,
            true=true,
            intended=intended,
            shared=shared if status == "SHARED" else None,
            created=created,
            mastery=mastery if status == "SHARED" else None,
            status=status,
            by_world=case in _BY_WORLD,
        )

    def _exactly(
        self,
        case: str,
        st: _Structure,
        d: _Dossier,
        typed_id: Callable[[_Campaign], str | None],
        plan: str = "ongoing",
        status: str = "SHARED",
    ) -> _Part:
        """A participation whose names are the dossier's (birth name), retyped."""
        campaign = self._campaign(st, case)
        intended = None if case in ("homonym", "duplicate_dossiers") else d
        first, last = self._retype(d.prenom), self._retype(d.nom)
        return self._participation(
            case, st, campaign, first, last, typed_id(campaign), d, intended, plan, status
        )

    def _number(self, d: _Dossier) -> Callable[[_Campaign], str | None]:
        return lambda _: str(d.id)

    def _good(self, d: _Dossier) -> Callable[[_Campaign], str | None]:
        return lambda campaign: self._good_id(d, campaign)

    def _junk(self, d: _Dossier) -> Callable[[_Campaign], str | None]:
        return lambda _: self._garbage(d.structure, d.prenom)

    def _case(self, case: str, st: _Structure) -> _Part:
        handler = getattr(self, f"_case_{case}")
        part: _Part = handler(st)
        return part

    def _case_exact(self, st: _Structure) -> _Part:
        d, _ = self._take(st, lambda d: True)
        return self._exactly("exact", st, d, self._number(d))

    def _case_id_spaces_padding(self, st: _Structure) -> _Part:
        d, _ = self._take(st, lambda d: True)
        return self._exactly("id_spaces_padding", st, d, lambda _: self._padded(d.id))

    def _case_id_email(self, st: _Structure) -> _Part:
        d, mail = self._take(st, lambda d: d.mail if d.twin is None else None)
        return self._exactly("id_email", st, d, lambda _: self._typed_mail(mail))

    def _case_id_garbage(self, st: _Structure) -> _Part:
        d, _ = self._take(st, lambda d: True if self._unique(d) else None)
        return self._exactly("id_garbage", st, d, self._junk(d))

    def _case_id_typo_nonexistent(self, st: _Structure) -> _Part:
        d, _ = self._take(st, lambda d: True if self._unique(d) else None)
        typo = next(n for n in self._id_typos(d.id) if n not in self.used_ids)
        self.used_ids.add(typo)  # reserved: no dossier will ever get it
        return self._exactly("id_typo_nonexistent", st, d, lambda _: str(typo))

    def _case_id_typo_other_person(self, st: _Structure) -> _Part:
        d, _ = self._take(st, lambda d: True if self._unique(d) else None)
        fk, lk = name_key(d.prenom), name_key(d.nom)
        try:
            victim, _ = self._take(
                st, lambda v: True if v.twin is None and not _close(fk, lk, v) else None
            )
        except LookupError:
            st.free.append(d)
            raise
        typo = next(n for n in self._id_typos(d.id) if n not in self.used_ids)
        self.used_ids.add(typo)
        victim.id = typo  # its old id stays in used_ids, so nobody gets it later
        victim.plan = "victim"
        return self._exactly("id_typo_other_person", st, d, lambda _: str(typo))

    def _case_closed_prescription(self, st: _Structure) -> _Part:
        d, _ = self._take(st, lambda d: True if d.twin is None else None)
        return self._exactly("closed_prescription", st, d, self._good(d), plan="closed")

    def _case_no_prescription(self, st: _Structure) -> _Part:
        d, _ = self._take(st, lambda d: True if d.twin is None else None)
        return self._exactly("no_prescription", st, d, self._good(d), plan="none")

    def _homonym_case(self, case: str, st: _Structure) -> _Part:
        def natural(d: _Dossier) -> bool | None:
            if d.twin is not None:
                return None
            same = st.index.birth[(name_key(d.prenom), name_key(d.nom))]
            return True if any(o is not d for o in same) else None

        d: _Dossier | None = None
        if self._chance(0.5):
            try:
                d, _ = self._take(st, natural)
            except LookupError:
                d = None
        if d is None:
            d, _ = self._take(st, lambda d: True if d.twin is None else None)
            homonym = self._dossier(st, d.prenom, d.nom, d.sexe, "homonym", usage=False)
            homonym.plan = "homonym"
        typed_id = self._number(d) if case == "homonym_with_id" else self._junk(d)
        return self._exactly(case, st, d, typed_id)

    def _case_homonym(self, st: _Structure) -> _Part:
        return self._homonym_case("homonym", st)

    def _case_homonym_with_id(self, st: _Structure) -> _Part:
        return self._homonym_case("homonym_with_id", st)

    def _case_duplicate_dossiers(self, st: _Structure) -> _Part:
        try:
            d, _ = self._take(st, lambda d: True if d.twin is not None else None)
        except LookupError:
            d, _ = self._take(st, lambda d: True)
            self._twin(d)
        return self._exactly("duplicate_dossiers", st, d, self._junk(d))

    def _noisy(
        self, case: str, st: _Structure, check: Callable[[_Dossier, bool], tuple[str, str] | None]
    ) -> _Part:
        """A name-noise case: check returns the typed names, or None when d does not fit."""
        garbage = self._chance(_GARBAGE_WITH_NAME_NOISE)
        d, (first, last) = self._take(st, lambda d: None if d.twin else check(d, garbage))
        campaign = self._campaign(st, case)
        external_id = self._garbage(st, first) if garbage else self._good_id(d, campaign)
        intended = None if garbage and case in _FUZZY else d
        st.typed_keys.add((name_key(first), name_key(last)))
        return self._participation(case, st, campaign, first, last, external_id, d, intended)

    def _case_hyphen_space(self, st: _Structure) -> _Part:
        def check(d: _Dossier, garbage: bool) -> tuple[str, str] | None:
            if garbage and not self._unique(d):
                return None
            first, last = self._separator_variant(d.prenom), self._separator_variant(d.nom)
            if first is None and last is None:
                return None
            if first is not None and last is not None and self._chance(0.5):
                first, last = (None, last) if self._chance(0.5) else (first, None)
            return self._retype(first or d.prenom), self._retype(last or d.nom)

        return self._noisy("hyphen_space", st, check)

    def _case_usage_name(self, st: _Structure) -> _Part:
        def check(d: _Dossier, garbage: bool) -> tuple[str, str] | None:
            if not d.usage or (garbage and not self._unique(d, d.usage)):
                return None
            return self._retype(d.prenom), self._retype(d.usage)

        return self._noisy("usage_name", st, check)

    def _fuzzy_check(self, first: str, last: str, d: _Dossier) -> tuple[str, str] | None:
        """Typed fuzzy names, kept only if no dossier agrees with them strictly."""
        if d.structure.index.agree(name_key(first), name_key(last)):
            return None
        if not _close(name_key(first), name_key(last), d):
            return None
        return self._retype(first), self._retype(last)

    def _case_swapped(self, st: _Structure) -> _Part:
        return self._noisy("swapped", st, lambda d, _: self._fuzzy_check(d.nom, d.prenom, d))

    def _case_compound_partial(self, st: _Structure) -> _Part:
        def check(d: _Dossier, _: bool) -> tuple[str, str] | None:
            parts = d.prenom.split("-")
            if len(parts) < 2:
                return None
            part = parts[0] if self._chance(0.8) else parts[-1]
            return self._fuzzy_check(part, d.nom, d)

        return self._noisy("compound_partial", st, check)

    def _case_typo_one_letter(self, st: _Structure) -> _Part:
        def check(d: _Dossier, _: bool) -> tuple[str, str] | None:
            fields = [f for f in ("prenom", "nom") if len(name_key(getattr(d, f))) >= 4]
            if not fields:
                return None
            which = self._pick(fields)
            typed = self._typo(getattr(d, which))
            if typed is None:
                return None
            if which == "prenom":
                return self._fuzzy_check(typed, d.nom, d)
            return self._fuzzy_check(d.prenom, typed, d)

        return self._noisy("typo_one_letter", st, check)

    def _slipped(self, d: _Dossier, on_last: bool) -> tuple[str, str] | None:
        """d's names typed with one slip, in the last name (else the first name) when it is
        long enough to bear one; None when the slip lands on someone's exact names."""
        fields = ["nom", "prenom"] if on_last else ["prenom", "nom"]
        fields = [f for f in fields if len(name_key(getattr(d, f))) >= _MIN_SLIP]
        if not fields:
            return None
        typed = self._typo(getattr(d, fields[0]))
        if typed is None:
            return None
        if fields[0] == "prenom":
            return self._fuzzy_check(typed, d.nom, d)
        return self._fuzzy_check(d.prenom, typed, d)

    def _case_typo_no_id(self, st: _Structure) -> _Part:
        """One slip in the names, and no usable id: certain unless someone else is alike."""
        on_last = self._chance(_TYPO_ON_LAST_NAME)
        d, (first, last) = self._take(st, lambda d: self._slipped(d, on_last))
        campaign = self._campaign(st, "typo_no_id")
        external_id = self._garbage(st, first)
        return self._participation("typo_no_id", st, campaign, first, last, external_id, d, d)

    def _neighbours(self, d: _Dossier) -> list[tuple[str, str]]:
        """Names one real variant away from d's: a variant of the last name (Gérard/Girard)
        or a look-alike first name (Louis/Louise, Yanis/Yannis)."""
        return [(d.prenom, v) for v in _SURNAME_VARIANTS_OF.get(name_key(d.nom), [])] + [
            (v, d.nom)
            for v in _FIRST_VARIANTS_OF.get(name_key(d.prenom), [])
            if _one_edit(name_key(v), name_key(d.prenom))
        ]

    def _neighbour(self, st: _Structure, like: _Dossier, first: str, last: str) -> None:
        """Someone bearing these names exists in the structure (made if need be), most often
        prescribed: the one a typo could be taken for."""
        existing = st.index.agree(name_key(first), name_key(last))
        for other in existing:
            if other.plan == "other":
                other.plan = "lookalike"
        if not existing:
            sexe = like.sexe if first == like.prenom else _SEXE_OF.get(first, like.sexe)
            self._dossier(st, first, last, sexe, "lookalike", usage=False).plan = "lookalike"

    def _case_typo_confusable(self, st: _Structure) -> _Part:
        """One slip in the names, no usable id, and someone alike in the structure: Léa
        GÉRARD typed « Léa Gérrad » while a Léa GIRARD exists. A counsellor hesitates."""
        on_last = self._chance(0.7)

        def check(d: _Dossier) -> tuple[tuple[str, str], tuple[str, str]] | None:
            options = [
                (f, n)
                for f, n in self._neighbours(d)
                if (name_key(f), name_key(n)) not in st.typed_keys
            ]
            if d.twin is not None or not options:
                return None
            typed = self._slipped(d, on_last)
            if typed is None:
                return None
            partner = self._pick(options)
            if (name_key(partner[0]), name_key(partner[1])) == tuple(map(name_key, typed)):
                return None
            return typed, partner

        d, ((first, last), partner) = self._take(st, check)
        self._neighbour(st, d, *partner)
        campaign = self._campaign(st, "typo_confusable")
        external_id = self._garbage(st, first)
        return self._participation("typo_confusable", st, campaign, first, last, external_id, d, d)

    def _case_near_miss_no_prescription(self, st: _Structure) -> _Part:
        """Someone with no prescription, typing their own names, while a one-letter neighbour
        (Léa GÉRARD for Léa Girard) has one: their own dossier says it is not the neighbour."""

        def check(d: _Dossier) -> tuple[str, str] | None:
            if d.twin is not None or not self._unique(d):
                return None
            options = [
                (f, n)
                for f, n in self._neighbours(d)
                if (name_key(f), name_key(n)) not in st.typed_keys
            ]
            return self._pick(options) if options else None

        d, partner = self._take(st, check)
        self._neighbour(st, d, *partner)
        return self._exactly("near_miss_no_prescription", st, d, self._junk(d), plan="none")

    def _case_near_miss_no_dossier(self, st: _Structure) -> _Part:
        """Someone with no dossier whose names are one real variant away from a dossier's:
        Léa Girard while Léa GÉRARD exists, Yannis Petit while Yanis PETIT exists. Nothing can
        tell them from a typo but knowing both spellings: any write is wrong."""
        on_last = self._chance(0.75)
        pairs = list(SURNAME_VARIANTS if on_last else FIRST_NAME_VARIANTS)
        self.rng.shuffle(pairs)
        for a, b in pairs:
            held, own = (a, b) if self._chance(0.5) else (b, a)
            found = (st.index.born if on_last else st.index.first).get(name_key(held), [])
            other = self._pick(found) if found else None
            if on_last:
                first = other.prenom if other else self._first_name()
                last = own
            else:
                first, last = own, (other.nom if other else self._last_name(st))
            key = (name_key(first), name_key(last))
            if st.index.agree(*key) or key in st.typed_keys:
                continue
            if other is None:
                theirs = (first, held) if on_last else (held, last)
                if (name_key(theirs[0]), name_key(theirs[1])) in st.typed_keys:
                    continue
                sexe = _SEXE_OF.get(theirs[0], "F" if self._chance(0.5) else "H")
                other = self._dossier(st, *theirs, sexe, "lookalike", usage=False)
            if other.plan == "other":
                other.plan = "lookalike"
            typed_first, typed_last = self._retype(first), self._retype(last)
            campaign = self._campaign(st, "near_miss_no_dossier")
            external_id = (
                self._garbage(st, typed_first)
                if self._chance(0.8)
                else self._fresh_mail(first, last)
            )
            return self._participation(
                "near_miss_no_dossier",
                st,
                campaign,
                typed_first,
                typed_last,
                external_id,
                None,
                None,
            )
        raise LookupError

    def _first_name(self) -> str:
        return (_FEMALE if self._chance(0.5) else _MALE).draw(self.rng)

    def _fresh_mail(self, first: str, last: str) -> str:
        mail = None
        while mail is None:
            mail = self._mail(first, last, date(2005, 1, 1))
        return self._typed_mail(mail)

    def _case_not_shared(self, st: _Structure) -> _Part:
        """Started, or finished and not shared yet: nothing to write."""
        d, _ = self._take(st, lambda d: True if d.twin is None else None)
        status = "STARTED" if self._chance(0.6) else "TO_SHARE"
        return self._exactly("not_shared", st, d, self._good(d), status=status)

    def _case_different_first_name(self, st: _Structure) -> _Part:
        pairs = [*LOOKALIKES, *((b, a) for a, b in LOOKALIKES)]
        self.rng.shuffle(pairs)
        base: _Dossier | None = None
        typed_first = ""
        for a, b in pairs:
            for d in st.index.first.get(name_key(a), []):
                if not st.index.agree(name_key(b), name_key(d.nom)):
                    base, typed_first = d, b
                    break
            if base is not None:
                break
        if base is None:
            for _ in range(100):
                a, b = self._pick(pairs)
                nom = self._last_name(st)
                if (
                    not st.index.agree(name_key(b), name_key(nom))
                    and (name_key(a), name_key(nom)) not in st.typed_keys
                ):
                    sexe = _SEXE_OF.get(a, "F")
                    base = self._dossier(st, a, nom, sexe, "lookalike", usage=False)
                    typed_first = b
                    break
            else:
                raise LookupError
        base.plan = "lookalike" if base.plan == "other" else base.plan
        first, last = self._retype(typed_first), self._retype(base.nom)
        st.typed_keys.add((name_key(first), name_key(last)))
        campaign = self._campaign(st, "different_first_name")
        external_id = self._garbage(st, first)
        return self._participation(
            "different_first_name", st, campaign, first, last, external_id, None, None
        )

    def _case_no_dossier(self, st: _Structure) -> _Part:
        for _ in range(400):
            sexe = "F" if self._chance(0.5) else "H"
            prenom = (_FEMALE if sexe == "F" else _MALE).draw(self.rng)
            nom = self._pick(LAST_NAMES)
            lk = name_key(nom)
            if (
                st.index.near_last(lk)
                or _core(nom) in st.index.cores
                or name_key(prenom) in st.index.last
            ):
                continue
            st.reserved_lasts.add(lk)
            first, last = self._retype(prenom), self._retype(nom)
            campaign = self._campaign(st, "no_dossier")
            if self._chance(0.2):
                mail = None
                while mail is None:
                    mail = self._mail(prenom, nom, date(2005, 1, 1))
                external_id: str | None = self._typed_mail(mail)
            else:
                external_id = self._garbage(st, first)
            return self._participation(
                "no_dossier", st, campaign, first, last, external_id, None, None
            )
        raise LookupError

    def _fresh_exact(self, st: _Structure) -> _Part:
        """A new person for an exact case, when the pool ran dry (tiny structures)."""
        while True:
            sexe = "F" if self._chance(0.5) else "H"
            prenom = (_FEMALE if sexe == "F" else _MALE).draw(self.rng)
            nom = self._last_name(st)
            key = (name_key(prenom), name_key(nom))
            if (
                not st.index.agree(*key)
                and key not in st.typed_keys
                and not any(_one_edit(key[1], r) or key[1] == r for r in st.reserved_lasts)
            ):
                d = self._dossier(st, prenom, nom, sexe, "fresh", usage=False)
                return self._exactly("exact", st, d, self._number(d))

    # -- prescriptions --

    def _prescription(
        self, d: _Dossier, offer: int, statut: str, on: date, realised: date | None = None
    ) -> None:
        self.prescriptions.append(
            {
                "id": self.next_prescription,
                "idDossier": d.id,
                "idOffre": offer,
                "statut": statut,
                "dateRealisation": realised.isoformat() if realised else None,
                "datePrescription": on.isoformat(),
            }
        )
        self.next_prescription += 1

    def _closed(self, d: _Dossier, offer: int, on: date, before: date) -> None:
        statut = _CLOSED.draw(self.rng)
        realised = None
        if statut == "ACHIEVED":
            realised = on + timedelta(days=self.rng.randrange(1, max(2, (before - on).days)))
        self._prescription(d, offer, statut, on, realised)

    def _prescriptions(self, st: _Structure) -> None:
        pix = st.pix_offer
        for d in st.dossiers:
            day = d.shared_on
            if day is not None:
                if d.plan == "ongoing":
                    r = self.rng.random()
                    if r < 0.05:
                        older = day - timedelta(days=self.rng.randrange(160, 320))
                        self._closed(d, pix, older, older + timedelta(days=120))
                        on = day - timedelta(days=self.rng.randrange(3, 150))
                        self._prescription(d, pix, "ONGOING", on)
                    elif r < 0.09:
                        first = day - timedelta(days=self.rng.randrange(60, 200))
                        self._prescription(d, pix, "ONGOING", first)
                        later = first + timedelta(days=self.rng.randrange(1, 58))
                        self._prescription(d, pix, "ONGOING", later)
                    else:
                        on = day - timedelta(days=self.rng.randrange(3, 150))
                        self._prescription(d, pix, "ONGOING", on)
                elif d.plan == "closed":
                    for _ in range(2 if self._chance(0.1) else 1):
                        on = day - timedelta(days=self.rng.randrange(20, 200))
                        self._closed(d, pix, on, day)
            else:
                ongoing = {"homonym": 0.5, "twin": 0.3, "victim": 0.6, "lookalike": 0.6}
                p = ongoing.get(d.plan, ongoing.get(d.kind, 0.45))
                on = self._day(date(2025, 3, 1), date(2026, 10, 31))
                if self._chance(p):
                    self._prescription(d, pix, "ONGOING", on)
                elif self._chance(0.2):
                    self._closed(d, pix, on, date(2026, 12, 31))
            if st.cv_offer is not None and self._chance(0.2):
                on = self._day(date(2025, 3, 1), date(2026, 10, 31))
                if self._chance(0.5):
                    self._prescription(d, st.cv_offer, "ONGOING", on)
                else:
                    self._prescription(d, st.cv_offer, "ACHIEVED", on, on + timedelta(days=14))

    # -- the whole --

    def run(self) -> dict[str, list[Any]]:
        self._structures()
        weights = [self.rng.lognormvariate(0, 0.7) for _ in range(self.s)]
        per_structure = _quotas(self.n, weights)
        names = list(CASE_SHARES)
        cases = [
            name
            for name, count in zip(names, _quotas(self.n, list(CASE_SHARES.values())), strict=True)
            for _ in range(count)
        ]
        self.rng.shuffle(cases)
        order = {case: i for i, case in enumerate(_CASE_ORDER)}
        position = 0
        for st, count in zip(self.structures, per_structure, strict=True):
            mine = sorted(cases[position : position + count], key=order.__getitem__)
            position += count
            self._populate(st, count)
            for case in mine:
                try:
                    part = self._case(case, st)
                except LookupError:
                    try:
                        part = self._case_exact(st)
                    except LookupError:
                        part = self._fresh_exact(st)
                self.parts.append(part)
            self._prescriptions(st)
        return self._rows()

    def _records(self) -> list[dict[str, Any]]:
        """The participations as the Pix partner API serves them, extra fields included."""
        learners = self.rng.sample(range(100_000, 1_000_000), len(self.parts))
        records = []
        for part, learner in zip(self.parts, learners, strict=True):
            shared = part.shared is not None
            mastery = part.mastery if shared else None
            stages = None
            if shared and self._chance(0.7):
                count = self._pick((3, 4, 5, 6))
                stages = {
                    "reachedStage": 1 + round((mastery or 0) * (count - 1)),
                    "numberOfStages": count,
                }
            badges = []
            if shared and self._chance(0.3):
                badge_id, key, title = self._pick(_BADGES)
                badges.append(
                    {
                        "id": badge_id,
                        "key": key,
                        "title": title,
                        "altMessage": f"Badge {title}",
                        "isAcquired": (mastery or 0) >= 0.5,
                        "acquisitionPercentage": round(100 * (mastery or 0)),
                    }
                )
            tubes = []
            if shared:
                for competence, tube, title, top in self.rng.sample(_TUBES, self._pick((1, 2, 3))):
                    tubes.append(
                        {
                            "competenceId": competence,
                            "id": tube,
                            "maxLevel": top,
                            "reachedLevel": self.rng.randint(0, top),
                            "practicalTitle": title,
                        }
                    )
            records.append(
                {
                    "id": part.id,
                    "campaignId": part.campaign.id,
                    "createdAt": _utc(part.created),
                    "sharedAt": _utc(part.shared) if part.shared is not None else None,
                    "status": part.status,
                    "participantFirstName": part.first,
                    "participantLastName": part.last,
                    "participantExternalId": part.external_id,
                    "participantId": part.participant_id,
                    "authenticationId": (
                        self.rng.randrange(10**8, 10**9) if self._chance(0.05) else None
                    ),
                    "organizationLearnerId": learner,
                    "masteryRate": mastery,
                    "pixScore": round((mastery or 0) * self.rng.randint(120, 640))
                    if shared
                    else None,
                    "stages": stages,
                    "badges": badges,
                    "tubes": tubes,
                    "isImproved": False,  # a field the connector does not know: ignored
                }
            )
        return records

    def _rows(self) -> dict[str, list[Any]]:
        self.parts.sort(key=lambda p: (p.created, p.shared or p.created, p.campaign.id))
        pseudonyms = self.rng.sample(range(10_000_000, 100_000_000), len(self.parts))
        for i, (part, pseudonym) in enumerate(zip(self.parts, pseudonyms, strict=True)):
            part.id = FIRST_PARTICIPATION_ID + i
            # As Pix computes it: the SHA-1 of the user id and the partner's client id.
            part.participant_id = hashlib.sha1(  # noqa: S324 - an id, not a secret
                f"{pseudonym}_{PIX_CLIENT_ID}".encode()
            ).hexdigest()

        ongoing: dict[int, tuple[str, int]] = {}
        pix_offers = {st.pix_offer for st in self.structures}
        for p in self.prescriptions:
            if p["statut"] == "ONGOING" and p["idOffre"] in pix_offers:
                rank = (p["datePrescription"], p["id"])
                if p["idDossier"] not in ongoing or rank < ongoing[p["idDossier"]]:
                    ongoing[p["idDossier"]] = rank

        finals = {}
        for st in self.structures:
            # The index holds every dossier (all go through _dossier or _twin); ids are read now,
            # after the typo victims were renumbered.
            finals[st.code] = (st.index, {d.id: d for d in st.dossiers})
        names = _AlikeNames(
            sorted(
                {n for st in self.structures for d in st.dossiers for n in (d.prenom, d.nom)}
                | {d.usage for st in self.structures for d in st.dossiers if d.usage}
            )
        )
        lookalikes: dict[str, _Lookalikes] = {}

        labels = []
        for part in self.parts:
            st = part.structure
            index, by_id = finals[st.code]
            if st.code not in lookalikes:
                lookalikes[st.code] = _Lookalikes(st.dossiers, names)
            found = _identify(
                part.first, part.last, part.external_id, index, by_id, lookalikes[st.code]
            )
            if part.true is None and part.case in _NO_DOSSIER:
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
                }
            )
        records = self._records()

        structures = self.structures
        return {
            "pix/organizations.json": [
                {"id": st.organization_id, "name": st.name, "externalId": st.code}
                for st in structures
            ],
            "pix/campaigns.json": [
                {
                    "id": c.id,
                    "organizationId": c.organization_id,
                    "name": c.name,
                    "code": c.code,
                    "type": "ASSESSMENT",
                    "targetProfileName": c.profile,
                    "createdAt": _utc(c.created),
                    "archivedAt": None,
                }
                for st in structures
                for c in st.campaigns
            ],
            "pix/participations.json": records,
            "pix/clients.json": [
                {
                    "clientId": PIX_CLIENT_ID,
                    "clientSecret": "bench-secret",
                    "scopes": ["meta", "campaigns"],
                    "organizationIds": [st.organization_id for st in structures],
                }
            ],
            "imilo/structures.json": [
                {"code": st.code, "nomOfficiel": st.name}
                | ({"timezone": st.timezone} if st.serves_timezone else {})
                for st in structures
            ],
            "imilo/dossiers.json": sorted(
                (d.row() for st in structures for d in st.dossiers),
                key=lambda row: row["idDossier"],
            ),
            "imilo/offres.json": [offer for st in structures for offer in _offers(st)],
            "imilo/prescriptions.json": self.prescriptions,
            "imilo/api_keys.json": ["bench-key"],
            "labels.json": labels,
        }


_TUBES = (
    ("recsvLz0W2ShyfD63", "recBbCIEKgrQi7eb6", "Recherche d'information", 4),
    ("recsvLz0W2ShyfD63", "recPgkHUdzk0HPGt1", "Évaluer l'information", 3),
    ("recIkYm646lrGvLNT", "recs1vdbHxX8X55G9", "Messagerie", 3),
    ("recIkYm646lrGvLNT", "recAY0W6xt9fXbfTq", "Partage et publication", 4),
    ("recDH19F7kKrfL3Ii", "recR9yCEqgedB0LYQ", "Traitement de texte", 5),
    ("recOdC9UDVJbAXHAm", "recFpYXCKcyhLI3Nu", "Protection des données", 4),
)
_BADGES = (
    (311, "BASES_NUMERIQUE", "Bases du numérique"),
    (312, "PRET_EMPLOI", "Prêt pour l'emploi"),
)


def _offers(st: _Structure) -> list[dict[str, Any]]:
    offers = [
        {
            "id": st.pix_offer,
            "codeStructure": st.code,
            "nom": PIX_OFFER,
            "theme": "Projet professionnel",
            "acteService": "MER sur des prestations d'évaluation",
            "type": st.pix_offer_type,
            "mesureNationale": "Evaluation compétences numériques",
            "partenaire": {"raisonSociale": "GIP PIX", "siret": "13002343500014"},
            "dateDebut": st.pix_offer_start,
            "dateFin": None,
        }
    ]
    if st.cv_offer is not None:
        offers.append(
            {
                "id": st.cv_offer,
                "codeStructure": st.code,
                "nom": CV_OFFER,
                "theme": "Accès à l'emploi",
                "acteService": "Atelier de techniques de recherche d'emploi",
                "type": "ANIMATION_COLLECTIVE",
                "mesureNationale": None,
                "partenaire": None,
                "dateDebut": "2024-09-02",
                "dateFin": None,
            }
        )
    return offers


# --- Entry points ----------------------------------------------------------------------------


def build(participations: int, structures: int, seed: int = DEFAULT_SEED) -> dict[str, list[Any]]:
    """Every file of the dataset, by path relative to the output directory, as JSON values."""
    return _Builder(participations, structures, seed).run()


def _dump(path: Path, rows: list[Any]) -> None:
    """A JSON array, one item per line: readable, diffable, and fast to write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("[" if rows else "[]\n")
        for i, row in enumerate(rows):
            out.write(",\n" if i else "\n")
            out.write(json.dumps(row, ensure_ascii=False))
        if rows:
            out.write("\n]\n")


def generate(
    out: str | Path, participations: int, structures: int, seed: int = DEFAULT_SEED
) -> dict[str, int]:
    """Write the dataset under ``out``; return the number of participations of each case."""
    files = build(participations, structures, seed)
    for relative, rows in files.items():
        _dump(Path(out) / relative, rows)
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
