"""Police partners' endpoints: registered like a provider's with partner kind POLICE, reached only by that
force's police notifications; providers and other forces cannot see them, nor they a provider's."""

from __future__ import annotations

from probation_shared.auth import Role
from probation_shared.events import new_event
from probation_shared.testing.plugin import eventually
from webhooks.workflows.police import POLICE_NOTIFICATION_EVENT, on_police_notification

FORCE, OTHER_FORCE = "met-police", "kent-police"


def police(tokens, force_id: str = FORCE) -> dict:
    return tokens.headers(Role.POLICE_PARTNER, force_id=force_id)


async def register_police(h, tokens, force_id: str, url: str) -> dict:
    response = await h.client.post(f"/police/{force_id}/endpoints", json={"url": url}, headers=police(tokens, force_id))
    assert response.status_code == 201, response.text
    return response.json()


async def notify_police(h, force_id: str, crn: str = "X123456", payload: dict | None = None):
    event = new_event(
        POLICE_NOTIFICATION_EVENT,
        crn=crn,
        additional_information={
            "forceId": force_id,
            "notificationType": "probation-case.drug-test.recorded",
            "payload": payload or {"crn": crn, "drugTest": {"testId": 1, "result": "POSITIVE"}},
        },
    )
    async with h.service.database.unit_of_work() as session:
        await on_police_notification(session, event)
    return event


async def test_a_police_notification_reaches_only_that_forces_police_endpoints(hooks, tokens, receivers):
    h = await hooks()
    force, other_force, provider = receivers(), receivers(), receivers()
    created = await register_police(h, tokens, FORCE, force.url)
    assert created["partner_kind"] == "POLICE" and created["provider_id"] == f"police:{FORCE}"
    force.secrets.append(created["secret"])
    await register_police(h, tokens, OTHER_FORCE, other_force.url)
    # A provider spelt like the force: a provider endpoint never gets a police notification.
    assert (await h.register(tokens, FORCE, provider.url))["partner_kind"] == "PROVIDER"

    await notify_police(h, FORCE)

    async def delivered() -> bool:
        return len(force.accepted) == 1

    await eventually(delivered, timeout=30)
    ((_, body),) = force.accepted
    assert body["type"] == "probation-case.drug-test.recorded" and body["data"]["drugTest"]["result"] == "POSITIVE"
    assert other_force.requests == [] and provider.requests == []
    listed = await h.client.get(f"/police/{FORCE}/messages", headers=police(tokens))
    assert listed.status_code == 200 and [m["event_type"] for m in listed.json()] == [
        "probation-case.drug-test.recorded"
    ]
    assert (await h.client.get(f"/police/{OTHER_FORCE}/messages", headers=police(tokens, OTHER_FORCE))).json() == []
    message_id = listed.json()[0]["id"]
    shown = await h.client.get(f"/police/{FORCE}/messages/{message_id}", headers=police(tokens))
    assert shown.status_code == 200 and shown.json()["status"] == "DELIVERED"
    assert "payload" not in shown.json()  # PROVIDER_UPDATES: removed for police partners by the policy
    assert all("response_body" not in a for a in shown.json()["attempt_history"])
    other = await h.client.get(f"/police/{OTHER_FORCE}/messages/{message_id}", headers=police(tokens, OTHER_FORCE))
    assert other.status_code == 404
    assert await h.messages(tokens, FORCE) == []  # the provider of that name has no message


async def test_a_provider_notification_never_reaches_a_police_endpoint(hooks, tokens, receivers):
    h = await hooks()
    force, provider = receivers(), receivers()
    await register_police(h, tokens, FORCE, force.url)
    await h.register(tokens, FORCE, provider.url)
    await h.notify(FORCE)  # a provider notification for a provider whose id is the force's

    async def delivered() -> bool:
        return len(provider.requests) == 1

    await eventually(delivered, timeout=30)
    listed = await h.client.get(f"/police/{FORCE}/messages", headers=police(tokens))
    assert listed.status_code == 200 and listed.json() == [] and force.requests == []


async def test_police_endpoints_are_the_forces_own_and_hidden_from_everyone_else(hooks, tokens, receivers):
    h = await hooks()
    endpoint = await register_police(h, tokens, FORCE, receivers().url)
    url = f"/police/{FORCE}/endpoints/{endpoint['id']}"
    assert (await h.client.get(url, headers=police(tokens))).status_code == 200
    assert (await h.client.get(url, headers=police(tokens, OTHER_FORCE))).status_code == 404
    assert (await h.client.get(url, headers=tokens.headers(Role.POLICE_PARTNER))).status_code == 404  # no force_id
    assert (await h.client.get(url, headers=tokens.headers(Role.OPERATOR))).status_code == 200
    provider = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id=FORCE)
    assert (await h.client.get(url, headers=provider)).status_code == 403  # not a police partner
    # The force's endpoints are not reachable as a provider's, under any provider id.
    assert (await h.client.get(f"/providers/{FORCE}/endpoints/{endpoint['id']}", headers=provider)).status_code == 404
    spoof = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id=f"police:{FORCE}")
    for path in ("endpoints", f"endpoints/{endpoint['id']}", "messages"):
        assert (await h.client.get(f"/providers/police:{FORCE}/{path}", headers=spoof)).status_code == 404
    assert (await h.client.get(f"/providers/{FORCE}/endpoints", headers=police(tokens))).status_code == 403
    # A force id that is not one: refused as input, never a 500.
    bad = await h.client.get("/police/Not%20A%20Force/endpoints", headers=tokens.headers(Role.OPERATOR))
    assert bad.status_code == 422


async def test_a_police_notification_without_a_valid_force_is_refused(hooks):
    h = await hooks()
    try:
        await notify_police(h, "police:../x")
    except ValueError as exc:
        assert "forceId" in str(exc)
    else:
        raise AssertionError("a notification naming no valid force was accepted")
