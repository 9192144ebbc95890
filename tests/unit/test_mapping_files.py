"""Mapping files that are not files, or not fair: each is one FILE:LINE problem, quickly."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

import connector.mappings.loader as loader
from connector.bootstrap import Connector
from connector.entrypoints.worker import Worker
from connector.mappings import Mappings, MappingsError, load_mappings
from connector.settings import Settings


def problems(directory: Path) -> list[str]:
    with pytest.raises(MappingsError) as raised:
        load_mappings(directory)
    return raised.value.problems


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": each level lists the previous one nine times."""
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, levels):
        previous, current = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{current}: &{current} [" + ", ".join([f"*{previous}"] * 9) + "]")
    lines.append(f"campaigns: *{chr(ord('a') + levels - 1)}")
    return "\n".join(lines) + "\n"


def test_a_folder_instead_of_a_file_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "campaigns.yaml").mkdir()
    assert problems(tmp_path) == [
        "campaigns.yaml:1: not a regular file (a folder, a pipe or a device); expected YAML"
    ]


def test_a_fifo_is_never_opened(tmp_path: Path) -> None:
    """Opening a FIFO with no writer would block forever."""
    os.mkfifo(tmp_path / "organisations.yaml")
    found: list[list[str]] = []
    reader = threading.Thread(target=lambda: found.append(problems(tmp_path)), daemon=True)
    reader.start()
    reader.join(5)
    assert not reader.is_alive(), "reading the mappings blocked on a FIFO"
    assert found == [
        ["organisations.yaml:1: not a regular file (a folder, a pipe or a device); expected YAML"]
    ]


def test_a_file_of_1_mb_or_more_is_refused_unread(tmp_path: Path) -> None:
    (tmp_path / "imilo.yaml").write_text("#" * 2_000_000, encoding="utf-8")
    assert problems(tmp_path) == ["imilo.yaml:1: too large: a mapping file must be under 1 MB"]


def test_a_file_just_under_1_mb_is_read(tmp_path: Path) -> None:
    line = "#" * 99 + "\n"
    text = line * (loader.MAX_FILE_BYTES // len(line) - 1)
    (tmp_path / "campaigns.yaml").write_text(text, encoding="utf-8")
    assert load_mappings(tmp_path).campaigns == {}


def test_a_very_long_line_is_refused(tmp_path: Path) -> None:
    """The YAML reader takes seconds on a line of a few hundred thousand characters."""
    text = "campaigns: {}\n" + "#" * 500_000 + "\n"
    (tmp_path / "campaigns.yaml").write_text(text, encoding="utf-8")
    began = time.monotonic()
    assert problems(tmp_path) == [
        f"campaigns.yaml:2: line too long (more than {loader.MAX_LINE_CHARS} characters)"
    ]
    assert time.monotonic() - began < 5


def test_an_alias_bomb_is_refused_within_seconds(tmp_path: Path) -> None:
    (tmp_path / "campaigns.yaml").write_text(alias_bomb(), encoding="utf-8")
    began = time.monotonic()
    found = problems(tmp_path)
    assert time.monotonic() - began < 5
    assert len(found) == 1 and found[0].startswith("campaigns.yaml:")
    assert "aliases expand to more than" in found[0]


def test_too_many_aliases_are_refused(tmp_path: Path) -> None:
    anchors = "\n".join(f"  C{n}: *g" for n in range(loader.MAX_ALIASES + 1))
    (tmp_path / "campaigns.yaml").write_text(
        f"defaults: {{}}\ncampaigns:\n  BASE: &g {{modality: group}}\n{anchors}\n",
        encoding="utf-8",
    )
    found = problems(tmp_path)
    assert found == [f"campaigns.yaml:3: more than {loader.MAX_ALIASES} aliases (*name)"]


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    (tmp_path / "campaigns.yaml").write_text(
        "campaigns:\n  A: &g {modality: group}\n  B: *g\n", encoding="utf-8"
    )
    assert set(load_mappings(tmp_path).campaigns) == {"A", "B"}


def test_an_alias_inside_its_own_value_ends(tmp_path: Path) -> None:
    """The YAML reader cuts the loop (the inner alias reads as nothing)."""
    (tmp_path / "campaigns.yaml").write_text("campaigns: &c [*c]\n", encoding="utf-8")
    assert problems(tmp_path) == ["campaigns.yaml:1: 'campaigns' must be a mapping"]


def test_a_link_outside_the_folder_is_read_but_never_quoted(tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$s3cr3t:19000:0:\nsecret_key: hunter2\n", encoding="utf-8")
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "campaigns.yaml").symlink_to(secret)
    found = problems(mappings)
    assert found and all(p.startswith("campaigns.yaml:") for p in found)
    text = "\n".join(found)
    assert "s3cr3t" not in text and "hunter2" not in text and "root" not in text


def test_a_link_to_a_fifo_is_not_followed_into_it(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    (mappings / "imilo.yaml").symlink_to(tmp_path / "pipe")
    assert problems(mappings) == [
        "imilo.yaml:1: not a regular file (a folder, a pipe or a device); expected YAML"
    ]


def test_a_dangling_link_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "campaigns.yaml").symlink_to(tmp_path / "nowhere.yaml")
    assert problems(tmp_path) == ["campaigns.yaml:1: a link to a file that does not exist"]


def test_yaml_errors_name_the_position_not_the_text(tmp_path: Path) -> None:
    (tmp_path / "campaigns.yaml").write_text(
        "campaigns:\n  A: {modality: group}\n  B: 'hunter2\n", encoding="utf-8"
    )
    (found,) = problems(tmp_path)
    assert found.startswith("campaigns.yaml:") and "not valid YAML" in found
    assert "hunter2" not in found


def test_text_that_is_not_utf8_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "campaigns.yaml").write_bytes(b"campaigns:\n  A:\n  B\xe9: {}\n")
    assert problems(tmp_path) == ["campaigns.yaml:3: not UTF-8 text"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "campaigns.yaml"
    path.write_text("campaigns: {}\n", encoding="utf-8")
    path.chmod(0)
    try:
        assert problems(tmp_path) == ["campaigns.yaml:1: cannot be read (Permission denied)"]
    finally:
        path.chmod(0o600)


def test_an_unexpected_failure_is_one_problem_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_file: Any) -> Any:
        raise OverflowError("the file's text")

    monkeypatch.setattr(loader, "_campaigns", broken)
    assert problems(tmp_path) == ["campaigns.yaml:1: could not be checked (OverflowError)"]


