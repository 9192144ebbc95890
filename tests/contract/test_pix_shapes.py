"""Records written field by field from the public Pix source (1024pix/pix, ``api/src/maddo``),
replayed through ``parse_participation`` and through ``MaddoPix`` against the simulator over
loopback HTTP. The partner API's documentation and its code disagree on some types (its
response check only logs, ``failAction: 'log'``): the connector must take what the code
serves, and what the documentation says too.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from connector.domain.model import Campaign, Participation, ParticipationStatus
from connector.pix.maddo import MaddoPix
from connector.pix.records import parse_participation
from connector.simulators import PixData, create_pix_app, running
from connector.simulators.fixtures import Campaign as SimCampaign
from connector.simulators.fixtures import Client, Organization
from connector.transport.retry import NO_RETRY

CLIENT_ID, CLIENT_SECRET = "ml-contract", "contract-secret"
ORGANIZATION_ID, CAMPAIGN_ID = 4401, 8801

# api/src/maddo/domain/models/CampaignParticipation.js: participantId is
# crypto.hash('sha1', `${userId}_${clientId}`), a 40-character lowercase hex string.
PARTICIPANT_ID = hashlib.sha1(f"123456_{CLIENT_ID}".encode()).hexdigest()  # noqa: S324

# api/src/maddo/domain/models/CampaignParticipation.js (the fields its constructor keeps) and
# api/src/maddo/domain/usecases/get-campaign-participations.js (authenticationId stays null
# without an SSO; authenticationRequestedData is left undefined, so absent from the JSON).
# Each tube is a TubeCoverage (api/src/maddo/domain/models/TubeCoverage.js); stages and
# badges have the shapes of api/src/maddo/application/campaigns-routes.js. ``isImproved``
# stands for a field Pix may add: it must be ignored.
SHARED_AS_SERVED: dict[str, Any] = {
    "id": 9100001,
    "status": "SHARED",
    "authenticationId": None,
    "participantFirstName": "Léa",
    "participantLastName": "Durand",
    "participantExternalId": "1234567",
    "createdAt": "2026-03-12T09:00:00.000Z",
    "sharedAt": "2026-03-12T09:21:43.512Z",
    "campaignId": CAMPAIGN_ID,
    "participantId": PARTICIPANT_ID,
    "masteryRate": 0.62,
    "tubes": [
        {
            "id": "recBbCIEKgrQi7eb6",
            "competenceId": "recsvLz0W2ShyfD63",
            "areaName": "Information et données",
            "maxLevel": 4,
            "reachedLevel": 2,
            "practicalDescription": "Mener une recherche et une veille d'information",
            "practicalTitle": "Recherche d'information",
        }
    ],
    "badges": [
        {
            "id": 311,
            "message": "Bravo ! Vous maîtrisez les bases du numérique.",
            "altMessage": "Badge Bases du numérique",
            "imageUrl": "https://images.pix.fr/badges/bases-numerique.svg",
            "key": "BASES_NUMERIQUE",
            "title": "Bases du numérique",
            "isAcquired": True,
            "acquisitionPercentage": 100,
        }
    ],
    "stages": {"reachedStage": 3, "numberOfStages": 5},
    "pixScore": 214,
    "isImproved": False,
}

# api/src/maddo/application/campaigns-routes.js, the route's documentation: participantId and
# authenticationId typed as numbers, and organizationLearnerId, which the model above does not
# keep. A record that follows the documentation must read as well.
SHARED_AS_DOCUMENTED: dict[str, Any] = {
    "id": 9100002,
    "createdAt": "2026-03-13T10:00:00Z",
    "authenticationId": 77012,
    "participantId": 123457,
    "participantFirstName": "Moussa",
    "participantLastName": "N'Diaye",
    "participantExternalId": "1000002",
    "status": "SHARED",
    "sharedAt": "2026-03-13T10:40:00Z",
    "campaignId": CAMPAIGN_ID,
    "organizationLearnerId": 55102,
    "pixScore": 180,
    "masteryRate": 0.5,
    "stages": {"reachedStage": 2, "numberOfStages": 5},
    "badges": [],
    "tubes": [],
}

# api/src/maddo/domain/usecases/get-campaign-participations.js: through an SSO,
# authenticationId is the method's externalIdentifier (text), and authenticationRequestedData
# the claims asked for. A participation not shared yet: sharedAt and masteryRate null, no
# stages or badges, tubes empty ("vide si la campagne n'est pas encore partagée",
# campaigns-routes.js).
STARTED_THROUGH_SSO: dict[str, Any] = {
    "id": 9100003,
    "status": "STARTED",
    "authenticationId": "f3c1e0a2-sso-subject",
    "authenticationRequestedData": {"given_name": None},
    "participantFirstName": "Kévin",
    "participantLastName": "Payet",
    "participantExternalId": None,
    "createdAt": "2026-03-14T08:00:00.000Z",
    "sharedAt": None,
    "campaignId": CAMPAIGN_ID,
    "participantId": hashlib.sha1(f"123458_{CLIENT_ID}".encode()).hexdigest(),  # noqa: S324
    "masteryRate": None,
    "tubes": [],
    "badges": None,
    "stages": None,
    "pixScore": 0,
}

# Old data may still carry TO_SHARE (removed from Pix in 2026).
LEGACY_TO_SHARE: dict[str, Any] = {
    **SHARED_AS_DOCUMENTED,
    "id": 9100004,
    "status": "TO_SHARE",
    "participantId": hashlib.sha1(f"123459_{CLIENT_ID}".encode()).hexdigest(),  # noqa: S324
}

SAMPLES = [SHARED_AS_SERVED, SHARED_AS_DOCUMENTED, STARTED_THROUGH_SSO, LEGACY_TO_SHARE]

# api/src/maddo/application/organizations-routes.js and api/src/maddo/domain/models/Campaign.js:
# id, name, type, targetProfileName, code, createdAt, archivedAt. No externalIdLabel.
CAMPAIGN_AS_SERVED: dict[str, Any] = {
    "id": CAMPAIGN_ID,
    "name": "Diagnostic initial — contrat",
    "type": "ASSESSMENT",
    "targetProfileName": "Diagnostic initial",
    "code": "CONTRAT26",
    "createdAt": "2026-01-05T08:12:40.000Z",
    "archivedAt": None,
}
# api/src/maddo/domain/models/Campaign.ts, the newer model: no archivedAt, and tubes.
CAMPAIGN_NEWER_MODEL: dict[str, Any] = {
    "id": CAMPAIGN_ID + 1,
    "name": "Parcours complet — contrat",
    "type": "ASSESSMENT",
    "targetProfileName": "Parcours complet",
    "code": "CONTRAT27",
    "createdAt": "2026-01-06T08:12:40.000Z",
    "tubes": [
        {
            "id": 1,
            "name": "@recherche",
            "competenceId": "recsvLz0W2ShyfD63",
            "maxLevel": 4,
            "meanLevel": 2.4,
            "practicalDescription": "Mener une recherche",
            "practicalTitle": "Recherche d'information",
        }
    ],
}
CAMPAIGN = Campaign(
    id=CAMPAIGN_ID,
    organization_id=ORGANIZATION_ID,
    code="CONTRAT26",
    type="ASSESSMENT",
    target_profile_name="Diagnostic initial",
)


def test_a_shared_record_as_pix_serves_it_is_read_not_quarantined() -> None:
    """SHA-1 participantId, null authenticationId, stages, badges, tubes, an unknown field."""
    record = parse_participation(copy.deepcopy(SHARED_AS_SERVED), CAMPAIGN_ID)
    assert isinstance(record, Participation)
    assert record.participant_id == PARTICIPANT_ID
    assert len(record.participant_id) == 40 and int(record.participant_id, 16) >= 0
    assert record.status is ParticipationStatus.SHARED and record.is_shared
    assert record.mastery_rate == 0.62
    assert record.external_id == "1234567"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: str(s["id"]))
def test_every_shape_pix_may_serve_is_read(sample: dict[str, Any]) -> None:
    """Whatever the source file says of the types, no sample goes to quarantine."""
    record = parse_participation(copy.deepcopy(sample), CAMPAIGN_ID)
    assert isinstance(record, Participation), getattr(record, "reason", "")
    assert record.participant_id == str(sample["participantId"])


@pytest.fixture
def pix_url() -> Iterator[str]:
    """The Pix simulator serving the samples as they are written above."""
    data = PixData(
        organizations=[Organization(ORGANIZATION_ID, "ML contrat", "75010S00")],
        campaigns=[
            SimCampaign(
                id=CAMPAIGN_ID,
                organization_id=ORGANIZATION_ID,
                name=CAMPAIGN_AS_SERVED["name"],
                code=CAMPAIGN_AS_SERVED["code"],
                type="ASSESSMENT",
                target_profile_name="Diagnostic initial",
                external_id_label="Numéro de dossier i-milo",  # held by the fixture, not served
                created_at=CAMPAIGN_AS_SERVED["createdAt"],
                archived_at=None,
            )
        ],
        participations=copy.deepcopy(SAMPLES),
        clients=[
            Client(
                CLIENT_ID,
                CLIENT_SECRET,
                frozenset({"meta", "campaigns"}),
                frozenset({ORGANIZATION_ID}),
            )
        ],
    )
    with running(create_pix_app(data)) as url:
        yield url


@pytest.fixture
def maddo(pix_url: str) -> Iterator[MaddoPix]:
    source = MaddoPix(pix_url, CLIENT_ID, CLIENT_SECRET, retry=NO_RETRY)
    yield source
    source.close()


@pytest.mark.integration
def test_the_samples_come_through_the_adapter_and_the_simulator(maddo: MaddoPix) -> None:
    """Over HTTP, every sample is a Participation with its participantId as text."""
    records = list(maddo.participations(CAMPAIGN, None))
    assert all(isinstance(r, Participation) for r in records)
    by_id = {r.id: r for r in records if isinstance(r, Participation)}
    assert sorted(by_id) == sorted(s["id"] for s in SAMPLES)
    assert by_id[SHARED_AS_SERVED["id"]].participant_id == PARTICIPANT_ID
    assert by_id[SHARED_AS_DOCUMENTED["id"]].participant_id == "123457"
    assert by_id[LEGACY_TO_SHARE["id"]].status is ParticipationStatus.TO_SHARE


@pytest.mark.integration
def test_the_simulator_serves_campaigns_as_the_partner_api_does(
    pix_url: str, maddo: MaddoPix
) -> None:
    """The route's fields exactly: no externalIdLabel, even when the fixture holds one."""
    [campaign] = list(maddo.campaigns(ORGANIZATION_ID))
    assert campaign.code == "CONTRAT26" and campaign.external_id_label is None
    token = httpx.post(
        f"{pix_url}/api/application/token",
        data={
            "grant_type": "client_credentials",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    ).json()["access_token"]
    body = httpx.get(
        f"{pix_url}/api/organizations/{ORGANIZATION_ID}/campaigns",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert body["campaigns"] == [CAMPAIGN_AS_SERVED]


@respx.mock
def test_campaigns_of_either_model_are_read() -> None:
    """Campaign.js (archivedAt) and Campaign.ts (tubes, no archivedAt) both read; nothing
    needs externalIdLabel."""
    base = "http://pix.contract"
    respx.post(f"{base}/api/application/token").mock(
        return_value=httpx.Response(
            200, json={"token_type": "bearer", "access_token": "t", "client_id": CLIENT_ID}
        )
    )
    respx.get(f"{base}/api/organizations/{ORGANIZATION_ID}/campaigns").mock(
        return_value=httpx.Response(
            200,
            json={
                "campaigns": [CAMPAIGN_AS_SERVED, CAMPAIGN_NEWER_MODEL],
                "page": {"number": 1, "size": 1000, "count": 1},
            },
        )
    )
    source = MaddoPix(base, CLIENT_ID, CLIENT_SECRET, retry=NO_RETRY)
    try:
        campaigns = list(source.campaigns(ORGANIZATION_ID))
    finally:
        source.close()
    assert [c.code for c in campaigns] == ["CONTRAT26", "CONTRAT27"]
    assert [c.target_profile_name for c in campaigns] == ["Diagnostic initial", "Parcours complet"]
    assert all(c.external_id_label is None for c in campaigns)
