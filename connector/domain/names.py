"""French name normalisation and the (strict) agreement test used to confirm an identity."""

from __future__ import annotations

import re
import unicodedata

from connector.domain.model import Dossier

__all__ = ["names_agree", "normalise_name"]

# Œ and Æ have no Unicode decomposition: NFKD leaves them whole.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_SEPARATORS = re.compile(r"[\s\-‐‑–—'’`´.,_]+")


def normalise_name(text: str) -> str:
    """Case, accents, ligatures, hyphens, apostrophes and spacing folded away.

    « Jean-Pierre », « jean pierre » and « JEAN PIERRE » give ``jean pierre``;
    « N'Diaye » and « NDIAYE » give ``n diaye`` and ``ndiaye``, which the matcher compares
    without spaces as well.
    """
    text = text.translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", stripped).strip().casefold()


def _same(a: str, b: str) -> bool:
    na, nb = normalise_name(a), normalise_name(b)
    return bool(na) and (na == nb or na.replace(" ", "") == nb.replace(" ", ""))


def names_agree(first_name: str, last_name: str, dossier: Dossier) -> bool:
    """The participant's names are the dossier's: first name, and birth or usage name."""
    if not _same(first_name, dossier.prenom):
        return False
    surnames = [dossier.nom_naissance, dossier.nom_usage]
    return any(_same(last_name, s) for s in surnames if s)
