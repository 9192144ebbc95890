"""The columns of a Pix Orga CSV export: which header holds which field, found by its name.

Headers compare as people retype them: blanks, case, accents and apostrophes vary. A header
Pix has renamed is found by any of its names (``COLUMNS``).

**The external-id column** is found by its header, not by its place. Pix writes, in this
order: its own columns up to « Prénom du Participant », then the organisation's own columns
(from its learner import: « Service », « Site », « Date de naissance »…), « Classe »,
« Groupe », « Numéro Étudiant » for schools and universities, then the campaign's
external-id label (free text typed by the organisation) if it has one, then « % de
progression » and Pix's results. So the external id is, among the headers before « % de
progression » (« Date et heure de début » in exports without it) that are not Pix's own,
one that reads as an identifier label: a word such as dossier, i-milo/imilo/milo,
identifiant, id, mail/e-mail/courriel, numéro/n°, matricule or référence, compared without
accents or case (``reads_as_id_label``). A header also naming a telephone, postal code,
birth date or social-security number is never one. If several headers qualify, the one
nearest before « % de progression » wins: that is where Pix puts the label. If none does,
there is no external id, and names alone identify the young person: a « hobby » or « Code
postal » column is never taken for one (a postal code would read as a dossier number). The
caller can still name the column (``external_id_column``), or say there is none (``""``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from connector.pix.csv_file import CsvExportError
from connector.pix.formula_guard import unguard

__all__ = ["COLUMNS", "Layout", "find_layout", "reads_as_id_label"]

# The fields read, each with the headers Pix has used for it, current one first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "organisation": ("Nom de l'organisation",),
    "campaign_id": ("ID Campagne",),
    "code": ("Code",),  # absent from exports made before campaign codes were exported
    "campaign_name": ("Nom de la campagne",),
    "target_profile": ("Parcours", "Nom du Profil Cible"),
    "last_name": ("Nom du Participant",),
    "first_name": ("Prénom du Participant",),
    "progression": ("% de progression",),  # not read: the external-id label comes before it
    "started_at": ("Date et heure de début (Europe/Paris)", "Date de début"),
    "shared": ("Partage (O/N)",),
    "shared_at": ("Date et heure du partage (Europe/Paris)", "Date du partage"),
    "mastery": ("% maitrise de l'ensemble des acquis du profil",),
}
_OPTIONAL = frozenset({"code", "target_profile", "progression", "mastery"})
# What Pix writes after the first name for school and university organisations: not an external id.
_OTHER_HEADERS = ("Classe", "Groupe", "Numéro Étudiant")
# Words of an identifier label, accents and case folded (a trailing plural s is dropped), and
# words that make a header something else: a phone or social-security number, a postal code,
# a birth date are no external id, whatever else the header says.
_ID_WORDS = frozenset(
    {"dossier", "imilo", "milo", "identifiant", "ident", "id", "mail", "email", "courriel"}
    | {"numero", "num", "matricule", "reference", "ref"}
)
_NOT_ID_WORDS = frozenset(
    {"telephone", "tel", "portable", "mobile", "postal", "naissance", "date", "securite", "secu"}
    | {"nir", "insee", "iban"}
)
_NUMBER_SIGN = re.compile(r"(?<![a-z0-9])n\s*°")  # « N° », « n° » (« Nº » is folded to °)


def _norm(header: str) -> str:
    # Headers compare as people retype them: blanks, case, accents and apostrophes vary.
    text = unicodedata.normalize("NFKD", unguard(header).replace("\u2019", "'"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split()).casefold()


_KNOWN = frozenset(_norm(h) for h in (*_OTHER_HEADERS, *(a for v in COLUMNS.values() for a in v)))


def reads_as_id_label(header: str) -> bool:
    """Whether a header reads as the label of an identifier: « Numéro de dossier i-milo »,
    « Identifiant I-Milo (7 chiffres) », « Adresse e-mail », « N° dossier » do; « hobby »,
    « Service », « Code postal », « Numéro de téléphone », « Date de naissance » do not."""
    text = _norm(header.replace("\u00ba", "\u00b0"))
    words = {w[:-1] if len(w) > 2 and w.endswith("s") else w for w in re.findall("[a-z0-9]+", text)}
    if words & _NOT_ID_WORDS:
        return False
    electronic_address = {"adresse", "electronique"} <= words
    return bool(words & _ID_WORDS) or electronic_address or bool(_NUMBER_SIGN.search(text))


@dataclass(frozen=True, slots=True)
class Layout:
    """The export's headers (as typed) and the place of each field found (``COLUMNS``'
    names, and ``external_id``)."""

    headers: list[str]
    index: dict[str, int] = field(default_factory=dict)

    def cell(self, cells: list[str], name: str) -> str:
        """The field's cell in a row, as typed; empty if the column or the cell is absent."""
        index = self.index.get(name)
        return unguard(cells[index]) if index is not None and index < len(cells) else ""

    def header(self, name: str) -> str:
        """The field's header as the file writes it (the field's name if absent)."""
        return self.headers[self.index[name]] if name in self.index else name


def find_layout(header: list[str], external_id_column: str | None) -> Layout:
    """Where each field is, from the header row; ``CsvExportError`` if a required one is
    missing. ``external_id_column``: ``None`` finds it by its header (the module's docstring
    says how), ``""`` says there is none, another text names it."""
    names = [_norm(h) for h in header]
    layout = Layout(headers=[unguard(h) for h in header])
    for name, aliases in COLUMNS.items():
        found = [names.index(_norm(a)) for a in aliases if _norm(a) in names]
        if found:
            layout.index[name] = found[0]
    missing = [v[0] for k, v in COLUMNS.items() if k not in layout.index and k not in _OPTIONAL]
    if missing:
        listed = ", ".join(f"«{m}»" for m in missing)
        hint = " (is it separated by ';'?)" if len(header) == 1 else ""
        raise CsvExportError(f"the CSV export lacks the column(s) {listed}{hint}")
    if external_id_column:
        if _norm(external_id_column) not in names:
            raise CsvExportError(f"the CSV export has no column «{external_id_column}»")
        layout.index["external_id"] = names.index(_norm(external_id_column))
    elif external_id_column is None:
        # Pix writes the campaign's external-id label last before « % de progression », after
        # the organisation's own columns: the nearest header before it that reads as an id
        # label (see the module's docstring). An empty string from the caller says the
        # campaign asks for none.
        anchor = layout.index.get("progression", layout.index["started_at"])
        labels = [
            i
            for i in range(anchor)
            if names[i] and names[i] not in _KNOWN and reads_as_id_label(header[i])
        ]
        if labels:
            layout.index["external_id"] = labels[-1]
    return layout
