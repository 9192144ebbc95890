"""The admins' commands as they type them: mappings check, sync --dry-run, charte check."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import scenario
from tests.conftest import Systems, rewrite_fixture, start_systems
from tests.e2e.test_cli import clean_env, cli, last_json_line

pytestmark = pytest.mark.e2e


@pytest.mark.contract_only("mappings check reads no API")
def test_mappings_check_accepts_valid_files(systems: Systems, tmp_path: Path) -> None:
    """Exit 0 on the scenario's mappings, given as an argument."""
    result = cli(["mappings", "check", str(systems.mappings_dir)], clean_env(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout


def test_mappings_check_names_file_and_line_of_a_bad_value_and_an_unknown_key(
    tmp_path: Path,
) -> None:
    """Exit 2 with one FILE:LINE: line per problem, read from CONNECTOR_MAPPINGS_DIR."""
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "campaigns.yaml").write_text(
        "campaigns:\n  PARDIAG:\n    modality: grup\n  PARATEL:\n    modalty: group\n",
        encoding="utf-8",
    )
    result = cli(
        ["mappings", "check"], clean_env({"CONNECTOR_MAPPINGS_DIR": str(mappings)}), tmp_path
    )
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        "campaigns.yaml:3: modality must be one of individual, group, autonomous (got 'grup')",
        "campaigns.yaml:5: campaign PARATEL: unknown key 'modalty' (did you mean 'modality'?)",
    ]


def test_mappings_check_reports_a_broken_console_yaml_with_the_other_files(
    tmp_path: Path,
) -> None:
    """console.yaml is checked too: its problems join the others', each with its line; exit 2."""
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "organisations.yaml").write_text("organisations:\n  12: ''\n", encoding="utf-8")
    (mappings / "console.yaml").write_text(
        "admins: [admin@demo.fr]\nstructure:\n  65440S00: [conseillere@ml-pau.fr]\n"
        "structures:\n  65440S00: [ml-pau, ml-pau]\n",
        encoding="utf-8",
    )
    result = cli(["mappings", "check", str(mappings)], clean_env(), tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "organisations.yaml:2: organisation 12: the structure code must be non-empty text",
        "console.yaml:2: unknown key 'structure' (did you mean 'structures'?)",
        "console.yaml:5: structures: 65440S00: an entry is given twice (first on line 5)",
    ]
    assert "3 problem(s)" in result.stderr


