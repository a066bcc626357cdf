"""The transactional outbox: an event row is written in the same transaction as the state change.

The relay (see `relay.py`) publishes it later; nothing is ever published straight after a commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.ext.asyncio import AsyncSession

from probation_shared import clock

from ..db import SERIALIZE_ON, stage_write
from ..errors import Problem
from ..settings import EVENT_HEADROOM_BYTES
from ..tracing import outbox_traceparent
from .envelope import DomainEvent

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class PlatformTables:
    outbox: Table
    inbox: Table
    audit_log: Table


def platform_tables(metadata: MetaData) -> PlatformTables:
    """Define the outbox, inbox and audit tables on a service's metadata (every service has them)."""
    outbox = Table(
        "outbox",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("message_key", String(100), nullable=True),
        Column("event_type", String(200), nullable=False),
        Column("payload", Text, nullable=False),
        Column("headers", JSON, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Index("ix_outbox_unpublished", "published_at", "id"),
        # Per key, ids are taken in commit order (see db.SERIALIZE_ON): the relay publishes in id order.
        info={SERIALIZE_ON: "message_key"},
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(200), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
    )
    audit_log = Table(
        "audit_log",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("actor_roles", String(500), nullable=False),
        Column("subject_crn", String(20), nullable=True, index=True),
        Column("action", String(100), nullable=False),
        Column("resource", String(500), nullable=False),
        Column("reason", String(500), nullable=True),
        Column("correlation_id", String(100), nullable=True),
    )
    return PlatformTables(outbox=outbox, inbox=inbox, audit_log=audit_log)


# What `add_event` accepts when the session does not say (see `PlatformSettings.event_max_bytes`).
DEFAULT_EVENT_MAX_BYTES = 1_048_576 - EVENT_HEADROOM_BYTES
EVENT_MAX_BYTES = "event_max_bytes"  # session.info key, set from the service's settings


def event_size(payload: str, key: str | None, headers: dict) -> int:
    """Bytes the broker will count for the record: value, key and headers."""
    return (
        len(payload.encode())
        + len((key or "").encode())
        + sum(len(k.encode()) + len(str(v).encode()) for k, v in headers.items())
    )


async def add_event(
    session: AsyncSession, outbox: Table, topic: str, event: DomainEvent, key: str | None = None
) -> None:
    """Queue `event` on `topic` inside the caller's transaction. The Kafka key defaults to the CRN.

    An event larger than the broker accepts is refused here, in the request (or handler) that made
    it: `Problem(413, "event-too-large")`, and nothing of the unit of work is stored. Left for the
    relay to find, it would block every event queued behind it.
    """
    traceparent = outbox_traceparent()  # the active span's context: the relay's producer span is its child
    payload = event.model_dump_json()
    message_key = key if key is not None else event.crn
    headers = {"eventType": event.eventType, "traceparent": traceparent}
    size = event_size(payload, message_key, headers)
    limit = session.info.get(EVENT_MAX_BYTES, DEFAULT_EVENT_MAX_BYTES)
    if size > limit:
        raise Problem(
            413,
            "event-too-large",
            f"The change would publish a {event.eventType} event of {size} bytes; events are limited to {limit} bytes.",
            event_type=event.eventType,
            event_bytes=size,
            limit_bytes=limit,
        )
    # Written with the unit of work's commit, in one statement with the other rows it queues.
    stage_write(
        session,
        outbox,
        dict(
            event_id=str(event.eventId),
            topic=topic,
            message_key=message_key,
            event_type=event.eventType,
            payload=payload,
            headers=headers,
            created_at=clock.now(),
        ),
    )
    # Read by Database.unit_of_work after the commit, to wake the relay at once.
    session.info["outbox_pending"] = True


def detail_url(session: AsyncSession, path: str) -> str:
    """An absolute URL on this service, for an event's `detailUrl`."""
    return f"{session.info.get('public_base_url', '')}{path}"
