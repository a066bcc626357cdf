"""Every query webhooks makes: endpoints, messages (deliveries), attempts, claims, health."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import (
    CursorResult,
    Integer,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    insert,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from .models import Delivery, DeliveryAttempt, Endpoint, OwnerNotice

PENDING, HELD, DEAD = "PENDING", "HELD", "DEAD"


# -- endpoints -----------------------------------------------------------------------------------


async def endpoints_of(session: AsyncSession, provider_id: str, partner_kind: str | None = None) -> list[Endpoint]:
    """The owner's endpoints; with `partner_kind`, only those of that kind (how notifications are routed)."""
    query = select(Endpoint).where(Endpoint.provider_id == provider_id).order_by(Endpoint.created_at, Endpoint.id)
    if partner_kind is not None:
        query = query.where(Endpoint.partner_kind == partner_kind)
    return list((await session.scalars(query)).all())


async def endpoint_of(
    session: AsyncSession, provider_id: str, endpoint_id: str, for_update: bool = False
) -> Endpoint | None:
    query = select(Endpoint).where(Endpoint.id == endpoint_id, Endpoint.provider_id == provider_id)
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def endpoint_by_id(session: AsyncSession, endpoint_id: str, for_update: bool = False) -> Endpoint | None:
    query = select(Endpoint).where(Endpoint.id == endpoint_id)
    if for_update:
        query = query.with_for_update()
    return (await session.scalars(query)).first()


async def take_sequence_numbers(session: AsyncSession, endpoint_id: str, count: int) -> int:
    """Reserve `count` consecutive sequence numbers for the endpoint; returns the first."""
    taken = await session.execute(
        update(Endpoint)
        .where(Endpoint.id == endpoint_id)
        .values(next_seq=Endpoint.next_seq + count)
        .returning(Endpoint.next_seq)
    )
    return taken.scalar_one() - count


_ROUTES = (
    select(Endpoint.id, Endpoint.provider_id, Endpoint.enabled, Endpoint.event_types)
    .where(Endpoint.provider_id == bindparam("owner"), Endpoint.partner_kind == bindparam("kind"))
    .order_by(Endpoint.created_at, Endpoint.id)
)


async def routes_of(session: AsyncSession, provider_id: str, partner_kind: str) -> list[Row]:
    """What routing a notification needs of the owner's endpoints of that kind (id, provider_id, enabled,
    event_types), in `endpoints_of` order: columns, not entities loaded into the session."""
    return list((await session.execute(_ROUTES, {"owner": provider_id, "kind": partner_kind})).all())


_TAKE_SEQUENCE = (
    update(Endpoint)
    .where(Endpoint.id == bindparam("endpoint"))
    .values(next_seq=Endpoint.next_seq + 1)
    .returning(Endpoint.next_seq)
)
_INSERT_DELIVERY = insert(cast(Table, Delivery.__table__))


async def insert_message(session: AsyncSession, values: dict) -> None:
    """Insert one message row, taking the endpoint's next sequence number for it (as `take_sequence_numbers`
    with a count of 1), both statements on the unit of work's connection."""
    conn = await session.connection()
    seq = (await conn.execute(_TAKE_SEQUENCE, {"endpoint": values["endpoint_id"]})).scalar_one() - 1
    await conn.execute(_INSERT_DELIVERY, values | {"seq": seq})


async def all_endpoints(session: AsyncSession) -> list[Endpoint]:
    return list((await session.scalars(select(Endpoint).order_by(Endpoint.provider_id, Endpoint.created_at))).all())


# -- messages --------------------------------------------------------------------------------------


async def messages_of(
    session: AsyncSession, provider_id: str, status: str | None, endpoint_id: str | None, limit: int, offset: int
) -> list[Delivery]:
    query = (
        select(Delivery)
        .where(Delivery.provider_id == provider_id)
        .order_by(Delivery.created_at.desc(), Delivery.seq.desc())
    )
    if status:
        query = query.where(Delivery.status == status)
    if endpoint_id:
        query = query.where(Delivery.endpoint_id == endpoint_id)
    return list((await session.scalars(query.limit(limit).offset(offset))).all())


async def message_of(session: AsyncSession, provider_id: str, message_id: str) -> Delivery | None:
    return (
        await session.scalars(select(Delivery).where(Delivery.id == message_id, Delivery.provider_id == provider_id))
    ).first()


async def message_by_id(session: AsyncSession, message_id: str) -> Delivery | None:
    return await session.get(Delivery, message_id)


async def attempts_of(session: AsyncSession, message_id: str) -> list[DeliveryAttempt]:
    query = (
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id == message_id)
        .order_by(DeliveryAttempt.number, DeliveryAttempt.id)
    )
    return list((await session.scalars(query)).all())


