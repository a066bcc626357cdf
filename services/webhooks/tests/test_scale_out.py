"""Two delivery workers on one PostgreSQL database: 1,000 notifications, each delivered exactly once, in
order per person per endpoint, while a stuck endpoint of a third provider holds only its own deliveries."""

from __future__ import annotations

import asyncio
import os
import threading
from collections import defaultdict

import pytest

from probation_shared.db import Database
from probation_shared.events import new_event
from probation_shared.testing.plugin import POSTGRES_ENV, eventually
from webhooks.delivery_worker import DeliveryWorker
from webhooks.workflows.messages import on_partner_notification

pytestmark = pytest.mark.skipif(
    not os.environ.get(POSTGRES_ENV), reason="claims with FOR UPDATE SKIP LOCKED need PostgreSQL"
)

PEOPLE = 40
PER_PROVIDER = 500


async def test_two_workers_deliver_1000_notifications_exactly_once_in_order_and_fairly(
    hooks, tokens, receivers, raw_servers
):
    h = await hooks(delivery_concurrency=16, per_endpoint_concurrency=4, delivery_batch_size=50)
    release = threading.Event()

    def stuck(handler):
        release.wait(60)
        handler.send_response(204)
        handler.send_header("content-length", "0")
        handler.end_headers()

    slow = raw_servers(stuck)
    await h.register(tokens, "SLOW", slow.url)
    fast = {p: receivers() for p in ("PA", "PB")}
    for provider, receiver in fast.items():
        receiver.secrets.append((await h.register(tokens, provider, receiver.url))["secret"])

    second_db = Database(h.service.settings.database_url)
    second_db.context["clock"] = h.clock
    second = DeliveryWorker(h.service.settings, second_db)
    task = asyncio.create_task(second.run())
    first = h.service.app.state.workers.jobs[0]
    try:
        async with h.service.database.unit_of_work() as session:
            for n in range(8):
                await on_partner_notification(session, _event("SLOW", f"S{n:06d}", n))
        async with h.service.database.unit_of_work() as session:
            for n in range(PER_PROVIDER):
                for provider in fast:
                    await on_partner_notification(session, _event(provider, f"X{n % PEOPLE:06d}", n))

        async def all_accepted() -> bool:
            return all(len(r.accepted) >= PER_PROVIDER for r in fast.values())

        await eventually(all_accepted, timeout=120)
        assert len(slow.requests) <= 2 * 4  # the stuck endpoint holds at most its share of each worker
    finally:
        release.set()
        await second.stop()
        await task
        await second_db.dispose()

    for receiver in fast.values():
        assert receiver.duplicates == [] and receiver.rejected == []
        ids = [mid for mid, _ in receiver.accepted]
        assert len(ids) == len(set(ids)) == PER_PROVIDER
        order: dict[str, list[int]] = defaultdict(list)
        for _, payload in receiver.accepted:
            order[payload["data"]["crn"]].append(payload["data"]["n"])
        assert len(order) == PEOPLE
        assert all(ns == sorted(ns) for ns in order.values()), "a person's messages arrived out of order"
    assert first.attempted > 0 and second.attempted > 0, (first.attempted, second.attempted)


def _event(provider: str, crn: str, n: int):
    return new_event(
        "intervention.partner-notification.created",
        crn=crn,
        additional_information={
            "providerId": provider,
            "notificationType": "intervention.referral.amended",
            "payload": {"crn": crn, "n": n},
        },
    )
