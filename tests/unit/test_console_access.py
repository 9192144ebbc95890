"""console.yaml: who sees which structure in the console, read strictly with line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.domain.access import ConsoleAccess, Viewer
from connector.errors import ConfigurationError
from connector.mappings import CONSOLE_FILE, MappingsError, load_console_access

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "connector" / "entrypoints" / "demo" / "mappings"


def write(directory: Path, text: str) -> Path:
    (directory / CONSOLE_FILE).write_text(text, encoding="utf-8")
    return directory


def problems(directory: Path, text: str) -> list[str]:
    with pytest.raises(MappingsError) as raised:
        load_console_access(write(directory, text))
    return raised.value.problems


def test_a_valid_file_is_read_with_e_mails_lower_cased_and_entries_trimmed(
    tmp_path: Path,
) -> None:
    access = load_console_access(
        write(
            tmp_path,
            "admins: [' Admin@Demo.fr ', pix-imilo-admins]\n"
            "structures:\n"
            "  65440S00: [Conseillere@ML-Pau.fr, ' ml-pau-conseillers']\n"
            "  ' 97411S00 ':\n"
            "    - conseiller@ml-reunion.fr\n"
            "  75010S00:\n",
        )
    )
    assert access == ConsoleAccess(
        admins=frozenset({"admin@demo.fr", "pix-imilo-admins"}),
        structures={
            "65440S00": frozenset({"conseillere@ml-pau.fr", "ml-pau-conseillers"}),
            "97411S00": frozenset({"conseiller@ml-reunion.fr"}),
            "75010S00": frozenset(),
        },
    )
    assert access.structures_for(Viewer("CONSEILLERE@ml-pau.fr", frozenset())) == {"65440S00"}


def test_an_absent_file_means_nobody(tmp_path: Path) -> None:
    access = load_console_access(tmp_path)
    assert access == ConsoleAccess()
    assert access.structures_for(Viewer("admin@demo.fr", frozenset({"admins"}))) == frozenset()


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "admins:\nstructures:\n"])
def test_an_empty_file_or_empty_sections_mean_nobody(tmp_path: Path, text: str) -> None:
    assert load_console_access(write(tmp_path, text)) == ConsoleAccess()


def test_the_shipped_and_demo_files_are_valid() -> None:
    assert load_console_access(ROOT / "mappings") == ConsoleAccess()
    demo = load_console_access(DEMO)
    assert demo.admins == {"admin@demo.fr"}
    assert demo.structures == {
        "75010S00": {"conseillere.75010s00@demo.fr"},
        "97411S00": {"conseillere.97411s00@demo.fr"},
    }


def test_an_unknown_top_level_key_has_a_did_you_mean_hint(tmp_path: Path) -> None:
    assert problems(tmp_path, "admins: []\nstructure:\n  65440S00: [a@b.fr]\n") == [
        "console.yaml:2: unknown key 'structure' (did you mean 'structures'?)"
    ]


def test_empty_strings_are_problems(tmp_path: Path) -> None:
    assert problems(tmp_path, "admins: ['', '  ']\nstructures:\n  65440S00:\n    - ''\n") == [
        "console.yaml:1: admins: an entry is empty; expected an e-mail or a group name",
        "console.yaml:1: admins: an entry is empty; expected an e-mail or a group name",
        "console.yaml:4: structures: 65440S00: an entry is empty; expected an e-mail or a "
        "group name",
    ]


def test_entries_that_are_not_text_are_problems(tmp_path: Path) -> None:
    text = "admins:\n  - 3\n  - true\nstructures:\n  65440S00:\n    - {a: b}\n    -\n"
    what = "an entry must be an e-mail or a group name, as text"
    assert problems(tmp_path, text) == [
        f"console.yaml:2: admins: {what} (a number)",
        f"console.yaml:3: admins: {what} (true or false)",
        f"console.yaml:6: structures: 65440S00: {what} (a mapping)",
        f"console.yaml:7: structures: 65440S00: {what} (nothing)",
    ]


def test_duplicates_within_one_list_are_problems_but_not_across_lists(tmp_path: Path) -> None:
    text = (
        "admins:\n"
        "  - admin@demo.fr\n"
        "  - ' ADMIN@demo.fr'\n"
        "structures:\n"
        "  65440S00: [admin@demo.fr, ml-pau, ML-PAU, ml-pau]\n"
        "  97411S00: [ml-pau]\n"
    )
    assert problems(tmp_path, text) == [
        "console.yaml:3: admins: an entry is given twice (first on line 2)",
        "console.yaml:5: structures: 65440S00: an entry is given twice (first on line 5)",
    ]


def test_a_list_that_is_not_a_list_is_a_problem(tmp_path: Path) -> None:
    text = "# who\n\nadmins: admin@demo.fr\nstructures:\n  65440S00: conseillere@ml-pau.fr\n"
    assert problems(tmp_path, text) == [
        "console.yaml:3: admins must be a list of e-mails or groups",
        "console.yaml:5: structures: 65440S00 must be a list of e-mails or groups",
    ]


def test_structures_must_be_a_mapping_and_the_file_one(tmp_path: Path) -> None:
    assert problems(tmp_path, "admins: []\nstructures: [65440S00]\n") == [
        "console.yaml:2: 'structures' must be a mapping"
    ]
    assert problems(tmp_path, "- admin@demo.fr\n") == [
        "console.yaml:1: expected a mapping with sections admins, structures"
    ]


def test_a_bad_structure_code_is_a_problem_and_never_quoted(tmp_path: Path) -> None:
    text = (
        "structures:\n  65440S00: []\n  ml-pau/../x: [a@b.fr]\n  ABCDEFGHIJKLMNOPQ: []\n"
        "  12345678: []\n"
    )
    found = problems(tmp_path, text)
    assert found == [
        "console.yaml:3: structures: a key is not an I-Milo structure code: has lowercase "
        "letters, punctuation or control characters; expected 2 to 16 capitals A-Z and "
        "digits 0-9, e.g. 65440S00",
        "console.yaml:4: structures: a key is not an I-Milo structure code: 17 characters "
        "long, at most 16; expected 2 to 16 capitals A-Z and digits 0-9, e.g. 65440S00",
        "console.yaml:5: structures: a key is not an I-Milo structure code: not text (a "
        "number; quote a code made of digits only); expected 2 to 16 capitals A-Z and digits "
        "0-9, e.g. 65440S00",
    ]
    assert "ml-pau" not in "\n".join(found)


def test_a_code_given_twice_once_trimmed_is_a_problem(tmp_path: Path) -> None:
    assert problems(tmp_path, "structures:\n  65440S00: []\n  ' 65440S00': []\n") == [
        "console.yaml:3: structures: 65440S00 is given twice (first on line 2)"
    ]


def test_a_key_given_twice_and_bad_yaml_are_problems(tmp_path: Path) -> None:
    assert problems(tmp_path, "admins: []\nadmins: []\n") == [
        "console.yaml:2: a key is given twice (first on line 1)"
    ]
    assert problems(tmp_path, "admins: [a@b.fr\n")[0].startswith("console.yaml:")


def test_entries_are_never_quoted_in_problems(tmp_path: Path) -> None:
    """An entry may be someone's e-mail: the line says which one it is."""
    found = problems(tmp_path, "admins: [jeanne.martin@ml-pau.fr, jeanne.martin@ml-pau.fr]\n")
    assert found == ["console.yaml:1: admins: an entry is given twice (first on line 1)"]


def test_the_same_limits_as_the_other_mapping_files(tmp_path: Path) -> None:
    (tmp_path / CONSOLE_FILE).mkdir()
    with pytest.raises(MappingsError) as raised:
        load_console_access(tmp_path)
    assert raised.value.problems == [
        "console.yaml:1: not a regular file (a folder, a pipe or a device); expected YAML"
    ]
    (tmp_path / CONSOLE_FILE).rmdir()
    assert problems(tmp_path, "#" * 2_000_000) == [
        "console.yaml:1: too large: a mapping file must be under 1 MB"
    ]


def test_a_missing_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not a directory"):
        load_console_access(tmp_path / "missing")
