"""The national charter's rules for the « Evaluation PIX » offer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from connector.domain.charter import CharterRule, check_offer, looks_like_pix_offer, verdicts
from connector.domain.model import Offre

GOOD = Offre(
    id=1,
    structure_code="75010S00",
    nom="Evaluation PIX",
    theme="Projet professionnel",
    acte_service="MER sur des prestations d'évaluation",
    type="AUTRE",
    mesure_nationale="Evaluation compétences numériques",
    partenaire_raison_sociale="GIP PIX",
    partenaire_siret="13002343500014",
    date_debut=date(2019, 1, 1),
)


def test_a_charter_offer_is_conformant() -> None:
    """Every rule holds for the charter's own offer."""
    verdict = check_offer(GOOD)
    assert verdict.conformant and [rule for rule, _ in verdict.rules] == [
        "name",
        "theme",
        "acte de service",
        "mesure nationale",
        "partner",
        "SIRET",
        "type",
        "start date",
    ]


@pytest.mark.parametrize(
    ("change", "failure"),
    [
        ({"nom": "Évaluation PIX"}, "the name must be exactly « Evaluation PIX », without accents"),
        (
            {"mesure_nationale": None},
            "the mandatory mesure nationale « Evaluation compétences numériques » is missing",
        ),
        (
            {"mesure_nationale": "Autre mesure"},
            "the mesure nationale must be « Evaluation compétences numériques »",
        ),
        ({"theme": "Emploi"}, "the theme must be « Projet professionnel »"),
        (
            {"acte_service": "Atelier"},
            "the acte de service must be « MER sur des prestations d'évaluation »",
        ),
        ({"partenaire_raison_sociale": None}, "the partner must be « GIP PIX »"),
        ({"partenaire_siret": "13002343500015"}, "the partner's SIRET must be 13002343500014"),
        ({"type": "FORMATION"}, "the type must be Autre or Animation collective"),
        (
            {"date_debut": date(2020, 9, 1)},
            "the start date 01/09/2020 must be on or before 01/01/2019, or before the structure's first assessment",
        ),
    ],
)
def test_each_broken_rule_is_said_in_words(change: dict[str, object], failure: str) -> None:
    """One failure per broken rule, in words an admin understands."""
    assert check_offer(replace(GOOD, **change)).failures == (failure,)  # type: ignore[arg-type]


def test_labels_and_codes_of_the_referential_are_both_accepted() -> None:
    """« Animation collective » as a label or ANIMATION_COLLECTIVE as a code; case and accents
    of referential labels do not matter."""
    offer = replace(
        GOOD,
        type="Animation collective",
        theme="PROJET PROFESSIONNEL",
        partenaire_siret="130 023 435 00014",
    )
    assert check_offer(offer).conformant


def test_a_late_start_date_is_fine_if_before_the_first_assessment() -> None:
    """An offer opened in 2020 is conformant for a structure whose first test was in 2021."""
    late = replace(GOOD, date_debut=date(2020, 9, 1))
    assert check_offer(late, first_assessment=date(2021, 3, 1)).conformant
    assert not check_offer(late, first_assessment=date(2020, 3, 1)).conformant
    assert check_offer(late, start_date=False).conformant


def test_misspelled_pix_offers_are_recognised_as_meant_to_be_it() -> None:
    """« Évaluation Pix » is checked (and fails); « Atelier CV » is not the Pix offer."""
    assert looks_like_pix_offer(replace(GOOD, nom="Évaluation Pix"))
    found = verdicts([replace(GOOD, nom="Évaluation PIX"), replace(GOOD, id=2, nom="Atelier CV")])
    assert [v.offre.id for v in found] == [1] and not found[0].conformant


def test_a_verdict_names_the_rules_broken() -> None:
    """Failures are typed: the rules broken, whatever the wording of their messages."""
    verdict = check_offer(replace(GOOD, theme="Autre", date_debut=None))
    assert verdict.broken == {CharterRule.THEME, CharterRule.START_DATE}
    assert check_offer(GOOD).broken == frozenset()
