"""The pix-imilo command line, run as a user runs it (a real process, real HTTP)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests import scenario
from tests.conftest import SIM_CLIENT_SECRET, Systems

pytestmark = pytest.mark.e2e

PIX_IMILO = str(Path(sys.executable).parent / "pix-imilo")


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PIX_", "IMILO_", "CONNECTOR_"))
    }
    env["CONNECTOR_LOG_FORMAT"] = "json"
    env.update(extra or {})
    return env


def cli(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PIX_IMILO, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def appears(value: str, text: str) -> bool:
    """``value`` stands in ``text`` as a word of its own, whatever the case: « Léa » in a
    log line, not « lea » inside « leases »."""
    pattern = rf"(?<![\w]){re.escape(value.lower())}(?![\w])"
    return re.search(pattern, text.lower()) is not None


def last_json_line(stdout: str) -> dict[str, object]:
    body: dict[str, object] = json.loads(stdout.strip().splitlines()[-1])
    return body


def test_sync_once_json_reports_counts_and_a_second_run_writes_nothing(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """The last stdout line is the run's JSON; a replay changes nothing."""
    env = clean_env(systems.env(database_url))
    first = cli(["sync", "--once", "--json"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    counts = last_json_line(first.stdout)
    assert {"fetched", "updated", "unchanged", "review", "quarantined", "failed"} <= set(counts)
    assert counts["updated"] == len(scenario.expected(systems.api))
    assert counts["quarantined"] == 2
    if systems.api == "sessions":
        assert counts["not_recorded"] == {"actualites": len(scenario.expected("sessions"))}
        assert counts["review"] == sum(scenario.REVIEWS["sessions"].values())
    writes = systems.state()["writes"]
    second = cli(["sync", "--once", "--json"], env, tmp_path)
    assert second.returncode == 0, second.stderr
    assert last_json_line(second.stdout)["updated"] == 0
    assert systems.state()["writes"] == writes


def test_logs_carry_no_personal_data_nor_secrets(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """At DEBUG level, no name, external id, birth date, secret or key reaches the output."""
    env = clean_env({**systems.env(database_url), "CONNECTOR_LOG_LEVEL": "DEBUG"})
    result = cli(["sync", "--once", "--json"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert lines and all("event" in line for line in lines)
    forbidden = [scenario.CLIENT_SECRET, scenario.API_KEY, SIM_CLIENT_SECRET]
    for dossier_id, _, nom, usage, prenom in scenario.PEOPLE:
        forbidden += [nom, prenom, scenario.mail(dossier_id), scenario.birth_date(dossier_id)]
        forbidden += [usage] if usage else []
    for _, _, _, _, first, last, _ in scenario.PARTICIPATIONS:
        forbidden += [first, last]
    external_ids = {e.strip() for *_, e in scenario.PARTICIPATIONS if e and e.strip()}
    forbidden += [e for e in external_ids if not e.isdigit()]
    # Numeric external ids are dossier numbers here: they may only appear as dossier ids.
    for line in lines:
        for key, value in line.items():
            if key not in ("dossier_id", "candidates"):
                assert str(value).strip() not in external_ids
    for word in forbidden:
        assert not appears(word, output), "personal data or secret in the output"


def test_a_missing_setting_exits_2_naming_it(tmp_path: Path) -> None:
    """A configuration error is one clear line, exit 2, no traceback."""
    result = cli(["sync", "--once"], clean_env(), tmp_path)
    assert result.returncode == 2
    assert "PIX_API_URL: not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.contract_only("stops before any I-Milo request: the mode changes nothing")
def test_invalid_mappings_exit_2_with_file_and_line(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """A typo in a mapping stops the sync before any write, pointing at the line."""
    (systems.mappings_dir / "campaigns.yaml").write_text("campaigns:\n  X:\n    modality: grup\n")
    result = cli(["sync", "--once"], clean_env(systems.env(database_url)), tmp_path)
    assert result.returncode == 2
    assert (
        "campaigns.yaml:3: modality must be one of individual, group, autonomous (got 'grup')"
        in result.stderr
    )
    assert systems.state()["writes"] == 0


@pytest.mark.contract_only("Pix is unreachable: the I-Milo mode changes nothing")
def test_unreachable_apis_fail_the_run_with_exit_1(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """When Pix cannot be reached the run fails (exit 1) and says why."""
    env = clean_env({**systems.env(database_url), "PIX_API_URL": "http://127.0.0.1:9"})
    result = cli(["sync", "--once", "--json"], env, tmp_path)
    assert result.returncode == 1
    assert last_json_line(result.stdout)["outcome"] == "failed"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_simulate_serves_a_fixture_directory(tmp_path: Path) -> None:
    """`pix-imilo simulate imilo` serves the fixture over HTTP until stopped."""
    data = scenario.write_scenario(tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [PIX_IMILO, "simulate", "imilo", "--data", str(data), "--port", str(port)],
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                state = httpx.get(f"http://127.0.0.1:{port}/_sim/state", timeout=1).json()
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.1)
        assert len(state["prescriptions"]) == len(scenario.PRESCRIPTIONS)
        assert state["writes"] == 0
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_demo_shows_updates_then_a_run_with_none(tmp_path: Path) -> None:
    """The demo realises prescriptions, then shows a second run changing nothing."""
    result = cli(["demo"], clean_env(), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "prescrit → réalisé" in result.stdout
    assert "the second run wrote nothing" in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["sync"],
        ["simulate"],
        ["demo"],
        ["review"],
        ["review", "list"],
        ["review", "resolve"],
        ["quarantine"],
        ["mappings", "check"],
        ["charte", "check"],
        ["worker"],
        ["healthcheck"],
    ],
)
def test_every_command_has_help(command: list[str], tmp_path: Path) -> None:
    """--help works everywhere and exits 0."""
    result = cli([*command, "--help"], clean_env(), tmp_path)
    assert result.returncode == 0
    assert "usage: pix-imilo" in result.stdout


def test_review_commands_list_show_and_resolve(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """A counsellor lists the queue (no names), shows an item (names), resolves it; the next
    sync writes it once."""
    env = clean_env(systems.env(database_url))
    assert cli(["sync", "--once"], env, tmp_path).returncode == 0
    listing = cli(["review", "list", "--json"], env, tmp_path)
    assert listing.returncode == 0, listing.stderr
    items = json.loads(listing.stdout)
    item = scenario.HOMONYM_PARTICIPATION
    assert any(i["id"] == item and i["reason"] == "homonyms" for i in items)
    assert "Leroy" not in listing.stdout and "Emma" not in listing.stdout
    table = cli(["review", "list", "--structure", scenario.PARIS], env, tmp_path)
    assert str(item) in table.stdout and "homonyms" in table.stdout
    shown = cli(["review", "show", str(item)], env, tmp_path)
    assert shown.returncode == 0 and "Emma Leroy" in shown.stdout
    dossier, prescription = scenario.HOMONYM_CHOICE
    resolved = cli(
        ["review", "resolve", str(item), "--dossier", str(dossier), "--by", "c.dupont"],
        env,
        tmp_path,
    )
    assert resolved.returncode == 0, resolved.stderr
    decided = json.loads(cli(["review", "show", str(item), "--json"], env, tmp_path).stdout)
    assert decided["decided_by"] == "c.dupont" and decided["decided_at"] is not None
    writes = systems.state()["writes"]
    after = cli(["sync", "--once", "--json"], env, tmp_path)
    assert last_json_line(after.stdout)["updated"] == 1
    assert systems.prescriptions()[prescription][0] == "ACHIEVED"
    assert systems.state()["writes"] == writes + scenario.writes_per_realisation(systems.api)
    again = cli(["review", "resolve", str(item), "--dismiss"], env, tmp_path)
    assert again.returncode == 2 and "no open review item" in again.stderr


def test_sync_of_one_campaign_only_touches_that_campaign(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """--campaign limits a run to one campaign; --since takes a date."""
    env = clean_env(systems.env(database_url))
    result = cli(
        ["sync", "--once", "--json", "--campaign", "RUNDIAG", "--since", "2026-01-01"],
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    in_reunion = {503, 504} & set(scenario.expected(systems.api))  # Maëlys: names only
    assert last_json_line(result.stdout)["updated"] == len(in_reunion)
    changed = {
        p for p, s in systems.prescriptions().items() if s != scenario.initial_prescriptions()[p]
    }
    assert changed == in_reunion
    bad = cli(["sync", "--once", "--since", "12/03/2026"], env, tmp_path)
    assert bad.returncode == 2 and "--since: expected a date as YYYY-MM-DD" in bad.stderr


@pytest.mark.contract_only("the quarantine holds Pix's records: the I-Milo mode changes nothing")
def test_quarantine_lists_redacted_records_and_retry_reads_them_again(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """Malformed records are listed with reasons, without personal data; `retry --all` makes
    the next sync read their campaign again, idempotently."""
    env = clean_env(systems.env(database_url))
    assert cli(["sync", "--once"], env, tmp_path).returncode == 0
    listing = cli(["quarantine", "list", "--json"], env, tmp_path)
    items = json.loads(listing.stdout)
    assert {i["reason"] for i in items} == {
        "id is not a number",
        "createdAt is not a valid ISO 8601 timestamp",
    }
    assert '"participantFirstName": "<redacted>"' in listing.stdout or all(
        i["record"].get("participantFirstName") in (None, "<redacted>") for i in items
    )
    table = cli(["quarantine", "list"], env, tmp_path)
    assert "id is not a number" in table.stdout
    writes = systems.state()["writes"]
    retried = cli(["quarantine", "retry", "--all"], env, tmp_path)
    assert retried.returncode == 0 and "2 record(s)" in retried.stdout
    again = cli(["sync", "--once", "--json"], env, tmp_path)
    body = last_json_line(again.stdout)
    assert body["quarantined"] == 2 and body["updated"] == 0
    assert systems.state()["writes"] == writes
    missing = cli(["quarantine", "retry", "10:424242"], env, tmp_path)
    assert missing.returncode == 2 and "no quarantined record" in missing.stderr


def test_import_csv_writes_once_and_needs_no_pix_settings(
    systems: Systems, database_url: str, tmp_path: Path
) -> None:
    """`import-csv FILE --structure CODE` with I-Milo settings only; a re-import writes nothing."""
    from tests.csv_exports import campaign_export

    export = tmp_path / "export.csv"
    export.write_bytes(campaign_export(10))
    env = clean_env(
        {k: v for k, v in systems.env(database_url).items() if not k.startswith("PIX_")}
    )
    first = cli(["import-csv", str(export), "--structure", scenario.PARIS, "--json"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert last_json_line(first.stdout)["updated"] > 0
    writes = systems.state()["writes"]
    again = cli(["import-csv", str(export), "--structure", scenario.PARIS, "--json"], env, tmp_path)
    assert last_json_line(again.stdout)["updated"] == 0
    assert systems.state()["writes"] == writes
    broken = tmp_path / "broken.csv"
    broken.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    bad = cli(["import-csv", str(broken), "--structure", scenario.PARIS], env, tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_simulate_injects_faults_when_asked(tmp_path: Path) -> None:
    """`--fault-rate 1 --fault-seed 3` makes every request fail one way or another."""
    data = scenario.write_scenario(tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [
            PIX_IMILO,
            "simulate",
            "imilo",
            "--data",
            str(data),
            "--port",
            str(port),
            "--fault-rate",
            "1",
            "--fault-seed",
            "3",
            "--fault-stall",
            "0.2",
        ],
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/_sim/state", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.1)
        headers = {"X-Gravitee-Api-Key": scenario.API_KEY}
        for _ in range(10):
            try:
                response = httpx.get(
                    f"{base}/operateurs/structures/{scenario.PARIS}", headers=headers, timeout=0.1
                )
                assert response.status_code in (500, 503, 429)
            except httpx.TransportError:
                pass  # a stall or a dropped connection
        assert sum(httpx.get(f"{base}/_sim/faults", timeout=2).json()["injected"].values()) == 10
    finally:
        process.terminate()
        process.wait(timeout=10)
