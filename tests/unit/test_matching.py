"""The matcher: name comparison, evidence rules and the decision, on plain data."""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.domain.capabilities import CONTRACT
from connector.domain.matching import (
    ExternalId,
    Identified,
    ReviewReason,
    Tentative,
    Unidentified,
    confirm,
    match,
    read_external_id,
)
from connector.domain.model import (
    Candidate,
    Dossier,
    ExternalIdKind,
    Participation,
    ParticipationStatus,
    Prescription,
)
from connector.domain.name_search import SearchName, findable, search_names
from connector.domain.names import NameKind, compare_names, normalise_name
from connector.imilo.port import IMilo
from connector.run.identify import Identifier

names = st.text(alphabet=st.characters(categories=["L", "Zs", "Pd", "Po"]), max_size=30)


@given(names)
def test_normalisation_is_idempotent(text: str) -> None:
    """Normalising twice changes nothing."""
    assert normalise_name(normalise_name(text)) == normalise_name(text)


@given(names)
def test_normalisation_ignores_case(text: str) -> None:
    """Upper and lower case give the same name."""
    assert normalise_name(text.upper()) == normalise_name(text.lower()) == normalise_name(text)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20))
def test_normalisation_ignores_accents(text: str) -> None:
    """Any combining accent on a Latin letter is folded away."""
    accented = unicodedata.normalize("NFC", "".join(c + "\u0301" for c in text))
    assert normalise_name(accented) == text


@given(st.lists(st.text(alphabet="abcdefghij", min_size=1, max_size=8), min_size=1, max_size=4))
def test_hyphens_apostrophes_and_spaces_are_one_separator(words: list[str]) -> None:
    """Jean-Pierre, Jean Pierre, Jean'Pierre and extra spaces are the same words."""
    expected = " ".join(words)
    for separator in ("-", " ", "'", "’", "  -  "):
        assert normalise_name(f"  {separator.join(words)} ") == expected


@given(names)
def test_normalised_names_hold_only_plain_letters_digits_and_single_spaces(text: str) -> None:
    """The output alphabet is small and stable, whatever was typed."""
    out = normalise_name(text)
    assert set(out) <= set("abcdefghijklmnopqrstuvwxyz0123456789 ")
    assert "  " not in out and out == out.strip()


def test_ligatures_are_spelled_out() -> None:
    """Œ and Æ, which do not decompose, read as oe and ae."""
    assert normalise_name("CŒUR") == normalise_name("Coeur") == "coeur"
    assert normalise_name("Lætitia") == "laetitia"


def person(
    prenom: str, nom: str, usage: str | None = None, did: int = 1, mail: str | None = None
) -> Dossier:
    return Dossier(
        id=did,
        structure_code="75010S00",
        nom_naissance=nom,
        nom_usage=usage,
        prenom=prenom,
        mail=mail,
    )


@pytest.mark.parametrize(
    ("typed_first", "typed_last", "dossier", "kind"),
    [
        ("lea", "durand", person("Léa", "DURAND"), NameKind.EXACT),
        ("Jean Pierre", "Le Bihan", person("Jean-Pierre", "LE BIHAN"), NameKind.EXACT),
        ("Moussa", "Ndiaye", person("Moussa", "N'DIAYE"), NameKind.EXACT),
        ("Julie", "Delafontaine", person("Julie", "DE LA FONTAINE"), NameKind.EXACT),
        ("Julie", "Fontaine", person("Julie", "DE LA FONTAINE"), NameKind.EXACT),
        ("Samir", "Dalmeida", person("Samir", "D'ALMEIDA"), NameKind.EXACT),
        ("Léa", "Martin", person("Léa", "DURAND", usage="MARTIN"), NameKind.EXACT),
        ("Durand", "Léa", person("Léa", "DURAND"), NameKind.SWAPPED),
        ("Jean", "Le Bihan", person("Jean-Pierre", "LE BIHAN"), NameKind.PARTIAL),
        ("Anne-Sophie", "Roux", person("Anne", "ROUX"), NameKind.PARTIAL),
        ("Lucas", "Martni", person("Lucas", "MARTIN"), NameKind.TYPO),
        ("Lucsa", "Martin", person("Lucas", "MARTIN"), NameKind.FIRST_NAME_TYPO),
        ("Mathide", "Martin", person("Mathilde", "MARTIN"), NameKind.FIRST_NAME_TYPO),
        ("Dylan", "Le All", person("Dylan", "LE GALL"), NameKind.TYPO),  # « all »: 3 letters
        ("Julien", "Lee Guen", person("Julien", "LE GUEN"), NameKind.TYPO),  # not a part
        ("Léa", "Girard", person("Léa", "GÉRARD"), NameKind.SURNAME_VARIANT),
        ("Léa", "Gautier", person("Léa", "GAUTHIER"), NameKind.SURNAME_VARIANT),
        ("Léa", "Bonnet", person("Léa", "BONNEL"), NameKind.SURNAME_VARIANT),  # typed: common
        ("Léa", "Bonnel", person("Léa", "BONNET"), NameKind.TYPO),  # typed: not in the list
        ("Martni", "Lucas", person("Lucas", "MARTIN"), NameKind.FLAWED_SWAP),
        ("Josette", "Dupont", person("Colette", "DUPONT"), NameKind.NONE),
        ("Louis", "Dupont", person("Louise", "DUPONT"), NameKind.NONE),
        ("Lucas", "Martni", person("Lucsa", "MARTIN"), NameKind.NONE),  # two flaws: no
        ("Tom", "Martin", person("Tim", "MARTIN"), NameKind.NONE),  # too short for a typo
        ("Hugo", "Bernard", person("Léa", "DURAND"), NameKind.NONE),
    ],
)
def test_name_comparison_recognises_each_case(
    typed_first: str, typed_last: str, dossier: Dossier, kind: NameKind
) -> None:
    """Each normalisation and tolerance rule, and what stays a different person."""
    assert compare_names(typed_first, typed_last, dossier).kind is kind


