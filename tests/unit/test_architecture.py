"""The architecture as rules that fail (docs/architecture.md, "What may import what"):

- the import contracts in pyproject.toml ([tool.importlinter]): the domain imports no HTTP,
  SQL, logging, adapter, run or settings; the store knows no adapter; the layers hold;
- the domain reads no clock: time is given to it;
- the prescription statuses are named only where they are decided (the domain) or mapped
  (I-Milo's codes, and the simulator that stands for I-Milo);
- no module is over 400 lines.
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "connector"
MAX_LINES = 400

# Calls that read the clock: the domain is given ``now`` or a date, it never reads them.
CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
}


def modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_import_contracts_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True, no_logo=True) == 0


def test_a_broken_contract_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: a contract the code breaks (the run uses the domain) is caught."""
    config = tmp_path / "contracts.toml"
    config.write_text(
        textwrap.dedent(
            """
            [tool.importlinter]
            root_packages = ["connector"]

            [[tool.importlinter.contracts]]
            name = "a rule the code breaks"
            type = "forbidden"
            source_modules = ["connector.run"]
            forbidden_modules = ["connector.domain"]
            """
        )
    )
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(config), no_cache=True, no_logo=True) == 1


def clock_reads(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in CLOCK_READS
        ):
            found.append(f"{node.value.id}.{node.attr}")
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names]
            if (isinstance(node, ast.Import) and "time" in names) or (
                isinstance(node, ast.ImportFrom) and node.module == "time"
            ):
                found.append("import time")
    return found


def test_the_domain_reads_no_clock() -> None:
    readings = {
        str(path.relative_to(ROOT)): reads
        for path in modules(PACKAGE / "domain")
        if (reads := clock_reads(path.read_text(encoding="utf-8")))
    }
    assert readings == {}


def test_the_clock_check_can_fail() -> None:
    source = "from datetime import datetime\nimport time\nx = datetime.now()\ny = time.monotonic()"
    assert clock_reads(source) == ["import time", "datetime.now", "time.monotonic"]


STATUS = re.compile(r"\bONGOING\b")
STATUS_MAY_BE_NAMED = ("connector/domain/", "connector/imilo/codes.py", "connector/simulators/")


def test_prescription_statuses_are_named_only_where_decided_or_mapped() -> None:
    """A change of rule ("a closed prescription may also be realised") touches the domain and
    the mapping of statuses, nothing else."""
    elsewhere = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in modules(PACKAGE)
        if not str(path.relative_to(ROOT)).startswith(STATUS_MAY_BE_NAMED)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if STATUS.search(line)
    ]
    assert elsewhere == []


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for path in modules(PACKAGE)
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
