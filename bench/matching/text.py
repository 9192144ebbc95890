"""Name folding and edit distances, as the benchmark's generator and labels use them.

The same folding as ``connector.domain.names``, restated with the standard library only, so
that the labels never depend on the connector's code.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "LIGATURES",
    "NEAR",
    "core",
    "name_key",
    "normalise",
    "one_edit",
    "slug",
    "strip_accents",
]

LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_SEPARATORS = re.compile(r"[\s\-‐‑–—'’`´.,_]+")


@functools.lru_cache(maxsize=65536)
def normalise(text: str) -> str:
    """Case, accents, ligatures, hyphens, apostrophes and spacing folded away."""
    text = text.translate(LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", stripped).strip().casefold()


@functools.lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """The normalised name without spaces: what strict agreement compares."""
    return normalise(text).replace(" ", "")


@functools.lru_cache(maxsize=65536)
def core(name: str) -> str:
    """A last name without its particles: « De La Fontaine » → « fontaine »."""
    words = normalise(name).split()
    return "".join(w for w in words if w not in _PARTICLES) or "".join(words)


_PARTICLES = frozenset({"de", "du", "des", "d", "la", "le", "les", "l"})


@functools.lru_cache(maxsize=65536)
def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


@functools.lru_cache(maxsize=65536)
def slug(text: str) -> str:
    """A name as it appears in a mail address: ascii, lower case, hyphens kept."""
    ascii_ = strip_accents(text.translate(LIGATURES)).lower()
    return re.sub(r"[^a-z0-9-]", "", ascii_)


def one_edit(a: str, b: str) -> bool:
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


NEAR = _keyboard_neighbours()
