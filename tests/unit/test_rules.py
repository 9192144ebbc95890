"""The charter's small rules: local dates, transitions, diagnostic type, nature, comment."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.domain.model import DiagnosticType, Modality, Nature, PrescriptionStatus
from connector.domain.rules import (
    REALISABLE,
    can_realise,
    diagnostic_type,
    nature_for,
    realisation_comment,
    realisation_date,
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("shared_at", "timezone", "expected"),
    [
        # Paris, winter (UTC+1): 23:30 UTC is already the next day.
        ("2026-03-12T22:59:59", "Europe/Paris", date(2026, 3, 12)),
        ("2026-03-12T23:00:00", "Europe/Paris", date(2026, 3, 13)),
        # Paris, summer (UTC+2): 22:00 UTC is midnight.
        ("2026-07-01T21:59:59", "Europe/Paris", date(2026, 7, 1)),
        ("2026-07-01T22:00:00", "Europe/Paris", date(2026, 7, 2)),
        # Réunion (UTC+4, no DST).
        ("2026-03-12T19:59:59", "Indian/Reunion", date(2026, 3, 12)),
        ("2026-03-12T20:00:00", "Indian/Reunion", date(2026, 3, 13)),
        # Cayenne (UTC-3): early UTC morning is still the day before.
        ("2026-03-13T02:59:59", "America/Cayenne", date(2026, 3, 12)),
        ("2026-03-13T03:00:00", "America/Cayenne", date(2026, 3, 13)),
        # Mayotte (UTC+3) and Guadeloupe (UTC-4).
        ("2026-05-31T21:30:00", "Indian/Mayotte", date(2026, 6, 1)),
        ("2026-06-01T03:30:00", "America/Guadeloupe", date(2026, 5, 31)),
    ],
)
def test_realisation_date_is_the_local_day_of_the_structure(
    shared_at: str, timezone: str, expected: date
) -> None:
    """The date of realisation is the day in the structure's time zone, not in UTC."""
    assert realisation_date(utc(shared_at), timezone) == expected


def test_realisation_date_across_the_spring_dst_change() -> None:
    """On the night clocks go forward in Paris (29 March 2026), 22:30 UTC is 00:30 on the 30th."""
    assert realisation_date(utc("2026-03-28T23:30:00"), "Europe/Paris") == date(2026, 3, 29)
    assert realisation_date(utc("2026-03-29T21:30:00"), "Europe/Paris") == date(2026, 3, 29)
    assert realisation_date(utc("2026-03-29T22:30:00"), "Europe/Paris") == date(2026, 3, 30)


def test_realisation_date_across_the_autumn_dst_change() -> None:
    """On the night clocks go back in Paris (25 October 2026), 22:30 UTC is 23:30 the same day."""
    assert realisation_date(utc("2026-10-24T22:30:00"), "Europe/Paris") == date(2026, 10, 25)
    assert realisation_date(utc("2026-10-25T22:30:00"), "Europe/Paris") == date(2026, 10, 25)
    assert realisation_date(utc("2026-10-25T23:00:00"), "Europe/Paris") == date(2026, 10, 26)


def test_realisation_date_refuses_naive_datetimes() -> None:
    """A datetime without a zone is a bug upstream, never silently read as UTC."""
    with pytest.raises(ValueError, match="aware"):
        realisation_date(datetime(2026, 3, 12, 12, 0), "Europe/Paris")


@given(
    st.datetimes(
        timezones=st.just(UTC), min_value=datetime(2019, 1, 1), max_value=datetime(2035, 1, 1)
    )
)
def test_realisation_date_is_within_a_day_of_the_utc_date(moment: datetime) -> None:
    """Whatever the moment, the local day is the UTC day or one of its neighbours."""
    for timezone in ("Europe/Paris", "Indian/Reunion", "America/Cayenne"):
        assert abs((realisation_date(moment, timezone) - moment.date()).days) <= 1


@pytest.mark.parametrize("statut", list(PrescriptionStatus))
def test_only_a_prescrit_prescription_may_be_realised(statut: PrescriptionStatus) -> None:
    """Réalisé, refus jeune, refus tiers and abandonné are counsellors' decisions."""
    assert can_realise(statut) is (statut is PrescriptionStatus.ONGOING)


def test_unknown_status_codes_are_left_alone() -> None:
    """A code the connector does not know is never overwritten."""
    assert can_realise("SUSPENDED") is False


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("Diagnostic initial", DiagnosticType.SHORT),
        ("PIC - Diagnostic Initial 2026", DiagnosticType.SHORT),
        ("Parcours complet", DiagnosticType.LONG),
        ("Parcours Complet — Missions Locales", DiagnosticType.LONG),
        ("Compétences numériques", None),
        (None, None),
    ],
)
def test_diagnostic_type_follows_the_target_profile_name(
    profile: str | None, expected: DiagnosticType | None
) -> None:
    """« Diagnostic initial » is short, « Parcours complet » long, as in Pix's own integration."""
    assert diagnostic_type(profile) == expected


def test_mapped_diagnostic_type_wins_over_the_profile_name() -> None:
    """An admin's mapping overrides what the profile name suggests."""
    assert diagnostic_type("Diagnostic initial", DiagnosticType.LONG) is DiagnosticType.LONG


def test_group_campaigns_are_ateliers() -> None:
    """A group modality records an atelier; otherwise an entretien individuel."""
    assert nature_for(Modality.GROUP) is Nature.ATELIER
    assert nature_for(Modality.INDIVIDUAL) is Nature.ENTRETIEN_INDIVIDUEL


def test_a_test_taken_alone_has_no_actualite() -> None:
    """The charter asks for a nature only when the Mission Locale has the young person take
    the test: autonomous gives none."""
    assert nature_for(Modality.AUTONOMOUS) is None


def test_every_modality_has_a_nature_rule() -> None:
    """The three modalities of campaigns.yaml, and what each records."""
    assert {m.value: nature_for(m) for m in Modality} == {
        "individual": Nature.ENTRETIEN_INDIVIDUEL,
        "group": Nature.ATELIER,
        "autonomous": None,
    }


def test_comment_reads_as_a_counsellor_expects() -> None:
    """The comment gives the date in French order, the type and the mastery."""
    text = realisation_comment(date(2026, 3, 12), DiagnosticType.SHORT, 0.624)
    assert text == (
        "Évaluation PIX réalisée le 12/03/2026 — diagnostic court — 62 % de maîtrise"
        " — mise à jour automatique"
    )


def test_the_comment_template_drops_empty_parts() -> None:
    """An unknown diagnostic type and no mastery rate leave no dangling dashes."""
    assert realisation_comment(date(2026, 3, 12), None, None) == (
        "Évaluation PIX réalisée le 12/03/2026 — mise à jour automatique"
    )


def test_an_admin_template_is_filled() -> None:
    """The placeholders of campaigns.yaml's comment are filled."""
    text = realisation_comment(
        date(2026, 3, 12), DiagnosticType.LONG, 0.5, "PIX {date}: {diagnostic}, {mastery}"
    )
    assert text == "PIX 12/03/2026: parcours long, 50 % de maîtrise"


def test_can_realise_is_the_realisable_statuses() -> None:
    """One set says which prescriptions the connector may realise; the candidates read and
    the writes' expected status follow it."""
    assert sorted(REALISABLE) == [PrescriptionStatus.ONGOING]
    assert [s for s in PrescriptionStatus if can_realise(s)] == sorted(REALISABLE)
