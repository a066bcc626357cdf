"""The delivery worker's use cases: claim due messages under a lease, and record what each attempt came to."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock

from ..db import queries
from ..db.models import Delivery, Endpoint
from ..domain.states import Decision, DisabledReason, MessageStatus, Outcome, RetryPolicy, decide, failing_too_long
from ..sender import AttemptResult
from ..settings import WebhooksSettings
from . import endpoints as endpoint_workflow


@dataclass(frozen=True)
class Claim:
    message: Delivery
    endpoint: Endpoint
    token: str
    lease_until: datetime


async def claim(
    session: AsyncSession, settings: WebhooksSettings, now: datetime, limit: int, room_for: Callable[[str], int]
) -> list[Claim]:
    token = uuid.uuid4().hex
    lease_until = now + timedelta(seconds=settings.claim_lease_seconds)
    rows = await queries.claim_due(session, now, lease_until, token, limit, room_for)
    return [Claim(message, endpoint, token, lease_until) for message, endpoint in rows]


@dataclass(frozen=True)
class Finished:
    claim: Claim
    started_at: datetime
    result: AttemptResult


def policy_of(settings: WebhooksSettings) -> RetryPolicy:
    return RetryPolicy(tuple(settings.retry_schedule_seconds), settings.retry_jitter, settings.max_retry_after_seconds)


async def record(
    session: AsyncSession,
    settings: WebhooksSettings,
    finished: list[Finished],
    now: datetime,
    draw: Callable[[], float],
) -> list[tuple[Finished, Decision | None]]:
    """Write each attempt and its consequence. A result whose claim is no longer the message's (its lease
    ran out and another worker took it) is kept as an attempt but decides nothing."""
    if all(f.result.outcome is Outcome.SUCCESS for f in finished):
        return await _record_delivered(session, settings, finished, now, draw)
    # Endpoints first, then messages: every writer locks in that order.
    endpoints = await queries.endpoints_for_update(session, {f.claim.endpoint.id for f in finished})
    messages = await queries.deliveries_for_update(session, [f.claim.message.id for f in finished])
    policy = policy_of(settings)
    window = timedelta(seconds=settings.auto_disable_after_seconds)
    attempts: list[dict] = []
    decisions: list[tuple[Finished, Decision | None]] = []
    for f in finished:
        message = messages.get(f.claim.message.id)
        if message is None:  # deleted with its endpoint meanwhile
            decisions.append((f, None))
            continue
        number = message.attempts + 1 if message.claim_token == f.claim.token else f.claim.message.attempts + 1
        attempts.append(
            dict(
                delivery_id=message.id,
                endpoint_id=message.endpoint_id,
                number=number,
                started_at=f.started_at,
                latency_ms=f.result.latency_ms,
                status_code=f.result.status_code,
                outcome=f.result.outcome.value,
                error=f.result.error,
                response_body=f.result.body,
            )
        )
        if message.claim_token != f.claim.token:
            decisions.append((f, None))
            continue
        decision = decide(number, f.result.outcome, f.result.retry_after, now, policy, draw())
        decisions.append((f, decision))
        message.claim_token = None
        message.attempts = number
        message.last_status_code = f.result.status_code
        message.last_error = f.result.error
        if message.status == MessageStatus.PENDING or decision.status is MessageStatus.DELIVERED:
            message.status = decision.status.value
            message.next_attempt_at = decision.next_attempt_at
            if decision.status is MessageStatus.DELIVERED:
                message.delivered_at = now
            elif decision.status is MessageStatus.DEAD:
                message.dead_at = now
        endpoint = endpoints.get(message.endpoint_id)
        if endpoint is None:
            continue
        if f.result.outcome is Outcome.SUCCESS:
            endpoint.last_success_at, endpoint.failing_since = now, None
            continue
        endpoint.failing_since = clock.as_utc(endpoint.failing_since) or f.started_at
        if not endpoint.enabled:
            continue
        if decision.disable_endpoint:
            await endpoint_workflow.disable(session, endpoint, DisabledReason.GONE, now)
        elif failing_too_long(endpoint.failing_since, now, window):
            await endpoint_workflow.disable(
                session,
                endpoint,
                DisabledReason.FAILING,
                now,
                f"every delivery has failed since {endpoint.failing_since.isoformat()}",
            )
    queries.add_attempts(session, attempts)
    return decisions


async def _record_delivered(
    session: AsyncSession,
    settings: WebhooksSettings,
    finished: list[Finished],
    now: datetime,
    draw: Callable[[], float],
) -> list[tuple[Finished, Decision | None]]:
    """`record` for a batch whose every attempt succeeded, with the same rules and the same rows written,
    but as a statement per table instead of ORM objects flushed one by one. No endpoint can be disabled
    by a success, so nothing else is touched."""
    endpoint_ids = await queries.endpoint_ids_for_update(session, {f.claim.endpoint.id for f in finished})
    states = await queries.claim_states_for_update(session, [f.claim.message.id for f in finished])
    policy = policy_of(settings)
    attempts: list[dict] = []
    decisions: list[tuple[Finished, Decision | None]] = []
    delivered: dict[str, dict] = {}
    succeeded: set[str] = set()
    for f in finished:
        message_id = f.claim.message.id
        state = states.get(message_id)
        if state is None:  # deleted with its endpoint meanwhile
            decisions.append((f, None))
            continue
        endpoint_id, count, token = state
        number = count + 1 if token == f.claim.token else f.claim.message.attempts + 1
        attempts.append(
            dict(
                delivery_id=message_id,
                endpoint_id=endpoint_id,
                number=number,
                started_at=f.started_at,
                latency_ms=f.result.latency_ms,
                status_code=f.result.status_code,
                outcome=f.result.outcome.value,
                error=f.result.error,
                response_body=f.result.body,
            )
        )
        if token != f.claim.token:
            decisions.append((f, None))
            continue
        decision = decide(number, f.result.outcome, f.result.retry_after, now, policy, draw())
        if decision.status is not MessageStatus.DELIVERED:  # the transition table says a success delivers
            raise AssertionError(f"a successful attempt decided {decision.status}")
        decisions.append((f, decision))
        states[message_id] = (endpoint_id, number, None)  # as the message now reads, for a later result
        delivered[message_id] = dict(
            id=message_id,
            status=decision.status.value,
            attempts=number,
            last_status_code=f.result.status_code,
            last_error=f.result.error,
        )
        if endpoint_id in endpoint_ids:
            succeeded.add(endpoint_id)
    await queries.write_delivered(session, list(delivered.values()), succeeded, attempts, now)
    return decisions
