"""Why an item waits for a counsellor, in the words a counsellor reads (French)."""

from __future__ import annotations

__all__ = ["REASON_WORDS", "reason_words"]

REASON_WORDS = {
    "unknown_dossier": "numéro de dossier inconnu",
    "names_disagree": "le numéro désigne un autre jeune",
    "conflicting_ids": "identifiants contradictoires",
    "homonyms": "homonymes parmi les prescrits",
    "homonym_in_structure": "homonyme dans la structure",
    "homonym_check_unavailable": "noms seuls, homonymes non vérifiables dans I-Milo",
    "weak_match": "ressemblance insuffisante",
    "no_candidate": "aucun jeune correspondant",
    "no_open_prescription": "pas de prescription « Evaluation PIX » en cours",
    "prescription_changed_meanwhile": "prescription modifiée entre-temps",
}


def reason_words(reason: str) -> str:
    """The reason in plain French; an unknown code is shown as it is."""
    return REASON_WORDS.get(reason, reason)
