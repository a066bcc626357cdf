"""aiokafka client factories: one place that knows how we talk to the broker."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from ..settings import PlatformSettings

# How long a fetch may wait for data at the broker: short, so a consumer that has caught up sees
# the next event at once (some brokers wait the full time even when data is there).
FETCH_MAX_WAIT_MS = 50


def make_producer(settings: PlatformSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        **settings.kafka_connection(),
        acks="all",
        enable_idempotence=settings.kafka_idempotent_producer,
        linger_ms=2,
        request_timeout_ms=10_000,
        max_request_size=settings.kafka_max_message_bytes,
        client_id=f"{settings.service_name}-producer",
    )


def make_consumer(settings: PlatformSettings, group_id: str, *topics: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        *topics,
        **settings.kafka_connection(),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id=f"{settings.service_name}-{group_id}",
        metadata_max_age_ms=5_000,
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        max_poll_interval_ms=settings.consumer_max_poll_interval_ms,
        session_timeout_ms=settings.consumer_session_timeout_ms,
        heartbeat_interval_ms=settings.consumer_heartbeat_interval_ms,
        **({"max_poll_records": settings.consumer_max_poll_records} if settings.consumer_max_poll_records else {}),
    )


async def ensure_topics(bootstrap_servers: str, topics: list[str], partitions: int = 3, **connection) -> None:
    """Create any of `topics` that do not exist yet (`connection`: security options, if any)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, **connection)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, partitions, 1) for t in topics if t not in existing]
        if missing:
            await admin.create_topics(missing)
    finally:
        await admin.close()
