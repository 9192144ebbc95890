"""The admin-edited mappings: read with line numbers, validated strictly."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.domain.model import DiagnosticType, ExternalIdKind, Modality
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
        "campaigns.yaml:3: modality must be one of individual, group, autonomous (got 'grup')",
        "campaigns.yaml:5: campaign B: unknown key 'ignor' (did you mean 'ignore'?)",
    ]


def test_a_campaign_taken_alone_and_its_external_id_kind_are_read(tmp_path: Path) -> None:
    """modality: autonomous, and external_id: dossier or email, per campaign."""
    campaigns = (
        "campaigns:\n"
        "  SEUL: {modality: autonomous, external_id: dossier}\n"
        "  MAIL: {external_id: email}\n"
        "  PLAIN: {modality: group}\n"
    )
    mappings = load_mappings(write(tmp_path, campaigns=campaigns))
    assert mappings.campaign("SEUL") == CampaignMapping(
        Modality.AUTONOMOUS, external_id=ExternalIdKind.DOSSIER
    )
    assert mappings.campaign("MAIL").external_id is ExternalIdKind.EMAIL
    assert mappings.campaign("MAIL").modality is Modality.INDIVIDUAL
    assert mappings.campaign("PLAIN").external_id is None  # read from each value
    assert mappings.campaign("UNKNOWN").external_id is None


def test_a_bad_external_id_kind_is_reported_with_its_line(tmp_path: Path) -> None:
    """A wrong value lists the choices; a misspelt key gets a hint; a bad modality lists the
    three modalities."""
    campaigns = (
        "campaigns:\n"
        "  A:\n"
        "    external_id: numero\n"
        "  B:\n"
        "    externalid: email\n"
        "  C:\n"
        "    modality: alone\n"
    )
    with pytest.raises(MappingsError) as caught:
        load_mappings(write(tmp_path, campaigns=campaigns))
    assert caught.value.problems == [
        "campaigns.yaml:3: external_id must be one of dossier, email (got 'numero')",
        "campaigns.yaml:5: campaign B: unknown key 'externalid' (did you mean 'external_id'?)",
        "campaigns.yaml:7: modality must be one of individual, group, autonomous (got 'alone')",
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


def test_the_shipped_files_show_every_setting_commented_out_at_its_default() -> None:
    """Each optional setting appears, commented out, with its default value."""
    from connector.mappings import DEFAULT_COMMENT
    from connector.mappings.model import DEFAULT_NATURE_CODES, DEFAULT_STATUS_CODES

    campaigns = (ROOT / "mappings" / "campaigns.yaml").read_text(encoding="utf-8")
    imilo = (ROOT / "mappings" / "imilo.yaml").read_text(encoding="utf-8")
    for line in (
        "#   realisation_date: shared_at",
        "#   closed_prescription: review",
        f'#   comment: "{DEFAULT_COMMENT}"',
        "  # ATELIER01:",
        "  #   external_id: dossier",
    ):
        assert line in campaigns
    for word in ("autonomous", "external_id: dossier or email"):
        assert word in campaigns
    for key, (_, code) in {**DEFAULT_STATUS_CODES, **DEFAULT_NATURE_CODES}.items():
        assert f"#   {key}: {code}" in imilo
    assert '# offre: "Evaluation PIX"' in imilo


def test_defaults_and_codes_are_read(tmp_path: Path) -> None:
    """The defaults section and imilo.yaml change the run's behaviour and I-Milo's codes."""
    from connector.domain.model import ClosedPolicy, DateSource, PrescriptionStatus

    write(
        tmp_path,
        campaigns="defaults:\n  realisation_date: started_at\n  closed_prescription: skip\n"
        "  comment: 'PIX {date} ({mastery})'\n",
    )
    (tmp_path / "imilo.yaml").write_text("statuts:\n  realise: DONE\noffre: 'Eval PIX'\n")
    mappings = load_mappings(tmp_path)
    assert mappings.defaults.realisation_date is DateSource.STARTED_AT
    assert mappings.defaults.closed_prescription is ClosedPolicy.SKIP
    assert mappings.defaults.comment == "PIX {date} ({mastery})"
    assert mappings.imilo.statuses[PrescriptionStatus.ACHIEVED] == "DONE"
    assert mappings.imilo.status_from("DONE") is PrescriptionStatus.ACHIEVED
    assert mappings.imilo.offer_name == "Eval PIX"


def test_new_settings_are_validated_with_lines_and_hints(tmp_path: Path) -> None:
    """Bad values, unknown keys and unknown placeholders, each on its line."""
    write(
        tmp_path,
        campaigns="defaults:\n  realisation_date: started\n  closedprescription: skip\n"
        "  comment: 'fait le {dat}'\n",
    )
    (tmp_path / "imilo.yaml").write_text("statuts:\n  realise: ''\nnature:\n  atelier: X\n")
    with pytest.raises(MappingsError) as caught:
        load_mappings(tmp_path)
    assert caught.value.problems == [
        "campaigns.yaml:2: realisation_date must be one of shared_at, started_at (got 'started')",
        "campaigns.yaml:3: defaults: unknown key 'closedprescription' (did you mean 'closed_prescription'?)",
        "campaigns.yaml:4: comment: unknown placeholder '{dat}' (did you mean '{date}'?); use {date}, {diagnostic}, {mastery}",
        "imilo.yaml:2: statuts: realise must be a non-empty code",
        "imilo.yaml:3: unknown key 'nature' (did you mean 'natures'?)",
    ]


def test_a_mapped_structure_code_that_is_no_code_is_a_problem_without_its_value(
    tmp_path: Path,
) -> None:
    """organisations.yaml: each value must be an I-Milo structure code, reported by line,
    described by its length and kind of character, never quoted."""
    hostile = "../../sue/dossiers/1?x=#"
    write(
        tmp_path,
        "organisations:\n"
        "  1: '75010S00'\n"
        f"  2: '{hostile}'\n"
        "  3: '75010s00'\n"
        "  4: ' 97411S00 '\n"
        "  5: 'X'\n",
    )
    with pytest.raises(MappingsError) as caught:
        load_mappings(tmp_path)
    problems = caught.value.problems
    assert [p.split(": ", 2)[:2] for p in problems] == [
        ["organisations.yaml:3", "organisation 2"],
        ["organisations.yaml:4", "organisation 3"],
        ["organisations.yaml:6", "organisation 5"],
    ]
    assert all("the value is not an I-Milo structure code: " in p for p in problems)
    assert "has lowercase letters" in problems[1]
    assert "1 character long" in problems[2]
    assert not any(hostile in p or "75010s00" in p for p in problems)


def test_a_timezone_key_that_is_no_code_is_a_problem_without_its_value(tmp_path: Path) -> None:
    write(tmp_path)
    (tmp_path / "imilo.yaml").write_text(
        "timezones:\n  '../../sue/dossiers/1?x=#': Europe/Paris\n", encoding="utf-8"
    )
    with pytest.raises(MappingsError) as caught:
        load_mappings(tmp_path)
    [problem] = caught.value.problems
    assert problem.startswith("imilo.yaml:2: timezones: a key is not an I-Milo structure code: ")
    assert "sue" not in problem
