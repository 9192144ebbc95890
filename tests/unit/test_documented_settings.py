"""Every setting is documented where an operator looks: `config/.env.example` lists them all,
and the README's configuration table names the same ones, neither more nor less. Both are
also checked against the settings the code reads."""

from __future__ import annotations

import re
from pathlib import Path

from connector.console.settings import ConsoleSettings
from connector.settings import LogSettings, Settings

ROOT = Path(__file__).resolve().parents[2]
NAME = re.compile(r"`([A-Z][A-Z0-9_]+)`")
ASSIGNED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=", re.MULTILINE)
README_TABLE_HEADER = "| variable | required | default | meaning |"


def env_example() -> set[str]:
    return set(ASSIGNED.findall((ROOT / "config" / ".env.example").read_text(encoding="utf-8")))


def readme_table() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(README_TABLE_HEADER)
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1])  # the first column only: names, not examples
    return {name for row in rows for name in NAME.findall(row)}


def code_settings() -> set[str]:
    fields = [
        *Settings.model_fields.values(),
        *LogSettings.model_fields.values(),
        *ConsoleSettings.model_fields.values(),
    ]
    return {str(i.validation_alias) for i in fields if isinstance(i.validation_alias, str)}


def test_the_env_example_and_the_readme_table_list_the_same_variables() -> None:
    example, table = env_example(), readme_table()
    assert example - table == set(), "in config/.env.example, not in the README's table"
    assert table - example == set(), "in the README's table, not in config/.env.example"


def test_every_setting_the_code_reads_is_documented() -> None:
    assert code_settings() - readme_table() == set()
    assert readme_table() - code_settings() == set()