def participation(first: str, last: str, external_id: str | None = None) -> Participation:
    moment = datetime(2026, 3, 12, 10, tzinfo=UTC)
    return Participation(
        id=1,
        campaign_id=10,
        status=ParticipationStatus.SHARED,
        created_at=moment,
        shared_at=moment,
        participant_id="10f2c61fb336e65f56f6f3850475977c508e1a08",
        mastery_rate=None,
        first_name=first,
        last_name=last,
        external_id=external_id,
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1234567", ExternalId(number=1234567)),
        (" 123 45 67 ", ExternalId(number=1234567)),
        ("0001234567", ExternalId(number=1234567)),
        ("n° 1234567", ExternalId(number=1234567)),
        ("N°: 1234567", ExternalId(number=1234567)),
        ("#1234567", ExternalId(number=1234567)),
        ("123.45.67", ExternalId(number=1234567)),
        ("123-45-67", ExternalId(number=1234567)),
        ("123/4567", ExternalId(number=1234567)),
        ("  Lea.Durand@Example.org ", ExternalId(mail="lea.durand@example.org")),
        ("lea@", ExternalId()),
        ("je sais pas", ExternalId()),
        ("0000", ExternalId()),
        ("", ExternalId()),
        (None, ExternalId()),
    ],
)
def test_external_ids_are_read_as_numbers_or_mails(typed: str | None, expected: ExternalId) -> None:
    """Without a campaign's kind, the value decides: digits with spaces, dots, dashes,
    slashes, padding, « n° » or « # » are a number; an @ an e-mail, trimmed and case-folded."""
    assert read_external_id(typed) == expected


@pytest.mark.parametrize(
    ("typed", "kind", "expected"),
    [
        ("123 45 67", ExternalIdKind.DOSSIER, ExternalId(number=1234567)),
        ("lea@example.org", ExternalIdKind.DOSSIER, ExternalId()),
        ("Lea@Example.org", ExternalIdKind.EMAIL, ExternalId(mail="lea@example.org")),
        ("1234567", ExternalIdKind.EMAIL, ExternalId()),
        ("je sais pas", ExternalIdKind.EMAIL, ExternalId()),
        ("1234567", None, ExternalId(number=1234567)),
        ("lea@example.org", None, ExternalId(mail="lea@example.org")),
    ],
)
def test_a_campaigns_kind_reads_only_that_kind(
    typed: str, kind: ExternalIdKind | None, expected: ExternalId
) -> None:
    """An admin's ``external_id: dossier|email`` for a campaign: a number typed in an e-mail
    campaign, or an e-mail in a dossier-number one, is no evidence."""
    assert read_external_id(typed, kind) == expected


LEA = person("Léa", "DURAND", did=1, mail="lea@example.org")
LEA_TWIN = person("Léa", "DURAND", did=2)
HUGO = person("Hugo", "MARTIN", did=3)


