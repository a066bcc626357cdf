"""Each of the five services starts on the shared foundation with its health, info, metrics and
operator endpoints, all behind the same authorisation."""

from __future__ import annotations

import importlib

import pytest

from deploy import registry
from probation_shared.auth import Role

SERVICES = [s.package for s in registry.SERVICES]


@pytest.mark.parametrize("package", SERVICES)
async def test_service_starts_ready_and_guards_its_operator_endpoints(package, start_service, tokens):
    spec = importlib.import_module(f"{package}.service").SPEC
    service = await start_service(spec)

    assert (await service.client.get("/health/readiness")).status_code == 200
    info = (await service.client.get("/info")).json()
    assert info["service"] == spec.name
    assert set(info["consumers"]) == {s.name for s in spec.subscriptions}
    assert "outbox_backlog" in (await service.client.get("/metrics")).text

    replay = "/admin/dead-letters/no-such-consumer/replay"
    assert (await service.client.post(replay)).status_code == 401
    assert (await service.client.post(replay, headers=tokens.headers(Role.PRACTITIONER))).status_code == 403
    unknown = await service.client.post(replay, headers=tokens.headers(Role.OPERATOR))
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown-consumer"
