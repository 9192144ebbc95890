"""French name normalisation and the strict agreement check."""

from __future__ import annotations

import pytest

from connector.domain.model import Dossier
from connector.domain.names import compare_names, normalise_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jean-Pierre", "jean pierre"),
        ("  JEAN   PIERRE ", "jean pierre"),
        ("Maëlys", "maelys"),
        ("Noé", "noe"),
        ("Œdipe", "oedipe"),
        ("Lætitia", "laetitia"),
        ("D'Almeida", "d almeida"),
        ("N’Diaye", "n diaye"),
        ("De La Fontaine", "de la fontaine"),
    ],
)
def test_normalise_name_folds_case_accents_ligatures_and_separators(
    raw: str, expected: str
) -> None:
    """Case, accents, œ/æ, hyphens, apostrophes and spacing do not distinguish names."""
    assert normalise_name(raw) == expected


def names_agree(first: str, last: str, held: Dossier) -> bool:
    return compare_names(first, last, held).accepted


def dossier(prenom: str, nom: str, usage: str | None = None) -> Dossier:
    return Dossier(
        id=1, structure_code="75010S00", nom_naissance=nom, nom_usage=usage, prenom=prenom
    )


def test_names_agree_with_the_birth_name() -> None:
    """Mixed case and dropped accents still agree with I-Milo's upper-case birth name."""
    assert names_agree("maelys", "n'diaye", dossier("Maëlys", "NDIAYE"))


def test_names_agree_with_the_usage_name() -> None:
    """A participant may type the usage name rather than the birth name."""
    assert names_agree("Léa", "Martin", dossier("Léa", "DURAND", usage="MARTIN"))


def test_names_disagree_on_another_first_name() -> None:
    """Same family name, another first name: another young person."""
    assert not names_agree("Lucas", "Durand", dossier("Léa", "DURAND"))


def test_empty_names_never_agree() -> None:
    """A participant who typed nothing cannot confirm an identity."""
    assert not names_agree("", "", dossier("", ""))
