"""The case makers of the hard cases: someone alike in the structure (a real variant of the
person's names), someone with no dossier, a look-alike first name; and the fallback."""

from __future__ import annotations

from datetime import date

from bench.matching.cases import Cases
from bench.matching.names_pool import (
    FEMALE,
    FIRST_NAME_VARIANTS,
    FIRST_VARIANTS_OF,
    LAST_NAMES,
    LOOKALIKES,
    MALE,
    SEXE_OF,
    SURNAME_VARIANTS,
    SURNAME_VARIANTS_OF,
)
from bench.matching.text import core, name_key, one_edit
from bench.matching.world import Dossier, Part, Structure


class NearMisses(Cases):
    def _neighbours(self, d: Dossier) -> list[tuple[str, str]]:
        """Names one real variant away from d's: a variant of the last name (Gérard/Girard)
        or a look-alike first name (Louis/Louise, Yanis/Yannis)."""
        return [(d.prenom, v) for v in SURNAME_VARIANTS_OF.get(name_key(d.nom), [])] + [
            (v, d.nom)
            for v in FIRST_VARIANTS_OF.get(name_key(d.prenom), [])
            if one_edit(name_key(v), name_key(d.prenom))
        ]

    def _neighbour(self, st: Structure, like: Dossier, first: str, last: str) -> None:
        """Someone bearing these names exists in the structure (made if need be), most often
        prescribed: the one a typo could be taken for."""
        existing = st.index.agree(name_key(first), name_key(last))
        for other in existing:
            if other.plan == "other":
                other.plan = "lookalike"
        if not existing:
            sexe = like.sexe if first == like.prenom else SEXE_OF.get(first, like.sexe)
            self._dossier(st, first, last, sexe, "lookalike", usage=False).plan = "lookalike"

    def _case_typo_confusable(self, st: Structure) -> Part:
        """One slip in the names, no usable id, and someone alike in the structure: Léa
        GÉRARD typed « Léa Gérrad » while a Léa GIRARD exists. A counsellor hesitates."""
        on_last = self.chance(0.7)

        def check(d: Dossier) -> tuple[tuple[str, str], tuple[str, str]] | None:
            options = [
                (f, n)
                for f, n in self._neighbours(d)
                if (name_key(f), name_key(n)) not in st.typed_keys
            ]
            if d.twin is not None or not options:
                return None
            typed = self._slipped(d, on_last)
            if typed is None:
                return None
            partner = self.pick(options)
            if (name_key(partner[0]), name_key(partner[1])) == tuple(map(name_key, typed)):
                return None
            return typed, partner

        d, ((first, last), partner) = self._take(st, check)
        self._neighbour(st, d, *partner)
        campaign = self._campaign(st, "typo_confusable")
        external_id = self._garbage(st, first)
        return self._participation("typo_confusable", st, campaign, first, last, external_id, d, d)

    def _case_near_miss_no_prescription(self, st: Structure) -> Part:
        """Someone with no prescription, typing their own names, while a one-letter neighbour
        (Léa GÉRARD for Léa Girard) has one: their own dossier says it is not the neighbour."""

        def check(d: Dossier) -> tuple[str, str] | None:
            if d.twin is not None or not self._unique(d):
                return None
            options = [
                (f, n)
                for f, n in self._neighbours(d)
                if (name_key(f), name_key(n)) not in st.typed_keys
            ]
            return self.pick(options) if options else None

        d, partner = self._take(st, check)
        self._neighbour(st, d, *partner)
        return self._exactly("near_miss_no_prescription", st, d, self._junk(d), plan="none")

    def _case_near_miss_no_dossier(self, st: Structure) -> Part:
        """Someone with no dossier whose names are one real variant away from a dossier's:
        Léa Girard while Léa GÉRARD exists, Yannis Petit while Yanis PETIT exists. Nothing can
        tell them from a typo but knowing both spellings: any write is wrong."""
        on_last = self.chance(0.75)
        pairs = list(SURNAME_VARIANTS if on_last else FIRST_NAME_VARIANTS)
        self.rng.shuffle(pairs)
        for a, b in pairs:
            held, own = (a, b) if self.chance(0.5) else (b, a)
            found = (st.index.born if on_last else st.index.first).get(name_key(held), [])
            other = self.pick(found) if found else None
            if on_last:
                first = other.prenom if other else self._first_name()
                last = own
            else:
                first, last = own, (other.nom if other else self._last_name(st))
            key = (name_key(first), name_key(last))
            if st.index.agree(*key) or key in st.typed_keys:
                continue
            if other is None:
                theirs = (first, held) if on_last else (held, last)
                if (name_key(theirs[0]), name_key(theirs[1])) in st.typed_keys:
                    continue
                sexe = SEXE_OF.get(theirs[0], "F" if self.chance(0.5) else "H")
                other = self._dossier(st, *theirs, sexe, "lookalike", usage=False)
            if other.plan == "other":
                other.plan = "lookalike"
            typed_first, typed_last = self._retype(first), self._retype(last)
            campaign = self._campaign(st, "near_miss_no_dossier")
            external_id = (
                self._garbage(st, typed_first)
                if self.chance(0.8)
                else self._fresh_mail(first, last)
            )
            return self._participation(
                "near_miss_no_dossier",
                st,
                campaign,
                typed_first,
                typed_last,
                external_id,
                None,
                None,
            )
        raise LookupError

    def _first_name(self) -> str:
        return (FEMALE if self.chance(0.5) else MALE).draw(self.rng)

    def _fresh_mail(self, first: str, last: str) -> str:
        mail = None
        while mail is None:
            mail = self._mail(first, last, date(2005, 1, 1))
        return self._typed_mail(mail)

    def _case_not_shared(self, st: Structure) -> Part:
        """Started, or finished and not shared yet: nothing to write."""
        d, _ = self._take(st, lambda d: True if d.twin is None else None)
        status = "STARTED" if self.chance(0.6) else "TO_SHARE"
        return self._exactly("not_shared", st, d, self._good(d), status=status)

    def _case_different_first_name(self, st: Structure) -> Part:
        pairs = [*LOOKALIKES, *((b, a) for a, b in LOOKALIKES)]
        self.rng.shuffle(pairs)
        base: Dossier | None = None
        typed_first = ""
        for a, b in pairs:
            for d in st.index.first.get(name_key(a), []):
                if not st.index.agree(name_key(b), name_key(d.nom)):
                    base, typed_first = d, b
                    break
            if base is not None:
                break
        if base is None:
            for _ in range(100):
                a, b = self.pick(pairs)
                nom = self._last_name(st)
                if (
                    not st.index.agree(name_key(b), name_key(nom))
                    and (name_key(a), name_key(nom)) not in st.typed_keys
                ):
                    sexe = SEXE_OF.get(a, "F")
                    base = self._dossier(st, a, nom, sexe, "lookalike", usage=False)
                    typed_first = b
                    break
            else:
                raise LookupError
        base.plan = "lookalike" if base.plan == "other" else base.plan
        first, last = self._retype(typed_first), self._retype(base.nom)
        st.typed_keys.add((name_key(first), name_key(last)))
        campaign = self._campaign(st, "different_first_name")
        external_id = self._garbage(st, first)
        return self._participation(
            "different_first_name", st, campaign, first, last, external_id, None, None
        )

    def _case_no_dossier(self, st: Structure) -> Part:
        for _ in range(400):
            sexe = "F" if self.chance(0.5) else "H"
            prenom = (FEMALE if sexe == "F" else MALE).draw(self.rng)
            nom = self.pick(LAST_NAMES)
            lk = name_key(nom)
            if (
                st.index.near_last(lk)
                or core(nom) in st.index.cores
                or name_key(prenom) in st.index.last
            ):
                continue
            st.reserved_lasts.add(lk)
            first, last = self._retype(prenom), self._retype(nom)
            campaign = self._campaign(st, "no_dossier")
            if self.chance(0.2):
                mail = None
                while mail is None:
                    mail = self._mail(prenom, nom, date(2005, 1, 1))
                external_id: str | None = self._typed_mail(mail)
            else:
                external_id = self._garbage(st, first)
            return self._participation(
                "no_dossier", st, campaign, first, last, external_id, None, None
            )
        raise LookupError

    def _fresh_exact(self, st: Structure) -> Part:
        """A new person for an exact case, when the pool ran dry (tiny structures)."""
        while True:
            sexe = "F" if self.chance(0.5) else "H"
            prenom = (FEMALE if sexe == "F" else MALE).draw(self.rng)
            nom = self._last_name(st)
            key = (name_key(prenom), name_key(nom))
            if (
                not st.index.agree(*key)
                and key not in st.typed_keys
                and not any(one_edit(key[1], r) or key[1] == r for r in st.reserved_lasts)
            ):
                d = self._dossier(st, prenom, nom, sexe, "fresh", usage=False)
                return self._exactly("exact", st, d, self._number(d))
