"""Who may see which structure in the web console (``mappings/console.yaml``).

A principal is an e-mail or a group: an entry with ``@`` is an e-mail, compared trimmed and
case-insensitively; any other is a group (an ID-token claim value, e.g.
``ml-pau-conseillers``), compared trimmed and exactly. An e-mail never matches a group, nor a
group an e-mail. Admins see every structure; a counsellor sees the structures that name their
e-mail or one of their groups; anyone else sees none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["ConsoleAccess", "Viewer", "principal"]


def principal(entry: str) -> str:
    """The form an entry is compared in: an e-mail trimmed and lower-cased, a group trimmed."""
    trimmed = entry.strip()
    return trimmed.lower() if "@" in trimmed else trimmed


def _principals(entries: Iterable[str]) -> frozenset[str]:
    return frozenset(p for p in map(principal, entries) if p)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who signed in, from the ID token."""

    email: str | None
    groups: frozenset[str]

    def principals(self) -> frozenset[str]:
        """The viewer's e-mail (if it is one) and groups (those that are no e-mail)."""
        found = {p for p in map(principal, self.groups) if p and "@" not in p}
        if self.email is not None:
            email = principal(self.email)
            if "@" in email:
                found.add(email)
        return frozenset(found)


@dataclass(frozen=True, slots=True)
class ConsoleAccess:
    """``admins``: principals who see every structure; ``structures``: structure code →
    principals of its counsellors. Entries are kept in their compared form (``principal``).
    The default, nobody at all, is what an absent ``console.yaml`` means."""

    admins: frozenset[str] = frozenset()
    structures: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "admins", _principals(self.admins))
        structures = {code: _principals(entries) for code, entries in self.structures.items()}
        object.__setattr__(self, "structures", structures)

    def is_admin(self, viewer: Viewer) -> bool:
        return not self.admins.isdisjoint(viewer.principals())

    def structures_for(self, viewer: Viewer) -> frozenset[str]:
        """Admins: every code listed in ``structures``; others: the codes naming their e-mail
        or one of their groups."""
        if self.is_admin(viewer):
            return frozenset(self.structures)
        mine = viewer.principals()
        return frozenset(
            code for code, entries in self.structures.items() if not entries.isdisjoint(mine)
        )

    def may_see(self, viewer: Viewer, structure_code: str) -> bool:
        """Admins: any code, even one not listed; others: one of ``structures_for``."""
        return self.is_admin(viewer) or structure_code in self.structures_for(viewer)
