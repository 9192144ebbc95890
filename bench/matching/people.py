"""The world's structures, campaigns and people, and the picking of a case's true person."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.matching.draws import Draws, T
from bench.matching.names_pool import (
    ACCOMPAGNEMENT,
    CITIES,
    FEMALE,
    HOUR,
    MALE,
    NATIONAL_LAST,
    NIVEAU,
    OVERSEAS,
    REGIONAL,
    REGIONAL_SHARE,
    TIMEZONES,
    ZONE,
)
from bench.matching.text import name_key
from bench.matching.world import (
    DOSSIER_LABEL,
    EMAIL_LABEL,
    FIRST_CAMPAIGN_ID,
    FIRST_OFFER_ID,
    FIRST_ORGANIZATION_ID,
    FIRST_SHARED_DAY,
    LAST_SHARED_DAY,
    NO_TIMEZONE,
    NUMBER_CASES,
    Campaign,
    Dossier,
    Structure,
)


class People(Draws):
    # -- structures, campaigns, offers --

    def _structures(self) -> None:
        cities = [c.strip() for c in CITIES.split(",")]
        names: set[str] = set()
        offer = FIRST_OFFER_ID
        campaign_id = FIRST_CAMPAIGN_ID
        zones = [tz for tz, _ in TIMEZONES]
        weights = [w for _, w in TIMEZONES]
        for i in range(self.s):
            tz = "Indian/Reunion" if i == 1 else self.rng.choices(zones, weights)[0]
            if tz == "Europe/Paris":
                city = self.pick(cities)
                dept = self.rng.choice([d for d in range(1, 96) if d != 20])
                code = f"{dept:02d}{self.rng.randrange(1000):03d}S00"
            else:
                prefix, towns = OVERSEAS[tz]
                city = self.pick([t.strip() for t in towns.split(",")])
                code = f"{prefix}{self.rng.randrange(100):02d}S00"
            while code in self.codes:
                code = code[:5] + f"S{int(code[6:]) + 1:02d}"
            self.codes.add(code)
            name = f"Mission Locale {city}"
            k = 2
            while name in names:
                name = f"Mission Locale {city} {k}"
                k += 1
            names.add(name)
            org = FIRST_ORGANIZATION_ID + i
            campaigns = []
            for j in range(self.rng.choice((1, 2, 2, 3, 3))):
                profile = "Diagnostic initial" if self.chance(0.6) else "Parcours complet"
                label = EMAIL_LABEL if self.chance(0.15) else DOSSIER_LABEL
                created = datetime(2025, 9, 1, tzinfo=UTC) + timedelta(
                    seconds=self.rng.randrange(125 * 86400)
                )
                campaigns.append(
                    Campaign(
                        id=campaign_id,
                        organization_id=org,
                        name=f"{profile} {j + 1} — {city}",
                        code=self._campaign_code(),
                        profile=profile,
                        label=label,
                        created=created,
                    )
                )
                campaign_id += 1
            has_cv = self.chance(0.6)
            serves_timezone = not self.chance(NO_TIMEZONE)
            self.structures.append(
                Structure(
                    code=code,
                    name=name,
                    city=city,
                    timezone=tz,
                    zone=ZoneInfo(tz),
                    organization_id=org,
                    pix_offer=offer,
                    pix_offer_type="ANIMATION_COLLECTIVE" if self.chance(0.3) else "AUTRE",
                    pix_offer_start="2019-01-01" if self.chance(0.9) else "2018-09-01",
                    cv_offer=offer + 1 if has_cv else None,
                    campaigns=campaigns,
                    regional=REGIONAL.get(tz),
                    serves_timezone=serves_timezone,
                )
            )
            offer += 2

    def _campaign_code(self) -> str:
        letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
        while True:
            code = "".join(self.pick(letters) for _ in range(6)) + "".join(
                self.pick("0123456789") for _ in range(3)
            )
            if code not in self.codes:
                self.codes.add(code)
                return code

    # -- people --

    def _last_name(self, st: Structure) -> str:
        if st.regional is not None and self.chance(REGIONAL_SHARE):
            return st.regional.draw(self.rng)
        return NATIONAL_LAST.draw(self.rng)

    def _person(self, st: Structure, kind: str = "base") -> Dossier:
        sexe = "F" if self.chance(0.5) else "H"
        prenom = (FEMALE if sexe == "F" else MALE).draw(self.rng)
        return self._dossier(st, prenom, self._last_name(st), sexe, kind)

    def _dossier(
        self, st: Structure, prenom: str, nom: str, sexe: str, kind: str, usage: bool = True
    ) -> Dossier:
        usage_name = None
        if usage and sexe == "F" and self.chance(0.10):
            while usage_name is None or name_key(usage_name) == name_key(nom):
                usage_name = self._last_name(st)
        birth = self._day(date(2000, 1, 1), date(2010, 6, 30))
        d = Dossier(
            id=self._new_id(),
            structure=st,
            prenom=prenom,
            nom=nom,
            usage=usage_name,
            sexe=sexe,
            birth=birth,
            mail=self._mail(prenom, usage_name or nom, birth),
            niveau=NIVEAU.draw(self.rng),
            zone=ZONE.draw(self.rng),
            accompagnement=ACCOMPAGNEMENT.draw(self.rng),
            kind=kind,
        )
        st.dossiers.append(d)
        st.index.add(d)
        return d

    def _twin(self, d: Dossier) -> Dossier:
        """A second I-Milo dossier of the same person."""
        st = d.structure
        r = self.rng.random()
        mail = d.mail if r < 0.5 else (None if r < 0.75 else self._mail(d.prenom, d.nom, d.birth))
        twin = Dossier(
            id=self._new_id(),
            structure=st,
            prenom=d.prenom,
            nom=d.nom,
            usage=d.usage,
            sexe=d.sexe,
            birth=d.birth,
            mail=mail,
            niveau=d.niveau,
            zone=d.zone,
            accompagnement=self.pick(("PREMIER_ACCUEIL", "DEJA_ACCOMPAGNE", "CEJ")),
            kind="twin",
        )
        d.twin = twin
        twin.twin = d
        st.dossiers.append(twin)
        st.index.add(twin)
        return twin

    def _populate(self, st: Structure, participations: int) -> None:
        for _ in range(max(3, round(3 * participations / 1.03))):
            d = self._person(st)
            st.free.append(d)
            if self.chance(0.03):
                self._twin(d)

    # -- picking true persons --

    def _take(self, st: Structure, check: Callable[[Dossier], T | None]) -> tuple[Dossier, T]:
        """A free person passing check (which returns a plan or None), taken out of the pool.

        A few random tries, then a scan of the whole pool from a random start.
        """
        free = st.free
        n = len(free)

        def positions() -> Iterator[int]:
            for _ in range(min(40, n)):
                yield self.rng.randrange(n)
            if n:
                start = self.rng.randrange(n)
                yield from ((start + k) % n for k in range(n))

        for i in positions():
            plan = check(free[i])
            if plan is not None:
                d = free[i]
                free[i] = free[-1]
                free.pop()
                return d, plan
        raise LookupError

    def _unique(self, d: Dossier, last: str | None = None) -> bool:
        """Names alone single d out in its structure (rule 2 of the labels)."""
        return d.structure.index.alone(d, d.prenom, last or d.nom)

    # -- campaign and time --

    def _campaign(self, st: Structure, case: str) -> Campaign:
        def weight(c: Campaign) -> float:
            email = c.label == EMAIL_LABEL
            if case == "id_email":
                return 20.0 if email else 1.0
            if case in NUMBER_CASES:
                return 0.05 if email else 1.0
            return 1.0

        return self.rng.choices(st.campaigns, [weight(c) for c in st.campaigns])[0]

    def _moment(self, st: Structure, campaign: Campaign) -> tuple[datetime, datetime, date]:
        start = max(FIRST_SHARED_DAY, campaign.created.date() + timedelta(days=1))
        day = self._day(start, LAST_SHARED_DAY)
        hour = int(HOUR.draw(self.rng))
        local = datetime(
            day.year,
            day.month,
            day.day,
            hour,
            self.rng.randrange(60),
            self.rng.randrange(60),
            tzinfo=st.zone,
        )
        shared = local.astimezone(UTC)
        created = shared - timedelta(seconds=self.rng.randrange(6 * 60, 90 * 60))
        return shared, created, day
