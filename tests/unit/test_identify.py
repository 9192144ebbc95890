"""Gathering the evidence for a structure: what the identifier asks I-Milo, and once only,
and what it decides with the answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connector.domain.matching import Identified, ReviewReason, Unidentified
from connector.domain.model import (
    Candidate,
    Dossier,
    ExternalIdKind,
    Participation,
    ParticipationStatus,
    Prescription,
    PrescriptionStatus,
)
from connector.errors import TransientApiError
from connector.run.identify import Identifier
from tests.fakes import FakeIMilo

PARIS, LYON = "75010S00", "69380S00"
OFFRE = 1


def dossier(
    number: int,
    last: str,
    first: str,
    *,
    mail: str | None = None,
    structure: str = PARIS,
) -> Dossier:
    return Dossier(number, structure, last, None, first, mail, date(2006, 5, 4))


def candidate(d: Dossier) -> Candidate:
    prescription = Prescription(
        d.id + 1000, d.id, OFFRE, PrescriptionStatus.ONGOING, date(2026, 2, 1), None
    )
    return Candidate(prescription, d)


def taken(
    pid: int, first: str, last: str, external_id: str | None, campaign: int = 10
) -> Participation:
    shared = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    return Participation(
        id=pid,
        campaign_id=campaign,
        status=ParticipationStatus.SHARED,
        created_at=shared,
        shared_at=shared,
        participant_id=None,
        mastery_rate=0.5,
        first_name=first,
        last_name=last,
        external_id=external_id,
    )


LEA = dossier(1000001, "DURAND", "Léa", mail="lea.durand@example.org")
HUGO = dossier(1000002, "MARTIN", "Hugo")
INES = dossier(1000003, "BIRONNEAU", "Inès")  # no prescription on the offer
NOE = dossier(1000004, "JEAN-BAPTISTE", "Noé")
NOE_TOO = dossier(1000005, "JEAN-BAPTISTE", "Noé")  # a namesake, not prescribed
LYON_INES = dossier(1000006, "BIRONNEAU", "Inès", structure=LYON)


def identify(
    imilo: FakeIMilo,
    candidates: list[Dossier],
    participations: list[Participation],
    resolutions: dict[int, int] | None = None,
    kinds: dict[int, ExternalIdKind | None] | None = None,
) -> dict[int, Identified | Unidentified]:
    return Identifier(imilo).identify(
        PARIS, [candidate(d) for d in candidates], participations, resolutions or {}, kinds
    )


def world() -> FakeIMilo:
    return FakeIMilo(dossiers=[LEA, HUGO, INES, NOE, NOE_TOO, LYON_INES])


def test_a_candidates_number_needs_no_lookup() -> None:
    """The candidates are already known: typing one's number costs no I-Milo request."""
    imilo = world()
    found = identify(imilo, [LEA, HUGO], [taken(1, "Lea", "Durand", "1000001")])
    assert found == {1: Identified(LEA.id, "id")}
    assert imilo.calls == []


def test_numbers_and_mails_are_looked_up_once_for_the_whole_structure() -> None:
    """One bulk lookup: the numbers not among the candidates, and every typed e-mail (an
    e-mail may be shared by duplicate dossiers, so a candidate's is looked up too)."""
    imilo = world()
    found = identify(
        imilo,
        [LEA, HUGO],
        [
            taken(1, "Inès", "Bironneau", "1000003"),
            taken(2, "Léa", "Durand", " Lea.Durand@Example.org "),
            taken(3, "Hugo", "Martin", "1000002"),
            taken(4, "Inès", "Bironneau", "1000003"),
        ],
    )
    assert imilo.calls == [("structure_dossiers", (PARIS, (INES.id,), ("lea.durand@example.org",)))]
    assert found[2] == Identified(LEA.id, "mail")
    assert found[3] == Identified(HUGO.id, "id")
    # Inès is found in the structure, but has no candidate: the plan says what that means.
    assert found[1] == found[4] == Identified(INES.id, "id")


