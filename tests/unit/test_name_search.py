"""The name search's reach: every fit the matcher accepts must be findable, or a homonym
could hide from the structure-wide check."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from connector.domain.model import Dossier
from connector.domain.name_search import (
    SearchIndex,
    SearchName,
    confusable,
    findable,
    search_names,
)
from connector.domain.names import compare_names

SURNAMES = ["Martin", "De La Fontaine", "N'Diaye", "Boyer-Durand", "Lefèvre", "Sow", "Le Gall"]
FIRST_NAMES = ["Léa", "Jean-Pierre", "Chloé", "Mohamed", "Zoé", "Anne Sophie", "Théo"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def dossier(prenom: str, nom: str, usage: str | None = None) -> Dossier:
    return Dossier(id=1, structure_code="X", nom_naissance=nom, nom_usage=usage, prenom=prenom)


def reach(last_name: str, d: Dossier) -> bool:
    return findable(SearchName.of(last_name), *search_names(d))


def test_findable_by_typo_particle_compound_usage_and_swapped_names() -> None:
    d = dossier("Léa", "De La Fontaine", "Boyer-Durand")
    assert reach("delafontaine", d)
    assert reach("Fontaine", d)
    assert reach("Fontiane", d)  # a transposition
    assert reach("Durand", d)  # part of the usage name
    assert reach("Lea", d)  # names swapped
    assert not reach("Martin", d)


@st.composite
def typed_variant(draw: st.DrawFn, text: str) -> str:
    """The name as people type it: exact, cased, cut, or with one or two slips."""
    variant = draw(st.sampled_from(["same", "upper", "part", "slip", "two slips"]))
    if variant == "upper":
        return text.upper()
    if variant == "part":
        return draw(st.sampled_from(text.replace("-", " ").split()))
    chars = list(text)
    for _ in range(1 if variant == "slip" else 2 if variant == "two slips" else 0):
        at = draw(st.integers(0, len(chars) - 1))
        chars[at] = draw(st.sampled_from(LETTERS))
    return "".join(chars)


@settings(max_examples=400, deadline=None)
@given(
    first=st.sampled_from(FIRST_NAMES),
    last=st.sampled_from(SURNAMES),
    usage=st.none() | st.sampled_from(SURNAMES),
    swapped=st.booleans(),
    data=st.data(),
)
def test_every_accepted_fit_is_findable(
    first: str, last: str, usage: str | None, swapped: bool, data: st.DataObject
) -> None:
    """Whatever the matcher accepts, with or without a number, the search returns."""
    d = dossier(first, last, usage)
    typed_first = data.draw(typed_variant(first))
    typed_last = data.draw(typed_variant(usage if usage and data.draw(st.booleans()) else last))
    if swapped:
        typed_first, typed_last = typed_last, typed_first
    for confirms_id in (False, True):
        fit = compare_names(typed_first, typed_last, d, confirms_id=confirms_id)
        if fit.accepted:
            assert reach(typed_last, d)
        if fit.enough_alone or fit.enough_if_unconfusable:
            # What may identify alone is confusable with its own dossier, as the check expects.
            assert confusable(typed_first, typed_last, d)


@settings(max_examples=400, deadline=None)
@given(
    first=st.sampled_from(FIRST_NAMES),
    last=st.sampled_from(SURNAMES),
    usage=st.none() | st.sampled_from(SURNAMES),
    typed_first=st.sampled_from(FIRST_NAMES + SURNAMES + ["Lae", "Jena", "Zzz"]),
    typed_last=st.sampled_from(SURNAMES + FIRST_NAMES + ["Fontiane", "Martni", "Diaye", "Zzz"]),
)
def test_every_confusable_dossier_is_findable(
    first: str, last: str, usage: str | None, typed_first: str, typed_last: str
) -> None:
    """The search for the typed last name returns every dossier the typo check must see."""
    d = dossier(first, last, usage)
    if confusable(typed_first, typed_last, d):
        assert reach(typed_last, d)


def test_confusable_names_straight_or_swapped() -> None:
    """Both names within the search's reach of the typed ones, straight or swapped."""
    d = dossier("Léa", "Martin", "Boyer-Durand")
    assert confusable("Léa", "Martni", d)
    assert confusable("Léo", "Marty", d)  # two letters off in each name
    assert confusable("Lea", "Durand", d)  # a word of the usage name
    assert confusable("Martin", "Léa", d)  # swapped
    assert not confusable("Hugo", "Martin", d)  # another first name
    assert not confusable("Léa", "Bernard", d)  # another family


@settings(max_examples=200, deadline=None)
@given(
    people=st.lists(
        st.tuples(st.sampled_from(FIRST_NAMES), st.sampled_from(SURNAMES)), min_size=1, max_size=8
    ),
    typed=st.sampled_from(SURNAMES + FIRST_NAMES + ["Fontiane", "Martni", "Diaye", "Zzz"]),
)
def test_the_index_finds_exactly_what_the_rule_finds(
    people: list[tuple[str, str]], typed: str
) -> None:
    """The one-pass index and the rule, dossier by dossier, agree."""
    index = SearchIndex([dossier(first, last) for first, last in people])
    expected = {i for i, (first, last) in enumerate(people) if reach(typed, dossier(first, last))}
    assert index.findable_by(typed) == expected
