"""The admin-edited mappings: read with line numbers, validated strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.domain.model import DiagnosticType, Modality
from connector.errors import ConfigurationError
from connector.mappings import CampaignMapping, MappingsError, load_mappings

ROOT = Path(__file__).resolve().parents[2]


def write(directory: Path, organisations: str = "", campaigns: str = "") -> Path:
    (directory / "organisations.yaml").write_text(organisations, encoding="utf-8")
    (directory / "campaigns.yaml").write_text(campaigns, encoding="utf-8")
    return directory


def test_the_shipped_mappings_are_valid_and_empty() -> None:
    """The files in mappings/ load, with every example commented out."""
    mappings = load_mappings(ROOT / "mappings")
    assert mappings.organisations == {}
    assert mappings.campaigns == {}


def test_valid_mappings_are_read(tmp_path: Path) -> None:
    """Organisation ids become numbers, campaign settings typed values."""
    mappings = load_mappings(
        write(
            tmp_path,
            "organisations:\n  123: '97411S00'\n",
            "campaigns:\n  ATELIER01: {modality: group, diagnostic: long}\n  OLD: {ignore: true}\n",
        )
    )
    assert mappings.organisations == {123: "97411S00"}
    assert mappings.campaign("ATELIER01") == CampaignMapping(Modality.GROUP, DiagnosticType.LONG)
    assert mappings.campaign("OLD").ignore is True
    assert mappings.campaign("UNKNOWN") == CampaignMapping()


def test_the_mapping_overrides_the_organisation_external_id(tmp_path: Path) -> None:
    """A mapped organisation uses the mapped code; others keep their externalId."""
    mappings = load_mappings(write(tmp_path, "organisations:\n  1: '75010S00'\n"))
    assert mappings.structure_code(1, "99999S99") == "75010S00"
    assert mappings.structure_code(2, "13055S00") == "13055S00"
    assert mappings.structure_code(3, None) is None


def test_problems_are_reported_with_file_and_line(tmp_path: Path) -> None:
    """Each problem names the file and the line, with a hint for typos."""
    campaigns = "campaigns:\n  A:\n    modality: grup\n  B:\n    ignor: true\n"
    with pytest.raises(MappingsError) as caught:
        load_mappings(write(tmp_path, "organisations:\n  abc: '75010S00'\n", campaigns))
    assert caught.value.problems == [
        "organisations.yaml:2: organisation id must be a Pix organisation number (got 'abc')",
        "campaigns.yaml:3: modality must be one of individual, group (got 'grup')",
        "campaigns.yaml:5: campaign B: unknown key 'ignor' (did you mean 'ignore'?)",
    ]


def test_broken_yaml_is_reported_with_its_line(tmp_path: Path) -> None:
    """A syntax error names the file and line rather than crashing."""
    with pytest.raises(MappingsError) as caught:
        load_mappings(write(tmp_path, "organisations:\n  1: [unclosed\n"))
    assert caught.value.problems[0].startswith("organisations.yaml:")


def test_a_missing_directory_names_the_setting(tmp_path: Path) -> None:
    """The error says which variable to fix."""
    with pytest.raises(ConfigurationError, match="CONNECTOR_MAPPINGS_DIR"):
        load_mappings(tmp_path / "nowhere")
