"""Admin commands: ``mappings check`` and ``charte check``."""

from __future__ import annotations

import argparse
import functools
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from connector.domain.structure_codes import structure_code_problem
from connector.errors import ApiError, UsageError
from connector.mappings import CONSOLE_FILE, MappingsError, load_console_access, load_mappings
from connector.run.charter_check import UNKNOWN_RULE, check_structure, unknown_structure
from connector.tables import render_table

__all__ = [
    "UNKNOWN_RULE",
    "add_admin_commands",
    "check_structure",
    "print_charte",
    "run_charte",
    "run_mappings",
    "structure_code_option",
]


def structure_code_option(text: str) -> str:
    """``type=`` of a ``--structure CODE`` option: the code, or a usage error (exit 2) that
    says what is wrong without repeating the value."""
    problem = structure_code_problem(text)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"not an I-Milo structure code: {problem}")
    return text


def add_admin_commands(commands: Any) -> None:
    mappings = commands.add_parser(
        "mappings",
        help="validate the admin-edited mapping files",
        description="Validate the mapping files. Each problem is printed as FILE:LINE: "
        "message. Exit 0 when valid, 2 when not.",
    )
    actions = mappings.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate every mapping file")
    check.add_argument(
        "directory",
        nargs="?",
        type=Path,
        help="the mappings folder (default: CONNECTOR_MAPPINGS_DIR, else ./mappings)",
    )
    charte = commands.add_parser(
        "charte",
        help="check each structure's « Evaluation PIX » offer against the national charter",
        description="Read the « Evaluation PIX » offer(s) of every mapped structure from "
        "I-Milo and check them against the national charter (June 2019). A rule on a field "
        "I-Milo does not serve is shown as unknown, and does not count against a structure. "
        "Exit 0 when all conform (no rule known to fail), 1 when a structure does not.",
    )
    charte_actions = charte.add_subparsers(dest="action", metavar="ACTION", required=True)
    charte_check = charte_actions.add_parser("check", help="print a conformance table")
    charte_check.add_argument("--json", action="store_true", help="one JSON document")
    charte_check.add_argument(
        "--allow-insecure-http",
        action="store_true",
        help="accept plain http:// API URLs for remote hosts (a test bench; credentials travel "
        "in clear); the same as CONNECTOR_ALLOW_INSECURE_HTTP=true",
    )


def run_mappings(args: argparse.Namespace) -> int:
    from connector.settings import load_store_settings

    directory = args.directory or load_store_settings().mappings_dir
    problems: list[str] = []
    try:
        mappings = load_mappings(directory)
    except MappingsError as error:
        problems += error.problems
    try:
        access = load_console_access(directory)
    except MappingsError as error:
        problems += error.problems
    if problems:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 2
    console = (
        f"console: {len(access.structures)} structure(s), {len(access.admins)} admin entry(ies)"
        if (directory / CONSOLE_FILE).exists()
        else f"no {CONSOLE_FILE}"
    )
    print(
        f"{directory}: valid ({len(mappings.organisations)} organisation(s), "
        f"{len(mappings.campaigns)} campaign(s) mapped, {console})"
    )
    return 0


def _first_assessment(connector: Any, organisations: list[Any]) -> date | None:
    """The structure's earliest Pix participation, read only when an offer needs it."""
    earliest = None
    for organisation in organisations:
        for campaign in connector.pix.campaigns(organisation.id):
            for record in connector.pix.participations(campaign, None):
                created = getattr(record, "created_at", None)
                if created is not None and (earliest is None or created < earliest):
                    earliest = created
    return earliest.date() if earliest else None


def run_charte(_args: argparse.Namespace) -> int:
    from connector.bootstrap import build
    from connector.settings import load_settings
    from connector.store.sql import SqlStateStore

    settings = load_settings()
    # Read-only: a missing store, or one at another revision, stops here unchanged (`build`
    # then finds the schema at its head, and has nothing to create or upgrade).
    SqlStateStore.open(settings.database_url, migrate=False).close()
    results: list[dict[str, Any]] = []
    skipped: list[str] = []
    with build(settings) as connector:
        name = connector.mappings.imilo.offer_name
        mapped = set(connector.mappings.organisations.values())
        try:
            structures = connector.sync.structures()
            for code, organisations in sorted(structures.items()):
                earliest = functools.partial(_first_assessment, connector, organisations)
                result = check_structure(connector.imilo, code, name, earliest)
                if result is None and code not in mapped:
                    # A Pix externalId that is no I-Milo code: not a Mission Locale (as in sync).
                    skipped.append(code)
                    continue
                results.append(result or unknown_structure(code))
        except ApiError as error:
            raise UsageError(f"charte check could not read the APIs: {error}") from None
    return print_charte(results, skipped, as_json=_args.json)


def print_charte(results: list[dict[str, Any]], skipped: list[str], *, as_json: bool) -> int:
    """Print ``charte check``'s verdicts (``check_structure``'s); the exit status: 0 when
    every structure conforms, as far as its known rules say."""
    if as_json:
        print(json.dumps(results, ensure_ascii=False))
    else:
        for result in results:
            mark = "conformant" if result["conformant"] else "NOT CONFORMANT"
            unknown = sorted({rule for o in result["offers"] for rule in o.get("unknown", ())})
            if result["conformant"] and unknown:
                mark += f" (unknown, not served by I-Milo: {', '.join(unknown)})"
            print(f"\n{result['structure']}  {result['name']} — {mark}")
            if result["problem"]:
                print(f"  {result['problem']}")
            if result["rows"]:
                print(render_table(["Offre", "Nom", "Règle", "Résultat"], result["rows"]))
        if skipped:
            print(f"\nNot I-Milo structures, skipped: {', '.join(skipped)}")
        failing = [r["structure"] for r in results if not r["conformant"]]
        print(
            f"\n{len(results) - len(failing)} of {len(results)} structure(s) conformant"
            + (f"; not conformant: {', '.join(failing)}" if failing else "")
        )
    return 0 if all(r["conformant"] for r in results) else 1