def test_an_id_whose_names_fit_identifies_even_without_open_prescription() -> None:
    """Named by her number, Léa is identified, and her open-prescription twin is not taken."""
    result = match(
        participation("Lea", "Durand"), ExternalId(number=1), [LEA_TWIN], {1: LEA, 2: LEA_TWIN}, {}
    )
    assert result == Identified(1, "id")


def test_an_id_naming_someone_else_falls_back_on_the_names() -> None:
    """Hugo's number typed by Léa is a typo: the names decide, tentatively."""
    result = match(
        participation("Lea", "Durand"), ExternalId(number=3), [LEA, HUGO], {1: LEA, 3: HUGO}, {}
    )
    assert isinstance(result, Tentative) and result.dossier_id == 1


def test_an_id_naming_someone_else_never_identifies_them_alone() -> None:
    """With no fitting name anywhere, the probable typo goes to review naming the dossier."""
    result = match(participation("Yanis", "Benali"), ExternalId(number=3), [HUGO], {3: HUGO}, {})
    assert result == Unidentified(ReviewReason.NAMES_DISAGREE, 3, result.ranked)


def test_a_mail_identifies_case_insensitively() -> None:
    """The e-mail typed in any case designates the dossier bearing it."""
    ext = read_external_id(" LEA@example.ORG")
    result = match(
        participation("Lea", "Durand"),
        ext,
        [LEA, LEA_TWIN],
        {1: LEA, 2: LEA_TWIN},
        {"lea@example.org": [LEA]},
    )
    assert result == Identified(1, "mail")


def test_two_ids_designating_two_people_are_a_conflict() -> None:
    """Number and e-mail pointing at two fitting dossiers (duplicates) is for review."""
    ext = ExternalId(number=2, mail="lea@example.org")
    result = match(
        participation("Lea", "Durand"), ext, [], {1: LEA, 2: LEA_TWIN}, {"lea@example.org": [LEA]}
    )
    assert isinstance(result, Unidentified) and result.reason is ReviewReason.CONFLICTING_IDS


def test_homonyms_among_candidates_go_to_review_with_both_ranked() -> None:
    """Two Léa DURAND with open prescriptions and no id: a counsellor decides."""
    result = match(participation("Lea", "Durand"), ExternalId(), [LEA, LEA_TWIN], {}, {})
    assert isinstance(result, Unidentified) and result.reason is ReviewReason.HOMONYMS
    assert {d for d, _ in result.ranked} == {1, 2}


def test_a_namesake_elsewhere_in_the_structure_blocks_a_names_only_match() -> None:
    """A homonym whose prescription is closed still makes the match uncertain."""
    tentative = match(participation("Lea", "Durand"), ExternalId(), [LEA], {}, {})
    assert isinstance(tentative, Tentative)
    result = confirm(participation("Lea", "Durand"), tentative, [LEA, LEA_TWIN])
    assert isinstance(result, Unidentified) and result.reason is ReviewReason.HOMONYM_IN_STRUCTURE


def test_a_compound_first_name_in_part_is_accepted_only_when_nothing_else_is_close() -> None:
    """« Jean » fits Jean-Pierre alone, but not when a Jean-Paul is there too."""
    jp = person("Jean-Pierre", "MARTIN", did=10)
    jpaul = person("Jean-Paul", "MARTIN", did=11)
    alone = match(participation("Jean", "Martin"), ExternalId(), [jp], {}, {})
    assert isinstance(alone, Tentative)
    assert confirm(participation("Jean", "Martin"), alone, [jp]) == Identified(10, "names")
    both = match(participation("Jean", "Martin"), ExternalId(), [jp, jpaul], {}, {})
    assert isinstance(both, Unidentified) and both.reason is ReviewReason.HOMONYMS


def test_a_different_first_name_is_not_a_match_even_with_the_same_last_name() -> None:
    """Josette DUPONT is not Colette DUPONT: nothing is written."""
    colette = person("Colette", "DUPONT", did=20)
    result = match(participation("Josette", "Dupont"), ExternalId(), [colette], {}, {})
    assert isinstance(result, Unidentified) and result.reason is ReviewReason.WEAK_MATCH


def test_no_candidate_at_all() -> None:
    """Nobody resembling the participant: review with the reason no_candidate."""
    result = match(participation("Zoé", "Kwan"), ExternalId(), [HUGO], {}, {})
    assert isinstance(result, Unidentified) and result.reason is ReviewReason.NO_CANDIDATE


