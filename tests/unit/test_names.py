"""French name normalisation and the strict agreement check."""

from __future__ import annotations

import pytest

from connector.domain.model import Dossier
from connector.domain.names import NameKind, compare_names, normalise_name, typo_keys


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


def test_a_one_letter_typo_fits_the_last_or_the_first_name() -> None:
    """A letter wrong, missing, extra or swapped, in one of the names."""
    held = dossier("Mathilde", "MARTIN")
    for last in ("Martn", "Martinn", "Matrin", "Marton"):
        assert compare_names("Mathilde", last, held).kind is NameKind.TYPO, last
    for first in ("Mathide", "Mathlide", "Mathildde", "Mqthilde"):
        assert compare_names(first, "Martin", held).kind is NameKind.FIRST_NAME_TYPO, first


def test_what_a_typo_fit_is_good_for() -> None:
    """A last-name typo confirms a number and may identify alone (if nobody is confusable);
    a first-name typo, a surname variant or a flawed swap only confirms a number."""
    typo = compare_names("Léa", "Durnad", dossier("Léa", "DURAND"))
    first = compare_names("Lucsa", "Durand", dossier("Lucas", "DURAND"))
    variant = compare_names("Léa", "Girard", dossier("Léa", "GÉRARD"))
    flawed = compare_names("Durnad", "Léa", dossier("Léa", "DURAND"))
    assert typo.accepted and typo.enough_if_unconfusable and not typo.enough_alone
    for fit in (first, variant, flawed):
        assert fit.accepted and not fit.enough_if_unconfusable and not fit.enough_alone


def test_typo_keys_meet_for_one_typo_and_stay_few() -> None:
    """Two names one letter wrong, missing, extra or swapped apart share a blocking key."""
    for typed, held in [
        ("Martni", "MARTIN"),
        ("Martn", "MARTIN"),
        ("Marrtin", "MARTIN"),
        ("Marton", "MARTIN"),
        ("Fontiane", "DE LA FONTAINE"),
    ]:
        assert typo_keys(typed) & typo_keys(held), (typed, held)
    assert not typo_keys("Martin") & typo_keys("Durand")
    assert typo_keys("Sow") == {"sow"}  # too short to bear a typo alone: exact keys only
    assert len(typo_keys("Boyer-Durand")) <= 1 + len("boyerdurand") + 1 + len("boyerdurand")