async def dead_letters(session: AsyncSession, limit: int, offset: int) -> list[Delivery]:
    query = select(Delivery).where(Delivery.status == DEAD).order_by(Delivery.dead_at.desc(), Delivery.id)
    return list((await session.scalars(query.limit(limit).offset(offset))).all())


async def set_status(
    session: AsyncSession, endpoint_id: str, from_statuses: Iterable[str], to_status: str, now: datetime
) -> int:
    """Move every message of the endpoint in `from_statuses` to `to_status` (e.g. hold, cancel, release)."""
    values: dict = {"status": to_status, "claim_token": None}
    if to_status == PENDING:
        values["next_attempt_at"] = now
    result = await session.execute(
        update(Delivery)
        .where(Delivery.endpoint_id == endpoint_id, Delivery.status.in_(list(from_statuses)))
        .values(**values)
    )
    return cast(CursorResult, result).rowcount or 0  # an UPDATE's result is a CursorResult


async def requeue_since(
    session: AsyncSession, endpoint_id: str, since: datetime, statuses: Iterable[str], now: datetime
) -> int:
    result = await session.execute(
        update(Delivery)
        .where(Delivery.endpoint_id == endpoint_id, Delivery.created_at >= since, Delivery.status.in_(list(statuses)))
        .values(status=PENDING, attempts=0, next_attempt_at=now, claim_token=None, dead_at=None)
    )
    return cast(CursorResult, result).rowcount or 0  # an UPDATE's result is a CursorResult


# -- claims ----------------------------------------------------------------------------------------


async def claim_due(
    session: AsyncSession,
    now: datetime,
    lease_until: datetime,
    token: str,
    limit: int,
    room_for: Callable[[str], int],
) -> list[tuple[Delivery, Endpoint]]:
    """Lease up to `limit` due messages, at most `room_for(endpoint)` of each endpoint's.

    Only the first not-yet-delivered message of each person at each endpoint is due: a retrying one
    holds back that person's later messages, nobody else's. Each endpoint is read on its own (its
    first few due messages), so an endpoint with a long queue neither crowds out the others nor makes
    the claim slower for them. PostgreSQL: `FOR UPDATE SKIP LOCKED`, so any number of workers claim
    side by side, each row by one of them; the lease (`next_attempt_at` moved to `lease_until`,
    `claim_token` set) outlasts the attempt's deadline, so a row comes back only when its worker has gone.
    """
    rooms = [
        (endpoint_id, room_for(endpoint_id)) for endpoint_id, _ in (await session.execute(_DUE, {"now": now})).all()
    ]
    rooms = [(e, r) for e, r in rooms if r > 0][:limit]
    if not rooms:
        return []
    params: dict = {"now": now, "limit": limit}
    for i, (endpoint_id, room) in enumerate(rooms):
        params[f"endpoint_{i}"], params[f"room_{i}"] = endpoint_id, room
    dialect = (await session.connection()).dialect.name
    rows = (await session.execute(_candidates(len(rooms), dialect), params)).scalars().all()
    if not rows:
        return []
    await session.execute(
        _LEASE,
        {"ids": [d.id for d in rows], "lease_until": lease_until, "token": token},
        execution_options={"synchronize_session": False},
    )
    for d in rows:  # the loaded messages read as the rows now do (as `synchronize_session` would set them)
        set_committed_value(d, "next_attempt_at", lease_until)
        set_committed_value(d, "claim_token", token)
    endpoints = {
        e.id: e for e in (await session.scalars(_ENDPOINTS, {"ids": list({d.endpoint_id for d in rows})})).all()
    }
    return [(d, endpoints[d.endpoint_id]) for d in rows]


# The claim's statements are built once (per number of endpoints read), with every value a parameter.
_DUE = (
    select(Delivery.endpoint_id, func.min(Delivery.next_attempt_at).label("first"))
    .join(Endpoint, Endpoint.id == Delivery.endpoint_id)
    .where(Delivery.status == PENDING, Delivery.next_attempt_at <= bindparam("now"), Endpoint.enabled.is_(True))
    .group_by(Delivery.endpoint_id)
    .order_by("first")
)
_LEASE = (
    update(Delivery)
    .where(Delivery.id.in_(bindparam("ids", expanding=True)))
    .values(next_attempt_at=bindparam("lease_until"), claim_token=bindparam("token"))
)
_ENDPOINTS = select(Endpoint).where(Endpoint.id.in_(bindparam("ids", expanding=True)))


