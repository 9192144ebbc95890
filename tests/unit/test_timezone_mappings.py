"""imilo.yaml ``timezones:``: structure code → IANA zone, validated with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.mappings import MappingsError, load_mappings

ROOT = Path(__file__).resolve().parents[2]


def with_imilo(directory: Path, text: str) -> Path:
    (directory / "imilo.yaml").write_text(text, encoding="utf-8")
    return directory


def problems(directory: Path) -> list[str]:
    with pytest.raises(MappingsError) as caught:
        load_mappings(directory)
    return caught.value.problems


def test_zones_are_read(tmp_path: Path) -> None:
    text = (
        "timezones:\n"
        "  98731S00: Pacific/Marquesas\n"
        "  'ZZ411S00': ' Indian/Reunion '\n"
        "  2A004S00: Europe/Paris\n"
    )
    mappings = load_mappings(with_imilo(tmp_path, text))
    assert mappings.imilo.timezones == {
        "98731S00": "Pacific/Marquesas",
        "ZZ411S00": "Indian/Reunion",
        "2A004S00": "Europe/Paris",
    }


def test_no_section_means_no_zone_set(tmp_path: Path) -> None:
    assert load_mappings(with_imilo(tmp_path, "offre: Evaluation PIX\n")).imilo.timezones == {}
    assert load_mappings(with_imilo(tmp_path, "timezones:\n")).imilo.timezones == {}


def test_the_shipped_file_documents_the_section_commented_out() -> None:
    text = (ROOT / "mappings" / "imilo.yaml").read_text(encoding="utf-8")
    assert "# timezones:" in text
    assert load_mappings(ROOT / "mappings").imilo.timezones == {}


def test_an_unknown_zone_is_reported_with_its_line_and_a_hint(tmp_path: Path) -> None:
    text = (
        "offre: Evaluation PIX\ntimezones:\n  97411S00: Indian/Reunoin\n  97302S00: Mars/Olympus\n"
    )
    assert problems(with_imilo(tmp_path, text)) == [
        "imilo.yaml:3: timezones: 97411S00: unknown time zone 'Indian/Reunoin' "
        "(did you mean 'Indian/Reunion'?)",
        "imilo.yaml:4: timezones: 97302S00: unknown time zone 'Mars/Olympus' (e.g. Indian/Reunion)",
    ]


@pytest.mark.parametrize("value", ["", "~", "42", "[Europe/Paris]"])
def test_a_zone_that_is_no_name_is_reported(tmp_path: Path, value: str) -> None:
    text = f"timezones:\n  97411S00: {value}\n"
    assert problems(with_imilo(tmp_path, text)) == [
        "imilo.yaml:2: timezones: 97411S00: the zone must be an IANA name, e.g. Indian/Reunion"
    ]


@pytest.mark.parametrize("code", ["97411s00", "974 11S00", "'97411-S00'", "97411", "A", "''"])
def test_a_malformed_code_is_reported(tmp_path: Path, code: str) -> None:
    text = f"timezones:\n  75010S00: Europe/Paris\n  {code}: Indian/Reunion\n"
    found = problems(with_imilo(tmp_path, text))
    assert len(found) == 1
    assert found[0].startswith("imilo.yaml:3: timezones: ")
    assert "is not an I-Milo structure code" in found[0]


def test_a_code_given_twice_is_reported(tmp_path: Path) -> None:
    text = "timezones:\n  97411S00: Indian/Reunion\n  ' 97411S00': Indian/Mayotte\n"
    assert problems(with_imilo(tmp_path, text)) == [
        "imilo.yaml:3: timezones: 97411S00 is given twice"
    ]


def test_timezones_must_be_a_mapping(tmp_path: Path) -> None:
    assert problems(with_imilo(tmp_path, "timezones: Europe/Paris\n")) == [
        "imilo.yaml:1: 'timezones' must be a mapping"
    ]


def test_a_misspelt_section_gets_a_hint(tmp_path: Path) -> None:
    assert problems(with_imilo(tmp_path, "timezone:\n  97411S00: Indian/Reunion\n")) == [
        "imilo.yaml:1: unknown key 'timezone' (did you mean 'timezones'?)"
    ]
