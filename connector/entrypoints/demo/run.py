"""``pix-imilo demo``: the whole path on bundled data, with nothing to install or configure."""

from __future__ import annotations

import os
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import httpx

from connector.bootstrap import build
from connector.domain.model import STATUS_WORDS
from connector.entrypoints.serving import running
from connector.logs import configure_logging
from connector.run.report import RunReport
from connector.settings import Settings, load_settings
from connector.simulators.fixtures import load_imilo_data, load_pix_data
from connector.simulators.imilo import create_imilo_app
from connector.simulators.pix import create_pix_app
from connector.tables import render_table

__all__ = ["run_demo"]

_NATURE_WORDS = {"ENTRETIEN_INDIVIDUEL": "entretien individuel", "ATELIER": "atelier"}


def _word(statut: str | None) -> str:
    return STATUS_WORDS.get(statut or "", statut or "?")


def _changes(
    before: dict[str, Any], after: dict[str, Any], offers: dict[int, str]
) -> list[list[str]]:
    old = {p["id"]: p for p in before["prescriptions"]}
    actualites = {a["idPrescription"]: a for a in after["actualites"]}
    rows = []
    for p in after["prescriptions"]:
        was = old.get(p["id"], {})
        if was.get("statut") == p["statut"] and was.get("dateRealisation") == p["dateRealisation"]:
            continue
        actualite = actualites.get(p["id"], {})
        rows.append(
            [
                offers.get(p["idOffre"], "?"),
                str(p["idDossier"]),
                str(p["id"]),
                f"{_word(was.get('statut'))} → {_word(p['statut'])}",
                str(p["dateRealisation"]),
                _NATURE_WORDS.get(actualite.get("nature", ""), "—"),
            ]
        )
    return sorted(rows, key=lambda row: (row[0], row[4], row[1]))


def _summary(report: RunReport) -> str:
    counts = report.counts()
    return ", ".join(
        f"{k} {counts[k]}"
        for k in ("fetched", "updated", "unchanged", "review", "quarantined", "failed")
    )


def run_demo(console_port: int | None = None) -> int:
    """The demo; with ``console_port``, then its console until Ctrl-C."""
    configure_logging(
        os.environ.get("CONNECTOR_LOG_LEVEL", "WARNING"), os.environ.get("CONNECTOR_LOG_FORMAT")
    )
    data = resources.files("connector.entrypoints.demo") / "data"
    mappings = resources.files("connector.entrypoints.demo") / "mappings"
    with (
        resources.as_file(data) as data_dir,
        resources.as_file(mappings) as mappings_dir,
        tempfile.TemporaryDirectory(prefix="pix-imilo-demo-") as state_dir,
    ):
        imilo_data = load_imilo_data(data_dir)
        with (
            running(create_pix_app(load_pix_data(data_dir))) as pix_url,
            running(create_imilo_app(imilo_data)) as imilo_url,
        ):
            settings = load_settings(
                PIX_API_URL=pix_url,
                PIX_CLIENT_ID="demo-client",
                PIX_CLIENT_SECRET="demo-secret",  # noqa: S106 - the bundled simulator's
                IMILO_API_URL=imilo_url,
                IMILO_API_KEY="demo-imilo-key",
                CONNECTOR_DATABASE_URL=f"sqlite:///{Path(state_dir) / 'demo.db'}",
                CONNECTOR_MAPPINGS_DIR=str(mappings_dir),
                IMILO_MAX_RPS=0,  # the bundled simulator needs no protection
            )
            offers = {offre.id: offre.code_structure for offre in imilo_data.offres}
            played = _play(settings, imilo_url, offers)
            if console_port is None or played != 0:
                return played
            from connector.entrypoints.demo.console import serve_demo_console

            return serve_demo_console(settings, console_port)


def _state(imilo_url: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{imilo_url}/_sim/state", timeout=10).json()
    return body


def _play(settings: Settings, imilo_url: str, offers: dict[int, str]) -> int:
    """Run twice and show what changed; ``offers`` maps offer ids to structure codes."""
    print("pix-imilo demo: Pix and I-Milo simulators started with bundled data.\n")
    before = _state(imilo_url)
    with build(settings) as connector:
        first = connector.sync.run_once()
    after = _state(imilo_url)
    rows = _changes(before, after, offers)
    print(f"First run ({first.outcome}): {_summary(first)}\n")
    print("What changed in I-Milo:")
    print(
        render_table(
            ["Structure", "Dossier", "Prescription", "Statut", "Réalisé le", "Actualité"], rows
        )
    )
    if first.reviews_by_reason:
        print("\nLeft for a counsellor to review:")
        for reason, count in sorted(first.reviews_by_reason.items()):
            print(f"  {reason}: {count}")
    with build(settings) as connector:
        second = connector.sync.run_once()
    final = _state(imilo_url)
    writes = final["writes"] - after["writes"]
    print(f"\nSecond run ({second.outcome}): {_summary(second)}")
    if writes == 0 and second.updated == 0:
        print("Nothing to change: the second run wrote nothing to I-Milo.")
    else:
        print(f"Unexpected: the second run made {writes} writes.")
        return 1
    return 0 if first.completed and second.completed else 1
