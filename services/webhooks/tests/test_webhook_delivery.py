"""Partner notifications from the broker reach a real HTTP receiver, signed, with retries."""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaProducer
from standardwebhooks import Webhook

from probation_shared.auth import Role
from probation_shared.events import new_event
from probation_shared.events.topics import PARTNER_NOTIFICATIONS
from probation_shared.testing.plugin import eventually
from probation_shared.testing.receiver import Receiver
from webhooks.service import SPEC

FAST = {"retry_schedule_seconds": [0.2, 0.2], "delivery_poll_seconds": 0.1, "allow_insecure_endpoints": True}


@pytest.fixture
def receiver_factory():
    made = []

    def make(script=()):
        made.append(Receiver(list(script)))
        return made[-1]

    yield make
    for r in made:
        r.close()


async def notify(broker, topic_prefix: str, provider_id: str, payload: dict) -> None:
    event = new_event(
        "intervention.partner-notification.created",
        crn="X123456",
        additional_information={"providerId": provider_id, "notificationType": "intervention.referral.assigned", "payload": payload},
    )
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(f"{topic_prefix}{PARTNER_NOTIFICATIONS}", event.model_dump_json().encode(), key=provider_id.encode())
    finally:
        await producer.stop()


async def register(service, tokens, provider_id: str, url: str) -> dict:
    response = await service.client.post(
        f"/providers/{provider_id}/endpoints", json={"url": url}, headers=tokens.headers(Role.PROVIDER_CASEWORKER, provider_id=provider_id)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def deliveries(service, tokens, provider_id: str) -> list[dict]:
    response = await service.client.get(f"/providers/{provider_id}/deliveries", headers=tokens.headers(Role.OPERATOR))
    return response.json()


async def test_a_notification_is_delivered_signed_and_retried_with_the_same_webhook_id(start_service, tokens, broker, topic_prefix, receiver_factory):
    service = await start_service(SPEC, **FAST)
    receiver = receiver_factory([(500, {}), (200, {})])
    other = receiver_factory()
    endpoint = await register(service, tokens, "P1", receiver.url)
    await register(service, tokens, "P2", other.url)
    assert endpoint["secret"].startswith("whsec_")

    await notify(broker, topic_prefix, "P1", {"referralReference": "AB1234AC", "status": "ASSIGNED"})

    await eventually(lambda: _delivered(service, tokens, "P1"), timeout=30)
    assert len(receiver.received) == 2
    (first_headers, first_body), (second_headers, second_body) = receiver.received
    assert first_headers["webhook-id"] == second_headers["webhook-id"]
    assert first_body == second_body
    data = Webhook(endpoint["secret"]).verify(second_body, second_headers)
    assert data["type"] == "intervention.referral.assigned"
    assert data["data"] == {"referralReference": "AB1234AC", "status": "ASSIGNED"}
    assert other.received == []  # another provider's endpoint gets nothing
    [record] = await deliveries(service, tokens, "P1")
    assert record["attempts"] == 2 and record["id"] == first_headers["webhook-id"]


async def _delivered(service, tokens, provider_id) -> bool:
    return [d["status"] for d in await deliveries(service, tokens, provider_id)] == ["DELIVERED"]


async def test_gone_disables_the_endpoint_and_exhausted_retries_can_be_replayed(start_service, tokens, broker, topic_prefix, receiver_factory):
    service = await start_service(SPEC, **FAST)
    gone = receiver_factory([(410, {})])
    failing = receiver_factory([(503, {}), (503, {}), (503, {})])
    gone_endpoint = await register(service, tokens, "P1", gone.url)
    await register(service, tokens, "P3", failing.url)

    await notify(broker, topic_prefix, "P1", {"n": 1})
    await notify(broker, topic_prefix, "P3", {"n": 2})

    async def settled() -> bool:
        one, three = await deliveries(service, tokens, "P1"), await deliveries(service, tokens, "P3")
        return [d["status"] for d in one] == ["ENDPOINT_DISABLED"] and [d["status"] for d in three] == ["FAILED"]

    await eventually(settled, timeout=30)
    assert len(failing.received) == 3  # first try + the two scheduled retries
    endpoints = (await service.client.get("/providers/P1/endpoints", headers=tokens.headers(Role.OPERATOR))).json()
    assert endpoints[0]["enabled"] is False and "410" in endpoints[0]["disabled_reason"]

    [dead] = await deliveries(service, tokens, "P3")
    provider = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P3")
    replayed = await service.client.post(f"/providers/P3/deliveries/{dead['id']}/replay", headers=provider)
    assert replayed.status_code == 200 and replayed.json()["status"] == "PENDING"
    await eventually(lambda: _delivered(service, tokens, "P3"), timeout=30)
    assert failing.received[-1][0]["webhook-id"] == dead["id"]

    blocked = await service.client.post(
        f"/providers/P1/deliveries/{(await deliveries(service, tokens, 'P1'))[0]['id']}/replay",
        headers=tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P1"),
    )
    assert blocked.status_code == 409 and blocked.json()["code"] == "endpoint-disabled"
    enabled = await service.client.post(f"/providers/P1/endpoints/{gone_endpoint['id']}/enable", headers=tokens.headers(Role.OPERATOR))
    assert enabled.json()["enabled"] is True


async def test_retry_after_pushes_the_next_attempt_back(start_service, tokens, broker, topic_prefix, receiver_factory):
    service = await start_service(SPEC, **FAST)
    receiver = receiver_factory([(429, {"Retry-After": "3600"})])
    await register(service, tokens, "P1", receiver.url)
    await notify(broker, topic_prefix, "P1", {"n": 1})

    async def attempted() -> bool:
        found = await deliveries(service, tokens, "P1")
        return bool(found) and found[0]["attempts"] == 1

    await eventually(attempted, timeout=30)
    [record] = await deliveries(service, tokens, "P1")
    assert record["status"] == "PENDING" and record["last_status_code"] == 429
    from datetime import datetime, timedelta

    assert datetime.fromisoformat(record["next_attempt_at"]).replace(tzinfo=None) > datetime.utcnow() + timedelta(minutes=55)


async def test_providers_manage_only_their_own_endpoints(start_service, tokens):
    service = await start_service(SPEC, **FAST)
    body = {"url": "https://provider.example/hook"}
    assert (await service.client.post("/providers/P1/endpoints", json=body)).status_code == 401
    practitioner = await service.client.post("/providers/P1/endpoints", json=body, headers=tokens.headers(Role.PRACTITIONER))
    assert practitioner.status_code == 403
    other = await service.client.post("/providers/P1/endpoints", json=body, headers=tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P2"))
    assert other.status_code == 403 and other.json()["code"] == "wrong-provider"
    listing = await service.client.get("/providers/P1/deliveries", headers=tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P2"))
    assert listing.status_code == 403


async def test_endpoint_urls_are_validated(start_service, tokens):
    service = await start_service(SPEC)  # production default: https only
    headers = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")
    insecure = await service.client.post("/providers/P1/endpoints", json={"url": "http://provider.example/hook"}, headers=headers)
    assert insecure.status_code == 422 and insecure.json()["errors"][0]["field"] == "url"
    created = await service.client.post("/providers/P1/endpoints", json={"url": "https://provider.example/hook"}, headers=headers)
    assert created.status_code == 201
    listed = (await service.client.get("/providers/P1/endpoints", headers=headers)).json()
    assert [e["url"] for e in listed] == ["https://provider.example/hook"] and "secret" not in listed[0]
    bad_status = await service.client.get("/providers/P1/deliveries?status=NOPE", headers=headers)
    assert bad_status.status_code == 422
