"""resettlement starts on the shared foundation: ready, described, and behind the platform's authorisation."""

from probation_shared.auth import Role
from resettlement.service import SPEC


async def test_the_service_starts_ready_and_guards_its_operator_endpoints(start_service, tokens):
    service = await start_service(SPEC)
    assert (await service.client.get("/health/readiness")).status_code == 200
    assert (await service.client.get("/info")).json()["service"] == "resettlement"
    assert (await service.client.get("/audit", headers=tokens.headers(Role.PRACTITIONER))).status_code == 403
    assert (await service.client.get("/audit", headers=tokens.headers(Role.AUDITOR))).json() == []
