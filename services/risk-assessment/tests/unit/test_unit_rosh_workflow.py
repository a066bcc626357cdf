"""The RoSH workflow over in-memory fakes of its repositories and publisher: no database, no broker."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from probation_shared.domain_error import DomainError
from probation_shared.testing.fakes import FakeSession, repository
from risk_assessment.db.models import PersonRecord, RoshVersion, RoshVictim
from risk_assessment.workflows import rosh

CRN = "X123456"


def community(level: str) -> dict[str, str]:
    return {"children": "LOW", "public": level, "knownAdult": level, "staff": "LOW"}


@pytest.fixture
def store(monkeypatch):
    """The latest version and the victims ever recorded, as the repositories would answer them."""
    state = SimpleNamespace(latest=None, victims=[], published=[])
    monkeypatch.setattr(
        rosh,
        "queries",
        repository(
            latest_rosh=lambda session, crn: state.latest,
            victims_of=lambda session, version_id: [v for v in state.victims if v.rosh_version_id == version_id],
            victims_ever=lambda session, crn: list(state.victims),
        ),
    )

    async def rosh_changed(session, crn, **kwargs):
        state.published.append(kwargs)

    monkeypatch.setattr(rosh, "publish", SimpleNamespace(rosh_changed=rosh_changed))
    return state


async def rate(store, session: FakeSession, data: dict) -> RoshVersion:
    version = await rosh.new_version(
        session, PersonRecord(crn=CRN), data, "pp-1", source="RE_RATING", reason="review", recalculate=False
    )
    store.latest = version
    store.victims += session.of(RoshVictim)
    return version


async def test_rosh_changed_is_published_for_a_first_version_and_a_new_level_only(store):
    session = FakeSession()
    first = await rate(store, session, {"community": community("MEDIUM")})
    assert (first.version, first.overall) == (1, "MEDIUM")
    await rate(store, session, {"community": community("MEDIUM"), "narrative": {"natureOfRisk": "as before"}})
    third = await rate(store, session, {"community": community("HIGH")})
    assert third.version == 3
    assert store.published == [
        {"overall": "MEDIUM", "previous": None, "version": 1},
        {"overall": "HIGH", "previous": "MEDIUM", "version": 3},
    ]


async def test_provider_text_naming_a_victim_recorded_earlier_is_refused(store):
    session = FakeSession()
    victim = {"name": "Jordan Victimson", "address": "9 Hidden Close, Durham DH9 9ZZ", "relationship": "partner"}
    await rate(store, session, {"community": community("HIGH"), "victims": [victim]})
    with pytest.raises(DomainError) as refused:
        await rate(store, session, {"narrative": {"providerSummary": "Keep away from jordan victimson's street"}})
    assert refused.value.code == "victim-identifier-in-provider-text"
    assert {e.field for e in refused.value.field_errors} == {"narrative.providerSummary"}
    assert store.published == [{"overall": "HIGH", "previous": None, "version": 1}]  # nothing new was recorded


async def test_a_first_version_needs_every_community_group(store):
    with pytest.raises(DomainError) as refused:
        await rate(store, FakeSession(), {"community": {"public": "LOW"}})
    assert refused.value.code == "rosh-incomplete"
    assert sorted(e.field for e in refused.value.field_errors) == [
        "community.children",
        "community.knownAdult",
        "community.staff",
    ]