@functools.lru_cache(maxsize=512)
def _candidates(count: int, dialect: str = "sqlite") -> Select:
    """The due messages of `count` endpoints (`endpoint_<i>`, at most `room_<i>` of each), the first
    `limit` of them in due order, locked (skipping rows another worker holds)."""
    per_endpoint = [_due_heads(i, dialect) for i in range(count)]
    candidates = union_all(*(select(q.c.id) for q in per_endpoint)) if count > 1 else select(per_endpoint[0].c.id)
    return (
        select(Delivery)
        .where(Delivery.id.in_(candidates), Delivery.status == PENDING, Delivery.next_attempt_at <= bindparam("now"))
        .order_by(Delivery.next_attempt_at, Delivery.seq)
        .limit(bindparam("limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )


def _due_heads(i: int, dialect: str):
    """Endpoint `i`'s due messages that are the first pending one of their person, in due order, at most
    `room_<i>` of them.

    SQLite walks the endpoint's due messages in order and looks up, in the person-order index, whether an
    earlier one is pending: it stops after `room` of them. PostgreSQL's planner, with statistics taken
    before a burst of messages (autovacuum analyses later), chose a nested-loop anti-join over sequential
    scans for that form, quadratic in the queue (0.4 s per claim at 3,000 messages); there each person's
    head is taken with `DISTINCT ON` over the same index, one pass whatever the statistics say."""
    if dialect == "postgresql":
        heads = (
            select(Delivery.id, Delivery.next_attempt_at, Delivery.seq)
            .where(Delivery.endpoint_id == bindparam(f"endpoint_{i}"), Delivery.status == PENDING)
            .order_by(Delivery.person_key, Delivery.seq)
            .ext(distinct_on(Delivery.person_key))
            .subquery()
        )
        return (
            select(heads.c.id)
            .where(heads.c.next_attempt_at <= bindparam("now"))
            .order_by(heads.c.next_attempt_at, heads.c.seq)
            .limit(bindparam(f"room_{i}", type_=Integer))
            .subquery()
        )
    earlier = aliased(Delivery)
    blocked = exists().where(
        earlier.endpoint_id == Delivery.endpoint_id,
        earlier.person_key == Delivery.person_key,
        earlier.status == PENDING,
        earlier.seq < Delivery.seq,
    )
    return (
        select(Delivery.id)
        .where(
            Delivery.endpoint_id == bindparam(f"endpoint_{i}"),
            Delivery.status == PENDING,
            Delivery.next_attempt_at <= bindparam("now"),
            ~blocked,
        )
        .order_by(Delivery.next_attempt_at, Delivery.seq)
        .limit(bindparam(f"room_{i}", type_=Integer))
        .subquery()
    )


async def release(session: AsyncSession, ids: list[str], token: str, now: datetime) -> None:
    """Give back claimed messages never attempted (a worker stopping), for any worker to take now."""
    if ids:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.claim_token == token)
            .values(claim_token=None, next_attempt_at=now)
        )


async def deliveries_for_update(session: AsyncSession, ids: Iterable[str]) -> dict[str, Delivery]:
    """The messages with these ids (those not deleted meanwhile), locked for an attempt's result to be written."""
    rows = (
        await session.scalars(
            select(Delivery).where(Delivery.id.in_(sorted(set(ids)))).order_by(Delivery.id).with_for_update()
        )
    ).all()
    return {d.id: d for d in rows}


async def endpoints_for_update(session: AsyncSession, ids: Iterable[str]) -> dict[str, Endpoint]:
    rows = (
        await session.scalars(
            select(Endpoint).where(Endpoint.id.in_(sorted(set(ids)))).order_by(Endpoint.id).with_for_update()
        )
    ).all()
    return {e.id: e for e in rows}


def add_attempts(session: AsyncSession, attempts: list[dict]) -> None:
    session.add_all([DeliveryAttempt(**a) for a in attempts])


# The all-succeeded batch (the common case) is written with these, as Core statements on the connection:
# no ORM objects loaded, changed and flushed one by one. Built once; only the parameters vary.
_LOCK_ENDPOINT_IDS = (
    select(Endpoint.id).where(Endpoint.id.in_(bindparam("ids", expanding=True))).order_by(Endpoint.id).with_for_update()
)
_CLAIM_STATES = (
    select(Delivery.id, Delivery.endpoint_id, Delivery.attempts, Delivery.claim_token)
    .where(Delivery.id.in_(bindparam("ids", expanding=True)))
    .order_by(Delivery.id)
    .with_for_update()
)
_delivery, _endpoint = cast(Table, Delivery.__table__), cast(Table, Endpoint.__table__)
_DELIVERED = (
    update(_delivery)
    .where(_delivery.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        claim_token=None,
        attempts=bindparam("b_attempts"),
        last_status_code=bindparam("b_code"),
        last_error=bindparam("b_error"),
        next_attempt_at=None,
        delivered_at=bindparam("b_at"),
    )
)
_SUCCEEDED = (
    update(_endpoint)
    .where(_endpoint.c.id.in_(bindparam("ids", expanding=True)))
    .values(last_success_at=bindparam("at"), failing_since=None)
)
_ATTEMPT = insert(cast(Table, DeliveryAttempt.__table__))


async def endpoint_ids_for_update(session: AsyncSession, ids: Iterable[str]) -> set[str]:
    """Lock these endpoints (as `endpoints_for_update`, same order) and return those that still exist."""
    conn = await session.connection()
    return set((await conn.execute(_LOCK_ENDPOINT_IDS, {"ids": sorted(set(ids))})).scalars())


async def claim_states_for_update(session: AsyncSession, ids: Iterable[str]) -> dict[str, tuple[str, int, str | None]]:
    """Endpoint, attempts and claim token of the messages with these ids (those not deleted), locked as
    by `deliveries_for_update`."""
    conn = await session.connection()
    rows = await conn.execute(_CLAIM_STATES, {"ids": sorted(set(ids))})
    return {i: (endpoint_id, attempts, token) for i, endpoint_id, attempts, token in rows}


async def write_delivered(
    session: AsyncSession, delivered: list[dict], endpoint_ids: Iterable[str], attempts: list[dict], now: datetime
) -> None:
    """Messages delivered (`delivered`: id, status, attempts, status code, error), their endpoints' last
    success, and the attempt rows: one statement each, whatever the batch's size."""
    conn = await session.connection()
    if delivered:
        params = [
            {"b_id": d["id"], "b_status": d["status"], "b_attempts": d["attempts"], "b_code": d["last_status_code"]}
            | {"b_error": d["last_error"], "b_at": now}
            for d in delivered
        ]
        await conn.execute(_DELIVERED, params)
    if ids := sorted(set(endpoint_ids)):
        await conn.execute(_SUCCEEDED, {"ids": ids, "at": now})
    if attempts:
        await conn.execute(_ATTEMPT, attempts)


def add_notice(session: AsyncSession, **values) -> None:
    session.add(OwnerNotice(**values))


async def notices_of(session: AsyncSession, provider_id: str) -> list[OwnerNotice]:
    query = (
        select(OwnerNotice)
        .where(OwnerNotice.provider_id == provider_id)
        .order_by(OwnerNotice.created_at, OwnerNotice.id)
    )
    return list((await session.scalars(query)).all())


# -- health and metrics ----------------------------------------------------------------------------


async def endpoint_health(session: AsyncSession, since: datetime) -> dict[str, dict]:
    """Per endpoint: attempts and successes since `since`, and the backlog (pending messages)."""
    attempts = await session.execute(
        select(
            DeliveryAttempt.endpoint_id,
            func.count(),
            func.sum(case((DeliveryAttempt.outcome == "success", 1), else_=0)),
        )
        .where(DeliveryAttempt.started_at >= since)
        .group_by(DeliveryAttempt.endpoint_id)
    )
    health: dict[str, dict] = {}
    for endpoint_id, total, ok in attempts.all():
        health.setdefault(endpoint_id, {})["attempts"] = total
        health[endpoint_id]["successes"] = int(ok or 0)
    backlog = await session.execute(
        select(Delivery.endpoint_id, Delivery.status, func.count())
        .where(Delivery.status.in_([PENDING, HELD, DEAD]))
        .group_by(Delivery.endpoint_id, Delivery.status)
    )
    for endpoint_id, status, count in backlog.all():
        health.setdefault(endpoint_id, {})[status] = count
    return health


async def queue_figures(session: AsyncSession, now: datetime) -> dict[str, float]:
    """Retry queue depth (pending messages already attempted), all pending, dead, and the oldest pending's age."""
    row = (
        await session.execute(
            select(
                func.sum(case((and_(Delivery.status == PENDING, Delivery.attempts > 0), 1), else_=0)),
                func.sum(case((Delivery.status == PENDING, 1), else_=0)),
                func.sum(case((Delivery.status == DEAD, 1), else_=0)),
                func.min(case((Delivery.status == PENDING, Delivery.created_at), else_=None)),
            ).where(Delivery.status.in_([PENDING, DEAD]))
        )
    ).one()
    retrying, pending, dead, oldest = row
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=now.tzinfo)
    return {
        "retrying": float(retrying or 0),
        "pending": float(pending or 0),
        "dead": float(dead or 0),
        "oldest_age": max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
    }
