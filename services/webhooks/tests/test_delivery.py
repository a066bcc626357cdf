"""Deliveries to real HTTP receivers on loopback: signed, retried, ordered, cancelled, dead-lettered, safe."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from sqlalchemy import select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from probation_shared.auth import Role
from probation_shared.events import new_event
from probation_shared.events.topics import PARTNER_NOTIFICATIONS, WEBHOOKS
from probation_shared.testing.plugin import eventually
from webhooks.db.models import PLATFORM

from .conftest import Resolver, scripted


async def accepted(receiver, count: int) -> None:
    async def check() -> bool:
        return len(receiver.accepted) >= count

    await eventually(check, timeout=30)


async def settled(h, tokens, provider_id: str, expected: list[str]) -> None:
    async def check() -> bool:
        return await h.statuses(tokens, provider_id) == expected

    await eventually(check, timeout=30)


async def detail(h, tokens, provider_id: str, message_id: str) -> dict:
    response = await h.client.get(
        f"/providers/{provider_id}/messages/{message_id}",
        headers=tokens.headers(Role.PROVIDER_CASEWORKER, provider_id=provider_id),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_partner_notification_from_the_broker_reaches_only_that_providers_endpoints_that_want_it(
    hooks, tokens, broker, topic_prefix, receivers
):
    h = await hooks()
    mine, filtered, other = receivers(), receivers(), receivers()
    mine.secrets.append((await h.register(tokens, "P1", mine.url))["secret"])
    await h.register(tokens, "P1", filtered.url, event_types=["intervention.referral.withdrawn"])
    await h.register(tokens, "P2", other.url)

    event = new_event(
        "intervention.partner-notification.created",
        crn="X123456",
        additional_information={
            "providerId": "P1",
            "notificationType": "intervention.referral.assigned",
            "payload": {"referralReference": "AB1234AC"},
        },
    )
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    await producer.start()
    try:
        await producer.send_and_wait(
            f"{topic_prefix}{PARTNER_NOTIFICATIONS}", event.model_dump_json().encode(), key=b"P1"
        )
    finally:
        await producer.stop()

    await accepted(mine, 1)
    [(message_id, payload)] = mine.accepted
    assert payload == {
        "type": "intervention.referral.assigned",
        "timestamp": payload["timestamp"],
        "data": {"referralReference": "AB1234AC"},
    }
    assert message_id.startswith("msg_")
    assert filtered.requests == [] and other.requests == []


async def test_three_failures_then_the_fourth_attempt_delivers_with_the_same_webhook_id(hooks, tokens, receivers):
    h = await hooks()
    receiver = receivers(answer=scripted(500, 500, 500))
    receiver.secrets.append((await h.register(tokens, "P1", receiver.url))["secret"])
    await h.notify("P1", payload={"status": "ASSIGNED"})

    for attempt, wait in enumerate((5, 30, 120), start=1):

        async def tried(n=attempt) -> bool:  # attempt n made and recorded
            return (await h.messages(tokens, "P1"))[0]["attempts"] >= n

        await eventually(tried, timeout=30)
        h.clock.advance(seconds=wait + 1)  # just past the scheduled retry (signatures carry this clock's time)
    await accepted(receiver, 1)
    # The receiver has answered; the worker records the outcome just after, so wait for that too.
    await settled(h, tokens, "P1", ["DELIVERED"])

    ids = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert len(receiver.requests) == 4 and len(ids) == 1 and receiver.rejected == []

    async def recorded() -> bool:  # the worker records the outcome after the receiver has answered
        return (await h.messages(tokens, "P1"))[0]["status"] != "PENDING"

    await eventually(recorded, timeout=30)
    [message] = await h.messages(tokens, "P1")
    assert message["status"] == "DELIVERED" and message["attempts"] == 4 and message["id"] in ids
    history = (await detail(h, tokens, "P1", message["id"]))["attempt_history"]
    assert [a["status_code"] for a in history] == [500, 500, 500, 204]
    assert [a["outcome"] for a in history] == ["http_error"] * 3 + ["success"]
    assert all(a["latency_ms"] >= 0 for a in history)


async def test_the_receiver_library_rejects_a_changed_byte_and_a_stale_timestamp(hooks, tokens, receivers):
    h = await hooks()
    receiver = receivers()
    secret = (await h.register(tokens, "P1", receiver.url))["secret"]
    receiver.secrets.append(secret)
    await h.notify("P1", payload={"n": 1})
    await accepted(receiver, 1)
    headers, body = receiver.requests[0]
    assert Webhook(secret).verify(body, headers)
    tampered = body[:-2] + bytes([body[-2] ^ 1]) + body[-1:]
    try:
        Webhook(secret).verify(tampered, headers)
        raise AssertionError("a changed byte verified")
    except WebhookVerificationError:
        pass

    # Our clock six minutes behind: the receiver's own clock finds the timestamp too old.
    h.clock.advance(minutes=-6)
    await h.notify("P1", payload={"n": 2})

    async def rejected() -> bool:
        return len(receiver.rejected) >= 1

    await eventually(rejected, timeout=30)
    stale_headers, stale_body = receiver.requests[-1]
    try:
        Webhook(secret).verify(stale_body, stale_headers)
        raise AssertionError("a stale timestamp verified")
    except WebhookVerificationError as exc:
        assert "timestamp" in str(exc).lower()


async def test_gone_disables_the_endpoint_and_cancels_what_was_queued(hooks, tokens, receivers):
    h = await hooks()
    receiver = receivers(answer=scripted(410))
    endpoint = await h.register(tokens, "P1", receiver.url, contact_email="dev@charity.example")
    for n in range(3):  # one person: the second and third wait behind the first
        await h.notify("P1", crn="X000001", payload={"n": n})
    await settled(h, tokens, "P1", ["CANCELLED", "CANCELLED", "CANCELLED"])
    h.clock.advance(hours=2)
    await h.notify("P1", crn="X000002", payload={"n": "after"})
    await settled(h, tokens, "P1", ["CANCELLED", "CANCELLED", "CANCELLED", "HELD"])
    assert len(receiver.requests) == 1

    provider = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")
    [shown] = (await h.client.get("/providers/P1/endpoints", headers=provider)).json()
    assert shown["enabled"] is False and "410" in shown["disabled_reason"]
    [notice] = (await h.client.get("/providers/P1/notices", headers=provider)).json()
    assert notice["contact_email"] == "dev@charity.example" and endpoint["id"] in notice["body"]
    async with h.service.database.unit_of_work(read_only=True) as session:
        events = (await session.execute(select(PLATFORM.outbox.c.topic, PLATFORM.outbox.c.event_type))).all()
    assert (WEBHOOKS, "webhooks.endpoint.disabled") in [tuple(e) for e in events]


async def test_retry_after_on_429_pushes_the_next_attempt_back(hooks, tokens, receivers):
    h = await hooks()
    receiver = receivers(answer=scripted((429, {"Retry-After": "3600"})))
    await h.register(tokens, "P1", receiver.url)
    sent_at = h.clock.now
    await h.notify("P1")

    async def attempted() -> bool:
        found = await h.messages(tokens, "P1")
        return bool(found) and found[0]["attempts"] == 1

    await eventually(attempted, timeout=30)
    [message] = await h.messages(tokens, "P1")
    assert message["status"] == "PENDING" and message["last_status_code"] == 429
    assert datetime.fromisoformat(message["next_attempt_at"]).replace(tzinfo=UTC) == sent_at + timedelta(seconds=3600)


async def test_spent_retries_become_a_dead_letter_that_provider_and_operator_see_and_can_replay(
    hooks, tokens, receivers
):
    h = await hooks(retry_schedule_seconds=[5])
    failing = True
    receiver = receivers(answer=lambda headers, body: 503 if failing else None)
    receiver.secrets.append((await h.register(tokens, "P3", receiver.url))["secret"])
    await h.notify("P3")

    async def tried() -> bool:
        return (await h.messages(tokens, "P3"))[0]["attempts"] >= 1

    await eventually(tried, timeout=30)
    h.clock.advance(seconds=10)
    await settled(h, tokens, "P3", ["DEAD"])
    assert len(receiver.requests) == 2

    provider = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P3")
    [dead] = (await h.client.get("/providers/P3/messages?status=DEAD", headers=provider)).json()
    operator_view = (await h.client.get("/admin/webhooks/dead-letters", headers=tokens.headers(Role.OPERATOR))).json()
    assert [m["id"] for m in operator_view] == [dead["id"]] and operator_view[0]["provider_id"] == "P3"
    health = (await h.client.get("/admin/webhooks/endpoints", headers=tokens.headers(Role.OPERATOR))).json()
    assert health[0]["dead"] == 1 and health[0]["attempts_24h"] == 2 and health[0]["success_rate_24h"] == 0.0

    failing = False
    replayed = await h.client.post(f"/providers/P3/messages/{dead['id']}/replay", headers=provider)
    assert replayed.status_code == 200 and replayed.json()["status"] == "PENDING"
    await accepted(receiver, 1)
    assert receiver.accepted[0][0] == dead["id"]
    assert (await h.client.get("/admin/webhooks/dead-letters", headers=tokens.headers(Role.OPERATOR))).json() == []


async def test_an_endpoint_failing_for_24_hours_is_disabled_its_owner_told_and_later_messages_kept_for_enable(
    hooks, tokens, receivers
):
    h = await hooks(retry_schedule_seconds=[3600] * 30)
    h.clock.advance(hours=-24, seconds=-30)  # so that, 24 hours on, deliveries carry a timestamp of about now
    failing = True
    receiver = receivers(answer=lambda headers, body: 500 if failing else None)
    endpoint = await h.register(tokens, "P1", receiver.url, contact_email="it@charity.example")
    receiver.secrets.append(endpoint["secret"])
    await h.notify("P1", crn="X000001")

    hour = 0
    while True:

        async def tried(n=hour + 1) -> bool:  # attempt n made and recorded
            found = await h.messages(tokens, "P1")
            return found[0]["attempts"] >= n or not found[0]["status"] == "PENDING"

        await eventually(tried, timeout=30)
        hour += 1
        if hour == 25:
            break
        h.clock.advance(seconds=3601)

    provider = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")

    async def disabled() -> bool:
        return (await h.client.get(f"/providers/P1/endpoints/{endpoint['id']}", headers=provider)).json()[
            "enabled"
        ] is False

    await eventually(disabled, timeout=30)
    shown = (await h.client.get(f"/providers/P1/endpoints/{endpoint['id']}", headers=provider)).json()
    assert "24 hours" in shown["disabled_reason"] or "failed since" in shown["disabled_reason"]
    [notice] = (await h.client.get("/providers/P1/notices", headers=provider)).json()
    assert notice["contact_email"] == "it@charity.example"
    assert await h.statuses(tokens, "P1") == ["HELD"]
    await h.notify("P1", crn="X000002")  # arrives while disabled: kept
    assert await h.statuses(tokens, "P1") == ["HELD", "HELD"]
    sent = len(receiver.requests)

    failing = False
    enabled = await h.client.post(f"/providers/P1/endpoints/{endpoint['id']}/enable", headers=provider)
    assert enabled.status_code == 200 and enabled.json()["released"] == 2
    await accepted(receiver, 2)
    await settled(h, tokens, "P1", ["DELIVERED", "DELIVERED"])
    assert len(receiver.requests) == sent + 2


async def test_a_retrying_message_holds_back_that_persons_later_ones_only(hooks, tokens, receivers):
    h = await hooks()
    failed: list[bytes] = []

    def first_assigned_fails(headers, body):
        # By content, not by arrival order: the two people's first messages may be sent in either order.
        if b'"ASSIGNED"' in body and not failed:
            failed.append(body)
            return 500
        return None

    receiver = receivers(answer=first_assigned_fails)
    receiver.secrets.append((await h.register(tokens, "P1", receiver.url))["secret"])
    await h.notify("P1", crn="X000001", payload={"step": "ASSIGNED"})
    await h.notify("P1", crn="X000001", payload={"step": "WITHDRAWN"})
    await h.notify("P1", crn="X000002", payload={"step": "OTHER PERSON"})

    await accepted(receiver, 1)  # the other person's, while the first is waiting to retry
    assert [p["data"]["step"] for _, p in receiver.accepted] == ["OTHER PERSON"]

    async def first_failure_recorded() -> bool:
        return [m["attempts"] for m in reversed(await h.messages(tokens, "P1"))] == [1, 0, 1]

    await eventually(first_failure_recorded, timeout=30)
    assert len(receiver.requests) == 2
    h.clock.advance(seconds=6)
    await accepted(receiver, 3)
    assert [p["data"]["step"] for _, p in receiver.accepted] == ["OTHER PERSON", "ASSIGNED", "WITHDRAWN"]


async def test_a_host_public_at_registration_and_loopback_at_delivery_is_not_connected_to(hooks, tokens, receivers):
    h = await hooks(endpoint_allowlist=[])  # the development allowlist off
    receiver = receivers()
    port = receiver.server.server_port
    provider = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")
    refused = await h.client.post("/providers/P1/endpoints", json={"url": receiver.url}, headers=provider)
    assert refused.status_code == 422 and refused.json()["reason"] == "loopback"

    dns = Resolver({"hooks.provider.example": lambda asked: ["93.184.216.34"] if asked == 1 else ["127.0.0.1"]})
    h.service.database.context["resolver"] = dns
    endpoint = await h.register(tokens, "P1", f"http://hooks.provider.example:{port}/webhooks/probation")
    await h.notify("P1")

    async def attempted() -> bool:
        found = await h.messages(tokens, "P1")
        return bool(found) and found[0]["attempts"] == 1

    await eventually(attempted, timeout=30)
    [message] = await h.messages(tokens, "P1")
    [attempt] = (await detail(h, tokens, "P1", message["id"]))["attempt_history"]
    assert attempt["outcome"] == "refused_address" and "loopback" in attempt["error"] and attempt["status_code"] is None
    assert receiver.requests == [] and dns.asked["hooks.provider.example"] == 2
    assert endpoint["url"].startswith("http://hooks.provider.example")


async def test_the_attempt_has_one_deadline_and_reads_only_the_start_of_a_reply(hooks, tokens, raw_servers):
    h = await hooks(delivery_timeout_seconds=2.0, claim_lease_seconds=30)
    released = threading.Event()

    def drip(handler):
        handler.send_response(200)
        handler.send_header("content-length", "100000")
        handler.end_headers()
        for _ in range(400):  # a byte at a time for 20 s, each well within any per-read timeout
            if released.wait(0.05):
                return
            handler.wfile.write(b"x")
            handler.wfile.flush()

    def huge(handler):
        handler.send_response(200)
        handler.send_header("content-length", str(8 * 1024 * 1024))
        handler.end_headers()
        chunk = b"y" * 65536
        for _ in range(128):
            handler.wfile.write(chunk)

    def redirect(handler):
        handler.send_response(302)
        handler.send_header("location", big.url)
        handler.send_header("content-length", "0")
        handler.end_headers()

    slow, big, moved = raw_servers(drip), raw_servers(huge), raw_servers(redirect)
    await h.register(tokens, "P1", slow.url)
    await h.register(tokens, "P2", big.url)
    await h.register(tokens, "P4", moved.url)
    for provider in ("P1", "P2", "P4"):
        await h.notify(provider)

    async def all_attempted() -> bool:
        for p in ("P1", "P2", "P4"):
            if [m["attempts"] for m in await h.messages(tokens, p)] != [1]:
                return False
        return True

    try:
        await eventually(all_attempted, timeout=30)
    finally:
        released.set()
    [m] = await h.messages(tokens, "P1")
    [slow_attempt] = (await detail(h, tokens, "P1", m["id"]))["attempt_history"]
    assert slow_attempt["outcome"] == "timeout" and "within 2s" in slow_attempt["error"]
    [m] = await h.messages(tokens, "P2")
    [big_attempt] = (await detail(h, tokens, "P2", m["id"]))["attempt_history"]
    assert big_attempt["outcome"] == "success" and len(big_attempt["response_body"]) == 2048
    [m] = await h.messages(tokens, "P4")
    [moved_attempt] = (await detail(h, tokens, "P4", m["id"]))["attempt_history"]
    assert moved_attempt["status_code"] == 302 and moved_attempt["outcome"] == "http_error"
    assert len(big.requests) == 1  # the redirect was not followed


async def test_a_slow_endpoint_does_not_delay_another_providers_deliveries(hooks, tokens, raw_servers, receivers):
    h = await hooks(delivery_concurrency=8, per_endpoint_concurrency=2)
    release = threading.Event()

    def stuck(handler):
        release.wait(30)
        handler.send_response(204)
        handler.send_header("content-length", "0")
        handler.end_headers()

    slow = raw_servers(stuck)
    fast = receivers()
    await h.register(tokens, "SLOW", slow.url)
    fast.secrets.append((await h.register(tokens, "FAST", fast.url))["secret"])
    try:
        for n in range(10):
            await h.notify("SLOW", crn=f"S{n:06d}")
        for n in range(10):
            await h.notify("FAST", crn=f"F{n:06d}")
        await accepted(fast, 10)  # every one while the slow endpoint holds its attempts
        assert len(slow.requests) <= 2
    finally:
        release.set()
    await settled(h, tokens, "SLOW", ["DELIVERED"] * 10)


async def test_a_killed_worker_loses_nothing_and_a_duplicate_carries_the_same_webhook_id(hooks, tokens, raw_servers):
    from webhooks.delivery_worker import DeliveryWorker

    h = await hooks(per_endpoint_concurrency=5, delivery_concurrency=5)
    release = threading.Event()
    seen: list[str] = []

    def handler(request):
        seen.append(request.headers["webhook-id"])
        release.wait(30)
        request.send_response(204)
        request.send_header("content-length", "0")
        request.end_headers()

    server = raw_servers(handler)
    await h.register(tokens, "P1", server.url)
    for n in range(12):
        await h.notify("P1", crn=f"K{n:06d}")

    async def busy() -> bool:
        return len(seen) >= 5

    await eventually(busy, timeout=30)
    worker = h.service.app.state.workers.jobs[0]
    await worker.kill()  # mid-stream: five attempts in flight, nothing recorded
    release.set()
    ids = {m["id"] for m in await h.messages(tokens, "P1")}
    assert len(ids) == 12

    h.clock.advance(seconds=61)  # past the dead worker's leases
    restarted = DeliveryWorker(h.service.settings, h.service.database)
    import asyncio

    task = asyncio.create_task(restarted.run())
    try:
        await settled(h, tokens, "P1", ["DELIVERED"] * 12)
    finally:
        await restarted.stop()
        await task
    assert set(seen) == ids
    duplicates = [i for i in ids if seen.count(i) > 1]
    assert len(seen) == 12 + len(duplicates) and all(d in ids for d in duplicates)


async def test_a_test_event_and_replay_since_a_time(hooks, tokens, receivers):
    h = await hooks()
    receiver = receivers()
    endpoint = await h.register(tokens, "P1", receiver.url)
    receiver.secrets.append(endpoint["secret"])
    provider = tokens.headers(Role.PROVIDER_CASEWORKER, provider_id="P1")
    test = await h.client.post(f"/providers/P1/endpoints/{endpoint['id']}/test", headers=provider)
    assert test.status_code == 202
    await accepted(receiver, 1)
    assert receiver.accepted[0][1]["type"] == "webhook.test"
    await settled(h, tokens, "P1", ["DELIVERED"])  # recorded just after the receiver answers
    shown = await detail(h, tokens, "P1", test.json()["id"])
    assert shown["status"] == "DELIVERED" and shown["attempt_history"][0]["status_code"] == 204

    h.clock.advance(minutes=5)
    since = h.clock.now
    await h.notify("P1", payload={"n": 1})
    await h.notify("P1", payload={"n": 2})
    await accepted(receiver, 3)
    replay = await h.client.post(
        f"/providers/P1/endpoints/{endpoint['id']}/replay", json={"since": since.isoformat()}, headers=provider
    )
    assert replay.status_code == 200 and replay.json() == {"replayed": 2}

    async def duplicates() -> bool:
        return len(receiver.duplicates) == 2

    await eventually(duplicates, timeout=30)
    assert receiver.duplicates == [mid for mid, p in receiver.accepted[1:]]  # same ids, same order


async def test_metrics_show_outcomes_queue_depth_oldest_pending_and_latency(hooks, tokens, receivers):
    h = await hooks()
    receiver = receivers(answer=scripted(500))
    await h.register(tokens, "P1", receiver.url)
    await h.notify("P1")

    async def failed_once() -> bool:
        return len(receiver.requests) >= 1

    await eventually(failed_once, timeout=30)
    h.service.app.state.workers.jobs[0]._last_gauges = 0
    h.clock.advance(seconds=1)

    async def exported() -> bool:
        text = (await h.client.get("/metrics")).text
        return 'webhook_attempts_total{outcome="http_error"} 1.0' in text and "webhook_retry_queue_depth 1.0" in text

    await eventually(exported, timeout=30)
    text = (await h.client.get("/metrics")).text
    assert "webhook_attempt_duration_seconds_count 1.0" in text
    assert 'webhook_deliveries_total{result="PENDING"} 1.0' in text
    assert "webhook_oldest_pending_age_seconds" in text and "webhook_dead_letters 0.0" in text
