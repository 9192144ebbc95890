"""Precision and recall of the matcher, measured through a real sync.

Generates a labelled data set (bench/matching/generate.py), serves it with the bundled
simulators, runs one sync with a fresh state store, and compares what was written with the
labels:

- a *write* is wrong when it lands on another young person's dossier, or on another
  prescription than the labels expect; it is *unsure* when it lands on the right person
  although a careful counsellor could not have been certain;
- *precision* = 1 − wrong writes / all writes;
- *recall* = correct writes / participations a careful counsellor could match with certainty
  and that have an open prescription (``expectedWrite``).

With ``--imilo-api sessions`` the run speaks the gateway's session routes
(docs/imilo-gateway.md): there is no structure-wide search, so nothing may be written on
names alone. A participation is then expected to be written only when the counsellor's
certainty rests on a typed dossier number or e-mail (``expectedEvidence``), and
``names_only_writes`` counts the writes that rest on names alone (it must be 0).

Usage: python bench/match_eval.py [--participations N] [--structures S] [--seed K] [--data DIR]
       [--imilo-api contract|sessions]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: python bench/match_eval.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.matching.generate import generate
from connector.bootstrap import build
from connector.logs import configure_logging
from connector.settings import load_settings
from connector.simulators import (
    create_imilo_app,
    create_pix_app,
    load_imilo_data,
    load_pix_data,
    running,
)
from connector.store.sql import SqlStateStore


def sync(
    data: Path, state: Path, api: str = "contract"
) -> tuple[dict[int, tuple[int, int]], dict[int, str]]:
    """Run one sync over ``data`` with I-Milo in mode ``api``; return participation →
    (dossier, prescription) written, and participation → review reason."""
    mappings = state / "mappings"
    mappings.mkdir()
    database_url = f"sqlite:///{state / 'eval.db'}"
    with (
        running(create_pix_app(load_pix_data(data))) as pix_url,
        running(create_imilo_app(load_imilo_data(data), api=api)) as imilo_url,
    ):
        gateway = (
            {
                "IMILO_API": "sessions",
                "IMILO_OPERATEUR": "APPLICATION_CEJ",
                "IMILO_TOKEN_URL": f"{imilo_url}/oauth/token",
                "IMILO_CLIENT_ID": "bench-client",
                "IMILO_CLIENT_SECRET": "sim-secret",  # the simulator's
            }
            if api == "sessions"
            else {}
        )
        settings = load_settings(
            **gateway,
            PIX_API_URL=pix_url,
            PIX_CLIENT_ID="bench-client",
            PIX_CLIENT_SECRET="bench-secret",  # noqa: S106 - the generated simulator's
            IMILO_API_URL=imilo_url,
            IMILO_API_KEY="bench-key",
            CONNECTOR_DATABASE_URL=database_url,
            CONNECTOR_MAPPINGS_DIR=str(mappings),
            IMILO_MAX_RPS=0,  # measure the matcher, not the rate limit
        )
        with build(settings) as connector:
            report = connector.sync.run_once()
        print(f"sync: {json.dumps(report.counts())}", file=sys.stderr)
    store = SqlStateStore.open(database_url)
    written = {
        e.participation_id: (e.dossier_id, e.prescription_id)
        for e in store.ledger_entries()
        if e.state == "applied"
    }
    reasons = {e.participation_id: e.reason for e in store.reviews.entries()}
    store.close()
    return written, reasons


def evaluate(
    labels: list[dict[str, Any]],
    written: dict[int, tuple[int, int]],
    reasons: dict[int, str],
    api: str = "contract",
) -> dict[str, Any]:
    by_case: dict[str, Counter[str]] = defaultdict(Counter)
    missed_because: Counter[str] = Counter()
    names_only_writes = 0
    for label in labels:
        case = by_case[label["case"]]
        case["n"] += 1
        write = written.get(label["participationId"])
        names_only = label.get("expectedEvidence") == "names"
        expected = label["expectedWrite"] and not (api == "sessions" and names_only)
        names_only_writes += int(write is not None and names_only)
        case["expected"] += int(expected)
        if write is None:
            case["missed"] += int(expected)
            if expected:
                missed_because[reasons.get(label["participationId"], "not reviewed")] += 1
            continue
        dossier, prescription = write
        expected_prescription = label["expectedPrescriptionId"]
        if dossier != label["trueDossierId"] or (
            expected_prescription is not None and prescription != expected_prescription
        ):
            case["wrong"] += 1  # another young person's file, or the wrong prescription
        elif expected:
            case["correct"] += 1
        else:
            case["unsure"] += 1  # the right person, but a careful counsellor would have asked
    total = sum(by_case.values(), Counter())
    writes = total["correct"] + total["wrong"] + total["unsure"]
    return {
        "participations": len(labels),
        "writes": writes,
        "correct": total["correct"],
        "wrong": total["wrong"],
        "unsure": total["unsure"],
        "expected": total["expected"],
        "names_only_writes": names_only_writes,
        "precision": round(1 - total["wrong"] / writes, 5) if writes else 1.0,
        "recall": round(total["correct"] / total["expected"], 5) if total["expected"] else 1.0,
        "by_case": {case: dict(counts) for case, counts in sorted(by_case.items())},
        "missed_because": dict(missed_because.most_common()),
    }


def print_table(result: dict[str, Any]) -> None:
    columns = ("n", "expected", "correct", "missed", "unsure", "wrong")
    print(f"{'case':24}" + "".join(f"{c:>10}" for c in columns))
    for case, counts in result["by_case"].items():
        print(f"{case:24}" + "".join(f"{counts.get(c, 0):>10}" for c in columns))
    print(
        f"\nwrites {result['writes']}: correct {result['correct']}, unsure {result['unsure']}"
        f" (right person, not certain), wrong {result['wrong']}; expected {result['expected']}"
    )
    print(f"precision {result['precision']:.5f}   recall {result['recall']:.5f}")
    print(f"writes resting on names alone: {result['names_only_writes']}")
    print("missed, by review reason:", result["missed_because"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participations", type=int, default=5000)
    parser.add_argument("--structures", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, help="an existing labelled data set instead")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--imilo-api",
        choices=("contract", "sessions"),
        default="contract",
        help="the I-Milo routes the run speaks (default contract)",
    )
    args = parser.parse_args()
    configure_logging("ERROR")
    with tempfile.TemporaryDirectory(prefix="pix-imilo-eval-") as tmp:
        data = args.data
        if data is None:
            data = Path(tmp) / "data"
            generate(data, args.participations, args.structures, args.seed)
        state = Path(tmp) / "state"
        state.mkdir()
        labels = json.loads((data / "labels.json").read_text(encoding="utf-8"))
        result = evaluate(labels, *sync(data, state, args.imilo_api), args.imilo_api)
    if args.json:
        print(json.dumps(result))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
