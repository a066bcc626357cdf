"""Recording a batch whose every attempt succeeded (written as one statement per table) leaves the same
rows as the general path (ORM objects, taken when any attempt in the batch failed): delivered messages,
a result whose claim is no longer current, a message deleted meanwhile, the same message twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update

from probation_shared.db import Database
from probation_shared.events import new_event
from probation_shared.migrations import upgrade
from webhooks.db.models import Delivery, DeliveryAttempt, Endpoint
from webhooks.domain.states import Outcome
from webhooks.sender import AttemptResult
from webhooks.service import SPEC
from webhooks.settings import WebhooksSettings
from webhooks.workflows import delivery as workflow
from webhooks.workflows import endpoints as endpoint_workflow
from webhooks.workflows.messages import on_partner_notification

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def notification(provider: str, crn: str):
    return new_event(
        "intervention.partner-notification.created",
        crn=crn,
        additional_information={"providerId": provider, "notificationType": "intervention.referral.amended"},
    )


async def scenario(tmp_path, name: str, with_a_failure: bool) -> dict:
    url = f"sqlite+aiosqlite:///{tmp_path / name}"
    await asyncio.to_thread(upgrade, SPEC.migrations_dir, url)
    settings = WebhooksSettings(
        database_url=url, allow_insecure_endpoints=True, endpoint_allowlist=["127.0.0.1/32"], retry_jitter=0.0
    )
    database = Database(url)
    database.context["clock"] = lambda: NOW
    try:
        async with database.unit_of_work() as session:
            for provider in ("P1", "P2"):
                await endpoint_workflow.register(session, settings, provider, "http://127.0.0.1:9/h", None, None, None)
            for crn in ("A", "B", "C"):
                await on_partner_notification(session, notification("P1", crn))
            await on_partner_notification(session, notification("P2", "D"))
        async with database.unit_of_work() as session:
            claims = {c.message.person_key: c for c in await workflow.claim(session, settings, NOW, 10, lambda e: 10)}
        async with database.unit_of_work() as session:
            # B's lease ran out and another worker holds it now; C went with a deleted endpoint's messages.
            await session.execute(update(Delivery).where(Delivery.id == claims["B"].message.id).values(claim_token="x"))
            await session.execute(delete(Delivery).where(Delivery.id == claims["C"].message.id))
            await session.execute(
                update(Endpoint).where(Endpoint.provider_id == "P1").values(failing_since=NOW - timedelta(hours=1))
            )
        ok = AttemptResult(Outcome.SUCCESS, 204, 12.5, address="127.0.0.1")
        finished = [workflow.Finished(claims[k], NOW, ok) for k in ("A", "B", "C", "A")]
        if with_a_failure:  # another endpoint's: the batch takes the general path
            failed = AttemptResult(Outcome.HTTP_ERROR, 500, 3.0, error="HTTP 500", body="no")
            finished.append(workflow.Finished(claims["D"], NOW, failed))
        later = NOW + timedelta(seconds=1)
        async with database.unit_of_work() as session:
            decisions = await workflow.record(session, settings, finished, later, lambda: 0.5)
        async with database.unit_of_work(read_only=True) as session:
            ids = {c.message.id: k for k, c in claims.items()}
            messages = {
                d.person_key: (d.status, d.attempts, d.claim_token, d.last_status_code, d.last_error)
                + (d.next_attempt_at, d.delivered_at, d.dead_at)
                for d in (await session.scalars(select(Delivery).where(Delivery.provider_id == "P1"))).all()
            }
            attempts = sorted(
                (ids[a.delivery_id], a.number, a.status_code, a.outcome, a.error, a.response_body, a.latency_ms)
                for a in (await session.scalars(select(DeliveryAttempt))).all()
                if ids[a.delivery_id] != "D"
            )
            [endpoint] = (await session.scalars(select(Endpoint).where(Endpoint.provider_id == "P1"))).all()
        return {
            "decisions": [(f.claim.message.person_key, d and d.status.value) for f, d in decisions][:4],
            "messages": messages,
            "attempts": attempts,
            "endpoint": (endpoint.enabled, endpoint.last_success_at, endpoint.failing_since, endpoint.next_seq),
        }
    finally:
        await database.dispose()


async def test_an_all_succeeded_batch_is_recorded_as_the_general_path_records_it(tmp_path):
    fast = await scenario(tmp_path, "fast.db", with_a_failure=False)
    general = await scenario(tmp_path, "general.db", with_a_failure=True)
    assert fast == general
    assert fast["decisions"] == [("A", "DELIVERED"), ("B", None), ("C", None), ("A", None)]
    assert fast["messages"]["A"][:5] == ("DELIVERED", 1, None, 204, None)
    assert fast["messages"]["B"][:3] == ("PENDING", 0, "x")
    assert "C" not in fast["messages"]
    # A late result numbers its attempt from its own claim (as B's does): both of A's are number 1.
    assert [(k, n) for k, n, *_ in fast["attempts"]] == [("A", 1), ("A", 1), ("B", 1)]
    assert fast["endpoint"][2] is None and fast["endpoint"][1] is not None
