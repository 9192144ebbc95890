"""What an I-Milo adapter can do. The domain decides with what it has, and never less safely.

I-Milo is reached two ways (docs/imilo-gateway.md): the contract this project proposes
(``IMILO_API=contract``: every capability) and the partner gateway's session routes, which
exist today (``IMILO_API=sessions``): no structure-wide search, no look-up by e-mail, no
actualités, offers without the charter's fields, and no conditional write.

What each missing capability changes:
- ``structure_name_search``: without it, the homonym check cannot be made, so a match on
  names alone is never written: it goes to review (``homonym_check_unavailable``);
- ``mail_lookup``: without it, an e-mail typed in Pix is matched only against the dossiers
  of the offer's candidates;
- ``dossier_lookup``: a dossier number typed in Pix can be confirmed by reading the dossier;
- ``actualites``: without them, the counsellor's comment goes with the write, and the run
  counts the actualités it could not record;
- ``charter_fields``: without them, the charter's rules on those fields are unknown, not
  failed: only a rule known to fail stops a structure;
- ``conditional_write``: without it, the adapter reads the status right before writing.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CONTRACT", "SESSIONS", "Capabilities"]


@dataclass(frozen=True, slots=True)
class Capabilities:
    structure_name_search: bool = True
    mail_lookup: bool = True
    dossier_lookup: bool = True
    actualites: bool = True
    charter_fields: bool = True
    conditional_write: bool = True


CONTRACT = Capabilities()
SESSIONS = Capabilities(
    structure_name_search=False,
    mail_lookup=False,
    dossier_lookup=True,
    actualites=False,
    charter_fields=False,
    conditional_write=False,
)
