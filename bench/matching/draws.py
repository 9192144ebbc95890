"""The generator's random draws: ids, days, mails, and the ways young people type their names
and ids. Every draw comes from one ``random.Random(seed)``, in a fixed order."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any, TypeVar

from bench.matching.names_pool import GARBAGE
from bench.matching.text import LIGATURES, NEAR, name_key, one_edit, slug, strip_accents
from bench.matching.world import (
    EMAIL_LABEL,
    FIRST_PRESCRIPTION_ID,
    Campaign,
    Dossier,
    Part,
    Structure,
)

T = TypeVar("T")


class Draws:
    """The state every part of the generator shares, and its small random draws."""

    def __init__(self, participations: int, structures: int, seed: int) -> None:
        if participations < 0 or structures < 1:
            raise ValueError("need participations >= 0 and structures >= 1")
        self.n = participations
        self.s = structures
        self.rng = random.Random(seed)
        self.used_ids: set[int] = set()
        self.mails: set[str] = set()
        self.mail_suffix: dict[str, int] = {}
        self.codes: set[str] = set()
        self.structures: list[Structure] = []
        self.parts: list[Part] = []
        self.prescriptions: list[dict[str, Any]] = []
        self.next_prescription = FIRST_PRESCRIPTION_ID

    # -- small draws --

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def _new_id(self) -> int:
        while True:
            candidate = self.rng.randrange(1_000_000, 10_000_000)
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def _day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def _mail(self, prenom: str, nom: str, birth: date) -> str | None:
        r = self.rng.random()
        if r < 0.15:
            return None
        p, n = slug(prenom), slug(nom)
        if r < 0.85:
            local, domain = f"{p}.{n}", "example.org"
        else:
            local = self.pick((f"{p}{birth.year % 100:02d}", f"{p[0]}{n}", f"{n}.{p}", f"{p}_{n}"))
            domain = self.pick(("example.net", "example.com"))
        mail = f"{local}@{domain}"
        while mail in self.mails:
            k = self.mail_suffix.get(f"{local}@{domain}", 1) + 1
            self.mail_suffix[f"{local}@{domain}"] = k
            mail = f"{local}{k}@{domain}"
        self.mails.add(mail)
        return mail

    # -- typing --

    def _retype(self, name: str) -> str:
        r = self.rng.random()
        if r < 0.50:
            typed = name
        elif r < 0.65:
            typed = name.upper()
        elif r < 0.77:
            typed = name.lower()
        elif r < 0.92:
            typed = strip_accents(name)
        else:
            typed = strip_accents(name).lower()
        if self.chance(0.03):
            typed += " "
        return typed

    def _separator_variant(self, name: str) -> str | None:
        options = []
        if "-" in name:
            options += [name.replace("-", " "), name.replace("-", " ").lower()]
        if "'" in name:
            options += [name.replace("'", ""), name.replace("'", " "), name.replace("'", "’")]
        if " " in name:
            words = name.split()
            options += [words[0] + "".join(w.lower() for w in words[1:]), "".join(words).upper()]
        if any(c in name for c in "œŒæÆ"):
            options.append(name.translate(LIGATURES))
        return self.pick(options) if options else None

    def _typo(self, name: str) -> str | None:
        letters = [i for i, c in enumerate(name) if c.isalpha()]
        i = self.pick(letters)
        c = name[i]
        near = NEAR.get(strip_accents(c).lower(), "e")
        op = self.pick(("substitution", "insertion", "deletion", "transposition"))
        if op == "substitution":
            n = self.pick(near)
            typed = name[:i] + (n.upper() if c.isupper() else n) + name[i + 1 :]
        elif op == "insertion":
            n = c.lower() if self.chance(0.5) else self.pick(near)
            typed = name[: i + 1] + n + name[i + 1 :]
        elif op == "deletion":
            typed = name[:i] + name[i + 1 :]
        elif i + 1 < len(name) and name[i + 1].isalpha():
            # Swap the letters but keep the case pattern: « Rgoer », not « gRoer ».
            after = name[i + 1]
            first = after.upper() if c.isupper() else after.lower()
            second = c.upper() if after.isupper() else c.lower()
            typed = name[:i] + first + second + name[i + 2 :]
        else:
            return None
        return typed if one_edit(name_key(typed), name_key(name)) else None

    def _garbage(self, st: Structure, first: str) -> str | None:
        r = self.rng.random()
        if r < 0.15:
            return None
        if r < 0.30:
            return ""
        if r < 0.38:
            digits = [self.rng.randrange(10, 100) for _ in range(4)]
            return f"0{self.pick('67')} " + " ".join(str(x) for x in digits)
        if r < 0.44:
            day = self._day(date(2000, 1, 1), date(2010, 6, 30))
            return day.strftime("%d/%m/%Y")
        if r < 0.50:
            return f"ML {st.city}"
        if r < 0.53:
            return first
        return self.pick(GARBAGE)

    def _padded(self, ident: int) -> str:
        s = str(ident)
        return self.pick(
            (
                f" {s}",
                f"{s} ",
                f"  {s}  ",
                f"{s[:3]} {s[3:]}",
                f"{s[0]} {s[1:4]} {s[4:]}",
                f"{s[:2]} {s[2:4]} {s[4:]}",
                f"0{s}",
                f"00{s}",
                f" 000{s} ",
                f"00 {s}",
                f"{s[:3]}.{s[3:5]}.{s[5:]}",
                f"{s[:3]}-{s[3:]}",
                f"n° {s}",
                f"#{s}",
            )
        )

    def _typed_mail(self, mail: str) -> str:
        r = self.rng.random()
        if r < 0.55:
            typed = mail
        elif r < 0.65:
            typed = mail.upper()
        elif r < 0.80:
            typed = mail[0].upper() + mail[1:]
        else:
            local, _, domain = mail.partition("@")
            typed = f"{local.title()}@{domain.capitalize()}"
        if self.chance(0.15):
            typed = self.pick((f" {typed}", f"{typed} ", f"  {typed} "))
        return typed

    def _good_id(self, d: Dossier, campaign: Campaign) -> str:
        if campaign.label == EMAIL_LABEL and d.mail and self.chance(0.85):
            return self._typed_mail(d.mail)
        return str(d.id)

    def _id_typos(self, ident: int) -> list[int]:
        s = str(ident)
        subs = [
            int(s[:i] + digit + s[i + 1 :])
            for i in range(len(s))
            for digit in "0123456789"
            if digit != s[i] and not (i == 0 and digit == "0")
        ]
        swaps = [
            int(s[:i] + s[i + 1] + s[i] + s[i + 2 :])
            for i in range(len(s) - 1)
            if s[i] != s[i + 1] and not (i == 0 and s[1] == "0")
        ]
        self.rng.shuffle(subs)
        self.rng.shuffle(swaps)
        return swaps + subs if self.chance(0.35) else subs + swaps
