"""Which offer a structure's prescriptions are read on: its one conformant « Evaluation PIX »."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from connector.domain.offers import OfferProblem, choose_offer
from tests.unit.test_charter import GOOD  # the charter's own offer

OTHER = replace(GOOD, id=2, nom="Garantie jeunes")


def test_the_one_conformant_offer_is_chosen() -> None:
    choice = choose_offer([OTHER, GOOD])
    assert choice.offre == GOOD and choice.problem is None and choice.reason == ""


def test_the_start_date_is_left_to_charte_check() -> None:
    """A sync does not know the structure's history: a late start date does not bar it."""
    late = replace(GOOD, date_debut=date(2023, 5, 1))
    assert choose_offer([late]).offre == late


def test_no_offer_by_that_name() -> None:
    choice = choose_offer([OTHER], name="Evaluation PIX")
    assert choice.offre is None and choice.problem is OfferProblem.NONE_FOUND
    assert choice.reason == "no « Evaluation PIX » offer"


def test_an_offer_that_breaks_the_charter_is_not_used() -> None:
    choice = choose_offer([replace(GOOD, partenaire_siret="1")])
    assert choice.offre is None and choice.problem is OfferProblem.BREAKS_CHARTER
    assert choice.reason == (
        "its « Evaluation PIX » offer breaks the charter: see `pix-imilo charte check`"
    )


def test_several_conformant_offers_are_not_guessed_between() -> None:
    choice = choose_offer([replace(GOOD, id=9), GOOD])
    assert choice.offre is None and choice.problem is OfferProblem.SEVERAL
    assert choice.reason == "several conformant « Evaluation PIX » offers: [1, 9]"


def test_the_name_is_the_admins() -> None:
    renamed = replace(GOOD, nom="Evaluation PIX ML")
    assert choose_offer([renamed], name="Evaluation PIX ML").offre == renamed
