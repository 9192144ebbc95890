"""How a dry run shows its plan to an admin."""

from __future__ import annotations

from collections import defaultdict

from connector.pix.csv_export import guarded
from connector.run.report import RunReport, plan_item
from connector.tables import render_table

__all__ = ["print_plan"]

# The Nature column of a realisation recorded with no actualité (modality: autonomous).
NO_ACTUALITE = "—"


def print_plan(report: RunReport) -> None:
    items = [plan_item(w) for w in report.planned]
    print(f"Dry run: {len(items)} prescription(s) would be set to réalisé. Nothing was written.\n")
    if items:
        rows = [
            [
                guarded(i["structure"]),
                str(i["dossier_id"]),
                str(i["prescription_id"]),
                f"{i['from']} → {i['to']}",
                i["date"],
                i["nature"] or NO_ACTUALITE,
                guarded(i["reason"]),
            ]
            for i in sorted(items, key=lambda i: (i["structure"], i["date"], i["dossier_id"]))
        ]
        headers = ["Structure", "Dossier", "Prescription", "Statut", "Date", "Nature", "Raison"]
        print(render_table(headers, rows))
        if any(i["nature"] is None for i in items):
            print(
                f"\nNature {NO_ACTUALITE}: the test was taken alone (modality: autonomous), "
                "so réalisé is written with no actualité."
            )
    by_reason: dict[str, list[int]] = defaultdict(list)
    for review in report.reviews:
        by_reason[review.reason.value].append(review.participation_id)
    if by_reason:
        print("\nWould go to review, by reason (participation ids):")
        for reason, ids in sorted(by_reason.items()):
            shown = ", ".join(str(i) for i in sorted(ids)[:20])
            more = f" … and {len(ids) - 20} more" if len(ids) > 20 else ""
            print(f"  {reason} ({len(ids)}): {shown}{more}")
    for code, reason in sorted(report.skipped_structures.items()):
        # Codes come from Pix (an organisation's external id) or a file: shown guarded.
        print(f"\nStructure {guarded(code)} skipped: {guarded(reason)}")
