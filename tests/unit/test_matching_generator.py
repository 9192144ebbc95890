"""The labelled synthetic generator of the matcher benchmark (bench/matching/generate.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz.distance import OSA

from bench.matching import generate
from connector.domain.name_search import confusable
from connector.domain.names import normalise_name
from connector.simulators.fixtures import load_imilo_data, load_pix_data

N = 300
STRUCTURES = 6
SEED = 2026
SCRIPT = Path(generate.__file__)
PIX_OFFER = "Evaluation PIX"

Files = dict[str, list[Any]]


@pytest.fixture(scope="module")
def data() -> Files:
    return generate.build(N, STRUCTURES, SEED)


@pytest.fixture(scope="module")
def world(data: Files) -> World:
    return World(data)


class World:
    """The generated files, indexed the way the tests look things up."""

    def __init__(self, data: Files) -> None:
        self.labels: list[dict[str, Any]] = data["labels.json"]
        self.participations = {p["id"]: p for p in data["pix/participations.json"]}
        campaigns = {c["id"]: c for c in data["pix/campaigns.json"]}
        organisations = {o["id"]: o for o in data["pix/organizations.json"]}
        self.campaign_of = {
            pid: campaigns[p["campaignId"]] for pid, p in self.participations.items()
        }
        self.structure_of = {
            pid: organisations[c["organizationId"]]["externalId"]
            for pid, c in self.campaign_of.items()
        }
        self.dossiers = {d["idDossier"]: d for d in data["imilo/dossiers.json"]}
        self.by_structure: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for d in data["imilo/dossiers.json"]:
            self.by_structure[d["codeStructure"]].append(d)
        self.pix_offer = {
            o["codeStructure"]: o["id"] for o in data["imilo/offres.json"] if o["nom"] == PIX_OFFER
        }
        self.prescriptions = {p["id"]: p for p in data["imilo/prescriptions.json"]}
        self.ongoing_pix: dict[int, list[dict[str, Any]]] = defaultdict(list)
        pix_offers = set(self.pix_offer.values())
        for p in data["imilo/prescriptions.json"]:
            if p["statut"] == "ONGOING" and p["idOffre"] in pix_offers:
                self.ongoing_pix[p["idDossier"]].append(p)

    def of_case(self, case: str) -> list[dict[str, Any]]:
        return [label for label in self.labels if label["case"] == case]

    def typed(self, label: dict[str, Any]) -> tuple[str, str, str | None]:
        p = self.participations[label["participationId"]]
        return p["participantFirstName"], p["participantLastName"], p["participantExternalId"]


def squeeze(name: str) -> str:
    return normalise_name(name).replace(" ", "")


def fold(name: str) -> str:
    """Case and accents folded, separators and ligatures kept."""
    decomposed = unicodedata.normalize("NFD", name.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def number(external_id: str | None) -> int | None:
    compact = "".join((external_id or "").split())
    return int(compact) if compact.isascii() and compact.isdigit() else None


def table() -> dict[str, tuple[float, str]]:
    """The docstring's case table: case -> (share, expected outcome)."""
    row = re.compile(r"^\| (\w+) +\| +([\d.]+) % \|[^|]*\|[^|]*\| ([^|]+?) +\|$", re.MULTILINE)
    return {m[1]: (float(m[2]) / 100, m[3]) for m in row.finditer(generate.__doc__ or "")}


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    """Two runs of the script with one seed write identical files, whatever the hash seed."""
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        args = ["--out", str(out), "--participations", str(N), "--structures", "6"]
        subprocess.run(
            [sys.executable, str(SCRIPT), *args, "--seed", str(SEED)],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.json"))})
    assert len(outputs[0]) == 10
    assert outputs[0] == outputs[1]


def test_the_script_writes_what_build_returns(tmp_path: Path, data: Files) -> None:
    """The files on disk hold exactly the values build() returns for the same arguments."""
    generate.generate(tmp_path, N, STRUCTURES, SEED)
    for relative, rows in data.items():
        assert json.loads((tmp_path / relative).read_text(encoding="utf-8")) == rows


def test_another_seed_gives_another_data_set(data: Files) -> None:
    """The seed matters."""
    assert generate.build(N, STRUCTURES, SEED + 1)["labels.json"] != data["labels.json"]


def test_ids_are_unique(data: Files) -> None:
    """Every id and code is unique in its file, and labels cover each participation once."""
    keys = {
        "pix/organizations.json": "id",
        "pix/campaigns.json": "id",
        "pix/participations.json": "id",
        "imilo/structures.json": "code",
        "imilo/dossiers.json": "idDossier",
        "imilo/offres.json": "id",
        "imilo/prescriptions.json": "id",
        "labels.json": "participationId",
    }
    for path, key in keys.items():
        values = [row[key] for row in data[path]]
        assert len(values) == len(set(values)), path
    codes = [c["code"] for c in data["pix/campaigns.json"]]
    assert len(codes) == len(set(codes))
    pseudonyms = [p["participantId"] for p in data["pix/participations.json"]]
    assert len(pseudonyms) == len(set(pseudonyms))
    learners = [p["organizationLearnerId"] for p in data["pix/participations.json"]]
    assert len(learners) == len(set(learners))
    participations = [p["id"] for p in data["pix/participations.json"]]
    assert [label["participationId"] for label in data["labels.json"]] == participations
    assert len(participations) == N


def test_fixture_directory_loads_in_the_simulators(tmp_path: Path) -> None:
    """The simulators' loaders accept the directory; client and key give access to everything."""
    generate.generate(tmp_path, 60, 3, SEED)
    pix = load_pix_data(tmp_path)
    imilo = load_imilo_data(tmp_path)
    (client,) = pix.clients
    assert (client.client_id, client.client_secret) == ("bench-client", "bench-secret")
    assert client.scopes == {"meta", "campaigns"}
    assert client.organization_ids == {o.id for o in pix.organizations}
    assert imilo.api_keys == {"bench-key"}
    codes = {s.code for s in imilo.structures}
    assert {o.external_id for o in pix.organizations} == codes
    pix_offers = Counter(o.code_structure for o in imilo.offres if o.nom == PIX_OFFER)
    assert pix_offers == dict.fromkeys(codes, 1)
    assert all(c.type == "ASSESSMENT" for c in pix.campaigns)


def test_participations_take_the_partner_apis_shape(data: Files) -> None:
    """SHARED in 2026 (UTC, with Z), created a bit before, or STARTED / TO_SHARE and not
    shared; participantId a SHA-1 hex digest; the fields Pix serves, and one it may add."""
    moment = re.compile(r"^2026-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    statuses = Counter(p["status"] for p in data["pix/participations.json"])
    assert set(statuses) == {"SHARED", "STARTED", "TO_SHARE"}
    assert statuses["SHARED"] > 0.9 * N
    for p in data["pix/participations.json"]:
        assert moment.match(p["createdAt"])
        if p["status"] == "SHARED":
            assert moment.match(p["sharedAt"])
            assert p["createdAt"] < p["sharedAt"]
            assert 0 <= p["masteryRate"] <= 1
            assert isinstance(p["pixScore"], int)
        else:
            assert p["sharedAt"] is None and p["masteryRate"] is None
        assert re.fullmatch(r"[0-9a-f]{40}", p["participantId"])
        assert p["authenticationId"] is None or isinstance(p["authenticationId"], int)
        assert isinstance(p["organizationLearnerId"], int)
        assert p["stages"] is None or set(p["stages"]) == {"reachedStage", "numberOfStages"}
        assert isinstance(p["badges"], list) and isinstance(p["tubes"], list)
        assert "isImproved" in p  # a field the connector does not know
    assert any(p["authenticationId"] is not None for p in data["pix/participations.json"])


def test_campaigns_and_structures_serve_what_the_real_apis_serve(data: Files) -> None:
    """No externalIdLabel on the partner API's campaigns; some structures without timezone."""
    assert all("externalIdLabel" not in c for c in data["pix/campaigns.json"])
    structures = data["imilo/structures.json"]
    assert any("timezone" not in s for s in structures)
    assert any("timezone" in s for s in structures)


def test_every_label_dossier_exists_in_the_participations_structure(world: World) -> None:
    """True and expected dossiers exist, in the structure of the participation's campaign."""
    for label in world.labels:
        structure = world.structure_of[label["participationId"]]
        for key in ("trueDossierId", "expectedDossierId"):
            if label[key] is not None:
                assert world.dossiers[label[key]]["codeStructure"] == structure
        assert label["expectedDossierId"] in (None, label["trueDossierId"])


def test_expected_prescription_is_the_oldest_ongoing_evaluation_pix(world: World) -> None:
    """A write targets the expected dossier's oldest ONGOING Evaluation PIX prescription."""
    for label in world.labels:
        ongoing = world.ongoing_pix.get(label["expectedDossierId"], [])
        if not label["expectedWrite"]:
            assert label["expectedPrescriptionId"] is None
            shared = world.participations[label["participationId"]]["status"] == "SHARED"
            assert label["expectedDossierId"] is None or not ongoing or not shared
            continue
        oldest = min(ongoing, key=lambda p: (p["datePrescription"], p["id"]))
        assert label["expectedPrescriptionId"] == oldest["id"]
        structure = world.structure_of[label["participationId"]]
        assert oldest["idOffre"] == world.pix_offer[structure]


def test_case_outcomes_follow_the_docstring_table(world: World) -> None:
    """Each case's labels say what the table says: true dossier, null, and whether to write."""
    for case, (_, outcome) in table().items():
        for label in world.of_case(case):
            found, true = label["expectedDossierId"], label["trueDossierId"]
            if outcome == "null":
                assert found is None, case
                assert not label["expectedWrite"], case
            elif outcome == "true/null":
                assert found in (None, true), case
                assert label["expectedWrite"] == (found is not None), case
            else:
                assert true is not None and found == true, case
                assert label["expectedWrite"] == (outcome == "true"), case


def test_proportions_match_the_docstring_table() -> None:
    """The table lists every case with CASE_SHARES' shares, and the data follow them."""
    shares = {case: share for case, (share, _) in table().items()}
    assert shares == pytest.approx(generate.CASE_SHARES)
    assert sum(shares.values()) == pytest.approx(1)
    n = 2000
    labels = generate.build(n, 12, SEED)["labels.json"]
    counts = Counter(label["case"] for label in labels)
    for case, share in shares.items():
        assert abs(counts[case] - n * share) <= 2 + 0.05 * n * share, case


def test_homonym_cases_have_another_dossier_with_the_same_names(world: World) -> None:
    """A homonym's structure holds another dossier with the same normalised names."""
    cases = world.of_case("homonym") + world.of_case("homonym_with_id")
    assert cases
    for label in cases:
        true = world.dossiers[label["trueDossierId"]]
        names = (normalise_name(true["prenom"]), normalise_name(true["nomNaissance"]))
        others = [
            d
            for d in world.by_structure[true["codeStructure"]]
            if d["idDossier"] != true["idDossier"]
            and (normalise_name(d["prenom"]), normalise_name(d["nomNaissance"])) == names
        ]
        assert others
        first, last, external_id = world.typed(label)
        assert (normalise_name(first), normalise_name(last)) == names
        if label["case"] == "homonym_with_id":
            assert number(external_id) == true["idDossier"]


def one_digit_apart(a: int, b: int) -> bool:
    x, y = str(a), str(b)
    diffs = [i for i in range(len(x)) if len(x) == len(y) and x[i] != y[i]]
    swapped = len(diffs) == 2 and diffs[1] == diffs[0] + 1 and x[diffs[0]] == y[diffs[1]]
    return len(diffs) == 1 or swapped


def test_typo_other_person_ids_designate_another_dossier_of_the_structure(world: World) -> None:
    """The typed number is one digit off the true one and is another dossier of the structure."""
    cases = world.of_case("id_typo_other_person")
    assert cases
    for label in cases:
        typed = number(world.typed(label)[2])
        assert typed is not None and typed != label["trueDossierId"]
        other = world.dossiers[typed]
        assert other["codeStructure"] == world.structure_of[label["participationId"]]
        assert one_digit_apart(typed, label["trueDossierId"])
        assert label["expectedDossierId"] == label["trueDossierId"]


def test_typo_nonexistent_ids_designate_no_dossier(world: World) -> None:
    """The typed number is one digit off the true one and designates no dossier at all."""
    cases = world.of_case("id_typo_nonexistent")
    assert cases
    for label in cases:
        typed = number(world.typed(label)[2])
        assert typed is not None and typed not in world.dossiers
        assert one_digit_apart(typed, label["trueDossierId"])


def test_duplicate_cases_have_a_second_dossier_of_the_same_person(world: World) -> None:
    """The true person has another dossier: same names, same birth date."""
    cases = world.of_case("duplicate_dossiers")
    assert cases
    for label in cases:
        true = world.dossiers[label["trueDossierId"]]
        same = [
            d
            for d in world.by_structure[true["codeStructure"]]
            if (d["prenom"], d["nomNaissance"], d["dateNaissance"])
            == (true["prenom"], true["nomNaissance"], true["dateNaissance"])
        ]
        assert len(same) >= 2


def test_different_first_name_cases_have_a_look_alike_and_no_exact_dossier(world: World) -> None:
    """Someone with the last name and a look-alike first name exists; nobody with both names."""
    pairs = {frozenset((squeeze(a), squeeze(b))) for a, b in generate.LOOKALIKES}
    cases = world.of_case("different_first_name")
    assert cases
    for label in cases:
        first, last, _ = world.typed(label)
        dossiers = world.by_structure[world.structure_of[label["participationId"]]]
        assert label["trueDossierId"] is None
        assert any(
            squeeze(d["nomNaissance"]) == squeeze(last)
            and frozenset((squeeze(d["prenom"]), squeeze(first))) in pairs
            for d in dossiers
        )
        assert not any(
            squeeze(d["prenom"]) == squeeze(first)
            and squeeze(last) in (squeeze(d["nomNaissance"]), squeeze(d["nomUsage"] or ""))
            for d in dossiers
        )


def test_no_dossier_participants_share_no_last_name_with_the_structure(world: World) -> None:
    """A participant without a dossier has a last name no dossier of the structure bears."""
    cases = world.of_case("no_dossier")
    assert cases
    for label in cases:
        _, last, _ = world.typed(label)
        dossiers = world.by_structure[world.structure_of[label["participationId"]]]
        surnames = {squeeze(n) for d in dossiers for n in (d["nomNaissance"], d["nomUsage"]) if n}
        assert squeeze(last) not in surnames
        assert label["trueDossierId"] is None


def test_name_noise_cases_differ_from_i_milo_as_described(world: World) -> None:
    """Usage names, swaps, partial compounds and one-letter typos are what they claim."""
    for label in world.labels:
        first, last, _ = world.typed(label)
        true = world.dossiers.get(label["trueDossierId"] or 0)
        if true is None:
            continue
        prenom, nom = squeeze(true["prenom"]), squeeze(true["nomNaissance"])
        case = label["case"]
        if case == "usage_name":
            assert squeeze(last) == squeeze(true["nomUsage"]) != nom
        elif case == "swapped":
            assert (squeeze(first), squeeze(last)) == (nom, prenom)
        elif case == "compound_partial":
            assert normalise_name(first) in normalise_name(true["prenom"]).split()
            assert squeeze(first) != prenom
        elif case == "hyphen_space":
            assert (squeeze(first), squeeze(last)) == (prenom, nom)
            typed, held = (
                (fold(first), fold(last)),
                (fold(true["prenom"]), fold(true["nomNaissance"])),
            )
            assert typed != held
        elif case in ("typo_one_letter", "typo_no_id", "typo_confusable"):
            assert (squeeze(first), squeeze(last)) != (prenom, nom)
            assert squeeze(first) == prenom or squeeze(last) == nom
            typed, held = (first, true["prenom"]) if squeeze(last) == nom else (last, nom)
            assert OSA.distance(squeeze(typed), squeeze(held)) == 1
        elif case in ("near_miss_no_prescription", "not_shared"):
            assert (squeeze(first), squeeze(last)) == (prenom, nom)


def alike(label: dict[str, Any], world: World) -> list[dict[str, Any]]:
    """The other dossiers of the structure the connector's rule finds confusable."""
    first, last, _ = world.typed(label)
    return [
        d
        for d in world.by_structure[world.structure_of[label["participationId"]]]
        if d["idDossier"] != label["trueDossierId"]
        and confusable(first, last, Row(d["prenom"], d["nomNaissance"], d["nomUsage"]))
    ]


class Row(NamedTuple):
    prenom: str
    nom_naissance: str
    nom_usage: str | None


def test_a_typo_alone_is_certain_exactly_when_nobody_else_is_alike(world: World) -> None:
    """The generator's counsellor, written apart, agrees with the connector's reach rule: a
    names-alone slip is labelled certain when no other dossier is confusable, and for review
    (null) when one is (or when the slip makes another first name)."""
    cases = [label for case in ("typo_no_id", "typo_confusable") for label in world.of_case(case)]
    assert any(label["expectedDossierId"] for label in cases)
    assert any(label["expectedDossierId"] is None for label in cases)
    for label in cases:
        others = alike(label, world)
        if label["expectedDossierId"] is not None:
            assert not others, label
        elif not others:
            _, last, _ = world.typed(label)
            true = world.dossiers[label["trueDossierId"]]
            assert squeeze(last) == squeeze(true["nomNaissance"])  # another first name
    confusables = world.of_case("typo_confusable")
    assert confusables
    assert sum(label["expectedDossierId"] is None for label in confusables) >= 0.8 * len(
        confusables
    )


def test_near_misses_have_a_one_letter_neighbour(world: World) -> None:
    """A near miss's typed names are a real variant of another dossier's names (one letter),
    and the participant has no dossier (or theirs has no prescription)."""
    for case in ("near_miss_no_dossier", "near_miss_no_prescription"):
        cases = world.of_case(case)
        assert cases, case
        for label in cases:
            first, last, _ = world.typed(label)
            dossiers = world.by_structure[world.structure_of[label["participationId"]]]
            neighbours = [
                d
                for d in dossiers
                if d["idDossier"] != label["trueDossierId"]
                and OSA.distance(squeeze(first), squeeze(d["prenom"]))
                + OSA.distance(squeeze(last), squeeze(d["nomNaissance"]))
                == 1
            ]
            assert neighbours, label
            assert not label["expectedWrite"]
            if case == "near_miss_no_dossier":
                assert label["trueDossierId"] is None and label["expectedDossierId"] is None
            else:
                assert label["expectedDossierId"] == label["trueDossierId"]
                assert not world.ongoing_pix.get(label["trueDossierId"])


def test_i_milo_holds_realistic_people(data: Files) -> None:
    """Upper-case birth names, capitalised first names, some usage names, duplicates, mails."""
    dossiers = data["imilo/dossiers.json"]
    assert all(d["nomNaissance"] == d["nomNaissance"].upper() for d in dossiers)
    simple = [d["prenom"] for d in dossiers if "-" not in d["prenom"]]
    assert all(name[0].isupper() and name[1:].islower() for name in simple)
    women = [d for d in dossiers if d["sexe"] == "F"]
    assert 0.05 < sum(1 for d in women if d["nomUsage"]) / len(women) < 0.16
    plain = sum(1 for d in dossiers if d["mail"] and d["mail"].endswith("@example.org"))
    assert 0.6 < plain / len(dossiers) < 0.8
    people = Counter(
        (d["codeStructure"], d["prenom"], d["nomNaissance"], d["dateNaissance"]) for d in dossiers
    )
    assert any(count >= 2 for count in people.values())
    assert len(dossiers) == pytest.approx(3 * N, rel=0.15)


def test_name_pools_hold_a_few_hundred_realistic_names() -> None:
    """Compound, accented, particle and ligature names are there, and no two fold together."""
    firsts, lasts = set(generate.FIRST_NAMES), set(generate.LAST_NAMES)
    assert len(firsts) >= 200 and len(lasts) >= 200
    assert {"Jean-Pierre", "Marie-Anne", "Anne-Sophie", "Maëlys", "Noé", "Inès", "Zoé"} <= firsts
    assert {"Chloé", "Léa", "Hélène", "Gaël"} <= firsts
    assert {"Martin", "Bernard", "Dubois", "De La Fontaine", "Le Bihan", "D'Almeida"} <= lasts
    assert {"N'Diaye", "Ben Ali", "Cœur", "Boyer-Durand"} <= lasts
    for pool in (generate.FIRST_NAMES, generate.LAST_NAMES):
        keys = [squeeze(name) for name in pool]
        assert len(keys) == len(set(keys))


# What generated names are made of: French letters, ligatures, hyphens, apostrophes, spaces.
NAME_CHARACTERS = "abcdeéèêëfghiîïjklmnoôöpqrstuùûüvwxyÿzçœæ -'’"


@given(st.text(st.sampled_from(NAME_CHARACTERS + NAME_CHARACTERS.upper()), max_size=30))
def test_name_folding_agrees_with_the_connector(text: str) -> None:
    """On the characters names are made of, the generator folds names as the connector does."""
    assert generate.name_key(text) == normalise_name(text).replace(" ", "")


def test_generated_names_fold_as_in_the_connector(data: Files) -> None:
    """Every name the data set holds or a participant typed folds the same in both."""
    names = {n for d in data["imilo/dossiers.json"] for n in (d["prenom"], d["nomNaissance"])}
    for p in data["pix/participations.json"]:
        names |= {p["participantFirstName"], p["participantLastName"]}
    for name in names:
        assert generate.name_key(name) == normalise_name(name).replace(" ", "")