def test_exact_names_are_clearly_better_than_a_partial_or_a_typo() -> None:
    """Paul MARTIN typed exactly beats Paul-Henri MARTIN and Paul MARTINS elsewhere."""
    paul = person("Paul", "MARTIN", did=30)
    rivals = [person("Paul-Henri", "MARTIN", did=31), person("Paul", "MARTINS", did=32)]
    tentative = match(participation("Paul", "Martin"), ExternalId(), [paul, rivals[0]], {}, {})
    assert isinstance(tentative, Tentative) and tentative.dossier_id == 30
    assert confirm(participation("Paul", "Martin"), tentative, [paul, *rivals]) == Identified(
        30, "names"
    )


def test_a_partial_name_has_no_margin_over_an_exact_one_elsewhere() -> None:
    """« Paul » for Paul-Henri is doubtful when a Paul MARTIN exists, even without prescription."""
    paul_henri = person("Paul-Henri", "MARTIN", did=31)
    tentative = match(participation("Paul", "Martin"), ExternalId(), [paul_henri], {}, {})
    assert isinstance(tentative, Tentative)
    result = confirm(participation("Paul", "Martin"), tentative, [person("Paul", "MARTIN", did=30)])
    assert isinstance(result, Unidentified) and result.reason is ReviewReason.HOMONYM_IN_STRUCTURE


@pytest.mark.parametrize(
    ("typed", "held"),
    [
        ("Théo", "Théa"),
        ("Enzo", "Enza"),
        ("Dylan", "Dylane"),
        ("Marin", "Marina"),
        ("Emma", "Emmy"),
    ],
)
def test_a_final_vowel_makes_another_first_name_not_a_typo(typed: str, held: str) -> None:
    """Gendered variants are other people, even for names absent from the list."""
    assert compare_names(typed, "Martin", person(held, "MARTIN")).kind is NameKind.NONE


def test_a_typo_in_a_short_name_is_believed_only_with_the_dossier_number() -> None:
    """« Kym » for Kim: too short to trust alone, credible for the dossier the number names."""
    dossier = person("Kim", "NGUYEN")
    assert compare_names("Kym", "Nguyen", dossier).kind is NameKind.NONE
    assert compare_names("Kym", "Nguyen", dossier, confirms_id=True).kind is (
        NameKind.FIRST_NAME_TYPO
    )


MARTIN = person("Lucas", "MARTIN", did=40)


def test_a_typo_alone_identifies_when_nobody_in_the_structure_is_confusable() -> None:
    """« Lucas Martni », no id, one Lucas MARTIN, and nobody alike: a counsellor accepts."""
    p = participation("Lucas", "Martni", "je sais pas")
    tentative = match(p, read_external_id(p.external_id), [MARTIN], {}, {})
    assert isinstance(tentative, Tentative) and tentative.name_match.kind is NameKind.TYPO
    assert confirm(p, tentative, [MARTIN, person("Hugo", "MARTIN", did=41)]) == Identified(
        40, "names"
    )


@pytest.mark.parametrize(
    "other",
    [
        person("Luca", "MARTIN", did=41),  # first name within two letters, same last name
        person("Lucas", "MARTY", did=41),  # last name within two letters
        person("Lucas", "MARTINS", did=41),  # fits too: a typo of either
        person("Martin", "LUCAS", did=41),  # the same names, swapped
        person("Jean-Lucas", "MARTIN", did=41),  # a whole word in common
        person("Lucas", "DURAND", "MARTIN", did=41),  # through the usage name
    ],
)
def test_a_typo_alone_gives_way_to_any_confusable_dossier(other: Dossier) -> None:
    """Anyone in the structure whose names a counsellor could mistake for the typed ones,
    prescribed or not, sends the typo to review."""
    p = participation("Lucas", "Martni")
    tentative = match(p, ExternalId(), [MARTIN], {}, {})
    assert isinstance(tentative, Tentative)
    result = confirm(p, tentative, [MARTIN, other])
    assert isinstance(result, Unidentified) and result.reason is ReviewReason.HOMONYM_IN_STRUCTURE
    assert {d for d, _ in result.ranked} == {40, 41}


def test_a_typo_alone_needs_exactly_one_fitting_candidate() -> None:
    """Two candidates a typo away: homonyms, for review."""
    p = participation("Lucas", "Martni")
    result = match(p, ExternalId(), [MARTIN, person("Lucas", "MARTINI", did=41)], {}, {})
    assert isinstance(result, Unidentified) and result.reason is ReviewReason.HOMONYMS


