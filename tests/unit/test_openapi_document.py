"""The I-Milo OpenAPI document matches the contract in docs/http-contracts.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "connector" / "imilo" / "openapi.yaml"

# The I-Milo table of docs/http-contracts.md, plus the simulator's extra route.
CONTRACT_ROUTES: dict[str, set[str]] = {
    "/operateurs/structures/{codeStructure}": {"get"},
    "/operateurs/structures/{codeStructure}/offres": {"get"},
    "/operateurs/structures/{codeStructure}/offres/{idOffre}/inscrits": {"get"},
    "/operateurs/structures/{codeStructure}/dossiers": {"get"},
    "/sue/dossiers/{idDossier}": {"get"},
    "/operateurs/dossiers/{idDossier}/prescriptions/{idPrescription}": {"get", "put"},
    "/operateurs/dossiers/{idDossier}/actualites": {"get", "post"},
    "/_sim/state": {"get"},
}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
STATUS_CODES = ["ONGOING", "ACHIEVED", "REFUSAL_YOUNG", "REFUSAL", "ABANDONED"]
REQUIRED_SCHEMAS = {
    "Structure",
    "Offre",
    "Partenaire",
    "Inscrit",
    "PageInscrits",
    "PageDossiers",
    "Dossier",
    "Prescription",
    "PrescriptionUpdate",
    "Actualite",
    "ActualiteCreate",
    "Error",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    """The OpenAPI document, loaded with the safe loader."""
    loaded: dict[str, Any] = YAML(typ="safe").load(OPENAPI_PATH.read_text(encoding="utf-8"))
    return loaded


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `$ref` (if any) to the node it names."""
    while "$ref" in node:
        reference: str = node["$ref"]
        assert reference.startswith("#/"), reference
        target: Any = document
        for part in reference[2:].split("/"):
            target = target[part]
        node = target
    return node


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (path, method, operation) of the document."""
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def all_refs(node: Any) -> list[str]:
    """Every `$ref` value found anywhere below a node."""
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in all_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in all_refs(value)]
    return []


def test_document_is_openapi_3(document: dict[str, Any]) -> None:
    """The document declares an OpenAPI 3.x version."""
    assert str(document["openapi"]).startswith("3.")


def test_every_contract_route_has_its_methods(document: dict[str, Any]) -> None:
    """Each I-Milo route of the contract table is there with exactly its methods."""
    found = {
        path: {method for method in item if method in HTTP_METHODS}
        for path, item in document["paths"].items()
    }
    assert found == CONTRACT_ROUTES


def test_every_write_requires_an_idempotency_key(document: dict[str, Any]) -> None:
    """Every PUT and POST declares a required `Idempotency-Key` header."""
    writes = [(p, m, op) for p, m, op in operations(document) if m in {"put", "post"}]
    assert writes
    for path, method, operation in writes:
        parameters = [resolve(document, p) for p in operation.get("parameters", [])]
        keys = [p for p in parameters if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        assert len(keys) == 1, (method, path)
        assert keys[0]["required"] is True, (method, path)


def test_status_enum_is_exactly_the_five_codes(document: dict[str, Any]) -> None:
    """The prescription status of a PUT body is one of exactly the five I-Milo codes."""
    update = resolve(document, document["components"]["schemas"]["PrescriptionUpdate"])
    statut = resolve(document, update["properties"]["statut"])
    assert statut["enum"] == STATUS_CODES


def test_api_key_header_guards_every_route_but_the_simulator_state(
    document: dict[str, Any],
) -> None:
    """The API key scheme is `X-Gravitee-Api-Key`; only `/_sim/state` opts out of it."""
    scheme = document["components"]["securitySchemes"]["imiloApiKey"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == (
        "apiKey",
        "header",
        "X-Gravitee-Api-Key",
    )
    assert document["security"] == [{"imiloApiKey": []}]
    opted_out = {path for path, _, op in operations(document) if op.get("security") == []}
    assert opted_out == {"/_sim/state"}


def test_simulator_state_is_tagged_simulator_only(document: dict[str, Any]) -> None:
    """`/_sim/state` is tagged `simulator-only` and no real route is."""
    tagged = {
        path for path, _, op in operations(document) if "simulator-only" in op.get("tags", [])
    }
    assert tagged == {"/_sim/state"}


def test_contract_schemas_are_declared(document: dict[str, Any]) -> None:
    """All the schemas named by the contract exist under components."""
    assert set(document["components"]["schemas"]) >= REQUIRED_SCHEMAS


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    """Every `$ref` in the document points at a node that exists."""
    references = all_refs(document)
    assert references
    for reference in references:
        resolve(document, {"$ref": reference})


def test_ids_are_integers(document: dict[str, Any]) -> None:
    """Path ids of dossiers, offers and prescriptions are integers."""
    parameters = document["components"]["parameters"]
    for name in ("IdDossier", "IdOffre", "IdPrescription"):
        assert parameters[name]["schema"]["type"] == "integer", name


def test_dates_are_formatted_as_dates(document: dict[str, Any]) -> None:
    """Every `date…` property of the schemas is declared with `format: date`."""
    schemas = document["components"]["schemas"]
    checked = 0
    for schema_name, schema in schemas.items():
        for name, prop in schema.get("properties", {}).items():
            if name.startswith("date"):
                assert prop.get("format") == "date", (schema_name, name)
                checked += 1
    assert checked >= 8


def test_each_operation_says_whether_the_gateway_serves_it(document: dict[str, Any]) -> None:
    """``x-gateway``: what exists on the partner gateway today (a dossier read) and what is
    this project's proposal (docs/imilo-gateway.md)."""
    marks = {
        (path, method): operation.get("x-gateway")
        for path, item in document["paths"].items()
        if not path.startswith("/_sim")
        for method, operation in item.items()
        if method in HTTP_METHODS
    }
    assert set(marks.values()) == {"existing", "proposed"}
    assert [key for key, mark in marks.items() if mark == "existing"] == [
        ("/sue/dossiers/{idDossier}", "get")
    ]
