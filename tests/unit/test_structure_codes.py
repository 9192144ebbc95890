"""I-Milo structure codes: 2 to 16 capitals and digits, checked wherever a code comes in."""

from __future__ import annotations

import pytest

from connector.domain.structure_codes import (
    MAX_LENGTH,
    is_structure_code,
    structure_code_problem,
)
from connector.entrypoints.cli import _parser

HOSTILE = "../../sue/dossiers/1?x=#"


@pytest.mark.parametrize(
    "code", ["65440S00", "2A004S00", "97411S00", "0750001X", "12", "A" * MAX_LENGTH]
)
def test_real_codes_are_codes(code: str) -> None:
    assert is_structure_code(code)
    assert structure_code_problem(code) is None


@pytest.mark.parametrize(
    "value",
    [
        HOSTILE,
        "65440s00",  # I-Milo writes its codes in capitals
        " 65440S00",
        "65440S00\n",
        "65440-S00",
        "65440%2F",
        "6544０S00",  # a full-width digit
        "A",
        "A" * (MAX_LENGTH + 1),
        "",
        None,
        65440,
        True,
        ["65440S00"],
    ],
)
def test_anything_else_is_not_a_code(value: object) -> None:
    assert not is_structure_code(value)
    assert structure_code_problem(value) is not None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (
            HOSTILE,
            "24 characters long, at most 16, has lowercase letters, punctuation or control characters",
        ),
        ("65440s00", "has lowercase letters"),
        ("65440 S00", "has spaces"),
        ("6544０S00", "has characters outside ASCII"),
        ("X" * 400, "400 characters long, at most 16"),
        ("X", "1 character long, at least 2"),
        ("", "empty"),
        (97411, "a number; quote a code made of digits only"),
    ],
)
def test_a_problem_says_what_is_wrong_without_quoting_the_value(value: object, words: str) -> None:
    problem = structure_code_problem(value)
    assert problem is not None
    assert words in problem
    assert "e.g. 65440S00" in problem
    if isinstance(value, str) and value:
        assert value not in problem


def test_a_structure_option_that_is_no_code_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``review list --structure``: argparse's usage error, exit 2, the value not repeated."""
    with pytest.raises(SystemExit) as exited:
        _parser().parse_args(["review", "list", "--structure", HOSTILE])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "--structure: not an I-Milo structure code: 24 characters long" in error
    assert HOSTILE not in error


def test_a_structure_option_that_is_a_code_is_kept() -> None:
    args = _parser().parse_args(["review", "list", "--structure", "65440S00"])
    assert args.structure == "65440S00"