@pytest.mark.parametrize(
    ("first", "last", "held"),
    [
        ("Louis", "Martin", person("Louise", "MARTIN", did=40)),  # another first name
        ("Théo", "Martin", person("Théa", "MARTIN", did=40)),  # a final vowel
        ("Lucas", "Girard", person("Lucas", "GÉRARD", did=40)),  # a common surname typed
        ("Lucas", "Bonnet", person("Lucas", "BONNEL", did=40)),  # the same
        ("Lucsa", "Martin", person("Lucas", "MARTIN", did=40)),  # a typo in the first name
        ("Martni", "Lucas", person("Lucas", "MARTIN", did=40)),  # swapped and flawed
        ("Lucsa", "Martni", person("Lucas", "MARTIN", did=40)),  # two typos
        ("Tim", "Martin", person("Tom", "MARTIN", did=40)),  # too short for a typo alone
    ],
)
def test_what_a_typo_alone_never_identifies(first: str, last: str, held: Dossier) -> None:
    """The guards stay: none of these is written on the names alone, whoever else exists."""
    result = match(participation(first, last), ExternalId(), [held], {}, {})
    assert isinstance(result, Unidentified)


@pytest.mark.parametrize(("first", "last"), [("Lucas", "Girard"), ("Lucsa", "Gérard")])
def test_what_needs_a_number_still_confirms_the_dossier_it_designates(
    first: str, last: str
) -> None:
    """« Lucas Girard » or « Lucsa Gérard » with the number of Lucas GÉRARD: the number and
    the names agree."""
    gerard = person("Lucas", "GÉRARD", did=40)
    result = match(participation(first, last), ExternalId(number=40), [], {40: gerard}, {})
    assert result == Identified(40, "id")


class StructureOf:
    """An I-Milo holding one structure's dossiers: bulk look-ups, and the name search served
    by the search's own reach rule, as the simulator serves it."""

    capabilities = CONTRACT

    def __init__(self, *dossiers: Dossier) -> None:
        self.dossiers = dossiers
        self.searched: list[str] = []

    def structure_dossiers(
        self, structure_code: str, *, numbers: Sequence[int] = (), mails: Sequence[str] = ()
    ) -> list[Dossier]:
        return [d for d in self.dossiers if d.id in numbers or (d.mail or "") in mails]

    def search_names(self, structure_code: str, last_names: Sequence[str]) -> list[Dossier]:
        self.searched += last_names
        return [
            d
            for d in self.dossiers
            if any(findable(SearchName.of(n), *search_names(d)) for n in last_names)
        ]


def candidate(dossier: Dossier) -> Candidate:
    return Candidate(Prescription(dossier.id * 10, dossier.id, 1, "ONGOING", None, None), dossier)


def in_campaign(p: Participation, campaign_id: int, pid: int = 1) -> Participation:
    return dataclasses.replace(p, id=pid, campaign_id=campaign_id)


def test_the_blocking_finds_a_candidate_one_typo_away_and_the_search_rules_on_it() -> None:
    """« Lucas Martni » reaches Lucas MARTIN through the typo keys; alone in the structure he
    is identified, and a Luca MARTIN elsewhere in the structure sends it to review."""
    typo = in_campaign(participation("Lucas", "Martni", "jsp"), 10)
    alone = StructureOf(MARTIN, person("Hugo", "BERNARD", did=50))
    found = Identifier(cast(IMilo, alone)).identify("75010S00", [candidate(MARTIN)], [typo], {})
    assert found == {1: Identified(40, "names")}
    assert alone.searched == ["Martni"]
    crowded = StructureOf(MARTIN, person("Luca", "MARTIN", did=41))
    found = Identifier(cast(IMilo, crowded)).identify("75010S00", [candidate(MARTIN)], [typo], {})
    assert isinstance(found[1], Unidentified)
    assert found[1].reason is ReviewReason.HOMONYM_IN_STRUCTURE


def test_each_campaigns_external_id_kind_is_honoured() -> None:
    """The same typed number designates Lucas MARTIN in a dossier-number campaign, and is no
    evidence in an e-mail campaign, where only the names are left (and say Hugo, not Lucas)."""
    hugo = person("Hugo", "MARTIN", did=42)
    imilo = StructureOf(MARTIN, hugo)
    typed = [
        in_campaign(participation("Lucas", "Martin", "40"), 10, pid=1),
        in_campaign(participation("Lucas", "Martin", "40"), 20, pid=2),
    ]
    kinds = {10: ExternalIdKind.DOSSIER, 20: ExternalIdKind.EMAIL}
    found = Identifier(cast(IMilo, imilo)).identify("75010S00", [candidate(hugo)], typed, {}, kinds)
    assert found[1] == Identified(40, "id")
    assert isinstance(found[2], Unidentified)
