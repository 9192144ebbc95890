"""Typed loading of a simulator fixture directory (``DIR/pix/*.json``, ``DIR/imilo/*.json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector.simulators.fixture_reader import (
    FixtureError,
    FixtureItem,
    check_unique,
    items,
    read_array,
)

__all__ = [
    "FIXTURE_FILES",
    "IMILO_FILES",
    "PIX_FILES",
    "Campaign",
    "Client",
    "Dossier",
    "FixtureError",
    "ImiloData",
    "Offre",
    "Organization",
    "Partenaire",
    "ParticipationList",
    "PixData",
    "Prescription",
    "Structure",
    "load_imilo_data",
    "load_pix_data",
]


# The files a fixture directory holds, by their path relative to it: what the loaders below
# read, and what ``fixture_writer.write_fixtures`` writes. An absent file reads as empty.
_ORGANIZATIONS = "pix/organizations.json"
_CAMPAIGNS = "pix/campaigns.json"
_PARTICIPATIONS = "pix/participations.json"
_CLIENTS = "pix/clients.json"
_STRUCTURES = "imilo/structures.json"
_DOSSIERS = "imilo/dossiers.json"
_OFFRES = "imilo/offres.json"
_PRESCRIPTIONS = "imilo/prescriptions.json"
_API_KEYS = "imilo/api_keys.json"
PIX_FILES = (_ORGANIZATIONS, _CAMPAIGNS, _PARTICIPATIONS, _CLIENTS)
IMILO_FILES = (_STRUCTURES, _DOSSIERS, _OFFRES, _PRESCRIPTIONS, _API_KEYS)
FIXTURE_FILES = PIX_FILES + IMILO_FILES


# --- Pix -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Organization:
    id: int
    name: str
    external_id: str | None


@dataclass(frozen=True)
class Campaign:
    id: int
    organization_id: int
    name: str
    code: str
    type: str
    target_profile_name: str | None
    # Accepted in fixture files, never served: the partner API has no externalIdLabel.
    external_id_label: str | None
    created_at: str
    archived_at: str | None


@dataclass(frozen=True)
class Client:
    client_id: str
    # Secrets and personal data stay out of repr() so that logging a record leaks nothing.
    client_secret: str = field(repr=False)
    scopes: frozenset[str]
    organization_ids: frozenset[int]


class ParticipationList(list[Any]):
    """The raw participations, in served order, counting its changes: ``version`` grows with
    every call that changes the list (append, ``[:] =``, ``del``…), so that an index built on
    it knows when it is stale. A record changed in place is not a change of the list: replace
    the record instead."""

    version: int = 0


def _counting(name: str) -> Any:
    changes = getattr(list, name)

    def method(self: ParticipationList, *args: Any, **kwargs: Any) -> Any:
        self.version += 1
        return changes(self, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = changes.__doc__
    return method


for _name in (
    "__setitem__",
    "__delitem__",
    "__iadd__",
    "__imul__",
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "sort",
    "reverse",
):
    setattr(ParticipationList, _name, _counting(_name))


@dataclass(frozen=True)
class PixData:
    organizations: list[Organization] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    # Served raw, in file order: bad records must reach the connector untouched (so
    # participantId may be a SHA-1 hex string, as Pix serves it, or an integer). Out of
    # repr() because they hold personal data.
    participations: list[Any] = field(default_factory=ParticipationList, repr=False)
    clients: list[Client] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The simulator indexes the participations by campaign: it must see every change.
        if not isinstance(self.participations, ParticipationList):
            object.__setattr__(self, "participations", ParticipationList(self.participations))


# --- I-Milo ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Structure:
    code: str
    nom_officiel: str
    # Served as it is, valid or not; None: not served at all, as by the real gateway.
    timezone: str | None = None


@dataclass(frozen=True)
class Dossier:
    id_dossier: int
    code_structure: str
    # Personal data stays out of repr() so that logging a dossier leaks nothing.
    nom_naissance: str = field(repr=False)
    nom_usage: str | None = field(repr=False)
    prenom: str = field(repr=False)
    date_naissance: str | None = field(repr=False)
    mail: str | None = field(repr=False)
    sexe: str | None
    niveau: str | None
    zone: str | None
    accompagnement: str | None


@dataclass(frozen=True)
class Partenaire:
    raison_sociale: str
    siret: str


@dataclass(frozen=True)
class Offre:
    id: int
    code_structure: str
    nom: str
    theme: str | None
    acte_service: str | None
    type: str | None
    mesure_nationale: str | None
    partenaire: Partenaire | None
    date_debut: str | None
    date_fin: str | None


@dataclass(frozen=True)
class Prescription:
    id: int
    id_dossier: int
    id_offre: int
    statut: str
    date_realisation: str | None
    date_prescription: str | None


@dataclass(frozen=True)
class ImiloData:
    structures: list[Structure] = field(default_factory=list)
    dossiers: list[Dossier] = field(default_factory=list)
    offres: list[Offre] = field(default_factory=list)
    prescriptions: list[Prescription] = field(default_factory=list)
    api_keys: frozenset[str] = frozenset()


def _partenaire(item: FixtureItem | None) -> Partenaire | None:
    if item is None:
        return None
    return Partenaire(raison_sociale=item.str_("raisonSociale"), siret=item.str_("siret"))


def load_pix_data(directory: str | Path) -> PixData:
    """Load ``DIR/pix/*.json``; raise :class:`FixtureError` on a malformed file."""
    base = Path(directory)
    organizations = [
        Organization(id=it.int_("id"), name=it.str_("name"), external_id=it.opt_str("externalId"))
        for it in items(base / _ORGANIZATIONS)
    ]
    campaigns = [
        Campaign(
            id=it.int_("id"),
            organization_id=it.int_("organizationId"),
            name=it.str_("name"),
            code=it.str_("code"),
            type=it.str_("type"),
            target_profile_name=it.opt_str("targetProfileName"),
            external_id_label=it.opt_str("externalIdLabel"),
            created_at=it.str_("createdAt"),
            archived_at=it.opt_str("archivedAt"),
        )
        for it in items(base / _CAMPAIGNS)
    ]
    clients = [
        Client(
            client_id=it.str_("clientId"),
            client_secret=it.str_("clientSecret"),
            scopes=frozenset(it.str_list("scopes")),
            organization_ids=frozenset(it.int_list("organizationIds")),
        )
        for it in items(base / _CLIENTS)
    ]
    participations = ParticipationList(read_array(base / _PARTICIPATIONS))
    check_unique(base / _ORGANIZATIONS, [o.id for o in organizations], "id")
    check_unique(base / _CAMPAIGNS, [c.id for c in campaigns], "id")
    check_unique(base / _CLIENTS, [c.client_id for c in clients], "clientId")
    return PixData(
        organizations=organizations,
        campaigns=campaigns,
        participations=participations,
        clients=clients,
    )


def load_imilo_data(directory: str | Path) -> ImiloData:
    """Load ``DIR/imilo/*.json``; raise :class:`FixtureError` on a malformed file."""
    base = Path(directory)
    structures = [
        Structure(
            code=it.str_("code"),
            nom_officiel=it.str_("nomOfficiel"),
            timezone=it.opt_str("timezone"),
        )
        for it in items(base / _STRUCTURES)
    ]
    dossiers = [
        Dossier(
            id_dossier=it.int_("idDossier"),
            code_structure=it.str_("codeStructure"),
            nom_naissance=it.str_("nomNaissance"),
            nom_usage=it.opt_str("nomUsage"),
            prenom=it.str_("prenom"),
            date_naissance=it.opt_str("dateNaissance"),
            mail=it.opt_str("mail"),
            sexe=it.opt_str("sexe"),
            niveau=it.opt_str("niveau"),
            zone=it.opt_str("zone"),
            accompagnement=it.opt_str("accompagnement"),
        )
        for it in items(base / _DOSSIERS)
    ]
    offres = [
        Offre(
            id=it.int_("id"),
            code_structure=it.str_("codeStructure"),
            nom=it.str_("nom"),
            theme=it.opt_str("theme"),
            acte_service=it.opt_str("acteService"),
            type=it.opt_str("type"),
            mesure_nationale=it.opt_str("mesureNationale"),
            partenaire=_partenaire(it.opt_object("partenaire")),
            date_debut=it.opt_str("dateDebut"),
            date_fin=it.opt_str("dateFin"),
        )
        for it in items(base / _OFFRES)
    ]
    prescriptions = [
        Prescription(
            id=it.int_("id"),
            id_dossier=it.int_("idDossier"),
            id_offre=it.int_("idOffre"),
            statut=it.str_("statut"),
            date_realisation=it.opt_str("dateRealisation"),
            date_prescription=it.opt_str("datePrescription"),
        )
        for it in items(base / _PRESCRIPTIONS)
    ]
    keys_path = base / _API_KEYS
    api_keys = read_array(keys_path)
    if not all(isinstance(k, str) for k in api_keys):
        raise FixtureError(f"{keys_path}: expected an array of strings")
    check_unique(base / _STRUCTURES, [s.code for s in structures], "code")
    check_unique(base / _DOSSIERS, [d.id_dossier for d in dossiers], "idDossier")
    check_unique(base / _OFFRES, [o.id for o in offres], "id")
    check_unique(base / _PRESCRIPTIONS, [p.id for p in prescriptions], "id")
    return ImiloData(
        structures=structures,
        dossiers=dossiers,
        offres=offres,
        prescriptions=prescriptions,
        api_keys=frozenset(api_keys),
    )
