"""Blocking: each participant is compared only with the dossiers that may be theirs."""

from __future__ import annotations

from datetime import UTC, datetime

from connector.domain.blocking import SurnameBlocks, by_mail
from connector.domain.model import Dossier, Participation, ParticipationStatus


def dossier(did: int, nom: str, usage: str | None = None, mail: str | None = None) -> Dossier:
    return Dossier(
        id=did,
        structure_code="75010S00",
        nom_naissance=nom,
        nom_usage=usage,
        prenom="Léa",
        mail=mail,
    )


def participant(first: str, last: str) -> Participation:
    moment = datetime(2026, 3, 12, tzinfo=UTC)
    return Participation(
        id=1,
        campaign_id=10,
        status=ParticipationStatus.SHARED,
        created_at=moment,
        shared_at=moment,
        participant_id=1,
        mastery_rate=None,
        first_name=first,
        last_name=last,
        external_id=None,
    )


BLOCKS = SurnameBlocks(
    [dossier(1, "DURAND"), dossier(2, "MARTIN", usage="DUPONT"), dossier(3, "LEROY")]
)


def ids(found: list[Dossier]) -> set[int]:
    return {d.id for d in found}


def test_a_surname_finds_its_dossiers_birth_or_usage_name() -> None:
    assert ids(BLOCKS.around(participant("Léa", "Durand"))) == {1}
    assert ids(BLOCKS.around(participant("Léa", "Dupont"))) == {2}


def test_one_typo_away_is_still_in_the_block() -> None:
    assert ids(BLOCKS.around(participant("Léa", "Durant"))) == {1}
    assert ids(BLOCKS.around(participant("Léa", "Lerroy"))) == {3}


def test_names_given_in_each_others_place() -> None:
    assert ids(BLOCKS.around(participant("Martin", "Léa"))) == {2}


def test_another_family_is_out_of_the_block() -> None:
    assert BLOCKS.around(participant("Léa", "Bernard")) == []


def test_dossiers_by_mail_trimmed_and_case_folded() -> None:
    shared = [dossier(1, "A", mail=" Lea@Example.org"), dossier(2, "B", mail="lea@example.org")]
    assert {k: ids(v) for k, v in by_mail([*shared, dossier(3, "C")]).items()} == {
        "lea@example.org": {1, 2}
    }