def test_mappings_check_counts_the_console_entries_or_says_there_is_no_console_yaml(
    tmp_path: Path,
) -> None:
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    result = cli(["mappings", "check", str(mappings)], clean_env(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("campaign(s) mapped, no console.yaml)")
    (mappings / "console.yaml").write_text(
        "admins: [admin@demo.fr]\n"
        "structures:\n  65440S00: [conseillere@ml-pau.fr, ml-pau-conseillers]\n  97411S00: []\n",
        encoding="utf-8",
    )
    result = cli(["mappings", "check", str(mappings)], clean_env(), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(
        "campaign(s) mapped, console: 2 structure(s), 1 admin entry(ies))"
    )


def bad_folder(mappings: Path) -> None:
    (mappings / "campaigns.yaml").mkdir()


def bad_fifo(mappings: Path) -> None:
    os.mkfifo(mappings / "campaigns.yaml")


def bad_size(mappings: Path) -> None:
    (mappings / "campaigns.yaml").write_text("#" * 2_000_000, encoding="utf-8")


def bad_aliases(mappings: Path) -> None:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 9):
        previous, current = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{current}: &{current} [" + ", ".join([f"*{previous}"] * 9) + "]")
    lines.append("campaigns: *i")
    (mappings / "campaigns.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("breakage", [bad_folder, bad_fifo, bad_size, bad_aliases])
def test_mappings_check_refuses_files_that_are_not_fair_within_seconds(
    tmp_path: Path, breakage: Callable[[Path], None]
) -> None:
    """A folder, a FIFO, a 2 MB file, an alias bomb: one campaigns.yaml:LINE line, exit 2."""
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    breakage(mappings)
    began = time.monotonic()
    result = cli(["mappings", "check", str(mappings)], clean_env(), tmp_path, timeout=20)
    assert time.monotonic() - began < 20
    assert result.returncode == 2, result.stdout + result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith("campaigns.yaml:") and "Traceback" not in result.stderr


def test_dry_run_json_plans_and_writes_nothing_then_the_real_run_does_the_plan(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """`planned` on the last line, writes stay at 0; then updated == planned."""
    env = clean_env(systems.env(database_url))
    dry = cli(["sync", "--once", "--dry-run", "--json"], env, tmp_path)
    assert dry.returncode == 0, dry.stderr
    body = last_json_line(dry.stdout)
    expected = scenario.expected(systems.api)
    assert body["planned"] == len(expected) and len(body["plan"]) == body["planned"]  # type: ignore[arg-type]
    assert {item["prescription_id"] for item in body["plan"]} == set(expected)  # type: ignore[attr-defined]
    assert systems.state()["writes"] == 0
    table = cli(["sync", "--once", "--dry-run"], env, tmp_path)
    assert "ONGOING → ACHIEVED" in table.stdout and "homonyms" in table.stdout
    real = cli(["sync", "--once", "--json"], env, tmp_path)
    assert last_json_line(real.stdout)["updated"] == body["planned"]


def test_charte_check_passes_on_conformant_offers(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """Exit 0 and a table per structure; in sessions mode, the rules on the fields the session
    routes do not serve are shown as unknown, and do not fail a structure."""
    # charte check reads the store, and never creates it: `db upgrade` does.
    assert cli(["db", "upgrade"], clean_env(systems.env(database_url)), tmp_path).returncode == 0
    result = cli(["charte", "check"], clean_env(systems.env(database_url)), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert scenario.PARIS in result.stdout and "conformant" in result.stdout
    as_json = cli(["charte", "check", "--json"], clean_env(systems.env(database_url)), tmp_path)
    verdicts = json.loads(as_json.stdout)
    assert {v["structure"]: v["conformant"] for v in verdicts} == {
        scenario.PARIS: True,
        scenario.REUNION: True,
        scenario.CAYENNE: True,
    }
    unknown = {tuple(o.get("unknown", ())) for v in verdicts for o in v["offers"]}
    if systems.api == "contract":
        assert unknown == {()}
    else:
        assert unknown == {("acte de service", "mesure nationale", "SIRET", "start date")}
        assert "not served by I-Milo" in result.stdout


def break_offers(data: Path) -> None:
    def broken(offres: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for offre in offres:
            if offre["codeStructure"] == scenario.CAYENNE:
                offre["nom"] = "Évaluation PIX"
            if offre["codeStructure"] == scenario.REUNION:
                offre["mesureNationale"] = None
        return offres

    rewrite_fixture(data, "imilo/offres.json", broken)


@pytest.mark.contract_only("a missing mesure nationale: a field the session routes do not serve")
def test_charte_check_fails_naming_the_structures_and_the_rules(
    tmp_path: Path, database_url: str
) -> None:
    """« Évaluation PIX » and a missing mesure nationale: exit 1, both structures named."""
    with start_systems(tmp_path, break_offers) as systems:
        assert (
            cli(["db", "upgrade"], clean_env(systems.env(database_url)), tmp_path).returncode == 0
        )
        result = cli(["charte", "check"], clean_env(systems.env(database_url)), tmp_path)
        as_json = cli(["charte", "check", "--json"], clean_env(systems.env(database_url)), tmp_path)
    assert result.returncode == 1
    assert f"{scenario.CAYENNE}  ML Cayenne — NOT CONFORMANT" in result.stdout
    assert f"{scenario.REUNION}  ML Nord Réunion — NOT CONFORMANT" in result.stdout
    assert "the name must be exactly « Evaluation PIX », without accents" in result.stdout
    assert (
        "the mandatory mesure nationale « Evaluation compétences numériques » is missing"
        in result.stdout
    )
    assert f"not conformant: {scenario.CAYENNE}, {scenario.REUNION}" in result.stdout
    verdicts = {s["structure"]: s["conformant"] for s in json.loads(as_json.stdout)}
    assert verdicts == {scenario.PARIS: True, scenario.CAYENNE: False, scenario.REUNION: False}
