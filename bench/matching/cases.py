"""The case makers: for each case, a true person taken from the structure and the
participation they make, typed as the case says (see generate.py's docstring)."""

from __future__ import annotations

from collections.abc import Callable

from bench.matching.labels import close
from bench.matching.people import People
from bench.matching.text import name_key
from bench.matching.world import (
    BY_WORLD,
    FUZZY,
    GARBAGE_WITH_NAME_NOISE,
    MIN_SLIP,
    TYPO_ON_LAST_NAME,
    Campaign,
    Dossier,
    Part,
    Structure,
)


class Cases(People):
    # -- the cases --

    def _participation(
        self,
        case: str,
        st: Structure,
        campaign: Campaign,
        first: str,
        last: str,
        external_id: str | None,
        true: Dossier | None,
        intended: Dossier | None,
        plan: str = "ongoing",
        status: str = "SHARED",
    ) -> Part:
        shared, created, day = self._moment(st, campaign)
        if true is not None:
            true.plan = plan
            true.shared_on = day
        mastery = round(self.rng.betavariate(2.5, 2.0), 2)
        st.typed_keys.add((name_key(first), name_key(last)))
        return Part(
            case=case,
            structure=st,
            campaign=campaign,
            first=first,
            last=last,
            external_id=external_id,
            true=true,
            intended=intended,
            shared=shared if status == "SHARED" else None,
            created=created,
            mastery=mastery if status == "SHARED" else None,
            status=status,
            by_world=case in BY_WORLD,
        )

    def _exactly(
        self,
        case: str,
        st: Structure,
        d: Dossier,
        typed_id: Callable[[Campaign], str | None],
        plan: str = "ongoing",
        status: str = "SHARED",
    ) -> Part:
        """A participation whose names are the dossier's (birth name), retyped."""
        campaign = self._campaign(st, case)
        intended = None if case in ("homonym", "duplicate_dossiers") else d
        first, last = self._retype(d.prenom), self._retype(d.nom)
        return self._participation(
            case, st, campaign, first, last, typed_id(campaign), d, intended, plan, status
        )

    def _number(self, d: Dossier) -> Callable[[Campaign], str | None]:
        return lambda _: str(d.id)

    def _good(self, d: Dossier) -> Callable[[Campaign], str | None]:
        return lambda campaign: self._good_id(d, campaign)

    def _junk(self, d: Dossier) -> Callable[[Campaign], str | None]:
        return lambda _: self._garbage(d.structure, d.prenom)

    def _case(self, case: str, st: Structure) -> Part:
        handler = getattr(self, f"_case_{case}")
        part: Part = handler(st)
        return part

    def _case_exact(self, st: Structure) -> Part:
        d, _ = self._take(st, lambda d: True)
        return self._exactly("exact", st, d, self._number(d))

    def _case_id_spaces_padding(self, st: Structure) -> Part:
        d, _ = self._take(st, lambda d: True)
        return self._exactly("id_spaces_padding", st, d, lambda _: self._padded(d.id))

    def _case_id_email(self, st: Structure) -> Part:
        d, mail = self._take(st, lambda d: d.mail if d.twin is None else None)
        return self._exactly("id_email", st, d, lambda _: self._typed_mail(mail))

    def _case_id_garbage(self, st: Structure) -> Part:
        d, _ = self._take(st, lambda d: True if self._unique(d) else None)
        return self._exactly("id_garbage", st, d, self._junk(d))

    def _case_id_typo_nonexistent(self, st: Structure) -> Part:
        d, _ = self._take(st, lambda d: True if self._unique(d) else None)
        typo = next(n for n in self._id_typos(d.id) if n not in self.used_ids)
        self.used_ids.add(typo)  # reserved: no dossier will ever get it
        return self._exactly("id_typo_nonexistent", st, d, lambda _: str(typo))

    def _case_id_typo_other_person(self, st: Structure) -> Part:
        d, _ = self._take(st, lambda d: True if self._unique(d) else None)
        fk, lk = name_key(d.prenom), name_key(d.nom)
        try:
            victim, _ = self._take(
                st, lambda v: True if v.twin is None and not close(fk, lk, v) else None
            )
        except LookupError:
            st.free.append(d)
            raise
        typo = next(n for n in self._id_typos(d.id) if n not in self.used_ids)
        self.used_ids.add(typo)
        victim.id = typo  # its old id stays in used_ids, so nobody gets it later
        victim.plan = "victim"
        return self._exactly("id_typo_other_person", st, d, lambda _: str(typo))

    def _case_closed_prescription(self, st: Structure) -> Part:
        d, _ = self._take(st, lambda d: True if d.twin is None else None)
        return self._exactly("closed_prescription", st, d, self._good(d), plan="closed")

    def _case_no_prescription(self, st: Structure) -> Part:
        d, _ = self._take(st, lambda d: True if d.twin is None else None)
        return self._exactly("no_prescription", st, d, self._good(d), plan="none")

    def _homonym_case(self, case: str, st: Structure) -> Part:
        def natural(d: Dossier) -> bool | None:
            if d.twin is not None:
                return None
            same = st.index.birth[(name_key(d.prenom), name_key(d.nom))]
            return True if any(o is not d for o in same) else None

        d: Dossier | None = None
        if self.chance(0.5):
            try:
                d, _ = self._take(st, natural)
            except LookupError:
                d = None
        if d is None:
            d, _ = self._take(st, lambda d: True if d.twin is None else None)
            homonym = self._dossier(st, d.prenom, d.nom, d.sexe, "homonym", usage=False)
            homonym.plan = "homonym"
        typed_id = self._number(d) if case == "homonym_with_id" else self._junk(d)
        return self._exactly(case, st, d, typed_id)

    def _case_homonym(self, st: Structure) -> Part:
        return self._homonym_case("homonym", st)

    def _case_homonym_with_id(self, st: Structure) -> Part:
        return self._homonym_case("homonym_with_id", st)

    def _case_duplicate_dossiers(self, st: Structure) -> Part:
        try:
            d, _ = self._take(st, lambda d: True if d.twin is not None else None)
        except LookupError:
            d, _ = self._take(st, lambda d: True)
            self._twin(d)
        return self._exactly("duplicate_dossiers", st, d, self._junk(d))

    def _noisy(
        self, case: str, st: Structure, check: Callable[[Dossier, bool], tuple[str, str] | None]
    ) -> Part:
        """A name-noise case: check returns the typed names, or None when d does not fit."""
        garbage = self.chance(GARBAGE_WITH_NAME_NOISE)
        d, (first, last) = self._take(st, lambda d: None if d.twin else check(d, garbage))
        campaign = self._campaign(st, case)
        external_id = self._garbage(st, first) if garbage else self._good_id(d, campaign)
        intended = None if garbage and case in FUZZY else d
        st.typed_keys.add((name_key(first), name_key(last)))
        return self._participation(case, st, campaign, first, last, external_id, d, intended)

    def _case_hyphen_space(self, st: Structure) -> Part:
        def check(d: Dossier, garbage: bool) -> tuple[str, str] | None:
            if garbage and not self._unique(d):
                return None
            first, last = self._separator_variant(d.prenom), self._separator_variant(d.nom)
            if first is None and last is None:
                return None
            if first is not None and last is not None and self.chance(0.5):
                first, last = (None, last) if self.chance(0.5) else (first, None)
            return self._retype(first or d.prenom), self._retype(last or d.nom)

        return self._noisy("hyphen_space", st, check)

    def _case_usage_name(self, st: Structure) -> Part:
        def check(d: Dossier, garbage: bool) -> tuple[str, str] | None:
            if not d.usage or (garbage and not self._unique(d, d.usage)):
                return None
            return self._retype(d.prenom), self._retype(d.usage)

        return self._noisy("usage_name", st, check)

    def _fuzzy_check(self, first: str, last: str, d: Dossier) -> tuple[str, str] | None:
        """Typed fuzzy names, kept only if no dossier agrees with them strictly."""
        if d.structure.index.agree(name_key(first), name_key(last)):
            return None
        if not close(name_key(first), name_key(last), d):
            return None
        return self._retype(first), self._retype(last)

    def _case_swapped(self, st: Structure) -> Part:
        return self._noisy("swapped", st, lambda d, _: self._fuzzy_check(d.nom, d.prenom, d))

    def _case_compound_partial(self, st: Structure) -> Part:
        def check(d: Dossier, _: bool) -> tuple[str, str] | None:
            parts = d.prenom.split("-")
            if len(parts) < 2:
                return None
            part = parts[0] if self.chance(0.8) else parts[-1]
            return self._fuzzy_check(part, d.nom, d)

        return self._noisy("compound_partial", st, check)

    def _case_typo_one_letter(self, st: Structure) -> Part:
        def check(d: Dossier, _: bool) -> tuple[str, str] | None:
            fields = [f for f in ("prenom", "nom") if len(name_key(getattr(d, f))) >= 4]
            if not fields:
                return None
            which = self.pick(fields)
            typed = self._typo(getattr(d, which))
            if typed is None:
                return None
            if which == "prenom":
                return self._fuzzy_check(typed, d.nom, d)
            return self._fuzzy_check(d.prenom, typed, d)

        return self._noisy("typo_one_letter", st, check)

    def _slipped(self, d: Dossier, on_last: bool) -> tuple[str, str] | None:
        """d's names typed with one slip, in the last name (else the first name) when it is
        long enough to bear one; None when the slip lands on someone's exact names."""
        fields = ["nom", "prenom"] if on_last else ["prenom", "nom"]
        fields = [f for f in fields if len(name_key(getattr(d, f))) >= MIN_SLIP]
        if not fields:
            return None
        typed = self._typo(getattr(d, fields[0]))
        if typed is None:
            return None
        if fields[0] == "prenom":
            return self._fuzzy_check(typed, d.nom, d)
        return self._fuzzy_check(d.prenom, typed, d)

    def _case_typo_no_id(self, st: Structure) -> Part:
        """One slip in the names, and no usable id: certain unless someone else is alike."""
        on_last = self.chance(TYPO_ON_LAST_NAME)
        d, (first, last) = self._take(st, lambda d: self._slipped(d, on_last))
        campaign = self._campaign(st, "typo_no_id")
        external_id = self._garbage(st, first)
        return self._participation("typo_no_id", st, campaign, first, last, external_id, d, d)