def test_organisation_ids_equal_as_numbers_are_duplicates(tmp_path: Path) -> None:
    (tmp_path / "organisations.yaml").write_text(
        "organisations:\n  1202: '75010S00'\n  '1202': '75011S00'\n  ' 1202 ': '75012S00'\n",
        encoding="utf-8",
    )
    assert problems(tmp_path) == [
        "organisations.yaml:3: organisation 1202 is given twice (first on line 2)",
        "organisations.yaml:4: organisation 1202 is given twice (first on line 2)",
    ]


def test_campaign_codes_equal_once_trimmed_are_duplicates(tmp_path: Path) -> None:
    (tmp_path / "campaigns.yaml").write_text(
        "campaigns:\n  PARDIAG:\n  'PARDIAG ': {modality: group}\n  1202:\n  '1202': {}\n",
        encoding="utf-8",
    )
    assert problems(tmp_path) == [
        "campaigns.yaml:3: campaign PARDIAG is given twice (first on line 2)",
        "campaigns.yaml:5: campaign 1202 is given twice (first on line 4)",
    ]


def test_an_exact_duplicate_key_names_both_lines_without_values(tmp_path: Path) -> None:
    (tmp_path / "organisations.yaml").write_text(
        "organisations:\n  12: '75010S00'\n  12: 'hunter2'\n", encoding="utf-8"
    )
    assert problems(tmp_path) == ["organisations.yaml:3: a key is given twice (first on line 2)"]


class FakeConnector:
    def __init__(self) -> None:
        self.mappings = Mappings()

    def use_mappings(self, mappings: Mappings) -> None:
        self.mappings = mappings


def reload(directory: Path, connector: FakeConnector) -> Worker:
    worker = Worker(
        cast(
            Settings,
            SimpleNamespace(mappings_dir=directory, http_host="127.0.0.1", run_deadline=600.0),
        )
    )
    worker._reload_mappings(cast(Connector, connector))
    return worker


def test_the_worker_reload_keeps_the_last_mappings_on_any_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any exception: last mappings kept, metric at 0, /readyz shows a count, no text."""
    connector = FakeConnector()
    kept = connector.mappings

    def broken(_directory: Path) -> Mappings:
        raise RuntimeError("hunter2")

    monkeypatch.setattr("connector.entrypoints.worker.load_mappings", broken)
    worker = reload(tmp_path, connector)
    assert connector.mappings is kept
    assert worker.metrics.mappings_valid._value.get() == 0
    _, body = worker.readiness.check()
    assert body["mappings"] == (
        "invalid, the last valid mappings are in use: 1 problem(s), see `pix-imilo mappings check`"
    )


def test_the_worker_reload_counts_mapping_problems_and_recovers(tmp_path: Path) -> None:
    connector = FakeConnector()
    campaigns = tmp_path / "campaigns.yaml"
    campaigns.write_text("campaigns:\n  A: {modality: hunter2}\n  B: {x: 1}\n", encoding="utf-8")
    worker = Worker(
        cast(
            Settings,
            SimpleNamespace(mappings_dir=tmp_path, http_host="127.0.0.1", run_deadline=600.0),
        )
    )
    worker._reload_mappings(cast(Connector, connector))
    _, body = worker.readiness.check()
    assert "2 problem(s)" in body["mappings"] and "hunter2" not in body["mappings"]
    campaigns.write_text("campaigns:\n  A: {modality: group}\n", encoding="utf-8")
    worker._reload_mappings(cast(Connector, connector))
    assert worker.metrics.mappings_valid._value.get() == 1
    assert "mappings" not in worker.readiness.check()[1]
    assert set(connector.mappings.campaigns) == {"A"}