def test_a_number_of_another_structure_is_unknown() -> None:
    """A dossier of another structure is never evidence, whatever was typed."""
    imilo = world()
    found = identify(imilo, [LEA], [taken(1, "Inès", "Bironneau", str(LYON_INES.id))])
    assert imilo.asked("structure_dossiers") == [(PARIS, (LYON_INES.id,), ())]
    assert isinstance(found[1], Unidentified)
    assert found[1].reason is ReviewReason.UNKNOWN_DOSSIER


def test_a_campaigns_declared_kind_decides_how_its_ids_are_read() -> None:
    """Campaign 20 holds e-mails: a number typed there is not looked up as a dossier."""
    imilo = world()
    identify(
        imilo,
        [LEA],
        [taken(1, "Inès", "Bironneau", "1000003", campaign=20)],
        kinds={20: ExternalIdKind.EMAIL},
    )
    assert imilo.asked("structure_dossiers") == []


def test_a_names_only_match_is_searched_for_across_the_structure_in_one_batch() -> None:
    """Each names-only match is checked against the whole structure's namesakes, with one
    search for all of them, each spelling once; a match with no namesake stands."""
    imilo = world()
    found = identify(
        imilo,
        [LEA, HUGO],
        [
            taken(1, "Léa", "Durand", None),
            taken(2, "Hugo", "Martin", "je sais pas"),
            taken(3, "Léa", "DURAND", None),
        ],
    )
    assert [c.method for c in imilo.calls] == ["search_names"]
    [(structure, names)] = imilo.asked("search_names")
    assert structure == PARIS
    assert isinstance(names, tuple) and len(names) == 2
    assert sorted(str(n).casefold() for n in names) == ["durand", "martin"]
    assert found == {
        1: Identified(LEA.id, "names"),
        2: Identified(HUGO.id, "names"),
        3: Identified(LEA.id, "names"),
    }


def test_a_namesake_elsewhere_in_the_structure_leaves_the_match_to_a_counsellor() -> None:
    """Noé JEAN-BAPTISTE is prescribed, but another Noé JEAN-BAPTISTE has a dossier: the
    names alone cannot tell them apart."""
    imilo = world()
    found = identify(imilo, [NOE], [taken(1, "Noe", "Jean Baptiste", None)])
    assert imilo.asked("search_names") == [(PARIS, ("Jean Baptiste",))]
    result = found[1]
    assert isinstance(result, Unidentified)
    assert result.reason is ReviewReason.HOMONYM_IN_STRUCTURE
    assert {dossier_id for dossier_id, _ in result.ranked} == {NOE.id, NOE_TOO.id}


def test_no_names_only_match_no_search() -> None:
    imilo = world()
    found = identify(imilo, [LEA], [taken(1, "Zoé", "Bonnet", None)])
    assert imilo.calls == []
    assert isinstance(found[1], Unidentified)
    assert found[1].reason is ReviewReason.NO_CANDIDATE


def test_a_counsellors_resolution_wins_over_the_evidence() -> None:
    imilo = world()
    found = identify(
        imilo, [LEA, HUGO], [taken(1, "Léa", "Durand", "1000001")], resolutions={1: HUGO.id}
    )
    assert found == {1: Identified(HUGO.id, "resolution")}
    assert imilo.calls == []


@pytest.mark.parametrize(
    ("method", "participation"),
    [
        ("structure_dossiers", taken(1, "Inès", "Bironneau", "1000003")),
        ("search_names", taken(1, "Léa", "Durand", None)),
    ],
)
def test_a_failed_lookup_decides_nothing(method: str, participation: Participation) -> None:
    """Without the structure's evidence, no one is identified: the error reaches the run,
    which reads the structure again next time."""
    imilo = world()
    imilo.fail(method, TransientApiError("imilo", "unavailable", 503), call=1)
    with pytest.raises(TransientApiError):
        identify(imilo, [LEA], [participation])
    assert [c.method for c in imilo.calls] == [method]
