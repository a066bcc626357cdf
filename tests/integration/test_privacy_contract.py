"""Deny by default, by structure: every route of every service answers with an outbound model whose every
field (nested ones included) carries a data class; every published event's additionalInformation is a
registered, classified contract, documented in docs/events.md. And the demonstration that a planted
unclassified field fails the same check."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter

from deploy import registry
from probation_shared.events.contracts import CONTRACTS
from probation_shared.redaction import Classified, DataClass, Outbound, UnclassifiedField, check_routes, classes_of

SERVICES = [s.package for s in registry.SERVICES]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def _spec(package: str):
    return importlib.import_module(f"{package}.service").SPEC


@pytest.mark.parametrize("package", SERVICES)
def test_every_route_answers_with_a_fully_classified_outbound_model(package):
    spec = _spec(package)
    check_routes(route for router in spec.routers for route in router.routes)


def test_a_planted_unclassified_field_fails_the_route_check():
    class Leaky(Outbound):
        crn: Annotated[str, Classified(DataClass.REFERENCE)]
        victimName: str

    router = APIRouter()

    @router.get("/leaky", response_model=Leaky)
    async def leaky():  # pragma: no cover - never called
        return None

    @router.get("/untyped")
    async def untyped():  # pragma: no cover - never called
        return {}

    with pytest.raises(UnclassifiedField, match="victimName"):
        check_routes(router.routes[:1])
    with pytest.raises(UnclassifiedField, match="no response model"):
        check_routes(router.routes[1:])


def _documented_event_types(text: str) -> set[str]:
    """Event types named in the doc: `a.b.c`, `a.b.c|d` (alternatives) and `.d` (same prefix, other verb)."""
    found: set[str] = set()
    for line in text.splitlines():
        previous: str | None = None
        for token in re.findall(r"`([^`]+)`", line):
            if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+){2,}(\|[a-z0-9-]+)*", token):
                stem, *alternatives = token.split("|")
                prefix = stem.rsplit(".", 1)[0]
                found.add(stem)
                found.update(f"{prefix}.{alt}" for alt in alternatives)
                previous = stem
            elif previous and re.fullmatch(r"\.[a-z0-9-]+", token):
                found.add(previous.rsplit(".", 1)[0] + token)
    return found


def test_every_event_contract_is_classified_and_documented():
    for package in SERVICES:
        importlib.import_module(f"{package}.service")  # publishers register their contracts on import
    text = DOCS.read_text()
    documented = _documented_event_types(text)
    names = set(re.findall(r"`([A-Za-z][A-Za-z0-9_]*)`", text))
    assert CONTRACTS, "no event contracts registered"
    for (event_type, version), contract in CONTRACTS.items():
        classes_of(contract.model)
        assert event_type in documented, f"{event_type} v{version} is not in docs/events.md"
        missing = [
            field.alias or name
            for name, field in contract.model.model_fields.items()
            if (field.alias or name) not in names
        ]
        assert not missing, f"{event_type}: fields {missing} are not in docs/events.md"
